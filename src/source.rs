//! The plain types that cross the pipeline's first seams: where bytes come
//! from ([`Source`]), what was left out ([`Skipped`]) and what went wrong
//! while reading without stopping the run ([`Warning`]).

use std::path::PathBuf;

/// How a source's bytes are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A regular file read by offset (`pread`), in parallel blocks.
    Plain,
    /// Gzip, recognised by its magic bytes; every member is inflated.
    Gzip,
    /// Standard input, read as a stream.
    Stdin,
    /// UTF-16 with a byte-order mark, transcoded to UTF-8 as it is read.
    Utf16 {
        /// True for big-endian.
        big_endian: bool,
    },
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
    /// Size on disk when discovered (compressed size for gzip).
    pub len: u64,
    /// Seconds since the epoch of the last modification (the year of
    /// yearless syslog times comes from it), if known.
    pub mtime: Option<i64>,
    /// Bytes of NUL at the head of the file (a copytruncate hole), skipped.
    pub nul_head: u64,
}

/// An input that was not scanned, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path as given or found.
    pub file: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Something that went wrong while a source was read; the part read before
/// it is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The source's display path.
    pub file: String,
    /// What happened, with the byte offset where it is known.
    pub reason: String,
    /// What kind of problem it is.
    pub kind: WarningKind,
}

/// The kinds of problems met in a scanned source (`kind` in the JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
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
}

impl WarningKind {
    /// Part of the input was not read: `--strict` fails on it as on a
    /// skipped file.
    pub fn input_lost(self) -> bool {
        matches!(self, Self::OpenFailed | Self::Truncated | Self::ReadError | Self::DecodeError)
    }
}
