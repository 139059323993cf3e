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
use std::collections::BTreeMap;

mod activity;
mod baseline;
mod changes;
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
    let clocks = timeline::timeline(inp);
    let correct = |source: u32, ts: Option<i64>| ts.map(|t| clocks.correct(source, t));
    let plausible = timeline::plausible_range(inp, &clocks);
    let believable = |t: i64| plausible.is_none_or(|(a, b)| t >= a && t <= b);
    let newest =
        inp.data.events.iter().filter_map(|e| correct(e.source, e.ts)).filter(|&t| believable(t)).max();
    let since = inp.since.zip(newest).map(|(b, n)| b.resolve(n));
    let until = inp.until.zip(newest).map(|(b, n)| b.resolve(n));
    let in_window = |ts: Option<i64>| match ts {
        Some(t) => believable(t) && since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u),
        None => since.is_none() && until.is_none(),
    };
    let normal = inp.baseline.as_ref().map(|b| baseline::Normal::new(b, inp.catalog));
    let series = build_series(inp, &in_window, &correct, normal.as_ref());

    // The window: every time seen (occurrences and traffic samples).
    let all_ts = || series.iter().flat_map(|s| s.occ.iter().filter_map(|o| o.shown_ts()));
    let mut lo = all_ts().min();
    let mut hi = all_ts().max();
    for (source, ps) in inp.data.per_source.iter().enumerate() {
        let off = clocks.source_offset(source as u32);
        for &(a, b, _) in &ps.volume {
            let (a, b) = (a - off, b - off);
            if !believable(a) || !believable(b) {
                continue;
            }
            let (a, b) = (since.map_or(a, |s| a.max(s)), until.map_or(b, |u| b.min(u)));
            lo = Some(lo.map_or(a, |l| l.min(a)));
            hi = Some(hi.map_or(b, |h| h.max(b)));
        }
    }

    let inputs: Vec<SeriesIn<'_>> = series
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
            novelty: normal.as_ref().map_or(1.0, |n| {
                n.novelty(s.occ.len(), lo.zip(hi).map_or(0, |(a, b)| b - a), s.baseline_count)
            }),
            times: s.occ.iter().filter_map(|o| o.ts).collect(),
            ids: s.occ.iter().filter_map(|o| Some((o.request_id()?, o.ts?))).collect(),
            known: matches!(s.kind, Kind::Signature(..)),
            whole_seconds: clocks.whole_seconds[s.system as usize],
        })
        .collect();
    let analysis = match (lo, hi) {
        (Some(lo), Some(hi)) => correlate::analyse(&inputs, lo, hi, &call_graph(inp.catalog, &series)),
        _ => correlate::Analysis::default(),
    };
    let confidence =
        incident::confidence(analysis.ranked.iter().map(|r| r.parts.evidence()).max_by(f64::total_cmp));
    let detected = incident::detected(confidence);
    let ranked = &analysis.ranked;

    let system_name = |s: u32| d.systems[s as usize].clone();
    // The evidence lines of the causes shown, read again in one pass.
    let wanted: Vec<(u32, u64)> = ranked
        .iter()
        .take(inp.top)
        .flat_map(|r| evidence_picks(&series[r.series].occ))
        .filter(|o| o.text().is_none())
        .flat_map(|o| {
            std::iter::once((o.source(), o.offsets().0)).chain(o.offsets().1.map(|h| (o.source(), h)))
        })
        .collect();
    let lines = crate::engine::read_lines_at(&d.sources, &wanted);
    let listed: Vec<Cause> = ranked
        .iter()
        .take(inp.top)
        .enumerate()
        .map(|(i, r)| {
            let s = &series[r.series];
            let words = describe(inp.catalog, &s.kind);
            let onset_ms = analysis.changes[r.series].map(|c| shown_onset(s, c.onset));
            let first_ms = s.occ.iter().filter_map(|o| o.shown_ts()).min();
            let mut statuses: Vec<u16> = s.occ.iter().filter_map(|o| o.status()).collect();
            statuses.sort_unstable();
            statuses.dedup();
            if statuses.is_empty() {
                if let Kind::Signature(sig, _) = s.kind {
                    statuses = inp.catalog.signatures[sig as usize].http_status.clone();
                }
            }
            Cause {
                rank: i + 1,
                score: round3(r.score),
                score_parts: ScoreParts {
                    onset: round3(r.parts.onset),
                    rise: round3(r.parts.rise),
                    explains: round3(r.parts.explains),
                    prior: round3(r.parts.prior),
                    severity: round3(r.parts.severity),
                    novelty: round3(r.parts.novelty),
                    specificity: round3(r.parts.specificity),
                    role: round3(r.parts.role),
                },
                fingerprint: fingerprint(
                    &d.systems[s.system as usize],
                    &match s.kind {
                        Kind::Signature(_, true) => format!("{}@remote", words.id),
                        _ => words.id.clone(),
                    },
                ),
                category: words.category.to_string(),
                signature: words.id.clone(),
                title: words.title,
                system: system_name(s.system),
                first_seen: first_ms.map(rfc3339),
                last_seen: s.occ.iter().filter_map(|o| o.shown_ts()).max().map(rfc3339),
                count: s.occ.len() as u64,
                http_status: statuses,
                effects: r
                    .effects
                    .iter()
                    .map(|&(j, lag)| {
                        let e = &series[j];
                        let w = describe(inp.catalog, &e.kind);
                        Effect {
                            system: system_name(e.system),
                            category: w.category.to_string(),
                            signature: w.id,
                            lag_ms: lag,
                            count: e.occ.len() as u64,
                        }
                    })
                    .collect(),
                evidence: evidence(inp, &evidence_picks(&s.occ), &lines),
                advice: words.advice,
                onset: onset_ms.map(rfc3339),
                changes_before: onset_ms
                    .or(first_ms)
                    .map(|t| changes::before(inp, &clocks, s.system, t, &|t| in_window(Some(t))))
                    .unwrap_or_default(),
                view_of: None,
            }
        })
        .collect();

    let incident = Incident {
        detected,
        confidence: round3(confidence),
        start: detected
            .then(|| listed.first().and_then(|c| c.onset.clone().or(c.first_seen.clone())))
            .flatten(),
    };
    let mut listed = listed;
    group_views(&mut listed);
    let (causes, candidates) = if detected { (listed, Vec::new()) } else { (Vec::new(), listed) };
    let mut signatures = Vec::new();
    let mut templates = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let first = s.occ.iter().filter_map(|o| o.shown_ts()).min().map(rfc3339);
        let onset = analysis
            .candidate
            .get(i)
            .is_some_and(|&c| c)
            .then(|| analysis.changes[i].map(|c| rfc3339(shown_onset(s, c.onset))))
            .flatten();
        match &s.kind {
            Kind::Signature(sig, remote) => {
                let g = &inp.catalog.signatures[*sig as usize];
                let remote_count = if *remote { s.occ.len() as u64 } else { 0 };
                let last = s.occ.iter().filter_map(|o| o.shown_ts()).max().map(rfc3339);
                let system = system_name(s.system);
                // Both views of a signature are one entry in the list.
                match signatures
                    .iter_mut()
                    .find(|c: &&mut SignatureCount| c.signature == g.id && c.system == system)
                {
                    Some(c) => {
                        c.count += s.occ.len() as u64;
                        c.first_seen = min_opt(c.first_seen.take(), first);
                        c.last_seen = c.last_seen.take().max(last);
                        c.onset = min_opt(c.onset.take(), onset);
                        c.remote_count += remote_count;
                    }
                    None => signatures.push(SignatureCount {
                        signature: g.id.clone(),
                        category: g.category.to_string(),
                        system,
                        count: s.occ.len() as u64,
                        first_seen: first,
                        last_seen: last,
                        onset,
                        remote_count,
                    }),
                }
            }
            Kind::Template(id, text) => templates.push(TemplateCount {
                cluster: id.clone(),
                template: text.clone(),
                system: system_name(s.system),
                count: s.occ.len() as u64,
                first_seen: first,
                onset,
            }),
        }
    }
    templates.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cluster.cmp(&b.cluster)));

    let events_of = |sys: usize| {
        series
            .iter()
            .filter(|s| s.system as usize == sys && matches!(s.kind, Kind::Signature(..)))
            .map(|s| s.occ.len() as u64)
            .sum::<u64>()
    };
    let systems = d
        .systems
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let srcs: Vec<usize> =
                d.sources.iter().filter(|s| s.system as usize == i).map(|s| s.id as usize).collect();
            let mut formats: Vec<String> = Vec::new();
            let mut zoneless = false;
            let inferred = clocks.inferred_zone(inp, i);
            for &s in &srcs {
                let ps = &inp.data.per_source[s];
                zoneless |= ps.zoneless;
                for l in ps.layouts.keys() {
                    if !formats.iter().any(|f| f == l.name()) {
                        formats.push(l.name().to_string());
                    }
                }
            }
            SystemSummary {
                name: name.clone(),
                files: srcs.len() as u64,
                bytes: srcs.iter().map(|&s| inp.data.per_source[s].bytes).sum(),
                lines: srcs.iter().map(|&s| inp.data.per_source[s].lines).sum(),
                events: events_of(i),
                clock_offset_ms: clocks.skew_ms(i),
                clock_pairs: clocks.offsets[i].pairs,
                clock_method: clocks.offsets[i].method,
                time_formats: formats,
                assumed_timezone: zoneless
                    .then(|| inferred.clone().unwrap_or_else(|| inp.zones[i].zone.name())),
                timezone_inferred: inferred.is_some(),
            }
        })
        .collect::<Vec<_>>();

    let mut warnings: Vec<WarningNote> = inp
        .data
        .warnings
        .iter()
        .map(|w| WarningNote { file: w.file.clone(), reason: w.reason.clone(), kind: w.kind })
        .collect();
    // Lines dated far from all the others: named, never silently dropped.
    let mut outliers: BTreeMap<u32, (u64, i64)> = BTreeMap::new();
    let dated = (inp.data.events.iter().map(|e| (e.source, e.ts)))
        .chain(inp.data.unnamed.iter().map(|u| (u.source, u.ts)));
    for (source, ts) in dated {
        if let Some(t) = correct(source, ts).filter(|&t| !believable(t)) {
            let e = outliers.entry(source).or_insert((0, t));
            e.0 += 1;
        }
    }
    for (source, (n, first)) in outliers {
        warnings.push(WarningNote {
            file: d.sources[source as usize].display.clone(),
            reason: format!(
                "{n} line{} dated far from the rest of the logs (such as {}) kept out of the window and the ranking",
                if n == 1 { "" } else { "s" },
                rfc3339(first)
            ),
            kind: crate::source::WarningKind::TimeOutlier,
        });
    }
    for (s, &shift) in clocks.year_shift_ms.iter().enumerate() {
        if shift != 0 {
            let years = (shift as f64 / (365.25 * 86_400_000.0)).round() as i64;
            warnings.push(WarningNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "its times carry no year and the file's date put them {} year{} {}; read in the year of the other systems' dated lines",
                    years.abs(),
                    if years.abs() == 1 { "" } else { "s" },
                    if years > 0 { "later" } else { "earlier" }
                ),
                kind: crate::source::WarningKind::YearInferred,
            });
        }
    }
    for (s, &n) in inp.data.changes_dropped.iter().enumerate() {
        if n > 0 {
            warnings.push(WarningNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "{n} change records (restarts, deploys...) past the first {} were counted but not kept",
                    crate::engine::CHANGES_PER_SOURCE
                ),
                kind: crate::source::WarningKind::OverCap,
            });
        }
    }
    for (s, &n) in inp.data.unnamed_dropped.iter().enumerate() {
        if n > 0 {
            warnings.push(WarningNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "{n} error lines no signature names were counted but not mined (over the cap)"
                ),
                kind: crate::source::WarningKind::OverCap,
            });
        }
    }
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

