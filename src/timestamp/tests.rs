//! One row per layout: sample line → expected UTC instant.

use super::*;

fn utc(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
}

/// mtime 2026-11-25T00:00:00Z, so yearless times fall in 2026.
fn ctx(zone: &str) -> TimeContext {
    TimeContext::new(Zone::parse(zone).unwrap(), Some(utc("2026-11-25T00:00:00Z") / 1000))
}

#[test]
fn table() {
    let rows: &[(&str, &str, &str, Layout)] = &[
        ("UTC", "2026-11-24T19:07:01.123Z INFO x", "2026-11-24T19:07:01.123Z", Layout::Iso),
        ("UTC", "2026-11-24T19:07:01.123456789+02:00 x", "2026-11-24T17:07:01.123Z", Layout::Iso),
        ("UTC", "2026-11-24 19:07:01,123 ERROR [main] c.a.B - x", "2026-11-24T19:07:01.123Z", Layout::Iso),
        ("Europe/Paris", "2026-11-24 19:07:01,123 ERROR x", "2026-11-24T18:07:01.123Z", Layout::Iso),
        ("UTC", "2026-11-24T19:07:01-0500 x", "2026-11-25T00:07:01Z", Layout::Iso),
        ("UTC", "2026/11/24 19:07:01.123456 handler: x", "2026-11-24T19:07:01.123Z", Layout::SlashYmd),
        ("UTC", "Nov 24 19:07:01 host sshd[1]: x", "2026-11-24T19:07:01Z", Layout::Syslog),
        (
            "UTC",
            "E1124 19:07:01.123456   12345 reflector.go:138] x",
            "2026-11-24T19:07:01.123Z",
            Layout::Klog,
        ),
        ("UTC", "I0102 03:04:05.000001 1 main.go:42] x", "2026-01-02T03:04:05Z", Layout::Klog),
        ("UTC", "<34>1 2026-11-24T19:07:01.003Z host app - - x", "2026-11-24T19:07:01.003Z", Layout::Iso),
        (
            "UTC",
            "10.0.0.1 - - [24/Nov/2026:19:07:01 +0100] \"GET / HTTP/1.1\" 200",
            "2026-11-24T18:07:01Z",
            Layout::AccessLog,
        ),
        ("UTC", "[Tue Nov 24 19:07:01.123456 2026] [error] x", "2026-11-24T19:07:01.123Z", Layout::Ctime),
        ("UTC", "Tue Nov 24 19:07:01 2026 x", "2026-11-24T19:07:01Z", Layout::Ctime),
        ("UTC", "Nov 24, 2026 7:07:01 PM org.x.Y z", "2026-11-24T19:07:01Z", Layout::Jul),
        ("UTC", "Nov 24, 2026 12:07:01 AM org.x.Y z", "2026-11-24T00:07:01Z", Layout::Jul),
        ("UTC", "11/24/2026 07:07:01 PM x", "2026-11-24T19:07:01Z", Layout::Us),
        (
            "UTC",
            "2026-11-24 19:07:01 10.0.0.1 GET /x - 443 - 10.0.0.2 ua 200 0 0 15",
            "2026-11-24T19:07:01Z",
            Layout::Iso,
        ),
        ("UTC", "1764011221 x", "2025-11-24T19:07:01Z", Layout::EpochS),
        ("UTC", "1764011221.5 x", "2025-11-24T19:07:01.500Z", Layout::EpochS),
        ("UTC", "1764011221123 x", "2025-11-24T19:07:01.123Z", Layout::EpochMs),
        ("UTC", "1764011221123456 x", "2025-11-24T19:07:01.123Z", Layout::EpochUs),
        ("UTC", "1764011221123456789 x", "2025-11-24T19:07:01.123Z", Layout::EpochNs),
        ("UTC", "20261124-19:07:01:123|Step|1|x", "2026-11-24T19:07:01.123Z", Layout::CompactDash),
        ("UTC", "081109 203615 148 INFO dfs.DataNode: x", "2008-11-09T20:36:15Z", Layout::CompactYmdHms),
        ("UTC", "2005-06-03-15.42.50.675872 R02 RAS", "2005-06-03T15:42:50.675Z", Layout::DashedDots),
        ("UTC", "17/06/09 20:10:40 INFO x", "2017-06-09T20:10:40Z", Layout::ShortYmd),
        (
            "UTC",
            "{\"level\":\"error\",\"ts\":\"2026-11-24T19:07:01.5Z\",\"msg\":\"x\"}",
            "2026-11-24T19:07:01.500Z",
            Layout::Iso,
        ),
        ("UTC", "{\"@timestamp\": \"2026-11-24T19:07:01Z\"}", "2026-11-24T19:07:01Z", Layout::Iso),
        ("UTC", "{\"time\":1764011221123,\"msg\":\"x\"}", "2025-11-24T19:07:01.123Z", Layout::EpochMs),
        ("UTC", "level=error ts=2026-11-24T19:07:01Z msg=x", "2026-11-24T19:07:01Z", Layout::Iso),
        ("UTC", "11-24 19:07:01.123  1234  1251 E OkHttp  : x", "2026-11-24T19:07:01.123Z", Layout::MonthDay),
        ("UTC", "1:M 24 Nov 2026 19:07:01.123 # x", "2026-11-24T19:07:01.123Z", Layout::DayMonYear),
        ("UTC", "24-Nov-2026 19:07:01.123 SEVERE [main] x", "2026-11-24T19:07:01.123Z", Layout::DayMonYear),
        ("UTC", "Tue, 24 Nov 2026 19:07:01 +0100 x", "2026-11-24T18:07:01Z", Layout::DayMonYear),
        ("UTC", "I20261124 19:07:01.123456 400441 config.cc:27] x", "2026-11-24T19:07:01.123Z", Layout::Klog),
        ("UTC", "amLog:11/24/2026 07:07:01:123 PM UTC: Thread[x]", "2026-11-24T19:07:01.123Z", Layout::Us),
        (
            "UTC",
            "Thread-1950::INFO::2026-11-24 19:07:01,123::dispatcher::94::x",
            "2026-11-24T19:07:01.123Z",
            Layout::Iso,
        ),
        (
            "UTC",
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket [24/Nov/2026:19:07:01 +0000] 192.0.2.3",
            "2026-11-24T19:07:01Z",
            Layout::AccessLog,
        ),
        ("UTC", "\u{feff}2026-11-24 19:07:01 x", "2026-11-24T19:07:01Z", Layout::Iso),
    ];
    for (zone, line, want, layout) in rows {
        let mut d = Detector::new(ctx(zone));
        let got = d.find(line.as_bytes()).unwrap_or_else(|| panic!("no time in {line:?}"));
        assert_eq!(got.ms, utc(want), "{line:?}");
        assert_eq!(got.layout, *layout, "{line:?}");
    }
}

