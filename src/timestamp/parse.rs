//! Byte-level timestamp parsers: no allocation, no regex, no chrono
//! parsing on the fast path (chrono only validates and converts).
//!
//! [`parse_at`] tries every known layout at one position of a line and
//! says which one matched ([`Layout`]); `mod.rs` decides where to look.

use chrono::{NaiveDate, NaiveDateTime};

/// A layout recognised by the parsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Layout {
    /// `2026-11-24T19:07:01.123Z`, `2026-11-24 19:07:01,123`, offsets or none.
    Iso,
    /// `2026/11/24 19:07:01.123456` (Go's log package).
    SlashYmd,
    /// `2005-06-03-15.42.50.675872` (DB2 / BGL).
    DashedDots,
    /// `20261124-19:07:01:123`.
    CompactDash,
    /// `081109 203615` (YYMMDD HHMMSS).
    CompactYmdHms,
    /// `17/06/09 20:10:40` (YY/MM/DD).
    ShortYmd,
    /// `24/Nov/2026:19:07:01 +0000` (nginx/Apache access).
    AccessLog,
    /// `11/24/2026 07:07:01 PM` (US).
    Us,
    /// `Nov 24 19:07:01` (RFC 3164, no year).
    Syslog,
    /// `I1124 19:07:01.123456   12345 file.go:42]` (Kubernetes klog and
    /// glog: a level letter, no year).
    Klog,
    /// `Tue Nov 24 19:07:01.123456 2026` (ctime, Apache error log).
    Ctime,
    /// `Nov 24, 2026 7:07:01 PM` (java.util.logging).
    Jul,
    /// `11-24 19:07:01.123` (Android logcat: no year, a fraction always).
    MonthDay,
    /// `24 Nov 2026 19:07:01.123` (Redis), `24-Nov-2026 19:07:01.123`
    /// (Tomcat's default).
    DayMonYear,
    /// Seconds since the epoch (10 digits, optional fraction).
    EpochS,
    /// Milliseconds since the epoch (13 digits).
    EpochMs,
    /// Microseconds since the epoch (16 digits).
    EpochUs,
    /// Nanoseconds since the epoch (19 digits).
    EpochNs,
}

impl Layout {
    /// Its times carry no year (it comes from the file's date).
    pub fn yearless(self) -> bool {
        matches!(self, Layout::Syslog | Layout::Klog | Layout::MonthDay)
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Iso => "iso8601",
            Layout::SlashYmd => "yyyy/mm/dd hh:mm:ss",
            Layout::DashedDots => "yyyy-mm-dd-hh.mm.ss",
            Layout::CompactDash => "yyyymmdd-hh:mm:ss:mmm",
            Layout::CompactYmdHms => "yymmdd hhmmss",
            Layout::ShortYmd => "yy/mm/dd hh:mm:ss",
            Layout::AccessLog => "dd/Mon/yyyy:hh:mm:ss zone",
            Layout::Us => "mm/dd/yyyy hh:mm:ss",
            Layout::Syslog => "rfc3164 (Mon dd hh:mm:ss)",
            Layout::Klog => "klog (Lmmdd hh:mm:ss.uuuuuu)",
            Layout::Ctime => "ctime (Www Mon dd hh:mm:ss yyyy)",
            Layout::Jul => "java.util.logging (Mon dd, yyyy h:mm:ss AM)",
            Layout::MonthDay => "logcat (mm-dd hh:mm:ss.mmm)",
            Layout::DayMonYear => "dd Mon yyyy hh:mm:ss",
            Layout::EpochS => "epoch seconds",
            Layout::EpochMs => "epoch milliseconds",
            Layout::EpochUs => "epoch microseconds",
            Layout::EpochNs => "epoch nanoseconds",
        }
    }
}

