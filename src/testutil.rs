//! Helpers for unit tests.

use std::path::PathBuf;

/// The `shared/` folder beside the repository (or `FAULTLINE_SHARED`).
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FAULTLINE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")),
    }
}
