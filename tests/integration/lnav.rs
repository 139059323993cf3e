//! lnav's own format definitions as a check on layouts nobody here tuned
//! for: every sample line that lnav ships with its built-in formats is
//! read, and where lnav gives the line a time, faultline must find a time
//! on it and the same instant.
//!
//! Nothing of lnav is copied into this repository: lnav writes its
//! built-in definitions (with their `sample` lines) under `$HOME/.lnav`
//! when it runs, so the test runs it once in a temporary home, reads the
//! samples from there, and asks lnav itself (`SELECT log_time FROM
//! all_logs`) what time it read on each. `.ci/run` installs lnav and sets
//! `FAULTLINE_REQUIRE_LNAV=1`, so there the test cannot be skipped; on a
//! machine without lnav it says so and passes.

use crate::util::*;
use faultline::timestamp::{Detector, TimeContext, Zone};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Formats left out, with why: most carry no date that a reader of the
/// line alone can know (lnav fills these from elsewhere: the file's date,
/// the time of the previous line); one splits its date from its time. faultline gives such lines the time of the
/// timed line above, as it does any untimed line.
const NO_DATE_ON_THE_LINE: &[(&str, &str)] = &[
    ("strace_log", "a time of day only (`08:09:33.814936 execve(...)`)"),
    ("tcf_log", "minutes and seconds only (`TCF 29:47.191:`)"),
    ("sudo_log", "no time at all: syslog adds it"),
    ("tcsh_history", "a shell history, epoch seconds after `#+` on a line of their own"),
    (
        "esx_syslog_log",
        "the date opens the line, the time follows the program (`2022-06-02 In(14) prog[1]: 05:34:23.666`)",
    ),
];

fn lnav(home: &Path) -> Command {
    let mut c = Command::new("lnav");
    c.env("HOME", home).env("TZ", "UTC").env("XDG_CONFIG_HOME", home.join(".config"));
    c
}

/// The definitions lnav wrote: `*.json` or `*.json.sample` under its
/// `formats/default` folder (`~/.lnav` or `~/.config/lnav`).
fn definitions(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in [home.join(".lnav/formats/default"), home.join(".config/lnav/formats/default")] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.ends_with(".json") || name.ends_with(".json.sample") {
                    found.push(e.path());
                }
            }
        }
    }
    found.sort();
    found
}

/// Every (format, sample record) of one definition file.
fn samples(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (name, def) in v.as_object().into_iter().flatten() {
        let Some(list) = def.get("sample").and_then(|s| s.as_array()) else { continue };
        for s in list {
            if let Some(line) = s.get("line").and_then(|l| l.as_str()) {
                out.push((name.clone(), line.to_string()));
            }
        }
    }
    out
}

/// lnav's reading of a file: (line number, time as written by lnav,
/// format name) per message.
fn lnav_times(home: &Path, file: &Path) -> Vec<(usize, String, String)> {
    let out = lnav(home)
        .args(["-n", "-c", ";SELECT log_line, log_time, log_format FROM all_logs", "-c", ":write-csv-to -"])
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.splitn(3, ',');
            let n = f.next()?.parse().ok()?;
            Some((n, f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

/// lnav prints `2014-10-28 10:42:22.772` (UTC here): ms since the epoch.
fn lnav_ms(t: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    Some(t.and_utc().timestamp_millis())
}

#[test]
fn lnav_sample_lines_are_read_at_lnavs_instant() {
    if Command::new("lnav").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("FAULTLINE_REQUIRE_LNAV").is_none(),
            "lnav is required here but not installed"
        );
        eprintln!("lnav is not installed: its sample lines were not checked");
        return;
    }
    let home = Dir::new();
    let seed = home.write("seed.log", "2026-11-24 19:07:01 INFO seed\n");
    lnav(home.path()).arg("-n").arg(&seed).output().unwrap();
    let files = definitions(home.path());
    assert!(files.len() >= 20, "lnav wrote {} format definitions", files.len());

    let (mut checked, mut formats) = (0, std::collections::BTreeSet::new());
    let mut wrong = Vec::new();
    for def in &files {
        for (i, (format, record)) in samples(def).into_iter().enumerate() {
            let file = home.write(&format!("samples/{format}-{i}.log"), format!("{record}\n"));
            let first = record.lines().next().unwrap_or("");
            let theirs = lnav_times(home.path(), &file);
            // only what lnav read as this format, at a time of its own
            let Some(want) = theirs.iter().find(|t| t.0 == 0 && t.2 == format).and_then(|t| lnav_ms(&t.1))
            else {
                continue;
            };
            if NO_DATE_ON_THE_LINE.iter().any(|(f, _)| *f == format) {
                continue;
            }
            let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
            let mtime_s = mtime.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
            let mut detector = Detector::new(TimeContext::new(Zone::parse("UTC").unwrap(), Some(mtime_s)));
            checked += 1;
            formats.insert(format.clone());
            match detector.find(first.as_bytes()) {
                None => wrong.push(format!("{format}: no time in {first:?}")),
                Some(s) => {
                    // lnav's log_time is the wall clock as written (the
                    // offset on the line is not applied); a yearless line
                    // may take another year in lnav (it guesses from the
                    // file), so those compare within whole days
                    let wall = s.ms + i64::from(s.written_offset_s.unwrap_or(0)) * 1000;
                    let same = wall == want || s.layout.yearless() && (wall - want) % 86_400_000 == 0;
                    if !same {
                        wrong.push(format!("{format}: {wall} read, lnav {want} in {first:?}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "lnav samples: {} of {checked} lines of {} formats at lnav's instant",
        checked - wrong.len(),
        formats.len()
    );
    assert!(checked >= 60, "only {checked} sample lines were checked");
    assert!(
        wrong.is_empty(),
        "{} of {checked} lnav sample lines misread:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
