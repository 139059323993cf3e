//! What changed between runs of a scope: new, gone and changed causes
//! against the previous run, whether that calls for an alert, and how far
//! the run's mix of series drifted from the earlier runs (the symmetric
//! Kullback-Leibler divergence, as Sumo Logic's LogCompare scores it).
//!
//! Counts are compared as rates over each run's window, so a night with
//! twice the hours is not twice as bad.

use super::record::RunRecord;
use crate::report::summary::{ChangedCause, HistorySummary, SeriesDrift};
use std::collections::BTreeMap;

/// How much a rate varies from night to night without anything being
/// wrong (the same as a `--baseline`'s): within this factor either way a
/// cause is unchanged.
pub const FLUCTUATION: f64 = 2.0;

/// A known cause this many times more frequent than before is much worse:
/// it alerts like a new one.
pub const MUCH_WORSE: f64 = 2.0 * FLUCTUATION;

/// A known cause must also have grown by this many occurrences to be much
/// worse (3 → 12 in a quiet night is noise, not news).
const MUCH_WORSE_MIN_GROWTH: u64 = 10;

/// Shortest window a rate is taken over.
const MIN_SPAN_MS: i64 = 10 * 60 * 1000;

/// Series listed under `history.series`.
const DRIFT_LISTED: usize = 10;

/// Pseudo-count given to every series in both distributions, so a series
/// absent on one side has a finite term.
const SMOOTHING: f64 = 0.5;

