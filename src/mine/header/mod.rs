//! Header detection: find where the message starts, by the *shape* of the
//! leading fields, learned per file from a sample of lines.
//!
//! A line is read as a sequence of fields separated by whitespace or `|`;
//! a field that starts with `[` runs to its matching `]` (so
//! `[Sun Dec 04 04:47:44 2005]` or `[RMCommunicator Allocator]` is one
//! field). Each field gets a [`Kind`]. The header of a file is the longest
//! run of leading columns ending with a column that is an *anchor*
//! (number/time, month or weekday, level, `-`, bracketed time or level) in
//! at least 90% of the sampled lines, then extended by what usually follows
//! the anchors: a `[thread]`, a `-`, a `Component:`/`proc[pid]:` (possibly
//! behind one host-name column, as in syslog) or a dotted logger name.
//! Lines that do not fit the learned layout fall back to a per-line rule.

use super::fields::*;

const MAX_COLS: usize = 16;

/// The header layout learned from one file.
#[derive(Clone, Debug, Default)]
pub struct HeaderModel {
    /// Number of leading fields that form the header.
    cols: usize,
    /// For each header column, the kind that at least 90% of lines show,
    /// when it is a strong kind (checked on each line).
    expect: Vec<Option<Kind>>,
}

impl HeaderModel {
    /// Learns the header layout from sample lines.
    pub fn learn<'a>(sample: impl IntoIterator<Item = &'a [u8]>) -> HeaderModel {
        use rayon::prelude::*;
        let lines: Vec<&[u8]> =
            sample.into_iter().map(|l| l.trim_ascii()).filter(|l| !l.is_empty()).collect();
        let n = lines.len();
        if n == 0 {
            return HeaderModel::default();
        }
        // per column, how many lines have a field of each kind there, and
        // (last slot) a field that opens a quote (sums, so the parallel
        // split does not matter)
        const QUOTED: usize = Kind::ALL.len();
        type Counts = [[usize; QUOTED + 1]; MAX_COLS + 2];
        let counts: Counts = lines
            .par_chunks(256)
            .map(|chunk| {
                let mut counts: Counts = [[0; QUOTED + 1]; MAX_COLS + 2];
                for line in chunk {
                    let mut c = 0;
                    fields(line, MAX_COLS, |s, e| {
                        counts[c][kind_of(&line[s..e]) as usize] += 1;
                        counts[c][QUOTED] += (line[s] == b'"') as usize;
                        c += 1;
                        true
                    });
                }
                counts
            })
            .reduce(
                || [[0; QUOTED + 1]; MAX_COLS + 2],
                |mut a, b| {
                    for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                        *x += y;
                    }
                    a
                },
            );
        let need = (n as f64 * 0.9).ceil() as usize;
        // how many rows have a field in column `c` whose kind passes `pred`
        let share = |c: usize, pred: &dyn Fn(Kind) -> bool| match counts.get(c) {
            Some(col) => Kind::ALL.iter().filter(|&&k| pred(k)).map(|&k| col[k as usize]).sum(),
            None => 0,
        };
        let mut cols = 0;
        let mut run = 0;
        let mut level_seen = false;
        for c in 0..MAX_COLS {
            // quoted text (`"GET /a HTTP/1.1"` of an access log) is message:
            // the numbers after it (status, size) are not header anchors
            if share(c, &|_| true) < need || counts.get(c).is_some_and(|col| col[QUOTED] >= need) {
                break;
            }
            if share(c, &|k| k.is_anchor()) >= need {
                // past a level, a word ends the anchors: in `ERROR payment 7
                // declined` the number is the message's (a pid right after
                // the level, as Spring Boot writes, is still header)
                if level_seen && run > 0 {
                    break;
                }
                cols = c + 1;
                run = 0;
                level_seen |= share(c, &|k| matches!(k, Kind::Level | Kind::LevelBracket)) >= need;
            } else {
                run += 1;
                if run >= 4 {
                    break;
                }
            }
        }
        if cols > 0 {
            // after the anchors: `[thread]`, `-`, then a `Component:` (which
            // ends the header: a colon closes it) or a dotted logger name
            // (which may be followed by one `[context]` and a `-`).
            let mut dotted = false;
            loop {
                let c = cols;
                let bracket =
                    share(c, &|k| matches!(k, Kind::Bracket | Kind::TimeBracket | Kind::LevelBracket))
                        >= need;
                let dash = share(c, &|k| k == Kind::Dash) >= need;
                if dash || (bracket && !dotted) {
                    cols += 1;
                } else if bracket && dotted {
                    cols += 1;
                    if share(cols, &|k| k == Kind::Dash) >= need {
                        cols += 1;
                    }
                    break;
                } else if dotted {
                    break;
                } else if share(c, &|k| k == Kind::Comp) >= need {
                    cols += 1;
                    if share(cols, &|k| k == Kind::Dash) >= need {
                        cols += 1;
                    }
                    break;
                } else if share(c, &|k| k == Kind::Dotted) >= need {
                    cols += 1;
                    dotted = true;
                } else if share(c, &|k| matches!(k, Kind::Word | Kind::Dotted)) >= need
                    && share(c + 1, &|k| k == Kind::Comp) >= need
                {
                    cols += 2;
                    break;
                } else {
                    break;
                }
            }
        }
        // a column checks the kind that 90% of rows show there, if strong
        // (two kinds cannot both reach 90%)
        let expect = (0..cols)
            .map(|c| {
                Kind::ALL
                    .into_iter()
                    .find(|&k| counts.get(c).is_some_and(|col| col[k as usize] >= need))
                    .filter(|k| k.is_strong())
            })
            .collect();
        HeaderModel { cols, expect }
    }

    /// Number of header columns learned.
    pub fn columns(&self) -> usize {
        self.cols
    }

    /// Byte offset where the message of `line` starts.
    pub fn message_start(&self, line: &[u8]) -> usize {
        self.fit_start(line).unwrap_or_else(|| generic_message_start(line))
    }

    /// Where the message of `line` starts when `line` fits this layout
    /// (`None`: it does not).
    pub fn fit_start(&self, line: &[u8]) -> Option<usize> {
        self.fit_fields(&mut LineFields::new(line), false)
    }

    /// [`HeaderModel::fit_start`] with every column checked strictly, as
    /// when a line is checked against several layouts.
    pub fn fit_start_strict(&self, line: &[u8]) -> Option<usize> {
        self.fit_fields(&mut LineFields::new(line), true)
    }

    /// Does the layout check at least one column's kind? (One that checks
    /// none would fit any line with enough fields.)
    fn is_specific(&self) -> bool {
        self.cols > 0 && self.expect.iter().any(|k| k.is_some())
    }
}

