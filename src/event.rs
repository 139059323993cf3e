//! Hit line → [`Event`]: the per-line work, done only on lines a signature
//! matched: time (by the source's [`Detector`]), level, HTTP status and
//! request or trace id.
//!
//! An `Event` is small and holds no line text (except from stdin, which
//! cannot be read twice): the few lines a report shows are read again by
//! offset, so memory grows with the number of events, never with their
//! text or the bytes scanned.

use crate::matcher::SigIndex;
use crate::timestamp::Detector;

pub use crate::level::Level;

/// One matched line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// Source id.
    pub source: u32,
    /// 1-based line number in the source.
    pub line: u64,
    /// Byte offset of the line in the (decoded) source.
    pub offset: u64,
    /// Milliseconds since the epoch (UTC, before clock correction). A time
    /// written to the second is read as the middle of its second, so it is
    /// not systematically earlier than a millisecond time of the same
    /// moment.
    pub ts: Option<i64>,
    /// The signature it is attributed to.
    pub sig: SigIndex,
    /// Level, if written.
    pub level: Level,
    /// HTTP status on the line, if any.
    pub status: Option<u16>,
    /// Request, trace or correlation id, if any.
    pub request_id: Option<Box<str>>,
    /// The evidence text, kept only for sources that cannot be read twice
    /// (stdin); others are read again by offset when a report shows them.
    pub text: Option<Box<str>>,
    /// Where the hit line is, when it is not the head line (a hit inside a
    /// trace).
    pub hit_offset: Option<u64>,
    /// The line speaks of a timeout or deadline: it was written when a
    /// wait ended, not when the other side acted.
    pub deadline: bool,
    /// The line reports the answer of a remote call (a client exception, an
    /// outbound URL, a proxy's access log): a view of a failure elsewhere.
    pub remote: bool,
    /// What to add to `ts` for the moment the request was handled, used to
    /// compare clocks: minus the request time an access log writes at the
    /// end of a request.
    pub handled_adjust_ms: i32,
    /// Its time was written to the second: `ts` is the middle of that
    /// second (for statistics); reports show the second as written.
    pub whole_second: bool,
}

/// The fields of one line other than its signature and position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// Time, ms since the epoch.
    pub ts: Option<i64>,
    /// The time was written to the second (see [`Event::whole_second`]).
    pub whole_second: bool,
    /// Level.
    pub level: Option<Level>,
    /// HTTP status.
    pub status: Option<u16>,
    /// Request id.
    pub request_id: Option<Box<str>>,
}

/// Reads time, level, status and request id from a line.
pub fn extract(line: &[u8], detector: &mut Detector) -> Fields {
    let stamp = detector.find(line);
    Fields {
        ts: stamp.map(event_ms),
        whole_second: stamp.is_some_and(|s| s.whole_second),
        level: level(line),
        status: http_status(line),
        request_id: request_id(line),
    }
}

/// Words that mark a client's view of a remote call's failure.
const CLIENT_MARKERS: [&[u8]; 39] = [
    b"unexpected status",
    b"from GET http",
    b"from POST http",
    b"from PUT http",
    b"from PATCH http",
    b"from DELETE http",
    b"HttpClientErrorException",
    b"HttpServerErrorException",
    b"WebClientResponseException",
    b"RestClientException",
    b"ResourceAccessException",
    b"FeignException",
    b"AxiosError",
    b"Request failed with status code",
    b"requests.exceptions",
    b"urllib3",
    b"HTTPConnectionPool",
    b"HTTPSConnectionPool",
    b"HttpRequestException",
    b"does not indicate success",
    b"ClientResponseError",
    b"call failed",
    b"request failed",
    b"while connecting to upstream",
    b"from upstream",
    b"upstream timed out",
    b"no live upstreams",
    b"dial tcp",
    b"Get \"http",
    b"Post \"http",
    b"Put \"http",
    b"calling ",
    b"response from ",
    b"client error",
    b"server returned",
    b"server returns",
    b"server responded",
    b"Server returned HTTP",
    b"error response from",
];

