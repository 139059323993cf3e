//! Tokenising a message and masking variables by the shape of each token.
//!
//! A message is split on whitespace. Each token is masked on its own:
//! surrounding brackets/quotes/punctuation are kept (`[<*>]`, `(<*>)`,
//! `<*>,`), a whole token that is a URL, a path, an IP address (with or
//! without port), an e-mail address or a UUID becomes `<*>`; otherwise the
//! token is cut at key/value punctuation (`= : , ( ) [ ] { } < > @ # | ; ' " /`)
//! and every piece that is a number, a hex string, a number with a unit, a
//! boolean/null, or an identifier built around digit groups (`blk_-123`,
//! `attempt_1445_0020_m_000000_0`, `R02-M1-N0-C`) becomes `<*>`
//! (`uid=<*>`, `Calories:<*>`, `<*>##<*>`). Words without digits are never
//! masked here: whether a word position is variable is decided on the
//! whole file by the clustering.

use super::swar::{bytes_below, bytes_between, word};

/// The variable placeholder.
pub const VAR: &str = "<*>";

/// Appends the masked tokens of `msg` to `out`, separated by one space, with
/// runs of tokens that are exactly `<*>` collapsed into one. Works on bytes:
/// tokens are split on ASCII whitespace and every decision is made on ASCII
/// characters, so other bytes (UTF-8 or not) pass through unchanged.
pub fn mask_message(msg: &[u8], out: &mut Vec<u8>) {
    let mut prev_var = false;
    let mut first = true;
    let b = msg;
    let n = b.len();
    let mut i = 0;
    loop {
        while i < n && CLASS[b[i] as usize] & WS != 0 {
            i += 1;
        }
        if i >= n {
            break;
        }
        // the token's end, and whether it holds a digit, `/` or `@`
        let ts = i;
        let (end, special) = token_end(b, i);
        i = end;
        let tok = &b[ts..i];
        if !special && word_stays(tok) && tok != VAR.as_bytes() {
            if !first {
                out.push(b' ');
            }
            out.extend_from_slice(tok);
            prev_var = false;
            first = false;
            continue;
        }
        let mut fl = 0u8;
        let mut alpha = 0usize;
        for &c in tok {
            let k = CLASS[c as usize];
            fl |= k;
            alpha += (k & ALPHA != 0) as usize;
        }
        let mark = out.len();
        if !first {
            out.push(b' ');
        }
        let body = out.len();
        mask_token_classes(tok, fl, alpha, out);
        let is_var = &out[body..] == VAR.as_bytes();
        if is_var && prev_var {
            out.truncate(mark);
            continue;
        }
        prev_var = is_var;
        first = false;
    }
}

