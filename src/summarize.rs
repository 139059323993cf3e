//! Scan results → [`Summary`]: the window filter, the series per (system,
//! signature), the ranking, and the words and evidence of each cause.

use crate::catalog::{Catalog, Role, Severity};
use crate::discover::Discovery;
use crate::engine::ScanData;
use crate::event::Event;
use crate::rank::{self, SeriesInput};
use crate::report::summary::*;
use crate::timestamp::user::TimeBound;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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
    /// Zone name assumed per system for zoneless times.
    pub zone_names: Vec<String>,
    /// Wall time so far.
    pub elapsed_ms: u64,
}

/// Builds the summary.
pub fn summarize(inp: &Inputs<'_>) -> Summary {
    let d = inp.discovery;
    let sys_of = |e: &Event| d.sources[e.source as usize].system;
    let newest = inp.data.events.iter().filter_map(|e| e.ts).max();
    let since = inp.since.zip(newest).map(|(b, n)| b.resolve(n));
    let until = inp.until.zip(newest).map(|(b, n)| b.resolve(n));
    let in_window = |e: &&Event| match e.ts {
        Some(t) => since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u),
        None => since.is_none() && until.is_none(),
    };
    let events: Vec<&Event> = inp.data.events.iter().filter(in_window).collect();

    // Series per (system, signature), events in time order.
    let mut groups: BTreeMap<(u32, u32), Vec<&Event>> = BTreeMap::new();
    for e in &events {
        groups.entry((sys_of(e), e.sig)).or_default().push(e);
    }
    for g in groups.values_mut() {
        g.sort_by_key(|e| (e.ts.unwrap_or(i64::MAX), e.source, e.line));
    }
    let keys: Vec<(u32, u32)> = groups.keys().copied().collect();

    // The window: every time seen (events and traffic samples).
    let mut lo = events.iter().filter_map(|e| e.ts).min();
    let mut hi = events.iter().filter_map(|e| e.ts).max();
    for ps in &inp.data.per_source {
        for &(a, b, _) in &ps.volume {
            let (a, b) = (since.map_or(a, |s| a.max(s)), until.map_or(b, |u| b.min(u)));
            lo = Some(lo.map_or(a, |l| l.min(a)));
            hi = Some(hi.map_or(b, |h| h.max(b)));
        }
    }

    let series: Vec<SeriesInput> = keys
        .iter()
        .map(|&(system, sig)| SeriesInput {
            system,
            prior: prior(inp.catalog, sig),
            times: groups[&(system, sig)].iter().filter_map(|e| e.ts).collect(),
        })
        .collect();
    let ranked = match (lo, hi) {
        (Some(lo), Some(hi)) => {
            let found = rank::findings(&series, lo, hi);
            rank::rank(&series, &found)
        }
        _ => Vec::new(),
    };

    let sig_name = |sig: u32| &inp.catalog.signatures[sig as usize];
    let causes = ranked
        .iter()
        .take(inp.top)
        .enumerate()
        .map(|(i, r)| {
            let (system, sig) = keys[r.series];
            let s = sig_name(sig);
            let evs = &groups[&(system, sig)];
            let mut statuses: Vec<u16> = evs.iter().filter_map(|e| e.status).collect();
            statuses.sort_unstable();
            statuses.dedup();
            if statuses.is_empty() {
                statuses = s.http_status.clone();
            }
            Cause {
                rank: i + 1,
                score: round3(r.score),
                score_parts: ScoreParts {
                    onset: round3(r.parts[0]),
                    rise: round3(r.parts[1]),
                    explains: round3(r.parts[2]),
                    prior: round3(r.parts[3]),
                },
                fingerprint: fingerprint(&d.systems[system as usize], &s.id),
                category: s.category.to_string(),
                signature: s.id.clone(),
                title: s.title.clone(),
                system: d.systems[system as usize].clone(),
                first_seen: evs.iter().filter_map(|e| e.ts).min().map(rfc3339),
                last_seen: evs.iter().filter_map(|e| e.ts).max().map(rfc3339),
                count: evs.len() as u64,
                http_status: statuses,
                effects: r
                    .effects
                    .iter()
                    .map(|&(j, lag)| {
                        let (esys, esig) = keys[j];
                        Effect {
                            system: d.systems[esys as usize].clone(),
                            category: sig_name(esig).category.to_string(),
                            signature: sig_name(esig).id.clone(),
                            lag_ms: lag,
                            count: groups[&(esys, esig)].len() as u64,
                        }
                    })
                    .collect(),
                evidence: evidence(inp, evs),
                advice: inp.catalog.advice_for(s),
            }
        })
        .collect();

    let signatures = keys
        .iter()
        .map(|&(system, sig)| {
            let evs = &groups[&(system, sig)];
            SignatureCount {
                signature: sig_name(sig).id.clone(),
                category: sig_name(sig).category.to_string(),
                system: d.systems[system as usize].clone(),
                count: evs.len() as u64,
                first_seen: evs.iter().filter_map(|e| e.ts).min().map(rfc3339),
                last_seen: evs.iter().filter_map(|e| e.ts).max().map(rfc3339),
            }
        })
        .collect();

    let systems = d
        .systems
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let srcs: Vec<usize> = d
                .sources
                .iter()
                .filter(|s| s.system as usize == i)
                .map(|s| s.id as usize)
                .collect();
            let mut formats: Vec<String> = Vec::new();
            let mut zoneless = false;
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
                events: events.iter().filter(|e| sys_of(e) as usize == i).count() as u64,
                clock_offset_ms: 0,
                time_formats: formats,
                assumed_timezone: zoneless.then(|| inp.zone_names[i].clone()),
            }
        })
        .collect::<Vec<_>>();

    Summary {
        schema: SCHEMA,
        generated_at: rfc3339(chrono::Utc::now().timestamp_millis()),
        window: Window {
            start: lo.map(rfc3339),
            end: hi.map(rfc3339),
        },
        stats: Stats {
            files: d.sources.len() as u64,
            bytes: systems.iter().map(|s| s.bytes).sum(),
            lines: systems.iter().map(|s| s.lines).sum(),
            elapsed_ms: inp.elapsed_ms,
            events: events.len() as u64,
        },
        systems,
        causes,
        signatures,
        templates: Vec::new(),
        skipped: d
            .skipped
            .iter()
            .map(|s| FileNote {
                file: s.file.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
        warnings: inp
            .data
            .warnings
            .iter()
            .map(|w| FileNote {
                file: w.file.clone(),
                reason: w.reason.clone(),
            })
            .collect(),
    }
}

fn prior(catalog: &Catalog, sig: u32) -> f64 {
    let s = &catalog.signatures[sig as usize];
    let base = match s.role {
        Role::Cause => 1.0,
        Role::Symptom => 0.3,
    };
    match s.severity {
        Severity::Warning => base * 0.8,
        _ => base,
    }
}

/// A stable id of what a cause is: its system and signature, never its
/// counts or times, so a nightly job can update one ticket.
pub fn fingerprint(system: &str, signature: &str) -> String {
    let digest = Sha256::digest(format!("faultline.cause/v1\0{system}\0{signature}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The first occurrence and a typical one (the middle event).
fn evidence(inp: &Inputs<'_>, evs: &[&Event]) -> Vec<Evidence> {
    let mut picks: Vec<&Event> = evs.first().copied().into_iter().collect();
    if let Some(mid) = evs.get(evs.len() / 2) {
        if evs.len() > 1 {
            picks.push(mid);
        }
    }
    picks
        .into_iter()
        .map(|e| Evidence {
            file: inp.discovery.sources[e.source as usize].display.clone(),
            line: e.line,
            text: e.text.to_string(),
        })
        .collect()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
