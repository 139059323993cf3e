//! The summary: what every renderer shows, and the JSON wire contract of
//! INTERFACE.md (`faultline.summary/v1`).
//!
//! These types serialize to the contract directly, so a field here is a
//! promise to other programs: add fields, never rename or remove them
//! without changing [`SCHEMA`]. `tests/json_contract.rs` reads the output
//! back into its own copies of these structs.

use serde::Serialize;

/// The schema id written in every JSON summary.
pub const SCHEMA: &str = "faultline.summary/v1";

/// The whole result of a scan.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// When the summary was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The span of the events considered.
    pub window: Window,
    /// One entry per system.
    pub systems: Vec<SystemSummary>,
    /// Whether an incident was detected, and how sure.
    pub incident: Incident,
    /// Causes, best first (empty when no incident was detected).
    pub causes: Vec<Cause>,
    /// Ranked like causes, when no incident was detected: what stood out
    /// least weakly.
    pub candidates: Vec<Cause>,
    /// Every (system, signature) seen, with counts.
    pub signatures: Vec<SignatureCount>,
    /// Mined templates of unknown error lines.
    pub templates: Vec<TemplateCount>,
    /// Inputs left out.
    pub skipped: Vec<FileNote>,
    /// Problems met while reading inputs that were scanned (extension).
    pub warnings: Vec<WarningNote>,
    /// Totals.
    pub stats: Stats,
    /// The `--baseline` run series were compared with (extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// What changed since the previous run of the scope (`--history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistorySummary>,
    /// What `--post` did (`--post`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<PostSummary>,
    /// The series over the window in equal buckets (extension): what the
    /// HTML timeline draws.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<Activity>,
}

/// Occurrences per time bucket of the busiest series and of the causes.
#[derive(Clone, Debug, Serialize)]
pub struct Activity {
    /// Start of the first bucket (RFC 3339, corrected clock).
    pub start: String,
    /// Width of a bucket, ms.
    pub bucket_ms: i64,
    /// The rows: the causes listed first, then by count.
    pub rows: Vec<ActivityRow>,
}

/// One series' counts per bucket.
#[derive(Clone, Debug, Serialize)]
pub struct ActivityRow {
    /// System.
    pub system: String,
    /// Signature id or template cluster id.
    pub signature: String,
    /// Category.
    pub category: String,
    /// Template text, for templates.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub template: String,
    /// Occurrences in all buckets.
    pub total: u64,
    /// Occurrences per bucket.
    pub counts: Vec<u32>,
}

/// The run against the earlier runs of its scope (INTERFACE.md "Nightly
/// runs").
#[derive(Clone, Debug, Default, Serialize)]
pub struct HistorySummary {
    /// This run's id in the database (`null` when it could not be recorded).
    pub run: Option<i64>,
    /// The previous run of the scope, if any.
    pub previous_run: Option<i64>,
    /// The scope runs are compared within (extension).
    pub scope: String,
    /// Fingerprints of causes that are new: not a cause of the previous
    /// run, and not as frequent in it as now.
    pub new: Vec<String>,
    /// Fingerprints of the previous run's causes that are not causes now.
    pub gone: Vec<String>,
    /// Causes of both runs whose rate changed beyond the usual fluctuation.
    pub changed: Vec<ChangedCause>,
    /// This run calls for attention: a new cause, or one much worse than
    /// before (with `--history` the exit status is 1 only then; extension).
    pub alert: bool,
    /// The symmetric Kullback-Leibler divergence of this run's series
    /// from the earlier runs' (extension; 0 when alike).
    pub divergence: f64,
    /// The series that moved most, by their share of `divergence`
    /// (extension).
    pub series: Vec<SeriesDrift>,
    /// Earlier runs compared with (extension).
    pub compared_runs: usize,
    /// Earlier runs used as what is normal, with `--baseline history`
    /// (extension).
    pub baseline_runs: usize,
    /// What happened to the database itself: moved aside, not recorded
    /// (extension).
    pub notes: Vec<String>,
    /// Time the run's write to the database took, ms (extension).
    pub write_ms: u64,
}

impl HistorySummary {
    /// One sentence on this run against the previous one, for the text and
    /// Markdown reports.
    pub fn headline(&self) -> String {
        let run = match self.run {
            Some(id) => format!("run {id}"),
            None => "this run (not recorded)".to_string(),
        };
        let Some(prev) = self.previous_run else {
            return format!("{run}, the first of its scope: every cause is new");
        };
        let worse = self.changed.iter().filter(|c| c.worse).count();
        let mut parts = Vec::new();
        if !self.new.is_empty() {
            parts.push(count(self.new.len(), "new cause", "new causes"));
        }
        if worse > 0 {
            parts.push(count(worse, "much worse", "much worse"));
        }
        if self.changed.len() > worse {
            parts.push(count(self.changed.len() - worse, "changed in rate", "changed in rate"));
        }
        if !self.gone.is_empty() {
            parts.push(count(self.gone.len(), "gone", "gone"));
        }
        if parts.is_empty() {
            format!("{run}: the same causes as run {prev}, nothing new")
        } else {
            format!("{run} against run {prev}: {}", parts.join(", "))
        }
    }

