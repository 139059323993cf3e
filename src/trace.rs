//! Traces whose every line carries the log header.
//!
//! Python's `logging` and oslo.log write a traceback one record per line
//! (`2018-06-26 03:28:34.195 5341 ERROR nova.api   File "...", line 80`),
//! and `kubectl logs --timestamps` or Docker stamp every line of any trace
//! (`2024-05-01T10:00:00.123456789Z \tat com.acme.Foo.bar(Foo.java:10)`).
//! Each such line has a time of its own, yet belongs to the event that
//! opened the trace. [`continues`] tells, from a line and the line before
//! it, whether the line is such a continuation: the two lines share their
//! header (the same tokens, or tokens of digits such as times and pids,
//! up to where they differ) and what follows the header is a trace line
//! (indented, `Traceback (most recent call last):`, `Caused by:`,
//! `... N more`, empty) or the exception line that closes a Python trace
//! (`ValueError: ...` right after an indented frame).

/// How a line relates to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// A line of its own.
    No,
    /// A line of the trace (frame, code, `Caused by`, opening line).
    Frame,
    /// The exception line that closes a Python trace: it names the event.
    Exception,
}

/// Headers longer than this (in tokens) are not compared further.
const MAX_HEADER_TOKENS: usize = 16;

/// Whether `line` continues the trace of `prev` (both without their line
/// ends). Pure and cheap: one pass over the shared header.
pub fn continues(prev: &[u8], line: &[u8]) -> Continuation {
    let (mut p, mut l) = (0usize, 0usize);
    for tokens in 0..MAX_HEADER_TOKENS {
        let (ps, pe) = token(prev, p);
        let (ls, le) = token(line, l);
        if ls >= line.len() {
            // nothing after the shared header: an empty trace line. Two
            // identical lines are two events, unless they are the same
            // bytes, time included, and end in the separator a format
            // writes before the message: then the message is empty (a
            // trace's blank lines, one record each at the trace's time). A
            // message repeated later, trailing space or not, stays two.
            let empty_message = prev == line && line.last().is_some_and(|&b| b == b' ' || b == b'\t');
            return if tokens > 0 && (ps < prev.len() || empty_message) {
                Continuation::Frame
            } else {
                Continuation::No
            };
        }
        if ps >= prev.len() {
            return Continuation::No;
        }
        let (pt, lt) = (&prev[ps..pe], &line[ls..le]);
        if !(pt == lt || is_numeric(pt) && is_numeric(lt)) {
            if tokens == 0 {
                return Continuation::No;
            }
            return classify(&prev[p..ps], &line[l..], ls - l);
        }
        p = pe;
        l = le;
    }
    Continuation::No
}

/// What follows the shared header: `rest` starts with the whitespace
/// (`gap` bytes) before the line's first token that differs from the
/// line before, whose whitespace there was `prev_space`. Aligned columns
/// pad both lines alike (with spaces, or with tabs in tab-separated
/// formats); a trace indents its frames (two and four spaces in Python, a
/// tab in Java).
fn classify(prev_space: &[u8], rest: &[u8], gap: usize) -> Continuation {
    let prev_gap = prev_space.len();
    let body = &rest[gap..];
    let frame_words = body.starts_with(b"File \"") || body.starts_with(b"at ") && body.contains(&b'(');
    let tab_indent = rest[..gap].contains(&b'\t') && rest[..gap] != *prev_space;
    if tab_indent || gap >= 2 && (gap != prev_gap || frame_words) {
        return Continuation::Frame;
    }
    if after_context(body).starts_with(b"Traceback (most recent call last)")
        || body.starts_with(b"Caused by:")
        || frame_words
        || body.starts_with(b"... ") && body.ends_with(b" more")
    {
        return Continuation::Frame;
    }
    if prev_gap >= 2 && is_exception_line(body) {
        return Continuation::Exception;
    }
    Continuation::No
}

/// Libraries that make outbound calls without saying `client` in their
/// paths or names.
const CALLER_LIBRARIES: [&[u8]; 8] =
    [b"/requests/", b"/urllib3/", b"/httpx/", b"/aiohttp/", b"/botocore/", b"okhttp3.", b"feign.", b"/grpc/"];