/// The header layouts of one input, for inputs whose format changes: the
/// first is learned from the first lines; more are learned from lines that
/// fit none of them (see [`Layouts::learn_more`]). A line takes the first
/// layout, in learning order, that it fits, so the result for a line depends
/// only on the set of layouts, not on which thread looks at it.
#[derive(Clone, Debug, Default)]
pub struct Layouts {
    models: Vec<HeaderModel>,
}

/// At most this many layouts per input.
pub const MAX_LAYOUTS: usize = 32;

impl Layouts {
    /// One layout learned from `sample`.
    pub fn learn<'a>(sample: impl IntoIterator<Item = &'a [u8]>) -> Layouts {
        Layouts { models: vec![HeaderModel::learn(sample)] }
    }

    /// Number of layouts.
    pub fn len(&self) -> usize {
        self.models.len()
    }

    /// Whether there is no layout (every line takes the per-line rule).
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }

    /// The first `n` layouts (as they stood when there were `n`).
    pub fn prefix(&self, n: usize) -> &[HeaderModel] {
        &self.models[..n.min(self.models.len())]
    }

    /// All layouts.
    pub fn models(&self) -> &[HeaderModel] {
        &self.models
    }

    /// Learns one more layout from `unfit` (lines that fit none so far) and
    /// keeps it when it checks some column and fits at least 90% of them.
    pub fn learn_more(&mut self, unfit: &[&[u8]]) -> bool {
        use rayon::prelude::*;
        if self.models.len() >= MAX_LAYOUTS || unfit.is_empty() {
            return false;
        }
        let m = HeaderModel::learn(unfit.iter().copied());
        if !m.is_specific() {
            return false;
        }
        let fit = unfit
            .par_iter()
            .with_min_len(256)
            .filter(|l| m.fit_fields(&mut LineFields::new(l), true).is_some())
            .count();
        if fit * 10 < unfit.len() * 9 {
            return false;
        }
        self.models.push(m);
        true
    }
}

/// Leading fields in a line's [`shape`].
pub const SHAPE_COLS: usize = 4;

/// The kinds of the first [`SHAPE_COLS`] fields of a line, as bytes (0: no
/// such field): lines of one format share it.
pub fn shape(line: &[u8]) -> [u8; SHAPE_COLS] {
    let mut sig = [0u8; SHAPE_COLS];
    let mut c = 0;
    fields(line, SHAPE_COLS, |s, e| {
        sig[c] = kind_of(&line[s..e]) as u8 + 1;
        c += 1;
        true
    });
    sig
}

