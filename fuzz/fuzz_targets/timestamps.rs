//! The timestamp learner and parsers on arbitrary bytes: they must never
//! panic, whatever the lines, the zone or the order. The input is read as
//! lines fed to one detector (so what it learns from early lines is used on
//! later ones), the first byte choosing the zone and the file's year.
//!
//!     cargo +nightly fuzz run timestamps -- -max_total_time=60

#![no_main]

use faultline::timestamp::{locate, Detector, TimeContext, Zone};
use libfuzzer_sys::fuzz_target;

const ZONES: [&str; 4] = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let zone = Zone::parse(ZONES[first as usize % ZONES.len()]).expect("a known zone");
    // mtime anywhere from 1970 to 2100, or unknown
    let mtime = (first & 0x80 != 0).then(|| (first as i64 & 0x7f) * 32_000_000);
    let mut detector = Detector::new(TimeContext::new(zone, mtime));
    for line in rest.split(|&b| b == b'\n') {
        if let Some(stamp) = detector.find(line) {
            let _ = faultline::event::event_ms(stamp);
        }
        let _ = locate(line, 1970 + (first as i32 % 200));
    }
});