/// How soon after a cause's onset another series of the same category may
/// start and still be a view of the same failure.
const VIEW_LAG_MS: i64 = 60_000;

/// Marks the causes that are another view of a higher-ranked one: of the
/// same category and among its effects within [`VIEW_LAG_MS`].
fn group_views(causes: &mut [Cause]) {
    for i in 1..causes.len() {
        let (head, tail) = causes.split_at_mut(i);
        let c = &mut tail[0];
        c.view_of = head
            .iter()
            .filter(|h| h.view_of.is_none() && h.category == c.category)
            .find(|h| {
                h.effects
                    .iter()
                    .any(|e| e.system == c.system && e.signature == c.signature && e.lag_ms <= VIEW_LAG_MS)
            })
            .map(|h| h.rank);
    }
}

/// A stable id of what a cause is: its system and signature (or template
/// id), never its counts or times, so a nightly job can update one ticket.
pub fn fingerprint(system: &str, signature: &str) -> String {
    let digest = Sha256::digest(format!("faultline.cause/v1\0{system}\0{signature}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// An onset as written: the time of the occurrence it falls on, shown as
/// its line wrote it (a whole second, not the middle of it).
fn shown_onset(s: &Series<'_>, onset: i64) -> i64 {
    s.occ.iter().find(|o| o.ts == Some(onset)).and_then(|o| o.shown_ts()).unwrap_or(onset)
}

/// The first occurrence and a typical one (the middle one).
fn evidence_picks<'o, 'a>(occ: &'o [Occurrence<'a>]) -> Vec<&'o Occurrence<'a>> {
    let mut picks: Vec<&Occurrence<'_>> = occ.first().into_iter().collect();
    if occ.len() > 1 {
        picks.push(&occ[occ.len() / 2]);
    }
    picks
}

/// The evidence lines of the picked occurrences: kept text, or the lines
/// read again from their files.
fn evidence(
    inp: &Inputs<'_>,
    picks: &[&Occurrence<'_>],
    lines: &BTreeMap<(u32, u64), String>,
) -> Vec<Evidence> {
    picks
        .iter()
        .filter_map(|o| {
            let text = match o.text() {
                Some(t) => t.to_string(),
                None => {
                    let head = lines.get(&(o.source(), o.offsets().0))?.clone();
                    match o.offsets().1.and_then(|h| lines.get(&(o.source(), h))) {
                        Some(hit) => format!("{head}\n{hit}"),
                        None => head,
                    }
                }
            };
            Some(Evidence {
                file: inp.discovery.sources[o.source() as usize].display.clone(),
                line: o.line(),
                text,
            })
        })
        .collect()
}

/// The earlier of two optional RFC 3339 times.
fn min_opt(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
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
