//! Partials merge exactly: for random splits of generated incidents (by
//! system, by file, by day of a rotated file, by byte ranges of one file,
//! in any order, through a tree of merges), `merge` of the parts' partials gives the summary one scan of
//! everything gives, but for timings and `generated_at`. And partials that
//! cannot be read or contradict each other are said so, by file.

use crate::gen::rng::Rng;
use crate::util::*;
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The summary without what may differ between two runs of the same
/// inputs: the wall clock and timings.
fn comparable(json: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(json)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(json)));
    let o = v.as_object_mut().unwrap();
    o.remove("generated_at");
    let stats = o.get_mut("stats").and_then(Value::as_object_mut).unwrap();
    for k in ["elapsed_ms", "scan_ms", "correlate_ms"] {
        stats.remove(k);
    }
    v
}

/// Every log file under `dir` with its system (the sub-directory).
fn files_of(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for sys in std::fs::read_dir(dir).unwrap().flatten() {
        let name = sys.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(sys.path()).unwrap().flatten() {
            out.push((name.clone(), f.path()));
        }
    }
    out.sort();
    out
}

/// Cuts the biggest file in two at a line, as a daily rotation would:
/// `x.log.1` holds the first part, `x.log` the rest.
fn rotate(files: &[(String, PathBuf)], rng: &mut Rng) {
    let Some((_, big)) = files.iter().max_by_key(|(_, p)| std::fs::metadata(p).unwrap().len()) else {
        return;
    };
    let text = std::fs::read_to_string(big).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() < 4 {
        return;
    }
    let cut = 1 + rng.below(lines.len() as u64 - 2) as usize;
    let name = big.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::write(big.with_file_name(format!("{name}.1")), lines[..cut].concat()).unwrap();
    std::fs::write(big, lines[cut..].concat()).unwrap();
}

