//! Scan results → [`Summary`]: the window filter, one series per (system,
//! signature) and per (system, mined template), the ranking, and the words
//! and evidence of each cause.

use crate::catalog::{Catalog, Category, Role, Severity};
use crate::correlate::{self, skew, SeriesIn};
use crate::discover::Discovery;
use crate::engine::ScanData;
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
    /// `--clock-offset SYSTEM=MS` values.
    pub clock_overrides: Vec<(String, i64)>,
}

/// What a series counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A catalog signature, as the system's own failure (false) or as its
    /// view of a remote call's answer (true): the two views of one
    /// signature are different series (a gateway's background 404s and the
    /// 404s it relays are not one story).
    Signature(u32, bool),
    /// A mined template: (cluster id, template text).
    Template(String, String),
}

/// One occurrence, whichever stage found it: a reference to it and its
/// time on the corrected clock (kept small: there is one per event).
struct Occurrence<'a> {
    ts: Option<i64>,
    src: Src<'a>,
}

#[derive(Clone, Copy)]
enum Src<'a> {
    Event(&'a crate::event::Event),
    Unnamed(&'a crate::engine::UnnamedLine),
}

impl<'a> Occurrence<'a> {
    fn request_id(&self) -> Option<&'a str> {
        match self.src {
            Src::Event(e) => e.request_id.as_deref(),
            Src::Unnamed(u) => u.request_id.as_deref(),
        }
    }
    fn source(&self) -> u32 {
        match self.src {
            Src::Event(e) => e.source,
            Src::Unnamed(u) => u.source,
        }
    }
    fn line(&self) -> u64 {
        match self.src {
            Src::Event(e) => e.line,
            Src::Unnamed(u) => u.line,
        }
    }
    fn status(&self) -> Option<u16> {
        match self.src {
            Src::Event(e) => e.status,
            Src::Unnamed(_) => None,
        }
    }
    /// The text, when it was kept (stdin, unnamed lines).
    fn text(&self) -> Option<&'a str> {
        match self.src {
            Src::Event(e) => e.text.as_deref(),
            Src::Unnamed(u) => Some(&u.text),
        }
    }
    /// (head offset, hit offset) to read the evidence again.
    fn offsets(&self) -> (u64, Option<u64>) {
        match self.src {
            Src::Event(e) => (e.offset, e.hit_offset),
            Src::Unnamed(_) => (0, None),
        }
    }
    fn remote(&self) -> bool {
        match self.src {
            Src::Event(e) => e.remote,
            Src::Unnamed(u) => crate::event::is_remote_view(u.text.as_bytes()),
        }
    }
}

struct Series<'a> {
    system: u32,
    kind: Kind,
    occ: Vec<Occurrence<'a>>,
}

/// How much a series made of remote views (a client reporting what the
/// system it called answered) loses of its prior: it is the other
/// system's failure seen from here.
const REMOTE_DISCOUNT: f64 = 0.5;

fn remote_share(s: &Series<'_>) -> f64 {
    if s.occ.is_empty() {
        return 0.0;
    }
    s.occ.iter().filter(|o| o.remote()).count() as f64 / s.occ.len() as f64
}

/// Words of a mined template that say it reports a consequence (a retry,
/// a backlog, a breaker): the "usually symptoms".
const SYMPTOM_WORDS: [&str; 9] =
    ["retry", "retrying", "attempt", "backlog", "queue depth", "requeued", "giving up", "circuit", "breaker"];

/// The prior of a mined template: low, and lower for one that describes a
/// consequence.
fn template_prior(text: &str) -> f64 {
    let lower = text.to_ascii_lowercase();
    if SYMPTOM_WORDS.iter().any(|w| lower.contains(w)) {
        TEMPLATE_PRIOR / 2.0
    } else {
        TEMPLATE_PRIOR
    }
}

/// What a bare HTTP-status signature keeps of its prior.
const GENERIC_STATUS_FACTOR: f64 = 0.8;

/// A prior for mined templates: an error no signature names is weaker
/// evidence of a cause than one the catalog knows.
const TEMPLATE_PRIOR: f64 = 0.2;

