//! What the history keeps of one run: plain records made from a
//! [`Summary`], the same whether they are about to be written or were read
//! back.

use crate::report::summary::Summary;

/// How a series of a run is counted; its key is the signature id or the
/// template's cluster id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SeriesKind {
    /// A catalog signature, the system's own failure.
    Signature,
    /// A catalog signature in a caller's view of a remote call's answer.
    RemoteView,
    /// A template mined from unnamed error lines.
    Template,
}

impl SeriesKind {
    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesKind::Signature => "signature",
            SeriesKind::RemoteView => "remote_view",
            SeriesKind::Template => "template",
        }
    }

    /// The kind a stored word names.
    pub fn parse(s: &str) -> Option<SeriesKind> {
        match s {
            "signature" => Some(SeriesKind::Signature),
            "remote_view" => Some(SeriesKind::RemoteView),
            "template" => Some(SeriesKind::Template),
            _ => None,
        }
    }
}

/// Whether a ranked entry was reported as a cause or, with no incident
/// detected, as a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    /// In `causes`.
    Cause,
    /// In `candidates`.
    Candidate,
}

impl Listed {
    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Listed::Cause => "cause",
            Listed::Candidate => "candidate",
        }
    }
}

/// One series of a run: a (system, signature view) or a (system, template).
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRecord {
    /// The fingerprint a cause of this series has.
    pub fingerprint: String,
    /// What it counts.
    pub kind: SeriesKind,
    /// System.
    pub system: String,
    /// Signature id or cluster id.
    pub key: String,
    /// Category (of the signature; `other` for templates).
    pub category: String,
    /// The template's text (empty for signatures).
    pub text: String,
    /// Occurrences in the run's window.
    pub count: u64,
}

/// A cause (or candidate) as the run ranked it.
#[derive(Clone, Debug, PartialEq)]
pub struct CauseRecord {
    /// 1-based rank.
    pub rank: u32,
    /// Cause or candidate.
    pub listed: Listed,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Signature or cluster id.
    pub signature: String,
    /// System.
    pub system: String,
    /// Category.
    pub category: String,
    /// Title.
    pub title: String,
    /// Score.
    pub score: f64,
    /// Occurrences.
    pub count: u64,
    /// First occurrence (RFC 3339).
    pub first_seen: Option<String>,
}

/// One run of a scope.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// Its id in the database (`None` before it is written).
    pub id: Option<i64>,
    /// The scope: what is compared with what.
    pub scope: String,
    /// When it was made (the summary's `generated_at`).
    pub recorded_at: String,
    /// The span of its events (RFC 3339).
    pub window_start: Option<String>,
    /// End of that span.
    pub window_end: Option<String>,
    /// That span in ms (0 when it had no times).
    pub span_ms: i64,
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Lines scanned.
    pub lines: u64,
    /// Events found.
    pub events: u64,
    /// An incident was detected.
    pub detected: bool,
    /// The incident confidence.
    pub confidence: f64,
    /// The faultline version that made it.
    pub version: String,
    /// The paths scanned, as given.
    pub inputs: Vec<String>,
    /// Every series.
    pub series: Vec<SeriesRecord>,
    /// Causes and candidates, best first.
    pub causes: Vec<CauseRecord>,
}

impl RunRecord {
    /// The record of a summary, for `scope`.
    pub fn from_summary(summary: &Summary, scope: &str, inputs: &[String]) -> RunRecord {
        let ms = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|d| d.timestamp_millis())
        };
        let span_ms =
            ms(&summary.window.start).zip(ms(&summary.window.end)).map_or(0, |(a, b)| (b - a).max(0));
        let mut series = Vec::new();
        for s in &summary.signatures {
            let own = s.count.saturating_sub(s.remote_count);
            for (kind, count, key) in [
                (SeriesKind::Signature, own, s.signature.clone()),
                (SeriesKind::RemoteView, s.remote_count, format!("{}@remote", s.signature)),
            ] {
                if count > 0 {
                    series.push(SeriesRecord {
                        fingerprint: crate::summarize::fingerprint(&s.system, &key),
                        kind,
                        system: s.system.clone(),
                        key: s.signature.clone(),
                        category: s.category.clone(),
                        text: String::new(),
                        count,
                    });
                }
            }
        }
        for t in &summary.templates {
            series.push(SeriesRecord {
                fingerprint: crate::summarize::fingerprint(&t.system, &t.cluster),
                kind: SeriesKind::Template,
                system: t.system.clone(),
                key: t.cluster.clone(),
                category: "other".into(),
                text: t.template.clone(),
                count: t.count,
            });
        }
        let listed = |list: &[crate::report::summary::Cause], how: Listed| -> Vec<CauseRecord> {
            list.iter()
                .map(|c| CauseRecord {
                    rank: c.rank as u32,
                    listed: how,
                    fingerprint: c.fingerprint.clone(),
                    signature: c.signature.clone(),
                    system: c.system.clone(),
                    category: c.category.clone(),
                    title: c.title.clone(),
                    score: c.score,
                    count: c.count,
                    first_seen: c.first_seen.clone(),
                })
                .collect()
        };
        let mut causes = listed(&summary.causes, Listed::Cause);
        causes.extend(listed(&summary.candidates, Listed::Candidate));
        RunRecord {
            id: None,
            scope: scope.to_string(),
            recorded_at: summary.generated_at.clone(),
            window_start: summary.window.start.clone(),
            window_end: summary.window.end.clone(),
            span_ms,
            files: summary.stats.files,
            bytes: summary.stats.bytes,
            lines: summary.stats.lines,
            events: summary.stats.events,
            detected: summary.incident.detected,
            confidence: summary.incident.confidence,
            version: env!("CARGO_PKG_VERSION").to_string(),
            inputs: inputs.to_vec(),
            series,
            causes,
        }
    }

    /// The fingerprints of its causes (empty when no incident).
    pub fn cause_fingerprints(&self) -> impl Iterator<Item = &str> {
        self.causes.iter().filter(|c| c.listed == Listed::Cause).map(|c| c.fingerprint.as_str())
    }

    /// Occurrences of the series with this fingerprint.
    pub fn count_of(&self, fingerprint: &str) -> Option<u64> {
        self.series.iter().find(|s| s.fingerprint == fingerprint).map(|s| s.count)
    }
}
