//! Cause-ranking accuracy over generated incidents whose true cause is
//! known (`gen`): top-1 and top-3 (category and system of the cause),
//! the onset error, the clock offsets where request ids are shared, and a
//! naive ranking by count for comparison. The figures are printed (run with
//! `--nocapture` to see them) and asserted against the goals.

use crate::gen::{all_seeds, generate, generate_healthy, Truth};
use crate::util::*;

struct Outcome {
    top1: bool,
    top3: bool,
    naive: bool,
    onset_err_ms: Option<i64>,
    offset_errs: Vec<i64>,
    /// Errors of the offsets found from echoed failures (no shared ids),
    /// against the reference system.
    echo_errs: Vec<i64>,
}

fn judge(truth: &Truth, s: &crate::contract::Summary, raw: &serde_json::Value) -> Outcome {
    let is_truth = |c: &crate::contract::Cause| c.category == truth.category && c.system == truth.system;
    let top1 = s.causes.first().is_some_and(is_truth);
    let top3 = s.causes.iter().take(3).any(is_truth);
    // The naive ranking: the loudest signature.
    let naive = s
        .signatures
        .iter()
        .max_by_key(|g| g.count)
        .is_some_and(|g| g.category == truth.category && g.system == truth.system);
    let true_offset = |sys: &str| truth.offsets_ms.iter().find(|(n, _)| n == sys).map_or(0, |o| o.1);
    let our_offset = |sys: &str| s.systems.iter().find(|x| x.name == sys).map_or(0, |x| x.clock_offset_ms);
    let method = |sys: &str| {
        raw["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == sys)
            .map_or("none".to_string(), |x| x["clock_method"].as_str().unwrap_or("none").to_string())
    };
    // Our corrected clock is the true clock shifted by our reference's
    // true offset: true = ours + our_offset(S) − true_offset(S).
    let onset_err_ms = s.causes.iter().find(|c| is_truth(c)).and_then(|c| {
        let ms = chrono::DateTime::parse_from_rfc3339(raw_onset(raw, c)?).ok()?.timestamp_millis();
        Some((ms + our_offset(&c.system) - true_offset(&c.system) - truth.onset_ms).abs())
    });
    let mut offset_errs = Vec::new();
    let estimated: Vec<&str> =
        s.systems.iter().map(|x| x.name.as_str()).filter(|n| method(n) != "none").collect();
    if truth.shared_ids {
        for a in &estimated {
            for b in &estimated {
                if a < b {
                    let ours = our_offset(b) - our_offset(a);
                    let real = true_offset(b) - true_offset(a);
                    offset_errs.push((ours - real).abs());
                }
            }
        }
    }
    let reference = s.systems.iter().map(|x| x.name.as_str()).find(|n| method(n) == "reference");
    let echo_errs = match reference {
        Some(r) => s
            .systems
            .iter()
            .filter(|x| method(&x.name) == "error_series")
            .map(|x| {
                let ours = our_offset(&x.name) - our_offset(r);
                let real = true_offset(&x.name) - true_offset(r);
                (ours - real).abs()
            })
            .collect(),
        None => Vec::new(),
    };
    Outcome { top1, top3, naive, onset_err_ms, offset_errs, echo_errs }
}

fn raw_onset<'a>(raw: &'a serde_json::Value, c: &crate::contract::Cause) -> Option<&'a str> {
    raw["causes"].as_array()?.iter().find(|x| x["rank"] == c.rank)?["onset"].as_str()
}

/// Scans an incident as written by the generator (zoneless times in UTC)
/// with `--tz UTC`; with `FAULTLINE_MACHINE_TZ=Europe/Paris`, on a machine
/// in that zone without `--tz`, so zones must be inferred where a zoned
/// system's clock says so.
fn scan_in_machine_zone(dir: &std::path::Path) -> std::process::Output {
    let dir = dir.to_str().unwrap();
    match std::env::var("FAULTLINE_MACHINE_TZ") {
        Ok(tz) => bin().env("TZ", tz).args(["scan", "--format", "json", "--quiet", dir]).output().unwrap(),
        Err(_) => run(&["scan", "--format", "json", "--quiet", "--tz", "UTC", dir]),
    }
}

