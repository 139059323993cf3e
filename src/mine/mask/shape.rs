//! Token shapes: which pieces of a token are variables (numbers, hex,
//! identifiers built around digit groups, booleans) and which whole tokens
//! are one (URLs, paths, IP addresses with or without port, e-mail
//! addresses, MAC / IPv6-like groups).

use super::{AT, COLON, DIGIT, SLASH};

/// Digits, or groups of digits joined by single dots (`7`, `20.0`,
/// `10.1.2.3`).
#[inline]
pub(super) fn is_plain_number(c: &[u8]) -> bool {
    c.first().is_some_and(u8::is_ascii_digit)
        && c.last().is_some_and(u8::is_ascii_digit)
        && c.iter().all(|&x| x.is_ascii_digit() || x == b'.')
        && !c.windows(2).any(|w| w == b"..")
}

/// Where the variable part of a piece starts: `Some(0)` for the whole
/// piece, `Some(k)` to keep a word prefix (`core.<*>`, `jetty-<*>`,
/// `BP-<*>`), `None` when the piece is a constant.
pub(super) fn var_from(p: &[u8]) -> Option<usize> {
    let alpha = p.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if alpha > 0 && alpha + 1 < p.len() && matches!(p[alpha], b'.' | b'-') && p[alpha + 1].is_ascii_digit() {
        return Some(alpha + 1);
    }
    if is_var_piece(p) {
        Some(0)
    } else {
        None
    }
}

fn is_hex_groups(c: &[u8]) -> bool {
    // MAC / IPv6-like: at least 4 ':'-separated hex groups of <= 4 digits
    let mut groups = 0;
    for g in c.split(|&x| x == b':') {
        if g.len() > 4 || !g.iter().all(|x| x.is_ascii_hexdigit()) {
            return false;
        }
        groups += 1;
    }
    groups >= 4 && c.iter().any(|x| x.is_ascii_digit())
}

/// `fl`: character classes of the whole token (a superset of the core's).
pub(super) fn is_whole_var(c: &[u8], fl: u8) -> bool {
    let has_digit = fl & DIGIT != 0;
    if fl & SLASH != 0 {
        // URL, paths
        if c.windows(3).any(|w| w == b"://")
            || (c[0] == b'/' && c.len() > 1)
            || c.starts_with(b"~/")
            || c.starts_with(b"./")
            || c.starts_with(b"../")
        {
            return true;
        }
        if has_digit && c.contains(&b'/') {
            return true;
        }
    }
    if c.len() > 2 && c[0].is_ascii_alphabetic() && c[1] == b':' && c[2] == b'\\' {
        return true;
    }
    (has_digit && c[0].is_ascii_digit() && is_ip_port(c))
        || (fl & AT != 0 && is_email(c))
        || (has_digit && fl & COLON != 0 && is_hex_groups(c))
}

fn is_ip_port(c: &[u8]) -> bool {
    // a.b.c.d or a.b.c.d:port
    let (ip, port) = match memchr::memchr(b':', c) {
        Some(i) => (&c[..i], Some(&c[i + 1..])),
        None => (c, None),
    };
    let mut parts = 0;
    for p in ip.split(|&x| x == b'.') {
        if p.is_empty() || p.len() > 3 || !p.iter().all(|d| d.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts == 4 && port.is_none_or(|p| !p.is_empty() && p.iter().all(|d| d.is_ascii_digit()))
}

fn is_email(c: &[u8]) -> bool {
    let Some(at) = memchr::memchr(b'@', c) else {
        return false;
    };
    let (local, dom) = (&c[..at], &c[at + 1..]);
    if local.is_empty()
        || !local.iter().all(|x| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'_' | b'-' | b'+'))
    {
        return false;
    }
    let mut labels = 0;
    let mut last: &[u8] = b"";
    for l in dom.split(|&x| x == b'.') {
        if l.is_empty() || !l.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-') {
            return false;
        }
        labels += 1;
        last = l;
    }
    labels >= 2 && last.iter().all(|x| x.is_ascii_alphabetic())
}

#[inline]
pub(super) fn is_bool_null(p: &[u8]) -> bool {
    (p.len() == 4 || p.len() == 5)
        && (p.eq_ignore_ascii_case(b"true")
            || p.eq_ignore_ascii_case(b"false")
            || p.eq_ignore_ascii_case(b"null"))
}

/// Is this piece (no key/value punctuation inside) a variable by its shape?
pub(super) fn is_var_piece(p: &[u8]) -> bool {
    if p.is_empty() {
        return false;
    }
    if is_bool_null(p) {
        return true;
    }
    if !p.iter().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let s = if matches!(p[0], b'-' | b'+') { &p[1..] } else { p };
    if s.first().is_some_and(|c| c.is_ascii_digit()) {
        return true;
    }
    if s.len() >= 8 && s.iter().all(|c| c.is_ascii_hexdigit()) {
        return true;
    }
    if s.split(|&c| matches!(c, b'.' | b'_' | b'-' | b'+'))
        .any(|seg| !seg.is_empty() && seg.iter().all(|c| c.is_ascii_digit()))
    {
        return true;
    }
    let mut runs = 0;
    let mut in_run = false;
    for &c in s {
        let d = c.is_ascii_digit();
        if d && !in_run {
            runs += 1;
        }
        in_run = d;
    }
    runs >= 2
}
