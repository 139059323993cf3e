//! Accuracy regression test: runs the real binary on the 8 labelled
//! Loghub-2k datasets and scores it with the shared `score.py`.
//! Data: `$FAULTLINE_SHARED/data/loghub-2k` (default
//! `$CARGO_MANIFEST_DIR/../shared`); skipped with a note when absent.
use std::path::PathBuf;
use std::process::Command;

fn shared() -> PathBuf {
    match std::env::var_os("FAULTLINE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")),
    }
}

/// (dataset, min GA, min PA): just under what the miner reaches.
const FLOORS: &[(&str, f64, f64)] = &[
    ("HDFS", 0.99, 0.93),
    ("Hadoop", 0.97, 0.89),
    ("Spark", 0.99, 0.91),
    ("Zookeeper", 0.98, 0.66),
    ("BGL", 0.98, 0.97),
    ("Apache", 0.99, 0.99),
    ("OpenSSH", 0.99, 0.98),
    ("HealthApp", 0.99, 0.86),
];

fn field(json: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\": ");
    let at = json.find(&pat).unwrap_or_else(|| panic!("no {key} in {json}")) + pat.len();
    let end = json[at..].find([',', '}']).unwrap() + at;
    json[at..end].trim().parse().unwrap()
}

#[test]
fn loghub_2k_accuracy() {
    let data = shared().join("data/loghub-2k");
    if !data.join("score.py").exists() {
        eprintln!("skipped: {} not found (set FAULTLINE_SHARED)", data.display());
        return;
    }
    let tmp = std::env::temp_dir().join(format!("faultline-mine-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failures = Vec::new();
    let (mut ga_sum, mut pa_sum) = (0.0, 0.0);
    for &(name, min_ga, min_pa) in FLOORS {
        let log = data.join(name).join(format!("{name}_2k.log"));
        let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .arg("mine")
            .arg(&log)
            .arg("--per-line")
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let pred = tmp.join(format!("{name}.jsonl"));
        std::fs::write(&pred, &out.stdout).unwrap();
        let sc = Command::new("python3")
            .arg(data.join("score.py"))
            .arg(data.join(name))
            .arg(&pred)
            .output()
            .unwrap();
        assert!(sc.status.success(), "score.py failed: {}", String::from_utf8_lossy(&sc.stderr));
        let js = String::from_utf8_lossy(&sc.stdout).to_string();
        let (ga, pa) = (field(&js, "GA"), field(&js, "PA"));
        eprintln!("{name:10} GA {ga:.3} FGA {:.3} PA {pa:.3}", field(&js, "FGA"));
        ga_sum += ga;
        pa_sum += pa;
        if ga < min_ga || pa < min_pa {
            failures.push(format!("{name}: GA {ga:.3} (min {min_ga}) PA {pa:.3} (min {min_pa})"));
        }
    }
    std::fs::remove_dir_all(&tmp).ok();
    let n = FLOORS.len() as f64;
    eprintln!("average    GA {:.3} PA {:.3}", ga_sum / n, pa_sum / n);
    assert!(failures.is_empty(), "accuracy regressions:\n{}", failures.join("\n"));
    assert!(ga_sum / n >= 0.95 && pa_sum / n >= 0.70);
}
