//! Catalog → [`Matcher`]: the hot loop that finds signature hits in raw bytes.
//!
//! One case-insensitive Aho-Corasick automaton holds every literal of every
//! signature and runs over a whole buffer (never line by line). A hit is
//! widened to its line with memchr; only that line is then examined: all the
//! literals it holds (an overlapping search on the line alone), and the
//! confirming regex of each candidate signature. The winner is the candidate
//! with the highest (priority, longest literal, earliest in the catalog).
//! This is ripgrep's `find_by_line_fast` shape: no per-line work on lines
//! without a literal, and no regex over more than one line at a time.
//!
//! On a structured line (JSON object or `key=value`), the values of
//! context fields (path, URL, logger, user agent...) are blanked before the
//! line is examined ([`fields`]): a signature matches what happened, not a
//! request path that happens to hold `timeout`.

pub mod check;
mod fields;

use crate::catalog::Catalog;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::Regex;

/// Index of a signature in the catalog.
pub type SigIndex = u32;

/// The `sig` of a [`Hit`] on a line that no signature matched but that
/// holds a level word (`ERROR`, `WARN` ...): a candidate for the template
/// miner. The engine checks that the word is really the line's level.
pub const UNNAMED: SigIndex = SigIndex::MAX;

/// Index of a change rule in the catalog.
pub type ChangeIndex = u32;

/// What a hit line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A signature's failure.
    Signature(SigIndex),
    /// A change record (`catalog::ChangeRule`): no signature matched and
    /// the line holds no level word.
    Change(ChangeIndex),
}

/// A compiled catalog. Immutable, `Send + Sync`, shared by every worker.
#[derive(Debug)]
pub struct Matcher {
    automaton: AhoCorasick,
    /// For each literal (automaton pattern), the signatures that own it.
    owners: Vec<Vec<SigIndex>>,
    /// Length of each literal.
    literal_len: Vec<usize>,
    /// Confirming regex of each signature.
    regexes: Vec<Option<Regex>>,
    /// Priority of each signature.
    priority: Vec<i32>,
    /// The distinct literals, lower-cased, in automaton order.
    literals: Vec<String>,
    /// Literals below this index come from the catalog; the rest are level
    /// words.
    catalog_literals: usize,
    /// Rule indices at or above this one are change rules
    /// (`index - signatures`); below, signatures.
    signatures: u32,
}

/// One line attributed to a signature, as byte offsets into the buffer
/// that was searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The winning signature, [`UNNAMED`], or a change rule
    /// ([`Matcher::change_of`]).
    pub sig: SigIndex,
    /// Start of the line.
    pub line_start: usize,
    /// End of the line, excluding the `\n` (and a `\r` before it).
    pub line_end: usize,
}

/// Per-thread buffers reused across lines.
#[derive(Default, Debug)]
pub struct Scratch {
    candidates: Vec<(SigIndex, usize)>,
    saw_level: bool,
    /// the line with its context values blanked
    blanked: Vec<u8>,
}