    /// Whether this cause's fingerprint is new since the previous run.
    pub fn is_new(&self, fingerprint: &str) -> bool {
        self.previous_run.is_some() && self.new.iter().any(|f| f == fingerprint)
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A cause of both runs whose rate moved.
#[derive(Clone, Debug, Serialize)]
pub struct ChangedCause {
    /// Its fingerprint.
    pub fingerprint: String,
    /// Occurrences in the previous run.
    pub before: u64,
    /// Occurrences now.
    pub now: u64,
    /// Per hour of the previous run's window (extension).
    pub before_per_hour: f64,
    /// Per hour of this run's window (extension).
    pub now_per_hour: f64,
    /// Much worse than before: alerts (extension).
    pub worse: bool,
}

/// One series' part in the divergence from the earlier runs.
#[derive(Clone, Debug, Serialize)]
pub struct SeriesDrift {
    /// The fingerprint its cause has.
    pub fingerprint: String,
    /// System.
    pub system: String,
    /// Signature or cluster id.
    pub signature: String,
    /// Template text, for templates.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub template: String,
    /// Its share of the earlier runs' lines of interest.
    pub share_before: f64,
    /// Its share now.
    pub share_now: f64,
    /// Its term of the divergence.
    pub divergence: f64,
}

/// What `--post` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PostSummary {
    /// The target, without secrets (`github:OWNER/REPO`...).
    pub target: String,
    /// `created`, `commented`, `sent`, `skipped` or `failed`.
    pub outcome: String,
    /// The ticket, when there is one.
    pub ticket: Option<String>,
    /// Requests made, retries included.
    pub attempts: u32,
    /// Why it failed or was skipped.
    pub error: Option<String>,
}

/// What `--baseline` read: series as frequent there as here are background.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineSummary {
    /// Files read.
    pub files: u64,
    /// Lines read.
    pub lines: u64,
    /// The span of its times.
    pub window: Window,
    /// Earlier runs it was made of, with `--baseline history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
}

/// A time span.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Window {
    /// First instant (RFC 3339), if any time was seen.
    pub start: Option<String>,
    /// Last instant.
    pub end: Option<String>,
}

/// One system.
#[derive(Clone, Debug, Serialize)]
pub struct SystemSummary {
    /// Its name.
    pub name: String,
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned (decompressed).
    pub bytes: u64,
    /// Lines scanned.
    pub lines: u64,
    /// Events found.
    pub events: u64,
    /// How far its clock is ahead of the reference clock (written =
    /// true + offset); every time in the summary is corrected by it.
    pub clock_offset_ms: i64,
    /// Requests shared with another system behind the offset (extension).
    pub clock_pairs: usize,
    /// How the offset was found: reference, request_ids, error_series,
    /// override or none (extension).
    pub clock_method: crate::correlate::skew::ClockMethod,
    /// Timestamp layouts detected (extension).
    pub time_formats: Vec<String>,
    /// The zone that times written without one are read in (extension):
    /// the one `--tz` names, else the machine's, or a fixed offset
    /// (`UTC+00:00`) when `timezone_inferred`.
    pub assumed_timezone: Option<String>,
    /// The machine's zone was wrong for this system: its clock offset
    /// against systems that write their zone was a whole number of
    /// quarter-hours plus a small skew, so the zone was corrected and
    /// `clock_offset_ms` is the skew alone (extension).
    pub timezone_inferred: bool,
}

/// A likely cause.
#[derive(Clone, Debug, Serialize)]
pub struct Cause {
    /// 1-based rank.
    pub rank: usize,
    /// Overall score in [0, 1].
    pub score: f64,
    /// Its parts.
    pub score_parts: ScoreParts,
    /// Stable id of what the cause is (not of its counts or times).
    pub fingerprint: String,
    /// Category.
    pub category: String,
    /// Signature id (or template cluster id).
    pub signature: String,
    /// Human title.
    pub title: String,
    /// System it happened in.
    pub system: String,
    /// First occurrence on the corrected clock.
    pub first_seen: Option<String>,
    /// Last occurrence.
    pub last_seen: Option<String>,
    /// Occurrences in the window.
    pub count: u64,
    /// HTTP statuses seen with it.
    pub http_status: Vec<u16>,
    /// What followed from it.
    pub effects: Vec<Effect>,
    /// Evidence lines.
    pub evidence: Vec<Evidence>,
    /// Troubleshooting steps.
    pub advice: Vec<String>,
    /// When it rose above its baseline (extension).
    pub onset: Option<String>,
    /// What changed just before it (extension): the last change records
    /// (configuration, deploy, restart, key rotation, scaling, feature
    /// flag) of its system in the hour before its onset, and of the other
    /// systems in the ten minutes before, oldest first.
    pub changes_before: Vec<ChangeNote>,
    /// The rank of the cause this one is another view of (extension): the
    /// same failure told by another series (the server's rejection, its
    /// request log, the caller's view), of the same category, among that
    /// cause's effects within a minute. Reports tell it with that cause.
    pub view_of: Option<usize>,
}

