//! `faultline mine`: zero-configuration log template mining.
//!
//! This module owns turning raw log lines into templates: finding where the
//! message starts ([`header`]), masking variables by token shape
//! ([`mask`], whose hot loops and `fields.rs`' read eight bytes at a time
//! with `swar.rs`; `bitmap.rs` finds line ends 64 bytes at a time), and
//! merging masked messages into templates on the
//! whole input ([`cluster`]); plus the `mine` command's output ([`run`]).
//!
//! Pipeline, for one set of lines (a file):
//! 1. the header layout is learned from the first [`SAMPLE_LINES`] lines;
//! 2. in parallel (rayon, fixed-size chunks), every line's message is masked
//!    into a key; keys are counted (count, first line), which is
//!    associative, so the result does not depend on threads or chunking;
//! 3. the distinct keys are merged into templates (deterministic);
//! 4. every line is relabelled with the final template of its key, so the
//!    per-line output reflects the templates as they stand at the end.
//!
//! Template ids are the first 16 hex digits of the SHA-256 of the template
//! text: stable across runs and machines. Memory grows with the number of
//! distinct masked messages, not with the input: [`run`] streams files in
//! blocks and, for `--per-line`, reads them a second time.
//!
//! Results and exact commands: see `README.md` beside this file.

mod bitmap;
pub mod cluster;
mod fields;
pub mod header;
pub mod mask;
mod swar;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub use header::HeaderModel;

mod command;
mod structured;

pub use command::{run, Table};

/// Lines used to learn the header layout of a file.
pub const SAMPLE_LINES: usize = 2000;
const CHUNK: usize = 2048;
/// Bytes per block read by [`run`]; header layouts may be learned per block.
/// Half a block per core stays in a 4 MiB L2 cache between reading and
/// mining: 8 MiB blocks took 5% more CPU on the mine bench.
pub const BLOCK_BYTES: usize = 4 << 20;
/// Fewest lines fitting no known header layout that make a new one learned.
pub const RELEARN_MIN: usize = 200;
/// [`RELEARN_MIN`] for [`mine_messages`], whose inputs are smaller.
pub const MESSAGES_RELEARN_MIN: usize = 20;

/// One mined template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinedTemplate {
    /// First 16 hex digits of the SHA-256 of `template`.
    pub id: String,
    /// Message template (header excluded), `<*>` for variables.
    pub template: String,
    /// Number of lines with this template.
    pub count: usize,
    /// 0-based index (in the input) of the first line with this template.
    pub first_line: usize,
}

/// Result of [`mine_lines`].
#[derive(Clone, Debug, Default)]
pub struct Mined {
    /// For each input line, the index of its template in `templates`.
    pub per_line: Vec<usize>,
    /// Templates, most frequent first (ties: first seen first).
    pub templates: Vec<MinedTemplate>,
}

/// Stable template id: first 16 hex digits of sha256(template).
pub fn template_id(template: &str) -> String {
    let d = Sha256::digest(template.as_bytes());
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Fast, seedless 64-bit hash of a key (stable; no randomness). Two
/// independent lanes of eight bytes, so that the multiplications of a
/// long message do not wait for each other, and the tail read as one
/// (overlapping) word instead of byte by byte.
fn hash64(s: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let n = s.len();
    let word = |i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
    let mut a: u64 = n as u64 ^ 0x243F_6A88_85A3_08D3;
    let mut b: u64 = 0x1319_8A2E_0370_7344;
    let mut i = 0;
    while i + 16 <= n {
        a = (a ^ word(i)).wrapping_mul(K).rotate_left(29);
        b = (b ^ word(i + 8)).wrapping_mul(K2).rotate_left(31);
        i += 16;
    }
    if i + 8 <= n {
        a = (a ^ word(i)).wrapping_mul(K).rotate_left(29);
        i += 8;
    }
    let last = if i == n {
        0
    } else if n >= 8 {
        word(n - 8)
    } else {
        s.iter().enumerate().fold(0u64, |w, (k, &c)| w | (c as u64) << (8 * k))
    };
    let mut h = (a ^ b.rotate_left(32) ^ last).wrapping_mul(K);
    h ^= h >> 32;
    h = h.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    h ^ (h >> 29)
}

fn trim_eol(l: &[u8]) -> &[u8] {
    let mut e = l.len();
    while e > 0 && matches!(l[e - 1], b'\n' | b'\r') {
        e -= 1;
    }
    &l[..e]
}

/// Leading fields whose kinds group unfit lines before learning a layout.
const SHAPE_COLS: usize = header::SHAPE_COLS;

/// Marks a line that fits no learned header layout.
const UNFIT: usize = usize::MAX;

/// Where each line's message starts by `models` ([`UNFIT`] when it fits
/// none). Lines are given raw (end of line included).
fn fit_starts(models: &[HeaderModel], lines: &[&[u8]]) -> Vec<usize> {
    let fitter = &header::Fitter::new(models);
    lines
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let mut last = None;
            chunk.iter().map(move |l| fitter.fit(trim_eol(l), &mut last).unwrap_or(UNFIT))
        })
        .collect()
}

