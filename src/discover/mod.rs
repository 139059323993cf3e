//! Paths → [`Discovery`]: walking, naming systems, rotation order, sniffing.
//!
//! Rules (INTERFACE.md): `--system NAME=PATH` names the system of a path; a
//! bare directory with sub-directories is one system per sub-directory; any
//! other bare path is its own system, named after its stem (`app.log.2.gz`
//! → `app`). Walks follow symlinks (Kubernetes log folders are symlinks) with
//! loop detection, visit each file once by (device, inode), and skip FIFOs,
//! sockets and devices. The content decides the kind: gzip by magic bytes,
//! UTF-16 by BOM, binary by a NUL byte in the first 8 KiB after any leading
//! run of NULs (what a writer leaves after a copytruncate). Binary files met
//! while walking are skipped with a note; a file named on the command line
//! is always scanned, as ripgrep does.

mod bundle;
pub mod kubernetes;

use crate::source::{Skipped, Source, SourceKind};
use std::collections::HashSet;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// One path to scan, as given by the user.
#[derive(Clone, Debug)]
pub struct Input {
    /// The system named with `--system NAME=PATH`, if any.
    pub system: Option<String>,
    /// The path (`-` for stdin).
    pub path: PathBuf,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// System names, indexed by `Source::system`.
    pub systems: Vec<String>,
    /// Sources, grouped by system, rotated files oldest first.
    pub sources: Vec<Source>,
    /// Inputs left out, with the reason.
    pub skipped: Vec<Skipped>,
}

/// How many bytes are sniffed for the content kind.
const SNIFF_LEN: usize = 8 * 1024;

struct Found {
    system: String,
    /// The system was named with `--system`: an archive's members keep it.
    explicit: bool,
    path: PathBuf,
    display: String,
    named: bool,
}

/// Finds every source under `inputs`. `exclude` is a path never scanned
/// (the report being written).
pub fn discover(inputs: &[Input], exclude: Option<&Path>) -> Discovery {
    let mut out = Discovery::default();
    let mut found = Vec::new();
    for input in inputs {
        collect(input, &mut found, &mut out.skipped);
    }
    let exclude_id = exclude.and_then(|p| std::fs::metadata(p).ok()).map(|m| (m.dev(), m.ino()));
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    let mut sources: Vec<(String, Source)> = Vec::new();
    for f in found {
        if f.path.as_os_str() == "-" {
            sources.push((f.system, stdin_source()));
            continue;
        }
        let meta = match std::fs::metadata(&f.path) {
            Ok(m) => m,
            Err(e) => {
                out.skipped.push(skip(&f.display, io_reason(&e)));
                continue;
            }
        };
        if !meta.is_file() {
            let ft = meta.file_type();
            let what = if ft.is_fifo() {
                "a FIFO"
            } else if ft.is_socket() {
                "a socket"
            } else if ft.is_block_device() || ft.is_char_device() {
                "a device"
            } else {
                "not a regular file"
            };
            out.skipped.push(skip(&f.display, format!("not a regular file ({what})")));
            continue;
        }
        let id = (meta.dev(), meta.ino());
        if Some(id) == exclude_id {
            continue;
        }
        if !seen.insert(id) {
            continue; // the same file through another path or link
        }
        let sniff = match sniff(&f.path) {
            Ok(s) => s,
            Err(e) => {
                out.skipped.push(skip(&f.display, io_reason(&e)));
                continue;
            }
        };
        if let Some(archive) = sniff.archive {
            bundle::add_members(&f, &meta, archive, &mut sources, &mut out.skipped);
            continue;
        }
        if let Some(offset) = sniff.nul_at {
            if !f.named {
                out.skipped.push(skip(&f.display, format!("binary (NUL byte at offset {offset})")));
                continue;
            }
        }
        sources.push((
            f.system,
            Source {
                id: 0,
                system: 0,
                path: f.path,
                display: f.display,
                kind: sniff.kind,
                len: meta.len(),
                mtime: Some(meta.mtime()),
                nul_head: sniff.nul_head,
                identity: Some(crate::source::FileIdentity { dev: meta.dev(), ino: meta.ino() }),
            },
        ));
    }
    // members sort by their path inside the archive, as files in a folder
    let logical = |s: &Source| match s.kind {
        SourceKind::Member { .. } => PathBuf::from(&s.display),
        _ => s.path.clone(),
    };
    sources.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| rotation_key(&logical(&a.1)).cmp(&rotation_key(&logical(&b.1))))
    });
    for (system, mut source) in sources {
        let sys = match out.systems.iter().position(|s| *s == system) {
            Some(i) => i,
            None => {
                out.systems.push(system);
                out.systems.len() - 1
            }
        };
        source.system = sys as u32;
        source.id = out.sources.len() as u32;
        out.sources.push(source);
    }
    tidy_skipped(&mut out.skipped);
    out
}

/// Skipped inputs by name, each once: the order of a scan and of a merge of
/// partials alike.
pub fn tidy_skipped(skipped: &mut Vec<Skipped>) {
    skipped.sort_by(|a, b| (&a.file, &a.reason).cmp(&(&b.file, &b.reason)));
    skipped.dedup();
}

