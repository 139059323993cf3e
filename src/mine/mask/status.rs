//! HTTP status codes are constants, not variables: `GET /a 200` and
//! `GET /a 503` are different events. A three-digit number from 100 to 599
//! is read as a status code when its context says so:
//!
//! * a status key before it, in the same token or the one before:
//!   `status=503`, `"status":503`, `status: 503`, `statusCode=404`,
//!   `http_status 502`, `code=500` (a key holding `status`, or `code`,
//!   `http_code`, `response_code`);
//! * an HTTP version before it: `HTTP/1.1 404`, `"GET /a HTTP/1.1" 200`
//!   (access logs), `HTTP 500`;
//! * the first word of a reason phrase after it: `503 Service
//!   Unavailable`, `200 OK`, `404 Not Found`.
//!
//! The clustering keeps such tokens apart too ([`is_status_token`]).

/// Three digits, 100 to 599.
#[inline]
pub(super) fn is_status_shape(p: &[u8]) -> bool {
    p.len() == 3 && (b'1'..=b'5').contains(&p[0]) && p[1].is_ascii_digit() && p[2].is_ascii_digit()
}

/// A key naming a status code (`status`, `statusCode`, `http_status`,
/// `code`, `response_code`...), case-insensitive.
pub(super) fn is_status_key(key: &[u8]) -> bool {
    if key.is_empty() || key.len() > 32 {
        return false;
    }
    let lower = key.to_ascii_lowercase();
    lower.windows(6).any(|w| w == b"status")
        || matches!(
            &lower[..],
            b"code" | b"http_code" | b"httpcode" | b"response_code" | b"responsecode" | b"resp_code"
        )
}

/// Does the token before a number say that the number is a status code?
pub(super) fn is_status_cue(prev: &[u8]) -> bool {
    let t = prev.trim_ascii_end();
    let t = t.strip_suffix(b":").or_else(|| t.strip_suffix(b"=")).unwrap_or(t);
    let t = t.trim_ascii_end();
    // an HTTP version, possibly closing a quoted request line
    let v = t.strip_suffix(b"\"").unwrap_or(t);
    if v == b"HTTP" || v.ends_with(b"HTTP") || http_version_at_end(v) {
        return true;
    }
    is_status_key(trim_bytes(t, |c| matches!(c, b'"' | b'\'' | b'(' | b'[' | b'{' | b',')))
}

/// `t` without the bytes `cut` says at both ends.
fn trim_bytes(t: &[u8], cut: impl Fn(u8) -> bool) -> &[u8] {
    let s = t.iter().take_while(|&&c| cut(c)).count();
    let e = t.len() - t[s..].iter().rev().take_while(|&&c| cut(c)).count();
    &t[s..e]
}

/// `...HTTP/1.1`, `HTTP/2`, `HTTP/2.0` at the end of `t`.
fn http_version_at_end(t: &[u8]) -> bool {
    let digits = t.iter().rev().take_while(|c| c.is_ascii_digit() || **c == b'.').count();
    digits > 0 && t[..t.len() - digits].ends_with(b"HTTP/")
}

/// Is the token after a number the first word of an HTTP reason phrase?
pub(super) fn is_reason_start(next: &[u8]) -> bool {
    let w = next.trim_ascii();
    let w = &w[..w.len()
        - w.iter().rev().take_while(|c| matches!(c, b',' | b'.' | b';' | b':' | b')' | b']' | b'"')).count()];
    matches!(
        w,
        b"OK"
            | b"Created"
            | b"Accepted"
            | b"Moved"
            | b"Found"
            | b"Not"
            | b"Bad"
            | b"Unauthorized"
            | b"Forbidden"
            | b"Conflict"
            | b"Gone"
            | b"Internal"
            | b"Service"
            | b"Gateway"
            | b"Too"
            | b"Unprocessable"
            | b"Method"
            | b"Request"
            | b"Payload"
            | b"Precondition"
            | b"Unsupported"
            | b"Temporary"
            | b"Permanent"
            | b"Misdirected"
            | b"Locked"
            | b"Upgrade"
    )
}

/// Is this token (as the masker left it) a status code kept as a
/// constant: one run of digits that has a status code's shape, alone or
/// behind a status key (`503`, `503,`, `status=503`, `"status":503,`)?
pub fn is_status_token(t: &str) -> bool {
    let b = t.as_bytes();
    let Some(ds) = b.iter().position(u8::is_ascii_digit) else { return false };
    let de = ds + b[ds..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !is_status_shape(&b[ds..de]) || b[de..].iter().any(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let before = &b[..ds];
    let key: Vec<u8> = before.iter().copied().filter(|c| c.is_ascii_alphanumeric() || *c == b'_').collect();
    key.is_empty() && !before.iter().any(|c| c.is_ascii_alphanumeric()) || is_status_key(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_before_and_after() {
        for p in [
            "status",
            "status:",
            "Status=",
            "\"status\":",
            "statusCode=",
            "http_status",
            "code=",
            "HTTP/1.1",
            "/a HTTP/1.1\"",
            "HTTP",
            "HTTP/2",
        ] {
            assert!(is_status_cue(p.as_bytes()), "{p}");
        }
        for p in ["size", "port", "took", "uid=", "HTTP/x", "pid"] {
            assert!(!is_status_cue(p.as_bytes()), "{p}");
        }
        assert!(is_reason_start(b"OK"));
        assert!(!is_reason_start(b"Unavailable"));
        assert!(is_reason_start(b"Service"));
        assert!(!is_reason_start(b"bytes"));
    }

    #[test]
    fn status_tokens() {
        for t in ["503", "503,", "(404)", "status=503", "\"status\":503,", "code:500"] {
            assert!(is_status_token(t), "{t}");
        }
        for t in ["5030", "99", "600", "ssh2", "port=503", "<*>", "v503", "503ms", "1.503"] {
            assert!(!is_status_token(t), "{t}");
        }
    }
}
