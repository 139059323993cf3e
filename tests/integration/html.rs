//! `--format html` in a real browser: headless Chromium (Debian's
//! `chromium`, installed by `.ci/run`) loads the page with no console
//! message (an error, an uncaught exception or a refused fetch would all be
//! one) and takes screenshots at a desktop's and a phone's width, kept in
//! `target/html-screenshots/` to be looked at. The page must stay light at
//! 100k events. `FAULTLINE_BROWSER_TEST=skip` skips the browser part on a
//! machine without Chromium; otherwise a missing browser fails the test.

use crate::util::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if std::env::var("FAULTLINE_BROWSER_TEST").is_ok_and(|v| v == "skip") {
        return None;
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("sh").args(["-c", &format!("command -v {name}")]).output() {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return Some(PathBuf::from(path));
            }
        }
    }
    panic!(
        "no chromium found: install Debian's chromium (as .ci/run does) or set FAULTLINE_BROWSER_TEST=skip"
    );
}

/// Loads a page headless; returns (DOM after scripts ran, console lines).
fn load(browser: &Path, page: &Path, profile: &Path, extra: &[String]) -> (String, Vec<String>) {
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn shots_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/html-screenshots"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn html_report_of_the_example_loads_cleanly_in_chromium() {
    let dir = Dir::new();
    let page = dir.join("report.html");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");
    let out = run(&["scan", "--tz", "UTC", "--format", "html", "-q", "-o", page.to_str().unwrap(), example]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    // self-contained: nothing to fetch
    for outside in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(outside), "fetches {outside}");
    }
    assert!(html.contains("authentication failure in erp"), "headline");
    assert!(html.contains("signing key rotated"), "the change just before");
    assert!(html.contains("class=\"onset\""), "the onset is drawn");
    let Some(browser) = chromium() else { return };
    // the check itself: a page with an error is caught
    let bad = dir.write("bad.html", "<!DOCTYPE html><p>x</p><script>notDefined();</script>");
    let (_, console) = load(&browser, &bad, &dir.join("profile0"), &["--dump-dom".into()]);
    assert!(console.iter().any(|l| l.contains("notDefined")), "console errors are not seen: {console:?}");

    let (dom, console) = load(&browser, &page, &dir.join("profile1"), &["--dump-dom".into()]);
    assert!(console.is_empty(), "console: {console:#?}");
    assert!(
        dom.contains("<svg") && dom.contains("Access token rejected"),
        "not rendered: {}",
        &dom[..dom.len().min(500)]
    );
    for (width, name) in [(1280, "example-1280.png"), (390, "example-390.png")] {
        let shot = shots_dir().join(name);
        let _ = std::fs::remove_file(&shot);
        let (_, console) = load(
            &browser,
            &page,
            &dir.join(&format!("profile-{width}")),
            &[format!("--window-size={width},2400"), format!("--screenshot={}", shot.display())],
        );
        assert!(console.is_empty(), "console at {width}px: {console:#?}");
        let png = std::fs::read(&shot).unwrap_or_default();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "no screenshot at {width}px");
    }
}

/// 100k events: the page is drawn from buckets, so it stays small and
/// loads cleanly.
#[test]
fn html_report_stays_light_at_100k_events() {
    let dir = Dir::new();
    let mut log = String::with_capacity(12 << 20);
    for i in 0..100_000u32 {
        let (h, m, s, ms) = (i / 36_000, (i / 600) % 60, (i / 10) % 60, (i % 10) * 100);
        log.push_str(&format!(
            "2026-06-01T{:02}:{m:02}:{s:02}.{ms:03}Z ERROR upstream call failed: connection refused (host db-{}) request_id=r{i}\n",
            8 + h,
            i % 7
        ));
    }
    dir.write("logs/api/app.log", &log);
    dir.write(
        "logs/web/app.log",
        "2026-06-01T08:00:00.000Z INFO started\n2026-06-01T10:00:00.000Z INFO ok\n",
    );
    let page = dir.join("big.html");
    let out = run(&[
        "scan",
        "--format",
        "html",
        "-q",
        "-o",
        page.to_str().unwrap(),
        dir.join("logs").to_str().unwrap(),
    ]);
    assert!(code(&out) <= 1, "{}", String::from_utf8_lossy(&out.stderr));
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size < 400_000, "{size} bytes for 100k events");
    let Some(browser) = chromium() else { return };
    let shot = shots_dir().join("100k-1280.png");
    let (_, console) = load(
        &browser,
        &page,
        &dir.join("profile"),
        &["--window-size=1280,1600".into(), format!("--screenshot={}", shot.display())],
    );
    assert!(console.is_empty(), "console: {console:#?}");
    assert!(std::fs::read(&shot).unwrap_or_default().starts_with(b"\x89PNG"));
}