/// Whether a trace line is a frame in an HTTP or RPC client's code (a
/// Python `File ".../neutronclient/v2_0/client.py", line 268`, a Java
/// `at org.springframework.web.client.RestTemplate.doExecute(...)`): a
/// trace through one is the caller's view of what the remote answered.
pub fn is_client_frame(line: &[u8]) -> bool {
    let place = if let Some(at) = memchr::memmem::find(line, b"File \"") {
        let path = &line[at + 6..];
        &path[..memchr::memchr(b'"', path).unwrap_or(path.len())]
    } else if let Some(at) =
        memchr::memmem::find(line, b"\tat ").or_else(|| memchr::memmem::find(line, b"  at "))
    {
        let name = &line[at + 4..];
        &name[..memchr::memchr(b'(', name).unwrap_or(name.len())]
    } else {
        return false;
    };
    place.windows(6).any(|w| w.eq_ignore_ascii_case(b"client"))
        || CALLER_LIBRARIES.iter().any(|l| memchr::memmem::find(place, l).is_some())
}

/// The body past leading bracketed context (`[instance: 0e7a...] `), which
/// some loggers repeat on every line of a record.
fn after_context(mut body: &[u8]) -> &[u8] {
    while body.first() == Some(&b'[') {
        match memchr::memchr(b']', body) {
            Some(end) => body = body[end + 1..].strip_prefix(b" ").unwrap_or(&body[end + 1..]),
            None => break,
        }
    }
    body
}

/// `ValueError: bad`, `oslo_db.exception.DBError`, `KeyError: 'x'`: a
/// dotted identifier, then a colon or the end of the line.
fn is_exception_line(body: &[u8]) -> bool {
    let end = body
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')))
        .unwrap_or(body.len());
    end > 0 && body[0].is_ascii_alphabetic() && (end == body.len() || body[end] == b':')
}

/// A token of a time, a date, a pid or a counter (`19:07:01.123`,
/// `[2026-11-24T19:07:01,123]`, `(4242)`): it starts with a digit (inside
/// an opening bracket) and holds no letters but a time's `T` and `Z`. Two
/// such tokens stand for the same header field whatever their digits; a
/// token that glues a level or a name to a time (`[...,123][ERROR][c.a.B`)
/// is compared as written.
fn is_numeric(t: &[u8]) -> bool {
    let starts = match t.first() {
        Some(b'[' | b'(') => t.get(1).is_some_and(u8::is_ascii_digit),
        Some(b) => b.is_ascii_digit(),
        None => false,
    };
    starts && t.iter().all(|&b| !b.is_ascii_alphabetic() || b == b'T' || b == b'Z')
}

