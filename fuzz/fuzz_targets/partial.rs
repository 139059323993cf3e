//! Partials from arbitrary bytes: parsing and merging must never panic;
//! whatever is wrong is an error naming the partial. The input is cut in
//! two at its first NUL, so the merge sees two partials that may
//! contradict each other.
//!
//!     cargo +nightly fuzz run partial -- -max_total_time=60

#![no_main]

use faultline::catalog::Catalog;
use faultline::partial::{merge, Partial};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    let catalog = CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalog"));
    let mut parts = Vec::new();
    for (i, piece) in data.splitn(2, |&b| b == 0).enumerate() {
        if let Ok(p) = Partial::parse(piece, &format!("part-{i}")) {
            parts.push((format!("part-{i}"), p));
        }
    }
    let _ = merge(parts, catalog);
});
