//! The score of a candidate cause: named parts, each in [0, 1], and the
//! weights that combine them.
//!
//! What a senior on-call engineer weighs, one part each:
//! - `severity`: how bad the lines say it is (FATAL/ERROR over WARNING over
//!   INFO; the catalog's severity for a named signature);
//! - `novelty`: how little of it is normal for these systems (the window
//!   before its onset, and `--baseline` logs when given);
//! - `specificity`: a named root-cause signature says more than a bare
//!   HTTP status, which says more than a mined template;
//! - `prior`: the catalog's cause/symptom judgement (credentials, schema and
//!   configuration errors are usually causes; timeouts and retries
//!   symptoms);
//! - `role`: the system's own account of a failure over a client's or a
//!   proxy's view of someone else's;
//! - `onset`: how soon after the incident's start it began;
//! - `rise`: how far its rate rose, times the confidence of the change;
//! - `explains`: what followed it (later series, shared failing requests).
//!
//! The score is `novelty · (0.6 + 0.4·role) · Σ wᵢ·partᵢ` over the other
//! parts: something that is normal here is no cause however it ranks
//! otherwise, and a view of another system's failure keeps a share.

/// The parts of a score.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScoreParts {
    /// How soon after the incident's start it began.
    pub onset: f64,
    /// How far its rate rose, times the confidence of the change.
    pub rise: f64,
    /// The share of the other candidates that followed it.
    pub explains: f64,
    /// The catalog's cause/symptom prior.
    pub prior: f64,
    /// Level and catalog severity.
    pub severity: f64,
    /// 1 − the share of it that is normal (baseline).
    pub novelty: f64,
    /// Named cause over generic status over mined template.
    pub specificity: f64,
    /// The system's own account (1) over a caller's view (lower).
    pub role: f64,
}

/// Weight of the onset part (the additive weights sum to 1).
pub const W_ONSET: f64 = 0.22;
/// Weight of the rise part.
pub const W_RISE: f64 = 0.08;
/// Weight of the explains part.
pub const W_EXPLAINS: f64 = 0.15;
/// Weight of the prior part.
pub const W_PRIOR: f64 = 0.10;
/// Weight of the severity part.
pub const W_SEVERITY: f64 = 0.30;
/// Weight of the specificity part.
pub const W_SPECIFICITY: f64 = 0.15;

impl ScoreParts {
    /// The total, in [0, 1].
    pub fn total(&self) -> f64 {
        let sum = W_ONSET * self.onset
            + W_RISE * self.rise
            + W_EXPLAINS * self.explains
            + W_PRIOR * self.prior
            + W_SEVERITY * self.severity
            + W_SPECIFICITY * self.specificity;
        self.novelty * (0.6 + 0.4 * self.role) * sum
    }

    /// How strongly this candidate says that something is wrong at all,
    /// in [0, 1]: the parts that do not depend on the other candidates
    /// (severity first, then specificity, prior and rise), under the same
    /// novelty and role factors. The incident's confidence is read from it
    /// (`incident.rs`); onset and explains rank candidates against each
    /// other and say nothing of whether a healthy run is healthy.
    pub fn evidence(&self) -> f64 {
        let sum = 0.45 * self.severity + 0.25 * self.specificity + 0.15 * self.prior + 0.15 * self.rise;
        self.novelty * (0.6 + 0.4 * self.role) * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_a_perfect_cause_scores_one() {
        let w = W_ONSET + W_RISE + W_EXPLAINS + W_PRIOR + W_SEVERITY + W_SPECIFICITY;
        assert!((w - 1.0).abs() < 1e-9);
        let all = ScoreParts {
            onset: 1.0,
            rise: 1.0,
            explains: 1.0,
            prior: 1.0,
            severity: 1.0,
            novelty: 1.0,
            specificity: 1.0,
            role: 1.0,
        };
        assert!((all.total() - 1.0).abs() < 1e-9);
        assert_eq!(ScoreParts { novelty: 0.0, ..all }.total(), 0.0, "background is never a cause");
    }
}
