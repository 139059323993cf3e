//! Support bundles: `.tar` archives (plain, or compressed with any codec
//! that [`crate::read::decoded`] reads) and `.zip` archives, read as
//! folders.
//!
//! Discovery lists an archive's members ([`members`]) and makes each text
//! member a source of its own ([`SourceKind::Member`]); the engine then
//! reads every member of one archive in one pass ([`for_each_member`]), so
//! a compressed tar is decompressed once for its listing and once for its
//! reading, never once per member. A member may itself be compressed
//! (`crm/app.log.2.gz` in a bundle) or UTF-16 with a BOM: its head says so
//! when it is read ([`member_kind`]).

use crate::source::SourceKind;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

/// The kind of an archive, with the compression around a tar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveKind {
    /// `.tar`.
    Tar,
    /// `.tar.gz`, `.tgz`.
    TarGz,
    /// `.tar.zst`.
    TarZst,
    /// `.tar.bz2`.
    TarBz2,
    /// `.tar.xz`.
    TarXz,
    /// `.zip`.
    Zip,
}

impl ArchiveKind {
    /// The compression around a tar archive, as a stream's kind.
    fn outer(self) -> SourceKind {
        match self {
            ArchiveKind::Tar | ArchiveKind::Zip => SourceKind::Plain,
            ArchiveKind::TarGz => SourceKind::Gzip,
            ArchiveKind::TarZst => SourceKind::Zstd,
            ArchiveKind::TarBz2 => SourceKind::Bzip2,
            ArchiveKind::TarXz => SourceKind::Xz,
        }
    }

    /// The tar archive inside a stream of this compression.
    fn tar_in(compression: SourceKind) -> Option<ArchiveKind> {
        match compression {
            SourceKind::Plain => Some(ArchiveKind::Tar),
            SourceKind::Gzip => Some(ArchiveKind::TarGz),
            SourceKind::Zstd => Some(ArchiveKind::TarZst),
            SourceKind::Bzip2 => Some(ArchiveKind::TarBz2),
            SourceKind::Xz => Some(ArchiveKind::TarXz),
            _ => None,
        }
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            ArchiveKind::Tar => "tar",
            ArchiveKind::TarGz => "tar.gz",
            ArchiveKind::TarZst => "tar.zst",
            ArchiveKind::TarBz2 => "tar.bz2",
            ArchiveKind::TarXz => "tar.xz",
            ArchiveKind::Zip => "zip",
        }
    }
}

/// One file in an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its position among the archive's entries (directories included).
    pub index: u32,
    /// Its path inside the archive.
    pub name: String,
    /// Its size, decompressed by the archive (not by its own codec).
    pub size: u64,
    /// Its modification time, seconds since the epoch, when the archive
    /// kept one.
    pub mtime: Option<i64>,
    /// The byte offset of a NUL in its head, when it looks binary.
    pub nul_at: Option<u64>,
}

/// How many bytes of a member are looked at for a NUL.
const HEAD: usize = 8 * 1024;

/// What a file whose head is `head` (its first bytes as stored) and whose
/// stream kind is `kind` holds, if it is an archive.
pub fn sniff(file: &File, head: &[u8], kind: SourceKind) -> Option<ArchiveKind> {
    if kind == SourceKind::Plain && (head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")) {
        return Some(ArchiveKind::Zip);
    }
    let archive = ArchiveKind::tar_in(kind)?;
    let tar_head = if kind == SourceKind::Plain {
        head.to_vec()
    } else {
        let mut f = file.try_clone().ok()?;
        std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(0)).ok()?;
        let mut r = crate::read::decoded(kind, BufReader::new(f)).ok()?;
        let mut buf = vec![0u8; 512];
        crate::read::read_full(&mut r, &mut buf).ok()?;
        buf
    };
    // the ustar magic (POSIX and GNU) at offset 257 of the first header
    (tar_head.len() >= 262 && &tar_head[257..262] == b"ustar").then_some(archive)
}

/// The regular files of an archive, in order, and the error that ended
/// the listing early, if one did (the members before it are listed).
pub fn members(file: File, kind: ArchiveKind) -> (Vec<Member>, Option<std::io::Error>) {
    let mut out = Vec::new();
    let ended = for_each_entry(file, kind, &mut |index, name, size, mtime, reader| {
        let mut head = vec![0u8; HEAD];
        let n = crate::read::read_full(reader, &mut head)?;
        let head = &head[..n];
        let nul_at = if SourceKind::sniff_compression(head).is_some() || utf16(head).is_some() {
            None
        } else {
            memchr::memchr(0, head).map(|i| i as u64)
        };
        out.push(Member { index, name: name.to_string(), size, mtime, nul_at });
        Ok(true)
    });
    (out, ended.err())
}

/// Reads the members of `wanted` (indices, in any order) in one pass over the
/// archive, each as text (decompressed or transcoded by its head).
/// `visit` is called once per wanted member found, with the member's
/// index; a member missing from the archive is not visited.
pub fn for_each_member(
    file: File,
    kind: ArchiveKind,
    wanted: &[u32],
    visit: &mut dyn FnMut(u32, &mut dyn Read),
) -> std::io::Result<()> {
    let mut wanted = wanted.to_vec();
    wanted.sort_unstable();
    let last = wanted.last().copied();
    for_each_entry(file, kind, &mut |index, _, _, _, reader| {
        if wanted.binary_search(&index).is_ok() {
            let mut input = BufReader::with_capacity(256 * 1024, reader);
            let inner = member_kind(input.fill_buf()?);
            let mut text = crate::read::decoded(inner, input)?;
            visit(index, &mut text);
        }
        Ok(Some(index) != last)
    })
}

