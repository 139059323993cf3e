//! `faultline mine FILE... [--per-line]`: reading the inputs in blocks on a
//! reader thread, mining them, and writing the templates or one JSON object
//! per line.

use super::*;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Bytes of the first block read by [`for_blocks`] (later ones: [`BLOCK_BYTES`]).
const FIRST_BLOCK_BYTES: usize = 1 << 20;

/// A block of whole lines read from an input: `data[..len]`, with the end
/// of each line (after its `\n`, if any) found on the reader thread.
struct Block {
    data: Vec<u8>,
    len: usize,
    ends: Vec<usize>,
}

/// Reads `r` in blocks of whole lines on a reader thread (so reading, and
/// finding where lines end, overlaps mining), calling `f(lines, index of first line)` for each block
/// in order. Blocks are cut after the last newline within the first
/// [`BLOCK_BYTES`] (more when one line is longer).
fn for_blocks(
    r: Box<dyn Read + Send>,
    mut f: impl FnMut(&[&[u8]], usize) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use std::sync::mpsc::{channel, sync_channel};
    std::thread::scope(|sc| {
        let (tx, rx) = sync_channel::<std::io::Result<Block>>(1);
        let (back_tx, back_rx) = channel::<(Vec<u8>, Vec<usize>)>();
        sc.spawn(move || {
            let mut r = r;
            let mut carry: Vec<u8> = Vec::new();
            // the first block is small, so that mining starts at once
            let mut limit = FIRST_BLOCK_BYTES;
            loop {
                let (mut buf, mut ends) =
                    back_rx.try_recv().unwrap_or_else(|_| (vec![0; BLOCK_BYTES], Vec::new()));
                if buf.len() < carry.len() + BLOCK_BYTES / 2 {
                    buf.resize(carry.len() + BLOCK_BYTES, 0);
                }
                buf[..carry.len()].copy_from_slice(&carry);
                let mut filled = carry.len();
                carry.clear();
                let mut eof = false;
                loop {
                    if filled >= limit.min(buf.len()) {
                        match memchr::memrchr(b'\n', &buf[..filled]) {
                            Some(_) => break,
                            None if filled < buf.len() => limit = buf.len(),
                            None => buf.resize(buf.len() * 2, 0), // one long line
                        }
                    }
                    let end = if filled < limit { limit.min(buf.len()) } else { buf.len() };
                    match r.read(&mut buf[filled..end]) {
                        Ok(0) => {
                            eof = true;
                            break;
                        }
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                let cut = if eof {
                    filled
                } else {
                    memchr::memrchr(b'\n', &buf[..filled]).map_or(filled, |i| i + 1)
                };
                limit = BLOCK_BYTES;
                carry.extend_from_slice(&buf[cut..filled]);
                ends.clear();
                bitmap::line_ends(&buf[..cut], &mut ends);
                if ends.last().is_none_or(|&e| e < cut) {
                    ends.push(cut); // the last line, without its end of line
                }
                if cut > 0 && tx.send(Ok(Block { data: buf, len: cut, ends })).is_err() {
                    return;
                }
                if eof {
                    return;
                }
            }
        });
        let mut base = 0usize;
        for b in rx {
            let b = b?;
            let data = &b.data[..b.len];
            let mut lines = Vec::with_capacity(b.ends.len());
            let mut s = 0;
            for &e in &b.ends {
                lines.push(&data[s..e]);
                s = e;
            }
            f(&lines, base)?;
            base += lines.len();
            drop(lines);
            let _ = back_tx.send((b.data, b.ends));
        }
        Ok(())
    })
}

/// An input, decompressed when its head announces gzip, zstd, bzip2 or
/// xz.
fn open(p: &PathBuf) -> anyhow::Result<Box<dyn Read + Send>> {
    use anyhow::Context;
    use std::io::BufRead;
    let mut r: Box<dyn BufRead + Send> = if p.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(p).with_context(|| format!("{}: cannot open", p.display()))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, f))
    };
    let head = r.fill_buf().with_context(|| format!("{}: cannot read", p.display()))?;
    if let Some(kind) = crate::source::SourceKind::sniff_compression(head) {
        let codec = kind.compression().unwrap_or("compressed");
        let inner =
            crate::read::decoded_send(kind, r).with_context(|| format!("{}: {codec}", p.display()))?;
        return Ok(Box::new(Decompressed { path: p.clone(), codec, inner }));
    }
    Ok(Box::new(r))
}