/// `I1124 19:07:01.123456   12345 file.go:42]`: a level letter, month and
/// day, the time to the microsecond, then the thread id (required, so that
/// a word like `E1234` before a time is not taken for a header).
///
/// glog since 0.5 writes the year too (`I20200308 23:47:32.089828 ...`).
fn klog(b: &[u8], i: usize, year: i32) -> Option<Parsed> {
    if !matches!(b.get(i), Some(b'I' | b'W' | b'E' | b'F')) {
        return None;
    }
    let (year, yearless, at) =
        if is(b, i + 9, b' ') { (num(b, i + 1, 4)? as i32, false, i + 5) } else { (year, true, i + 1) };
    if !is(b, at + 4, b' ') {
        return None;
    }
    let (mo, d) = (num(b, at, 2)?, num(b, at + 2, 2)?);
    let (h, mi, s, e) = hms(b, at + 5, b':', false)?;
    let (ns, e) = fraction(b, e, false);
    let spaces = b[e..].iter().take_while(|&&c| c == b' ').count();
    if spaces == 0 || !b.get(e + spaces).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let local = if yearless {
        make(year, mo, d, h, mi, s, ns).or_else(|| make(year - 1, mo, d, h, mi, s, ns))?
    } else {
        make(year, mo, d, h, mi, s, ns)?
    };
    Some(Parsed { local, offset_s: None, yearless, layout: Layout::Klog, end: e })
}

/// What a parser read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The wall-clock time as written.
    pub local: NaiveDateTime,
    /// The offset from UTC in seconds, when the text gave one.
    pub offset_s: Option<i32>,
    /// True when the text had no year (syslog).
    pub yearless: bool,
    /// Which layout matched.
    pub layout: Layout,
    /// Byte just after the timestamp.
    pub end: usize,
}

const MONTHS: [&[u8; 3]; 12] =
    [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];
const DAYS: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];

fn num(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let s = b.get(i..i + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// 1 or 2 digits; returns (value, length).
fn num12(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let d0 = *b.get(i)?;
    if !d0.is_ascii_digit() {
        return None;
    }
    match b.get(i + 1) {
        Some(d1) if d1.is_ascii_digit() => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), 2)),
        _ => Some((u32::from(d0 - b'0'), 1)),
    }
}

fn is(b: &[u8], i: usize, c: u8) -> bool {
    b.get(i) == Some(&c)
}

fn month(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 3)?;
    let lower = [s[0].to_ascii_lowercase(), s[1].to_ascii_lowercase(), s[2].to_ascii_lowercase()];
    MONTHS.iter().position(|m| **m == lower).map(|m| m as u32 + 1)
}

fn weekday(b: &[u8], i: usize) -> bool {
    b.get(i..i + 3).is_some_and(|s| {
        let lower = [s[0].to_ascii_lowercase(), s[1].to_ascii_lowercase(), s[2].to_ascii_lowercase()];
        DAYS.contains(&&lower)
    })
}

