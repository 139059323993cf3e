//! Timestamps: finding and reading the time of a log line, on one clock.
//!
//! Owns where a line's time is looked for (the head of the line, a JSON
//! `ts`/`time`/`@timestamp` field, a logfmt `ts=`/`time=` pair), the
//! byte-level layouts (`parse.rs`), the zone of zoneless times (`zone.rs`),
//! the year of yearless syslog times (the file's modification year, one year
//! back when that would put the line in the future: the New Year wrap) and
//! the user's `--since/--until` values (`user.rs`).
//!
//! A [`Detector`] remembers where and how the last line of its source
//! carried its time, so the next line is tried there first: the format is
//! learned per source and may change within a file.

mod parse;
pub mod user;
mod zone;

pub use parse::{Layout, Parsed};
pub use zone::{fixed_offset_name, ReadZone, Zone};

use chrono::Datelike;

/// How zoneless and yearless times of one source are read.
#[derive(Clone, Copy, Debug)]
pub struct TimeContext {
    /// Zone of times written without an offset.
    pub zone: Zone,
    /// The source's modification time, ms since the epoch.
    pub mtime_ms: Option<i64>,
}

impl TimeContext {
    /// A context for a source.
    pub fn new(zone: Zone, mtime_s: Option<i64>) -> TimeContext {
        TimeContext { zone, mtime_ms: mtime_s.map(|s| s.saturating_mul(1000)) }
    }

    fn year(&self) -> i32 {
        let ms = self.mtime_ms.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
        chrono::DateTime::from_timestamp_millis(ms).map_or(1970, |d| d.year())
    }

    /// The instant of a parsed time, in ms since the epoch (UTC).
    pub fn resolve(&self, p: &Parsed) -> Option<i64> {
        let ms = match p.offset_s {
            Some(off) => p.local.and_utc().timestamp_millis() - i64::from(off) * 1000,
            None => self.zone.to_utc_ms(p.local)?,
        };
        if p.yearless {
            // A yearless time later than a day past the file's last write
            // belongs to the year before (the lines before New Year).
            let limit = self.mtime_ms.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
            if ms > limit + 86_400_000 {
                let earlier = p.local.with_year(p.local.year() - 1)?;
                let back = Parsed { local: earlier, yearless: false, ..*p };
                return self.resolve(&back);
            }
        }
        Some(ms)
    }
}

/// A line's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Milliseconds since the epoch, UTC.
    pub ms: i64,
    /// The layout it was written in.
    pub layout: Layout,
    /// The offset from UTC written with the time, seconds; `None` when no
    /// zone was written (the context's zone was assumed).
    pub written_offset_s: Option<i32>,
    /// True when the time was written to the second only: the moment lies
    /// anywhere in that second.
    pub whole_second: bool,
}

/// Finds line times for one source, remembering where the last one was.
#[derive(Clone, Debug)]
pub struct Detector {
    ctx: TimeContext,
    last: Option<(usize, Layout)>,
}

/// How far into a line a leading timestamp is looked for.
const HEAD_WINDOW: usize = 64;
/// How far a time in brackets (`[10/Feb/2012:16:42:07 -0500]`) is looked
/// for when none is at the head.
const BRACKETED_WINDOW: usize = 160;
const JSON_KEYS: [&[u8]; 7] =
    [b"\"@timestamp\"", b"\"timestamp\"", b"\"ts\"", b"\"time\"", b"\"datetime\"", b"\"date\"", b"\"t\""];
const LOGFMT_KEYS: [&[u8]; 3] = [b"ts=", b"time=", b"timestamp="];

impl Detector {
    /// A detector for one source.
    pub fn new(ctx: TimeContext) -> Detector {
        Detector { ctx, last: None }
    }