/// Does a token with classes `fl` and `alpha` letters stay as it is? (No
/// digit, `/` or `@`, and not a boolean or null.)
#[inline]
fn stays(tok: &[u8], fl: u8, alpha: usize) -> bool {
    if fl & (DIGIT | SLASH | AT) != 0 {
        return false;
    }
    if alpha != 4 && alpha != 5 {
        return true;
    }
    let s = tok.iter().position(|c| c.is_ascii_alphabetic()).unwrap_or(0);
    let e = s + tok[s..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
    !is_bool_null(&tok[s..e])
}

/// The end of the token that starts at `i` (the first ASCII whitespace
/// byte at or after it, or `b.len()`) and whether the token holds a digit,
/// a `/` or a `@`: eight bytes at a time (SWAR), as most tokens are words
/// that stay as they are and this is the miner's hottest loop.
#[inline]
fn token_end(b: &[u8], mut i: usize) -> (usize, bool) {
    let n = b.len();
    let mut special = 0u64;
    while i + 8 <= n {
        let w = word(b, i);
        // whitespace is below b'!': look at those bytes in order
        let mut low = bytes_below(w, b'!');
        let mut len = 8;
        while low != 0 {
            let k = (low.trailing_zeros() / 8) as usize;
            if CLASS[b[i + k] as usize] & WS != 0 {
                len = k;
                break;
            }
            low &= low - 1;
        }
        // b'/' is 0x2F, digits 0x30..=0x39, b'@' 0x40
        let sp = bytes_between(w, b'/' - 1, b'9' + 1) | bytes_between(w, b'@' - 1, b'@' + 1);
        special |= if len == 8 { sp } else { sp & ((1u64 << (8 * len)) - 1) };
        if len < 8 {
            return (i + len, special != 0);
        }
        i += 8;
    }
    let mut sp = special != 0;
    while i < n {
        let k = CLASS[b[i] as usize];
        if k & WS != 0 {
            break;
        }
        sp |= k & (DIGIT | SLASH | AT) != 0;
        i += 1;
    }
    (i, sp)
}

/// Does a token without digit, `/` or `@` stay as it is? Yes unless it is
/// a boolean or null, as [`stays`] says; most words are told at once by
/// their first letter.
#[inline]
fn word_stays(tok: &[u8]) -> bool {
    if let Some(&c) = tok.first() {
        if c.is_ascii_alphabetic() && !matches!(c | 0x20, b't' | b'f' | b'n') {
            return true;
        }
    }
    let alpha = tok.iter().filter(|c| c.is_ascii_alphabetic()).count();
    stays(tok, 0, alpha)
}

#[inline]
fn is_lead(c: u8) -> bool {
    matches!(c, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'')
}
#[inline]
fn is_trail(c: u8) -> bool {
    matches!(c, b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b'.' | b':' | b'!' | b'?')
}
#[inline]
fn is_delim(c: u8) -> bool {
    CLASS[c as usize] & DELIM != 0
}

/// Masks one whitespace-free token, appending the result to `out`.
pub fn mask_token(tok: &[u8], out: &mut Vec<u8>) {
    let mut fl = 0u8;
    let mut alpha = 0usize;
    for &c in tok {
        let k = CLASS[c as usize];
        fl |= k;
        alpha += (k & ALPHA != 0) as usize;
    }
    mask_token_classes(tok, fl, alpha, out)
}

/// [`mask_token`] with the token's character classes (`fl`) and number of
/// ASCII letters (`alpha`) already known.
#[inline]
fn mask_token_classes(tok: &[u8], fl: u8, alpha: usize, out: &mut Vec<u8>) {
    let b = tok;
    // fast path: nothing to mask
    if stays(tok, fl, alpha) {
        out.extend_from_slice(tok);
        return;
    }
    let mut s = 0;
    while s < b.len() && is_lead(b[s]) {
        s += 1;
    }
    let mut e = b.len();
    while e > s && is_trail(b[e - 1]) {
        e -= 1;
    }
    if s == e || !b[s..e].iter().any(|c| c.is_ascii_alphanumeric()) {
        out.extend_from_slice(tok);
        return;
    }
    let core = &tok[s..e];
    if fl & (DIGIT | SLASH | AT) != 0 && is_whole_var(core, fl) {
        out.extend_from_slice(&tok[..s]);
        out.extend_from_slice(VAR.as_bytes());
        out.extend_from_slice(&tok[e..]);
        return;
    }
    // Piece-wise masking over the whole token (the wrappers are delimiters
    // or punctuation, so they pass through unchanged).
    let start = out.len();
    let mut i = 0;
    let mut any = false;
    while i < b.len() {
        if is_delim(b[i]) || is_leader(b, i) {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let ps = i;
        while i < b.len() && !is_delim(b[i]) && !is_leader(b, i) {
            i += 1;
        }
        let mut pe = i;
        // keep sentence punctuation after a piece (`12.` `5,`) outside it
        while pe > ps + 1 && matches!(b[pe - 1], b'.' | b'!' | b'?') {
            pe -= 1;
        }
        match var_from(&b[ps..pe]) {
            Some(k) => {
                out.extend_from_slice(&tok[ps..ps + k]);
                out.extend_from_slice(VAR.as_bytes());
                out.extend_from_slice(&tok[pe..i]);
                any = true;
            }
            None => out.extend_from_slice(&tok[ps..i]),
        }
    }
    if any {
        // a host:port or a/b split into pieces is one variable
        collapse_vars(out, start);
    }
}

/// In `out[start..]`, rewrites `<*>:<*>`, `<*>/<*>` and `<*><*>` as `<*>`.
fn collapse_vars(out: &mut Vec<u8>, start: usize) {
    let b = &out[start..];
    let mut i = 0;
    let mut found = false;
    while i + 6 <= b.len() {
        if &b[i..i + 3] == b"<*>"
            && (b[i + 3..].starts_with(b"<*>")
                || (matches!(b[i + 3], b':' | b'/') && b[i + 4..].starts_with(b"<*>")))
        {
            found = true;
            break;
        }
        i += 1;
    }
    if !found {
        return;
    }
    let mut res = Vec::with_capacity(b.len());
    let sb = b;
    let mut i = 0;
    while i < sb.len() {
        if sb[i..].starts_with(b"<*>") {
            res.extend_from_slice(b"<*>");
            i += 3;
            loop {
                if sb[i..].starts_with(b"<*>") {
                    i += 3;
                } else if i + 1 < sb.len() && matches!(sb[i], b':' | b'/') && sb[i + 1..].starts_with(b"<*>")
                {
                    i += 4;
                } else {
                    break;
                }
            }
        } else {
            res.push(sb[i]);
            i += 1;
        }
    }
    out.truncate(start);
    out.extend_from_slice(&res);
}

/// A run of two or more dots (`program interrupt: trap instruction....0`).
#[inline]
fn is_leader(b: &[u8], i: usize) -> bool {
    b[i] == b'.' && (b.get(i + 1) == Some(&b'.') || (i > 0 && b[i - 1] == b'.'))
}

/// Where the variable part of a piece starts: `Some(0)` for the whole
/// piece, `Some(k)` to keep a word prefix (`core.<*>`, `jetty-<*>`,
/// `BP-<*>`), `None` when the piece is a constant.
pub fn var_from(p: &[u8]) -> Option<usize> {
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

const DIGIT: u8 = 1;
const SLASH: u8 = 2;
const AT: u8 = 4;
const COLON: u8 = 8;
const ALPHA: u8 = 16;
const WS: u8 = 32;
/// Key/value punctuation that cuts a token into pieces (`= : , ( ) [ ] { } < > @ # | ; ' " /`).
const DELIM: u8 = 64;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c.is_ascii_digit() {
            DIGIT
        } else if c == b'/' {
            SLASH
        } else if c == b'@' {
            AT
        } else if c == b':' {
            COLON
        } else if c.is_ascii_alphabetic() {
            ALPHA
        } else if c.is_ascii_whitespace() {
            WS
        } else {
            0
        } | if matches!(
            c,
            b'=' | b':'
                | b','
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'<'
                | b'>'
                | b'@'
                | b'#'
                | b'|'
                | b';'
                | b'\''
                | b'"'
                | b'/'
        ) {
            DELIM
        } else {
            0
        };
        i += 1;
    }
    t
};

/// `fl`: character classes of the whole token (a superset of the core's).
fn is_whole_var(c: &[u8], fl: u8) -> bool {
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
fn is_bool_null(p: &[u8]) -> bool {
    (p.len() == 4 || p.len() == 5)
        && (p.eq_ignore_ascii_case(b"true")
            || p.eq_ignore_ascii_case(b"false")
            || p.eq_ignore_ascii_case(b"null"))
}

/// Is this piece (no key/value punctuation inside) a variable by its shape?
pub fn is_var_piece(p: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        let mut o = Vec::new();
        mask_message(s.as_bytes(), &mut o);
        String::from_utf8(o).unwrap()
    }

    #[test]
    fn numbers_ips_paths() {
        assert_eq!(
            m("Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6"),
            "Received block <*> of size <*> from <*>"
        );
        assert_eq!(
            m("reverse mapping for ns.example.com [173.234.31.186] failed"),
            "reverse mapping for ns.example.com [<*>] failed"
        );
        assert_eq!(m("session opened for user fztu by (uid=0)"), "session opened for user fztu by (uid=<*>)");
        assert_eq!(
            m("Connecting to ResourceManager at msra-sa-41:8030"),
            "Connecting to ResourceManager at <*>"
        );
        assert_eq!(m("Opening http://a.b/c?d=1 and mail bob@example.com"), "Opening <*> and mail <*>");
        assert_eq!(m("took 12ms of 3.5 KB, 0x1f 9f8e7d6c5b4a"), "took <*> of <*> KB, <*>");
    }

    #[test]
    fn constants_with_digits_stay() {
        assert_eq!(m("Accepted password for x port 22 ssh2"), "Accepted password for x port <*> ssh2");
        assert_eq!(
            m("jk2_init() Found child 6725 in scoreboard slot 10"),
            "jk2_init() Found child <*> in scoreboard slot <*>"
        );
        assert_eq!(
            m("3 L3 EDRAM error(s) (dcr 0x0157) detected"),
            "<*> L3 EDRAM error(s) (dcr <*>) detected"
        );
        assert_eq!(m("getDiffTotalSteps= 10##20"), "getDiffTotalSteps= <*>##<*>");
        assert_eq!(m("VM Started"), "VM Started");
        assert_eq!(m("generating core.2275 on jetty-6.1.26"), "generating core.<*> on jetty-<*>");
        assert_eq!(
            m("icache prefetch depth.......0x00 changed: FF:F2:9F:16:E2:23"),
            "icache prefetch depth.......<*> changed: <*>"
        );
    }

    #[test]
    fn adjacent_vars_collapse() {
        assert_eq!(m("onExtend:1514038530000 14 0 4"), "onExtend:<*> <*>");
        assert_eq!(m("node R02-M1-N0-C:J12-U11 ok"), "node <*> ok");
    }

    /// The byte-at-a-time tokeniser that [`mask_message`] must agree with.
    fn mask_reference(b: &[u8], out: &mut Vec<u8>) {
        let (mut prev_var, mut first, mut i) = (false, true, 0);
        loop {
            while i < b.len() && CLASS[b[i] as usize] & WS != 0 {
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            let (ts, mut fl, mut alpha) = (i, 0u8, 0usize);
            while i < b.len() && CLASS[b[i] as usize] & WS == 0 {
                fl |= CLASS[b[i] as usize];
                alpha += b[i].is_ascii_alphabetic() as usize;
                i += 1;
            }
            let mark = out.len();
            if !first {
                out.push(b' ');
            }
            let body = out.len();
            mask_token_classes(&b[ts..i], fl, alpha, out);
            let is_var = &out[body..] == VAR.as_bytes();
            if is_var && prev_var {
                out.truncate(mark);
                continue;
            }
            prev_var = is_var;
            first = false;
        }
    }

    proptest::proptest! {
        #[test]
        fn swar_tokeniser_equals_bytewise(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just("<*>".to_string()),
                    "(true|False|null|nul|tru|none)",
                    "[ \t\r\n\x0b\x0c\x01\x1f]{1,3}",
                    r"[a-zA-Z0-9/@:=.,\-_\[\]()\x7f\x{e9}]{1,20}",
                ],
                0..12,
            )
        ) {
            let msg = parts.concat();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            mask_message(msg.as_bytes(), &mut a);
            mask_reference(msg.as_bytes(), &mut b);
            proptest::prop_assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        }
    }

    #[test]
    fn invalid_and_odd_input() {
        assert_eq!(m(""), "");
        assert_eq!(m("   "), "");
        assert_eq!(m("-- ( ) :"), "-- ( ) :");
    }
}
