//! The library's error type: what can stop a command as a whole.
//!
//! Per-file problems never become an `Error`: they are recorded as
//! `Skipped` entries and the run goes on (see `discover` and `engine`).

use std::path::PathBuf;

/// Errors that stop a command (exit status 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pattern file could not be read or is malformed.
    #[error("{file}:{line}: {msg}")]
    Pattern {
        /// The pattern file (or built-in name).
        file: String,
        /// 1-based line in that file, 0 when unknown.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A path given on the command line could not be opened.
    #[error("{}: {source}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Bad usage that clap cannot see (a bad `--since`, `--system` ...).
    #[error("{0}")]
    Usage(String),
    /// A partial (`scan --partial`) that cannot be read or merged.
    #[error("{file}: {msg}")]
    Partial {
        /// The partial's path.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// Nothing could be read.
    #[error("no readable input: {0}")]
    NoInput(String),
    /// Writing the report failed.
    #[error("writing the report: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// Nothing could be read: the first input skipped says why, or `none`.
    pub fn no_input(skipped: &[crate::source::Skipped], none: &str) -> Error {
        Error::NoInput(match skipped.first() {
            Some(s) => format!("{}: {}", s.file, s.reason),
            None => none.to_string(),
        })
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
