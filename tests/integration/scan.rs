//! `faultline scan` end to end: systems, exit codes, reports, stdin.

use crate::util::*;
use std::io::Write;
use std::process::Stdio;

#[test]
fn no_error_means_exit_zero() {
    let dir = Dir::new();
    dir.write("a/app.log", "2026-11-24T10:00:00Z INFO all good\n2026-11-24T10:00:01Z INFO still good\n");
    let (s, out) = scan_json(&[dir.join("a").to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert!(s.causes.is_empty());
    assert_eq!(s.stats.lines, 2);
}

#[test]
fn system_flag_and_file_stem_names() {
    let dir = Dir::new();
    let a = dir.write("x/app.log.1", "2026-11-24T10:00:00Z INFO ok\n");
    let b = dir.write("y/erp-api.log", "2026-11-24T10:00:00Z INFO ok\n");
    let spec = format!("billing={}", a.display());
    let (s, _) = scan_json(&["--system", &spec, b.to_str().unwrap()]);
    let names: Vec<&str> = s.systems.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, vec!["billing", "erp-api"]);
}

#[test]
fn text_report_tells_the_story() {
    let dir = Dir::new();
    incident(&dir);
    let out = run(&["scan", "--format", "text", dir.join("incident").to_str().unwrap()]);
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Most likely cause"), "{text}");
    assert!(text.contains("authentication in erp"), "{text}");
    assert!(text.contains("what to do:"), "{text}");
    assert!(text.contains("evidence:"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
}

/// The Markdown report of the example: the headline names the failure and
/// the system, the evidence is fenced with its file:line, the steps are a
/// list, the other candidates a table; a healthy run says so.
#[test]
fn markdown_tells_the_story_for_a_ticket() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let out = run(&["scan", "--quiet", "--format", "markdown", example]);
    assert_eq!(code(&out), 1);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("## authentication failure in erp ("), "{md}");
    assert!(md.contains("`auth.invalid_token`"), "{md}");
    assert!(md.contains("`examples/incident/erp/erp-api.log:") || md.contains("erp-api.log:"), "{md}");
    assert!(md.contains("```text\n{\"ts\""), "{md}");
    assert!(md.contains("\n1. ") && md.contains("| # | system | category |"), "{md}");
    // templates by their text, never by a hash
    assert!(!md.contains("crm: `b496440906a23d82`"), "{md}");
    let dir = Dir::new();
    dir.write("logs/app.log", "2026-11-24T10:00:00Z INFO all good\n");
    let out = run(&["scan", "--quiet", "--format", "markdown", dir.join("logs").to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("## No incident"));
}

#[test]
fn stdin_is_scanned() {
    let mut child = bin()
        .args(["scan", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"2026-11-24T10:00:00Z INFO ok\n2026-11-24T10:00:01Z ERROR call failed: 401 Unauthorized invalid_token\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let s: crate::contract::Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.systems[0].name, "stdin");
    assert_eq!(s.stats.lines, 2);
    assert_eq!(s.signatures.len(), 1, "{:?}", s.signatures);
    assert_eq!(s.signatures[0].category, "authentication");
}

#[test]
fn output_file_is_written_and_not_scanned() {
    let dir = Dir::new();
    incident(&dir);
    let report = dir.join("incident/erp/report.json");
    let out = run(&[
        "scan",
        "--quiet",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
        dir.join("incident").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let again = run(&[
        "scan",
        "--quiet",
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
        dir.join("incident").to_str().unwrap(),
    ]);
    let s: crate::contract::Summary = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(code(&again), 1);
    assert_eq!(s.stats.files, 2, "the report itself is not scanned");
}

#[test]
fn since_until_window() {
    let dir = Dir::new();
    incident(&dir);
    let root = dir.join("incident");
    let (all, _) = scan_json(&[root.to_str().unwrap()]);
    let (late, _) = scan_json(&[root.to_str().unwrap(), "--since", "10m"]);
    let count = |s: &crate::contract::Summary| s.signatures.iter().map(|g| g.count).sum::<u64>();
    assert!(count(&late) < count(&all));
    for g in &late.signatures {
        assert!(g.first_seen.as_deref().unwrap() >= "2026-11-24T10:49:54");
    }
    let out = run(&["scan", "--since", "yesterday", root.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad time"));
}

#[test]
fn broken_pipe_is_quiet() {
    let dir = Dir::new();
    incident(&dir);
    let mut child = bin()
        .args(["scan", "--format", "json", dir.join("incident").to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut one).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert!(out.status.signal().is_none());
    assert!(String::from_utf8_lossy(&out.stderr).is_empty() || matches!(out.status.code(), Some(0 | 1)));
}

#[test]
fn no_input_is_exit_two() {
    let dir = Dir::new();
    let out = run(&["scan", dir.join("missing").to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing") && err.contains("not found"), "{err}");
}

#[test]
fn the_shipped_example_ranks_the_erp_credential_failure_first() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let (s, out) = scan_json(&[example]);
    assert_eq!(code(&out), 1);
    let top = &s.causes[0];
    assert_eq!(
        (top.category.as_str(), top.system.as_str()),
        ("authentication", "erp"),
        "{:#?}",
        &s.causes[..s.causes.len().min(3)]
    );
}

/// The machine's zone must not change the diagnosis: the example's crm
/// writes times without a zone, so a machine in Paris or Chatham reads
/// them hours off; its clock against the zoned erp says so, and the zone
/// is corrected instead of being reported as an hour of skew.
#[test]
fn the_example_reads_the_same_in_any_machine_zone() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let summary_in = |tz: &str| {
        let out =
            bin().env("TZ", tz).args(["scan", "--format", "json", "--quiet", example]).output().unwrap();
        assert_eq!(code(&out), 1, "TZ={tz}: {}", String::from_utf8_lossy(&out.stderr));
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let zones: Vec<(String, bool)> = v["systems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (s["assumed_timezone"].as_str().unwrap_or("-").to_string(), s["timezone_inferred"] == true)
            })
            .collect();
        for key in ["generated_at", "stats"] {
            v.as_object_mut().unwrap().remove(key);
        }
        for s in v["systems"].as_array_mut().unwrap() {
            s.as_object_mut().unwrap().remove("assumed_timezone");
            s.as_object_mut().unwrap().remove("timezone_inferred");
        }
        (v, zones)
    };
    let (utc, utc_zones) = summary_in("UTC");
    assert!(utc_zones.iter().all(|z| !z.1), "{utc_zones:?}");
    for tz in ["Europe/Paris", "Pacific/Chatham"] {
        let (other, zones) = summary_in(tz);
        assert_eq!(other, utc, "TZ={tz}");
        // crm's zoneless times are read in UTC, and the report says why
        assert!(zones.contains(&("UTC+00:00".to_string(), true)), "TZ={tz}: {zones:?}");
    }
}

/// Evidence goes into tickets: secrets on the cause's lines are masked in
/// every format, the diagnosis is the same, and `--no-redact` keeps them.
#[test]
fn secrets_in_evidence_are_redacted_in_every_format() {
    let dir = Dir::new();
    let mut log = String::new();
    for i in 0..40 {
        log.push_str(&format!("2026-11-24T10:{:02}:00Z INFO sync ok request_id=req-{i}\n", i));
    }
    for i in 0..20 {
        log.push_str(&format!(
            "2026-11-24T10:{:02}:30Z ERROR POST https://api.example.com/v1/orders failed: 401 Unauthorized \
             (Authorization: Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc) password=hunter2hunter2 request_id=req-x{i}\n",
            40 + i
        ));
    }
    dir.write("logs/crm.log", &log);
    let path = dir.join("logs");
    let path = path.to_str().unwrap();
    for format in ["json", "text", "markdown", "html"] {
        let out = run(&["scan", "--quiet", "--format", format, path]);
        assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("[REDACTED:"), "{format}: {text}");
        for secret in ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "hunter2hunter2"] {
            assert!(!text.contains(secret), "{format} leaks {secret}");
        }
    }
    let out = run(&["scan", "--quiet", "--format", "json", "--no-redact", path]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("hunter2hunter2"));
}

/// Kubernetes klog/glog lines: the level letter and the yearless time of
/// the header are read, so a kubelet's failure is an event at its time.
#[test]
fn klog_headers_are_read() {
    let dir = Dir::new();
    dir.write(
        "logs/kubelet.log",
        "I1124 19:07:00.100000       1 main.go:42] started\n\
         E1124 19:07:01.123456   12345 reflector.go:138] Failed to watch *v1.Pod: Get \"https://10.0.0.1:443/api/v1/pods\": dial tcp 10.0.0.1:443: connect: connection refused\n",
    );
    let out =
        run(&["scan", "--quiet", "--format", "json", "--tz", "UTC", dir.join("logs").to_str().unwrap()]);
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sig = &raw["signatures"][0];
    assert_eq!(sig["signature"], "net.conn_refused", "{}", raw["signatures"]);
    assert!(sig["first_seen"].as_str().unwrap().ends_with("-11-24T19:07:01.123Z"), "{sig}");
    assert_eq!(raw["systems"][0]["time_formats"][0], "klog (Lmmdd hh:mm:ss.uuuuuu)");
}

/// A syslog file copied a year after it was written: its file date gives
/// the wrong year, the other system's dated lines give the right one, and
/// the report says it took that one.
#[test]
fn the_year_of_yearless_lines_comes_from_the_other_systems() {
    let dir = Dir::new();
    let mut api = String::new();
    let mut relay = String::new();
    for i in 0..30 {
        api.push_str(&format!("2026-11-24T19:{i:02}:00.000Z INFO ok request_id=req-{i}\n"));
        relay.push_str(&format!("Nov 24 19:{i:02}:10 relay-1 relay[42]: INFO delivered\n"));
    }
    api.push_str("2026-11-24T19:30:00.000Z ERROR upstream said 401 Unauthorized: invalid_token\n");
    relay.push_str(
        "Nov 24 19:30:01 relay-1 relay[42]: ERROR dial tcp 10.0.0.5:443: connect: connection refused\n",
    );
    dir.write("logs/api/api.log", &api);
    let copied = dir.write("logs/relay/messages", &relay);
    let a_year_later = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_829_000_000); // 2027-12-16
    std::fs::File::options().write(true).open(&copied).unwrap().set_modified(a_year_later).unwrap();
    let out =
        run(&["scan", "--quiet", "--format", "json", "--tz", "UTC", dir.join("logs").to_str().unwrap()]);
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let relay_sig = raw["signatures"].as_array().unwrap().iter().find(|g| g["system"] == "relay").unwrap();
    assert_eq!(relay_sig["first_seen"], "2026-11-24T19:30:01.000Z", "{}", raw["signatures"]);
    let w = raw["warnings"].as_array().unwrap();
    assert!(
        w.iter().any(|w| w["kind"] == "year_inferred" && w["file"].as_str().unwrap().ends_with("messages")),
        "{w:?}"
    );
}

/// The conventions of the tools people already use: `--color always` keeps
/// colour in a pipe (for `less -R`), `never` and NO_COLOR drop it;
/// completions and a man page are printed on demand.
#[test]
fn color_completions_and_man_page() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let text = |extra: &[&str]| {
        let mut args = vec!["scan", "--quiet", "--format", "text"];
        args.extend_from_slice(extra);
        args.push(example);
        String::from_utf8(run(&args).stdout).unwrap()
    };
    assert!(text(&["--color", "always"]).contains("\u{1b}["));
    assert!(!text(&["--color", "never"]).contains("\u{1b}["));
    assert!(!text(&[]).contains("\u{1b}["), "not a terminal: no colour");
    let out = run(&["completions", "bash"]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("_faultline"));
    let out = run(&["man"]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH faultline 1"));
}

/// Escape sequences in log lines (a title change, a screen clear) and in
/// file names reach the text report and stderr escaped; JSON stays exact.
#[test]
fn terminal_escapes_from_logs_are_shown_escaped_in_text() {
    let dir = Dir::new();
    let nasty = "2026-11-24T10:00:00Z ERROR upstream said 401 Unauthorized: invalid_token \u{1b}]0;pwned\u{7}\u{1b}[2J\n";
    dir.write("logs/app\u{1b}[31m.log", nasty.repeat(3));
    dir.write("logs/core.bin", b"\x00\x01\x02");
    let path = dir.join("logs");
    let out = run(&["scan", "--quiet", "--format", "text", "--color", "never", path.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\u{1b}'));
    let out = run(&["scan", "--quiet", "--format", "json", "--no-redact", path.to_str().unwrap()]);
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(raw.to_string().contains("\\u001b]0;pwned"), "JSON keeps the bytes, escaped by JSON itself");
}

/// One line dated seven months ahead of the rest (a clock reset) is named
/// in a warning and kept out of the window, so it neither becomes the
/// cause nor makes `--since 2h` keep only itself.
#[test]
fn a_line_dated_months_away_is_kept_out_of_the_window() {
    let dir = Dir::new();
    let mut log = String::new();
    for i in 0..40 {
        log.push_str(&format!("2026-11-24T10:{i:02}:00Z INFO ok request_id=req-{i}\n"));
    }
    for i in 0..10 {
        log.push_str(&format!(
            "2026-11-24T10:{:02}:30Z ERROR upstream said 401 Unauthorized: invalid_token\n",
            40 + i
        ));
    }
    log.push_str("2027-06-24T10:00:00Z ERROR dial tcp 10.0.0.5:443: connect: connection refused\n");
    dir.write("logs/app.log", &log);
    let path = dir.join("logs");
    for extra in [&[][..], &["--since", "2h"][..]] {
        let mut args = vec!["scan", "--quiet", "--format", "json", "--tz", "UTC"];
        args.extend_from_slice(extra);
        args.push(path.to_str().unwrap());
        let out = run(&args);
        let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            raw["window"]["end"].as_str().unwrap().starts_with("2026-11-24"),
            "{extra:?}: {}",
            raw["window"]
        );
        assert!(raw["signatures"].as_array().unwrap().iter().all(|g| g["signature"] != "net.conn_refused"));
        let w = raw["warnings"].as_array().unwrap();
        assert!(
            w.iter()
                .any(|w| w["kind"] == "time_outlier" && w["reason"].as_str().unwrap().contains("2027-06-24")),
            "{w:?}"
        );
    }
}

/// `--version` names the build; `mine --top N` shows the N most frequent
/// templates and still counts every line.
#[test]
fn version_and_mine_top() {
    let out = run(&["--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("faultline 0.1"), "{out:?}");
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident/erp/erp-api.log");
    let out = run(&["mine", "--top", "2", log]);
    assert_eq!(code(&out), 0);
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = text.lines().filter(|l| l.contains('%')).count();
    assert_eq!(rows, 2, "{text}");
    assert!(text.trim_end().ends_with("1524 lines"), "{text}");
}

/// The text report names what followed in words: a mined template by its
/// text, never by its cluster hash, and says when the list is cut.
#[test]
fn text_report_shows_templates_by_their_text() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let out = crate::util::run(&["scan", "--format", "text", "--color", "never", example]);
    let text = String::from_utf8_lossy(&out.stdout);
    let effects: Vec<&str> = text.lines().filter(|l| l.starts_with("       +")).collect();
    assert!(!effects.is_empty(), "{text}");
    let hashlike = |w: &str| w.len() == 16 && w.chars().all(|c| c.is_ascii_hexdigit());
    for line in &effects {
        assert!(!line.split_whitespace().any(hashlike), "a hash instead of words: {line}");
    }
    assert!(effects.iter().any(|l| l.contains('"')), "templates quoted by their text: {text}");
}

/// `mine` reads gzip (every member) like plain text, and `--format json`
/// writes the same table for programs.
#[test]
fn mine_reads_gzip_and_writes_json() {
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident/erp/erp-api.log");
    let bytes = std::fs::read(log).unwrap();
    let dir = Dir::new();
    // two gzip members, as `cat a.gz b.gz` makes
    let half = bytes.iter().take(bytes.len() / 2).rposition(|&b| b == b'\n').unwrap() + 1;
    let mut gz = gzip(&bytes[..half]);
    gz.extend(gzip(&bytes[half..]));
    let gz_path = dir.write("erp.log.gz", gz);

    let plain = run(&["mine", "--format", "json", log]);
    let zipped = run(&["mine", "--format", "json", gz_path.to_str().unwrap()]);
    assert_eq!(code(&plain), 0, "{}", String::from_utf8_lossy(&plain.stderr));
    assert_eq!(code(&zipped), 0, "{}", String::from_utf8_lossy(&zipped.stderr));
    // the same but for the file names
    let unnamed = |out: &[u8], name: &str| -> serde_json::Value {
        let text = String::from_utf8_lossy(out).replace(&serde_json::to_string(name).unwrap(), "\"F\"");
        serde_json::from_str(&text).unwrap()
    };
    let a = unnamed(&plain.stdout, log);
    let b = unnamed(&zipped.stdout, gz_path.to_str().unwrap());
    assert_eq!(a["templates"][0]["files"][0]["file"], "F");
    assert_eq!(a["schema"], "faultline.mine/v1");
    assert_eq!(a["lines"], 1524);
    assert_eq!(a, b, "gzip input mines as the plain file");
    let first = &a["templates"][0];
    assert!(first["count"].as_u64().unwrap() > 0 && first["template"].is_string() && first["share"].is_f64());

    // a cut gzip names the file
    let cut = dir.write("cut.log.gz", &std::fs::read(&gz_path).unwrap()[..200]);
    let out = run(&["mine", cut.to_str().unwrap()]);
    assert_ne!(code(&out), 0);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cut.log.gz"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text report fits 80 columns: evidence, advice, titles and the
/// score parts wrap under themselves; a template is never cut mid-report.
#[test]
fn text_report_fits_80_columns() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let out = run(&["scan", "--format", "text", "--color", "never", example]);
    let text = String::from_utf8_lossy(&out.stdout);
    let wide: Vec<&str> = text.lines().filter(|l| l.chars().count() > 80).collect();
    assert!(wide.is_empty(), "lines over 80 columns: {wide:#?}");
    assert!(text.contains("Signatures seen (all on 2026-11-24)"), "{text}");
}

/// "What changed just before": the cause system's change records in the
/// hour before its onset are listed, oldest first, with how long before;
/// one after the onset or hours before is not, nor a failed change (an
/// error line); secrets in them are masked.
#[test]
fn changes_just_before_the_cause_are_told() {
    let dir = Dir::new();
    let mut api = String::new();
    api.push_str("2026-05-04 06:10:00,000 INFO erp-api service started on port 8443\n");
    for m in 0..50 {
        api.push_str(&format!("2026-05-04 08:{m:02}:00,000 INFO GET /v2/orders 200 12ms\n"));
    }
    api.push_str("2026-05-04 08:50:10,000 ERROR deploy of build 812 failed, retrying\n");
    api.push_str(
        "2026-05-04 08:50:30,000 INFO Rolled out version 4.2.0 to production (token=abcd1234secretvalue)\n",
    );
    for s in 0..40 {
        api.push_str(&format!(
            "2026-05-04 08:51:{s:02},000 ERROR POST /v2/orders rejected: schema validation failed: unknown field 'currency_code'\n"
        ));
    }
    api.push_str("2026-05-04 08:52:00,000 INFO configuration reloaded from /etc/erp.yaml\n");
    dir.write("logs/erp/api.log", &api);
    let mut crm = String::new();
    for m in 0..55 {
        crm.push_str(&format!("2026-05-04 08:{m:02}:05,000 INFO sync ok\n"));
    }
    dir.write("logs/crm/sync.log", &crm);
    let path = dir.join("logs");
    let (s, out) = scan_json(&["--tz", "UTC", path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let top = &s.causes[0];
    assert_eq!(top.system, "erp");
    let kinds: Vec<(&str, i64)> = top.changes_before.iter().map(|n| (n.kind.as_str(), n.before_ms)).collect();
    assert_eq!(kinds, vec![("deploy", 30_000)], "{:?}", top.changes_before);
    let n = &top.changes_before[0];
    assert_eq!((n.system.as_str(), n.line, n.at.as_str()), ("erp", 53, "2026-05-04T08:50:30.000Z"));
    assert!(n.file.ends_with("api.log") && n.text.contains("Rolled out version 4.2.0"), "{n:?}");
    assert!(!n.text.contains("abcd1234secretvalue"), "redacted: {}", n.text);
    for format in ["text", "markdown"] {
        let out =
            run(&["scan", "--tz", "UTC", "--color", "never", "--format", format, path.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Rolled out version 4.2.0"), "{format}: {text}");
        assert!(text.contains("30s") || text.contains("30.0s"), "{format}: {text}");
        assert!(!text.contains("abcd1234secretvalue"), "{format} leaks");
    }
}

/// One failure seen through several series (the server's rejection, its
/// 401s, the caller's view) is one cause with its views: grouped in JSON
/// (`view_of`), told in one line of the text, and not listed again among
/// the other candidates of the text or Markdown reports.
#[test]
fn views_of_one_failure_are_told_as_one_cause() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let (s, _) = scan_json(&["--tz", "UTC", example]);
    assert_eq!((s.causes[0].system.as_str(), s.causes[0].view_of), ("erp", None));
    let views: Vec<(&str, &str)> = s
        .causes
        .iter()
        .filter(|c| c.view_of == Some(1))
        .map(|c| (c.system.as_str(), c.signature.as_str()))
        .collect();
    assert!(views.contains(&("crm", "auth.invalid_token")), "{views:?}");
    assert!(views.iter().all(|v| v.1.starts_with("auth.")), "only the same category: {views:?}");
    let out = run(&["scan", "--tz", "UTC", "--color", "never", "--format", "text", example]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the same failure, also seen as: "), "{text}");
    let others = &text[text.find("Other candidates").unwrap_or(text.len())..];
    assert!(!others.contains("authentication in crm"), "a view listed as a candidate: {others}");
    let out = run(&["scan", "--tz", "UTC", "--format", "markdown", example]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("also seen as"), "{md}");
    let table = &md[md.find("**Other candidates**").unwrap_or(md.len())..];
    assert!(!table.contains("| crm | authentication |"), "{table}");
}

/// `mine` on several files names, per template, the file holding most of
/// its lines and how many others hold some; JSON lists them all.
#[test]
fn mine_names_the_files_of_each_template() {
    let dir = Dir::new();
    let mut a = String::new();
    let mut b = String::new();
    for i in 0..30 {
        a.push_str(&format!("2026-01-01 10:00:{:02} ERROR payment {i} declined by gateway\n", i % 60));
        a.push_str(&format!("2026-01-01 10:02:{:02} INFO cache warmed in {i} ms\n", i % 60));
        if i < 10 {
            b.push_str(&format!("2026-01-01 10:00:{:02} ERROR payment {i} declined by gateway\n", i % 60));
        }
        b.push_str(&format!("2026-01-01 10:01:{:02} INFO cache warmed in {i} ms\n", i % 60));
    }
    let pa = dir.write("svc/a.log", &a);
    let pb = dir.write("svc/b.log", &b);
    let out = run(&["mine", pa.to_str().unwrap(), pb.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let header = text.lines().next().unwrap();
    assert!(header.contains("FILE") && header.contains("TEMPLATE"), "{text}");
    let declined = text.lines().find(|l| l.contains("declined")).unwrap();
    assert!(declined.contains("svc/a.log +1"), "{declined}");
    let warmed = text.lines().find(|l| l.contains("warmed")).unwrap();
    assert!(warmed.contains("svc/a.log +1") || warmed.contains("svc/b.log +1"), "{warmed}");
    let out = run(&["mine", "--format", "json", pa.to_str().unwrap(), pb.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = doc["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["template"].as_str().unwrap().contains("declined"))
        .unwrap();
    let files: Vec<(String, u64)> = t["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(files, vec![("a.log".to_string(), 30), ("b.log".to_string(), 10)]);
    let out = run(&["mine", pa.to_str().unwrap()]);
    assert!(
        !String::from_utf8_lossy(&out.stdout).lines().next().unwrap().contains("FILE"),
        "one file: no column"
    );
}

#[test]
fn an_iis_w3c_log_is_read_with_its_header_and_its_status_column() {
    // the #Fields directive opens the file; the status is a bare column
    // followed by sc-substatus and sc-win32-status (and other numbers)
    let dir = Dir::new();
    let mut text = String::from(
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-11-24 08:00:00\n\
         #Fields: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken\n",
    );
    for i in 0..900 {
        let (h, m, s) = (8 + i / 360, (i / 6) % 60, (i % 6) * 10);
        // a bytes column of 503 before the fault must not count as a status
        let (status, win32, bytes) = if i >= 700 && i % 3 != 0 { (503, 1255, 331) } else { (200, 0, 503) };
        text.push_str(&format!(
            "2026-11-24 {h:02}:{m:02}:{s:02} W3SVC2 APP01 10.1.0.4 POST /orders/submit - 443 - 10.1.0.77 okhttp/4.12.0 erp.example.com {status} 0 {win32} {bytes} 712 {}\n",
            40 + i % 17
        ));
    }
    dir.write("gateway/u_ex261124.log", &text);
    let (s, out) = scan_json(&["--tz", "UTC", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let c = &s.causes[0];
    assert_eq!(c.signature, "unavail.w3c_log_503");
    // lines 700..900 but every third one
    assert_eq!(c.count, 134);
    // the window opens at the first timed line, past the header
    assert_eq!(s.window.start.as_deref(), Some("2026-11-24T08:00:00.000Z"));
}
