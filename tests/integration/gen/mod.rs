//! Test-incident generator: reproducible, realistic multi-system incidents
//! with a known root cause, for measuring how well `faultline scan` ranks.
//!
//! `generate(seed, dir)` writes `dir/<system>/…` (one folder per system, as
//! `faultline scan dir` expects) and returns the [`Truth`]. Nothing else is
//! written into `dir`; [`Truth::write`] puts the truth wherever you like
//! (keep it outside the scanned folder). Zoneless formats are written in
//! UTC, so scan with `--tz UTC`.
//!
//! What one seed decides (see `plan.rs`):
//! - 2–4 systems named from crm, erp, gateway, webhooks, billing, inventory,
//!   auth, queue, each in one of: logback, log4j2, Spring Boot, JSON lines
//!   (`ts`/`time`/`@timestamp`/epoch-ms `time`), logfmt, Go `log`, syslog,
//!   Python `logging`, nginx access + error log; zones `Z`, `+01:00`,
//!   `-05:00`, `+05:30`… where the format writes one, else UTC;
//! - the call chain (a random order of the systems; an nginx gateway is
//!   never last), request ids shared across hops (75 %) or not, in one of
//!   three id styles;
//! - a 1–4 h window on a day of 2026 and 3k–30k lines of traffic;
//! - the cause: category `CATEGORIES[(7·seed + 3) mod 11]` (so every 11
//!   consecutive seeds cover the catalog), at a system that has a caller
//!   (any position but the first of the chain), starting after 45–82 % of
//!   the window, in the wording of that system's stack, with a harmless
//!   trigger line (key rotation, deploy, config reload…) just before;
//! - the cascade: the caller's answers to the failures (a few ms later),
//!   retries, a circuit breaker (50 %), saturation of the caller 20 s–4 min
//!   later (read timeouts and 502/504 further up), a queue backlog (60 %);
//! - 2–6 steady background error series over the whole window (often the
//!   cause's own category in another system; 404s, retried read timeouts,
//!   429s…), INFO/DEBUG chatter with decoys;
//! - clock offsets (reference = alphabetically first system, offset 0;
//!   others 0 or ±0.3 s … ±4 min), rotated files (`x.log.1`,
//!   `x.log.2.gz`), Java/Python stack traces (60 %).
//!
//! Times in the truth are on the reference clock (= true time, since the
//! reference's offset is 0): `written = true + offset` for every system.

mod format;
mod noise;
mod plan;
pub mod rng;
mod traffic;
mod wording;
mod world;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use wording::CATEGORIES;

/// One series of lines in the truth (a symptom or a background error).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Series {
    pub system: String,
    pub category: String,
    pub what: String,
    pub first_ms: i64,
    pub count: usize,
}

/// What really happened in a generated incident.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Truth {
    pub seed: u64,
    /// The system where the cause shows first.
    pub system: String,
    /// Its category (one of [`CATEGORIES`]).
    pub category: String,
    /// First cause line, ms since the epoch on the reference clock.
    pub onset_ms: i64,
    /// Each system's clock offset: written time = true time + offset.
    /// Alphabetical; the first is the reference (0).
    pub offsets_ms: Vec<(String, i64)>,
    /// The harmless-looking change (INFO, in the cause system) that
    /// precedes the first cause line by 0.2 s or more: a key rotation, a
    /// deploy, "maintenance mode enabled"… A catalog may flag it too.
    pub trigger_ms: i64,
    pub trigger: String,
    /// Whether request ids cross systems.
    pub shared_ids: bool,
    pub description: String,
    /// The logged window on the reference clock.
    pub start_ms: i64,
    pub end_ms: i64,
    /// Lines of the cause series.
    pub cause_count: usize,
    /// Systems in call order (first takes outside traffic).
    pub chain: Vec<String>,
    /// (system, format name)
    pub formats: Vec<(String, String)>,
    /// Incident effects other than the cause, first seen in order.
    pub symptoms: Vec<Series>,
    /// Steady errors present before and after the onset.
    pub background: Vec<Series>,
    /// Lines written, all files.
    pub lines: usize,
}

impl Truth {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap()
    }

    /// Writes the truth as JSON (keep it outside the scanned folder).
    pub fn write(&self, path: &Path) {
        std::fs::write(path, self.to_json()).unwrap();
    }

    /// Lines of symptoms with a category (not "other").
    pub fn symptom_count(&self) -> usize {
        self.symptoms.iter().filter(|s| s.category != "other").map(|s| s.count).sum()
    }
}

/// The seeds the ranking is measured on.
/// `FAULTLINE_SEEDS=A..B` runs other seeds, e.g. held-out ones never
/// looked at while tuning (`FAULTLINE_SEEDS=1000..1100`).
pub fn all_seeds() -> std::ops::Range<u64> {
    std::env::var("FAULTLINE_SEEDS")
        .ok()
        .and_then(|v| {
            let (a, b) = v.split_once("..")?;
            Some(a.trim().parse().ok()?..b.trim().parse().ok()?)
        })
        .unwrap_or(0..60)
}

