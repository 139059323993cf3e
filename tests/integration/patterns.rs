//! `faultline patterns ...` and pattern files given with --patterns.

use crate::util::*;

#[test]
fn list_check_literals_and_test() {
    let out = run(&["patterns", "list"]);
    assert_eq!(code(&out), 0);
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.lines().count() > 80);
    let out = run(&["patterns", "check"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(&["patterns", "literals"]);
    let lits = String::from_utf8(out.stdout).unwrap();
    assert!(lits.lines().all(|l| l.len() >= 3));
    let first_id = list.split_whitespace().next().unwrap().to_string();
    let out = run(&["patterns", "test", &first_id, "nothing to see here"]);
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("no match"));
    let out = run(&["patterns", "test", "no.such.id", "x"]);
    assert_eq!(code(&out), 2);
}

const CUSTOM: &str = r#"
[[signature]]
id = "acme.ledger_locked"
category = "configuration"
title = "Ledger period locked"
severity = "error"
role = "cause"
literals = ["LEDGER_PERIOD_LOCKED"]
examples = ["2026-11-24T10:00:00Z ERROR posting refused: LEDGER_PERIOD_LOCKED"]
counterexamples = ["2026-11-24T10:00:00Z INFO ledger open"]
"#;

#[test]
fn user_patterns_are_added_and_can_stand_alone() {
    let dir = Dir::new();
    dir.write("pats/acme.toml", CUSTOM);
    dir.write("logs/app.log", "2026-11-24T10:00:00Z ERROR posting refused: LEDGER_PERIOD_LOCKED\n");
    let pats = dir.join("pats");
    let (s, _) = scan_json(&[
        "--patterns",
        pats.to_str().unwrap(),
        "--no-builtin-patterns",
        dir.join("logs").to_str().unwrap(),
    ]);
    assert_eq!(s.signatures.len(), 1);
    assert_eq!(s.signatures[0].signature, "acme.ledger_locked");
    let out = run(&["patterns", "check", pats.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn malformed_pattern_file_names_file_line_and_reason() {
    let dir = Dir::new();
    dir.write("pats/bad.toml", CUSTOM.replace("category = \"configuration\"", "category = \"config\""));
    dir.write("logs/app.log", "x\n");
    let out =
        run(&["scan", "--patterns", dir.join("pats").to_str().unwrap(), dir.join("logs").to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:2: unknown category \"config\""), "{err}");
    dir.write("pats/bad.toml", "[[signature]]\nid = \"x\"\ncategory = \n");
    let out = run(&["patterns", "check", dir.join("pats").to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:"), "{err}");
}

#[test]
fn failing_example_is_reported_by_check() {
    let dir = Dir::new();
    dir.write(
        "pats/acme.toml",
        CUSTOM.replace(
            "counterexamples = [\"2026-11-24T10:00:00Z INFO ledger open\"]",
            "counterexamples = [\"LEDGER_PERIOD_LOCKED again\"]",
        ),
    );
    let out = run(&["patterns", "check", dir.join("pats").to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("acme.ledger_locked: counter-example is matched"), "{text}");
}
