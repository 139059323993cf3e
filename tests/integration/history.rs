//! Nightly runs with `--history`: what is new since the last run, the exit
//! status for cron, a damaged, foreign, locked or killed database
//! (RELIABILITY.md rows 36-38), `history list|show|diff`, `--baseline
//! history`, and the fingerprints of the shipped example.

use crate::util::{code, incident, run, Dir};
use serde_json::Value;
use std::io::BufRead;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// `scan --format json --history DB` on `logs`, with extra arguments.
fn nightly(db: &Path, logs: &Path, extra: &[&str]) -> (Value, Output) {
    let mut args = vec!["scan", "--format", "json", "--quiet", "--history", db.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(logs.to_str().unwrap());
    let out = run(&args);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("bad JSON ({e}): {text}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (v, out)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The files of `dir` whose names start with `prefix`.
fn siblings(dir: &Path, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

/// A database failure named "db" failing an api a new way, for a later run.
fn add_db_failure(dir: &Dir) {
    let mut db = String::new();
    for i in 0..600 {
        let (m, s) = (i / 10, (i % 10) * 6);
        db.push_str(&format!("2026-11-24T10:{m:02}:{s:02}.200Z INFO query ok id={i}\n"));
        if i >= 200 {
            db.push_str(&format!(
                "2026-11-24T10:{m:02}:{s:02}.300Z ERROR could not extend file \"base/16384/2619\": No space left on device id={i}\n"
            ));
        }
    }
    dir.write("incident/db/postgres.log", db);
}

#[test]
fn the_same_logs_twice_alert_once_and_a_new_failure_alerts_again() {
    let dir = Dir::new();
    incident(&dir);
    let db = dir.join("history.db");
    let logs = dir.join("incident");
    let scope = ["--history-scope", "nightly"];

    let (first, out) = nightly(&db, &logs, &scope);
    assert_eq!(code(&out), 1, "first run: every cause is new\n{}", stderr(&out));
    let h = &first["history"];
    assert_eq!(h["run"], 1);
    assert!(h["previous_run"].is_null());
    let top = first["causes"][0]["fingerprint"].as_str().unwrap().to_string();
    assert!(strings(&h["new"]).contains(&top));

    let (second, out) = nightly(&db, &logs, &scope);
    assert_eq!(code(&out), 0, "same logs: nothing new\n{}", stderr(&out));
    let h = &second["history"];
    assert_eq!(h["run"], 2);
    assert_eq!(h["previous_run"], 1);
    assert!(strings(&h["new"]).is_empty(), "{h}");
    assert!(strings(&h["gone"]).is_empty(), "{h}");
    assert_eq!(h["changed"].as_array().unwrap().len(), 0, "{h}");
    assert_eq!(h["alert"], false);
    assert!(h["divergence"].as_f64().unwrap() < 1e-6, "{h}");
    // the causes are still reported: only the exit status is quiet
    assert_eq!(second["causes"][0]["fingerprint"], first["causes"][0]["fingerprint"]);

    add_db_failure(&dir);
    let (third, out) = nightly(&db, &logs, &scope);
    assert_eq!(code(&out), 1, "a new failure alerts\n{}", stderr(&out));
    let h = &third["history"];
    assert_eq!(h["previous_run"], 2);
    let new_fps = strings(&h["new"]);
    let db_causes: Vec<&Value> = third["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["system"] == "db" && new_fps.iter().any(|f| c["fingerprint"] == f.as_str()))
        .collect();
    assert!(!db_causes.is_empty(), "the db failure is a new cause: {h}");
    assert!(!new_fps.contains(&top), "the old top cause is not new: {h}");

    // the text report says it in one line
    let out = run(&[
        "scan",
        "--format",
        "text",
        "--color",
        "never",
        "--history",
        db.to_str().unwrap(),
        "--history-scope",
        "nightly",
        logs.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("history: run 4: the same causes as run 3"), "{text}");
    assert_eq!(code(&out), 0);
}

#[test]
fn history_list_show_and_diff_read_the_runs_back() {
    let dir = Dir::new();
    incident(&dir);
    let db = dir.join("h.db");
    let logs = dir.join("incident");
    nightly(&db, &logs, &[]);
    add_db_failure(&dir);
    nightly(&db, &logs, &[]);
    let dbs = db.to_str().unwrap();

    let out = run(&["history", dbs, "list", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["schema"], "faultline.history/v1");
    let runs = list["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["scope"], runs[1]["scope"], "default scope: the same inputs");
    assert!(runs.iter().all(|r| r["detected"] == true));

    let out = run(&["history", dbs, "show", "2", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["run"], 2);
    assert!(shown["series"].as_array().unwrap().iter().any(|s| s["system"] == "db"));

    let out = run(&["history", dbs, "diff", "1", "2", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let diff: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!strings(&diff["new"]).is_empty(), "{diff}");
    assert_eq!(diff["alert"], true);

    let out = run(&["history", dbs, "show", "9"]);
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("9"), "{}", stderr(&out));

    let out = run(&["history", dir.join("absent.db").to_str().unwrap(), "list"]);
    assert_ne!(code(&out), 0);
    assert!(!dir.join("absent.db").exists(), "a read never creates the database");
}

/// RELIABILITY.md row 37: random bytes, a truncated file and a newer schema
/// are named, moved aside and never overwritten; the summary is written.
#[test]
fn a_damaged_or_newer_history_is_moved_aside_and_the_scan_still_reports() {
    let dir = Dir::new();
    incident(&dir);
    let logs = dir.join("incident");

    // a good database, then cut to half its size
    let good = dir.join("good.db");
    nightly(&good, &logs, &[]);
    nightly(&good, &logs, &[]);
    let bytes = std::fs::read(&good).unwrap();

    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    for (name, content) in [("random.db", garbage), ("half.db", bytes[..bytes.len() / 2].to_vec())] {
        let db = dir.write(name, &content);
        let (s, out) = nightly(&db, &logs, &[]);
        assert_eq!(code(&out), 1, "{name}: recorded afresh, every cause new\n{}", stderr(&out));
        assert!(!s["causes"].as_array().unwrap().is_empty(), "{name}: the analysis is reported");
        let err = stderr(&out);
        assert!(err.contains(name) && err.contains("moved"), "{name}: {err}");
        let aside = siblings(dir.path(), &format!("{name}.damaged-"));
        assert_eq!(aside.len(), 1, "{name}: {aside:?}");
        assert_eq!(std::fs::read(dir.join(&aside[0])).unwrap(), content, "{name}: kept as it was");
        assert_eq!(s["history"]["run"], 1, "{name}: a fresh history");
    }

    // a schema from a later faultline
    let db = dir.join("newer.db");
    std::fs::copy(&good, &db).unwrap();
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let (s, out) = nightly(&db, &logs, &[]);
    assert!(!s["causes"].as_array().unwrap().is_empty());
    let err = stderr(&out);
    assert!(err.contains("newer.db") && err.contains("newer"), "{err}");
    let aside = siblings(dir.path(), "newer.db.damaged-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(dir.join(&aside[0])).unwrap(), before);
    // and the read-only commands say so without moving anything
    let out = run(&["history", dir.join(&aside[0]).to_str().unwrap(), "list"]);
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("newer faultline"), "{}", stderr(&out));
    assert!(dir.join(&aside[0]).exists());
}

#[test]
fn a_foreign_sqlite_database_is_refused_and_left_alone() {
    let dir = Dir::new();
    incident(&dir);
    let db = dir.join("app.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users(name) VALUES ('a');",
        )
        .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let (s, out) = nightly(&db, &dir.join("incident"), &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!s["causes"].as_array().unwrap().is_empty(), "the summary is still written");
    assert!(stderr(&out).contains("app.db") && stderr(&out).contains("not a faultline history"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert!(siblings(dir.path(), "app.db.damaged").is_empty());
}

/// RELIABILITY.md row 38: a second connection holds `BEGIN EXCLUSIVE`; the
/// run waits a bounded time, says so, exits 2 and still writes its summary.
#[test]
fn a_locked_history_gives_a_visible_error_after_a_bounded_wait() {
    let dir = Dir::new();
    incident(&dir);
    let db = dir.join("locked.db");
    let logs = dir.join("incident");
    nightly(&db, &logs, &[]);
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE; DELETE FROM inputs WHERE 0;").unwrap();

    let start = Instant::now();
    let mut args = vec!["scan", "--format", "json", "--quiet", "--history", db.to_str().unwrap()];
    args.push(logs.to_str().unwrap());
    let out = crate::util::bin().env("FAULTLINE_HISTORY_BUSY_MS", "300").args(&args).output().unwrap();
    let took = start.elapsed();
    holder.execute_batch("ROLLBACK").unwrap();

    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("locked.db") && stderr(&out).contains("locked"), "{}", stderr(&out));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!s["causes"].as_array().unwrap().is_empty());
    assert!(s["history"]["run"].is_null(), "not recorded");
    assert!(took < Duration::from_secs(20), "bounded: {took:?}");

    // once free, the next run records normally and compares with run 1
    let (s, out) = nightly(&db, &logs, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(s["history"]["previous_run"], 1);
}

/// RELIABILITY.md row 36: SIGKILL inside the write leaves the earlier runs
/// intact, the killed run absent and the database sound.
#[test]
fn a_run_killed_in_its_write_leaves_the_history_intact() {
    let dir = Dir::new();
    incident(&dir);
    let db = dir.join("killed.db");
    let logs = dir.join("incident");
    nightly(&db, &logs, &[]);

    let mut child = crate::util::bin()
        .env("FAULTLINE_FAILPOINT_HISTORY", "pause")
        .args([
            "scan",
            "--format",
            "json",
            "--quiet",
            "--history",
            db.to_str().unwrap(),
            logs.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut paused = false;
    for line in lines.by_ref() {
        if line.unwrap().contains("failpoint: paused") {
            paused = true;
            break;
        }
    }
    assert!(paused, "the failpoint was reached");
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());

    let c = rusqlite::Connection::open(&db).unwrap();
    let check: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let runs: i64 = c.query_row("SELECT count(*) FROM runs", [], |r| r.get(0)).unwrap();
    assert_eq!(runs, 1, "the killed run is absent, the earlier one kept");
    drop(c);

    let (s, out) = nightly(&db, &logs, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(s["history"]["previous_run"], 1);
}

/// `--baseline history`: a failure present every night is what is normal
/// for this scope; a failure that appears on top of it is the cause.
#[test]
fn baseline_history_makes_every_night_background() {
    let dir = Dir::new();
    let db = dir.join("b.db");
    let logs = dir.join("incident");
    let chronic = |day: u32, extra: bool| {
        let mut api = String::new();
        for i in 0..720 {
            let (h, m, s) = (i / 60, i % 60, (i * 7) % 60);
            api.push_str(&format!("2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z INFO GET /orders 200\n"));
            if i % 3 == 0 {
                api.push_str(&format!(
                    "2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z ERROR upstream request failed: 503 Service Unavailable\n"
                ));
            }
            if extra && i >= 600 {
                api.push_str(&format!(
                    "2026-11-{day:02}T{h:02}:{m:02}:{s:02}Z ERROR java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms\n"
                ));
            }
        }
        dir.write("incident/api/app.log", api);
    };
    for day in 1..=3 {
        chronic(day, false);
        nightly(&db, &logs, &["--baseline", "history"]);
    }
    chronic(4, false);
    let (s, out) = nightly(&db, &logs, &["--baseline", "history"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(s["history"]["baseline_runs"], 3);
    assert!(s["causes"].as_array().unwrap().is_empty(), "the chronic 503s are normal here: {}", s["causes"]);

    chronic(5, true);
    let (s, out) = nightly(&db, &logs, &["--baseline", "history"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let top = &s["causes"][0];
    let evidence = top["evidence"][0]["text"].as_str().unwrap();
    assert!(evidence.contains("Connection is not available"), "the new failure is the cause: {top}");
}

/// Fingerprints last: the shipped example's causes keep these ids across
/// versions (a change of derivation must bump `faultline.cause/vN`).
#[test]
fn the_shipped_example_keeps_its_fingerprints() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let out = run(&["scan", "--format", "json", "--quiet", example]);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pinned = [
        ("erp", "auth.invalid_token", "de81b7d6d619ff20"),
        ("erp", "auth.http_401", "610bca67c3311c7d"),
        ("crm", "auth.invalid_token", "6c7314ce57f55b6f"),
        ("erp", "webhook.signature_invalid", "c3c48bf9a4804b74"),
        ("gateway", "webhook.endpoint_error_response", "ac33a80d9f0cd5b8"),
    ];
    let listed: Vec<&Value> =
        s["causes"].as_array().unwrap().iter().chain(s["candidates"].as_array().unwrap()).collect();
    for (system, signature, fp) in pinned {
        let found: Vec<&str> = listed
            .iter()
            .filter(|c| c["system"] == system && c["signature"] == signature)
            .map(|c| c["fingerprint"].as_str().unwrap())
            .collect();
        assert!(found.contains(&fp), "{system} {signature}: {found:?}, pinned {fp}");
    }
    assert_eq!(s["causes"][0]["fingerprint"], "de81b7d6d619ff20", "the example's top cause");
}