/// Writes incident `seed` into `dir/<system>/…` and returns its truth.
pub fn generate(seed: u64, dir: &Path) -> Truth {
    write(plan::plan(seed), seed, dir)
}

/// Writes the same systems, traffic, background errors and chatter as
/// incident `seed`, with no fault: a healthy run.
pub fn generate_healthy(seed: u64, dir: &Path) -> Truth {
    let mut plan = plan::plan(seed);
    plan.trigger = plan.end + 1;
    write(plan, seed, dir)
}

fn write(mut plan: plan::Plan, seed: u64, dir: &Path) -> Truth {
    let systems = std::mem::take(&mut plan.systems);
    let world = world::World::new(systems, plan.start, plan.end);
    let mut sim = traffic::Sim::new(&plan, world, rng::Rng::new(seed).fork(0x5eed));
    // outside requests and sync jobs, processed in time order
    let mut starts: Vec<(i64, usize, u64)> = Vec::new(); // (t, hop or usize::MAX for entry, batch)
    let mut t = plan.start + sim.rng.range(0, 2000);
    let mean = 1000.0 / plan.entry_per_s;
    while t < plan.end {
        starts.push((t, usize::MAX, 0));
        t += sim.rng.exp_ms(mean);
    }
    for hop in 0..plan.chain.len() - 1 {
        if sim.w.systems[plan.chain[hop]].is_nginx() {
            continue;
        }
        let period = sim.rng.range(30, 121) * 1000;
        let mut t = plan.start + sim.rng.range(0, period);
        let mut batch = sim.rng.range(1000, 90_000) as u64;
        while t < plan.end {
            starts.push((t, hop, batch));
            batch += 1;
            t += period + sim.rng.range(0, 300);
        }
    }
    starts.sort_unstable();
    for (t, hop, batch) in starts {
        if hop == usize::MAX {
            sim.entry(t);
        } else {
            sim.job(hop, t, batch);
        }
    }
    let trigger = if plan.trigger < plan.end { sim.trigger_line() } else { (plan.end, String::new()) };
    sim.backlog();
    sim.background();
    sim.chatter();
    let first_cause = sim.first_cause;
    let mut world = sim.w;
    let lines = world.write(dir);
    truth(seed, &plan, &world, first_cause, trigger, lines)
}

fn truth(
    seed: u64,
    plan: &plan::Plan,
    w: &world::World,
    first: Option<i64>,
    trigger: (i64, String),
    lines: usize,
) -> Truth {
    let cs = plan.cause_sys();
    let name = |s: usize| plan.names[s].to_string();
    let mut symptoms = Vec::new();
    let mut background = Vec::new();
    let mut cause_count = 0;
    for ((s, cat, what), t) in &w.tally {
        let series = Series {
            system: name(*s),
            category: cat.clone(),
            what: what.clone(),
            first_ms: t.first_ms,
            count: t.count,
        };
        match what.as_str() {
            "cause" => cause_count += t.count,
            "background" => background.push(series),
            _ => symptoms.push(series),
        }
    }
    symptoms.sort_by_key(|s| s.first_ms);
    background.sort_by_key(|s| s.first_ms);
    let onset_ms = first.unwrap_or(plan.trigger);
    let caller = name(plan.chain[plan.cause_pos - 1]);
    let fmt = |s: usize| w.systems[s].style.format.name();
    let description = format!(
        "{} ({}) starts failing requests from {} with {} errors at {} (ref clock); {} cause lines, {} symptom lines in {} series; chain {}; ids {}shared; offsets {}",
        name(cs),
        fmt(cs),
        caller,
        plan.category,
        iso_ms(onset_ms),
        cause_count,
        symptoms.iter().filter(|s| s.category != "other").map(|s| s.count).sum::<usize>(),
        symptoms.len(),
        plan.chain.iter().map(|&s| name(s)).collect::<Vec<_>>().join(" -> "),
        if plan.shared_ids { "" } else { "not " },
        w.systems.iter().map(|s| format!("{}={}ms", s.name, s.offset_ms)).collect::<Vec<_>>().join(", "),
    );
    Truth {
        seed,
        system: name(cs),
        category: plan.category.to_string(),
        onset_ms,
        offsets_ms: w.systems.iter().map(|s| (s.name.clone(), s.offset_ms)).collect(),
        trigger_ms: trigger.0,
        trigger: trigger.1,
        shared_ids: plan.shared_ids,
        description,
        start_ms: plan.start,
        end_ms: plan.end,
        cause_count,
        chain: plan.chain.iter().map(|&s| name(s)).collect(),
        formats: (0..w.systems.len()).map(|s| (name(s), fmt(s).to_string())).collect(),
        symptoms,
        background,
        lines,
    }
}

/// `2026-11-24T19:07:01.123Z`
pub fn iso_ms(ms: i64) -> String {
    let t = format::tm(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.y, t.mo, t.d, t.h, t.mi, t.s, t.ms)
}
