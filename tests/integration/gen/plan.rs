//! The random choices of one incident, all drawn from its seed up front:
//! which systems, in which formats, zones, clock offsets and rotations; how
//! they call each other; the span and traffic volume; the true cause
//! (system, category, onset, wording) and how it spreads; the background
//! error series. `traffic.rs` then plays the plan out.

use super::format::{days_from_civil, Format, Stack, Style};
use super::rng::Rng;
use super::wording::{mirror_category, CATEGORIES, NGINX_CAUSES};
use super::world::{Rotation, System};

const NAMES: [&str; 8] = ["crm", "erp", "gateway", "webhooks", "billing", "inventory", "auth", "queue"];

/// A kind of request and its share of traffic.
pub struct Kind {
    pub name: &'static str,
    pub method: &'static str,
    pub id_prefix: Option<&'static str>,
    pub weight: f64,
}

pub const KINDS: [Kind; 5] = [
    Kind { name: "orders", method: "POST", id_prefix: None, weight: 0.32 },
    Kind { name: "accounts", method: "PUT", id_prefix: Some("ACC-"), weight: 0.24 },
    Kind { name: "products", method: "GET", id_prefix: Some("SKU-"), weight: 0.2 },
    Kind { name: "invoices", method: "POST", id_prefix: None, weight: 0.09 },
    Kind { name: "webhooks", method: "POST", id_prefix: None, weight: 0.15 },
];
pub const WEBHOOK_KIND: usize = 4;

/// A steady background error series: `sys` fails (logs the category's
/// failure), its `caller` (if any) logs the answer.
pub struct Bg {
    pub sys: usize,
    pub caller: Option<usize>,
    pub cat: &'static str,
    pub mean_ms: f64,
}

pub struct Plan {
    /// Taken by the `World` when the plan is played.
    pub systems: Vec<System>,
    /// System names, alphabetical (index 0 is the reference clock).
    pub names: Vec<&'static str>,
    /// System indices in call order: `chain[0]` takes outside traffic and
    /// calls `chain[1]`, and so on. System indices are alphabetical.
    pub chain: Vec<usize>,
    /// Position of the cause system in `chain` (always ≥ 1: it has a caller).
    pub cause_pos: usize,
    pub category: &'static str,
    pub variant: usize,
    pub start: i64,
    pub end: i64,
    /// When the cause begins to bite (its first line is the first affected
    /// request after this).
    pub trigger: i64,
    pub entry_per_s: f64,
    pub shared_ids: bool,
    /// Request id style: 0 `req-<12 hex>`, 1 UUID, 2 32-hex trace id.
    pub id_style: u8,
    pub fail_frac: f64,
    /// Which request kinds the cause breaks (`None`: all).
    pub affected: Option<usize>,
    pub breaker: bool,
    pub backlog: bool,
    /// Lag from the first cause line until the caller saturates.
    pub saturate_after_ms: i64,
    pub api_prefix: Vec<&'static str>,
    pub background: Vec<Bg>,
    pub stack_traces: bool,
}

impl Plan {
    pub fn cause_sys(&self) -> usize {
        self.chain[self.cause_pos]
    }
}

fn style(rng: &mut Rng, name: &str, format: Format) -> Style {
    let zone_min = if format.has_zone() { *rng.pick(&[0, 0, 60, 120, -300, 330, -420]) } else { 0 };
    let rid_key = match format.stack() {
        Stack::Java => *rng.pick(&["request_id", "traceId", "correlationId"]),
        Stack::Node => *rng.pick(&["request_id", "reqId", "traceId"]),
        Stack::Go => *rng.pick(&["request_id", "trace_id"]),
        _ => *rng.pick(&["request_id", "req_id"]),
    };
    Style {
        format,
        zone_min,
        rid_key,
        time_key: if rng.chance(0.5) { "ts" } else { "time" },
        app: format!("{name}-{}", rng.pick(&["api", "svc", "service", "connector"])),
        host: format!("{name}-{:02}", rng.range(1, 12)),
        pid: rng.range(900, 32000) as u32,
    }
}

