//! Series of events → ranked causes, with a score a user can read.
//!
//! This is the first, simple ranking (the cross-system correlation stage
//! refines it): every (system, signature) is a series of event times. Its
//! *baseline* is its rate over the earliest quarter of the window; its
//! *onset* is the first bucket whose count rises clearly above that
//! baseline (more than `baseline + 3·√baseline + 1`), so a steady
//! background error has no onset and is never a cause, however loud. A
//! candidate's score combines:
//! - `onset`: how early its onset is among the onsets (1 = first);
//! - `rise`: how far its peak rate rises above its baseline;
//! - `explains`: the share of the other systems' rising series whose onset
//!   follows within [`EFFECT_LAG_MS`];
//! - `prior`: the catalog's word (a usual cause scores 1, a symptom 0.3).

/// Weights of the score's parts.
const W_ONSET: f64 = 0.35;
const W_RISE: f64 = 0.2;
const W_EXPLAINS: f64 = 0.2;
const W_PRIOR: f64 = 0.25;
/// How long after a cause's onset another series' onset counts as its
/// effect.
pub const EFFECT_LAG_MS: i64 = 10 * 60 * 1000;
/// Buckets the window is cut into.
const BUCKETS: usize = 60;

/// One series to rank.
#[derive(Clone, Debug)]
pub struct SeriesInput {
    /// System index.
    pub system: u32,
    /// Catalog prior in [0, 1].
    pub prior: f64,
    /// Event times (ms), sorted.
    pub times: Vec<i64>,
}

/// What the ranking found for one series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesFinding {
    /// When it rose above its baseline, if it did.
    pub onset: Option<i64>,
    /// How far it rose, in [0, 1].
    pub rise: f64,
}

/// A ranked candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// Index into the series.
    pub series: usize,
    /// Total score.
    pub score: f64,
    /// Parts: onset, rise, explains, prior.
    pub parts: [f64; 4],
    /// Effects: (series index, lag ms).
    pub effects: Vec<(usize, i64)>,
}

/// Finds each series' onset and rise over `[start, end]`.
pub fn findings(series: &[SeriesInput], start: i64, end: i64) -> Vec<SeriesFinding> {
    let span = (end - start).max(1);
    let width = (span as f64 / BUCKETS as f64).max(1.0);
    series
        .iter()
        .map(|s| {
            let mut counts = [0u64; BUCKETS];
            for &t in &s.times {
                let b = (((t - start) as f64) / width) as usize;
                counts[b.min(BUCKETS - 1)] += 1;
            }
            let base_n = BUCKETS / 4;
            let baseline = counts[..base_n].iter().sum::<u64>() as f64 / base_n as f64;
            let threshold = baseline + 3.0 * baseline.sqrt() + 1.0;
            let peak = *counts.iter().max().unwrap_or(&0) as f64;
            let onset_bucket = counts.iter().position(|&c| c as f64 > threshold);
            // A series that is there from the very first bucket at a rate
            // like its later one is background, not an onset.
            let onset = onset_bucket.and_then(|b| {
                let lo = start as f64 + b as f64 * width;
                s.times.iter().copied().find(|&t| t as f64 >= lo)
            });
            // Few events with no history still count: a brand-new error.
            let onset = onset.or_else(|| (baseline == 0.0 && !s.times.is_empty()).then(|| s.times[0]));
            let rise = if peak > 0.0 {
                ((peak - baseline) / peak).clamp(0.0, 1.0)
            } else {
                0.0
            };
            SeriesFinding {
                onset,
                rise: if onset.is_some() { rise } else { 0.0 },
            }
        })
        .collect()
}

/// Ranks the series that have an onset.
pub fn rank(series: &[SeriesInput], found: &[SeriesFinding]) -> Vec<Ranked> {
    let onsets: Vec<(usize, i64)> = found
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.onset.map(|o| (i, o)))
        .collect();
    let Some(first) = onsets.iter().map(|o| o.1).min() else {
        return Vec::new();
    };
    let last = onsets.iter().map(|o| o.1).max().unwrap_or(first);
    let spread = (last - first).max(1) as f64;
    let mut out: Vec<Ranked> = onsets
        .iter()
        .map(|&(i, onset)| {
            let s = &series[i];
            let others: Vec<&(usize, i64)> = onsets
                .iter()
                .filter(|(j, _)| series[*j].system != s.system)
                .collect();
            let effects: Vec<(usize, i64)> = onsets
                .iter()
                .filter(|&&(j, o)| j != i && o >= onset && o - onset <= EFFECT_LAG_MS)
                .map(|&(j, o)| (j, o - onset))
                .collect();
            let cross = effects
                .iter()
                .filter(|(j, _)| series[*j].system != s.system)
                .count();
            let explains = if others.is_empty() {
                0.0
            } else {
                cross as f64 / others.len() as f64
            };
            let onset_score = if last == first {
                1.0
            } else {
                1.0 - (onset - first) as f64 / spread
            };
            let parts = [onset_score, found[i].rise, explains, s.prior];
            let score = W_ONSET * parts[0] + W_RISE * parts[1] + W_EXPLAINS * parts[2] + W_PRIOR * parts[3];
            Ranked {
                series: i,
                score,
                parts,
                effects,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| found[a.series].onset.cmp(&found[b.series].onset))
            .then_with(|| a.series.cmp(&b.series))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(system: u32, prior: f64, every: i64, until: i64) -> SeriesInput {
        SeriesInput {
            system,
            prior,
            times: (0..until / every).map(|i| i * every).collect(),
        }
    }

    #[test]
    fn steady_background_is_not_a_cause_and_new_error_is() {
        let end = 3_600_000;
        let background = steady(0, 1.0, 10_000, end); // loud, steady
        let cause = SeriesInput {
            system: 1,
            prior: 1.0,
            times: (0..50).map(|i| 2_000_000 + i * 1000).collect(),
        };
        let symptom = SeriesInput {
            system: 0,
            prior: 0.3,
            times: (0..400).map(|i| 2_030_000 + i * 500).collect(),
        };
        let series = vec![background, cause, symptom];
        let f = findings(&series, 0, end);
        assert_eq!(f[0].onset, None);
        assert_eq!(f[1].onset, Some(2_000_000));
        let ranked = rank(&series, &f);
        assert_eq!(ranked[0].series, 1, "{ranked:?}");
        assert_eq!(ranked[0].effects, vec![(2, 30_000)]);
        assert!(ranked.iter().all(|r| r.series != 0));
    }

    #[test]
    fn nothing_rising_means_no_cause() {
        let series = vec![steady(0, 1.0, 60_000, 3_600_000)];
        let f = findings(&series, 0, 3_600_000);
        assert!(rank(&series, &f).is_empty());
    }
}
