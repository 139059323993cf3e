//! The leading fields of a line and their shape classes ([`Kind`]): the
//! vocabulary the header learner (`header.rs`) reasons with.

/// Shape class of one leading field.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Kind {
    /// Digits with date/time separators: `081109`, `18:01:47,978`, `17/06/09`.
    Num,
    /// `Dec`, `Sun`, `December`...
    Month,
    /// `INFO`, `WARN`, `error`...
    Level,
    /// A lone separator: `-`, `--`, `---` (Spring Boot) or `:`.
    Dash,
    /// `[ ... 12:34 ... ]`
    TimeBracket,
    /// `[notice]`
    LevelBracket,
    /// Any other `[...]`.
    Bracket,
    /// `dfs.DataNode$PacketResponder:`, `sshd[24200]:`
    Comp,
    /// `org.apache.Foo` (logger name without colon)
    Dotted,
    /// Anything else.
    Word,
}

impl Kind {
    /// Every kind, in declaration order (`k as usize` indexes it).
    pub(super) const ALL: [Kind; 10] = [
        Kind::Num,
        Kind::Month,
        Kind::Level,
        Kind::Dash,
        Kind::TimeBracket,
        Kind::LevelBracket,
        Kind::Bracket,
        Kind::Comp,
        Kind::Dotted,
        Kind::Word,
    ];

    pub(super) fn is_anchor(self) -> bool {
        matches!(
            self,
            Kind::Num | Kind::Month | Kind::Level | Kind::Dash | Kind::TimeBracket | Kind::LevelBracket
        )
    }
    /// Kinds checked when a line is matched against the learned layout.
    pub(super) fn is_strong(self) -> bool {
        matches!(
            self,
            Kind::Num | Kind::Month | Kind::Level | Kind::TimeBracket | Kind::LevelBracket | Kind::Comp
        )
    }
}

pub(super) fn upper<const N: usize>(f: &[u8]) -> Option<[u8; N]> {
    if f.len() > N {
        return None;
    }
    let mut b = [0u8; N];
    for (i, &c) in f.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        b[i] = c.to_ascii_uppercase();
    }
    Some(b)
}

/// A level word of [`crate::level`] (three letters or more).
pub(super) fn is_level(f: &[u8]) -> bool {
    f.len() >= 3 && crate::level::word(f).is_some()
}

/// A one-letter level code (klog, Android logcat).
pub(super) fn is_single_level(f: &[u8]) -> bool {
    f.len() == 1 && crate::level::letter(f[0]).is_some()
}

pub(super) fn is_month(f: &[u8]) -> bool {
    if f.len() < 3 || f.len() > 9 || f.len() == 4 {
        return false;
    }
    let Some(b) = upper::<9>(f) else { return false };
    matches!(
        &b[..3],
        b"JAN"
            | b"FEB"
            | b"MAR"
            | b"APR"
            | b"MAY"
            | b"JUN"
            | b"JUL"
            | b"AUG"
            | b"SEP"
            | b"OCT"
            | b"NOV"
            | b"DEC"
            | b"MON"
            | b"TUE"
            | b"WED"
            | b"THU"
            | b"FRI"
            | b"SAT"
            | b"SUN"
    )
}

/// Bytes of a number field: digits, date/time separators, `T` and `Z` (not
/// first).
static NUM_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i as u8, b'0'..=b'9' | b'-' | b'/' | b':' | b'.' | b',' | b'+' | b'_' | b'T' | b'Z');
        i += 1;
    }
    t
};

pub(super) fn is_num(f: &[u8]) -> bool {
    !matches!(f.first(), Some(b'T' | b'Z'))
        && f.iter().all(|&c| NUM_BYTE[c as usize])
        && f.iter().any(u8::is_ascii_digit)
}

pub(super) fn is_timeish(f: &[u8]) -> bool {
    // digit [:/-.] digit somewhere
    f.windows(3)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], b':' | b'/' | b'-' | b'.') && w[2].is_ascii_digit())
}

/// Bytes of a component name (before its colon).
static COMP_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'.' | b'$' | b'-' | b'/' | b'(' | b')' | b'[' | b']' | b'@' | b'#');
        i += 1;
    }
    t
};

pub(super) fn is_comp(f: &[u8]) -> bool {
    if f.len() < 2 || *f.last().unwrap() != b':' {
        return false;
    }
    let body = &f[..f.len() - 1];
    body.iter().any(|c| c.is_ascii_alphabetic())
        && body[0] != b'['
        && body.iter().all(|&c| COMP_BYTE[c as usize])
}

pub(super) fn is_dotted(f: &[u8]) -> bool {
    let dots = f.iter().filter(|&&c| c == b'.').count();
    dots >= 1
        && f[0].is_ascii_alphabetic()
        && f.last().is_some_and(|c| c.is_ascii_alphanumeric())
        && f.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'$'))
        && f.split(|&c| c == b'.').all(|s| !s.is_empty() && !s[0].is_ascii_digit())
}

