//! The per-series lists of a summary: each signature's count per system
//! (both views in one entry), each mined template's, and each system's
//! files, bytes, formats, zone and clock.

use super::frame::Frame;
use super::series::*;
use super::Inputs;
use crate::correlate::Analysis;
use crate::report::summary::*;

/// The signatures and templates seen, with counts, first times and onsets.
pub(super) fn series_counts(
    inp: &Inputs<'_>,
    series: &[Series<'_>],
    analysis: &Analysis,
) -> (Vec<SignatureCount>, Vec<TemplateCount>) {
    let system_name = |s: u32| inp.discovery.systems[s as usize].clone();
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
    (signatures, templates)
}

/// Each system as the summary tells it.
pub(super) fn systems(inp: &Inputs<'_>, frame: &Frame, series: &[Series<'_>]) -> Vec<SystemSummary> {
    let d = inp.discovery;
    let clocks = &frame.clocks;
    let events_of = |sys: usize| {
        series
            .iter()
            .filter(|s| s.system as usize == sys && matches!(s.kind, Kind::Signature(..)))
            .map(|s| s.occ.len() as u64)
            .sum::<u64>()
    };
    d.systems
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
        .collect()
}

/// The earlier of two optional RFC 3339 times.
fn min_opt(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
