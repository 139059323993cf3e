//! Correlation and ranking: from the series of every system to ranked
//! causes with reasons.
//!
//! Owns the cross-system view: clock offsets (`skew.rs`, `echo.rs`), each series'
//! baseline and onset (`changepoint.rs`), the cause graph (edges from
//! shared request ids and from onsets that follow one another within
//! [`EFFECT_LAG_MS`]) and the explainable score. It sees no bytes: series
//! of corrected times, request ids and catalog priors, so it is tested with
//! hand-written numbers.
//!
//! A candidate cause is a series that rises above its own baseline with
//! enough evidence (or a new error that appears well into the window). Its
//! score is made of named parts (`score.rs`): severity, novelty,
//! specificity, prior, role, onset (relative to the incident's start: the
//! earliest strong onset of the ten minutes holding the most weighted
//! change), rise and what it explains (the other rising series that follow
//! it, weighted by how soon, and those that share failing requests with
//! it). Whether there is an incident at all is `incident.rs`.

pub mod changepoint;
pub mod echo;
pub mod incident;
pub mod score;
pub mod skew;
pub mod years;
pub mod zones;

use changepoint::{rising_change, significance, Change};
pub use score::ScoreParts;
use std::collections::HashMap;

/// How long after a cause's onset another series' onset counts as its
/// effect.
pub const EFFECT_LAG_MS: i64 = 10 * 60 * 1000;
/// The onset part halves every this many ms after the earliest onset.
const ONSET_SCALE_MS: f64 = 120_000.0;
/// Evidence (log-likelihood ratio) a change needs to make a candidate.
const MIN_LLR: f64 = 9.0;
/// A new error (none before its onset) needs only this much...
const MIN_LLR_NEW: f64 = 2.0;
/// ...or none, if it is at least this severe (an error line)...
const SEVERE: f64 = 0.8;
/// ...if it starts after this share of the window.
const NEW_AFTER_SHARE: f64 = 0.25;

/// One series: a (system, signature or template) with corrected times.
#[derive(Clone, Debug, Default)]
pub struct SeriesIn<'a> {
    /// System index.
    pub system: u32,
    /// Catalog cause/symptom prior in [0, 1].
    pub prior: f64,
    /// How bad its lines say it is, in [0, 1].
    pub severity: f64,
    /// Named cause (1) over generic status over mined template.
    pub specificity: f64,
    /// Share of its events that are a caller's view of a remote failure.
    pub remote_share: f64,
    /// 1 − the share of its rate that is normal (the baseline's), in [0, 1].
    pub novelty: f64,
    /// Corrected event times, sorted.
    pub times: Vec<i64>,
    /// Request ids of its events, with their corrected times.
    pub ids: Vec<(&'a str, i64)>,
    /// A catalog signature (true) or a mined template (false): only known
    /// signatures can be candidates on the strength of being new.
    pub known: bool,
    /// Its system writes whole seconds: its times are known to a second.
    pub whole_seconds: bool,
    /// Its lines say nothing: records of a header and no message (the
    /// blank lines of a trace written one record each). Never a candidate.
    pub wordless: bool,
}

/// A ranked cause.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// Index of the series.
    pub series: usize,
    /// Total score in [0, 1].
    pub score: f64,
    /// Its parts.
    pub parts: ScoreParts,
    /// What followed: (series, lag ms), soonest first.
    pub effects: Vec<(usize, i64)>,
}

/// The result of the analysis.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Each series' change, if it rose.
    pub changes: Vec<Option<Change>>,
    /// Whether each series is a candidate cause.
    pub candidate: Vec<bool>,
    /// Candidates, best first.
    pub ranked: Vec<Ranked>,
}

