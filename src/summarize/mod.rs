//! Scan results → [`Summary`]: the window filter, one series per (system,
//! signature) and per (system, mined template), the ranking, and the words
//! and evidence of each cause.

use crate::catalog::Catalog;
use crate::correlate::{self, incident, SeriesIn};
use crate::discover::Discovery;
use crate::engine::ScanData;
use crate::report::summary::*;
use crate::timestamp::user::TimeBound;
use sha2::{Digest, Sha256};

mod activity;
mod baseline;
mod causes;
mod changes;
mod counts;
mod frame;
mod notes;
mod series;
mod timeline;
use series::*;

pub use baseline::{Baseline, BaselineRun};

/// What the summary is made from.
pub struct Inputs<'a> {
    /// The catalog the matcher was built from.
    pub catalog: &'a Catalog,
    /// Sources, systems and skipped inputs.
    pub discovery: &'a Discovery,
    /// Events and per-source findings.
    pub data: &'a ScanData,
    /// `--since`.
    pub since: Option<TimeBound>,
    /// `--until`.
    pub until: Option<TimeBound>,
    /// How many causes to keep.
    pub top: usize,
    /// Per system, the zone its zoneless times are read in, and whether
    /// the user named it (else the machine's zone is assumed).
    pub zones: Vec<crate::timestamp::ReadZone>,
    /// Wall time so far.
    pub elapsed_ms: u64,
    /// `--clock-offset SYSTEM=MS` values.
    pub clock_overrides: Vec<(String, i64)>,
    /// What is normal: the scan of `--baseline` inputs, or the history's
    /// earlier runs.
    pub baseline: Option<Baseline<'a>>,
}

/// Builds the summary.
pub fn summarize(inp: &Inputs<'_>) -> Summary {
    let started = std::time::Instant::now();
    let d = inp.discovery;
    let frame = frame::Frame::new(inp);
    let normal = inp.baseline.as_ref().map(|b| baseline::Normal::new(b, inp.catalog));
    let series = build_series(
        inp,
        &|ts| frame.in_window(ts),
        &|source, ts| frame.correct(source, ts),
        normal.as_ref(),
    );
    let (lo, hi) = frame.bounds(inp, &series);
    let inputs = series_inputs(inp, &frame, &series, normal.as_ref(), lo.zip(hi));
    let analysis = match (lo, hi) {
        (Some(lo), Some(hi)) => correlate::analyse(&inputs, lo, hi, &call_graph(inp.catalog, &series)),
        _ => correlate::Analysis::default(),
    };
    let confidence =
        incident::confidence(analysis.ranked.iter().map(|r| r.parts.evidence()).max_by(f64::total_cmp));
    let detected = incident::detected(confidence);
    let ranked = &analysis.ranked;
    let mut listed = causes::listed(inp, &frame, &series, &analysis);
    let incident = Incident {
        detected,
        confidence: round3(confidence),
        start: detected
            .then(|| listed.first().and_then(|c| c.onset.clone().or(c.first_seen.clone())))
            .flatten(),
    };
    causes::group_views(&mut listed);
    let (causes, candidates) = if detected { (listed, Vec::new()) } else { (Vec::new(), listed) };
    let (signatures, templates) = counts::series_counts(inp, &series, &analysis);
    let systems = counts::systems(inp, &frame, &series);
    let warnings = notes::warnings(inp, &frame);
    Summary {
        schema: SCHEMA,
        generated_at: rfc3339(chrono::Utc::now().timestamp_millis()),
        window: Window { start: lo.map(rfc3339), end: hi.map(rfc3339) },
        stats: Stats {
            files: d.sources.len() as u64,
            bytes: systems.iter().map(|s| s.bytes).sum(),
            lines: systems.iter().map(|s| s.lines).sum(),
            elapsed_ms: inp.elapsed_ms + started.elapsed().as_millis() as u64,
            events: systems.iter().map(|s| s.events).sum(),
            scan_ms: inp.elapsed_ms,
            correlate_ms: started.elapsed().as_millis() as u64,
        },
        systems,
        incident,
        causes,
        candidates,
        signatures,
        templates,
        skipped: d
            .skipped
            .iter()
            .map(|s| FileNote { file: s.file.clone(), reason: s.reason.clone() })
            .collect(),
        warnings,
        baseline: normal.as_ref().map(|n| BaselineSummary {
            files: n.files,
            lines: n.lines,
            window: Window { start: n.first_ms.map(rfc3339), end: n.last_ms.map(rfc3339) },
            runs: n.runs,
        }),
        history: None,
        post: None,
        activity: lo.zip(hi).map(|(lo, hi)| {
            let causes: Vec<usize> = ranked.iter().take(inp.top).map(|r| r.series).collect();
            activity::activity(inp.catalog, &d.systems, &series, &causes, lo, hi)
        }),
    }
}

/// What the ranking reads of each series.
fn series_inputs<'s>(
    inp: &Inputs<'_>,
    frame: &frame::Frame,
    series: &'s [Series<'_>],
    normal: Option<&baseline::Normal<'_>>,
    window: Option<(i64, i64)>,
) -> Vec<SeriesIn<'s>> {
    series
        .iter()
        .map(|s| SeriesIn {
            system: s.system,
            prior: match &s.kind {
                Kind::Signature(sig, _) => prior(inp.catalog, *sig),
                Kind::Template(_, text) => template_prior(text),
            },
            severity: severity(inp.catalog, s),
            specificity: specificity(inp.catalog, &s.kind),
            remote_share: remote_share(s),
            novelty: normal
                .map_or(1.0, |n| n.novelty(s.occ.len(), window.map_or(0, |(a, b)| b - a), s.baseline_count)),
            times: s.occ.iter().filter_map(|o| o.ts).collect(),
            ids: s.occ.iter().filter_map(|o| Some((o.request_id()?, o.ts?))).collect(),
            known: matches!(s.kind, Kind::Signature(..)),
            whole_seconds: frame.clocks.whole_seconds[s.system as usize],
            wordless: wordless(&s.kind),
        })
        .collect()
}

/// A stable id of what a cause is: its system and signature (or template
/// id), never its counts or times, so a nightly job can update one ticket.
pub fn fingerprint(system: &str, signature: &str) -> String {
    let digest = Sha256::digest(format!("faultline.cause/v1\0{system}\0{signature}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_depend_only_on_what_the_cause_is() {
        let a = fingerprint("erp", "auth.invalid_token");
        assert_eq!(a, fingerprint("erp", "auth.invalid_token"));
        assert_ne!(a, fingerprint("crm", "auth.invalid_token"));
        assert_eq!(a.len(), 16);
    }
}