/// Where the message starts by the first of `models` that `line` fits.
#[inline]
pub fn fit_any(models: &[HeaderModel], line: &[u8]) -> Option<usize> {
    // the leading fields are split once and each field's shape computed at
    // most once, however many layouts are tried; a lone layout is checked
    // leniently (any time-like field fits a time-like column), several are
    // checked strictly so that one does not take another's lines
    let mut lf = LineFields::new(line);
    let strict = models.len() > 1;
    models.iter().find_map(|m| m.fit_fields(&mut lf, strict))
}

/// Layouts prepared for fitting lines in order: each line takes the first
/// layout (in learning order) that it fits, as [`fit_any`] says, but the
/// layout of the previous line is tried first. When it fits, only the
/// earlier layouts that could fit the same line too (its *rivals*) are
/// tried before taking it: an earlier layout that expects, in a column both
/// check, a kind that cannot hold together with this one's (a number where
/// this one has a month, a level or a bracket...) cannot fit. Lines of one
/// format come in runs, so a line costs about one fit instead of one per
/// layout learned before its own; the answer is the same as [`fit_any`]'s.
pub struct Fitter<'a> {
    models: &'a [HeaderModel],
    /// per layout, the earlier layouts not excluded by it, in order
    rivals: Vec<Vec<usize>>,
}

impl<'a> Fitter<'a> {
    /// Prepares `models` (in learning order).
    pub fn new(models: &'a [HeaderModel]) -> Fitter<'a> {
        let rivals = (0..models.len())
            .map(|j| (0..j).filter(|&i| !models[i].excludes(&models[j])).collect())
            .collect();
        Fitter { models, rivals }
    }

    /// Where the message of `line` starts by the first layout it fits;
    /// `last` is the layout of the previous line (updated).
    #[inline]
    pub fn fit(&self, line: &[u8], last: &mut Option<usize>) -> Option<usize> {
        let mut lf = LineFields::new(line);
        let strict = self.models.len() > 1;
        if let Some(j) = *last {
            if let Some(s) = self.models[j].fit_fields(&mut lf, strict) {
                for &i in &self.rivals[j] {
                    if let Some(s) = self.models[i].fit_fields(&mut lf, strict) {
                        *last = Some(i);
                        return Some(s);
                    }
                }
                return Some(s);
            }
        }
        for (i, m) in self.models.iter().enumerate() {
            if let Some(s) = m.fit_fields(&mut lf, strict) {
                *last = Some(i);
                return Some(s);
            }
        }
        None
    }
}

/// Classes of field that the strict check of each strong [`Kind`] accepts,
/// such that no field is accepted by two classes: numbers start with a
/// digit or punctuation, months and levels are all letters, brackets start
/// with `[` (and `kind_of` tells time and level brackets apart), components
/// end with `:` after a non-`[` start. A number may end with `:` too, so
/// numbers and components are not told apart.
fn strict_class(k: Kind) -> Option<u8> {
    match k {
        Kind::Num | Kind::Comp => Some(1),
        Kind::Month | Kind::Level => Some(2),
        Kind::TimeBracket => Some(3),
        Kind::LevelBracket => Some(4),
        _ => None,
    }
}

impl HeaderModel {
    /// Can no line fit both `self` and `other` when checked strictly? True
    /// when some column checked by both expects kinds of different
    /// [`strict_class`]es.
    fn excludes(&self, other: &HeaderModel) -> bool {
        (0..self.cols.min(other.cols)).any(|c| {
            match (self.expect[c].and_then(strict_class), other.expect[c].and_then(strict_class)) {
                (Some(a), Some(b)) => a != b,
                _ => false,
            }
        })
    }
}

// predicate bits of a field (the bit << 4 marks it computed)
const F_NUM: u8 = 1;
const F_MONTH: u8 = 2;
const F_LEVEL: u8 = 4;
const F_COMP: u8 = 8;

/// The leading fields of one line, split on demand, with their shapes
/// computed on demand.
struct LineFields<'a> {
    line: &'a [u8],
    /// end of the part split so far
    pos: usize,
    n: usize,
    bounds: [(u32, u32); MAX_COLS + 1],
    flags: [u8; MAX_COLS + 1],
}