/// Builds the summary.
pub fn summarize(inp: &Inputs<'_>) -> Summary {
    let d = inp.discovery;
    let offsets = clock_offsets(inp);
    let correct = |source: u32, ts: Option<i64>| {
        ts.map(|t| t - offsets[d.sources[source as usize].system as usize].offset_ms)
    };
    let newest = inp.data.events.iter().filter_map(|e| correct(e.source, e.ts)).max();
    let since = inp.since.zip(newest).map(|(b, n)| b.resolve(n));
    let until = inp.until.zip(newest).map(|(b, n)| b.resolve(n));
    let in_window = |ts: Option<i64>| match ts {
        Some(t) => since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u),
        None => since.is_none() && until.is_none(),
    };
    let series = build_series(inp, &in_window, &correct);

    // The window: every time seen (occurrences and traffic samples).
    let all_ts = || series.iter().flat_map(|s| s.occ.iter().filter_map(|o| o.ts));
    let mut lo = all_ts().min();
    let mut hi = all_ts().max();
    for (source, ps) in inp.data.per_source.iter().enumerate() {
        let off = offsets[d.sources[source].system as usize].offset_ms;
        for &(a, b, _) in &ps.volume {
            let (a, b) = (a - off, b - off);
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
            } * (1.0 - REMOTE_DISCOUNT * remote_share(s)),
            times: s.occ.iter().filter_map(|o| o.ts).collect(),
            ids: s.occ.iter().filter_map(|o| Some((o.request_id()?, o.ts?))).collect(),
            known: matches!(s.kind, Kind::Signature(..)),
        })
        .collect();
    let analysis = match (lo, hi) {
        (Some(lo), Some(hi)) => correlate::analyse(&inputs, lo, hi, &call_graph(inp.catalog, &series)),
        _ => correlate::Analysis::default(),
    };
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
    let causes = ranked
        .iter()
        .take(inp.top)
        .enumerate()
        .map(|(i, r)| {
            let s = &series[r.series];
            let words = describe(inp.catalog, &s.kind);
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
                    onset: round3(r.parts[0]),
                    rise: round3(r.parts[1]),
                    explains: round3(r.parts[2]),
                    prior: round3(r.parts[3]),
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
                first_seen: s.occ.iter().filter_map(|o| o.ts).min().map(rfc3339),
                last_seen: s.occ.iter().filter_map(|o| o.ts).max().map(rfc3339),
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
                onset: analysis.changes[r.series].map(|c| rfc3339(c.onset)),
            }
        })
        .collect();

    let mut signatures = Vec::new();
    let mut templates = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let first = s.occ.iter().filter_map(|o| o.ts).min().map(rfc3339);
        let onset = analysis
            .candidate
            .get(i)
            .is_some_and(|&c| c)
            .then(|| analysis.changes[i].map(|c| rfc3339(c.onset)))
            .flatten();
        match &s.kind {
            Kind::Signature(sig, _) => {
                let g = &inp.catalog.signatures[*sig as usize];
                let last = s.occ.iter().filter_map(|o| o.ts).max().map(rfc3339);
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
                    }
                    None => signatures.push(SignatureCount {
                        signature: g.id.clone(),
                        category: g.category.to_string(),
                        system,
                        count: s.occ.len() as u64,
                        first_seen: first,
                        last_seen: last,
                        onset,
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
                clock_offset_ms: offsets[i].offset_ms,
                clock_pairs: offsets[i].pairs,
                clock_method: offsets[i].method,
                time_formats: formats,
                assumed_timezone: zoneless.then(|| inp.zone_names[i].clone()),
            }
        })
        .collect::<Vec<_>>();

    let mut warnings: Vec<FileNote> = inp
        .data
        .warnings
        .iter()
        .map(|w| FileNote { file: w.file.clone(), reason: w.reason.clone() })
        .collect();
    for (s, &n) in inp.data.unnamed_dropped.iter().enumerate() {
        if n > 0 {
            warnings.push(FileNote {
                file: d.sources[s].display.clone(),
                reason: format!(
                    "{n} error lines no signature names were counted but not mined (over the cap)"
                ),
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
            elapsed_ms: inp.elapsed_ms,
            events: systems.iter().map(|s| s.events).sum(),
        },
        systems,
        causes,
        signatures,
        templates,
        skipped: d
            .skipped
            .iter()
            .map(|s| FileNote { file: s.file.clone(), reason: s.reason.clone() })
            .collect(),
        warnings,
    }
}

/// Groups events by (system, signature) and mines the unnamed lines of
/// each system into templates; occurrences in time order.
fn build_series<'a>(
    inp: &Inputs<'a>,
    in_window: &dyn Fn(Option<i64>) -> bool,
    correct: &dyn Fn(u32, Option<i64>) -> Option<i64>,
) -> Vec<Series<'a>> {
    let d = inp.discovery;
    let mut groups: BTreeMap<(u32, Kind), Vec<Occurrence<'a>>> = BTreeMap::new();
    for e in inp.data.events.iter() {
        let ts = correct(e.source, e.ts);
        if !in_window(ts) {
            continue;
        }
        let system = d.sources[e.source as usize].system;
        groups
            .entry((system, Kind::Signature(e.sig, e.remote)))
            .or_default()
            .push(Occurrence { ts, src: Src::Event(e) });
    }
    for (system, _) in d.systems.iter().enumerate() {
        let lines: Vec<&crate::engine::UnnamedLine> = inp
            .data
            .unnamed
            .iter()
            .filter(|u| {
                d.sources[u.source as usize].system as usize == system && in_window(correct(u.source, u.ts))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let texts: Vec<&[u8]> = lines.iter().map(|u| u.text.as_bytes()).collect();
        let mined = crate::mine::mine_messages(&texts);
        for (u, &t) in lines.iter().zip(&mined.per_line) {
            let tpl = &mined.templates[t];
            let kind = Kind::Template(tpl.id.clone(), tpl.template.clone());
            groups
                .entry((system as u32, kind))
                .or_default()
                .push(Occurrence { ts: correct(u.source, u.ts), src: Src::Unnamed(u) });
        }
    }
    groups
        .into_iter()
        .map(|((system, kind), mut occ)| {
            occ.sort_by_key(|o| (o.ts.unwrap_or(i64::MAX), o.source(), o.line()));
            Series { system, kind, occ }
        })
        .collect()
}

/// Who calls whom, from the requests two systems share: a system whose
/// lines about a request are a client's (a client exception, an outbound
/// call, a timeout) while the other's are not is the caller. Returns the
/// (caller, callee) pairs with a clear majority of at least three requests.
fn call_graph(catalog: &Catalog, series: &[Series<'_>]) -> Vec<(u32, u32)> {
    // Per request id and system: whether it spoke as a client. A timeout
    // is written by the side that waited, the caller.
    let mut seen: BTreeMap<&str, BTreeMap<u32, bool>> = BTreeMap::new();
    for s in series {
        let timeout = matches!(s.kind, Kind::Signature(sig, _) if catalog.signatures[sig as usize].category == Category::Timeout);
        for o in &s.occ {
            if let Some(id) = o.request_id() {
                *seen.entry(id).or_default().entry(s.system).or_default() |= o.remote() || timeout;
            }
        }
    }
    let mut votes: BTreeMap<(u32, u32), i64> = BTreeMap::new();
    for systems in seen.values().filter(|m| m.len() >= 2 && m.len() <= 8) {
        for (&a, &a_client) in systems {
            for (&b, &b_client) in systems {
                if a_client && !b_client {
                    *votes.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    votes
        .iter()
        .filter(|&(&(a, b), &n)| n >= 3 && n > 2 * votes.get(&(b, a)).copied().unwrap_or(0))
        .map(|(&pair, _)| pair)
        .collect()
}

/// Each system's clock offset, from the request ids its events share with
/// other systems' events, or the user's override.
fn clock_offsets(inp: &Inputs<'_>) -> Vec<skew::Offset> {
    let d = inp.discovery;
    let system_of = |source: u32| d.sources[source as usize].system;
    let mut sightings: Vec<skew::Sighting<'_>> = Vec::new();
    for e in &inp.data.events {
        if inp.catalog.signatures[e.sig as usize].category == Category::Timeout || e.deadline {
            continue; // written at a deadline, not when the other side acted
        }
        if let (Some(id), Some(t)) = (e.request_id.as_deref(), e.ts) {
            sightings.push((system_of(e.source), id, t + i64::from(e.handled_adjust_ms), e.status, e.remote));
        }
    }
    for u in &inp.data.unnamed {
        if let (Some(id), Some(t)) = (u.request_id.as_deref(), u.ts) {
            sightings.push((system_of(u.source), id, t, None, false));
        }
    }
    let overrides: Vec<(u32, i64)> = inp
        .clock_overrides
        .iter()
        .filter_map(|(name, ms)| d.systems.iter().position(|s| s == name).map(|i| (i as u32, *ms)))
        .collect();
    skew::estimate(d.systems.len(), &sightings, &overrides)
}

struct Words {
    id: String,
    category: Category,
    title: String,
    advice: Vec<String>,
}

fn describe(catalog: &Catalog, kind: &Kind) -> Words {
    match kind {
        Kind::Signature(sig, remote) => {
            let s = &catalog.signatures[*sig as usize];
            Words {
                id: s.id.clone(),
                category: s.category,
                title: if *remote { format!("{} (as a caller saw it)", s.title) } else { s.title.clone() },
                advice: catalog.advice_for(s),
            }
        }
        Kind::Template(id, text) => Words {
            id: id.clone(),
            category: Category::Other,
            title: format!("Unrecognised error: {text}"),
            advice: catalog.category_advice.get(&Category::Other).cloned().unwrap_or_default(),
        },
    }
}

fn prior(catalog: &Catalog, sig: u32) -> f64 {
    let s = &catalog.signatures[sig as usize];
    let base = match s.role {
        Role::Cause => 1.0,
        Role::Symptom => 0.3,
    };
    let base = match s.severity {
        Severity::Warning => base * 0.8,
        _ => base,
    };
    // A bare status code says less about what failed than a specific
    // message: when both describe the same lines, the specific one leads.
    if s.priority <= 0 && !s.http_status.is_empty() {
        base * GENERIC_STATUS_FACTOR
    } else {
        base
    }
}

/// A stable id of what a cause is: its system and signature (or template
/// id), never its counts or times, so a nightly job can update one ticket.
pub fn fingerprint(system: &str, signature: &str) -> String {
    let digest = Sha256::digest(format!("faultline.cause/v1\0{system}\0{signature}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
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
