//! Nightly runs: the history of runs per scope (`--history FILE`), what
//! changed since the previous run, and the earlier runs as what is normal
//! (`--baseline history`).
//!
//! - `record.rs`: what is kept of a run, made from its summary;
//! - `store.rs`: the SQLite file, its schema and what is done when it is
//!   damaged, newer or locked;
//! - `changes.rs`: new, gone, changed and the divergence of series;
//! - `command.rs`: `faultline history DB list | show RUN | diff A B`.

pub mod changes;
pub mod command;
pub mod record;
pub mod store;

pub use record::{RunRecord, SeriesKind};
pub use store::{HistoryError, Store};

/// Earlier runs of a scope compared with (and, with `--baseline history`,
/// taken as normal): a week of nightly runs.
pub const EARLIER_RUNS: usize = 7;

/// What earlier runs say is normal: every series they saw but their own
/// causes (last night's incident is not tonight's background), with the
/// hours they cover.
#[derive(Clone, Debug, Default)]
pub struct Normal {
    /// Runs it is made of.
    pub runs: usize,
    /// Their windows together, ms.
    pub span_ms: i64,
    /// Files and lines they read.
    pub files: u64,
    /// Lines.
    pub lines: u64,
    /// Earliest start and latest end of their windows (RFC 3339).
    pub window: (Option<String>, Option<String>),
    /// (system, kind, signature or cluster id) → occurrences.
    pub counts: std::collections::BTreeMap<(String, SeriesKind, String), u64>,
}

impl Normal {
    /// The normal of `earlier` runs.
    pub fn of(earlier: &[RunRecord]) -> Normal {
        let mut n = Normal { runs: earlier.len(), ..Normal::default() };
        for run in earlier {
            n.span_ms += run.span_ms;
            n.files += run.files;
            n.lines += run.lines;
            let causes: Vec<&str> = run.cause_fingerprints().collect();
            for s in run.series.iter().filter(|s| !causes.contains(&s.fingerprint.as_str())) {
                *n.counts.entry((s.system.clone(), s.kind, s.key.clone())).or_insert(0) += s.count;
            }
            n.window.0 = [n.window.0.take(), run.window_start.clone()].into_iter().flatten().min();
            n.window.1 = [n.window.1.take(), run.window_end.clone()].into_iter().flatten().max();
        }
        n
    }

    /// Occurrences of a series in the earlier runs.
    pub fn count(&self, system: &str, kind: SeriesKind, key: &str) -> u64 {
        self.counts.get(&(system.to_string(), kind, key.to_string())).copied().unwrap_or(0)
    }
}

/// The scope of a run when `--history-scope` is not given: the paths it
/// scans, made absolute, sorted.
pub fn default_scope(paths: &[std::path::PathBuf]) -> String {
    let mut v: Vec<String> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()).display().to_string())
        .collect();
    v.sort();
    v.dedup();
    v.join(" ")
}