/// How close two onsets must be for the caller's to be read as a view of
/// the callee's failure.
const SAME_FAILURE_MS: i64 = 60_000;
/// How far apart two systems' onsets may be and still be in either order
/// on corrected clocks (offsets are trusted to this spread).
const CLOCK_BLUR_MS: i64 = 250;
/// What a caller's series keeps of its role when its callee fails at the
/// same time.
const CALLER_DISCOUNT: f64 = 0.5;
/// What a series made of remote views (a client reporting what the system
/// it called answered) loses of its role: it is the other system's failure
/// seen from here.
pub const REMOTE_DISCOUNT: f64 = 0.5;

/// Finds onsets, builds the cause graph and ranks the candidates over the
/// window `[start, end]` (corrected clock). `calls` lists (caller, callee)
/// systems, as learned from the requests they share.
pub fn analyse(series: &[SeriesIn<'_>], start: i64, end: i64, calls: &[(u32, u32)]) -> Analysis {
    let span = (end - start).max(1) as f64;
    // A series that rose clearly is a candidate; so is a new one: absent
    // from the first part of the window and then there (however evenly
    // its events then spread), taken from its first event.
    let mut changes: Vec<Option<Change>> = Vec::with_capacity(series.len());
    let mut candidate: Vec<bool> = Vec::with_capacity(series.len());
    for s in series {
        if s.wordless {
            changes.push(None);
            candidate.push(false);
            continue;
        }
        let rise = rising_change(&s.times, start, end);
        let new = s.times.first().filter(|&&t| (t - start) as f64 >= NEW_AFTER_SHARE * span).and_then(|_| {
            let c = changepoint::change_at(&s.times, 0, start, end);
            // a new error is a candidate however rare; a new warning needs
            // some evidence of change
            c.filter(|c| c.llr >= MIN_LLR_NEW || s.severity >= SEVERE)
        });
        match (rise, new) {
            (Some(r), _) if r.llr >= MIN_LLR => {
                changes.push(Some(r));
                candidate.push(true);
            }
            (_, Some(n)) => {
                changes.push(Some(n));
                candidate.push(true);
            }
            (r, None) => {
                changes.push(r);
                candidate.push(false);
            }
        }
    }
    let onsets: Vec<(usize, i64)> =
        (0..series.len()).filter(|&i| candidate[i]).map(|i| (i, changes[i].map_or(0, |c| c.onset))).collect();
    if onsets.is_empty() {
        return Analysis { changes, candidate, ranked: Vec::new() };
    }
    let weight: Vec<f64> = (0..series.len())
        .map(|i| {
            changes[i].map_or(0.0, |c| significance(c.llr) * series[i].severity.powi(3) * series[i].novelty)
        })
        .collect();
    let severity: Vec<f64> = series.iter().map(|s| s.severity).collect();
    let first = incident_start(&onsets, &weight, &severity);
    let joined = shared_requests(series, &candidate);
    let mut ranked: Vec<Ranked> = onsets
        .iter()
        .map(|&(i, onset)| {
            // Onsets closer than the systems' clocks can tell apart may have
            // come in either order: an earlier one within the blur counts as
            // following, at half weight. A second when either writes whole
            // seconds; across systems, the error a corrected clock may keep
            // (an offset is trusted to CLOCK_BLUR_MS); within one system, a
            // millisecond (a server writes its reason just before its
            // request line).
            let blur = |j: usize| {
                if series[i].whole_seconds || series[j].whole_seconds {
                    1000
                } else if series[i].system != series[j].system {
                    CLOCK_BLUR_MS
                } else {
                    1
                }
            };
            let mut effects: Vec<(usize, i64)> = onsets
                .iter()
                .filter(|&&(j, o)| j != i && o >= onset - blur(j) && o - onset <= EFFECT_LAG_MS)
                .map(|&(j, o)| (j, o - onset))
                .collect();
            effects.sort_by_key(|&(j, lag)| (lag, j));
            let others: f64 =
                onsets.iter().filter(|&&(j, _)| j != i).map(|&(j, _)| weight[j].max(0.05)).sum();
            let mut explained = 0.0;
            for &(j, lag) in &effects {
                let soon = (-(lag.max(0) as f64) / ONSET_SCALE_MS).exp();
                let ids = joined.get(&(i, j)).copied().unwrap_or(0);
                let id_share = if ids > 0 { 1.0 } else { 0.0 };
                let order = if lag < 0 { 0.5 } else { 1.0 };
                explained += order * weight[j].max(0.05) * (0.5 * soon + 0.5 * id_share);
            }
            let change = changes[i].expect("candidates have a change");
            // A caller failing with its callee at the same time is most
            // likely reporting the callee's failure.
            let callee_fails = onsets.iter().any(|&(j, o)| {
                calls.contains(&(series[i].system, series[j].system)) && (o - onset).abs() <= SAME_FAILURE_MS
            });
            let own = 1.0 - REMOTE_DISCOUNT * series[i].remote_share;
            let role = if callee_fails { own * CALLER_DISCOUNT } else { own };
            let onset_part = if onset >= first {
                (-((onset - first) as f64) / ONSET_SCALE_MS).exp()
            } else {
                // Before the incident's cluster of onsets: likely unrelated.
                0.5 * (-((first - onset) as f64) / ONSET_SCALE_MS).exp()
            };
            let parts = ScoreParts {
                onset: onset_part,
                rise: change.rise() * significance(change.llr),
                explains: if others > 0.0 { (explained / others).min(1.0) } else { 0.0 },
                prior: series[i].prior,
                severity: series[i].severity,
                novelty: series[i].novelty,
                specificity: series[i].specificity,
                role,
            };
            let score = parts.total();
            Ranked {
                series: i,
                score,
                parts,
                effects: effects.into_iter().map(|(j, lag)| (j, lag.max(0))).collect(),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| changes[a.series].map(|c| c.onset).cmp(&changes[b.series].map(|c| c.onset)))
            .then_with(|| a.series.cmp(&b.series))
    });
    Analysis { changes, candidate, ranked }
}

/// The start of the incident: within the window of [`EFFECT_LAG_MS`] that
/// holds the most weighted evidence of change (significance × severity³ ×
/// novelty of its onsets: an error outweighs five warnings), the earliest
/// onset whose severity is at least [`START_SEVERITY_SHARE`] of the
/// window's most severe. Neither a lone early blip nor a warning just
/// before the first error moves it.
fn incident_start(onsets: &[(usize, i64)], weight: &[f64], severity: &[f64]) -> i64 {
    let mut best = (f64::MIN, i64::MAX);
    for &(_, s) in onsets {
        let w: f64 =
            onsets.iter().filter(|&&(_, o)| o >= s && o - s <= EFFECT_LAG_MS).map(|&(j, _)| weight[j]).sum();
        if w > best.0 + 1e-9 || ((w - best.0).abs() <= 1e-9 && s < best.1) {
            best = (w, s);
        }
    }
    let in_window = || onsets.iter().filter(|&&(_, o)| o >= best.1 && o - best.1 <= EFFECT_LAG_MS);
    let worst = in_window().map(|&(j, _)| severity[j]).fold(0.0, f64::max);
    in_window()
        .filter(|&&(j, _)| severity[j] >= START_SEVERITY_SHARE * worst)
        .map(|&(_, o)| o)
        .min()
        .unwrap_or(best.1)
}

/// How severe an onset must be, against the most severe of the incident's
/// window, to start the incident (a warning line is half an error's).
const START_SEVERITY_SHARE: f64 = 0.6;

/// For candidate pairs (a, b): how many request ids a saw first that b saw
/// after (within a minute).
fn shared_requests(series: &[SeriesIn<'_>], candidate: &[bool]) -> HashMap<(usize, usize), usize> {
    let mut seen: HashMap<&str, Vec<(usize, i64)>> = HashMap::new();
    for (i, s) in series.iter().enumerate().filter(|(i, _)| candidate[*i]) {
        for &(id, t) in &s.ids {
            seen.entry(id).or_default().push((i, t));
        }
    }
    let mut joined: HashMap<(usize, usize), usize> = HashMap::new();
    for sightings in seen.values() {
        if sightings.len() > 16 {
            continue;
        }
        for &(a, ta) in sightings {
            for &(b, tb) in sightings {
                if a != b && series[a].system != series[b].system && tb >= ta && tb - ta <= 60_000 {
                    *joined.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(system: u32, prior: f64, times: Vec<i64>) -> SeriesIn<'static> {
        SeriesIn {
            system,
            prior,
            severity: 0.85,
            specificity: 1.0,
            remote_share: 0.0,
            novelty: 1.0,
            times,
            ids: Vec::new(),
            known: true,
            whole_seconds: false,
            wordless: false,
        }
    }

    #[test]
    fn the_first_rising_series_explaining_the_others_wins() {
        let end = 3_600_000;
        let background = series(0, 1.0, (0..360).map(|i| i * 10_000).collect());
        let cause = series(1, 1.0, (0..50).map(|i| 2_000_000 + i * 1000).collect());
        let symptom = series(0, 0.3, (0..400).map(|i| 2_030_000 + i * 500).collect());
        let a = analyse(&[background, cause, symptom], 0, end, &[]);
        assert!(!a.candidate[0], "steady background is not a candidate");
        assert_eq!(a.ranked[0].series, 1, "{:?}", a.ranked);
        assert_eq!(a.ranked[0].effects, vec![(2, 30_000)]);
    }

    #[test]
    fn shared_failing_requests_tell_cause_from_symptom_at_the_same_time() {
        let ids: Vec<String> = (0..60).map(|i| format!("req-{i}")).collect();
        let mut server = series(1, 1.0, Vec::new());
        let mut client = series(0, 1.0, Vec::new());
        for (i, id) in ids.iter().enumerate() {
            let t = 2_000_000 + i as i64 * 1000;
            server.times.push(t);
            server.ids.push((id, t));
            client.times.push(t + 5);
            client.ids.push((id, t + 5));
        }
        let a = analyse(&[client, server], 0, 3_600_000, &[]);
        assert_eq!(a.ranked[0].series, 1, "{:?}", a.ranked);
    }

    #[test]
    fn a_caller_failing_with_its_callee_reports_the_callee() {
        let times: Vec<i64> = (0..80).map(|i| 2_000_000 + i * 1000).collect();
        let gateway = series(0, 1.0, times.iter().map(|t| t + 2).collect());
        let api = series(1, 1.0, times);
        let a = analyse(&[gateway.clone(), api.clone()], 0, 3_600_000, &[(0, 1)]);
        assert_eq!(a.ranked[0].series, 1, "{:?}", a.ranked);
        // The call direction widens the margin the earlier onset gives.
        let b = analyse(&[gateway, api], 0, 3_600_000, &[]);
        let margin = |x: &Analysis| x.ranked[0].score - x.ranked[1].score;
        assert!(margin(&a) > margin(&b), "{:?} {:?}", a.ranked, b.ranked);
    }

    #[test]
    fn a_series_without_words_is_never_a_candidate() {
        let burst: Vec<i64> = (0..80).map(|i| 2_000_000 + i * 1000).collect();
        let a = analyse(&[SeriesIn { wordless: true, ..series(0, 1.0, burst.clone()) }], 0, 3_600_000, &[]);
        assert!(a.ranked.is_empty() && !a.candidate[0]);
        assert_eq!(analyse(&[series(0, 1.0, burst)], 0, 3_600_000, &[]).ranked.len(), 1);
    }

    #[test]
    fn nothing_rising_means_no_cause() {
        let a = analyse(&[series(0, 1.0, (0..60).map(|i| i * 60_000).collect())], 0, 3_600_000, &[]);
        assert!(a.ranked.is_empty());
    }
}