pub(crate) fn kind_of(f: &[u8]) -> Kind {
    if matches!(f, b"-" | b"--" | b"---" | b":") {
        return Kind::Dash;
    }
    if f.first() == Some(&b'[') && f.last() == Some(&b']') && f.len() >= 2 {
        let inner = f[1..f.len() - 1].trim_ascii();
        if is_level(inner) {
            return Kind::LevelBracket;
        }
        if is_timeish(inner) && inner.iter().filter(|c| c.is_ascii_digit()).count() >= 4 {
            return Kind::TimeBracket;
        }
        return Kind::Bracket;
    }
    if f.first().is_some_and(|c| c.is_ascii_digit()) {
        return if is_num(f) { Kind::Num } else { Kind::Word };
    }
    if is_level(f) || is_single_level(f) {
        return Kind::Level;
    }
    if is_month(f) {
        return Kind::Month;
    }
    if is_comp(f) {
        return Kind::Comp;
    }
    if is_dotted(f) {
        return Kind::Dotted;
    }
    Kind::Word
}

/// Splits the leading fields of `line`: calls `f(start, end)` for up to
/// `max` fields; stops when `f` returns false.
pub(crate) fn fields(line: &[u8], max: usize, mut f: impl FnMut(usize, usize) -> bool) {
    let mut i = 0;
    for _ in 0..max {
        let Some((start, end)) = next_field(line, i) else { return };
        if !f(start, end) {
            return;
        }
        i = end;
    }
}

static SEP: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'|' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// The first byte of `line` at or after `i` that is no separator (where
/// [`next_field`] would start), else `line.len()`.
#[inline]
pub(super) fn skip_separators(line: &[u8], mut i: usize) -> usize {
    while i < line.len() && SEP[line[i] as usize] {
        i += 1;
    }
    i
}

/// The field starting at or after `i` (a `[...]` field runs to its matching `]`).
#[inline]
pub(super) fn next_field(line: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let n = line.len();
    while i < n && SEP[line[i] as usize] {
        i += 1;
    }
    if i >= n {
        return None;
    }
    let start = i;
    if line[i] == b'[' {
        // to the matching `]` (or the end), from bracket to bracket
        let mut depth = 0usize;
        loop {
            match memchr::memchr2(b'[', b']', &line[i..]) {
                None => {
                    i = n;
                    break;
                }
                Some(k) => {
                    i += k;
                    if line[i] == b'[' {
                        depth += 1;
                    } else {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
            }
        }
    }
    Some((start, sep_at_or_after(line, i)))
}

/// The first separator byte (space, tab, `|`, CR) of `line` at or after
/// `i`, else `line.len()`. Eight bytes at a time (SWAR): leading fields
/// are short, and this is the miner's hottest loop.
#[inline]
fn sep_at_or_after(line: &[u8], mut i: usize) -> usize {
    use super::swar::{bytes_equal, word};
    let n = line.len();
    while i + 8 <= n {
        let w = word(line, i);
        let m = bytes_equal(w, b' ') | bytes_equal(w, b'\t') | bytes_equal(w, b'|') | bytes_equal(w, b'\r');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && !SEP[line[i] as usize] {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_kind_is_listed_at_its_index() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(k as usize, i);
        }
    }

    /// The byte loops that `next_field`, `is_num` and `is_comp` must agree with.
    fn next_field_reference(line: &[u8], mut i: usize) -> Option<(usize, usize)> {
        let n = line.len();
        while i < n && SEP[line[i] as usize] {
            i += 1;
        }
        if i >= n {
            return None;
        }
        let start = i;
        if line[i] == b'[' {
            let mut depth = 0usize;
            while i < n {
                match line[i] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        while i < n && !SEP[line[i] as usize] {
            i += 1;
        }
        Some((start, i))
    }

    fn is_num_reference(f: &[u8]) -> bool {
        let mut digits = 0;
        for (i, &c) in f.iter().enumerate() {
            match c {
                b'0'..=b'9' => digits += 1,
                b'-' | b'/' | b':' | b'.' | b',' | b'+' | b'_' => {}
                b'T' | b'Z' if i > 0 => {}
                _ => return false,
            }
        }
        digits > 0
    }

    fn is_comp_reference(f: &[u8]) -> bool {
        if f.len() < 2 || *f.last().unwrap() != b':' {
            return false;
        }
        let body = &f[..f.len() - 1];
        body.iter().any(|c| c.is_ascii_alphabetic())
            && body[0] != b'['
            && body.iter().all(|&c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, b'_' | b'.' | b'$' | b'-' | b'/' | b'(' | b')' | b'[' | b']' | b'@' | b'#')
            })
    }

    proptest! {
        #[test]
        fn field_splitting_and_checks_equal_the_byte_loops(
            line in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'['), Just(b']'), Just(b'|'), Just(b':'), Just(b'T'), Just(b'Z'), Just(b'7'), Just(b'-'), Just(b'a'), any::<u8>()], 0..60),
        ) {
            let mut i = 0;
            loop {
                let want = next_field_reference(&line, i);
                prop_assert_eq!(next_field(&line, i), want);
                match want {
                    Some((s, e)) => {
                        let f = &line[s..e];
                        prop_assert_eq!(is_num(f), is_num_reference(f));
                        prop_assert_eq!(is_comp(f), is_comp_reference(f));
                        i = e;
                    }
                    None => break,
                }
            }
        }

        #[test]
        fn swar_separator_search_equals_bytewise(
            line in proptest::collection::vec(prop_oneof![Just(b' '), Just(b'|'), Just(b'\t'), Just(b'\r'), Just(0x80u8), Just(0x21u8), Just(0x01u8), Just(0u8), any::<u8>()], 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(line.len());
            let naive = (from..line.len()).find(|&i| SEP[line[i] as usize]).unwrap_or(line.len());
            prop_assert_eq!(sep_at_or_after(&line, from), naive);
        }
    }
}
