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

mod shape;
mod status;

pub use status::is_status_token;

use super::swar::{bytes_below, bytes_between, word};
use shape::*;
use status::*;

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
    let mut prev_tok: &[u8] = b"";
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
        let opens = matches!(tok[0], b'"' | b'\'' | b'(' | b'[' | b'{' | b'<');
        if let Some((q, close, end)) = if opens { quoted_span(b, ts, i) } else { None } {
            // a quoted value over several tokens is one variable
            if !first {
                out.push(b' ');
            }
            out.extend_from_slice(&b[ts..=q]);
            out.extend_from_slice(VAR.as_bytes());
            out.extend_from_slice(&b[close..end]);
            prev_var = false;
            first = false;
            i = end;
            prev_tok = &b[ts..end];
            continue;
        }
        let prev = std::mem::replace(&mut prev_tok, tok);
        if (!special && word_stays(tok) && tok != VAR.as_bytes())
            || (special && is_status_code(tok, prev, &b[i..]))
        {
            if !first {
                out.push(b' ');
            }
            out.extend_from_slice(tok);
            prev_var = false;
            first = false;
            continue;
        }
        let mark = out.len();
        if !first {
            out.push(b' ');
        }
        let body = out.len();
        mask_token(tok, out);
        let is_var = &out[body..] == VAR.as_bytes();
        if is_var && prev_var {
            out.truncate(mark);
            continue;
        }
        prev_var = is_var;
        first = false;
    }
}

/// Is `tok` (between the token `prev` and the text `rest`) an HTTP status
/// code by its shape and its context (`status.rs`)?
#[inline]
fn is_status_code(tok: &[u8], prev: &[u8], rest: &[u8]) -> bool {
    let (s, e) = core_bounds(tok);
    if !is_status_shape(&tok[s..e]) {
        return false;
    }
    is_status_cue(prev) || {
        let rest = rest.trim_ascii_start();
        is_reason_start(&rest[..rest.iter().position(u8::is_ascii_whitespace).unwrap_or(rest.len())])
    }
}

/// The core of a token: without its leading brackets and quotes and its
/// trailing brackets, quotes and punctuation (`s..e`, possibly empty).
#[inline]
fn core_bounds(tok: &[u8]) -> (usize, usize) {
    let mut s = 0;
    while s < tok.len() && is_lead(tok[s]) {
        s += 1;
    }
    let mut e = tok.len();
    while e > s && is_trail(tok[e - 1]) {
        e -= 1;
    }
    (s, e)
}

/// The quote opening a token behind wrapping brackets (`"a`, `('a`): its
/// index and the quote byte.
#[inline]
fn opening_quote(tok: &[u8]) -> Option<(usize, u8)> {
    let s = tok.iter().take_while(|&&c| matches!(c, b'(' | b'[' | b'{' | b'<')).count();
    tok.get(s).filter(|&&c| c == b'"' || c == b'\'').map(|&q| (s, q))
}

/// Does what follows a closing quote end the value (only trailing
/// punctuation, no other quote)?
#[inline]
fn closes_value(after: &[u8]) -> bool {
    after.iter().all(|&c| is_trail(c) && c != b'"' && c != b'\'')
}

/// A quoted value that opens in the token `msg[ts..te]` and closes in a
/// later token, when there is one: the index of its opening quote, of its
/// closing quote, and the end of the token that closes it. The quote opens
/// the token (behind `(`, `[`...), does not close in it, closes within 512
/// bytes at the end of a token (only `)`, `,`, `.`... after it), and is not
/// an HTTP request line (`"GET /a HTTP/1.1"`, whose method says something).
#[inline]
fn quoted_span(msg: &[u8], ts: usize, te: usize) -> Option<(usize, usize, usize)> {
    let tok = &msg[ts..te];
    let (lead, q) = opening_quote(tok)?;
    let word = &tok[lead + 1..];
    if word.contains(&q) || te >= msg.len() {
        return None;
    }
    if matches!(
        word,
        b"GET" | b"POST" | b"PUT" | b"DELETE" | b"PATCH" | b"HEAD" | b"OPTIONS" | b"CONNECT" | b"TRACE"
    ) {
        return None;
    }
    let close = te + memchr::memchr(q, msg.get(te..msg.len().min(ts + 512))?)?;
    // the closing quote ends its token, but for trailing punctuation
    let end = close + 1 + msg[close + 1..].iter().take_while(|c| !c.is_ascii_whitespace()).count();
    closes_value(&msg[close + 1..end]).then_some((ts + lead, close, end))
}

/// The bounds of the text inside a quoted one-word value (`"alice"`,
/// `'config.yml':`, `("x")`): the quotes match, hold something, and only
/// wrapping punctuation surrounds them.
#[inline]
fn quoted_value(tok: &[u8]) -> Option<(usize, usize)> {
    let (s, q) = opening_quote(tok)?;
    let e = s + 1 + memchr::memchr(q, &tok[s + 1..])?;
    (e > s + 1 && closes_value(&tok[e + 1..])).then_some((s + 1, e))
}