/// The next token at or after `from`: (start, end), spaces and tabs
/// between tokens skipped; `(len, len)` at the end.
fn token(s: &[u8], from: usize) -> (usize, usize) {
    let start =
        s[from.min(s.len())..].iter().position(|&b| b != b' ' && b != b'\t').map_or(s.len(), |i| from + i);
    let end = s[start..].iter().position(|&b| b == b' ' || b == b'\t').map_or(s.len(), |i| start + i);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Continuation::*;

    const OSLO: &str = "2018-09-29 17:43:33.636 5341 ERROR cinder.api.middleware.fault";

    fn oslo(rest: &str) -> String {
        format!("{OSLO} {rest}")
    }

    #[test]
    fn an_oslo_traceback_is_one_event_closed_by_its_exception() {
        let lines = [
            oslo("[req-72c3 8fbe - 6ed3] Caught error: <class 'TypeError'> bad"),
            oslo("Traceback (most recent call last):"),
            oslo("  File \"/usr/lib/python2.7/site-packages/cinder/api/middleware/fault.py\", line 80, in __call__"),
            oslo("    return req.get_response(self.application)"),
            oslo("TypeError: unsupported operand type(s)"),
            oslo(""),
            oslo("[req-9 1 - 2] Another message"),
        ];
        let got: Vec<Continuation> =
            lines.windows(2).map(|w| continues(w[0].as_bytes(), w[1].trim_end().as_bytes())).collect();
        assert_eq!(got, vec![Frame, Frame, Frame, Exception, Frame, No]);
    }

    #[test]
    fn blank_trace_lines_in_a_row_stay_in_the_trace() {
        // oslo.log writes the blank lines of an exception's text as records
        // whose message is empty: the header and its separator.
        let blank = oslo("[instance: 0b0a] ");
        assert_eq!(continues(oslo("[instance: 0b0a] KeyError: 'x'").as_bytes(), blank.as_bytes()), Frame);
        assert_eq!(continues(blank.as_bytes(), blank.as_bytes()), Frame);
        // a repeated message is two events, and so is one with a trailing
        // space written at another time
        let again = oslo("[req-1] Connection refused");
        assert_eq!(continues(again.as_bytes(), again.as_bytes()), No);
        let later =
            "2018-09-29 17:43:34.001 5341 ERROR cinder.api.middleware.fault [req-1] Connection refused ";
        assert_eq!(continues(format!("{again} ").as_bytes(), later.as_bytes()), No);
        assert_eq!(continues(blank.as_bytes(), oslo("[instance: 0b0a] Next record").as_bytes()), No);
    }

    #[test]
    fn context_repeated_before_the_traceback_is_skipped() {
        let a = oslo("[req-1 2 - 3 3] [instance: 0e7a] Driver failed to attach volume");
        let b = oslo("[instance: 0e7a] Traceback (most recent call last):");
        let c = oslo(
            "[instance: 0e7a]   File \"/usr/lib/python2.7/site-packages/nova/virt/block_device.py\", line 1",
        );
        let d = oslo("[instance: 0e7a] Exception");
        assert_eq!(continues(a.as_bytes(), b.as_bytes()), Frame);
        assert_eq!(continues(b.as_bytes(), c.as_bytes()), Frame);
        assert_eq!(continues(c.as_bytes(), d.as_bytes()), Exception);
    }

    #[test]
    fn frames_in_client_code_are_told_apart() {
        let f = |p: &str| oslo(&format!("  File \"{p}\", line 268, in _handle_fault_response"));
        assert!(is_client_frame(
            f("/usr/lib/python2.7/site-packages/neutronclient/v2_0/client.py").as_bytes()
        ));
        assert!(is_client_frame(f("/usr/lib/python3/dist-packages/requests/adapters.py").as_bytes()));
        assert!(!is_client_frame(f("/usr/lib/python2.7/site-packages/nova/compute/manager.py").as_bytes()));
        assert!(is_client_frame(
            b"\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785)"
        ));
        assert!(!is_client_frame(b"\tat com.acme.orders.OrderService.place(OrderService.java:42)"));
        assert!(!is_client_frame(oslo("Client sent a bad request").as_bytes()), "not a frame");
    }

    #[test]
    fn stamped_java_trace_lines_continue_with_different_times() {
        let a = b"2024-05-01T10:00:00.123456789Z java.lang.IllegalStateException: boom";
        let b = b"2024-05-01T10:00:00.123456790Z \tat com.acme.Foo.bar(Foo.java:10)";
        let c = b"2024-05-01T10:00:00.123456791Z Caused by: java.net.ConnectException: refused";
        assert_eq!(continues(a, b), Frame);
        assert_eq!(continues(b, c), Frame);
    }

    #[test]
    fn ordinary_lines_of_one_logger_stay_apart() {
        let a = b"2018-09-29 17:43:29.987 5341 INFO cinder.api.openstack.wsgi [req-72c3] POST http://x/v2/volumes";
        let b =
            b"2018-09-29 17:43:29.994 5341 INFO cinder.api.openstack.wsgi [req-72c3] Create volume of 1 GB";
        assert_eq!(continues(a, b), No);
        let c = b"2018-09-29 17:43:29.994 5341 ERROR cinder.volume KeyError: 'x'";
        assert_eq!(continues(a, c), No, "an exception-shaped line after a non-frame is its own");
        assert_eq!(continues(b"", b"x"), No);
        assert_eq!(continues(b"abc def", b"xyz  indented"), No, "no shared header");
    }

    #[test]
    fn padded_and_tab_separated_columns_are_not_indents() {
        // log4j2's bracketed time glued to the level and a padded logger
        let a = b"[2026-11-24T19:06:00,001][INFO ][o.e.n.Node               ] [es-1] started";
        let b = b"[2026-11-24T19:07:01,123][ERROR][o.e.t.TransportService   ] [es-1] Connection refused";
        assert_eq!(continues(a, b), No);
        // zap's console encoder separates every column with a tab
        let a = b"2026-11-24T19:06:00.001Z\tINFO\tsvc/main.go:20\tstarted";
        let b = b"2026-11-24T19:07:01.123Z\tERROR\tsvc/db.go:42\tquery failed";
        assert_eq!(continues(a, b), No);
        assert!(is_numeric(b"[2026-11-24T19:06:00,001]") && is_numeric(b"(4242)"));
        assert!(!is_numeric(b"[2026-11-24T19:06:00,001][INFO"));
    }
}
