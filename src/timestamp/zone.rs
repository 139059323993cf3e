//! The zone a zoneless time is read in, and the rule at daylight-saving
//! changes.
//!
//! Rule (written down here and tested below): a local time that occurs
//! twice (the autumn fold) is read as the *earlier* instant, as lnav does; a
//! local time that does not exist (the spring gap) is read with the offset
//! in force just before the gap, so `02:30` on a 02:00→03:00 spring-forward
//! night becomes `03:30` local (the clock a writer that had not yet switched
//! would have shown).

use chrono::{LocalResult, NaiveDateTime, Offset, TimeZone};

/// A time zone for zoneless timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// The machine's local zone (the `TZ` environment variable, else
    /// /etc/localtime).
    Local,
    /// An IANA zone.
    Named(chrono_tz::Tz),
}

/// The zone a system's zoneless times are read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadZone {
    /// The zone.
    pub zone: Zone,
    /// The user named it (`--tz`); else it is the machine's, assumed.
    pub stated: bool,
}

/// Whether a `TZ` value names a zone: an IANA name (`Europe/Paris`,
/// `:Europe/Paris`), a file path, or a POSIX rule (`CET-1CEST`, `UTC0`,
/// which carry an offset's digits).
fn known_tz(tz: &str) -> bool {
    let name = tz.strip_prefix(':').unwrap_or(tz);
    name.parse::<chrono_tz::Tz>().is_ok()
        || name.starts_with('/') && std::path::Path::new(name).is_file()
        || name.bytes().any(|b| b.is_ascii_digit())
}

impl Zone {
    /// Parses `UTC`, `local` or an IANA name (`Europe/Paris`).
    pub fn parse(name: &str) -> Result<Zone, String> {
        match name {
            "UTC" | "utc" | "Z" => Ok(Zone::Utc),
            "local" | "Local" => Ok(Zone::Local),
            _ => name.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
                format!("unknown time zone {name:?} (use an IANA name such as Europe/Paris, or UTC)")
            }),
        }
    }

    /// The zone's name for reports.
    pub fn name(&self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Local => match std::env::var("TZ") {
                Ok(tz) if tz.is_empty() => "local".into(),
                Ok(tz) if known_tz(&tz) => format!("local ({tz})"),
                // the C library reads a TZ it does not know as UTC
                Ok(tz) => format!("UTC (TZ={tz} is not a known zone)"),
                _ => "local".into(),
            },
            Zone::Named(tz) => tz.name().to_string(),
        }
    }

    /// How far this zone is ahead of UTC at an instant, ms.
    pub fn offset_at(&self, utc_ms: i64) -> i64 {
        let Some(t) = chrono::DateTime::from_timestamp_millis(utc_ms) else { return 0 };
        let secs = match self {
            Zone::Utc => 0,
            Zone::Local => t.with_timezone(&chrono::Local).offset().fix().local_minus_utc(),
            Zone::Named(tz) => t.with_timezone(tz).offset().fix().local_minus_utc(),
        };
        i64::from(secs) * 1000
    }

    /// Milliseconds since the epoch of a local time in this zone.
    pub fn to_utc_ms(&self, local: NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Utc => Some(local.and_utc().timestamp_millis()),
            Zone::Local => resolve(&chrono::Local, local),
            Zone::Named(tz) => resolve(tz, local),
        }
    }
}

/// The name of a fixed offset from UTC: `UTC+05:45`.
pub fn fixed_offset_name(offset_ms: i64) -> String {
    let minutes = offset_ms / 60_000;
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("UTC{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

fn resolve<T: TimeZone>(tz: &T, local: NaiveDateTime) -> Option<i64> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.timestamp_millis()),
        LocalResult::Ambiguous(a, b) => Some(a.timestamp_millis().min(b.timestamp_millis())),
        LocalResult::None => {
            // In a gap: read with the offset in force before it. Gaps are at
            // most a few hours; find the offset a little before.
            let before = local.checked_sub_signed(chrono::TimeDelta::hours(3))?;
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) => t.offset().fix(),
                LocalResult::Ambiguous(a, _) => a.offset().fix(),
                LocalResult::None => return None,
            };
            Some(local.and_utc().timestamp_millis() - i64::from(offset.local_minus_utc()) * 1000)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }

    #[test]
    fn fold_reads_the_earlier_instant() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2024-11-03 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
        let ms = ny.to_utc_ms(at(2024, 11, 3, 1, 30)).unwrap();
        assert_eq!(ms, at(2024, 11, 3, 5, 30).and_utc().timestamp_millis());
    }

    #[test]
    fn gap_reads_with_the_offset_before() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2024-03-10 02:30 does not exist; EST (-5) applies: 07:30Z.
        let ms = ny.to_utc_ms(at(2024, 3, 10, 2, 30)).unwrap();
        assert_eq!(ms, at(2024, 3, 10, 7, 30).and_utc().timestamp_millis());
    }

    #[test]
    fn offsets_at_an_instant_follow_daylight_saving() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let winter = at(2026, 1, 15, 12, 0).and_utc().timestamp_millis();
        let summer = at(2026, 7, 15, 12, 0).and_utc().timestamp_millis();
        assert_eq!(paris.offset_at(winter), 3_600_000);
        assert_eq!(paris.offset_at(summer), 7_200_000);
        assert_eq!(Zone::Utc.offset_at(summer), 0);
    }

    /// A fixed offset as people write it: `UTC+05:30`, `UTC-03:00`.
    #[test]
    fn fixed_offsets_are_named_as_written() {
        assert_eq!(fixed_offset_name(19_800_000), "UTC+05:30");
        assert_eq!(fixed_offset_name(-10_800_000), "UTC-03:00");
        assert_eq!(fixed_offset_name(0), "UTC+00:00");
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::Utc);
    }
}