fn boundary_after(b: &[u8], i: usize) -> bool {
    b.get(i).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Fraction after a separator at `i` (`.`, `,` or `:` when `colon`):
/// returns (nanoseconds, end).
fn fraction(b: &[u8], i: usize, colon: bool) -> (u32, usize) {
    match b.get(i) {
        Some(b'.') | Some(b',') => {}
        Some(b':') if colon => {}
        _ => return (0, i),
    }
    let mut j = i + 1;
    let mut ns = 0u64;
    let mut digits = 0;
    while let Some(c) = b.get(j).filter(|c| c.is_ascii_digit()) {
        if digits < 9 {
            ns = ns * 10 + u64::from(c - b'0');
            digits += 1;
        }
        j += 1;
    }
    if j == i + 1 {
        return (0, i);
    }
    for _ in digits..9 {
        ns *= 10;
    }
    (ns as u32, j)
}

/// `Z`, `+HH:MM`, `+HHMM`, `+HH`, optionally after one space; `UTC`/`GMT`.
fn zone(b: &[u8], i: usize) -> (Option<i32>, usize) {
    let mut j = i;
    if is(b, j, b' ') {
        j += 1;
    }
    match b.get(j) {
        Some(b'Z') if boundary_after(b, j + 1) => (Some(0), j + 1),
        Some(b'U') | Some(b'G') => {
            if (b.get(j..j + 3) == Some(b"UTC") || b.get(j..j + 3) == Some(b"GMT"))
                && boundary_after(b, j + 3)
            {
                return (Some(0), j + 3);
            }
            (None, i)
        }
        Some(&s @ (b'+' | b'-')) => {
            let sign = if s == b'-' { -1 } else { 1 };
            let Some(hh) = num(b, j + 1, 2) else {
                return (None, i);
            };
            let (mm, end) = if is(b, j + 3, b':') {
                match num(b, j + 4, 2) {
                    Some(mm) => (mm, j + 6),
                    None => return (None, i),
                }
            } else if let Some(mm) = num(b, j + 3, 2) {
                (mm, j + 5)
            } else {
                (0, j + 3)
            };
            if hh > 18 || mm > 59 || !boundary_after(b, end) || (end == j + 3 && j != i) {
                return (None, i);
            }
            (Some(sign * (hh as i32 * 3600 + mm as i32 * 60)), end)
        }
        _ => (None, i),
    }
}

fn make(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ns: u32) -> Option<NaiveDateTime> {
    if !(1970..=2200).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_nano_opt(h, mi, s.min(59), ns)
}

/// `HH:MM:SS` at `i` (hour 1 or 2 digits when `loose_hour`).
fn hms(b: &[u8], i: usize, sep: u8, loose_hour: bool) -> Option<(u32, u32, u32, usize)> {
    let (h, hl) = if loose_hour { num12(b, i)? } else { (num(b, i, 2)?, 2) };
    let j = i + hl;
    if !is(b, j, sep) || !is(b, j + 3, sep) {
        return None;
    }
    let mi = num(b, j + 1, 2)?;
    let s = num(b, j + 4, 2)?;
    (h < 24 && mi < 60 && s < 61).then_some((h, mi, s, j + 6))
}

/// `H:M:S` with one or two digits each (`22:16:0`).
fn hms_unpadded(b: &[u8], i: usize) -> Option<(u32, u32, u32, usize)> {
    let (h, hl) = num12(b, i)?;
    let j = i + hl;
    if !is(b, j, b':') {
        return None;
    }
    let (mi, ml) = num12(b, j + 1)?;
    let k = j + 1 + ml;
    if !is(b, k, b':') {
        return None;
    }
    let (s, sl) = num12(b, k + 1)?;
    (h < 24 && mi < 60 && s < 61).then_some((h, mi, s, k + 1 + sl))
}

fn am_pm(b: &[u8], i: usize, h: u32) -> Option<(u32, usize)> {
    if !is(b, i, b' ') {
        return Some((h, i));
    }
    let s = b.get(i + 1..i + 3).map(|s| [s[0].to_ascii_uppercase(), s[1].to_ascii_uppercase()]);
    match s {
        Some([b'A', b'M']) if (1..=12).contains(&h) => Some((h % 12, i + 3)),
        Some([b'P', b'M']) if (1..=12).contains(&h) => Some((h % 12 + 12, i + 3)),
        _ => Some((h, i)),
    }
}

fn done(local: NaiveDateTime, offset_s: Option<i32>, layout: Layout, end: usize) -> Option<Parsed> {
    Some(Parsed { local, offset_s, yearless: false, layout, end })
}

/// Tries every layout at byte `i` of `b`. `year` fills yearless formats.
pub fn parse_at(b: &[u8], i: usize, year: i32) -> Option<Parsed> {
    let c = *b.get(i)?;
    if c.is_ascii_digit() {
        parse_numeric(b, i, year)
    } else if c.is_ascii_alphabetic() {
        parse_alpha(b, i, year)
    } else {
        None
    }
}

fn parse_numeric(b: &[u8], i: usize, year: i32) -> Option<Parsed> {
    let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    match run {
        4 => ymd_forms(b, i),
        8 if is(b, i + 8, b'-') => {
            // 20261124-19:07:01:123
            let (y, mo, d) = (num(b, i, 4)? as i32, num(b, i + 4, 2)?, num(b, i + 6, 2)?);
            let (h, mi, s, j) = hms_unpadded(b, i + 9)?;
            // The writer of this layout prints the milliseconds as an
            // unpadded integer (`22:15:35:11` is 11 ms), like its seconds.
            let (ns, end) = match b.get(j) {
                Some(b':' | b'.') => {
                    let digits = b[j + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    match digits {
                        1..=3 => (num(b, j + 1, digits)? * 1_000_000, j + 1 + digits),
                        _ => fraction(b, j, true),
                    }
                }
                _ => (0, j),
            };
            done(make(y, mo, d, h, mi, s, ns)?, None, Layout::CompactDash, end)
        }
        6 if is(b, i + 6, b' ') && num(b, i + 7, 6).is_some() && boundary_after(b, i + 13) => {
            // 081109 203615
            let (y, mo, d) = (2000 + num(b, i, 2)? as i32, num(b, i + 2, 2)?, num(b, i + 4, 2)?);
            let (h, mi, s) = (num(b, i + 7, 2)?, num(b, i + 9, 2)?, num(b, i + 11, 2)?);
            if h > 23 || mi > 59 || s > 60 {
                return None;
            }
            done(make(y, mo, d, h, mi, s, 0)?, None, Layout::CompactYmdHms, i + 13)
        }
        2 if is(b, i + 2, b'/') => slash_forms(b, i),
        1 if is(b, i + 1, b'/') => slash_forms(b, i),
        2 if is(b, i + 2, b'-') && is(b, i + 5, b' ') => month_day(b, i, year),
        1 | 2 if matches!(b.get(i + run), Some(b' ' | b'-')) && month(b, i + run + 1).is_some() => {
            day_month_year(b, i, run)
        }
        10 | 13 | 16 | 19 => epoch(b, i, run),
        _ => None,
    }
}

fn ymd_forms(b: &[u8], i: usize) -> Option<Parsed> {
    let y = num(b, i, 4)? as i32;
    let sep = *b.get(i + 4)?;
    if sep != b'-' && sep != b'/' && sep != b'.' {
        return None;
    }
    let mo = num(b, i + 5, 2)?;
    if !is(b, i + 7, sep) {
        return None;
    }
    let d = num(b, i + 8, 2)?;
    let t = i + 10;
    match (sep, b.get(t)) {
        (b'-', Some(b'T' | b't' | b' ')) | (b'/', Some(b' ')) | (b'.', Some(b' ')) => {
            let (h, mi, s, j) = hms(b, t + 1, b':', false)?;
            let (ns, j) = fraction(b, j, false);
            let (offset, end) = zone(b, j);
            let layout = if sep == b'-' { Layout::Iso } else { Layout::SlashYmd };
            done(make(y, mo, d, h, mi, s, ns)?, offset, layout, end)
        }
        (b'-', Some(b'-')) => {
            let (h, mi, s, j) = hms(b, t + 1, b'.', false)?;
            let (ns, end) = fraction(b, j, false);
            done(make(y, mo, d, h, mi, s, ns)?, None, Layout::DashedDots, end)
        }
        _ => None,
    }
}

fn slash_forms(b: &[u8], i: usize) -> Option<Parsed> {
    let (a, al) = num12(b, i)?;
    let j = i + al + 1;
    if let Some(mo) = month(b, j) {
        // 24/Nov/2026:19:07:01 +0000
        if !is(b, j + 3, b'/') {
            return None;
        }
        let y = num(b, j + 4, 4)? as i32;
        if !is(b, j + 8, b':') {
            return None;
        }
        let (h, mi, s, k) = hms(b, j + 9, b':', false)?;
        let (ns, k) = fraction(b, k, false);
        let (offset, end) = zone(b, k);
        return done(make(y, mo, a, h, mi, s, ns)?, offset, Layout::AccessLog, end);
    }
    let (m2, ml) = num12(b, j)?;
    if !is(b, j + ml, b'/') {
        return None;
    }
    let k = j + ml + 1;
    let run = b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    let (y, mo, d, layout) = match run {
        4 => (num(b, k, 4)? as i32, a, m2, Layout::Us),
        2 if al == 2 => (2000 + a as i32, m2, num(b, k, 2)?, Layout::ShortYmd),
        _ => return None,
    };
    let t = k + run;
    if !is(b, t, b' ') {
        return None;
    }
    let (h, mi, s, e) = hms(b, t + 1, b':', layout == Layout::Us)?;
    // a US time may give its milliseconds after a colon (`02:49:59:447 PM`)
    let (ns, e) = fraction(b, e, layout == Layout::Us);
    let (h, e) = if layout == Layout::Us { am_pm(b, e, h)? } else { (h, e) };
    let (offset, end) = zone(b, e);
    done(make(y, mo, d, h, mi, s, ns)?, offset, layout, end)
}

/// `11-24 19:07:01.123` (logcat's threadtime and time formats): month and
/// day, no year, always a fraction (so that a range like `10-12 12:00:00`
/// in a message is not taken for a time).
fn month_day(b: &[u8], i: usize, year: i32) -> Option<Parsed> {
    let (mo, d) = (num(b, i, 2)?, num(b, i + 3, 2)?);
    let (h, mi, s, e) = hms(b, i + 6, b':', false)?;
    let (ns, end) = fraction(b, e, false);
    if end == e || !boundary_after(b, end) {
        return None;
    }
    let local = make(year, mo, d, h, mi, s, ns).or_else(|| make(year - 1, mo, d, h, mi, s, ns))?;
    Some(Parsed { local, offset_s: None, yearless: true, layout: Layout::MonthDay, end })
}

/// `24 Nov 2026 19:07:01.123` or `24-Nov-2026 19:07:01.123`: the day (one
/// or two digits, `run`), the month's name and the year, one separator
/// between them.
fn day_month_year(b: &[u8], i: usize, run: usize) -> Option<Parsed> {
    let d = num(b, i, run)?;
    let sep = b[i + run];
    let j = i + run + 1;
    let mo = month(b, j)?;
    if !is(b, j + 3, sep) || !is(b, j + 8, b' ') {
        return None;
    }
    let y = num(b, j + 4, 4)? as i32;
    let (h, mi, s, e) = hms(b, j + 9, b':', false)?;
    let (ns, e) = fraction(b, e, false);
    let (offset, end) = zone(b, e);
    done(make(y, mo, d, h, mi, s, ns)?, offset, Layout::DayMonYear, end)
}

fn epoch(b: &[u8], i: usize, run: usize) -> Option<Parsed> {
    if !boundary_after(b, i + run) && !is(b, i + run, b'.') {
        return None;
    }
    let digits = std::str::from_utf8(&b[i..i + run]).ok()?;
    let v: i64 = digits.parse().ok()?;
    let (secs, nanos, layout, mut end) = match run {
        10 => (v, 0, Layout::EpochS, i + run),
        13 => (v / 1_000, (v % 1_000) * 1_000_000, Layout::EpochMs, i + run),
        16 => (v / 1_000_000, (v % 1_000_000) * 1_000, Layout::EpochUs, i + run),
        _ => (v / 1_000_000_000, v % 1_000_000_000, Layout::EpochNs, i + run),
    };
    let mut nanos = nanos as u32;
    if layout == Layout::EpochS {
        let (ns, e) = fraction(b, end, false);
        if !boundary_after(b, e) {
            return None;
        }
        nanos = ns;
        end = e;
    }
    // Plausible instants only: 2001-09-09 .. 2100-01-01.
    if !(1_000_000_000..4_102_444_800).contains(&secs) {
        return None;
    }
    let local = chrono::DateTime::from_timestamp(secs, nanos)?.naive_utc();
    done(local, Some(0), layout, end)
}

fn parse_alpha(b: &[u8], i: usize, year: i32) -> Option<Parsed> {
    if let Some(p) = klog(b, i, year) {
        return Some(p);
    }
    if weekday(b, i) && is(b, i + 3, b' ') {
        // Tue Nov 24 19:07:01.123456 2026
        let j = i + 4;
        let mo = month(b, j)?;
        let mut k = j + 3;
        while is(b, k, b' ') {
            k += 1;
        }
        let (d, dl) = num12(b, k)?;
        let (h, mi, s, e) = hms(b, k + dl + 1, b':', false)?;
        let (ns, e) = fraction(b, e, false);
        let (offset, e) = zone(b, e);
        if !is(b, e, b' ') {
            return None;
        }
        let y = num(b, e + 1, 4)? as i32;
        return done(make(y, mo, d, h, mi, s, ns)?, offset, Layout::Ctime, e + 5);
    }
    let mo = month(b, i)?;
    let mut k = i + 3;
    if !is(b, k, b' ') {
        return None;
    }
    while is(b, k, b' ') {
        k += 1;
    }
    let (d, dl) = num12(b, k)?;
    k += dl;
    if is(b, k, b',') {
        // Nov 24, 2026 7:07:01 PM
        let y = num(b, k + 2, 4)? as i32;
        let (h, mi, s, e) = hms(b, k + 7, b':', true)?;
        let (h, end) = am_pm(b, e, h)?;
        return done(make(y, mo, d, h, mi, s, 0)?, None, Layout::Jul, end);
    }
    // Nov 24 19:07:01
    let (h, mi, s, e) = hms(b, k + 1, b':', false)?;
    let (ns, e) = fraction(b, e, false);
    let local = make(year, mo, d, h, mi, s, ns).or_else(|| {
        // Feb 29 in a year that is not leap: the file's year was wrong.
        make(year - 1, mo, d, h, mi, s, ns)
    })?;
    Some(Parsed { local, offset_s: None, yearless: true, layout: Layout::Syslog, end: e })
}