/// Does a token with classes `fl` and `alpha` letters stay as it is? (No
/// digit, `/`, `@` or `=`, and not a boolean or null.)
#[inline]
fn stays(tok: &[u8], fl: u8, alpha: usize) -> bool {
    if fl & (DIGIT | SLASH | AT | EQ) != 0 {
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
/// a `/`, a `@` or a `=`: eight bytes at a time (SWAR), as most tokens are words
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
        // and `=` 0x3D, which may make the token `key=value`
        let sp = bytes_between(w, b'/' - 1, b'9' + 1)
            | bytes_between(w, b'@' - 1, b'@' + 1)
            | bytes_between(w, b'=' - 1, b'=' + 1);
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
        sp |= k & (DIGIT | SLASH | AT | EQ) != 0;
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
    if quoted_value(tok).is_some() {
        return false;
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
#[inline]
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
    if let Some((s, e)) = quoted_value(tok) {
        // a quoted value: `"alice"`, `'config.yml':`
        out.extend_from_slice(&tok[..s]);
        out.extend_from_slice(VAR.as_bytes());
        out.extend_from_slice(&tok[e..]);
        return;
    }
    // fast path: nothing to mask
    if stays(tok, fl, alpha) {
        out.extend_from_slice(tok);
        return;
    }
    let (s, e) = core_bounds(tok);
    if s == e || !b[s..e].iter().any(|c| c.is_ascii_alphanumeric()) {
        out.extend_from_slice(tok);
        return;
    }
    if fl & (SLASH | AT) == 0 && is_plain_number(&tok[s..e]) {
        // the commonest variable, `7`, `20.0`, `312)`: what the general
        // rule gives (a test holds them equal), at once
        out.extend_from_slice(&tok[..s]);
        out.extend_from_slice(VAR.as_bytes());
        out.extend_from_slice(&tok[e..]);
        return;
    }
    mask_wrapped_token(tok, s, e, fl, out)
}

/// [`mask_token_classes`] of a token whose core (without its wrapping
/// brackets, quotes and punctuation) is `tok[s..e]`: a whole variable
/// (URL, path, IP, e-mail...) in its wrapping, else masked piece by piece.
fn mask_wrapped_token(tok: &[u8], s: usize, e: usize, fl: u8, out: &mut Vec<u8>) {
    let b = tok;
    let core = &tok[s..e];
    if fl & EQ != 0 && mask_key_value(tok, s, e, out) {
        return;
    }
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
    // the piece before the last delimiters: a key (`status` of `status=503`)
    let mut key: &[u8] = b"";
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
        let piece = &b[ps..pe];
        let after_key = std::mem::replace(&mut key, piece);
        if is_status_shape(piece) && is_status_key(after_key) {
            out.extend_from_slice(&tok[ps..i]);
            continue;
        }
        match var_from(piece) {
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

/// Masks a `key=value` token whose value is a whole variable (`url=<*>`,
/// `path=<*>`, `user=<*>` for an e-mail); false (nothing written) when it
/// is not one. Out of line: few tokens hold a `=`.
#[inline(never)]
fn mask_key_value(tok: &[u8], s: usize, e: usize, out: &mut Vec<u8>) -> bool {
    let core = &tok[s..e];
    let Some(k) = key_value_split(core) else { return false };
    let value = &core[k + 1..];
    let vfl = value.iter().fold(0, |f, &c| f | CLASS[c as usize]);
    if vfl & (DIGIT | SLASH | AT) == 0 || !is_whole_var(value, vfl) {
        return false;
    }
    out.extend_from_slice(&tok[..s + k + 1]);
    out.extend_from_slice(VAR.as_bytes());
    out.extend_from_slice(&tok[e..]);
    true
}

/// Where the `=` of a `key=value` token is: a key (a letter, then letters,
/// digits, `_` `.` `-`) and a value.
#[inline]
fn key_value_split(core: &[u8]) -> Option<usize> {
    let k = memchr::memchr(b'=', core)?;
    let key = &core[..k];
    let ok = key.first().is_some_and(u8::is_ascii_alphabetic)
        && key.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        && k + 1 < core.len();
    ok.then_some(k)
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

const DIGIT: u8 = 1;
const SLASH: u8 = 2;
const AT: u8 = 4;
const COLON: u8 = 8;
const ALPHA: u8 = 16;
const WS: u8 = 32;
/// Key/value punctuation that cuts a token into pieces (`= : , ( ) [ ] { } < > @ # | ; ' " /`).
const DELIM: u8 = 64;
/// `=`, which may make a token `key=value`.
const EQ: u8 = 128;
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
        } | if c == b'=' { EQ } else { 0 };
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests;
