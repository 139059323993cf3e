//! How the library reports progress: a trait called per block with byte
//! counts (never per line). The terminal bar lives in the binary.

/// Receives progress; must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// The scan starts; `total_bytes` is known for plain files only.
    fn start(&self, _total_bytes: u64) {}
    /// `n` more bytes were scanned.
    fn advance(&self, _n: u64) {}
    /// The scan is over.
    fn finish(&self) {}
}

/// No progress reporting.
pub struct NoProgress;

impl Progress for NoProgress {}