/// A cause's other views, in rank order.
pub fn views_of(causes: &[Cause], rank: usize) -> impl Iterator<Item = &Cause> {
    causes.iter().filter(move |c| c.view_of == Some(rank))
}

/// A change record shortly before a cause.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeNote {
    /// What kind of change (`config`, `deploy`, `restart`,
    /// `secret_rotation`, `scaling`, `feature_flag`).
    pub kind: crate::catalog::ChangeKind,
    /// System it happened in.
    pub system: String,
    /// When, on the corrected clock.
    pub at: String,
    /// How long before the cause's onset, ms.
    pub before_ms: i64,
    /// File it is in.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// The line.
    pub text: String,
}

/// Why a cause ranks where it does; each part in [0, 1].
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct ScoreParts {
    /// How early its onset is.
    pub onset: f64,
    /// How clearly it rises above its own baseline.
    pub rise: f64,
    /// How much of what followed it explains.
    pub explains: f64,
    /// The catalog's prior (cause or symptom).
    pub prior: f64,
    /// How bad its lines say it is (level, catalog severity).
    pub severity: f64,
    /// 1 − the share of it that is normal for these systems (baseline).
    pub novelty: f64,
    /// A named root-cause signature (1) over a bare status or a template.
    pub specificity: f64,
    /// The system's own account (1) over a caller's view of it.
    pub role: f64,
}

/// Whether the run found an incident (INTERFACE.md "No incident").
#[derive(Clone, Debug, Default, Serialize)]
pub struct Incident {
    /// Something rose above what is normal for these logs.
    pub detected: bool,
    /// Calibrated confidence in [0, 1] that the best candidate is an
    /// incident.
    pub confidence: f64,
    /// The onset of the most likely cause, when detected.
    pub start: Option<String>,
}

/// A series that followed a cause.
#[derive(Clone, Debug, Serialize)]
pub struct Effect {
    /// System.
    pub system: String,
    /// Category.
    pub category: String,
    /// Signature id.
    pub signature: String,
    /// Onset lag after the cause's onset.
    pub lag_ms: i64,
    /// Occurrences.
    pub count: u64,
}

/// One evidence line.
#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    /// File it is in.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// The line (and, for a hit inside a trace, the hit line after it).
    pub text: String,
}

/// Counts of one (system, signature).
#[derive(Clone, Debug, Serialize)]
pub struct SignatureCount {
    /// Signature id.
    pub signature: String,
    /// Category.
    pub category: String,
    /// System.
    pub system: String,
    /// Occurrences.
    pub count: u64,
    /// First occurrence.
    pub first_seen: Option<String>,
    /// Last occurrence.
    pub last_seen: Option<String>,
    /// When it rose above its baseline, if it did (extension).
    pub onset: Option<String>,
    /// Of `count`, the lines that report a remote call's answer (the
    /// caller's view) rather than the system's own failure (extension).
    pub remote_count: u64,
}

/// Counts of one mined template.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateCount {
    /// Cluster id.
    pub cluster: String,
    /// Template text.
    pub template: String,
    /// System.
    pub system: String,
    /// Occurrences.
    pub count: u64,
    /// First occurrence.
    pub first_seen: Option<String>,
    /// When it rose above its baseline, if it did (extension).
    pub onset: Option<String>,
}

/// A problem met in a scanned file.
#[derive(Clone, Debug, Serialize)]
pub struct WarningNote {
    /// The file.
    pub file: String,
    /// What happened.
    pub reason: String,
    /// Its kind; some mean part of the input was not read.
    pub kind: crate::source::WarningKind,
}

impl Summary {
    /// Some input was skipped or not read in full: `--strict` exits 2.
    pub fn input_lost(&self) -> bool {
        !self.skipped.is_empty() || self.warnings.iter().any(|w| w.kind.input_lost())
    }
}

/// A file and a reason.
#[derive(Clone, Debug, Serialize)]
pub struct FileNote {
    /// The file.
    pub file: String,
    /// The reason.
    pub reason: String,
}

/// Totals.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Lines scanned.
    pub lines: u64,
    /// Wall time.
    pub elapsed_ms: u64,
    /// Events found (extension).
    pub events: u64,
    /// Wall time of discovery, reading and matching (extension).
    pub scan_ms: u64,
    /// Wall time of everything after: series, clock offsets, onsets,
    /// ranking and mining unnamed errors (extension).
    pub correlate_ms: u64,
}

/// The mined template a series id names, if it is one.
pub fn template_of<'a>(
    templates: &'a [TemplateCount],
    system: &str,
    cluster: &str,
) -> Option<&'a TemplateCount> {
    templates.iter().find(|t| t.cluster == cluster && t.system == system)
}

/// An instant as RFC 3339 UTC with milliseconds.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}