fn stdin_source() -> Source {
    Source {
        id: 0,
        system: 0,
        path: PathBuf::from("-"),
        display: "<stdin>".into(),
        kind: SourceKind::Stdin,
        len: 0,
        mtime: None,
        nul_head: 0,
        identity: None,
    }
}

fn skip(file: &str, reason: String) -> Skipped {
    Skipped { file: file.to_string(), reason }
}

/// An I/O error as a short reason ("permission denied", "not found").
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn collect(input: &Input, found: &mut Vec<Found>, skipped: &mut Vec<Skipped>) {
    let path = &input.path;
    if path.as_os_str() == "-" {
        found.push(Found {
            system: input.system.clone().unwrap_or_else(|| "stdin".into()),
            explicit: input.system.is_some(),
            path: path.clone(),
            display: "<stdin>".into(),
            named: true,
        });
        return;
    }
    let display_root = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            let reason = match std::fs::symlink_metadata(path) {
                Ok(l) if l.file_type().is_symlink() => broken_link_reason(Some(path), &e),
                _ => io_reason(&e),
            };
            skipped.push(skip(&display_root, reason));
            return;
        }
    };
    if !meta.is_dir() {
        found.push(Found {
            system: input.system.clone().unwrap_or_else(|| stem(path)),
            explicit: input.system.is_some(),
            path: path.clone(),
            display: display_root,
            named: true,
        });
        return;
    }
    let dir_name = dir_stem(path);
    let has_subdirs = input.system.is_none()
        && std::fs::read_dir(path).map(|rd| rd.flatten().any(|e| e.path().is_dir())).unwrap_or(false);
    let walker = walkdir::WalkDir::new(path).follow_links(true).sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map(|p| p.display().to_string()).unwrap_or_else(|| display_root.clone());
                let reason = if let Some(anc) = e.loop_ancestor() {
                    format!("symlink loop: points to its ancestor {}", anc.display())
                } else if let Some(io) = e.io_error() {
                    broken_link_reason(e.path(), io)
                } else {
                    e.to_string()
                };
                skipped.push(skip(&at, reason));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(path).unwrap_or(entry.path());
        let file_name = entry.file_name().to_string_lossy();
        let system = match &input.system {
            Some(s) => s.clone(),
            // Kubernetes: `/var/log/containers/POD_NS_CONTAINER-ID.log`
            None if kubernetes::container_log(&file_name).is_some() => {
                kubernetes::container_log(&file_name).unwrap_or_default()
            }
            None if has_subdirs => match rel.components().next() {
                Some(c) if rel.components().count() > 1 => {
                    let top = c.as_os_str().to_string_lossy();
                    // `/var/log/pods/NS_POD_UID/CONTAINER/N.log`
                    kubernetes::pod_folder(&top).unwrap_or_else(|| top.into_owned())
                }
                _ => stem(entry.path()),
            },
            None => dir_name.clone(),
        };
        found.push(Found {
            system,
            explicit: input.system.is_some(),
            path: entry.path().to_path_buf(),
            display: entry.path().display().to_string(),
            named: false,
        });
    }
}

fn broken_link_reason(path: Option<&Path>, io: &std::io::Error) -> String {
    if let Some(p) = path {
        if let Ok(l) = std::fs::symlink_metadata(p) {
            if l.file_type().is_symlink() {
                if let Err(e) = std::fs::metadata(p) {
                    let target = std::fs::read_link(p).unwrap_or_default();
                    // a link to itself, or a cycle of links, is a loop
                    return if e.raw_os_error() == Some(libc::ELOOP) {
                        format!("symlink loop -> {}", target.display())
                    } else {
                        format!("broken symlink -> {}", target.display())
                    };
                }
            }
        }
    }
    io_reason(io)
}

fn dir_stem(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "logs".into())
}

/// The system name of a lone file: its name without rotation and
/// compression suffixes or the `.log` extension (`app.log.2.gz` → `app`).
pub fn stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "input".into());
    let mut parts: Vec<&str> = name.split('.').collect();
    while parts.len() > 1 {
        let last = parts[parts.len() - 1];
        let is_suffix = matches!(
            last,
            "gz" | "zst"
                | "bz2"
                | "xz"
                | "tar"
                | "tgz"
                | "zip"
                | "log"
                | "txt"
                | "out"
                | "err"
                | "json"
                | "jsonl"
                | "ndjson"
        ) || last.bytes().all(|b| b.is_ascii_digit());
        if !is_suffix {
            break;
        }
        parts.pop();
    }
    parts.join(".")
}

/// Sort key that puts rotated files oldest first: `app.log.3.gz`,
/// `app.log.2`, `app.log.1`, `app.log`.
pub(crate) fn rotation_key(path: &Path) -> (PathBuf, String, std::cmp::Reverse<u64>, String) {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let trimmed = [".gz", ".zst", ".bz2", ".xz"].iter().find_map(|c| name.strip_suffix(c)).unwrap_or(&name);
    let (base, number) = match trimmed.rsplit_once('.') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (base.to_string(), n.parse::<u64>().unwrap_or(u64::MAX))
        }
        _ => (trimmed.to_string(), 0),
    };
    (dir, base, std::cmp::Reverse(number), name)
}

