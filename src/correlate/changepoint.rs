//! Baseline and onset of one series of event times: a Poisson change point.
//!
//! A series is modelled as a Poisson process whose rate changes once, at
//! `τ`, from `λ₁` (the baseline) to `λ₂`. For every candidate `τ` (each
//! event time) the log-likelihood ratio against a constant rate is
//! `LLR = k·ln(λ₁/λ) + (n−k)·ln(λ₂/λ)` with `k` events before `τ`, and the
//! best `τ` with `λ₂ > λ₁` is the onset. A steady background error gains
//! little from any split, however loud it is; an error that was absent and
//! appears gains a lot. No fixed rate threshold is involved: the LLR is a
//! measure of evidence, turned into a confidence by [`significance`].

/// The change found in one series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Change {
    /// The first event at or after the change.
    pub onset: i64,
    /// Events before the change.
    pub before: usize,
    /// Rate before (events per ms).
    pub rate_before: f64,
    /// Rate after (events per ms).
    pub rate_after: f64,
    /// Log-likelihood ratio of the change against a constant rate.
    pub llr: f64,
}

impl Change {
    /// How far the rate rose, in [0, 1] (1: from nothing).
    pub fn rise(&self) -> f64 {
        if self.rate_after <= 0.0 {
            0.0
        } else {
            (1.0 - self.rate_before / self.rate_after).clamp(0.0, 1.0)
        }
    }
}

/// Confidence in [0, 1) that a change of this LLR is real.
pub fn significance(llr: f64) -> f64 {
    1.0 - (-llr.max(0.0) / 4.0).exp()
}

/// Finds the rising change point of sorted `times` within `[start, end]`.
/// Returns `None` for an empty series or one that never rises.
pub fn rising_change(times: &[i64], start: i64, end: i64) -> Option<Change> {
    let n = times.len();
    let first = *times.first()?;
    let start = start.min(first);
    let end = end.max(*times.last()?);
    // Durations in ms, at least 1 s apart from the edges so a change at the
    // very end does not get an infinite rate.
    let span = ((end - start) as f64).max(1_000.0);
    let total_rate = n as f64 / span;
    let mut best: Option<Change> = None;
    let mut k = 0;
    while k < n {
        let tau = times[k];
        let before = (tau - start) as f64;
        let after = ((end - tau) as f64).max(1_000.0);
        let r1 = if before > 0.0 { k as f64 / before } else { 0.0 };
        let r2 = (n - k) as f64 / after;
        if r2 > r1 {
            let mut llr = 0.0;
            if k > 0 && r1 > 0.0 {
                llr += k as f64 * (r1 / total_rate).ln();
            }
            llr += (n - k) as f64 * (r2 / total_rate).ln();
            if best.is_none_or(|b| llr > b.llr) {
                best = Some(Change { onset: tau, before: k, rate_before: r1, rate_after: r2, llr });
            }
        }
        // Equal times are one candidate.
        let t = times[k];
        while k < n && times[k] == t {
            k += 1;
        }
    }
    best.filter(|b| b.llr > 0.0).map(|mut b| {
        // The best split may fall on a background event shortly before the
        // burst (it changes the likelihood little): step over events that
        // stand apart from the next by many gaps at the new rate.
        let gap_limit = 5.0 / b.rate_after.max(f64::MIN_POSITIVE);
        let mut k = b.before;
        while k + 1 < n && (times[k + 1] - times[k]) as f64 > gap_limit {
            k += 1;
        }
        b.onset = times[k];
        b
    })
}

/// The change at `times[k]` (the first event at or after it: `k` events
/// before), whether or not it is the best split; `None` when the rate does
/// not rise there.
pub fn change_at(times: &[i64], k: usize, start: i64, end: i64) -> Option<Change> {
    let n = times.len();
    let tau = *times.get(k)?;
    let start = start.min(times[0]);
    let end = end.max(times[n - 1]);
    let span = ((end - start) as f64).max(1_000.0);
    let total_rate = n as f64 / span;
    let before = (tau - start) as f64;
    let after = ((end - tau) as f64).max(1_000.0);
    let r1 = if before > 0.0 { k as f64 / before } else { 0.0 };
    let r2 = (n - k) as f64 / after;
    if r2 <= r1 {
        return None;
    }
    let mut llr = (n - k) as f64 * (r2 / total_rate).ln();
    if k > 0 && r1 > 0.0 {
        llr += k as f64 * (r1 / total_rate).ln();
    }
    Some(Change { onset: tau, before: k, rate_before: r1, rate_after: r2, llr })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn steady_background_has_little_evidence() {
        let times: Vec<i64> = (0..360).map(|i| i * 10_000 + (i * 7919 % 5000)).collect();
        let c = rising_change(&times, 0, HOUR);
        assert!(c.is_none_or(|c| significance(c.llr) < 0.9), "{c:?}");
    }

    #[test]
    fn a_new_error_is_found_at_its_first_event() {
        let times: Vec<i64> = (0..40).map(|i| 2_000_000 + i * 2_000).collect();
        let c = rising_change(&times, 0, HOUR).unwrap();
        assert_eq!(c.onset, 2_000_000);
        assert_eq!(c.before, 0);
        assert!(c.rise() > 0.99 && significance(c.llr) > 0.99, "{c:?}");
    }

    #[test]
    fn a_burst_over_a_background_starts_at_the_burst() {
        let mut times: Vec<i64> = (0..36).map(|i| i * 100_000).collect();
        times.extend((0..200).map(|i| 2_500_000 + i * 1_000));
        times.sort();
        let c = rising_change(&times, 0, HOUR).unwrap();
        assert!((c.onset - 2_500_000).abs() <= 100_000, "{c:?}");
        assert!(c.rise() > 0.9);
    }

    #[test]
    fn a_background_event_just_before_the_burst_is_not_the_onset() {
        let mut times: Vec<i64> = (0..12).map(|i| i * 300_000).collect();
        times.push(2_390_000); // background, two minutes early
        times.extend((0..150).map(|i| 2_500_000 + i * 2_000));
        times.sort();
        let c = rising_change(&times, 0, HOUR).unwrap();
        assert_eq!(c.onset, 2_500_000, "{c:?}");
    }

    #[test]
    fn the_change_at_the_first_event_of_a_new_series_starts_there() {
        let times: Vec<i64> = (0..10).map(|i| 1_200_000 + i * 240_000).collect();
        let c = change_at(&times, 0, 0, HOUR).unwrap();
        assert_eq!((c.onset, c.before), (1_200_000, 0));
        assert!(c.llr > 2.0 && c.rise() == 1.0, "{c:?}");
    }

    #[test]
    fn a_falling_series_does_not_rise() {
        let times: Vec<i64> = (0..100).map(|i| i * 1_000).collect();
        let c = rising_change(&times, 0, HOUR);
        assert!(c.is_none_or(|c| c.onset == 0), "{c:?}");
    }
}