    /// The time of a line, if it has one.
    pub fn find(&mut self, line: &[u8]) -> Option<Stamp> {
        let year = self.ctx.year();
        if let Some((pos, layout)) = self.last {
            if pos == first_text(line).unwrap_or(usize::MAX)
                || (pos > 0 && pos < line.len() && is_token_start(line, pos))
            {
                if let Some(p) = parse::parse_at(line, pos, year).filter(|p| p.layout == layout) {
                    return self.stamp(&p, &line[pos..p.end]);
                }
            }
        }
        let (pos, p) = locate(line, year)?;
        self.last = Some((pos, p.layout));
        self.stamp(&p, &line[pos..p.end])
    }

    fn stamp(&self, p: &Parsed, text: &[u8]) -> Option<Stamp> {
        // Written to the second: no fraction in the text, and not a layout
        // whose digits are finer than seconds.
        let whole_second =
            !matches!(p.layout, Layout::EpochMs | Layout::EpochUs | Layout::EpochNs | Layout::CompactDash)
                && !text.iter().any(|&b| b == b'.' || b == b',');
        Some(Stamp { ms: self.ctx.resolve(p)?, layout: p.layout, written_offset_s: p.offset_s, whole_second })
    }
}

/// The first byte of text (after NULs, blanks and a UTF-8 BOM).
fn first_text(line: &[u8]) -> Option<usize> {
    line.iter().position(|&b| b != 0 && b != b' ' && b != b'\t' && b != 0xef && b != 0xbb && b != 0xbf)
}

/// A token starts at `i` (the byte before it separates tokens). A colon
/// separates too after a name (`amLog:06/09/2014 ...`, `INFO::2011-12-07
/// ...`), never inside a time (`19:07:01`, where a digit precedes it).
fn is_token_start(line: &[u8], i: usize) -> bool {
    match line[i - 1] {
        b' ' | b'[' | b'(' | b'<' | b'=' | b'"' | b'\'' | b'|' | b',' | b';' | b'\t' => true,
        b':' => i >= 2 && !line[i - 2].is_ascii_digit() && line[i].is_ascii_digit(),
        _ => false,
    }
}

/// Where a line's time is, and what it says.
pub fn locate(line: &[u8], year: i32) -> Option<(usize, Parsed)> {
    let start = first_text(line)?;
    if line[start] == b'{' {
        if let Some(found) = keyed(line, &JSON_KEYS, year, true) {
            return Some(found);
        }
    }
    let window = line.len().min(start + HEAD_WINDOW);
    for i in start..window {
        if i == start || is_token_start(line, i) {
            if let Some(p) = parse::parse_at(line, i, year).filter(|p| !is_process_id(line, i, p)) {
                return Some((i, p));
            }
        }
    }
    // a bracketed time further in, after fields of their own (S3's access
    // log opens with a 64-digit owner id, uWSGI's with its counters)
    let far = line.len().min(start + BRACKETED_WINDOW);
    for open in memchr::memchr_iter(b'[', &line[window.min(far)..far]) {
        let i = window + open + 1;
        if let Some(p) = parse::parse_at(line, i, year).filter(|p| line.get(p.end) == Some(&b']')) {
            return Some((i, p));
        }
    }
    keyed(line, &LOGFMT_KEYS, year, false)
}

/// Whole epoch seconds right after `name[` are syslog's `program[pid]`
/// (ESXi writes 10-digit world ids there: `hostprofile[1001430319]:`),
/// not a time.
fn is_process_id(line: &[u8], i: usize, p: &Parsed) -> bool {
    p.layout == Layout::EpochS
        && i >= 2
        && line[i - 1] == b'['
        && line[i - 2].is_ascii_alphanumeric()
        && line.get(p.end) == Some(&b']')
}

fn keyed(line: &[u8], keys: &[&[u8]], year: i32, json: bool) -> Option<(usize, Parsed)> {
    for key in keys {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&line[from..], key) {
            let at = from + at;
            from = at + key.len();
            if !json && at > 0 && line[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut i = at + key.len();
            if json {
                while matches!(line.get(i), Some(b' ' | b':')) {
                    i += 1;
                }
            }
            if matches!(line.get(i), Some(b'"')) {
                i += 1;
            }
            if let Some(p) = parse::parse_at(line, i, year) {
                return Some((i, p));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
