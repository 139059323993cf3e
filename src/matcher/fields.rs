//! Context fields of structured lines, hidden from signature matching.
//!
//! In a JSON object line (`{"msg":"...","path":"/api/timeouts",...}`) or a
//! logfmt-style `key=value` line, signatures should match what the line
//! says happened (its message, error, status and body fields), not where or
//! by whom: a request path `/api/timeouts`, a logger named
//! `com.acme.DeadlockDetector` or a user agent are context. Before a
//! structured line is classified, the *values* of such context fields are
//! replaced by spaces; keys, quotes and every other field stay, so patterns
//! on `"status":401` or `"error":"invalid_token"` keep working, and byte
//! offsets do not move.

/// Keys (or dotted key segments, as in ECS `url.path`) whose values are
/// context, compared case-insensitively with `-` read as `_`.
const CONTEXT_KEYS: &[&str] = &[
    "url",
    "uri",
    "path",
    "route",
    "endpoint",
    "query",
    "querystring",
    "query_string",
    "referer",
    "referrer",
    "http_referer",
    "user_agent",
    "useragent",
    "http_user_agent",
    "ua",
    "logger",
    "logger_name",
    "loggername",
    "caller",
    "file",
    "filename",
    "func",
    "function",
    "class",
    "classname",
    "thread",
    "thread_name",
    "threadname",
    "handler",
    "host",
    "hostname",
    "pod",
    "container",
];

/// Whether `line` may hold fields (a quote or a `=`); other lines are
/// classified as they are.
#[inline]
pub fn may_have_fields(line: &[u8]) -> bool {
    memchr::memchr2(b'"', b'=', line).is_some()
}

/// Writes `line` into `out` with the values of context fields blanked;
/// returns whether anything was blanked (when not, `out` is to be ignored).
pub fn blank_context_values(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.extend_from_slice(line);
    let mut any = false;
    let t = line.trim_ascii_start();
    if t.first() == Some(&b'{') {
        any |= blank_json(out);
    }
    any | blank_key_values(out)
}

fn is_context_key(key: &[u8]) -> bool {
    key.split(|&c| c == b'.').any(|seg| {
        CONTEXT_KEYS.iter().any(|k| {
            k.len() == seg.len()
                && k.bytes()
                    .zip(seg)
                    .all(|(a, &b)| a == if b == b'-' { b'_' } else { b.to_ascii_lowercase() })
        })
    })
}

/// End (exclusive) of the JSON string whose opening quote is at `i`.
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// End (exclusive) of the JSON value starting at `i` (a string, an object
/// or array with everything nested in it, or a scalar up to `,` `}` `]`).
fn value_end(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            b.len()
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') {
                j += 1;
            }
            j
        }
    }
}

/// Blanks the values of context keys of a JSON object line, at any depth
/// (a tolerant scan: a line cut short or not quite JSON is blanked as far
/// as it reads).
fn blank_json(b: &mut [u8]) -> bool {
    let mut any = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let end = string_end(b, i);
        let mut j = end;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b':' {
            i = end; // a string value
            continue;
        }
        // a key: its value starts after the colon
        let key = &b[i + 1..end.saturating_sub(1).max(i + 1)];
        let context = is_context_key(key);
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if context {
            let ve = value_end(b, j);
            // keep a string's quotes: `"path":"   "`
            let (s, e) = if b.get(j) == Some(&b'"') && ve > j + 1 { (j + 1, ve - 1) } else { (j, ve) };
            b[s..e].fill(b' ');
            any |= e > s;
            i = ve;
        } else {
            i = j;
        }
    }
    any
}

/// Blanks the values of context keys written `key=value` or
/// `key="quoted value"`, where `key` starts the line or follows a space.
fn blank_key_values(b: &mut [u8]) -> bool {
    let mut any = false;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'=', &b[i..]) {
        let eq = i + off;
        let mut ks = eq;
        while ks > 0 && (b[ks - 1].is_ascii_alphanumeric() || matches!(b[ks - 1], b'_' | b'.' | b'-' | b'@'))
        {
            ks -= 1;
        }
        let starts_token = ks == 0 || b[ks - 1] == b' ' || b[ks - 1] == b'\t';
        if ks == eq || !starts_token || !is_context_key(&b[ks..eq]) {
            i = eq + 1;
            continue;
        }
        let vs = eq + 1;
        let (s, e) = if b.get(vs) == Some(&b'"') {
            let ve = string_end(b, vs);
            (vs + 1, ve.saturating_sub(1).max(vs + 1))
        } else {
            let mut j = vs;
            while j < b.len() && !b[j].is_ascii_whitespace() {
                j += 1;
            }
            (vs, j)
        };
        b[s..e].fill(b' ');
        any |= e > s;
        i = e.max(eq + 1);
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(s: &str) -> String {
        let mut o = Vec::new();
        if blank_context_values(s.as_bytes(), &mut o) {
            String::from_utf8(o).unwrap()
        } else {
            s.to_string()
        }
    }

    #[test]
    fn json_context_values_are_blanked_keys_and_message_kept() {
        let l = r#"{"level":"info","msg":"request completed","path":"/api/timeouts","status":200}"#;
        let b = blank(l);
        assert_eq!(b.len(), l.len());
        assert!(b.contains(r#""msg":"request completed""#), "{b}");
        assert!(b.contains(r#""path":"             ""#), "{b}");
        assert!(b.contains(r#""status":200"#), "{b}");
        // nested, dotted, and a whole object under a context key
        let b = blank(
            r#"{"http":{"url":"https://x/deadlock"},"url.path":"/oom","log":{"logger":"a.TimeoutHandler"},"msg":"ok"}"#,
        );
        assert!(!b.contains("deadlock") && !b.contains("oom") && !b.contains("Timeout"), "{b}");
        let b = blank(r#"{"caller":{"file":"timeout.go","line":3},"error":"connection refused"}"#);
        assert!(!b.contains("timeout") && b.contains("connection refused"), "{b}");
    }

    #[test]
    fn escaped_quotes_and_cut_lines_do_not_derail() {
        let b = blank(r#"{"msg":"say \"path\":\"x\"","path":"/a\"b/timeout","error":"boom"}"#);
        assert!(b.contains(r#"say \"path\":\"x\""#) && !b.contains("timeout") && b.contains("boom"), "{b}");
        let b = blank(r#"{"msg":"x","path":"/never/ends"#);
        assert!(!b.contains("never"), "{b}");
    }

    #[test]
    fn logfmt_context_values_are_blanked() {
        let b =
            blank(r#"ts=1 level=error msg="upstream timed out" path=/api/oom user_agent="curl/8 deadlock""#);
        assert!(b.contains(r#"msg="upstream timed out""#), "{b}");
        assert!(!b.contains("oom") && !b.contains("deadlock"), "{b}");
        // not a key: inside a word, or inside a message
        assert_eq!(blank("GET /x?path=/oom"), "GET /x?path=/oom");
        assert_eq!(blank("no fields here"), "no fields here");
    }
}