/// `scan --partial OUT` of some files, each named with its system.
fn scan_partial(files: &[&(String, PathBuf)], out: &Path, extra: &[&str]) {
    let mut args: Vec<String> = vec!["scan".into(), "-q".into(), "--tz".into(), "UTC".into()];
    for (sys, path) in files {
        args.push("--system".into());
        args.push(format!("{sys}={}", path.display()));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--partial".into());
    args.push(out.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let got = run(&refs);
    assert_eq!(code(&got), 0, "scan --partial: {}", String::from_utf8_lossy(&got.stderr));
}

fn merge(partials: &[PathBuf], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["merge".into(), "-q".into(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(partials.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs)
}

/// One incident, one random split, the window or not: merge == scan.
fn check_split(seed: u64, split_seed: u64, window: Option<&str>) {
    let dir = Dir::new();
    let logs = dir.join("logs");
    crate::gen::generate(seed, &logs);
    let mut rng = Rng::new(split_seed);
    rotate(&files_of(&logs), &mut rng);
    let files = files_of(&logs);
    let mut extra: Vec<&str> = Vec::new();
    if let Some(w) = window {
        extra.extend(["--since", w]);
    }

    // sometimes the biggest file is cut in byte ranges too, on a small
    // block grid so that a small file has many blocks
    let ranged = rng.below(2) == 0;
    let block = "--block-size=4096";
    let logs_arg = logs.display().to_string();
    let mut whole_args = vec!["scan", "--format", "json", "-q", "--tz", "UTC", logs_arg.as_str()];
    whole_args.extend(&extra);
    if ranged {
        whole_args.push(block);
    }
    let whole = run(&whole_args);
    assert!(code(&whole) <= 1, "scan: {}", String::from_utf8_lossy(&whole.stderr));

    // each file to one of k parts; a part with no file is not written
    let k = 2 + rng.below(4) as usize;
    let biggest = files.iter().max_by_key(|(_, p)| std::fs::metadata(p).unwrap().len()).cloned().unwrap();
    let mut parts: Vec<Vec<&(String, PathBuf)>> = vec![Vec::new(); k];
    for f in files.iter().filter(|f| !ranged || **f != biggest) {
        parts[rng.below(k as u64) as usize].push(f);
    }
    parts.retain(|p| !p.is_empty());
    let out = dir.join("partials");
    std::fs::create_dir_all(&out).unwrap();
    let mut partials: Vec<PathBuf> = Vec::new();
    let flags: &[&str] = if ranged { &[block] } else { &[] };
    for (i, part) in parts.iter().enumerate() {
        let p = out.join(format!("part-{i}.partial"));
        scan_partial(part, &p, flags);
        partials.push(p);
    }
    // a tree: the first two parts merged into one partial first (whole
    // files only: a merge stitches a file's ranges only with all of them)
    if partials.len() >= 2 && rng.below(2) == 0 {
        let joined = out.join("joined.partial");
        let mut args =
            vec!["merge".to_string(), "-q".into(), "--partial".into(), joined.display().to_string()];
        args.extend(partials[..2].iter().map(|p| p.display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = run(&refs);
        assert_eq!(code(&got), 0, "merge --partial: {}", String::from_utf8_lossy(&got.stderr));
        partials.drain(..2);
        partials.push(joined);
    }
    if ranged {
        let len = std::fs::metadata(&biggest.1).unwrap().len();
        let mut cuts: Vec<u64> = (0..1 + rng.below(4)).map(|_| rng.below(len)).collect();
        cuts.extend([0, len]);
        cuts.sort_unstable();
        for (i, w) in cuts.windows(2).enumerate() {
            let p = out.join(format!("range-{i}.partial"));
            let range = format!(
                "--byte-range={}-{}",
                w[0],
                if w[1] == len { String::new() } else { w[1].to_string() }
            );
            if w[0] == w[1] {
                continue;
            }
            scan_partial(&[&biggest], &p, &[block, &range]);
            partials.push(p);
        }
    }
    // in any order
    for i in (1..partials.len()).rev() {
        partials.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let merged = merge(&partials, &extra);
    assert_eq!(code(&merged), code(&whole), "exit status: {}", String::from_utf8_lossy(&merged.stderr));
    let (want, got) = (comparable(&whole.stdout), comparable(&merged.stdout));
    if want != got {
        let (w, g) = (want.as_object().unwrap(), got.as_object().unwrap());
        for (key, value) in w {
            if g.get(key) != Some(value) {
                panic!(
                    "seed {seed} split {split_seed} ({} parts, ranges: {ranged}): `{key}` differs\nscan:  {}\nmerge: {}",
                    parts.len(),
                    &value.to_string().chars().take(1500).collect::<String>(),
                    &g.get(key)
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                        .chars()
                        .take(1500)
                        .collect::<String>()
                );
            }
        }
        panic!("seed {seed} split {split_seed}: the summaries differ");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, .. ProptestConfig::default() })]
    #[test]
    fn merge_of_any_split_is_the_scan_of_everything(seed in 0u64..60, split in any::<u64>(), window in any::<bool>()) {
        check_split(seed, split, window.then_some("20m"));
    }
}

/// The small two-system incident, and its partial written in another
/// folder (a partial inside the logs would be scanned with them).
struct IncidentPartial {
    logs: Dir,
    out: Dir,
    partial: PathBuf,
    /// What `scan --partial` said.
    said: String,
}

fn incident_partial() -> IncidentPartial {
    let logs = Dir::new();
    incident(&logs);
    let out = Dir::new();
    let partial = out.join("incident.partial");
    let got =
        run(&["scan", "--tz", "UTC", logs.path().to_str().unwrap(), "--partial", partial.to_str().unwrap()]);
    assert_eq!(code(&got), 0, "{}", String::from_utf8_lossy(&got.stderr));
    IncidentPartial { logs, out, partial, said: String::from_utf8_lossy(&got.stderr).into_owned() }
}

#[test]
fn one_partial_is_the_scan_of_its_files() {
    let IncidentPartial { logs: dir, out: _out, partial: p, said } = incident_partial();
    let whole = run(&["scan", "--format", "json", "-q", "--tz", "UTC", dir.path().to_str().unwrap()]);
    assert!(said.contains("wrote") && said.contains("events"), "{said}");
    let merged = merge(std::slice::from_ref(&p), &[]);
    assert_eq!(comparable(&merged.stdout), comparable(&whole.stdout));
    assert_eq!(code(&merged), code(&whole));
}

#[test]
fn unreadable_partials_are_skipped_by_name_and_the_rest_merged() {
    let IncidentPartial { out: junk, partial: good, .. } = incident_partial();
    let not_json = junk.write("notes.txt", "hello\n");
    let newer = junk.write("newer.partial", r#"{"schema":"faultline.partial/v9"}"#);
    let cut = junk.write("cut.partial", &std::fs::read(&good).unwrap()[..200]);
    let out = merge(&[good, not_json, newer, cut], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("notes.txt: skipped: not a faultline partial"), "{err}");
    assert!(err.contains("newer.partial: skipped: written in faultline.partial/v9"), "{err}");
    assert!(err.contains("cut.partial: skipped:"), "{err}");
    let v = comparable(&out.stdout);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3);
    assert!(!v["causes"].as_array().unwrap().is_empty());
    // --strict makes any skipped partial fail the run
    let strict = merge(&[junk.join("notes.txt")], &["--strict"]);
    assert_eq!(code(&strict), 2);
}

#[test]
fn contradicting_partials_stop_the_merge_and_say_why() {
    let IncidentPartial { logs: dir, out, partial: a, .. } = incident_partial();
    let b = out.join("b.partial");
    // the same files twice
    let twice = merge(&[a.clone(), a.clone()], &[]);
    let err = String::from_utf8_lossy(&twice.stderr).into_owned();
    assert_eq!(code(&twice), 2, "{err}");
    assert!(err.contains("give each file to one partial"), "{err}");
    // a system read in another zone
    let erp = dir.join("incident/erp");
    let crm = dir.join("incident/crm");
    for (p, sys, tz) in [(&a, &erp, "UTC"), (&b, &crm, "Europe/Paris")] {
        let system = format!("erp={}", sys.display());
        let v = ["scan", "-q", "--tz", tz, "--system", &system, "--partial", p.to_str().unwrap()];
        assert_eq!(code(&run(&v)), 0);
    }
    let zones = merge(&[a.clone(), b.clone()], &[]);
    let err = String::from_utf8_lossy(&zones.stderr).into_owned();
    assert_eq!(code(&zones), 2, "{err}");
    assert!(err.contains("was read in zone") && err.contains("same --tz"), "{err}");
    // a catalog that lacks a signature the scan used
    let patterns = Dir::new();
    patterns.write(
        "only.toml",
        "[[signature]]\nid = \"acme.only\"\ncategory = \"configuration\"\ntitle = \"Only\"\nseverity = \"error\"\nrole = \"cause\"\nliterals = [\"ZZQQ_NEVER\"]\nexamples = [\"2026-11-24T10:00:00Z ERROR ZZQQ_NEVER\"]\n",
    );
    let lacking = merge(
        std::slice::from_ref(&a),
        &["--no-builtin-patterns", "--patterns", patterns.path().to_str().unwrap()],
    );
    let err = String::from_utf8_lossy(&lacking.stderr).into_owned();
    assert_eq!(code(&lacking), 2, "{err}");
    assert!(err.contains("which this catalog lacks"), "{err}");
}

#[test]
fn partial_refuses_what_belongs_to_the_merge() {
    let dir = Dir::new();
    incident(&dir);
    let out = run(&["scan", dir.path().to_str().unwrap(), "--partial", "/dev/null", "--since", "1h"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}

#[test]
fn byte_ranges_keep_the_per_file_caps_and_must_tile_the_file() {
    // more unnamed error lines than a file keeps (4,000): the merge keeps
    // the first ones across ranges, as one scan does
    let dir = Dir::new();
    let mut text = String::new();
    for i in 0..9_000 {
        let (m, s) = (i / 600, (i / 10) % 60);
        text.push_str(&format!(
            "2026-11-24T10:{m:02}:{s:02}.{:03}Z ERROR ledger drift {i} on shard {}\n",
            i % 1000,
            i % 7
        ));
    }
    let log = dir.write("ledger/app.log", &text);
    let log_arg = format!("ledger={}", log.display());
    let whole =
        run(&["scan", "--format", "json", "-q", "--tz", "UTC", "--block-size=8192", "--system", &log_arg]);
    let len = text.len() as u64;
    let cuts = [0, len / 3, len / 3 + 5000, len];
    let mut partials = Vec::new();
    for (i, w) in cuts.windows(2).enumerate() {
        let p = dir.join(&format!("r{i}.partial"));
        let range = format!("--byte-range={}-{}", w[0], w[1]);
        let v = [
            "scan",
            "-q",
            "--tz",
            "UTC",
            "--block-size=8192",
            &range,
            "--system",
            &log_arg,
            "--partial",
            p.to_str().unwrap(),
        ];
        assert_eq!(code(&run(&v)), 0);
        partials.push(p);
    }
    let merged = merge(&partials, &[]);
    assert_eq!(comparable(&merged.stdout), comparable(&whole.stdout));
    let v = comparable(&merged.stdout);
    assert!(v["warnings"].to_string().contains("not mined (over the cap)"), "{}", v["warnings"]);
    // a range left out is named, with the byte where the gap starts
    let gap = merge(&[partials[0].clone(), partials[2].clone()], &[]);
    let err = String::from_utf8_lossy(&gap.stderr).into_owned();
    assert_eq!(code(&gap), 2, "{err}");
    assert!(err.contains("are in no partial") && err.contains("must tile the file"), "{err}");
    // a range of a gzip file is refused: it cannot be read by offset
    let gz = dir.write_gz("z/app.log.gz", text.as_bytes());
    let out = run(&[
        "scan",
        "-q",
        gz.to_str().unwrap(),
        "--byte-range=0-1K",
        "--partial",
        dir.join("z.partial").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("give it whole"));
}

/// Every number node of a JSON value, as paths of keys and indices.
fn number_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Number(_) => out.push(path.clone()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(40) {
                path.push(i.to_string());
                number_paths(x, path, out);
                path.pop();
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                path.push(k.clone());
                number_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at_path<'v>(v: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(v, |v, k| match v {
        Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        Value::Object(o) => o.get_mut(k).unwrap(),
        _ => unreachable!(),
    })
}

#[test]
fn hostile_partials_never_crash_the_merge() {
    // a valid partial whose numbers (times, lines, indices, counts, spans)
    // are set to extremes, or whose fields are dropped: the merge skips or
    // refuses it with a message, or ranks what it can; it never panics
    let IncidentPartial { partial: good, out: _out, .. } = incident_partial();
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&good).unwrap()).read_to_string(&mut s).unwrap();
        s
    };
    let original: Value = serde_json::from_str(&text).unwrap();
    let mut paths = Vec::new();
    number_paths(&original, &mut Vec::new(), &mut paths);
    let extremes: [Value; 8] = [
        0.into(),
        (-1).into(),
        (1i64 << 40).into(),
        i64::MAX.into(),
        i64::MIN.into(),
        u64::MAX.into(),
        (-86_400_000i64 * 365 * 500).into(),
        4_000_000_000u64.into(),
    ];
    let mut rng = Rng::new(0x5eed_f00d);
    let junk = Dir::new();
    for case in 0..40 {
        let mut v = original.clone();
        for _ in 0..1 + rng.below(6) {
            let path = &paths[rng.below(paths.len() as u64) as usize];
            *at_path(&mut v, path) = extremes[rng.below(extremes.len() as u64) as usize].clone();
        }
        if rng.below(4) == 0 {
            // a field gone
            let keys = ["sources", "systems", "events", "catalog", "unnamed", "warnings"];
            v.as_object_mut().unwrap().remove(keys[rng.below(keys.len() as u64) as usize]);
        }
        let p = junk.write(&format!("m{case}.partial"), v.to_string());
        let out = merge(&[p], &[]);
        assert!(
            matches!(code(&out), 0..=2),
            "case {case}: exit {} {}",
            code(&out),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_partial_to_a_device_is_written_in_place_and_a_full_disk_is_an_error() {
    use std::os::unix::fs::FileTypeExt;
    let dir = Dir::new();
    incident(&dir);
    let root = dir.path().to_str().unwrap();
    if std::fs::metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device()) {
        let out = run(&["scan", "-q", root, "--partial", "/dev/full"]);
        assert_eq!(code(&out), 2);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("/dev/full: cannot write the partial"), "{err}");
        // never replaced by a rename
        assert!(std::fs::metadata("/dev/full").unwrap().file_type().is_char_device());
    }
    let out = run(&["scan", "-q", root, "--partial", "/dev/stdout"]);
    assert_eq!(code(&out), 0);
    assert_eq!(&out.stdout[..2], &[0x1f, 0x8b], "a gzip partial on stdout");
}

#[test]
fn the_kubernetes_recipe_run_locally_gives_the_scan_of_everything() {
    // recipes/kubernetes/run-local.sh: the Indexed Job's shards (with
    // JOB_COMPLETION_INDEX as Kubernetes sets it), then the merge Job
    let dir = Dir::new();
    let logs = dir.join("logs");
    crate::gen::generate(7, &logs);
    let out = dir.join("out");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/recipes/kubernetes/run-local.sh");
    let got = std::process::Command::new("sh")
        .arg(script)
        .env("SHARDS", "5")
        .env("LOGS", &logs)
        .env("PARTIALS", &out)
        .env("FAULTLINE", env!("CARGO_BIN_EXE_faultline"))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let whole = run(&["scan", "--format", "json", "-q", "--tz", "UTC", logs.to_str().unwrap()]);
    assert_eq!(code(&got), code(&whole), "{}", String::from_utf8_lossy(&got.stderr));
    let parts = std::fs::read_dir(out.join("parts")).unwrap().count();
    assert!(parts >= 2, "{parts} shards written");
    let summary = std::fs::read(out.join("summary.json")).unwrap();
    assert_eq!(comparable(&summary), comparable(&whole.stdout));
}
