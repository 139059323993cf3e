//! What is normal for these systems: a healthy run or period given with
//! `--baseline`. A series (a system's signature, or a template mined from
//! its unnamed error lines together with the baseline's) is compared by
//! rate: as frequent there as here (within [`FLUCTUATION`]), it is
//! background and its novelty is 0, so it is never a cause; twenty times
//! rarer there, its novelty is 0.9.
//! Systems are matched by name, as the walker names them in both runs.
//!
//! The normal comes either from a scan of healthy logs (`--baseline PATH`)
//! or from the earlier runs of the history (`--baseline history`), whose
//! templates are matched by id since their lines are not kept.

use crate::discover::Discovery;
use crate::engine::ScanData;
use std::collections::BTreeMap;

/// What is normal for these systems.
pub enum Baseline<'a> {
    /// A scan of healthy logs.
    Scan(BaselineRun<'a>),
    /// The earlier runs of the history.
    History(&'a crate::history::Normal),
}

/// The scan of the baseline inputs.
pub struct BaselineRun<'a> {
    /// Its sources and systems.
    pub discovery: &'a Discovery,
    /// What its scan found.
    pub data: &'a ScanData,
}

/// How much a background rate varies between two healthy runs (load,
/// chance): a series must be more than this many times as frequent as in
/// the baseline to count as new at all.
pub(super) const FLUCTUATION: f64 = 2.0;

/// The shortest span a rate is taken over: a few minutes of baseline say
/// little about a rare error.
const MIN_SPAN_MS: i64 = 10 * 60 * 1000;

/// Counts and span of the baseline, per system name.
pub(super) struct Normal<'a> {
    /// Span of the baseline's times, ms (at least [`MIN_SPAN_MS`]).
    span_ms: i64,
    /// (system, signature index, remote view) → events.
    signatures: BTreeMap<(&'a str, u32, bool), u64>,
    /// System → its unnamed error lines, to mine with the run's.
    unnamed: BTreeMap<&'a str, Vec<&'a [u8]>>,
    /// (system, cluster id) → lines, for templates known only by id.
    templates: BTreeMap<(&'a str, &'a str), u64>,
    /// Earlier runs it is made of, when it comes from the history.
    pub(super) runs: Option<usize>,
    /// First and last time seen, for the report.
    pub(super) first_ms: Option<i64>,
    pub(super) last_ms: Option<i64>,
    /// Files and lines read, for the report.
    pub(super) files: u64,
    pub(super) lines: u64,
}

impl<'a> Normal<'a> {
    /// Counts a baseline.
    pub(super) fn new(baseline: &Baseline<'a>, catalog: &crate::catalog::Catalog) -> Normal<'a> {
        match baseline {
            Baseline::Scan(run) => Normal::of_scan(run),
            Baseline::History(h) => Normal::of_history(h, catalog),
        }
    }

    fn of_history(h: &'a crate::history::Normal, catalog: &crate::catalog::Catalog) -> Normal<'a> {
        use crate::history::SeriesKind;
        let index: std::collections::HashMap<&str, u32> =
            catalog.signatures.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
        let mut signatures = BTreeMap::new();
        let mut templates = BTreeMap::new();
        for ((system, kind, key), &count) in &h.counts {
            match kind {
                SeriesKind::Template => {
                    templates.insert((system.as_str(), key.as_str()), count);
                }
                SeriesKind::Signature | SeriesKind::RemoteView => {
                    // a signature the catalog no longer has cannot match
                    if let Some(&sig) = index.get(key.as_str()) {
                        signatures.insert((system.as_str(), sig, *kind == SeriesKind::RemoteView), count);
                    }
                }
            }
        }
        let ms = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|d| d.timestamp_millis())
        };
        Normal {
            span_ms: h.span_ms.max(MIN_SPAN_MS),
            signatures,
            unnamed: BTreeMap::new(),
            templates,
            runs: Some(h.runs),
            first_ms: ms(&h.window.0),
            last_ms: ms(&h.window.1),
            files: h.files,
            lines: h.lines,
        }
    }

    fn of_scan(run: &BaselineRun<'a>) -> Normal<'a> {
        let d = run.discovery;
        let system_of = |source: u32| d.systems[d.sources[source as usize].system as usize].as_str();
        let mut signatures = BTreeMap::new();
        for e in &run.data.events {
            *signatures.entry((system_of(e.source), e.sig, e.remote)).or_insert(0) += 1;
        }
        let mut unnamed: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
        for u in &run.data.unnamed {
            unnamed.entry(system_of(u.source)).or_default().push(u.text.as_bytes());
        }
        let volume = || run.data.per_source.iter().flat_map(|p| p.volume.iter());
        let first_ms = volume().map(|v| v.0).min();
        let last_ms = volume().map(|v| v.1).max();
        let span_ms = first_ms.zip(last_ms).map_or(0, |(a, b)| b - a).max(MIN_SPAN_MS);
        Normal {
            span_ms,
            signatures,
            unnamed,
            templates: BTreeMap::new(),
            runs: None,
            first_ms,
            last_ms,
            files: d.sources.len() as u64,
            lines: run.data.per_source.iter().map(|p| p.lines).sum(),
        }
    }

    /// Events of a signature in the baseline.
    pub(super) fn signature_count(&self, system: &str, sig: u32, remote: bool) -> u64 {
        self.signatures.get(&(system, sig, remote)).copied().unwrap_or(0)
    }

    /// Lines of a template the baseline knows only by its id (history).
    pub(super) fn template_count(&self, system: &str, id: &str) -> u64 {
        self.templates.get(&(system, id)).copied().unwrap_or(0)
    }

    /// The baseline's unnamed error lines of a system.
    pub(super) fn unnamed_of(&self, system: &str) -> &[&'a [u8]] {
        self.unnamed.get(system).map_or(&[], Vec::as_slice)
    }

    /// Novelty of a series seen `count` times over `span_ms` here and
    /// `baseline_count` times in the baseline:
    /// 1 − [`FLUCTUATION`] · (rate there / rate here), within 0..1.
    pub(super) fn novelty(&self, count: usize, span_ms: i64, baseline_count: u64) -> f64 {
        if baseline_count == 0 || count == 0 {
            return 1.0;
        }
        let here = count as f64 / span_ms.max(MIN_SPAN_MS) as f64;
        let there = baseline_count as f64 / self.span_ms as f64;
        (1.0 - FLUCTUATION * there / here).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(span_ms: i64) -> Normal<'static> {
        Normal {
            span_ms,
            signatures: BTreeMap::new(),
            unnamed: BTreeMap::new(),
            templates: BTreeMap::new(),
            runs: None,
            first_ms: None,
            last_ms: None,
            files: 0,
            lines: 0,
        }
    }

    #[test]
    fn as_frequent_there_as_here_is_background() {
        let hour = 3_600_000;
        let n = normal(24 * hour);
        // 24 a day there, 1 an hour here: background; so is twice as often
        assert_eq!(n.novelty(1, hour, 24), 0.0);
        assert_eq!(n.novelty(2, hour, 24), 0.0);
        // more frequent there: still 0, never negative
        assert_eq!(n.novelty(1, hour, 240), 0.0);
        // twenty times rarer there
        assert!((n.novelty(20, hour, 24) - 0.9).abs() < 1e-9);
        // never seen there: new
        assert_eq!(n.novelty(3, hour, 0), 1.0);
    }
}