struct Sniff {
    kind: SourceKind,
    nul_head: u64,
    nul_at: Option<u64>,
    /// The file is an archive (a support bundle) of this kind.
    archive: Option<crate::archive::ArchiveKind>,
}

/// Reads the head of a file to tell its kind.
fn sniff(path: &Path) -> std::io::Result<Sniff> {
    let (mut file, _) = crate::source::open_regular(path)?;
    let mut buf = vec![0u8; SNIFF_LEN];
    let n = crate::read::read_full(&mut file, &mut buf)?;
    let head = &buf[..n];
    if let Some(kind) = SourceKind::sniff_compression(head) {
        let archive = crate::archive::sniff(&file, head, kind);
        return Ok(Sniff { kind, nul_head: 0, nul_at: None, archive });
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        let big_endian = head[0] == 0xfe;
        return Ok(Sniff {
            kind: SourceKind::Utf16 { big_endian },
            nul_head: 0,
            nul_at: None,
            archive: None,
        });
    }
    if let Some(archive) = crate::archive::sniff(&file, head, SourceKind::Plain) {
        return Ok(Sniff { kind: SourceKind::Plain, nul_head: 0, nul_at: None, archive: Some(archive) });
    }
    // A leading run of NULs is a copytruncate hole, not binary content:
    // measure it (it may be far longer than the sniff) and look past it.
    let mut nul_head = head.iter().take_while(|&&b| b == 0).count() as u64;
    let mut rest = head[nul_head as usize..].to_vec();
    if nul_head as usize == n && n == SNIFF_LEN {
        loop {
            let n = crate::read::read_full(&mut file, &mut buf)?;
            let zeros = buf[..n].iter().take_while(|&&b| b == 0).count();
            nul_head += zeros as u64;
            if zeros < n || n == 0 {
                rest = buf[zeros..n].to_vec();
                break;
            }
        }
    }
    let mut nul_at = memchr::memchr(0, &rest).map(|i| nul_head + i as u64);
    if nul_at.is_none() && nul_head > 0 && looks_binary(&rest) {
        // After a NUL head, text must look like text: a binary format that
        // starts with a NUL is not a copytruncate hole.
        nul_at = Some(0);
    }
    // lines that end in a lone CR: CRs in the head and no LF at all
    let lone_cr =
        nul_head == 0 && memchr::memchr(b'\n', &rest).is_none() && memchr::memchr(b'\r', &rest).is_some();
    let kind = if lone_cr && nul_at.is_none() { SourceKind::LoneCr } else { SourceKind::Plain };
    Ok(Sniff { kind, nul_head, nul_at, archive: None })
}

/// More than one byte in ten is a control character other than tab, line
/// feed, carriage return, form feed and escape.
fn looks_binary(sample: &[u8]) -> bool {
    let control =
        sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)).count();
    !sample.is_empty() && control * 10 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems() {
        assert_eq!(stem(Path::new("a/app.log.2.gz")), "app");
        assert_eq!(stem(Path::new("erp-api.log")), "erp-api");
        assert_eq!(stem(Path::new("gateway")), "gateway");
        assert_eq!(stem(Path::new("x.y.log")), "x.y");
    }

    #[test]
    fn rotation_order_is_oldest_first() {
        let mut names = vec!["app.log", "app.log.1", "app.log.2.gz", "app.log.10", "other.log"];
        names.sort_by_key(|n| rotation_key(Path::new(n)));
        assert_eq!(names, vec!["app.log.10", "app.log.2.gz", "app.log.1", "app.log", "other.log"]);
    }

    #[test]
    fn systems_from_subdirectories_and_binary_skip() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("crm")).unwrap();
        std::fs::create_dir(dir.path().join("erp")).unwrap();
        std::fs::write(dir.path().join("crm/a.log"), "hello\n").unwrap();
        std::fs::write(dir.path().join("erp/b.log"), "hello\n").unwrap();
        std::fs::write(dir.path().join("erp/core"), b"\x7fELF\x00\x01").unwrap();
        let d = discover(&[Input { system: None, path: dir.path().to_path_buf() }], None);
        assert_eq!(d.systems, vec!["crm", "erp"]);
        assert_eq!(d.sources.len(), 2);
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(d.skipped[0].reason, "binary (NUL byte at offset 4)");
        // Named explicitly, the binary file is scanned.
        let named = Input { system: None, path: dir.path().join("erp/core") };
        let d = discover(&[named], None);
        assert_eq!(d.sources.len(), 1);
        assert!(d.skipped.is_empty());
    }

    #[test]
    fn nul_head_is_not_binary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("live.log");
        let mut bytes = vec![0u8; 20_000];
        bytes.extend_from_slice(b"2026-11-24 10:00:00 ERROR x\n");
        std::fs::write(&p, bytes).unwrap();
        let d = discover(&[Input { system: None, path: dir.path().to_path_buf() }], None);
        assert_eq!(d.sources.len(), 1, "{:?}", d.skipped);
        assert_eq!(d.sources[0].nul_head, 20_000);
    }
}
