//! Micro-benchmark of the timestamp parsers against chrono's
//! `NaiveDateTime::parse_from_str` on the same lines: lines per second of
//! each, per layout. Checks the answers agree before timing.
//!
//! `cargo bench --bench timestamps`

use chrono::NaiveDateTime;
use faultline::timestamp::{Detector, TimeContext, Zone};
use std::hint::black_box;
use std::time::Instant;

/// (name, sample line, chrono format of the leading timestamp, its length)
const ROWS: &[(&str, &str, &str, usize)] = &[
    ("log4j", "2026-11-24 19:07:01,123 ERROR [main] c.a.B - x", "%Y-%m-%d %H:%M:%S,%3f", 23),
    ("iso8601", "2026-11-24T19:07:01.123456 INFO x", "%Y-%m-%dT%H:%M:%S%.f", 26),
    ("go", "2026/11/24 19:07:01.123456 handler: x", "%Y/%m/%d %H:%M:%S%.f", 26),
    ("ctime", "Tue Nov 24 19:07:01 2026 x", "%a %b %d %H:%M:%S %Y", 24),
    ("us", "11/24/2026 07:07:01 PM x", "%m/%d/%Y %I:%M:%S %p", 22),
    ("compact", "081109 203615 148 INFO dfs.DataNode: x", "%y%m%d %H%M%S", 13),
];

const N: usize = 1_000_000;

fn main() {
    let ctx = TimeContext::new(Zone::Utc, Some(1_795_000_000));
    println!("{:10} {:>14} {:>14} {:>7}", "layout", "faultline/s", "chrono/s", "ratio");
    for &(name, line, fmt, len) in ROWS {
        let mut det = Detector::new(ctx);
        let ours = det.find(line.as_bytes()).expect("faultline parses the sample").ms;
        let theirs = NaiveDateTime::parse_from_str(&line[..len], fmt).expect("chrono parses the sample");
        assert_eq!(ours, theirs.and_utc().timestamp_millis(), "{name}: the two parsers disagree");

        let t = Instant::now();
        for _ in 0..N {
            black_box(det.find(black_box(line.as_bytes())));
        }
        let fast = N as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        for _ in 0..N {
            black_box(NaiveDateTime::parse_from_str(black_box(&line[..len]), fmt).ok());
        }
        let slow = N as f64 / t.elapsed().as_secs_f64();
        println!("{name:10} {fast:>14.0} {slow:>14.0} {:>6.1}x", fast / slow);
    }
}