/// A compressed stream whose errors name the file and the codec.
struct Decompressed {
    path: PathBuf,
    codec: &'static str,
    inner: Box<dyn Read + Send>,
}

impl Read for Decompressed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| {
            std::io::Error::new(e.kind(), format!("{}: {}: {e}", self.path.display(), self.codec))
        })
    }
}

/// How `mine` writes its table of templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// Aligned columns for people.
    Text,
    /// `{"schema":"faultline.mine/v1","lines":N,"templates":[...]}`.
    Json,
}

fn push_num(o: &mut Vec<u8>, mut n: usize) {
    let mut d = [0u8; 20];
    let mut i = d.len();
    loop {
        i -= 1;
        d[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    o.extend_from_slice(&d[i..]);
}

/// A file's name for the table: its last two path components, at most 32
/// characters (the end kept).
fn short_name(p: &std::path::Path) -> String {
    let parts: Vec<String> =
        p.components().rev().take(2).map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let name: String = parts.into_iter().rev().collect::<Vec<_>>().join("/");
    let n = name.chars().count();
    if n <= 32 {
        name
    } else {
        format!("…{}", name.chars().skip(n - 31).collect::<String>())
    }
}

/// The `mine` command: mines `files` together (each file's header layouts
/// learned from its own lines: the first from its first [`SAMPLE_LINES`]
/// lines, more per [`BLOCK_BYTES`] block when many lines of the block fit
/// none) and writes, with `per_line`, one JSON object per input line
/// `{"line":N,"cluster":"ID","template":"TEXT"}` (plus `"file"` when
/// several files are given; `line` is 1-based within its file), else a
/// table of templates, most frequent first, with counts.
/// With `redact`, secrets in template texts are masked (`crate::redact`).
/// `top` keeps the N most frequent templates in the table (the totals
/// still count every line).
pub fn run(
    files: &[PathBuf],
    per_line: bool,
    redact: bool,
    top: Option<usize>,
    table_format: Table,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    // per file: its layouts and, per block, how many were known after it
    let mut models: Vec<(header::Layouts, Vec<usize>)> = Vec::with_capacity(files.len());
    let mut table = KeyTable::default();
    let mut global = 0usize;
    // stdin cannot be read twice: keep its lines when needed
    let mut stdin_lines: Option<Vec<u8>> = None;
    // per file: (key hash, lines) of its own keys, for the file column
    let mut file_keys: Vec<Vec<(u64, usize)>> = Vec::with_capacity(files.len());
    for p in files {
        let mut layouts: Option<header::Layouts> = None;
        let mut known = Vec::new();
        let mut own = KeyTable::default();
        let reader: Box<dyn Read + Send> = if p.as_os_str() == "-" && per_line {
            let mut all = Vec::new();
            std::io::stdin().read_to_end(&mut all)?;
            stdin_lines = Some(all.clone());
            Box::new(std::io::Cursor::new(all))
        } else {
            open(p)?
        };
        for_blocks(reader, |lines, _| {
            let l = layouts.get_or_insert_with(|| {
                header::Layouts::learn(lines.iter().take(SAMPLE_LINES).map(|l| trim_eol(l)))
            });
            let starts = block_starts(l, lines, RELEARN_MIN);
            known.push(l.len());
            let (_, t) = scan_block(lines, &starts, global, false);
            own.absorb(t);
            global += lines.len();
            Ok(())
        })?;
        file_keys.push(own.map.iter().map(|(&h, e)| (h, e.1)).collect());
        table.absorb(own);
        models.push((layouts.unwrap_or_default(), known));
    }
    let (mut templates, of_key) = finish(table);
    // per template: (file index, lines), most lines first
    let mut in_files: Vec<Vec<(usize, usize)>> = vec![Vec::new(); templates.len()];
    for (fi, keys) in file_keys.iter().enumerate() {
        for &(h, n) in keys {
            let ti = of_key[&h];
            match in_files[ti].last_mut() {
                Some(last) if last.0 == fi => last.1 += n,
                _ => in_files[ti].push((fi, n)),
            }
        }
    }
    for f in &mut in_files {
        f.sort_by_key(|&(fi, n)| (std::cmp::Reverse(n), fi));
    }
    let file_name = |fi: usize| files[fi].to_string_lossy().into_owned();
    if redact {
        for t in &mut templates {
            t.template = crate::redact::redact(&t.template);
        }
    }
    if !per_line && table_format == Table::Json {
        let total: usize = templates.iter().map(|t| t.count).sum();
        let listed: Vec<serde_json::Value> = templates
            .iter()
            .take(top.unwrap_or(usize::MAX))
            .enumerate()
            .map(|(ti, t)| {
                let in_f: Vec<serde_json::Value> = in_files[ti]
                    .iter()
                    .map(|&(fi, n)| serde_json::json!({"file": file_name(fi), "count": n}))
                    .collect();
                serde_json::json!({
                    "cluster": t.id,
                    "count": t.count,
                    "share": (t.count as f64 / total.max(1) as f64 * 1e4).round() / 1e4,
                    "template": t.template,
                    "files": in_f,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "schema": "faultline.mine/v1",
            "lines": total,
            "templates_total": templates.len(),
            "templates": listed,
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    if !per_line {
        let total: usize = templates.iter().map(|t| t.count).sum();
        // with several files, the one holding most of each template's lines
        // (and how many others hold some)
        let shown: Vec<String> = (0..templates.len())
            .map(|ti| match in_files[ti].as_slice() {
                [] => String::new(),
                [(fi, _)] => short_name(&files[*fi]),
                [(fi, _), rest @ ..] => format!("{} +{}", short_name(&files[*fi]), rest.len()),
            })
            .collect();
        let file_col = files.len() > 1;
        let w = shown.iter().map(|f| f.chars().count()).max().unwrap_or(4).clamp(4, 32);
        if file_col {
            writeln!(out, "{:>9}  {:>6}  {:<16}  {:<w$}  TEMPLATE", "COUNT", "SHARE", "CLUSTER", "FILE")?;
        } else {
            writeln!(out, "{:>9}  {:>6}  {:<16}  TEMPLATE", "COUNT", "SHARE", "CLUSTER")?;
        }
        for (ti, t) in templates.iter().enumerate().take(top.unwrap_or(usize::MAX)) {
            let share = 100.0 * t.count as f64 / total.max(1) as f64;
            if file_col {
                writeln!(
                    out,
                    "{:>9}  {:>5.1}%  {:<16}  {:<w$}  {}",
                    t.count, share, t.id, shown[ti], t.template
                )?;
            } else {
                writeln!(out, "{:>9}  {:>5.1}%  {:<16}  {}", t.count, share, t.id, t.template)?;
            }
        }
        writeln!(out, "{} templates, {} lines", templates.len(), total)?;
        return Ok(());
    }
    // everything after the line number, per template
    let tails: Vec<String> = templates
        .iter()
        .map(|t| {
            format!(
                ",\"cluster\":\"{}\",\"template\":{}}}\n",
                t.id,
                serde_json::to_string(&t.template).unwrap()
            )
        })
        .collect();
    let multi = files.len() > 1;
    for (fi, p) in files.iter().enumerate() {
        let fname = serde_json::to_string(&p.to_string_lossy()).unwrap();
        let reader: Box<dyn Read + Send> = match (&stdin_lines, p.as_os_str() == "-") {
            (Some(all), true) => Box::new(std::io::Cursor::new(all.clone())),
            _ => open(p)?,
        };
        let (layouts, known) = &models[fi];
        let mut block = 0usize;
        for_blocks(reader, |lines, base| {
            // the layouts as they stood after this block in the first pass
            let n = known.get(block).copied().unwrap_or(layouts.len());
            block += 1;
            let starts = fit_starts(layouts.prefix(n), lines);
            let parts: Vec<Vec<u8>> = lines
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    let mut masker = KeyMasker::new();
                    let mut o: Vec<u8> = Vec::with_capacity(chunk.len() * 96);
                    for (j, raw) in chunk.iter().enumerate() {
                        let ti = of_key[&masker.key(raw, starts[ci * CHUNK + j]).0];
                        if multi {
                            o.extend_from_slice(b"{\"file\":");
                            o.extend_from_slice(fname.as_bytes());
                            o.extend_from_slice(b",\"line\":");
                        } else {
                            o.extend_from_slice(b"{\"line\":");
                        }
                        push_num(&mut o, base + ci * CHUNK + j + 1);
                        o.extend_from_slice(tails[ti].as_bytes());
                    }
                    o
                })
                .collect();
            for p in parts {
                out.write_all(&p)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
