//! A scan with `--history`: read the scope's earlier runs (and, with
//! `--baseline history`, take them as normal), scan, record the run in one
//! transaction and say what changed. A history that cannot be used never
//! costs the summary: the scan goes on without it and the problem is
//! returned beside the summary for the exit status and stderr.

use crate::config::ScanConfig;
use crate::error::Result;
use crate::history::{self, changes, HistoryError, RunRecord, Store};
use crate::progress::Progress;
use crate::report::Summary;

/// A summary, and the history's failure if it had one.
pub struct NightlyRun {
    /// The summary (with its `history` object when the history was read).
    pub summary: Summary,
    /// Why the run could not be recorded or compared.
    pub history_error: Option<HistoryError>,
}

/// Scans with the history of `config.history`.
pub fn scan(config: &ScanConfig, progress: &dyn Progress) -> Result<NightlyRun> {
    let Some(path) = config.history.as_deref() else {
        let summary = crate::scan_summary(config, progress)?;
        return Ok(NightlyRun { summary, history_error: None });
    };
    let paths: Vec<std::path::PathBuf> = config.inputs.iter().map(|i| i.path.clone()).collect();
    let scope = config.history_scope.clone().unwrap_or_else(|| history::default_scope(&paths));
    let opened = Store::open_for_run(path)
        .and_then(|(store, notes)| Ok((store.earlier(&scope, None, history::EARLIER_RUNS)?, store, notes)));
    let (mut store, earlier, mut notes, mut error) = match opened {
        Ok((earlier, store, notes)) => (Some(store), earlier, notes, None),
        Err(e) => (None, Vec::new(), Vec::new(), Some(e)),
    };
    let normal = config.baseline_history.then(|| history::Normal::of(&earlier)).filter(|n| n.runs > 0);
    if config.baseline_history && normal.is_none() && error.is_none() {
        notes.push(
            "--baseline history: no earlier run of this scope yet, so nothing is taken as normal".into(),
        );
    }
    let mut summary = crate::scan_summary_with(config, progress, normal.as_ref())?;
    let inputs: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut record = RunRecord::from_summary(&summary, &scope, &inputs);
    let write_start = std::time::Instant::now();
    if let Some(store) = store.as_mut() {
        match store.record(&record) {
            Ok(id) => record.id = Some(id),
            Err(e) => error = Some(e),
        }
    }
    let write_ms = write_start.elapsed().as_millis() as u64;
    let mut h = changes::compare(&record, &earlier);
    if let Some(e) = &error {
        notes.push(e.to_string());
    }
    h.notes = notes;
    h.baseline_runs = normal.as_ref().map_or(0, |n| n.runs);
    h.write_ms = write_ms;
    summary.history = Some(h);
    Ok(NightlyRun { summary, history_error: error })
}
