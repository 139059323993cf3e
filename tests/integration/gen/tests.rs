//! The generator's own checks: reproducible bytes, every category across
//! the seeds, onsets inside the window, and every file parsing as the
//! format it claims (valid JSON, time layouts, continuation lines), plus
//! the ignored helpers that write sample incidents and print statistics.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};

use super::{all_seeds, generate, Truth, CATEGORIES};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn text(path: &Path) -> String {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&raw[..]).read_to_string(&mut s).unwrap();
        s
    } else {
        String::from_utf8(raw).unwrap()
    }
}

fn naive(s: &str, fmt: &str) -> Option<i64> {
    NaiveDateTime::parse_from_str(s, fmt).ok().map(|d| d.and_utc().timestamp_millis())
}

fn rfc(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis())
}

/// The written time of a head line in `format`, `None` for a line that is
/// not a head (a stack-trace line).
fn head_time(format: &str, line: &str, year: i32, error_log: bool) -> Option<i64> {
    let get = |n: usize| line.get(..n).unwrap_or("");
    if error_log {
        return naive(get(19), "%Y/%m/%d %H:%M:%S");
    }
    match format {
        "logback" | "python-logging" => naive(get(23), "%Y-%m-%d %H:%M:%S,%3f"),
        "log4j2" => naive(get(23), "%Y-%m-%dT%H:%M:%S,%3f"),
        "spring-boot" => rfc(line.split(' ').next()?),
        "go-log" => naive(get(26), "%Y/%m/%d %H:%M:%S%.6f"),
        "syslog" => naive(&format!("{year} {}", get(15)), "%Y %b %e %H:%M:%S"),
        "logfmt" => rfc(line.strip_prefix("ts=")?.split(' ').next()?),
        "nginx" => {
            let a = line.find('[')?;
            let b = line.find(']')?;
            DateTime::parse_from_str(&line[a + 1..b], "%d/%b/%Y:%H:%M:%S %z")
                .ok()
                .map(|d| d.timestamp_millis())
        }
        _ => {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON ({e}): {line}"));
            assert!(v.get("level").is_some(), "no level: {line}");
            assert!(v.get("msg").or(v.get("message")).is_some(), "no message: {line}");
            let t = v
                .get("@timestamp")
                .or(v.get("ts"))
                .or(v.get("time"))
                .unwrap_or_else(|| panic!("no time: {line}"));
            match t {
                serde_json::Value::Number(n) => n.as_i64(),
                serde_json::Value::String(s) => rfc(s),
                _ => None,
            }
        }
    }
}

fn continuation(line: &str) -> bool {
    ["\tat ", "\t... ", "Caused by: ", "Traceback (most recent call last):", "  File \"", "    "]
        .iter()
        .any(|p| line.starts_with(p))
        || line
            .split(':')
            .next()
            .is_some_and(|cls| !cls.contains(' ') && (cls.contains('.') || cls.ends_with("Error")))
}

/// Checks every file of an incident against its claimed format and window.
fn check_incident(dir: &Path, truth: &Truth) {
    let year = super::format::tm(truth.start_ms).y as i32;
    for (system, format) in &truth.formats {
        let offset = truth.offsets_ms.iter().find(|(n, _)| n == system).unwrap().1;
        let paths = files(&dir.join(system));
        assert!(!paths.is_empty(), "{system}: no files");
        for path in paths {
            let error_log = path.file_name().unwrap() == "error.log";
            let mut prev = i64::MIN;
            let mut heads = 0;
            for (i, line) in text(&path).lines().enumerate() {
                let at = format!("{}:{}: {line}", path.display(), i + 1);
                match head_time(format, line, year, error_log) {
                    Some(w) => {
                        heads += 1;
                        let t = w - offset;
                        assert!(
                            t >= truth.start_ms - 1000 && t <= truth.end_ms + 1000,
                            "outside the window: {at}"
                        );
                        assert!(w / 1000 >= prev / 1000, "time goes back: {at}");
                        prev = w;
                    }
                    None => assert!(
                        heads > 0 && !format.starts_with("json") && continuation(line),
                        "not a {format} line: {at}"
                    ),
                }
            }
            assert!(heads > 0, "{}: empty", path.display());
        }
    }
}