impl Matcher {
    /// Compiles a catalog. Regexes were validated when the catalog loaded,
    /// so a failure here is a bug; it is still reported, never panicked.
    pub fn new(catalog: &Catalog) -> Result<Matcher, String> {
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<SigIndex>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        // One rule space: the signatures, then the change rules.
        let rules = catalog
            .signatures
            .iter()
            .map(|s| (&s.literals, &s.regex))
            .chain(catalog.changes.iter().map(|c| (&c.literals, &c.regex)));
        for (si, (rule_literals, _)) in rules.clone().enumerate() {
            for lit in rule_literals {
                let key = lit.to_ascii_lowercase();
                let li = *index.entry(key.clone()).or_insert_with(|| {
                    literals.push(key);
                    owners.push(Vec::new());
                    literals.len() - 1
                });
                if !owners[li].contains(&(si as SigIndex)) {
                    owners[li].push(si as SigIndex);
                }
            }
        }
        let catalog_literals = literals.len();
        // level words (`crate::level`), so that error and warning lines no
        // signature names can be mined
        for word in crate::level::searched_literals() {
            if !index.contains_key(&word) {
                literals.push(word);
                owners.push(Vec::new());
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&literals)
            .map_err(|e| format!("building the literal automaton: {e}"))?;
        let regexes = rules
            .enumerate()
            .map(|(i, (_, re))| {
                let name = catalog.signatures.get(i).map_or_else(
                    || catalog.changes[i - catalog.signatures.len()].origin.clone(),
                    |s| s.id.clone(),
                );
                re.as_deref().map(|r| Regex::new(r).map_err(|e| format!("{name}: {e}"))).transpose()
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Any signature wins over a change rule; among change rules, the
        // first in the catalog.
        let n_changes = catalog.changes.len() as i32;
        let priority = (catalog.signatures.iter().map(|s| s.priority))
            .chain((0..n_changes).map(|i| i32::MIN + n_changes - i))
            .collect();
        Ok(Matcher {
            automaton,
            literal_len: literals.iter().map(|l| l.len()).collect(),
            owners,
            regexes,
            priority,
            literals,
            catalog_literals,
            signatures: catalog.signatures.len() as u32,
        })
    }

    /// The change rule a hit's `sig` names, if it names one.
    pub fn change_of(&self, sig: SigIndex) -> Option<ChangeIndex> {
        (sig != UNNAMED && sig >= self.signatures).then(|| sig - self.signatures)
    }

    /// The distinct literals of the catalog (lower-case; matched
    /// case-insensitively).
    pub fn literals(&self) -> &[String] {
        &self.literals[..self.catalog_literals]
    }

    /// Finds every hit line in `buf[from..to]`, in order, and calls `sink`
    /// with each. Lines are cut at `\n`; a line that straddles `to` is
    /// examined whole when its literal starts before `to` (the caller makes
    /// `to` a line end).
    pub fn for_each_hit(
        &self,
        buf: &[u8],
        from: usize,
        to: usize,
        scratch: &mut Scratch,
        mut sink: impl FnMut(Hit),
    ) {
        let mut pos = from;
        while pos < to {
            let input = aho_corasick::Input::new(&buf[..to]).span(pos..to);
            let Some(m) = self.automaton.find(input) else {
                break;
            };
            let line_start = memchr::memrchr(b'\n', &buf[..m.start()]).map_or(0, |i| i + 1);
            let line_start = line_start.max(from);
            let nl = memchr::memchr(b'\n', &buf[m.start()..to]).map(|i| m.start() + i);
            let next = nl.map_or(to, |i| i + 1);
            let mut line_end = nl.unwrap_or(to);
            if line_end > line_start && buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let line = &buf[line_start..line_end];
            let sig = self.rule_of(line, scratch).or_else(|| scratch.saw_level.then_some(UNNAMED));
            if let Some(sig) = sig {
                sink(Hit { sig, line_start, line_end });
            }
            pos = next;
        }
    }

    /// What a single line is attributed to, if anything.
    pub fn classify(&self, line: &[u8], scratch: &mut Scratch) -> Option<Found> {
        self.rule_of(line, scratch).map(|r| match self.change_of(r) {
            Some(c) => Found::Change(c),
            None => Found::Signature(r),
        })
    }

    /// The rule (signature or change) a line is attributed to: a change
    /// only when no signature matched and the line holds no level word.
    fn rule_of(&self, line: &[u8], scratch: &mut Scratch) -> Option<SigIndex> {
        if fields::may_have_fields(line) {
            let mut blanked = std::mem::take(&mut scratch.blanked);
            let sig = if fields::blank_context_values(line, &mut blanked) {
                self.classify_as_is(&blanked, scratch)
            } else {
                self.classify_as_is(line, scratch)
            };
            scratch.blanked = blanked;
            return sig;
        }
        self.classify_as_is(line, scratch)
    }

    /// [`Matcher::classify`] on the line exactly as given.
    fn classify_as_is(&self, line: &[u8], scratch: &mut Scratch) -> Option<SigIndex> {
        scratch.candidates.clear();
        scratch.saw_level = false;
        for m in self.automaton.find_overlapping_iter(line) {
            let li = m.pattern().as_usize();
            scratch.saw_level |= li >= self.catalog_literals;
            for &sig in &self.owners[li] {
                match scratch.candidates.iter_mut().find(|(s, _)| *s == sig) {
                    Some(c) => c.1 = c.1.max(self.literal_len[li]),
                    None => scratch.candidates.push((sig, self.literal_len[li])),
                }
            }
        }
        let mut best: Option<(SigIndex, usize)> = None;
        for &(sig, len) in &scratch.candidates {
            if let Some(b) = best {
                let (bp, p) = (self.priority[b.0 as usize], self.priority[sig as usize]);
                let better = p > bp || (p == bp && (len > b.1 || (len == b.1 && sig < b.0)));
                if !better {
                    continue;
                }
            }
            if self.regexes[sig as usize].as_ref().is_none_or(|re| re.is_match(line)) {
                best = Some((sig, len));
            }
        }
        best.map(|b| b.0).filter(|&b| b < self.signatures || !scratch.saw_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(text: &str) -> Catalog {
        let mut c = Catalog::default();
        c.add_file("t.toml", text).unwrap();
        c
    }

    const TWO: &str = r#"
[[signature]]
id = "a.generic"
category = "authentication"
title = "401"
severity = "error"
role = "cause"
literals = ["401 Unauthorized"]

[[signature]]
id = "a.expired"
category = "authentication"
title = "expired"
severity = "error"
role = "cause"
literals = ["token expired"]
regex = '(?i)token expired'
priority = 10
"#;

    #[test]
    fn priority_wins_and_lines_are_found() {
        let m = Matcher::new(&catalog(TWO)).unwrap();
        let buf = b"ok\nGET 401 Unauthorized\r\nToken Expired and 401 unauthorized\nfine";
        let mut hits = Vec::new();
        m.for_each_hit(buf, 0, buf.len(), &mut Scratch::default(), |h| hits.push(h));
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].sig, 0);
        assert_eq!(&buf[hits[0].line_start..hits[0].line_end], b"GET 401 Unauthorized");
        assert_eq!(hits[1].sig, 1);
        assert_eq!(&buf[hits[1].line_start..hits[1].line_end], b"Token Expired and 401 unauthorized");
    }

    #[test]
    fn regex_must_confirm() {
        let text = TWO.replace("'(?i)token expired'", "'never'");
        let m = Matcher::new(&catalog(&text)).unwrap();
        let mut s = Scratch::default();
        assert_eq!(m.classify(b"token expired", &mut s), None);
        assert_eq!(m.classify(b"token expired, 401 Unauthorized", &mut s), Some(Found::Signature(0)));
    }

    #[test]
    fn matcher_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
    }
}
