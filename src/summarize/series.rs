//! The series of a summary: what each one counts ([`Kind`]), the
//! occurrences in it (references, not copies), the priors the catalog and
//! the words of a mined template give it, the clock offsets and the call
//! graph learned from the requests systems share.

use super::Inputs;
use crate::catalog::{Catalog, Category, Role, Severity};
use crate::event::Level;
use std::collections::BTreeMap;

/// What a series counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
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
pub(super) struct Occurrence<'a> {
    pub(super) ts: Option<i64>,
    pub(super) src: Src<'a>,
}

#[derive(Clone, Copy)]
pub(super) enum Src<'a> {
    Event(&'a crate::event::Event),
    Unnamed(&'a crate::engine::UnnamedLine),
}

impl<'a> Occurrence<'a> {
    pub(super) fn request_id(&self) -> Option<&'a str> {
        match self.src {
            Src::Event(e) => e.request_id.as_deref(),
            Src::Unnamed(u) => u.request_id.as_deref(),
        }
    }
    pub(super) fn source(&self) -> u32 {
        match self.src {
            Src::Event(e) => e.source,
            Src::Unnamed(u) => u.source,
        }
    }
    pub(super) fn line(&self) -> u64 {
        match self.src {
            Src::Event(e) => e.line,
            Src::Unnamed(u) => u.line,
        }
    }
    /// Its time was written to the second.
    pub(super) fn whole_second(&self) -> bool {
        match self.src {
            Src::Event(e) => e.whole_second,
            Src::Unnamed(u) => u.whole_second,
        }
    }
    /// Its time as written (on the corrected clock): the second itself,
    /// not the middle of it that `ts` holds for statistics.
    pub(super) fn shown_ts(&self) -> Option<i64> {
        self.ts.map(|t| if self.whole_second() { t - crate::event::WHOLE_SECOND_MID_MS } else { t })
    }
    pub(super) fn level(&self) -> Level {
        match self.src {
            Src::Event(e) => e.level,
            Src::Unnamed(u) => u.level,
        }
    }
    pub(super) fn status(&self) -> Option<u16> {
        match self.src {
            Src::Event(e) => e.status,
            Src::Unnamed(_) => None,
        }
    }
    /// The text, when it was kept (stdin, unnamed lines).
    pub(super) fn text(&self) -> Option<&'a str> {
        match self.src {
            Src::Event(e) => e.text.as_deref(),
            Src::Unnamed(u) => Some(&u.text),
        }
    }
    /// (head offset, hit offset) to read the evidence again.
    pub(super) fn offsets(&self) -> (u64, Option<u64>) {
        match self.src {
            Src::Event(e) => (e.offset, e.hit_offset),
            Src::Unnamed(_) => (0, None),
        }
    }
    pub(super) fn remote(&self) -> bool {
        match self.src {
            Src::Event(e) => e.remote,
            Src::Unnamed(u) => u.client_trace || crate::event::is_remote_view(u.text.as_bytes()),
        }
    }
}

pub(super) struct Series<'a> {
    pub(super) system: u32,
    pub(super) kind: Kind,
    pub(super) occ: Vec<Occurrence<'a>>,
    /// How often the same series occurs in the `--baseline` run.
    pub(super) baseline_count: u64,
}

pub(super) fn remote_share(s: &Series<'_>) -> f64 {
    if s.occ.is_empty() {
        return 0.0;
    }
    s.occ.iter().filter(|o| o.remote()).count() as f64 / s.occ.len() as f64
}

/// Words of a mined template that say it reports a consequence (a retry,
/// a backlog, a breaker): the "usually symptoms".
pub(super) const SYMPTOM_WORDS: [&str; 9] =
    ["retry", "retrying", "attempt", "backlog", "queue depth", "requeued", "giving up", "circuit", "breaker"];

/// The prior of a mined template: neutral, and lower for one that
/// describes a consequence.
pub(super) fn template_prior(text: &str) -> f64 {
    let lower = text.to_ascii_lowercase();
    if SYMPTOM_WORDS.iter().any(|w| lower.contains(w)) {
        TEMPLATE_PRIOR / 2.0
    } else {
        TEMPLATE_PRIOR
    }
}

/// Words that say a line is a notice about the future, not a failure now
/// (deprecations, fallbacks): whatever its level, it is not severe.
pub(super) const NOTICE_WORDS: [&str; 7] = [
    "deprecated",
    "deprecation",
    "will be removed",
    "is not recommended",
    "consider using",
    "falling back",
    "no longer supported",
];

/// How bad one line's level says it is.
fn level_severity(level: Level) -> Option<f64> {
    match level {
        Level::Fatal => Some(1.0),
        Level::Error => Some(0.85),
        Level::Warn => Some(0.45),
        Level::Info => Some(0.2),
        Level::Debug => Some(0.1),
        Level::Unknown => None,
    }
}