/// Message starts of a block of lines, learning more header layouts when
/// many lines (at least `min` and a tenth of the block) fit none of the
/// known ones; each new layout is learned from at least `min` lines of the
/// same leading-field shape. Deterministic: depends on the block and the layouts
/// known before it, not on threads.
fn block_starts(layouts: &mut header::Layouts, lines: &[&[u8]], min: usize) -> Vec<usize> {
    let mut starts = fit_starts(layouts.models(), lines);
    let need = min.max(lines.len() / 10);
    // the shape of a line, computed once however many rounds it stays unfit
    let mut shapes: Vec<Option<[u8; SHAPE_COLS]>> = Vec::new();
    loop {
        let unfit: Vec<usize> = (0..lines.len()).filter(|&i| starts[i] == UNFIT).collect();
        if unfit.len() < need {
            break;
        }
        // learn from lines of one shape: group (the first lines of) the
        // unfit ones by the kinds of their leading fields, largest first
        if shapes.is_empty() {
            shapes = vec![None; lines.len()];
        }
        let sample = &unfit[..unfit.len().min(4 * SAMPLE_LINES)];
        let todo: Vec<usize> = sample.iter().copied().filter(|&i| shapes[i].is_none()).collect();
        let computed: Vec<[u8; SHAPE_COLS]> =
            todo.par_iter().with_min_len(256).map(|&i| header::shape(trim_eol(lines[i]))).collect();
        for (&i, sig) in todo.iter().zip(computed) {
            shapes[i] = Some(sig);
        }
        let mut groups: HashMap<[u8; SHAPE_COLS], Vec<usize>> = HashMap::new();
        let mut order = Vec::new();
        for &i in sample {
            let sig = shapes[i].expect("computed above");
            let g = groups.entry(sig).or_default();
            if g.is_empty() {
                order.push(sig);
            }
            g.push(i);
        }
        order.sort_by_key(|sig| std::cmp::Reverse(groups[sig].len())); // stable: ties by first line
        let mut learned = false;
        for sig in &order {
            let g = &groups[sig];
            if g.len() < min {
                break;
            }
            let sample: Vec<&[u8]> = g.iter().take(SAMPLE_LINES).map(|&i| trim_eol(lines[i])).collect();
            if layouts.learn_more(&sample) {
                learned = true;
                break;
            }
        }
        if !learned {
            break;
        }
        if layouts.len() == 2 {
            // with several layouts every check is strict: redo the block
            starts = fit_starts(layouts.models(), lines);
        } else {
            // checks were strict already, and the new layout comes last: a
            // line that fits an earlier one keeps it, so only the lines
            // that fit none can change
            let newest = &layouts.models()[layouts.len() - 1];
            let refit: Vec<(usize, usize)> = unfit
                .par_iter()
                .with_min_len(256)
                .filter_map(|&i| newest.fit_start_strict(trim_eol(lines[i])).map(|s| (i, s)))
                .collect();
            for (i, s) in refit {
                starts[i] = s;
            }
        }
    }
    starts
}

/// Masks line messages into keys, remembering, within one chunk of lines,
/// the key hash of each message already masked: logs repeat messages word
/// for word (on the Loghub samples 42% of lines repeat an earlier message
/// of their file), and hashing a message is much cheaper than masking it.
/// The memory is dropped with the chunk, so the result cannot depend on how
/// lines are chunked: a repeated message gets the same key either way.
struct KeyMasker {
    buf: Vec<u8>,
    /// hash of a message's bytes -> hash of its key
    seen: HashU64<u64>,
}

impl KeyMasker {
    fn new() -> KeyMasker {
        KeyMasker {
            buf: Vec::with_capacity(256),
            seen: HashU64::with_capacity_and_hasher(CHUNK, Default::default()),
        }
    }

    /// Forgets the messages seen so far (at the start of each chunk).
    fn forget(&mut self) {
        self.seen.clear();
    }

