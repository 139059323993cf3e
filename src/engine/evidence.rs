//! Evidence lines read again at report time, by (source, byte offset), for
//! the few events a report shows.

use super::head::trim_cr;
use super::EVIDENCE_MAX;
use crate::read;
use crate::source::{Source, SourceKind};
use std::collections::BTreeMap;

/// Reads again the lines at the given (source, byte offset) pairs, for the
/// evidence of the events a report shows. Plain files are read by offset;
/// gzip and UTF-16 sources are decoded again up to the last offset wanted.
/// A line that can no longer be read (the file changed) is left out.
pub fn read_lines_at(sources: &[Source], wanted: &[(u32, u64)]) -> BTreeMap<(u32, u64), String> {
    let mut by_source: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for &(s, off) in wanted {
        by_source.entry(s).or_default().push(off);
    }
    let mut out = BTreeMap::new();
    for (sid, mut offsets) in by_source {
        offsets.sort_unstable();
        offsets.dedup();
        let source = &sources[sid as usize];
        // the same file that was scanned, never a FIFO or a rotated-in one
        let Ok(file) = source.open_same() else { continue };
        match source.kind {
            SourceKind::Plain => {
                let mut buf = vec![0u8; 4096];
                for off in offsets {
                    let Ok(n) = std::os::unix::fs::FileExt::read_at(&file, &mut buf, off) else { continue };
                    let line = &buf[..n];
                    let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
                    out.insert((sid, off), evidence_text(trim_cr(&line[..end])));
                }
            }
            SourceKind::Gzip
            | SourceKind::Zstd
            | SourceKind::Bzip2
            | SourceKind::Xz
            | SourceKind::Utf16 { .. }
            | SourceKind::LoneCr => {
                use std::io::BufRead;
                let Ok(reader) = read::decoded(source.kind, std::io::BufReader::new(file)) else { continue };
                let mut reader = std::io::BufReader::new(reader);
                let (mut pos, mut line) = (0u64, Vec::new());
                let mut next = offsets.into_iter().peekable();
                while let Some(&want) = next.peek() {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if pos == want {
                                let l = line.strip_suffix(b"\n").unwrap_or(&line);
                                out.insert((sid, want), evidence_text(trim_cr(l)));
                            }
                            pos += n as u64;
                            while next.peek().is_some_and(|&w| w < pos) {
                                next.next();
                            }
                        }
                    }
                }
            }
            SourceKind::Stdin | SourceKind::Member { .. } => {}
        }
    }
    out
}

/// A line as evidence: NULs dropped, invalid UTF-8 replaced, capped.
pub fn evidence_text(line: &[u8]) -> String {
    let line: Vec<u8> = line.iter().copied().filter(|&b| b != 0).take(EVIDENCE_MAX).collect();
    let mut s = String::from_utf8_lossy(&line).into_owned();
    if s.len() >= EVIDENCE_MAX {
        s.push('…');
    }
    s
}
