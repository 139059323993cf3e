//! The user's times: `--since` / `--until` as RFC 3339 or relative to the
//! newest event (`2h`, `30m`, `90s`, `1d`).

/// A bound given on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBound {
    /// An instant, ms since the epoch.
    At(i64),
    /// This many ms before the newest event.
    BeforeNewest(i64),
}

impl TimeBound {
    /// Parses `2026-11-24T19:07:01Z`, `2026-11-24 19:07:01+01:00` or `2h`.
    pub fn parse(text: &str) -> Result<TimeBound, String> {
        let t = text.trim();
        if let Some(ms) = relative_ms(t) {
            return Ok(TimeBound::BeforeNewest(ms));
        }
        chrono::DateTime::parse_from_rfc3339(t)
            .or_else(|_| chrono::DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%:z"))
            .map(|d| TimeBound::At(d.timestamp_millis()))
            .map_err(|_| {
                format!("bad time {text:?}: use RFC 3339 (2026-11-24T19:07:01Z) or a duration before the newest event (30m, 2h, 1d)")
            })
    }

    /// The instant, given the newest event's time.
    pub fn resolve(self, newest_ms: i64) -> i64 {
        match self {
            TimeBound::At(ms) => ms,
            TimeBound::BeforeNewest(d) => newest_ms.saturating_sub(d),
        }
    }
}

fn relative_ms(t: &str) -> Option<i64> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = t.split_at(split);
    let n: i64 = n.parse().ok()?;
    let scale = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" | "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bounds() {
        assert_eq!(TimeBound::parse("2h").unwrap(), TimeBound::BeforeNewest(7_200_000));
        assert_eq!(TimeBound::parse("30m").unwrap().resolve(10_000_000), 8_200_000);
        assert_eq!(TimeBound::parse("1970-01-01T00:00:01Z").unwrap(), TimeBound::At(1000));
        assert_eq!(TimeBound::parse("1970-01-01 01:00:01+01:00").unwrap(), TimeBound::At(1000));
        assert!(TimeBound::parse("yesterday").is_err());
    }
}