    /// The key hash of the line `raw` whose message starts at `start`
    /// ([`UNFIT`]: by the per-line rule), and the key itself when the
    /// message was not seen before in this chunk (else `None`).
    #[inline]
    fn key(&mut self, raw: &[u8], start: usize) -> (u64, Option<&[u8]>) {
        let line = trim_eol(raw);
        let start = if start == UNFIT { header::generic_message_start(line) } else { start };
        let msg = &line[start..];
        let mh = hash64(msg);
        if let Some(&h) = self.seen.get(&mh) {
            return (h, None);
        }
        self.buf.clear();
        mask::mask_message(msg, &mut self.buf);
        let h = hash64(&self.buf);
        self.seen.insert(mh, h);
        (h, Some(&self.buf))
    }
}

/// Hasher for keys that already are 64-bit hashes.
#[derive(Default, Clone, Copy)]
struct PassThrough(u64);
impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}
type HashU64<V> = HashMap<u64, V, std::hash::BuildHasherDefault<PassThrough>>;

/// Distinct keys with counts and first line, keyed by hash.
#[derive(Default)]
struct KeyTable {
    map: HashU64<(Vec<u8>, usize, usize)>,
}

impl KeyTable {
    /// Counts one line with key hash `h`; `key` may be `None` only when the
    /// key is in the table already.
    #[inline]
    fn add(&mut self, h: u64, key: Option<&[u8]>, line: usize) {
        match self.map.get_mut(&h) {
            Some(e) => {
                e.1 += 1;
                e.2 = e.2.min(line);
            }
            None => {
                let key = key.expect("a key seen in this chunk is in its table");
                self.map.insert(h, (key.to_vec(), 1, line));
            }
        }
    }
    fn absorb(&mut self, mut other: KeyTable) {
        if other.map.len() > self.map.len() {
            std::mem::swap(self, &mut other);
        }
        for (h, (k, c, f)) in other.map {
            match self.map.get_mut(&h) {
                Some(e) => {
                    e.1 += c;
                    e.2 = e.2.min(f);
                }
                None => {
                    self.map.insert(h, (k, c, f));
                }
            }
        }
    }
}

/// Masks `lines` (global index of `lines[0]` is `base`; message starts from
/// [`block_starts`]) in parallel; returns the per-line key hashes (when
/// wanted) and the key table.
fn scan_block(lines: &[&[u8]], starts: &[usize], base: usize, want_hashes: bool) -> (Vec<u64>, KeyTable) {
    // What one piece of rayon's split accumulates over the chunks it takes:
    // one key table (so a key is stored and merged once per piece, not
    // once per chunk), the masker whose memory of repeated messages is
    // reset at each chunk, and the key hashes of each chunk when wanted.
    #[derive(Default)]
    struct Piece {
        masker: Option<KeyMasker>,
        table: KeyTable,
        hashes: Vec<(usize, Vec<u64>)>,
    }
    let piece = lines.par_chunks(CHUNK).enumerate().fold(Piece::default, |mut p, (ci, chunk)| {
        let masker = p.masker.get_or_insert_with(KeyMasker::new);
        masker.forget();
        let mut hs = Vec::with_capacity(if want_hashes { chunk.len() } else { 0 });
        let off = ci * CHUNK;
        for (j, raw) in chunk.iter().enumerate() {
            let (h, key) = masker.key(raw, starts[off + j]);
            p.table.add(h, key, base + off + j);
            if want_hashes {
                hs.push(h);
            }
        }
        if want_hashes {
            p.hashes.push((ci, hs));
        }
        p
    });
    let mut all = piece.reduce(Piece::default, |mut a, b| {
        a.table.absorb(b.table);
        a.hashes.extend(b.hashes);
        a
    });
    all.hashes.sort_unstable_by_key(|(ci, _)| *ci);
    let hashes =
        if want_hashes { all.hashes.into_iter().flat_map(|(_, hs)| hs).collect() } else { Vec::new() };
    (hashes, all.table)
}