fn check_truth(t: &Truth) {
    assert!(t.onset_ms > t.start_ms && t.onset_ms < t.end_ms, "seed {}: onset outside the window", t.seed);
    assert!(t.cause_count > 0, "seed {}: no cause lines", t.seed);
    assert!((2..=4).contains(&t.offsets_ms.len()));
    assert_eq!(t.offsets_ms[0].1, 0, "the reference has offset 0");
    assert!(t.chain.first() != Some(&t.system), "seed {}: the cause has a caller", t.seed);
    assert!(!t.symptoms.is_empty(), "seed {}: no symptoms", t.seed);
    let first_symptom = t.symptoms.iter().map(|s| s.first_ms).min().unwrap();
    assert!(first_symptom >= t.onset_ms, "seed {}: a symptom before the cause", t.seed);
    assert!((1_000..=40_000).contains(&t.lines), "seed {}: {} lines", t.seed, t.lines);
}

#[test]
fn gen_is_deterministic() {
    for seed in [0, 7, 31] {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ta = generate(seed, a.path());
        let tb = generate(seed, b.path());
        assert_eq!(ta, tb);
        let fa = files(a.path());
        let fb = files(b.path());
        assert_eq!(fa.len(), fb.len());
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(x.strip_prefix(a.path()).unwrap(), y.strip_prefix(b.path()).unwrap());
            assert!(std::fs::read(x).unwrap() == std::fs::read(y).unwrap(), "{} differs", x.display());
        }
    }
}

#[test]
fn gen_covers_every_category() {
    let mut seen: Vec<String> = all_seeds().map(|s| super::plan::plan(s).category.to_string()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), CATEGORIES.len(), "{seen:?}");
}

#[test]
fn gen_incidents_parse_and_hold_their_truth() {
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let mut formats = std::collections::BTreeSet::new();
    let (mut rotated, mut gz, mut traces, mut skewed) = (0, 0, 0, 0);
    for seed in all_seeds() {
        let dir = root.path().join(format!("seed-{seed}"));
        let t = generate(seed, &dir);
        check_truth(&t);
        check_incident(&dir, &t);
        formats.extend(t.formats.iter().map(|f| f.1.clone()));
        let names: Vec<String> = files(&dir).iter().map(|p| p.display().to_string()).collect();
        rotated += usize::from(names.iter().any(|n| n.ends_with(".1")));
        gz += usize::from(names.iter().any(|n| n.ends_with(".gz")));
        skewed += usize::from(t.offsets_ms.iter().any(|o| o.1 != 0));
        traces += usize::from(
            files(&dir).iter().any(|p| text(p).contains("\n\tat ") || text(p).contains("\\n\\tat ")),
        );
    }
    eprintln!("{} incidents generated and checked in {:?}", all_seeds().count(), started.elapsed());
    assert_eq!(formats.len(), 12, "{formats:?}");
    assert!(rotated >= 10 && gz >= 5 && traces >= 10 && skewed >= 20, "{rotated} {gz} {traces} {skewed}");
}

/// Writes seeds 0..5 (0..$FAULTLINE_INCIDENTS) to
/// /tmp/faultline-incidents/seed-N, with truth-N.json beside them.
#[test]
#[ignore]
fn write_sample_incidents() {
    let root = Path::new("/tmp/faultline-incidents");
    let n: u64 = std::env::var("FAULTLINE_INCIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let seeds = if std::env::var_os("FAULTLINE_SEEDS").is_some() { all_seeds() } else { 0..n };
    for seed in seeds {
        let dir = root.join(format!("seed-{seed}"));
        let _ = std::fs::remove_dir_all(&dir);
        let t = generate(seed, &dir);
        t.write(&root.join(format!("truth-{seed}.json")));
        eprintln!("seed {seed}: {}", t.description);
    }
}

/// Prints one line per incident: cause, counts, symptom ratio, timing.
#[test]
#[ignore]
fn print_incident_stats() {
    let root = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    for seed in all_seeds() {
        let t = generate(seed, &root.path().join(format!("seed-{seed}")));
        eprintln!(
            "{seed:>2} {:<10} {:<15} lines={:>6} cause={:>5} symptoms={:>5} ratio={:>5.1} bg={:>2} ids={} chain={}",
            t.system, t.category, t.lines, t.cause_count, t.symptom_count(),
            t.symptom_count() as f64 / t.cause_count as f64, t.background.len(), t.shared_ids, t.chain.join(">")
        );
    }
    eprintln!("generated in {:?}", started.elapsed());
}