/// How bad a series' lines say it is, in [0, 1]: the mean over its
/// occurrences of the level's severity, blended half and half with the
/// catalog's severity for a named signature (a level-less access line
/// takes the catalog's alone); a notice (deprecation, fallback) counts half.
pub(super) fn severity(catalog: &Catalog, s: &Series<'_>) -> f64 {
    let named = match s.kind {
        Kind::Signature(sig, _) => Some(match catalog.signatures[sig as usize].severity {
            Severity::Critical => 1.0,
            Severity::Error => 0.85,
            Severity::Warning => 0.45,
        }),
        Kind::Template(..) => None,
    };
    if s.occ.is_empty() {
        return named.unwrap_or(0.5);
    }
    let total: f64 = s
        .occ
        .iter()
        .map(|o| match (level_severity(o.level()), named) {
            (Some(l), Some(n)) => 0.5 * (l + n),
            (Some(l), None) => l,
            (None, Some(n)) => n,
            (None, None) => 0.5,
        })
        .sum();
    let mean = total / s.occ.len() as f64;
    let notice = match &s.kind {
        Kind::Template(_, text) => {
            let lower = text.to_ascii_lowercase();
            NOTICE_WORDS.iter().any(|w| lower.contains(w))
        }
        Kind::Signature(..) => false,
    };
    if notice {
        mean * 0.5
    } else {
        mean
    }
}

/// Whether a series' lines carry no message: a mined template with no
/// letter or digit outside its wildcards (a record of a header alone, such
/// as the blank lines oslo.log writes inside a trace).
pub(super) fn wordless(kind: &Kind) -> bool {
    match kind {
        Kind::Template(_, text) => !text.replace("<*>", "").bytes().any(|b| b.is_ascii_alphanumeric()),
        Kind::Signature(..) => false,
    }
}

/// A named root-cause signature says most; a bare HTTP status less (it
/// says what answer came back, not why); a mined template least.
pub(super) fn specificity(catalog: &Catalog, kind: &Kind) -> f64 {
    match kind {
        Kind::Signature(sig, _) => {
            let s = &catalog.signatures[*sig as usize];
            if s.priority <= 0 && !s.http_status.is_empty() {
                0.6
            } else {
                1.0
            }
        }
        Kind::Template(..) => 0.35,
    }
}

/// A prior for mined templates: neither cause nor symptom is known (the
/// catalog's are 1.0 and 0.3).
pub(super) const TEMPLATE_PRIOR: f64 = 0.5;

/// Groups events by (system, signature) and mines the unnamed lines of
/// each system into templates (with the baseline's unnamed lines of the
/// same system, so that both runs share templates); occurrences in time
/// order, with the baseline's counts.
pub(super) fn build_series<'a>(
    inp: &Inputs<'a>,
    in_window: &dyn Fn(Option<i64>) -> bool,
    correct: &dyn Fn(u32, Option<i64>) -> Option<i64>,
    normal: Option<&super::baseline::Normal<'_>>,
) -> Vec<Series<'a>> {
    let d = inp.discovery;
    let mut groups: BTreeMap<(u32, Kind), Vec<Occurrence<'a>>> = BTreeMap::new();
    let mut template_baseline: BTreeMap<(u32, String), u64> = BTreeMap::new();
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
        let normal_lines = normal.map_or(&[][..], |n| n.unnamed_of(&d.systems[system]));
        let texts: Vec<&[u8]> =
            lines.iter().map(|u| u.text.as_bytes()).chain(normal_lines.iter().copied()).collect();
        let mined = crate::mine::mine_messages(&texts);
        for (u, &t) in lines.iter().zip(&mined.per_line) {
            let tpl = &mined.templates[t];
            let kind = Kind::Template(tpl.id.clone(), tpl.template.clone());
            groups
                .entry((system as u32, kind))
                .or_default()
                .push(Occurrence { ts: correct(u.source, u.ts), src: Src::Unnamed(u) });
        }
        for &t in &mined.per_line[lines.len()..] {
            let tpl = &mined.templates[t];
            *template_baseline.entry((system as u32, tpl.id.clone())).or_insert(0) += 1;
        }
    }
    groups
        .into_iter()
        .map(|((system, kind), mut occ)| {
            occ.sort_by_key(|o| (o.ts.unwrap_or(i64::MAX), o.source(), o.line()));
            let baseline_count = match (&kind, normal) {
                (Kind::Signature(sig, remote), Some(n)) => {
                    n.signature_count(&d.systems[system as usize], *sig, *remote)
                }
                (Kind::Template(id, _), Some(n)) => {
                    template_baseline.get(&(system, id.clone())).copied().unwrap_or(0)
                        + n.template_count(&d.systems[system as usize], id)
                }
                (_, None) => 0,
            };
            Series { system, kind, occ, baseline_count }
        })
        .collect()
}

/// Who calls whom, from the requests two systems share: a system whose
/// lines about a request are a client's (a client exception, an outbound
/// call, a timeout) while the other's are not is the caller. Returns the
/// (caller, callee) pairs with a clear majority of at least three requests.
pub(super) fn call_graph(catalog: &Catalog, series: &[Series<'_>]) -> Vec<(u32, u32)> {
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

pub(super) struct Words {
    pub(super) id: String,
    pub(super) category: Category,
    pub(super) title: String,
    pub(super) advice: Vec<String>,
}

pub(super) fn describe(catalog: &Catalog, kind: &Kind) -> Words {
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

pub(super) fn prior(catalog: &Catalog, sig: u32) -> f64 {
    match catalog.signatures[sig as usize].role {
        Role::Cause => 1.0,
        Role::Symptom => 0.3,
    }
}

/// An onset as written: the time of the occurrence it falls on, shown as
/// its line wrote it (a whole second, not the middle of it).
pub(super) fn shown_onset(s: &Series<'_>, onset: i64) -> i64 {
    s.occ.iter().find(|o| o.ts == Some(onset)).and_then(|o| o.shown_ts()).unwrap_or(onset)
}