/// Draws the plan of incident `seed`.
pub fn plan(seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    // systems: 2–4 distinct names; index order = alphabetical (index 0 is the reference clock)
    let n = *rng.pick(&[2, 3, 3, 4, 4]);
    let mut pool = NAMES.to_vec();
    rng.shuffle(&mut pool);
    let mut names: Vec<&str> = pool[..n].to_vec();
    names.sort_unstable();
    let formats: Vec<Format> = names
        .iter()
        .map(|nm| if *nm == "gateway" && rng.chance(0.75) { Format::Nginx } else { *rng.pick(&Format::APP) })
        .collect();
    // call order: a random permutation; nginx never last (it needs an upstream)
    let mut chain: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut chain);
    if formats[chain[n - 1]] == Format::Nginx {
        chain.swap(0, n - 1);
    }
    // the cause: category by seed so every category recurs across seeds
    let category = CATEGORIES[((seed * 7 + 3) % CATEGORIES.len() as u64) as usize];
    let candidates: Vec<usize> =
        (1..n).filter(|&p| formats[chain[p]] != Format::Nginx || NGINX_CAUSES.contains(&category)).collect();
    let cause_pos = *rng.pick(&candidates);
    // time: a day in 2026, a 1–4 h window, onset in its second half-ish
    let day = days_from_civil(2026, rng.range(1, 11) as u32, rng.range(1, 29) as u32);
    let span_ms = rng.range(60, 241) * 60_000;
    let start = day * 86_400_000 + rng.range(0, 20 * 3600) * 1000 + rng.range(0, 1000);
    let end = start + span_ms;
    let trigger = start + (span_ms as f64 * rng.uniform(0.45, 0.82)) as i64;
    // volume: 3k–28k lines; about 3.2 lines per request per app hop
    let target = rng.range(2500, 20_000) as f64;
    let hops: f64 = chain.iter().map(|&s| if formats[s] == Format::Nginx { 1.3 } else { 3.2 }).sum();
    let entry_per_s = target / (span_ms as f64 / 1000.0) / (hops * 0.8 + 1.5);
    // offsets: the reference (index 0) is 0; others 0 or seconds to minutes
    let offsets: Vec<i64> = (0..n)
        .map(|i| {
            if i == 0 || rng.chance(0.35) {
                0
            } else {
                let mag = match rng.below(3) {
                    0 => rng.range(300, 5_000),
                    1 => rng.range(5_000, 60_000),
                    _ => rng.range(60_000, 240_000),
                };
                if rng.chance(0.5) {
                    mag
                } else {
                    -mag
                }
            }
        })
        .collect();
    let systems: Vec<System> = (0..n)
        .map(|i| {
            let st = style(&mut rng, names[i], formats[i]);
            let rot = match rng.below(10) {
                0..=2 => Rotation::Plain,
                3..=4 => Rotation::Gzip,
                _ => Rotation::None,
            };
            System::new(names[i], st, offsets[i], rot)
        })
        .collect();
    let affected = match category {
        "webhook" => Some(WEBHOOK_KIND),
        // payload problems hit writes (orders or accounts), not reads
        "validation" | "schema_mismatch" => Some(rng.below(2) as usize),
        _ if rng.chance(0.5) => None,
        _ => Some(rng.below(3) as usize),
    };
    let fail_frac = match category {
        "authentication" | "configuration" | "not_found" | "schema_mismatch" | "webhook" | "unavailable" => {
            1.0
        }
        "validation" => rng.uniform(0.35, 0.8),
        _ => rng.uniform(0.45, 0.95),
    };
    let api_prefix = (0..n).map(|_| *rng.pick(&["/api/v2", "/api/v1", "/v1", "/api"])).collect();
    let mut plan = Plan {
        systems,
        names: names.clone(),
        chain,
        cause_pos,
        category,
        variant: rng.below(6) as usize,
        start,
        end,
        trigger,
        entry_per_s,
        shared_ids: rng.chance(0.75),
        id_style: rng.below(3) as u8,
        fail_frac,
        affected,
        breaker: rng.chance(0.5),
        backlog: rng.chance(0.6),
        saturate_after_ms: rng.range(20_000, 240_000),
        api_prefix,
        background: Vec::new(),
        stack_traces: rng.chance(0.6),
    };
    plan.background = background(&mut rng, &plan);
    plan
}

/// 3–6 steady error series; often one of the cause's category elsewhere.
fn background(rng: &mut Rng, p: &Plan) -> Vec<Bg> {
    let n = p.systems.len();
    let cause = (p.cause_sys(), p.category);
    let caller_of =
        |s: usize| p.chain.iter().position(|&x| x == s).filter(|&i| i > 0).map(|i| p.chain[i - 1]);
    let ok = |sys: usize, cat: &str| {
        let nginx = p.systems[sys].is_nginx();
        if nginx && !NGINX_CAUSES.contains(&cat) {
            return false;
        }
        if (sys, cat) == cause {
            return false;
        }
        match caller_of(sys) {
            Some(c) => (c, mirror_category(cat)) != cause && (c, cat) != cause,
            None => true,
        }
    };
    let mut out = Vec::new();
    let mut wanted: Vec<&'static str> = Vec::new();
    if rng.chance(0.75) {
        wanted.push(p.category);
    }
    for _ in 0..rng.range(2, 6) {
        // the everyday ones (404s, retried read timeouts, 429s) more often
        wanted.push(*rng.pick(&[
            "not_found",
            "not_found",
            "timeout",
            "timeout",
            "rate_limit",
            "authentication",
            "validation",
            "server_error",
            "connectivity",
            "unavailable",
            "webhook",
            "schema_mismatch",
        ]));
    }
    for cat in wanted {
        let mut tries = 0;
        while tries < 8 {
            tries += 1;
            let sys = rng.below(n as u64) as usize;
            if !ok(sys, cat) {
                continue;
            }
            let caller = caller_of(sys).filter(|_| rng.chance(0.7));
            out.push(Bg { sys, caller, cat, mean_ms: rng.uniform(2.0, 14.0) * 60_000.0 });
            break;
        }
    }
    out
}