/// Whether a line reports the answer of a remote call rather than a
/// failure of the system that writes it: a client exception, an outbound
/// call, a proxy's word about its upstream, or a proxy's access-log line
/// that carries an upstream response time (the answer came from upstream).
/// A plain access-log line is not one: what a server served may be its own
/// failure.
pub fn is_remote_view(line: &[u8]) -> bool {
    CLIENT_MARKERS.iter().any(|m| occurrences(line, m).next().is_some()) || is_proxied_access(line)
}

/// Whether a line speaks of a timeout (`timed out`, `timeout`, `deadline
/// exceeded`), in any case.
pub fn mentions_deadline(line: &[u8]) -> bool {
    [&b"timed out"[..], b"timeout", b"deadline exceeded", b"Timeout", b"TIMEOUT", b"Timed out"]
        .iter()
        .any(|w| occurrences(line, w).next().is_some())
}

/// See [`Event::handled_adjust_ms`].
pub fn handled_adjust_ms(line: &[u8]) -> i32 {
    -access_request_time_ms(line).unwrap_or(0)
}

/// A stamp's instant for events: the middle of its second when it was
/// written to the second.
pub fn event_ms(s: crate::timestamp::Stamp) -> i64 {
    s.ms + if s.whole_second { WHOLE_SECOND_MID_MS } else { 0 }
}

/// Where in its second a time written to the second is placed.
pub const WHOLE_SECOND_MID_MS: i64 = 500;

/// The `$request_time` (seconds, first number after the user agent) of an
/// access-log line, in ms.
fn access_request_time_ms(line: &[u8]) -> Option<i32> {
    let at = occurrences(line, b" HTTP/").next()?;
    if !line[at..].iter().take(12).any(|&b| b == b'"') {
        return None;
    }
    let ua_end = memchr::memrchr(b'"', line)?;
    let field = line[ua_end + 1..].split(|&b| b == b' ').find(|f| !f.is_empty())?;
    if !field.contains(&b'.') || !field.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return None;
    }
    let secs: f64 = std::str::from_utf8(field).ok()?.parse().ok()?;
    (secs < 3600.0).then(|| (secs * 1000.0).round() as i32)
}

/// An access-log line (`"GET /x HTTP/1.1" 502 ...`) ending in nginx's
/// `$request_time $upstream_response_time` pair with an upstream time.
fn is_proxied_access(line: &[u8]) -> bool {
    let Some(at) = occurrences(line, b" HTTP/").next() else { return false };
    if !line[at..].iter().take(12).any(|&b| b == b'"') {
        return false;
    }
    // The last two numeric fields after the user agent.
    let Some(ua_end) = memchr::memrchr(b'"', line) else { return false };
    let mut fields = line[ua_end + 1..].split(|&b| b == b' ').filter(|f| !f.is_empty());
    let is_time = |f: &[u8]| f.contains(&b'.') && f.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    matches!((fields.next(), fields.next()), (Some(a), Some(b)) if is_time(a) && is_time(b))
}

/// The level letter of a klog/glog header (`E1124 19:07:01.123456 ...`).
fn klog_level(line: &[u8]) -> Option<Level> {
    let start = line.iter().position(|&b| b != b' ')?;
    let h = &line[start..];
    let shaped = h.len() > 8 && h[1..5].iter().all(u8::is_ascii_digit) && h[5] == b' ' && h[8] == b':';
    match h[0] {
        b'I' | b'W' | b'E' | b'F' if shaped => crate::level::letter(h[0]),
        _ => None,
    }
}

/// Where `needle` occurs in a line. Lines are short, so a memchr on the
/// needle's first byte and a comparison beats building a substring
/// searcher per call (which profiling showed at 9% of a scan).
fn occurrences<'a>(line: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let first = needle.first().copied().unwrap_or(0);
    memchr::memchr_iter(first, line).filter(move |&i| line[i..].starts_with(needle))
}