impl<'a> LineFields<'a> {
    fn new(line: &'a [u8]) -> Self {
        LineFields { line, pos: 0, n: 0, bounds: [(0, 0); MAX_COLS + 1], flags: [0; MAX_COLS + 1] }
    }
    /// Bounds of field `i`, if the line has it. Always inlined: left to
    /// the compiler it was inlined into `fit_fields` or not depending on
    /// unrelated changes to the masker, and not inlining it cost 7% more
    /// instructions on the mine bench (cachegrind).
    #[inline(always)]
    fn get(&mut self, i: usize) -> Option<(usize, usize)> {
        while self.n <= i {
            if self.n > MAX_COLS {
                return None;
            }
            let (s, e) = next_field(self.line, self.pos)?;
            self.bounds[self.n] = (s as u32, e as u32);
            self.pos = e;
            self.n += 1;
        }
        let (s, e) = self.bounds[i];
        Some((s as usize, e as usize))
    }
    #[inline]
    fn field(&self, i: usize) -> &'a [u8] {
        let (s, e) = self.bounds[i];
        &self.line[s as usize..e as usize]
    }
    /// Is predicate `bit` (one of `F_*`) true of field `i` (already
    /// split)? Each predicate is computed at most once per field.
    #[inline]
    fn has(&mut self, i: usize, bit: u8) -> bool {
        let done = bit << 4;
        if self.flags[i] & done == 0 {
            let f = self.field(i);
            let alpha = f.first().is_some_and(|c| c.is_ascii_alphabetic());
            let v = match bit {
                F_NUM => !alpha && is_num(f),
                F_MONTH => alpha && is_month(f),
                F_LEVEL => alpha && (is_level(f) || is_single_level(f)),
                _ => is_comp(f),
            };
            self.flags[i] |= done | if v { bit } else { 0 };
        }
        self.flags[i] & bit != 0
    }
}

/// Separator bytes of [`fields`], as a table.
impl HeaderModel {
    /// [`HeaderModel::fit_start`] on a line split by [`LineFields`].
    fn fit_fields(&self, lf: &mut LineFields, strict: bool) -> Option<usize> {
        for c in 0..self.cols {
            lf.get(c)?;
            if let Some(k) = self.expect[c] {
                let ok = match k {
                    Kind::Num if strict => lf.has(c, F_NUM),
                    Kind::Month if strict => lf.has(c, F_MONTH),
                    Kind::TimeBracket | Kind::LevelBracket if strict => kind_of(lf.field(c)) == k,
                    Kind::Num | Kind::Month if lf.has(c, F_NUM) || lf.has(c, F_MONTH) => true,
                    Kind::Level => lf.has(c, F_LEVEL),
                    Kind::Comp => lf.has(c, F_COMP),
                    _ => {
                        let got = kind_of(lf.field(c));
                        got == k
                            || (got.is_anchor() && k.is_anchor() && got != Kind::Level && k != Kind::Level)
                    }
                };
                if !ok {
                    return None;
                }
            }
        }
        // the message starts where the next field would: past the
        // separators after the last header field (not splitting that field)
        Some(match self.cols {
            0 => skip_separators(lf.line, 0),
            c if c <= MAX_COLS => skip_separators(lf.line, lf.get(c - 1)?.1),
            c => lf.get(c).map_or(lf.line.len(), |(s, _)| s),
        })
    }
}

/// Per-line fallback: skip a leading run of time/level fields, then an
/// optional `[thread]`, `-` and `Component:`.
pub fn generic_message_start(line: &[u8]) -> usize {
    #[derive(PartialEq)]
    enum St {
        Anchors,
        Thread,
        Dash,
        Done,
    }
    let mut st = St::Anchors;
    let mut strong = false;
    let mut msg = None;
    fields(line, 16, |s, e| {
        let f = &line[s..e];
        let k = kind_of(f);
        if st == St::Anchors {
            if k.is_anchor() {
                if k == Kind::Level
                    || k == Kind::TimeBracket
                    || k == Kind::LevelBracket
                    || (k == Kind::Num && is_timeish(f))
                {
                    strong = true;
                }
                return true;
            }
            if !strong {
                msg = Some(0);
                return false;
            }
            st = St::Thread;
        }
        if st == St::Thread {
            if matches!(k, Kind::Bracket | Kind::Dash) {
                return true;
            }
            st = St::Dash;
            if k == Kind::Comp {
                return true;
            }
        }
        if st == St::Dash {
            st = St::Done;
            if k == Kind::Dash {
                return true;
            }
        }
        msg = Some(s);
        false
    });
    match msg {
        Some(m) => m,
        None if strong => line.len(),
        None => 0,
    }
}

#[cfg(test)]
mod tests;