/// The kind of a member's bytes from its head: compressed, UTF-16 with a
/// BOM, or text.
pub fn member_kind(head: &[u8]) -> SourceKind {
    SourceKind::sniff_compression(head).or_else(|| utf16(head)).unwrap_or(SourceKind::Plain)
}

fn utf16(head: &[u8]) -> Option<SourceKind> {
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        Some(SourceKind::Utf16 { big_endian: head[0] == 0xfe })
    } else {
        None
    }
}

/// Calls `f(index, name, size, mtime, reader)` for each regular file until
/// it returns false.
type EntryFn<'a> = dyn FnMut(u32, &str, u64, Option<i64>, &mut dyn Read) -> std::io::Result<bool> + 'a;

fn for_each_entry(mut file: File, kind: ArchiveKind, f: &mut EntryFn<'_>) -> std::io::Result<()> {
    // from the start, wherever the handle (or a clone of it) was left
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0))?;
    if kind == ArchiveKind::Zip {
        let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(std::io::Error::other)?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(std::io::Error::other)?;
            if !entry.is_file() {
                continue;
            }
            let name = entry.name().to_string();
            let size = entry.size();
            let mtime = entry.last_modified().and_then(zip_mtime);
            if !f(i as u32, &name, size, mtime, &mut entry)? {
                break;
            }
        }
        return Ok(());
    }
    let stream = crate::read::decoded(kind.outer(), BufReader::with_capacity(256 * 1024, file))?;
    let mut tar = tar::Archive::new(stream);
    for (i, entry) in tar.entries()?.enumerate() {
        let mut entry = entry?;
        let header = entry.header();
        if !matches!(header.entry_type(), tar::EntryType::Regular | tar::EntryType::Continuous) {
            continue;
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        let size = header.size().unwrap_or(0);
        let mtime = header.mtime().ok().map(|t| t as i64);
        if !f(i as u32, &name, size, mtime, &mut entry)? {
            break;
        }
    }
    Ok(())
}

/// A zip entry's DOS time (local, no zone) as seconds, read as UTC: only
/// its year matters (the year of yearless lines).
fn zip_mtime(t: zip::DateTime) -> Option<i64> {
    let d = chrono::NaiveDate::from_ymd_opt(i32::from(t.year()), u32::from(t.month()), u32::from(t.day()))?;
    let dt = d.and_hms_opt(u32::from(t.hour()), u32::from(t.minute()), u32::from(t.second()))?;
    Some(dt.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `bytes` to a temporary file and reads it as discovery and
    /// the engine would: sniffed, listed, and every member read to its end.
    fn read_as_archive(bytes: &[u8]) {
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        let head = &bytes[..bytes.len().min(HEAD)];
        let outer = SourceKind::sniff_compression(head).unwrap_or(SourceKind::Plain);
        let Some(kind) = sniff(&f, head, outer) else { return };
        let (members, _) = members(f.try_clone().unwrap(), kind);
        let wanted: Vec<u32> = members.iter().map(|m| m.index).collect();
        let _ = for_each_member(f, kind, &wanted, &mut |_, r| {
            let _ = std::io::copy(r, &mut std::io::sink());
        });
    }

    /// A small valid tar holding one text member.
    fn tar_bytes() -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let body = b"2026-11-24T10:00:00Z ERROR boom\n";
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_cksum();
        b.append_data(&mut h, "sys/app.log", &body[..]).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn a_tar_lists_and_reads_its_member_through_any_handle() {
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &tar_bytes()).unwrap();
        let head = tar_bytes();
        assert_eq!(sniff(&f, &head, SourceKind::Plain), Some(ArchiveKind::Tar));
        let (m, err) = members(f.try_clone().unwrap(), ArchiveKind::Tar);
        assert!(err.is_none());
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].name, "sys/app.log");
        let mut text = String::new();
        for_each_member(f, ArchiveKind::Tar, &[m[0].index], &mut |_, r| {
            r.read_to_string(&mut text).unwrap();
        })
        .unwrap();
        assert_eq!(text, "2026-11-24T10:00:00Z ERROR boom\n");
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]

        /// Damaged archives and streams never panic: a valid tar (plain
        /// and gzipped) with bytes flipped and cut, and arbitrary bytes
        /// behind each magic.
        #[test]
        fn damaged_archives_never_panic(
            flips in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 0..8),
            cut in 0usize..4096,
            magic in 0usize..6,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
        ) {
            let mut tar = tar_bytes();
            for &(at, b) in &flips {
                let n = tar.len();
                tar[at % n] ^= b;
            }
            let gz = {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                std::io::Write::write_all(&mut e, &tar).unwrap();
                e.finish().unwrap()
            };
            read_as_archive(&tar[..cut.min(tar.len())]);
            read_as_archive(&gz[..cut.min(gz.len())]);
            let magics: [&[u8]; 6] = [b"PK\x03\x04", b"PK\x05\x06", &[0x1f, 0x8b], &[0x28, 0xb5, 0x2f, 0xfd], b"BZh9", &[0xfd, b'7', b'z', b'X', b'Z', 0]];
            let mut bytes = magics[magic].to_vec();
            bytes.extend_from_slice(&tail);
            read_as_archive(&bytes);
            if let Some(kind) = SourceKind::sniff_compression(&bytes) {
                if let Ok(mut r) = crate::read::decoded(kind, std::io::Cursor::new(&bytes)) {
                    let _ = std::io::copy(&mut r, &mut std::io::sink());
                }
            }
        }
    }
}
