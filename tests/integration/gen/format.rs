//! Log formats: how one generated record (time, level, component, message,
//! request id, fields, stack trace) is written by a given stack — logback,
//! log4j2, Spring Boot, JSON lines (Node, logstash, Go slog, pino epoch-ms),
//! logfmt, Go `log`, syslog, Python `logging`, nginx access/error logs — and
//! the calendar arithmetic for their timestamps (no chrono: fast and exact).

/// A log line's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn upper(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
    fn lower(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

/// The family of software that writes a system's log (decides wording).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    Java,
    Node,
    Go,
    Python,
    Nginx,
}

/// A system's log format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `2026-11-24 19:07:01,123 ERROR [thread] c.a.Class - msg` (zoneless)
    Logback,
    /// `2026-11-24T19:07:01,123 [thread] ERROR com.acme.Class - msg` (zoneless)
    Log4j,
    /// `2026-11-24T19:07:01.123+01:00 ERROR 4242 --- [app] [thread] c.a.Class : msg`
    SpringBoot,
    /// `{"ts":"…Z","level":"error","msg":…}` (Node, winston-like)
    JsonNode,
    /// `{"@timestamp":"…+01:00","level":"ERROR","logger_name":…,"message":…}`
    JsonLogstash,
    /// `{"time":"…","level":"ERROR","msg":…}` (Go slog)
    JsonSlog,
    /// `{"level":"error","time":1764011221123,…,"msg":…}` (pino, epoch ms)
    JsonEpoch,
    /// `ts=… level=error msg="…" request_id=…`
    Logfmt,
    /// `2026/11/24 19:07:01.123456 [ERROR] msg` (zoneless)
    GoLog,
    /// `Nov 24 19:07:01 host app[123]: ERROR msg` (zoneless, yearless)
    Syslog,
    /// `2026-11-24 19:07:01,123 - module - ERROR - msg` (zoneless)
    Python,
    /// nginx `access.log` (combined + times + request id) and `error.log`
    Nginx,
}

impl Format {
    pub const APP: [Format; 11] = [
        Format::Logback,
        Format::Log4j,
        Format::SpringBoot,
        Format::JsonNode,
        Format::JsonLogstash,
        Format::JsonSlog,
        Format::JsonEpoch,
        Format::Logfmt,
        Format::GoLog,
        Format::Syslog,
        Format::Python,
    ];

    pub fn stack(self) -> Stack {
        match self {
            Format::Logback | Format::Log4j | Format::SpringBoot | Format::JsonLogstash => Stack::Java,
            Format::JsonNode | Format::JsonEpoch => Stack::Node,
            Format::JsonSlog | Format::Logfmt | Format::GoLog => Stack::Go,
            Format::Syslog | Format::Python => Stack::Python,
            Format::Nginx => Stack::Nginx,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Logback => "logback",
            Format::Log4j => "log4j2",
            Format::SpringBoot => "spring-boot",
            Format::JsonNode => "json-node",
            Format::JsonLogstash => "json-logstash",
            Format::JsonSlog => "json-slog",
            Format::JsonEpoch => "json-epoch-ms",
            Format::Logfmt => "logfmt",
            Format::GoLog => "go-log",
            Format::Syslog => "syslog",
            Format::Python => "python-logging",
            Format::Nginx => "nginx",
        }
    }

    pub fn is_json(self) -> bool {
        matches!(self, Format::JsonNode | Format::JsonLogstash | Format::JsonSlog | Format::JsonEpoch)
    }

    /// Whether the written times carry a zone (else they are UTC, zoneless).
    pub fn has_zone(self) -> bool {
        matches!(
            self,
            Format::SpringBoot | Format::JsonNode | Format::JsonLogstash | Format::JsonSlog | Format::Logfmt
        )
    }
}

/// How one system writes: its format and the per-system choices.
pub struct Style {
    pub format: Format,
    /// Zone offset in minutes for formats that write one (0 is `Z`/`+00:00`).
    pub zone_min: i32,
    /// The key of the request id (`request_id`, `traceId`, …).
    pub rid_key: &'static str,
    /// JSON time key for `JsonNode` (`ts` or `time`).
    pub time_key: &'static str,
    pub app: String,
    pub host: String,
    pub pid: u32,
}

/// One record before it is written.
pub struct Rec<'a> {
    pub wt_ms: i64,
    pub level: Level,
    pub logger: &'a str,
    pub thread: &'a str,
    pub msg: &'a str,
    pub rid: Option<&'a str>,
    pub kv: &'a [(&'static str, String)],
    pub trace: &'a [String],
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Broken-down local time of `ms` (already shifted into the zone).
pub struct Tm {
    pub y: i64,
    pub mo: u32,
    pub d: u32,
    pub h: i64,
    pub mi: i64,
    pub s: i64,
    pub ms: i64,
}