/// The level: a standalone upper-case level word in the first 80 bytes
/// (`ERROR`, `[error]`, `level=error`, `"level":"error"`).
pub fn level(line: &[u8]) -> Option<Level> {
    if let Some(l) = klog_level(line) {
        return Some(l);
    }
    // journald's JSON export: the syslog priority as a quoted digit
    let json = line.first() == Some(&b'{');
    if let Some(at) = occurrences(line, b"\"PRIORITY\":\"").next().filter(|_| json) {
        let at = at + 12;
        if let Some(l) = line.get(at..at + 1).and_then(crate::level::syslog_severity) {
            return Some(l);
        }
    }
    for key in [&b"level"[..], b"severity", b"lvl", b"@l"] {
        // a whole key (`"level":`, ` level=`), not the end of another
        // (`rate_limit_except_level = CRITICAL` in a config dump)
        let whole = |&at: &usize| at == 0 || !(line[at - 1].is_ascii_alphanumeric() || line[at - 1] == b'_');
        if let Some(at) = occurrences(line, key).find(whole) {
            let mut i = at + key.len();
            while matches!(line.get(i), Some(b'"' | b'=' | b':' | b' ')) {
                i += 1;
            }
            let end = line[i..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(line.len(), |p| i + p);
            if let Some(l) = crate::level::word(&line[i..end]).or_else(|| crate::level::number(&line[i..end]))
            {
                return Some(l);
            }
        }
    }
    let head = &line[..line.len().min(80)];
    let mut i = 0;
    while i < head.len() {
        if head[i].is_ascii_alphabetic() && (i == 0 || !head[i - 1].is_ascii_alphanumeric()) {
            let end = head[i..].iter().position(|b| !b.is_ascii_alphabetic()).map_or(head.len(), |p| i + p);
            let word = &head[i..end];
            let bracketed = i > 0 && head[i - 1] == b'[' && head.get(end) == Some(&b']');
            // .NET's console logger: `fail: Orders.Worker[0]`, first on
            // the line or after its time only
            let dotnet = head.get(end) == Some(&b':')
                && crate::level::is_dotnet_console(word)
                && head[..i].iter().all(|&b| !b.is_ascii_alphabetic() || b == b'T' || b == b'Z');
            if word.iter().all(u8::is_ascii_uppercase) || bracketed || dotnet {
                if let Some(l) = crate::level::word(word) {
                    return Some(l);
                }
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// An HTTP status written as one: `status=401`, `"status":401`,
/// `status code 401`, `HTTP/1.1 401`, `" 401 ` after a request line,
/// `401 Unauthorized`-style reason phrases, `code 503`.
pub fn http_status(line: &[u8]) -> Option<u16> {
    let lower_has = |needle: &[u8]| occurrences(line, needle).next();
    // Keyed forms.
    for key in [&b"status"[..], b"Status", b"STATUS", b"status_code", b"statusCode", b"code"] {
        for at in occurrences(line, key) {
            let mut i = at + key.len();
            while matches!(line.get(i), Some(b'"' | b'=' | b':' | b' ' | b'\'')) {
                i += 1;
            }
            if line.get(i..i + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"code")) {
                i += 4;
                while matches!(line.get(i), Some(b' ' | b':' | b'=')) {
                    i += 1;
                }
            }
            if let Some(s) = three_digit_status(line, i) {
                return Some(s);
            }
        }
    }
    // HTTP/1.1 401
    if let Some(at) = lower_has(b"HTTP/") {
        let mut i = at + 5;
        while matches!(line.get(i), Some(b'0'..=b'9' | b'.')) {
            i += 1;
        }
        if line.get(i) == Some(&b' ') {
            if let Some(s) = three_digit_status(line, i + 1) {
                return Some(s);
            }
        }
        // Access log: "GET /x HTTP/1.1" 503
        if let Some(q) = memchr::memchr(b'"', &line[at..]) {
            let i = at + q + 1;
            if line.get(i) == Some(&b' ') {
                if let Some(s) = three_digit_status(line, i + 1) {
                    return Some(s);
                }
            }
        }
    }
    // Reason phrases: "401 Unauthorized", "(429 Too Many Requests)".
    for (phrase, code) in REASONS {
        for at in occurrences(line, phrase) {
            if at >= 4 && line[at - 1] == b' ' && three_digit_status(line, at - 4) == Some(*code) {
                return Some(*code);
            }
        }
    }
    // Python requests, Spring: "502 Server Error: Bad Gateway for url",
    // "404 Client Error"
    for (phrase, range) in [(&b" Server Error"[..], 500..=599), (b" Client Error", 400..=499)] {
        for at in occurrences(line, phrase) {
            if let Some(code) = at.checked_sub(3).and_then(|i| three_digit_status(line, i)) {
                if range.contains(&code) {
                    return Some(code);
                }
            }
        }
    }
    None
}

const REASONS: &[(&[u8], u16)] = &[
    (b"Bad Request", 400),
    (b"Unauthorized", 401),
    (b"Forbidden", 403),
    (b"Not Found", 404),
    (b"Request Timeout", 408),
    (b"Conflict", 409),
    (b"Unprocessable", 422),
    (b"Too Many Requests", 429),
    (b"Internal Server Error", 500),
    (b"Bad Gateway", 502),
    (b"Service Unavailable", 503),
    (b"Gateway Timeout", 504),
];

fn three_digit_status(line: &[u8], i: usize) -> Option<u16> {
    let d = line.get(i..i + 3)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if i > 0 && line[i - 1].is_ascii_digit() {
        return None;
    }
    if line.get(i + 3).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.') {
        return None;
    }
    let v = u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
    (100..=599).contains(&v).then_some(v)
}

const ID_KEYS: [&[u8]; 14] = [
    b"request_id",
    b"requestId",
    b"request-id",
    b"X-Request-ID",
    b"x-request-id",
    b"trace_id",
    b"traceId",
    b"traceparent",
    b"correlation_id",
    b"correlationId",
    b"X-Correlation-ID",
    b"req_id",
    b"reqId",
    b"rid",
];

/// A request, trace or correlation id: a keyed value (`request_id=`,
/// `"traceId":"..."`, `X-Request-ID: ...`, W3C `traceparent` → its trace
/// id), else a `req-...` token.
pub fn request_id(line: &[u8]) -> Option<Box<str>> {
    for key in ID_KEYS {
        for at in occurrences(line, key) {
            if at > 0 && (line[at - 1].is_ascii_alphanumeric() || line[at - 1] == b'_') {
                continue;
            }
            let mut i = at + key.len();
            let mut sep = false;
            while matches!(line.get(i), Some(b'"' | b'=' | b':' | b' ' | b'\'' | b'[')) {
                sep = true;
                i += 1;
            }
            if !sep {
                continue;
            }
            let end = line[i..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/')))
                .map_or(line.len(), |p| i + p);
            let mut value = &line[i..end];
            // Punctuation that ends a sentence is not part of the id.
            while let [rest @ .., b':' | b'.' | b'/' | b'-'] = value {
                value = rest;
            }
            if key == b"traceparent" {
                // 00-<trace id>-<span id>-01
                value = value.split(|&b| b == b'-').nth(1).unwrap_or(value);
            }
            if value.len() >= 4 && value.len() <= 128 {
                return std::str::from_utf8(value).ok().map(Into::into);
            }
        }
    }
    if let Some(id) = bare_trace_id(line) {
        return Some(id);
    }
    for at in occurrences(line, b"req-") {
        if at > 0 && line[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let end = line[at..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
            .map_or(line.len(), |p| at + p);
        if end - at >= 8 {
            return std::str::from_utf8(&line[at..end]).ok().map(Into::into);
        }
    }
    None
}

/// A standalone token that is a W3C trace id (32 hex digits) or a UUID,
/// as nginx's `$request_id` or a tracing header writes it unkeyed.
fn bare_trace_id(line: &[u8]) -> Option<Box<str>> {
    let is_sep = |b: u8| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let mut i = 0;
    while i < line.len() {
        if is_sep(line[i]) {
            i += 1;
            continue;
        }
        let end = line[i..].iter().position(|&b| is_sep(b)).map_or(line.len(), |p| i + p);
        let tok = &line[i..end];
        let hex32 = tok.len() == 32 && tok.iter().all(u8::is_ascii_hexdigit);
        let uuid = tok.len() == 36
            && tok.iter().enumerate().all(|(k, b)| {
                if matches!(k, 8 | 13 | 18 | 23) {
                    *b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            });
        if (hex32 && tok.iter().any(u8::is_ascii_digit) && tok.iter().any(|b| b.is_ascii_alphabetic()))
            || uuid
        {
            return std::str::from_utf8(tok).ok().map(Into::into);
        }
        i = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let rows: &[(&str, Option<Level>)] = &[
            ("2026-11-24 19:07:01,123 ERROR [main] x", Some(Level::Error)),
            ("[Sun Dec 04 04:47:44 2005] [error] mod_jk", Some(Level::Error)),
            ("{\"level\":\"warn\",\"msg\":\"x\"}", Some(Level::Warn)),
            ("ts=1 level=error msg=x", Some(Level::Error)),
            ("2026/11/24 19:07:01 dial tcp: connection refused", None),
            ("W1124 Information only", None),
            ("E1124 19:07:01.123456   12345 reflector.go:138] failed to list", Some(Level::Error)),
            ("I1124 19:07:01.123456       1 main.go:42] started", Some(Level::Info)),
            ("W1124 19:07:01.123456 7 x.go:1] slow", Some(Level::Warn)),
            ("{\"level\":50,\"time\":1,\"msg\":\"db down\"}", Some(Level::Error)),
            ("{\"level\":30,\"msg\":\"ok\"}", Some(Level::Info)),
            ("ts=1 level=panic msg=x", Some(Level::Fatal)),
            // java.util.logging and syslog names, from the one vocabulary
            ("Nov 24, 2026 7:07:01 PM org.acme.Main run\nSEVERE: boom", Some(Level::Error)),
            ("2026-11-24 19:07:01 FINE org.acme.Pool lease", Some(Level::Debug)),
            ("<11>1 2026-11-24T19:07:01Z host app 1 - - level=crit disk", Some(Level::Fatal)),
            ("{\"level\":\"Information\",\"msg\":\"x\"}", Some(Level::Info)),
            // .NET console logger, Serilog (CLEF and its short names), log15, journald
            ("2026-11-24 19:07:01 fail: Orders.Worker[0]", Some(Level::Error)),
            ("crit: Microsoft.AspNetCore.Hosting[6]", Some(Level::Fatal)),
            ("{\"@t\":\"2026-11-24T19:07:01.1234567Z\",\"@mt\":\"Query failed\",\"@l\":\"Error\"}", Some(Level::Error)),
            ("[19:07:01 WRN] Slow query", Some(Level::Warn)),
            ("t=2026-11-24T19:07:01+0000 lvl=eror msg=\"dial failed\"", Some(Level::Error)),
            ("{\"__REALTIME_TIMESTAMP\":\"1764011221123456\",\"PRIORITY\":\"3\",\"MESSAGE\":\"x\"}", Some(Level::Error)),
            ("{\"PRIORITY\":\"6\",\"MESSAGE\":\"ERROR in the message\"}", Some(Level::Info)),
            ("the job will fail: disk", None),
            (
                "2018-07-02 21:38:21.279 1125 DEBUG nova.api [-] rate_limit_except_level = CRITICAL log_opt_values",
                Some(Level::Debug),
            ),
        ];
        for (line, want) in rows {
            assert_eq!(level(line.as_bytes()), *want, "{line}");
        }
    }

    #[test]
    fn statuses() {
        let rows: &[(&str, Option<u16>)] = &[
            ("status=401 msg=x", Some(401)),
            ("{\"status\": 429}", Some(429)),
            ("Request failed with status code 503", Some(503)),
            ("HTTP/1.1 401 Unauthorized", Some(401)),
            ("10.0.0.1 - - [24/Nov/2026:19:07:01 +0000] \"POST /api/sync HTTP/1.1\" 504 0", Some(504)),
            ("HttpClientErrorException$Unauthorized: 401 Unauthorized: [no body]", Some(401)),
            ("GET /health took 401ms status=200", Some(200)),
            ("took 401ms", None),
            ("id 4015", None),
            ("requests.exceptions.HTTPError: 502 Server Error: Bad Gateway for url: http://x", Some(502)),
            ("404 Client Error: Not Found for url", Some(404)),
            ("had 200 Server Errors today", None),
        ];
        for (line, want) in rows {
            assert_eq!(http_status(line.as_bytes()), *want, "{line}");
        }
    }

    #[test]
    fn remote_views() {
        for line in [
            "ERROR c.a.Client - erp call failed: HttpClientErrorException$BadRequest: 400 Bad Request",
            "error: AxiosError: Request failed with status code 429",
            "Get \"http://erp.internal/api\": context deadline exceeded",
            "msg=\"call queue: unexpected status 404 Not Found from POST http://queue.internal:8080/x\"",
            "10.0.3.4 - - [04/May/2026:20:31:51 +0000] \"POST /api/orders HTTP/1.1\" 429 3764 \"-\" \"okhttp\" 0.006 0.005 req-1",
        ] {
            assert!(is_remote_view(line.as_bytes()), "{line}");
        }
        for line in [
            "{\"level\":\"error\",\"msg\":\"payload schema mismatch\",\"status\":400}",
            "WARN ratelimit 100 per 1 minute exceeded -> 429 Too Many Requests",
            "10.0.0.1 - - [24/Nov/2026:19:07:01 +0000] \"POST /api/sync HTTP/1.1\" 502 0 \"-\" \"ua\"",
            "1.2.3.4 - - [04/May/2026:19:02:20 +0000] \"POST /x HTTP/1.1\" 429 153 \"-\" \"scanner\" 0.000 - req-2",
        ] {
            assert!(!is_remote_view(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn handled_moment_of_access_lines() {
        let line = b"10.0.0.1 - - [04/May/2026:20:31:51 +0000] \"POST /o HTTP/1.1\" 429 37 \"-\" \"ok\" 3.012 3.011 r";
        assert_eq!(handled_adjust_ms(line), -3012);
        assert_eq!(handled_adjust_ms(b"2026-11-24T10:00:00.250Z ERROR x"), 0);
    }

    #[test]
    fn request_ids() {
        let rows: &[(&str, Option<&str>)] = &[
            ("x request_id=req-7f3a2b19 y", Some("req-7f3a2b19")),
            ("{\"requestId\":\"abc-123-def\"}", Some("abc-123-def")),
            ("X-Request-ID: 5f1e9c", Some("5f1e9c")),
            (
                "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Some("4bf92f3577b34da6a3ce929d0e0e4736"),
            ),
            ("calling erp for req-0042aa17", Some("req-0042aa17")),
            ("failed request_id=req-8586ed62ee81: boom", Some("req-8586ed62ee81")),
            (
                "\"POST /x HTTP/1.1\" 429 153 \"-\" \"ua\" 0.006 0.005 56c4833065271235188e0e2068761b0a",
                Some("56c4833065271235188e0e2068761b0a"),
            ),
            ("job 123e4567-e89b-12d3-a456-426614174000 failed", Some("123e4567-e89b-12d3-a456-426614174000")),
            ("no id here", None),
        ];
        for (line, want) in rows {
            assert_eq!(request_id(line.as_bytes()).as_deref(), *want, "{line}");
        }
    }
}
