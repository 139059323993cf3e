//! The plain types that cross the pipeline's first seams: where bytes come
//! from ([`Source`]), what was left out ([`Skipped`]) and what went wrong
//! while reading without stopping the run ([`Warning`]).

use std::path::PathBuf;

/// How a source's bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A regular file read by offset (`pread`), in parallel blocks.
    Plain,
    /// Gzip, recognised by its magic bytes; every member is inflated.
    Gzip,
    /// Zstandard, by its magic bytes; every frame is decoded.
    Zstd,
    /// bzip2, by its magic bytes; every stream is decoded.
    Bzip2,
    /// xz, by its magic bytes; every stream is decoded.
    Xz,
    /// Standard input, read as a stream.
    Stdin,
    /// UTF-16 with a byte-order mark, transcoded to UTF-8 as it is read.
    Utf16 {
        /// True for big-endian.
        big_endian: bool,
    },
    /// Text whose lines end in a lone carriage return (classic Mac OS,
    /// some serial consoles): read as a stream with each CR as a line end.
    LoneCr,
    /// A file inside an archive (`crate::archive`): `path` is the archive;
    /// the members of one archive are read in one pass.
    Member {
        /// The archive's kind.
        archive: crate::archive::ArchiveKind,
        /// The member's position among the archive's entries.
        index: u32,
    },
}

impl SourceKind {
    /// The compression of the source's bytes, if any, by name
    /// (`gzip`, `zstd`, `bzip2`, `xz`).
    pub fn compression(self) -> Option<&'static str> {
        match self {
            SourceKind::Gzip => Some("gzip"),
            SourceKind::Zstd => Some("zstd"),
            SourceKind::Bzip2 => Some("bzip2"),
            SourceKind::Xz => Some("xz"),
            SourceKind::Plain
            | SourceKind::Stdin
            | SourceKind::Utf16 { .. }
            | SourceKind::LoneCr
            | SourceKind::Member { .. } => None,
        }
    }

    /// Whether its bytes cannot be read again after the scan (a stream, or
    /// an archive's member), so evidence text is kept as it is scanned.
    pub fn read_once(self) -> bool {
        matches!(self, SourceKind::Stdin | SourceKind::Member { .. })
    }

    /// The compression that the head of a file (or stream) announces by
    /// its magic bytes.
    pub fn sniff_compression(head: &[u8]) -> Option<SourceKind> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(SourceKind::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(SourceKind::Zstd)
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            Some(SourceKind::Bzip2)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(SourceKind::Xz)
        } else {
            None
        }
    }
}

/// One input to scan.
#[derive(Clone, Debug)]
pub struct Source {
    /// Index in the discovery's source list.
    pub id: u32,
    /// Index of the system it belongs to.
    pub system: u32,
    /// Path on disk (`-` for stdin).
    pub path: PathBuf,
    /// Path as shown to the user (relative to the root it was found under).
    pub display: String,
    /// How to read it.
    pub kind: SourceKind,
    /// Size on disk when discovered (compressed size for compressed files).
    pub len: u64,
    /// Seconds since the epoch of the last modification (the year of
    /// yearless syslog times comes from it), if known.
    pub mtime: Option<i64>,
    /// Bytes of NUL at the head of the file (a copytruncate hole), skipped.
    pub nul_head: u64,
    /// The file discovery found (device, inode); every later open checks
    /// it is still that file.
    pub identity: Option<FileIdentity>,
}

/// Which file a path named when it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileIdentity {
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

/// Opens a path for reading without ever blocking: a FIFO or device
/// swapped in for a log file opens at once and is refused, as is anything
/// but a regular file.
pub fn open_regular(path: &std::path::Path) -> std::io::Result<(std::fs::File, FileIdentity)> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("it is no longer a regular file"));
    }
    Ok((file, FileIdentity { dev: meta.dev(), ino: meta.ino() }))
}

impl Source {
    /// Opens the file discovery found, never blocking, and only if the
    /// path still names that same file (not one rotated in since).
    pub fn open_same(&self) -> std::io::Result<std::fs::File> {
        let (file, identity) = open_regular(&self.path)?;
        match self.identity {
            Some(id) if id != identity => {
                Err(std::io::Error::other("it was replaced since it was found (rotated?)"))
            }
            _ => Ok(file),
        }
    }
}

/// An input that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The path as given or found.
    pub file: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Something that went wrong while a source was read; the part read before
/// it is kept.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// The source's display path.
    pub file: String,
    /// What happened, with the byte offset where it is known.
    pub reason: String,
    /// What kind of problem it is.
    pub kind: WarningKind,
}

/// The kinds of problems met in a scanned source (`kind` in the JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// It could not be opened: nothing of it was read.
    OpenFailed,
    /// It shrank while it was read (copytruncate): the end was not read.
    Truncated,
    /// A read failed part-way.
    ReadError,
    /// Its compressed or encoded stream broke part-way.
    DecodeError,
    /// A line over the cap was cut; the rest of the line was not matched.
    LineCut,
    /// NUL bytes at its head were skipped (a hole left by copytruncate).
    NulHead,
    /// Error lines over the cap were counted but not mined.
    OverCap,
    /// Reading it failed inside faultline (a bug): part of it not scanned.
    Failed,
    /// Its times carry no year and the file's date gave the wrong one:
    /// the year of the other sources was taken.
    YearInferred,
    /// Some of its lines are dated far from all the others (months away,
    /// or in the future): kept out of the window and the ranking.
    TimeOutlier,
    /// It holds no bytes at all: read in full, and nothing was there.
    Empty,
}

impl WarningKind {
    /// Part of the input was not read: `--strict` fails on it as on a
    /// skipped file.
    pub fn input_lost(self) -> bool {
        matches!(
            self,
            Self::OpenFailed | Self::Truncated | Self::ReadError | Self::DecodeError | Self::Failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_at(path: &std::path::Path) -> Source {
        let (_, identity) = open_regular(path).unwrap();
        Source {
            id: 0,
            system: 0,
            path: path.to_path_buf(),
            display: path.display().to_string(),
            kind: SourceKind::Plain,
            len: 0,
            mtime: None,
            nul_head: 0,
            identity: Some(identity),
        }
    }

    #[test]
    fn a_fifo_swapped_in_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "line\n").unwrap();
        let source = source_at(&log);
        std::fs::remove_file(&log).unwrap();
        let c = std::ffi::CString::new(log.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo has no other effect.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // no writer: a blocking open would wait forever
        let err = source.open_same().unwrap_err();
        assert!(err.to_string().contains("no longer a regular file"), "{err}");
    }

    #[test]
    fn a_file_rotated_in_is_not_the_one_scanned() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        std::fs::write(&log, "old\n").unwrap();
        let source = source_at(&log);
        assert!(source.open_same().is_ok());
        std::fs::rename(&log, dir.path().join("app.log.1")).unwrap();
        std::fs::write(&log, "new\n").unwrap();
        let err = source.open_same().unwrap_err();
        assert!(err.to_string().contains("replaced"), "{err}");
    }
}