#[test]
fn learned_position_is_not_reused_inside_a_token() {
    let mut d = Detector::new(ctx("UTC"));
    let a = d.find(b"10.0.0.5 - - [24/Nov/2026:18:00:01 +0000] \"GET /\" 200").unwrap();
    assert_eq!(a.ms, utc("2026-11-24T18:00:01Z"));
    let b = d.find(b"203.0.113.19 - - [24/Nov/2026:18:00:05 +0000] \"GET /\" 200").unwrap();
    assert_eq!(b.ms, utc("2026-11-24T18:00:05Z"));
}

#[test]
fn no_time_and_impossible_dates() {
    let mut d = Detector::new(ctx("UTC"));
    for line in [
        "\tat com.acme.Foo.bar(Foo.java:12)",
        "2026-02-30 10:00:00 x",
        "took 401ms for 1234567 rows",
        "",
        "Caused by: java.net.SocketTimeoutException: Read timed out",
    ] {
        assert_eq!(d.find(line.as_bytes()), None, "{line:?}");
    }
}

#[test]
fn syslog_new_year_wraps_back() {
    // The file was last written on 2027-01-01 00:10Z: "Dec 31" is 2026.
    let c = TimeContext::new(Zone::Utc, Some(utc("2027-01-01T00:10:00Z") / 1000));
    let mut d = Detector::new(c);
    assert_eq!(d.find(b"Dec 31 23:59:58 h a: x").unwrap().ms, utc("2026-12-31T23:59:58Z"));
    assert_eq!(d.find(b"Jan  1 00:00:03 h a: x").unwrap().ms, utc("2027-01-01T00:00:03Z"));
}

#[test]
fn dst_fold_and_gap_in_named_zone() {
    let mut d = Detector::new(ctx("America/New_York"));
    assert_eq!(d.find(b"2024-11-03 01:30:00 x").unwrap().ms, utc("2024-11-03T05:30:00Z"));
    assert_eq!(d.find(b"2024-03-10 02:30:00 x").unwrap().ms, utc("2024-03-10T07:30:00Z"));
}

#[test]
fn loghub_samples_have_times() {
    let root = crate::testutil::shared_dir().join("data/loghub-2k");
    for name in ["Apache", "BGL", "HDFS", "Hadoop", "HealthApp", "OpenSSH", "Spark", "Zookeeper"] {
        let path = root.join(name).join(format!("{name}_2k.log"));
        let text = std::fs::read(&path).unwrap();
        let mut d = Detector::new(ctx("UTC"));
        let missing: Vec<usize> = text
            .split(|&b| b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.is_empty() && d.find(l).is_none())
            .map(|(i, _)| i + 1)
            .collect();
        assert!(missing.is_empty(), "{name}: lines without a time: {:?}", &missing[..missing.len().min(5)]);
    }
}