fn per_hour(count: u64, span_ms: i64) -> f64 {
    count as f64 * 3_600_000.0 / span_ms.max(MIN_SPAN_MS) as f64
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Compares `now` with the previous run of its scope and with the earlier
/// runs (newest first, `previous` among them).
pub fn compare(now: &RunRecord, earlier: &[RunRecord]) -> HistorySummary {
    let previous = earlier.first();
    let mut out = HistorySummary {
        run: now.id,
        previous_run: previous.and_then(|p| p.id),
        scope: now.scope.clone(),
        compared_runs: earlier.len(),
        ..HistorySummary::default()
    };
    let before_causes: Vec<&str> = previous.map(|p| p.cause_fingerprints().collect()).unwrap_or_default();
    for fp in now.cause_fingerprints() {
        let count_now = now.count_of(fp).unwrap_or(0);
        let rate_now = per_hour(count_now, now.span_ms);
        let before = previous.and_then(|p| p.count_of(fp).map(|c| (c, per_hour(c, p.span_ms))));
        let was_cause = before_causes.contains(&fp);
        match before {
            // never seen, or far rarer: new
            None => out.new.push(fp.to_string()),
            Some((_, rate)) if !was_cause && rate * MUCH_WORSE < rate_now => out.new.push(fp.to_string()),
            Some((count_before, rate_before)) => {
                let ratio = rate_now / rate_before.max(f64::MIN_POSITIVE);
                if !(1.0 / FLUCTUATION..=FLUCTUATION).contains(&ratio) {
                    out.changed.push(ChangedCause {
                        fingerprint: fp.to_string(),
                        before: count_before,
                        now: count_now,
                        before_per_hour: round3(rate_before),
                        now_per_hour: round3(rate_now),
                        worse: ratio >= MUCH_WORSE && count_now >= count_before + MUCH_WORSE_MIN_GROWTH,
                    });
                }
            }
        }
    }
    let now_causes: Vec<&str> = now.cause_fingerprints().collect();
    out.gone = before_causes.iter().filter(|fp| !now_causes.contains(fp)).map(|s| s.to_string()).collect();
    out.alert = !out.new.is_empty() || out.changed.iter().any(|c| c.worse);
    let (divergence, series) = drift(now, earlier);
    out.divergence = divergence;
    out.series = series;
    out
}

/// The symmetric KL divergence between the share each series has of this
/// run's occurrences and of the earlier runs' together, and the series
/// with the largest terms.
pub fn drift(now: &RunRecord, earlier: &[RunRecord]) -> (f64, Vec<SeriesDrift>) {
    if earlier.is_empty() {
        return (0.0, Vec::new());
    }
    // fingerprint -> (count now, count before, the record to name it by)
    let mut both: BTreeMap<&str, (f64, f64, &super::record::SeriesRecord)> = BTreeMap::new();
    for s in &now.series {
        both.entry(&s.fingerprint).or_insert((0.0, 0.0, s)).0 += s.count as f64;
    }
    for run in earlier {
        for s in &run.series {
            both.entry(&s.fingerprint).or_insert((0.0, 0.0, s)).1 += s.count as f64;
        }
    }
    if both.is_empty() {
        return (0.0, Vec::new());
    }
    let k = both.len() as f64;
    let total_now: f64 = both.values().map(|v| v.0).sum::<f64>() + SMOOTHING * k;
    let total_before: f64 = both.values().map(|v| v.1).sum::<f64>() + SMOOTHING * k;
    let mut terms: Vec<SeriesDrift> = both
        .iter()
        .map(|(fp, &(n, b, rec))| {
            let p = (n + SMOOTHING) / total_now;
            let q = (b + SMOOTHING) / total_before;
            SeriesDrift {
                fingerprint: fp.to_string(),
                system: rec.system.clone(),
                signature: rec.key.clone(),
                template: rec.text.clone(),
                share_before: q,
                share_now: p,
                divergence: (p - q) * (p / q).ln(),
            }
        })
        .collect();
    let total: f64 = terms.iter().map(|t| t.divergence).sum();
    terms.sort_by(|a, b| {
        b.divergence.total_cmp(&a.divergence).then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    terms.truncate(DRIFT_LISTED);
    for t in &mut terms {
        t.share_before = round3(t.share_before);
        t.share_now = round3(t.share_now);
        t.divergence = round3(t.divergence);
    }
    // a series that did not move is not news
    terms.retain(|t| t.divergence > 0.0);
    (round3(total), terms)
}

#[cfg(test)]
mod tests {
    use super::super::record::*;
    use super::*;

    fn series(fp: &str, count: u64) -> SeriesRecord {
        SeriesRecord {
            fingerprint: fp.into(),
            kind: SeriesKind::Signature,
            system: "erp".into(),
            key: fp.into(),
            category: "other".into(),
            text: String::new(),
            count,
        }
    }

    fn run(id: i64, hours: i64, series_counts: &[(&str, u64)], causes: &[&str]) -> RunRecord {
        RunRecord {
            id: Some(id),
            scope: "s".into(),
            recorded_at: String::new(),
            window_start: None,
            window_end: None,
            span_ms: hours * 3_600_000,
            files: 1,
            bytes: 1,
            lines: 1,
            events: 1,
            detected: !causes.is_empty(),
            confidence: 0.9,
            version: String::new(),
            inputs: Vec::new(),
            series: series_counts.iter().map(|&(f, c)| series(f, c)).collect(),
            causes: causes
                .iter()
                .enumerate()
                .map(|(i, f)| CauseRecord {
                    rank: i as u32 + 1,
                    listed: Listed::Cause,
                    fingerprint: f.to_string(),
                    signature: f.to_string(),
                    system: "erp".into(),
                    category: "other".into(),
                    title: String::new(),
                    score: 0.5,
                    count: 1,
                    first_seen: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_same_night_again_is_not_news() {
        let a = run(1, 24, &[("x", 100), ("bg", 500)], &["x"]);
        let b = run(2, 24, &[("x", 110), ("bg", 480)], &["x"]);
        let h = compare(&b, &[a]);
        assert!(h.new.is_empty() && h.gone.is_empty() && h.changed.is_empty() && !h.alert, "{h:?}");
        assert!(h.divergence < 0.01, "{}", h.divergence);
    }

    #[test]
    fn a_new_cause_alerts_and_the_old_one_is_gone() {
        let a = run(1, 24, &[("x", 100)], &["x"]);
        let b = run(2, 24, &[("y", 40)], &["y"]);
        let h = compare(&b, &[a]);
        assert_eq!(h.new, vec!["y"]);
        assert_eq!(h.gone, vec!["x"]);
        assert!(h.alert);
        let mut moved: Vec<&str> = h.series.iter().take(2).map(|d| d.fingerprint.as_str()).collect();
        moved.sort();
        assert_eq!(moved, ["x", "y"], "the two largest terms: x vanished, y appeared");
    }

    #[test]
    fn background_that_crossed_the_threshold_is_not_new_but_a_surge_is() {
        // bg was seen at the same rate last night, below the incident line
        let a = run(1, 24, &[("bg", 240)], &[]);
        let same = run(2, 24, &[("bg", 250)], &["bg"]);
        assert!(!compare(&same, std::slice::from_ref(&a)).alert);
        let surge = run(3, 24, &[("bg", 2400)], &["bg"]);
        assert_eq!(compare(&surge, &[a]).new, vec!["bg"]);
    }

    #[test]
    fn rates_not_counts_and_much_worse_alerts() {
        let a = run(1, 24, &[("x", 240)], &["x"]);
        // the same rate over half the hours
        let half = run(2, 12, &[("x", 120)], &["x"]);
        assert!(compare(&half, std::slice::from_ref(&a)).changed.is_empty());
        let worse = run(3, 24, &[("x", 2400)], &["x"]);
        let h = compare(&worse, std::slice::from_ref(&a));
        assert!(h.changed[0].worse && h.alert, "{h:?}");
        let better = run(4, 24, &[("x", 24)], &["x"]);
        let h = compare(&better, &[a]);
        assert!(!h.changed[0].worse && !h.alert, "{h:?}");
    }

    #[test]
    fn a_first_run_has_everything_new() {
        let a = run(1, 24, &[("x", 3)], &["x"]);
        let h = compare(&a, &[]);
        assert_eq!(h.new, vec!["x"]);
        assert!(h.alert && h.previous_run.is_none() && h.divergence == 0.0);
    }
}