/// Turns the key table into templates; returns templates and key hash ->
/// template index.
fn finish(table: KeyTable) -> (Vec<MinedTemplate>, HashU64<usize>) {
    let mut keys: Vec<(u64, String, usize, usize)> = table
        .map
        .into_iter()
        .map(|(h, (k, c, f))| (h, String::from_utf8_lossy(&k).into_owned(), c, f))
        .collect();
    keys.sort_unstable_by(|a, b| a.3.cmp(&b.3).then_with(|| a.1.cmp(&b.1)));
    let groups: Vec<cluster::Group> = keys
        .iter()
        .map(|(_, k, c, _)| cluster::Group {
            toks: if k.is_empty() { Vec::new() } else { k.split(' ').map(String::from).collect() },
            count: *c,
        })
        .collect();
    let finals = cluster::merge(&groups);
    let mut by_text: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, t) in finals.iter().enumerate() {
        let e = by_text.entry(t.as_str()).or_insert((0, usize::MAX));
        e.0 += keys[i].2;
        e.1 = e.1.min(keys[i].3);
    }
    let mut templates: Vec<MinedTemplate> = by_text
        .iter()
        .map(|(t, (c, f))| MinedTemplate {
            id: template_id(t),
            template: t.to_string(),
            count: *c,
            first_line: *f,
        })
        .collect();
    templates.sort_unstable_by(|a, b| {
        b.count.cmp(&a.count).then(a.first_line.cmp(&b.first_line)).then_with(|| a.template.cmp(&b.template))
    });
    let index: HashMap<&str, usize> =
        templates.iter().enumerate().map(|(i, t)| (t.template.as_str(), i)).collect();
    let mut of_key = HashU64::default();
    for (i, t) in finals.iter().enumerate() {
        of_key.insert(keys[i].0, index[t.as_str()]);
    }
    (templates, of_key)
}

fn mine_with(mut layouts: header::Layouts, lines: &[&[u8]]) -> Mined {
    let starts = block_starts(&mut layouts, lines, RELEARN_MIN);
    let (hashes, table) = scan_block(lines, &starts, 0, true);
    let (templates, of_key) = finish(table);
    let per_line = hashes.iter().map(|h| of_key[h]).collect();
    Mined { per_line, templates }
}

/// Mines one file's lines, given in order (the header layout is learned
/// from the first [`SAMPLE_LINES`]; more layouts are learned when many lines
/// fit none, the whole slice being one block). `first_line` in the result is
/// a 0-based index into `lines`.
pub fn mine_lines(lines: &[&[u8]]) -> Mined {
    let layouts = header::Layouts::learn(lines.iter().take(SAMPLE_LINES).map(|l| trim_eol(l)));
    mine_with(layouts, lines)
}

/// Mines an arbitrary set of lines coming from different files or sources
/// (for instance the unrecognised error and warning lines of one system),
/// without assuming one header layout for all of them:
///
/// * a JSON object line (`{...}`) contributes its `"msg"` / `"message"` /
///   `"MESSAGE"` / `"log"` string field (`message` / `error` nested one
///   level deep are looked up too); a logfmt line contributes its
///   `msg=` / `message=` value (quoted or bare);
/// * other lines (logback, syslog, nginx, ...) have their header stripped
///   by header layouts learned from these lines themselves: while at least
///   [`MESSAGES_RELEARN_MIN`] lines (and a tenth of the input) fit no
///   layout, one more is learned from the largest group of them sharing the
///   shape of their leading fields (up to [`header::MAX_LAYOUTS`]), so each
///   format present in bulk gets its own layout; lines that fit none take a
///   per-line rule (skip leading time/level fields, `[thread]`,
///   `Component:`).
///
/// Call it once per group of lines to be mined together, e.g.
/// `let m = mine_messages(&lines.iter().map(|l| l.as_bytes()).collect::<Vec<_>>());`
/// then `m.templates[m.per_line[i]]` is the template of `lines[i]`. Lines
/// may keep their end of line; order matters only for `first_line` and for
/// which lines the layouts are learned from. The result does not depend on
/// the number of threads. Template ids are the same as [`mine_lines`] for
/// the same template text.
pub fn mine_messages(lines: &[&[u8]]) -> Mined {
    // the message field of JSON / logfmt lines; None for other lines
    let fields: Vec<Option<Vec<u8>>> =
        lines.par_iter().with_min_len(256).map(|l| structured::message_of(trim_eol(l))).collect();
    // header layouts are learned from, and applied to, the other lines only
    let plain_idx: Vec<usize> = (0..lines.len()).filter(|&i| fields[i].is_none()).collect();
    let plain: Vec<&[u8]> = plain_idx.iter().map(|&i| trim_eol(lines[i])).collect();
    // no layout is assumed: each is learned from lines of one shape
    let mut layouts = header::Layouts::default();
    let plain_starts = block_starts(&mut layouts, &plain, MESSAGES_RELEARN_MIN);
    let mut starts = vec![0usize; lines.len()];
    for (k, &i) in plain_idx.iter().enumerate() {
        starts[i] = plain_starts[k];
    }
    let msgs: Vec<&[u8]> = lines.iter().zip(&fields).map(|(l, f)| f.as_deref().unwrap_or(l)).collect();
    let (hashes, table) = scan_block(&msgs, &starts, 0, true);
    let (templates, of_key) = finish(table);
    let per_line = hashes.iter().map(|h| of_key[h]).collect();
    Mined { per_line, templates }
}

#[cfg(test)]
mod tests;
