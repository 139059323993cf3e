//! Hostile and unusual inputs (RELIABILITY.md's matrix): the run goes on,
//! names the file and the reason, and never dies on a signal.

use crate::util::*;
use std::os::unix::process::ExitStatusExt;

const HIT: &str = "2026-11-24T10:00:01Z ERROR call failed: 401 Unauthorized invalid_token\n";
const OK: &str = "2026-11-24T10:00:00Z INFO ok\n";

fn auth_count(s: &crate::contract::Summary) -> u64 {
    s.signatures.iter().filter(|g| g.category == "authentication").map(|g| g.count).sum()
}

#[test]
fn binary_skipped_when_walked_scanned_when_named() {
    let dir = Dir::new();
    dir.write("logs/app.log", format!("{OK}{HIT}"));
    let mut bin = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bin.extend_from_slice(HIT.as_bytes());
    let core = dir.write("logs/core.bin", &bin);
    let (s, out) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert_eq!(s.skipped.len(), 1);
    assert!(s.skipped[0].file.ends_with("core.bin"));
    assert_eq!(s.skipped[0].reason, "binary (NUL byte at offset 7)");
    assert!(String::from_utf8_lossy(&out.stderr).contains("core.bin: skipped: binary"));
    assert_eq!(auth_count(&s), 1);
    let (s, _) = scan_json(&[core.to_str().unwrap()]);
    assert!(s.skipped.is_empty());
    assert_eq!(auth_count(&s), 1, "a named binary file is scanned");
}