proptest::proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut d = Detector::new(ctx("America/New_York"));
        let _ = d.find(&bytes);
        let _ = locate(&bytes, 2026);
    }

    #[test]
    fn never_panics_on_near_times(s in "[0-9 :/.,TZ+-]{0,40}") {
        let mut d = Detector::new(ctx("UTC"));
        let _ = d.find(s.as_bytes());
    }
}

/// Splits one CSV record (quotes with doubled quotes inside).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Every timestamped line of the labelled Loghub samples gets the instant
/// its structured CSV gives (the labellers' date and time columns).
#[test]
fn loghub_times_match_the_labelled_columns() {
    let root = crate::testutil::shared_dir().join("data/loghub-2k");
    // (dataset, how to build "YYYY-MM-DD HH:MM:SS[.fff]" or epoch from the columns)
    type Build = fn(&dyn Fn(&str) -> String) -> String;
    let rows: &[(&str, Build)] = &[
        ("Apache", |c| {
            let d = chrono::NaiveDateTime::parse_from_str(&c("Time"), "%a %b %d %H:%M:%S %Y").unwrap();
            d.format("%Y-%m-%d %H:%M:%S").to_string()
        }),
        ("BGL", |c| c("Timestamp")),
        ("HDFS", |c| {
            let d = format!("{:0>6}", c("Date"));
            let t = format!("{:0>6}", c("Time"));
            format!("20{}-{}-{} {}:{}:{}", &d[..2], &d[2..4], &d[4..6], &t[..2], &t[2..4], &t[4..6])
        }),
        ("Hadoop", |c| format!("{} {}", c("Date"), c("Time").replace(',', "."))),
        ("HealthApp", |c| {
            let t = c("Time");
            let (date, rest) = t.split_once('-').unwrap();
            let p: Vec<&str> = rest.split(':').collect();
            format!(
                "{}-{}-{} {:0>2}:{:0>2}:{:0>2}.{:0>3}",
                &date[..4],
                &date[4..6],
                &date[6..8],
                p[0],
                p[1],
                p[2],
                p[3]
            )
        }),
        ("OpenSSH", |c| {
            // No year: the context's file was written in November 2026, so
            // December lines belong to 2025.
            let d =
                chrono::NaiveDate::parse_from_str(&format!("2025 {} {}", c("Date"), c("Day")), "%Y %b %d")
                    .unwrap();
            format!("{} {}", d.format("%Y-%m-%d"), c("Time"))
        }),
        ("Spark", |c| {
            let d = c("Date");
            format!("20{}-{}-{} {}", &d[..2], &d[3..5], &d[6..8], c("Time"))
        }),
        ("Zookeeper", |c| format!("{} {}", c("Date"), c("Time").replace(',', "."))),
    ];
    for (name, build) in rows {
        let dir = root.join(name);
        let log = std::fs::read(dir.join(format!("{name}_2k.log"))).unwrap();
        let csv =
            std::fs::read_to_string(dir.join(format!("{name}_2k.log_structured_corrected.csv"))).unwrap();
        let mut lines = csv.lines();
        let header = csv_fields(lines.next().unwrap());
        let mut det = Detector::new(ctx("UTC"));
        let raw: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
        let mut checked = 0;
        for record in lines {
            let f = csv_fields(record);
            let col = |k: &str| f[header.iter().position(|h| h == k).unwrap()].clone();
            let line_id: usize = col("LineId").parse().unwrap();
            let want_text = build(&col);
            let want = match want_text.parse::<i64>() {
                Ok(epoch) => epoch * 1000,
                Err(_) => {
                    let fmt =
                        if want_text.contains('.') { "%Y-%m-%d %H:%M:%S%.f" } else { "%Y-%m-%d %H:%M:%S" };
                    chrono::NaiveDateTime::parse_from_str(&want_text, fmt)
                        .unwrap_or_else(|e| panic!("{name} line {line_id}: {want_text}: {e}"))
                        .and_utc()
                        .timestamp_millis()
                }
            };
            let got = det.find(raw[line_id - 1]).map(|s| s.ms);
            assert_eq!(
                got,
                Some(want),
                "{name} line {line_id}: {}",
                String::from_utf8_lossy(raw[line_id - 1])
            );
            checked += 1;
        }
        assert_eq!(checked, 2000, "{name}");
    }
}

#[test]
fn month_day_needs_its_fraction_and_day_month_year_its_year() {
    let mut d = Detector::new(ctx("UTC"));
    assert!(d.find(b"pages 10-12 12:00:00 printed").is_none());
    assert!(d.find(b"on 24 Nov at 19:07:01").is_none());
    // a syslog program[pid] with a 10-digit id is not epoch seconds
    assert!(d.find(b"2022-06-02 In(14) hostprofile[1001430319]: 05:34:23.666 x").is_none());
    // an audit record's epoch in parentheses still is
    let got = d.find(b"type=SYSCALL msg=audit(1764011221.123:456): arch=c000003e").unwrap();
    assert_eq!(got.ms, utc("2025-11-24T19:07:01.123Z"));
}
