//! The warnings a summary adds to the scan's: lines dated far from the
//! rest, years inferred for yearless files, and records counted over a cap.

use super::frame::Frame;
use super::Inputs;
use crate::report::summary::*;
use std::collections::BTreeMap;

/// The scan's warnings, then the summary's own.
pub(super) fn warnings(inp: &Inputs<'_>, frame: &Frame) -> Vec<WarningNote> {
    let d = inp.discovery;
    let mut warnings: Vec<WarningNote> = inp
        .data
        .warnings
        .iter()
        .map(|w| WarningNote { file: w.file.clone(), reason: w.reason.clone(), kind: w.kind })
        .collect();
    // Lines dated far from all the others: named, never silently dropped.
    let mut outliers: BTreeMap<u32, (u64, i64)> = BTreeMap::new();
    let dated = (inp.data.events.iter().map(|e| (e.source, e.ts)))
        .chain(inp.data.unnamed.iter().map(|u| (u.source, u.ts)));
    for (source, ts) in dated {
        if let Some(t) = frame.correct(source, ts).filter(|&t| !frame.believable(t)) {
            let e = outliers.entry(source).or_insert((0, t));
            e.0 += 1;
        }
    }
    for (source, (n, first)) in outliers {
        warnings.push(WarningNote {
        file: d.sources[source as usize].display.clone(),
        reason: format!(
            "{n} line{} dated far from the rest of the logs (such as {}) kept out of the window and the ranking",
            if n == 1 { "" } else { "s" },
            rfc3339(first)
        ),
        kind: crate::source::WarningKind::TimeOutlier,
    });
    }
    for (s, &shift) in frame.clocks.year_shift_ms.iter().enumerate() {
        if shift != 0 {
            let years = (shift as f64 / (365.25 * 86_400_000.0)).round() as i64;
            warnings.push(WarningNote {
            file: d.sources[s].display.clone(),
            reason: format!(
                "its times carry no year and the file's date put them {} year{} {}; read in the year of the other systems' dated lines",
                years.abs(),
                if years.abs() == 1 { "" } else { "s" },
                if years > 0 { "later" } else { "earlier" }
            ),
            kind: crate::source::WarningKind::YearInferred,
        });
        }
    }
    for (s, &n) in inp.data.changes_dropped.iter().enumerate() {
        if n > 0 {
            warnings.push(WarningNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "{n} change records (restarts, deploys...) past the first {} were counted but not kept",
                    crate::engine::CHANGES_PER_SOURCE
                ),
                kind: crate::source::WarningKind::OverCap,
            });
        }
    }
    for (s, &n) in inp.data.unnamed_dropped.iter().enumerate() {
        if n > 0 {
            warnings.push(WarningNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "{n} error lines no signature names were counted but not mined (over the cap)"
                ),
                kind: crate::source::WarningKind::OverCap,
            });
        }
    }
    warnings
}