#[test]
fn strict_turns_skips_into_exit_two() {
    let dir = Dir::new();
    dir.write("logs/app.log", OK);
    dir.write("logs/core.bin", b"\x00\x01\x02");
    let out = run(&["scan", "--quiet", "--strict", "--format", "json", dir.join("logs").to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let out = run(&["scan", "--quiet", "--format", "json", dir.join("logs").to_str().unwrap()]);
    assert_eq!(code(&out), 0);
}

#[test]
fn multi_member_gzip_is_read_whole_and_sniffed_by_content() {
    let dir = Dir::new();
    let mut bytes = gzip(format!("{OK}{HIT}").as_bytes());
    bytes.extend(gzip(format!("{OK}{HIT}{HIT}").as_bytes()));
    dir.write("logs/app.log.2.gz", &bytes);
    dir.write("logs/plain-named.gz", HIT);
    dir.write("logs/zipped-no-ext", gzip(HIT.as_bytes()));
    let (s, _) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert_eq!(s.stats.lines, 5 + 1 + 1);
    assert_eq!(auth_count(&s), 5);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn truncated_and_corrupt_gzip_keep_what_was_read() {
    let dir = Dir::new();
    let mut text = String::new();
    for _ in 0..2000 {
        text.push_str(OK);
        text.push_str(HIT);
    }
    let full = gzip(text.as_bytes());
    dir.write("logs/cut.gz", &full[..full.len() * 6 / 10]);
    let (s, out) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert!(code(&out) == 0 || code(&out) == 1);
    assert!(auth_count(&s) > 0, "lines before the cut are kept");
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].file.ends_with("cut.gz") && s.warnings[0].reason.contains("gzip"),
        "{:?}",
        s.warnings
    );
    // the end of the file was not read: a partial input, so --strict fails,
    // and the JSON says which kind of problem it was
    let out = run(&["scan", "--quiet", "--strict", "--format", "json", dir.join("logs").to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(raw["warnings"][0]["kind"], "decode_error", "{}", raw["warnings"]);
}

#[test]
fn unreadable_inputs_are_named_and_the_run_goes_on() {
    let dir = Dir::new();
    dir.write("logs/good.log", format!("{OK}{HIT}"));
    std::os::unix::fs::symlink(dir.join("nowhere.log"), dir.join("logs/dangling.log")).unwrap();
    let fifo = dir.join("logs/pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let (s, out) =
        scan_json(&[dir.join("logs").to_str().unwrap(), dir.join("missing.log").to_str().unwrap()]);
    assert_eq!(auth_count(&s), 1);
    let reasons: Vec<String> = s.skipped.iter().map(|k| format!("{}: {}", k.file, k.reason)).collect();
    assert!(
        reasons.iter().any(|r| r.contains("dangling.log") && r.contains("broken symlink")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("missing.log: not found")), "{reasons:?}");
    if made {
        assert!(reasons.iter().any(|r| r.contains("pipe: not a regular file (a FIFO)")), "{reasons:?}");
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing.log: skipped: not found"), "{err}");
}

/// Files are opened as they are read, a few at a time: 1,500 logs under a
/// limit of 256 open files are all read, none listed as unreadable.
#[test]
fn more_files_than_the_open_file_limit_are_all_read() {
    let dir = Dir::new();
    for i in 0..1500 {
        dir.write(&format!("logs/app-{i:04}.log"), format!("{OK}{HIT}"));
    }
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec \"$0\" scan --quiet --format json {}",
            dir.join("logs").to_str().unwrap()
        ))
        .arg(env!("CARGO_BIN_EXE_faultline"))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let s: crate::contract::Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.stats.files, 1500);
    assert!(s.warnings.is_empty() && s.skipped.is_empty(), "{:?} {:?}", s.warnings, s.skipped);
    assert_eq!(auth_count(&s), 1500);
}

/// A failure in the work on one file (here a panic injected by a fail
/// point) is that file's: named with its kind, the other files ranked,
/// and `--strict` exits 2.
#[test]
fn a_failure_in_one_file_is_that_files_only() {
    let dir = Dir::new();
    dir.write("logs/good.log", format!("{OK}{HIT}"));
    dir.write("logs/bad.log", format!("{OK}{HIT}{HIT}"));
    let scan = |strict: bool| {
        let mut args = vec!["scan", "--quiet", "--format", "json"];
        if strict {
            args.push("--strict");
        }
        let logs = dir.join("logs");
        args.push(logs.to_str().unwrap());
        bin().env("FAULTLINE_FAILPOINT_PANIC", "bad.log").args(&args).output().unwrap()
    };
    let out = scan(false);
    assert!(matches!(code(&out), 0 | 1), "{}", String::from_utf8_lossy(&out.stderr));
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &raw["warnings"][0];
    assert!(w["file"].as_str().unwrap().ends_with("bad.log") && w["kind"] == "failed", "{}", raw["warnings"]);
    let s: crate::contract::Summary = serde_json::from_value(raw).unwrap();
    assert_eq!(auth_count(&s), 1, "good.log is still scanned");
    assert_eq!(code(&scan(true)), 2);
}

#[test]
fn permission_denied_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    dir.write("logs/good.log", format!("{OK}{HIT}"));
    let locked = dir.write("logs/locked.log", HIT);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let logs = dir.join("logs");
    let s: crate::contract::Summary = if std::fs::read(&locked).is_ok() {
        // root reads anything: run the binary as nobody (CI runs as root, so
        // returning here would check nothing there)
        for p in [dir.path(), logs.as_path()] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_faultline")])
            .args(["scan", "--format", "json", "--quiet", logs.to_str().unwrap()])
            .env("TZ", "UTC")
            .output()
            .expect("setpriv (util-linux) runs the test as an unprivileged user");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    } else {
        scan_json(&[logs.to_str().unwrap()]).0
    };
    assert_eq!(auth_count(&s), 1);
    assert!(
        s.skipped.iter().any(|k| k.file.ends_with("locked.log") && k.reason == "permission denied"),
        "{:?}",
        s.skipped
    );
}

#[test]
fn symlink_loops_end_and_files_count_once() {
    let dir = Dir::new();
    dir.write("logs/a/app.log", format!("{OK}{HIT}"));
    std::os::unix::fs::symlink(dir.join("logs"), dir.join("logs/a/up")).unwrap();
    std::os::unix::fs::symlink(dir.join("logs/a/app.log"), dir.join("logs/a/alias.log")).unwrap();
    std::fs::hard_link(dir.join("logs/a/app.log"), dir.join("logs/a/hard.log")).unwrap();
    // a link to itself is a loop too, not a broken link
    std::os::unix::fs::symlink("self.log", dir.join("logs/a/self.log")).unwrap();
    let (s, _) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert_eq!(auth_count(&s), 1, "one file through three paths counts once");
    assert!(s.skipped.iter().any(|k| k.reason.contains("symlink loop")), "{:?}", s.skipped);
    let own = s.skipped.iter().find(|k| k.file.ends_with("self.log")).expect("the self link is listed");
    assert!(own.reason.starts_with("symlink loop"), "{own:?}");
}

#[test]
fn an_unknown_tz_is_said_to_be_read_as_utc() {
    // the C library reads a TZ it does not know as UTC: the report must
    // say UTC, not the bad name as if it were a zone
    let dir = Dir::new();
    let path =
        dir.write("app.log", "2026-11-24 10:00:00 INFO a\n2026-11-24 10:00:01 ERROR Connection refused\n");
    let out = bin()
        .env("TZ", "Bogus/Zone")
        .args(["scan", "--format", "json", "--quiet", path.to_str().unwrap()])
        .output()
        .unwrap();
    let raw: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let zone = raw["systems"][0]["assumed_timezone"].as_str().unwrap_or_default().to_string();
    assert!(zone.starts_with("UTC") && zone.contains("Bogus/Zone"), "{zone}");
    assert_eq!(raw["signatures"][0]["first_seen"], "2026-11-24T10:00:01.000Z");
}

#[test]
fn nul_head_crlf_bom_invalid_utf8_and_utf16() {
    let dir = Dir::new();
    let mut holey = vec![0u8; 100_000];
    holey.extend_from_slice(format!("{OK}{HIT}").as_bytes());
    dir.write("logs/holey.log", &holey);
    dir.write("logs/crlf.log", format!("\u{feff}{}{}", OK.replace('\n', "\r\n"), HIT.replace('\n', "\r\n")));
    let mut bad = HIT.as_bytes().to_vec();
    bad.splice(30..30, [0xff, 0xfe, 0xc3]);
    dir.write("logs/bad-utf8.log", &bad);
    let mut utf16 = vec![0xff, 0xfe];
    for u in format!("{OK}{HIT}").encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    dir.write("logs/utf16.log", &utf16);
    let (s, _) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    assert_eq!(auth_count(&s), 4, "{:?}", s.signatures);
    for g in &s.signatures {
        // Written to the second: shown as written (the middle of the second
        // is only used inside, for statistics).
        assert_eq!(g.first_seen.as_deref(), Some("2026-11-24T10:00:01.000Z"), "{g:?}");
    }
    assert!(
        s.warnings.iter().any(|w| w.file.ends_with("holey.log") && w.reason.contains("100000 NUL bytes")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn lone_cr_line_ends_are_line_ends() {
    // classic Mac OS and some consoles end lines with CR alone
    let dir = Dir::new();
    let text = format!("{OK}{HIT}{OK}").replace('\n', "\r");
    let path = dir.write("console.log", text);
    let (s, _) = scan_json(&[path.to_str().unwrap()]);
    assert_eq!(s.stats.lines, 3);
    assert_eq!(auth_count(&s), 1);
    let g = s.signatures.iter().find(|g| g.category == "authentication").unwrap();
    assert_eq!(g.first_seen.as_deref(), Some("2026-11-24T10:00:01.000Z"));
}

#[test]
fn empty_files_and_a_missing_final_newline() {
    let dir = Dir::new();
    dir.write("logs/empty.log", "");
    dir.write("logs/newline.log", "\n");
    dir.write("logs/tail.log", format!("{OK}{}", HIT.trim_end()));
    let (s, out) = scan_json(&[dir.join("logs").to_str().unwrap()]);
    assert!(code(&out) == 0 || code(&out) == 1);
    assert_eq!(s.stats.lines, 1 + 2);
    assert_eq!(auth_count(&s), 1);
    // the empty file is said to be empty (a note, not a lost input)
    let empty: Vec<_> = s.warnings.iter().filter(|w| w.reason.starts_with("empty")).collect();
    assert_eq!(empty.len(), 1, "{:?}", s.warnings);
    assert!(empty[0].file.ends_with("empty.log"));
    let out = run(&["scan", "--quiet", "--strict", "--format", "json", dir.join("logs").to_str().unwrap()]);
    assert_ne!(code(&out), 2, "an empty file is not a partial input");
}

/// A live file truncated while it is scanned (logrotate copytruncate)
/// must not kill the process; the other file's results are kept.
#[test]
fn file_truncated_during_the_scan() {
    let dir = Dir::new();
    dir.write("logs/other.log", format!("{OK}{HIT}"));
    let big = dir.join("logs/live.log");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        let line = OK.repeat(50) + HIT;
        for _ in 0..40_000 {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    let child = bin()
        .args([
            "scan",
            "--quiet",
            "--format",
            "json",
            "--jobs",
            "1",
            "--block-size",
            "65536",
            dir.join("logs").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    std::fs::OpenOptions::new().write(true).open(&big).unwrap().set_len(0).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.signal().is_none(), "killed by signal {:?}", out.status.signal());
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    let s: crate::contract::Summary = serde_json::from_slice(&out.stdout).unwrap();
    let other = s.signatures.iter().filter(|g| g.system == "logs").map(|g| g.count).sum::<u64>();
    assert!(other >= 1);
    // one warning for the file, whatever the number of blocks cut, with the
    // length the file really has now
    let cut: Vec<_> = s.warnings.iter().filter(|w| w.file.ends_with("live.log")).collect();
    assert!(cut.len() <= 1, "{cut:?}");
    if let Some(w) = cut.first() {
        // cut while read, or (on a slow machine) already cut when found
        let truncated = w.reason.contains("changed during the scan: it ended at byte 0,");
        assert!(truncated || w.reason.starts_with("empty"), "{w:?}");
    }
}

/// A codec's name, its file suffix and its compressor.
type Codec = (&'static str, &'static str, fn(&[u8]) -> Vec<u8>);

/// The codecs besides gzip, each as its own writer makes it.
fn compressors() -> Vec<Codec> {
    fn zst(b: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(b, 3).unwrap()
    }
    fn bz2(b: &[u8]) -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        std::io::Write::write_all(&mut e, b).unwrap();
        e.finish().unwrap()
    }
    fn xz(b: &[u8]) -> Vec<u8> {
        let mut e = xz2::write::XzEncoder::new(Vec::new(), 1);
        std::io::Write::write_all(&mut e, b).unwrap();
        e.finish().unwrap()
    }
    vec![("zstd", "zst", zst), ("bzip2", "bz2", bz2), ("xz", "xz", xz)]
}

#[test]
fn zstd_bzip2_and_xz_are_read_by_content_whole_and_through_stdin() {
    for (codec, ext, compress) in compressors() {
        let dir = Dir::new();
        // two streams back to back (a rotation appended to another), a
        // file named for the codec and one whose name says nothing
        let mut bytes = compress(format!("{OK}{HIT}").as_bytes());
        bytes.extend(compress(format!("{OK}{HIT}{HIT}").as_bytes()));
        dir.write(&format!("logs/app.log.2.{ext}"), &bytes);
        dir.write("logs/no-extension", compress(HIT.as_bytes()));
        let (s, out) = scan_json(&[dir.join("logs").to_str().unwrap()]);
        assert_eq!(s.stats.lines, 5 + 1, "{codec}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(auth_count(&s), 4, "{codec}");
        assert!(s.warnings.is_empty(), "{codec}: {:?}", s.warnings);
        // a rotation named alone takes its system from its name, past the
        // codec's suffix
        let (s, _) = scan_json(&[dir.join(&format!("logs/app.log.2.{ext}")).to_str().unwrap()]);
        assert_eq!(s.systems[0].name, "app", "{codec}");

        let child = bin()
            .args(["scan", "--format", "json", "--quiet", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut child = child;
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), &bytes).unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let s: crate::contract::Summary = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(auth_count(&s), 3, "{codec} through stdin");
    }
}

#[test]
fn truncated_zstd_bzip2_and_xz_keep_what_was_read_and_say_so() {
    // lines that differ, so that the compressed data holds many blocks
    // and a cut leaves whole ones before it
    let mut text = String::new();
    for i in 0..20000u64 {
        text.push_str(&format!(
            "2026-11-24T10:00:00Z INFO ok request {} took {} ms\n",
            i * 7919 % 100_003,
            i % 997
        ));
        text.push_str(HIT);
    }
    for (codec, ext, compress) in compressors() {
        let dir = Dir::new();
        let full = compress(text.as_bytes());
        dir.write(&format!("logs/cut.log.{ext}"), &full[..full.len() * 6 / 10]);
        let (s, out) = scan_json(&[dir.join("logs").to_str().unwrap()]);
        assert!(code(&out) == 0 || code(&out) == 1, "{codec}");
        assert!(auth_count(&s) > 0, "{codec}: the lines before the cut are kept");
        assert_eq!(s.warnings.len(), 1, "{codec}: {:?}", s.warnings);
        assert!(
            s.warnings[0].file.ends_with(&format!("cut.log.{ext}")) && s.warnings[0].reason.contains(codec),
            "{codec}: {:?}",
            s.warnings
        );
        let out =
            run(&["scan", "--quiet", "--strict", "--format", "json", dir.join("logs").to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{codec}: a partial input fails --strict");
    }
}

#[test]
fn kubernetes_log_folders_are_named_by_workload() {
    // /var/log/pods/NS_POD_UID/CONTAINER/N.log: the replicas of one
    // Deployment are one system, named after it
    let dir = Dir::new();
    let uid = |i: u32| format!("0c9b4b1e-6f0b-4f3a-9d59-2b6f3e0c1a{i:02}");
    let cri = |t: &str| {
        format!(
            "2026-11-24T10:00:0{t}.000000001Z stderr F ERROR call failed: 401 Unauthorized invalid_token\n"
        )
    };
    dir.write(&format!("pods/shop_orders-7d9f8b6c4d-x2k9z_{}/orders/0.log", uid(1)), cri("1"));
    dir.write(&format!("pods/shop_orders-7d9f8b6c4d-q8w7n_{}/orders/0.log", uid(2)), cri("2"));
    dir.write(&format!("pods/shop_postgres-0_{}/postgres/0.log", uid(3)), cri("3"));
    let (s, _) = scan_json(&[dir.join("pods").to_str().unwrap()]);
    let systems: Vec<(&str, u64)> = s.systems.iter().map(|x| (x.name.as_str(), x.files)).collect();
    assert_eq!(systems, vec![("orders", 2), ("postgres", 1)]);
    // /var/log/containers/POD_NS_CONTAINER-ID.log, one flat folder
    let id = "3f4e".repeat(16);
    dir.write(&format!("containers/orders-7d9f8b6c4d-x2k9z_shop_orders-{id}.log"), cri("1"));
    dir.write(&format!("containers/postgres-0_shop_postgres-{id}.log"), cri("2"));
    let (s, _) = scan_json(&[dir.join("containers").to_str().unwrap()]);
    let names: Vec<&str> = s.systems.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, vec!["orders", "postgres"]);
    assert_eq!(auth_count(&s), 2, "CRI lines are matched");
}
