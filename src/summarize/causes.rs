//! The causes a summary lists: their words, score parts, counts, effects,
//! onset, the changes just before, and evidence (kept text, or lines read
//! again in one pass); and which of them are views of a higher one.

use super::frame::Frame;
use super::series::*;
use super::{fingerprint, round3, Inputs};
use crate::correlate::Analysis;
use crate::report::summary::*;
use std::collections::BTreeMap;

/// The first `inp.top` ranked candidates as causes.
pub(super) fn listed(
    inp: &Inputs<'_>,
    frame: &Frame,
    series: &[Series<'_>],
    analysis: &Analysis,
) -> Vec<Cause> {
    let d = inp.discovery;
    let ranked = &analysis.ranked;
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
    let ctx = Listing { inp, frame, series, analysis, lines: &lines };
    ranked.iter().take(inp.top).enumerate().map(|(i, r)| ctx.cause(i + 1, r)).collect()
}

/// What each listed cause is told from.
struct Listing<'x, 'a> {
    inp: &'x Inputs<'a>,
    frame: &'x Frame,
    series: &'x [Series<'a>],
    analysis: &'x Analysis,
    /// Evidence lines read again, by (source, offset).
    lines: &'x BTreeMap<(u32, u64), String>,
}

impl Listing<'_, '_> {
    /// The cause at `rank`: the ranked candidate `r` in words.
    fn cause(&self, rank: usize, r: &crate::correlate::Ranked) -> Cause {
        let Listing { inp, frame, series, analysis, lines } = *self;
        let system_name = |s: u32| inp.discovery.systems[s as usize].clone();
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
            rank,
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
                &inp.discovery.systems[s.system as usize],
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
            evidence: evidence(inp, &evidence_picks(&s.occ), lines),
            advice: words.advice,
            onset: onset_ms.map(rfc3339),
            changes_before: onset_ms
                .or(first_ms)
                .map(|t| {
                    super::changes::before(inp, &frame.clocks, s.system, t, &|t| frame.in_window(Some(t)))
                })
                .unwrap_or_default(),
            view_of: None,
        }
    }
}

/// How soon after a cause's onset another series of the same category may
/// start and still be a view of the same failure.
const VIEW_LAG_MS: i64 = 60_000;

/// Marks the causes that are another view of a higher-ranked one: of the
/// same category and among its effects within [`VIEW_LAG_MS`].
pub(super) fn group_views(causes: &mut [Cause]) {
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