pub fn tm(ms: i64) -> Tm {
    let days = ms.div_euclid(86_400_000);
    let r = ms.rem_euclid(86_400_000);
    let (y, mo, d) = civil(days);
    Tm { y, mo, d, h: r / 3_600_000, mi: r / 60_000 % 60, s: r / 1000 % 60, ms: r % 1000 }
}

const MON: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn zone_colon(min: i32) -> String {
    if min == 0 {
        return "Z".into();
    }
    let a = min.abs();
    format!("{}{:02}:{:02}", if min < 0 { '-' } else { '+' }, a / 60, a % 60)
}

fn zone_plain(min: i32) -> String {
    let a = min.abs();
    format!("{}{:02}{:02}", if min < 0 { '-' } else { '+' }, a / 60, a % 60)
}

/// `2026-11-24T19:07:01.123+01:00`-like text; `frac` digits 3 or 6.
fn iso(t: &Tm, sep: char, fsep: char, frac: usize, micro: i64) -> String {
    let f = if frac == 6 { format!("{:03}{:03}", t.ms, micro) } else { format!("{:03}", t.ms) };
    format!("{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}{fsep}{f}", t.y, t.mo, t.d, t.h, t.mi, t.s)
}

/// A JSON string literal.
pub fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn json_val(v: &str) -> String {
    let numeric = !v.is_empty()
        && v.len() < 16
        && v.bytes().all(|b| b.is_ascii_digit())
        && (v == "0" || !v.starts_with('0'));
    if numeric {
        v.to_string()
    } else {
        js(v)
    }
}

fn logfmt_val(v: &str) -> String {
    if v.is_empty() || v.bytes().any(|b| b == b' ' || b == b'"' || b == b'=') {
        js(v)
    } else {
        v.to_string()
    }
}

