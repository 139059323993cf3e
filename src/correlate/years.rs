//! The year of times written without one (syslog `Nov 24 19:07:01`, klog
//! `I1124 ...`). The scan takes it from the file's modification time, which
//! is right for a live log but a year off for one copied or extracted
//! months later. Other sources of the same run that write their year say
//! when the incident was: a yearless source whose times land about a year
//! away from theirs is moved by whole years to meet them.

use chrono::{DateTime, Datelike, Utc};

/// A yearless source is moved only when it is at least this far from the
/// dated sources...
const FAR_MS: i64 = 120 * 86_400_000;
/// ...and the move brings it within this of them.
const NEAR_MS: i64 = 45 * 86_400_000;

/// What is known of one source's years.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearFacts {
    /// Its times carry no year.
    pub yearless: bool,
    /// Its first time as read, ms.
    pub first_ms: Option<i64>,
}

/// Per source, how far its times as read are ahead of where the dated
/// sources put them (whole years, in ms; 0 when nothing is moved).
pub fn shifts(facts: &[YearFacts]) -> Vec<i64> {
    let mut dated: Vec<i64> = facts.iter().filter(|f| !f.yearless).filter_map(|f| f.first_ms).collect();
    let mut out = vec![0i64; facts.len()];
    if dated.is_empty() {
        return out;
    }
    dated.sort_unstable();
    let anchor = dated[dated.len() / 2];
    for (f, shift) in facts.iter().zip(out.iter_mut()) {
        let (true, Some(t)) = (f.yearless, f.first_ms) else { continue };
        if (t - anchor).abs() < FAR_MS {
            continue;
        }
        let best = [-2, -1, 1, 2]
            .into_iter()
            .filter_map(|years| Some(t - move_years(t, years)?))
            .min_by_key(|&d| (t - d - anchor).abs());
        if let Some(d) = best.filter(|&d| (t - d - anchor).abs() <= NEAR_MS) {
            *shift = d;
        }
    }
    out
}

/// The same wall-clock moment `years` years later (earlier when negative).
fn move_years(t: i64, years: i32) -> Option<i64> {
    let dt = DateTime::<Utc>::from_timestamp_millis(t)?;
    let moved = dt
        .with_year(dt.year() + years)
        .or_else(|| (dt - chrono::Duration::days(1)).with_year(dt.year() + years))?;
    Some(moved.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn a_copied_syslog_a_year_off_meets_the_dated_sources() {
        let facts = [
            YearFacts { yearless: false, first_ms: Some(at("2026-11-24T18:00:00Z")) },
            YearFacts { yearless: true, first_ms: Some(at("2027-11-24T18:01:00Z")) },
            YearFacts { yearless: true, first_ms: Some(at("2026-11-24T18:02:00Z")) },
        ];
        let s = shifts(&facts);
        assert_eq!(s[0], 0);
        assert_eq!(at("2027-11-24T18:01:00Z") - s[1], at("2026-11-24T18:01:00Z"));
        assert_eq!(s[2], 0, "already right");
    }

    #[test]
    fn nothing_moves_without_dated_sources_or_a_year_apart() {
        let yearless = YearFacts { yearless: true, first_ms: Some(at("2027-11-24T18:01:00Z")) };
        assert_eq!(shifts(&[yearless]), vec![0]);
        // dated sources half a year away: not a year's error
        let dated = YearFacts { yearless: false, first_ms: Some(at("2027-05-24T18:00:00Z")) };
        assert_eq!(shifts(&[dated, yearless]), vec![0, 0]);
    }
}