#[test]
fn ranking_accuracy_on_generated_incidents() {
    let root = Dir::new();
    let mut outcomes = Vec::new();
    let mut misses = Vec::new();
    for seed in all_seeds() {
        let dir = root.join(&format!("seed-{seed}"));
        let truth = generate(seed, &dir);
        let out = scan_in_machine_zone(&dir);
        let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let s: crate::contract::Summary = serde_json::from_value(raw.clone()).unwrap();
        let o = judge(&truth, &s, &raw);
        if !o.top1 {
            let got: Vec<String> = s
                .causes
                .iter()
                .take(3)
                .map(|c| format!("{}/{}/{}", c.category, c.system, c.signature))
                .collect();
            misses.push(format!("seed {seed}: want {}/{}, got {got:?}", truth.category, truth.system));
        }
        outcomes.push(o);
    }
    let n = outcomes.len() as f64;
    let share = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as f64 / n;
    let top1 = share(&|o| o.top1);
    let top3 = share(&|o| o.top3);
    let naive = share(&|o| o.naive);
    let mut onset: Vec<i64> = outcomes.iter().filter_map(|o| o.onset_err_ms).collect();
    onset.sort_unstable();
    let median_onset = onset.get(onset.len() / 2).copied().unwrap_or(i64::MAX);
    let offsets: Vec<i64> = outcomes.iter().flat_map(|o| o.offset_errs.iter().copied()).collect();
    let offsets_ok = offsets.iter().filter(|&&e| e <= 250).count();
    let echoes: Vec<i64> = outcomes.iter().flat_map(|o| o.echo_errs.iter().copied()).collect();
    let echoes_ok = echoes.iter().filter(|&&e| e <= 250).count();
    println!(
        "ranking over {} incidents: top-1 {:.1}%, top-3 {:.1}%, naive-by-count top-1 {:.1}%, \
         median onset error {} ms, clock offsets within 250 ms: {}/{} where ids are shared, \
         {}/{} from echoed failures",
        outcomes.len(),
        top1 * 100.0,
        top3 * 100.0,
        naive * 100.0,
        median_onset,
        offsets_ok,
        offsets.len(),
        echoes_ok,
        echoes.len()
    );
    for m in &misses {
        println!("  miss {m}");
    }
    // The floors sit just under what the ranking reaches today on seeds
    // 0..60 (96.7%, 98.3%, 0 ms, 101 of 101, 6 of 6 from echoes), so that a
    // regression fails. Held out: seeds 1000..1120 give 96.7%, 99.2%, 0 ms,
    // 204 of 211 (the offsets assertion fails there: a known weakness), 13
    // of 13.
    assert!(top1 >= 0.95, "top-1 {top1:.3}");
    assert!(top3 >= 0.98, "top-3 {top3:.3}");
    assert!(median_onset <= 1000, "median onset error {median_onset} ms");
    assert!(offsets_ok == offsets.len(), "offsets off by more than 250 ms: {offsets:?}");
    // an offset from echoes is only given when it is sharp: never a wrong one
    assert!(echoes_ok == echoes.len(), "offsets from echoed failures: {echoes:?}");
    assert!(naive < 0.4, "the naive ranking should fail often, got {naive:.2}");
}

/// The same systems, traffic, background errors and chatter as the
/// incidents, with no fault: a run must say that nothing is wrong (no
/// cause, exit 0) in at least 95% of them. Seeds 0..60: 0 of 30; held out,
/// seeds 1000..1120: 4 of 60 (rare background series that first appear
/// late, by chance, look new in a single run).
#[test]
fn healthy_generated_runs_report_no_incident() {
    let root = Dir::new();
    let seeds: Vec<u64> = all_seeds().step_by(2).collect();
    let mut alarms = Vec::new();
    for &seed in &seeds {
        let dir = root.join(&format!("healthy-{seed}"));
        generate_healthy(seed, &dir);
        let out = run(&["scan", "--format", "json", "--quiet", "--tz", "UTC", dir.to_str().unwrap()]);
        let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let causes = raw["causes"].as_array().map_or(0, Vec::len);
        assert_eq!(out.status.code(), Some(if causes > 0 { 1 } else { 0 }), "seed {seed}");
        assert_eq!(raw["incident"]["detected"].as_bool(), Some(causes > 0), "seed {seed}");
        if causes > 0 {
            let c = &raw["causes"][0];
            alarms.push(format!(
                "seed {seed}: {} in {} ({} times from {}, window {}..{}, parts {})",
                c["title"],
                c["system"],
                c["count"],
                c["first_seen"],
                raw["window"]["start"],
                raw["window"]["end"],
                c["score_parts"]
            ));
        }
    }
    println!("healthy runs reporting a cause: {} of {}", alarms.len(), seeds.len());
    for a in &alarms {
        println!("  {a}");
    }
    assert!(alarms.len() * 20 <= seeds.len(), "{alarms:?}");
}

/// With a healthy run of the same systems as `--baseline`, the cause is
/// still found, and the healthy run's own series are background: a healthy
/// run compared with itself reports nothing, its series at novelty 0.
#[test]
fn a_healthy_baseline_keeps_the_cause_and_silences_background() {
    let root = Dir::new();
    let seeds: Vec<u64> = all_seeds().step_by(3).collect();
    let mut right = 0;
    for &seed in &seeds {
        let incident = root.join(&format!("incident-{seed}"));
        let healthy = root.join(&format!("healthy-{seed}"));
        let truth = generate(seed, &incident);
        generate_healthy(seed, &healthy);
        let (inc, healthy) = (incident.to_str().unwrap(), healthy.to_str().unwrap());
        let out = run(&["scan", "--format", "json", "--quiet", "--tz", "UTC", "--baseline", healthy, inc]);
        let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(raw["baseline"]["files"].as_u64().unwrap() > 0, "seed {seed}: {}", raw["baseline"]);
        let s: crate::contract::Summary = serde_json::from_value(raw.clone()).unwrap();
        right += judge(&truth, &s, &raw).top1 as usize;
        // the healthy run against itself: nothing new
        let out =
            run(&["scan", "--format", "json", "--quiet", "--tz", "UTC", "--baseline", healthy, healthy]);
        let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(code(&out), 0, "seed {seed}: {}", raw["causes"]);
        for c in raw["candidates"].as_array().unwrap() {
            assert_eq!(c["score_parts"]["novelty"], 0.0, "seed {seed}: {c}");
        }
    }
    let share = right as f64 / seeds.len() as f64;
    println!("with a healthy baseline: top-1 {right} of {} ({:.1}%)", seeds.len(), share * 100.0);
    // seeds 0..60 (every third): 19 of 20, as without a baseline; held out,
    // 1000..1120 (every third): 36 of 40, the same 4 misses as without
    assert!(share >= 0.9, "top-1 {share:.3}");
}