/// Writes one record as lines of the system's format (more than one when a
/// stack trace follows the head line).
pub fn render(st: &Style, r: &Rec, out: &mut Vec<String>) {
    let zoned = if st.format.has_zone() { r.wt_ms + i64::from(st.zone_min) * 60_000 } else { r.wt_ms };
    let t = tm(zoned);
    let micro = (r.wt_ms.unsigned_abs() * 7 % 1000) as i64; // a stable sub-ms part
    let mut tail = String::new();
    for (k, v) in r.kv {
        tail.push(' ');
        tail.push_str(k);
        tail.push('=');
        tail.push_str(&logfmt_val(v));
    }
    if let Some(id) = r.rid {
        tail.push_str(&format!(" {}={}", st.rid_key, id));
    }
    let json_tail = |out: &mut String| {
        for (k, v) in r.kv {
            out.push_str(&format!(",{}:{}", js(k), json_val(v)));
        }
        if let Some(id) = r.rid {
            out.push_str(&format!(",{}:{}", js(st.rid_key), js(id)));
        }
    };
    let mut text_trace = true;
    let head = match st.format {
        Format::Logback => format!(
            "{} {:<5} [{}] {} - {}{}",
            iso(&t, ' ', ',', 3, 0),
            r.level.upper(),
            r.thread,
            r.logger,
            r.msg,
            tail
        ),
        Format::Log4j => format!(
            "{} [{}] {:<5} {} - {}{}",
            iso(&t, 'T', ',', 3, 0),
            r.thread,
            r.level.upper(),
            r.logger,
            r.msg,
            tail
        ),
        Format::SpringBoot => format!(
            "{}{} {:>5} {} --- [{}] [{:>15}] {:<40} : {}{}",
            iso(&t, 'T', '.', 3, 0),
            zone_colon(st.zone_min).replace('Z', "+00:00"),
            r.level.upper(),
            st.pid,
            st.app,
            r.thread,
            r.logger,
            r.msg,
            tail
        ),
        Format::JsonNode => {
            let mut s = format!(
                "{{{}:{},\"level\":{},\"service\":{},\"logger\":{},\"msg\":{}",
                js(st.time_key),
                js(&format!("{}{}", iso(&t, 'T', '.', 3, 0), zone_colon(st.zone_min))),
                js(r.level.lower()),
                js(&st.app),
                js(r.logger),
                js(r.msg)
            );
            json_tail(&mut s);
            s.push('}');
            s
        }
        Format::JsonLogstash => {
            let mut s = format!(
                "{{\"@timestamp\":{},\"@version\":\"1\",\"message\":{},\"logger_name\":{},\"thread_name\":{},\"level\":{}",
                js(&format!("{}{}", iso(&t, 'T', '.', 3, 0), zone_colon(st.zone_min).replace('Z', "+00:00"))),
                js(r.msg), js(r.logger), js(r.thread), js(r.level.upper())
            );
            json_tail(&mut s);
            if !r.trace.is_empty() {
                s.push_str(&format!(",\"stack_trace\":{}", js(&r.trace.join("\n"))));
                text_trace = false;
            }
            s.push('}');
            s
        }
        Format::JsonSlog => {
            let mut s = format!(
                "{{\"time\":{},\"level\":{},\"msg\":{},\"component\":{}",
                js(&format!("{}{}", iso(&t, 'T', '.', 6, micro), zone_colon(st.zone_min))),
                js(r.level.upper()),
                js(r.msg),
                js(r.logger)
            );
            json_tail(&mut s);
            s.push('}');
            s
        }
        Format::JsonEpoch => {
            let mut s = format!(
                "{{\"level\":{},\"time\":{},\"pid\":{},\"hostname\":{},\"name\":{},\"msg\":{}",
                js(r.level.lower()),
                r.wt_ms,
                st.pid,
                js(&st.host),
                js(r.logger),
                js(r.msg)
            );
            json_tail(&mut s);
            s.push('}');
            s
        }
        Format::Logfmt => format!(
            "ts={}{} level={} component={} msg={}{}",
            iso(&t, 'T', '.', 3, 0),
            zone_colon(st.zone_min),
            r.level.lower(),
            r.logger,
            js(r.msg),
            tail
        ),
        Format::GoLog => format!(
            "{:04}/{:02}/{:02} {:02}:{:02}:{:02}.{:03}{:03} [{}] {}: {}{}",
            t.y,
            t.mo,
            t.d,
            t.h,
            t.mi,
            t.s,
            t.ms,
            micro,
            r.level.upper(),
            r.logger,
            r.msg,
            tail
        ),
        Format::Syslog => format!(
            "{} {:>2} {:02}:{:02}:{:02} {} {}[{}]: {} {}{}",
            MON[t.mo as usize - 1],
            t.d,
            t.h,
            t.mi,
            t.s,
            st.host,
            st.app,
            st.pid,
            r.level.upper(),
            r.msg,
            tail
        ),
        Format::Python => format!(
            "{} - {} - {} - {}{}",
            iso(&t, ' ', ',', 3, 0),
            r.logger,
            if r.level == Level::Warn { "WARNING" } else { r.level.upper() },
            r.msg,
            tail
        ),
        Format::Nginx => {
            // error.log: local time without zone; nginx systems run in UTC
            let lvl = match r.level {
                Level::Error => "error",
                Level::Warn => "warn",
                Level::Info => "notice",
                Level::Debug => "info",
            };
            format!(
                "{:04}/{:02}/{:02} {:02}:{:02}:{:02} [{}] {}#{}: {}{}",
                t.y,
                t.mo,
                t.d,
                t.h,
                t.mi,
                t.s,
                lvl,
                st.pid,
                st.pid,
                r.msg,
                r.rid.map(|id| format!(", request_id: \"{id}\"")).unwrap_or_default()
            )
        }
    };
    out.push(head);
    if text_trace && !st.format.is_json() && st.format != Format::Nginx {
        out.extend(r.trace.iter().cloned());
    }
}

/// One nginx access-log entry (`log_format` combined + `$request_time
/// $upstream_response_time $request_id`).
pub struct Access<'a> {
    pub ip: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub bytes: u32,
    pub ua: &'a str,
    pub rt_ms: i64,
    pub upstream_ms: Option<i64>,
}

pub fn render_access(st: &Style, wt_ms: i64, a: &Access, rid: &str) -> String {
    let t = tm(wt_ms + i64::from(st.zone_min) * 60_000);
    format!(
        "{} - - [{:02}/{}/{:04}:{:02}:{:02}:{:02} {}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{}\" {}.{:03} {} {}",
        a.ip,
        t.d,
        MON[t.mo as usize - 1],
        t.y,
        t.h,
        t.mi,
        t.s,
        zone_plain(st.zone_min),
        a.method,
        a.path,
        a.status,
        a.bytes,
        a.ua,
        a.rt_ms / 1000,
        a.rt_ms % 1000,
        a.upstream_ms.map(|u| format!("{}.{:03}", u / 1000, u % 1000)).unwrap_or_else(|| "-".into()),
        rid
    )
}

#[test]
fn calendar_round_trips() {
    for days in [-1000, 0, 365, 10_957, 20_781, 20_800, 30_000] {
        let (y, m, d) = civil(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
    assert_eq!(civil(days_from_civil(2026, 11, 24)), (2026, 11, 24));
    let t = tm(1_764_011_221_123); // 2025-11-24T19:07:01.123Z
    assert_eq!((t.y, t.mo, t.d, t.h, t.mi, t.s, t.ms), (2025, 11, 24, 19, 7, 1, 123));
}
