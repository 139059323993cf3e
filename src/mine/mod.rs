//! `faultline mine`: zero-configuration log template mining.
//!
//! This module owns turning raw log lines into templates: finding where the
//! message starts ([`header`]), masking variables by token shape
//! ([`mask`]), and merging masked messages into templates on the whole
//! input ([`cluster`]); plus the `mine` command's output ([`run`]).
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

pub mod cluster;
pub mod header;
pub mod mask;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;

pub use header::HeaderModel;

mod structured;

/// Lines used to learn the header layout of a file.
pub const SAMPLE_LINES: usize = 2000;
const CHUNK: usize = 2048;
/// Bytes per block read by [`run`]; header layouts may be learned per block.
pub const BLOCK_BYTES: usize = 8 << 20;
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

/// Fast, seedless 64-bit hash of a key (stable; no randomness).
fn hash64(s: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = s.len() as u64 ^ 0x243F_6A88_85A3_08D3;
    let mut ch = s.chunks_exact(8);
    for c in &mut ch {
        let v = u64::from_le_bytes(c.try_into().unwrap());
        h = (h ^ v).wrapping_mul(K).rotate_left(29);
    }
    let mut last = 0u64;
    for (i, &b) in ch.remainder().iter().enumerate() {
        last |= (b as u64) << (8 * i);
    }
    h = (h ^ last).wrapping_mul(K);
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
    lines
        .par_iter()
        .with_min_len(256)
        .map(|l| header::fit_any(models, trim_eol(l)).unwrap_or(UNFIT))
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
    loop {
        let unfit: Vec<usize> = (0..lines.len()).filter(|&i| starts[i] == UNFIT).collect();
        if unfit.len() < need {
            break;
        }
        // learn from lines of one shape: group (the first lines of) the
        // unfit ones by the kinds of their leading fields, largest first
        let mut groups: HashMap<[u8; SHAPE_COLS], Vec<usize>> = HashMap::new();
        let mut order = Vec::new();
        for &i in unfit.iter().take(4 * SAMPLE_LINES) {
            let sig = header::shape(trim_eol(lines[i]));
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
        // with several layouts every check is strict: redo the block
        starts = fit_starts(layouts.models(), lines);
    }
    starts
}

/// Masked key of one line whose message starts at `start` ([`UNFIT`]: use
/// the per-line rule).
#[inline]
fn line_key(raw: &[u8], start: usize, buf: &mut Vec<u8>) {
    buf.clear();
    let line = trim_eol(raw);
    let start = if start == UNFIT { header::generic_message_start(line) } else { start };
    mask::mask_message(&line[start..], buf);
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
    #[inline]
    fn add(&mut self, h: u64, key: &[u8], line: usize) {
        match self.map.get_mut(&h) {
            Some(e) => {
                e.1 += 1;
                e.2 = e.2.min(line);
            }
            None => {
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
    let one = |ci: usize, chunk: &[&[u8]]| {
        let mut buf = Vec::with_capacity(256);
        let mut t = KeyTable::default();
        let mut hs = Vec::with_capacity(if want_hashes { chunk.len() } else { 0 });
        let off = ci * CHUNK;
        for (j, raw) in chunk.iter().enumerate() {
            line_key(raw, starts[off + j], &mut buf);
            let h = hash64(&buf);
            t.add(h, &buf, base + off + j);
            if want_hashes {
                hs.push(h);
            }
        }
        (hs, t)
    };
    if !want_hashes {
        let t = lines.par_chunks(CHUNK).enumerate().map(|(ci, c)| one(ci, c).1).reduce(
            KeyTable::default,
            |mut a, b| {
                a.absorb(b);
                a
            },
        );
        return (Vec::new(), t);
    }
    let parts: Vec<(Vec<u64>, KeyTable)> =
        lines.par_chunks(CHUNK).enumerate().map(|(ci, c)| one(ci, c)).collect();
    let mut hashes = Vec::with_capacity(lines.len());
    let mut table = KeyTable::default();
    for (hs, t) in parts {
        hashes.extend(hs);
        table.absorb(t);
    }
    (hashes, table)
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

/// A block of whole lines read from an input: `data[..len]`.
struct Block {
    data: Vec<u8>,
    len: usize,
}

/// Reads `r` in blocks of whole lines on a reader thread (so reading
/// overlaps mining), calling `f(lines, index of first line)` for each block
/// in order. Blocks are cut after the last newline within the first
/// [`BLOCK_BYTES`] (more when one line is longer).
fn for_blocks(
    r: Box<dyn Read + Send>,
    mut f: impl FnMut(&[&[u8]], usize) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use std::sync::mpsc::{channel, sync_channel};
    std::thread::scope(|sc| {
        let (tx, rx) = sync_channel::<std::io::Result<Block>>(1);
        let (back_tx, back_rx) = channel::<Vec<u8>>();
        sc.spawn(move || {
            let mut r = r;
            let mut carry: Vec<u8> = Vec::new();
            loop {
                let mut buf = back_rx.try_recv().unwrap_or_else(|_| vec![0; BLOCK_BYTES]);
                if buf.len() < carry.len() + BLOCK_BYTES / 2 {
                    buf.resize(carry.len() + BLOCK_BYTES, 0);
                }
                buf[..carry.len()].copy_from_slice(&carry);
                let mut filled = carry.len();
                carry.clear();
                let mut eof = false;
                loop {
                    if filled == buf.len() {
                        match memchr::memrchr(b'\n', &buf[..filled]) {
                            Some(_) => break,
                            None => buf.resize(buf.len() * 2, 0), // one long line
                        }
                    }
                    match r.read(&mut buf[filled..]) {
                        Ok(0) => {
                            eof = true;
                            break;
                        }
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                let cut = if eof {
                    filled
                } else {
                    memchr::memrchr(b'\n', &buf[..filled]).map_or(filled, |i| i + 1)
                };
                carry.extend_from_slice(&buf[cut..filled]);
                if cut > 0 && tx.send(Ok(Block { data: buf, len: cut })).is_err() {
                    return;
                }
                if eof {
                    return;
                }
            }
        });
        let mut base = 0usize;
        for b in rx {
            let b = b?;
            let lines = split_lines(&b.data[..b.len]);
            f(&lines, base)?;
            base += lines.len();
            let _ = back_tx.send(b.data);
        }
        Ok(())
    })
}

/// The lines of `buf` (each with its `\n`), split in parallel pieces.
fn split_lines(buf: &[u8]) -> Vec<&[u8]> {
    const PIECE: usize = 1 << 20;
    fn seq(buf: &[u8]) -> Vec<&[u8]> {
        let mut v = Vec::with_capacity(buf.len() / 64 + 1);
        let mut s = 0;
        for e in memchr::memchr_iter(b'\n', buf) {
            v.push(&buf[s..e + 1]);
            s = e + 1;
        }
        if s < buf.len() {
            v.push(&buf[s..]);
        }
        v
    }
    if buf.len() <= PIECE {
        return seq(buf);
    }
    let mut cuts = vec![0usize];
    let mut p = PIECE;
    while p < buf.len() {
        match memchr::memchr(b'\n', &buf[p..]) {
            Some(i) if p + i + 1 < buf.len() => {
                cuts.push(p + i + 1);
                p += i + 1 + PIECE;
            }
            _ => break,
        }
    }
    cuts.push(buf.len());
    let parts: Vec<Vec<&[u8]>> = cuts.par_windows(2).map(|w| seq(&buf[w[0]..w[1]])).collect();
    let mut v = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        v.extend(p);
    }
    v
}

fn open(p: &PathBuf) -> anyhow::Result<Box<dyn Read + Send>> {
    use anyhow::Context;
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    Ok(Box::new(std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?))
}

fn push_num(o: &mut Vec<u8>, mut n: usize) {
    let mut d = [0u8; 20];
    let mut i = d.len();
    loop {
        i -= 1;
        d[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    o.extend_from_slice(&d[i..]);
}

/// The `mine` command: mines `files` together (each file's header layouts
/// learned from its own lines: the first from its first [`SAMPLE_LINES`]
/// lines, more per [`BLOCK_BYTES`] block when many lines of the block fit
/// none) and writes, with `per_line`, one JSON object per input line
/// `{"line":N,"cluster":"ID","template":"TEXT"}` (plus `"file"` when
/// several files are given; `line` is 1-based within its file), else a
/// table of templates, most frequent first, with counts.
pub fn run(files: &[PathBuf], per_line: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    // per file: its layouts and, per block, how many were known after it
    let mut models: Vec<(header::Layouts, Vec<usize>)> = Vec::with_capacity(files.len());
    let mut table = KeyTable::default();
    let mut global = 0usize;
    // stdin cannot be read twice: keep its lines when needed
    let mut stdin_lines: Option<Vec<u8>> = None;
    for p in files {
        let mut layouts: Option<header::Layouts> = None;
        let mut known = Vec::new();
        let reader: Box<dyn Read + Send> = if p.as_os_str() == "-" && per_line {
            let mut all = Vec::new();
            std::io::stdin().read_to_end(&mut all)?;
            stdin_lines = Some(all.clone());
            Box::new(std::io::Cursor::new(all))
        } else {
            open(p)?
        };
        for_blocks(reader, |lines, _| {
            let l = layouts.get_or_insert_with(|| {
                header::Layouts::learn(lines.iter().take(SAMPLE_LINES).map(|l| trim_eol(l)))
            });
            let starts = block_starts(l, lines, RELEARN_MIN);
            known.push(l.len());
            let (_, t) = scan_block(lines, &starts, global, false);
            table.absorb(t);
            global += lines.len();
            Ok(())
        })?;
        models.push((layouts.unwrap_or_default(), known));
    }
    let (templates, of_key) = finish(table);
    if !per_line {
        let total: usize = templates.iter().map(|t| t.count).sum();
        writeln!(out, "{:>9}  {:>6}  {:<16}  TEMPLATE", "COUNT", "SHARE", "CLUSTER")?;
        for t in &templates {
            let share = 100.0 * t.count as f64 / total.max(1) as f64;
            writeln!(out, "{:>9}  {:>5.1}%  {:<16}  {}", t.count, share, t.id, t.template)?;
        }
        writeln!(out, "{} templates, {} lines", templates.len(), total)?;
        return Ok(());
    }
    // everything after the line number, per template
    let tails: Vec<String> = templates
        .iter()
        .map(|t| {
            format!(
                ",\"cluster\":\"{}\",\"template\":{}}}\n",
                t.id,
                serde_json::to_string(&t.template).unwrap()
            )
        })
        .collect();
    let multi = files.len() > 1;
    for (fi, p) in files.iter().enumerate() {
        let fname = serde_json::to_string(&p.to_string_lossy()).unwrap();
        let reader: Box<dyn Read + Send> = match (&stdin_lines, p.as_os_str() == "-") {
            (Some(all), true) => Box::new(std::io::Cursor::new(all.clone())),
            _ => open(p)?,
        };
        let (layouts, known) = &models[fi];
        let mut block = 0usize;
        for_blocks(reader, |lines, base| {
            // the layouts as they stood after this block in the first pass
            let n = known.get(block).copied().unwrap_or(layouts.len());
            block += 1;
            let starts = fit_starts(layouts.prefix(n), lines);
            let parts: Vec<Vec<u8>> = lines
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    let mut buf = Vec::with_capacity(256);
                    let mut o: Vec<u8> = Vec::with_capacity(chunk.len() * 96);
                    for (j, raw) in chunk.iter().enumerate() {
                        line_key(raw, starts[ci * CHUNK + j], &mut buf);
                        let ti = of_key[&hash64(&buf)];
                        if multi {
                            o.extend_from_slice(b"{\"file\":");
                            o.extend_from_slice(fname.as_bytes());
                            o.extend_from_slice(b",\"line\":");
                        } else {
                            o.extend_from_slice(b"{\"line\":");
                        }
                        push_num(&mut o, base + ci * CHUNK + j + 1);
                        o.extend_from_slice(tails[ti].as_bytes());
                    }
                    o
                })
                .collect();
            for p in parts {
                out.write_all(&p)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<&[u8]> {
        text.lines().map(|l| l.as_bytes()).collect()
    }

    #[test]
    fn vm_started_vs_paused() {
        let mut t = String::new();
        for i in 0..50 {
            t.push_str(&format!(
                "2020-01-01 10:00:{:02} INFO nova.compute: [instance: {i}] VM Started\n",
                i % 60
            ));
            t.push_str(&format!(
                "2020-01-01 10:00:{:02} INFO nova.compute: [instance: {i}] VM Paused\n",
                i % 60
            ));
        }
        let m = mine_lines(&lines(&t));
        let names: Vec<&str> = m.templates.iter().map(|t| t.template.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains(&"[instance: <*>] VM Started"));
        assert!(names.contains(&"[instance: <*>] VM Paused"));
    }

    #[test]
    fn ids_are_stable_and_derived_from_text() {
        assert_eq!(template_id("abc"), "ba7816bf8f01cfea");
        let m = mine_lines(&lines("a 1\na 2\nb"));
        for t in &m.templates {
            assert_eq!(t.id, template_id(&t.template));
        }
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let raw: Vec<&[u8]> = vec![b"ok \xff\xfe 12", b"\xc3", b"", b"ok \xff\xfe 13"];
        let m = mine_lines(&raw);
        assert_eq!(m.per_line.len(), 4);
        assert_eq!(m.per_line[0], m.per_line[3]);
    }

    #[test]
    fn thread_count_and_chunking_invariance() {
        let mut t = String::new();
        for i in 0..20000 {
            t.push_str(&format!(
                "2020-01-01 10:00:00 INFO x.Y: user u{} did op{} in {} ms\n",
                i % 97,
                i % 3,
                i
            ));
        }
        let ls = lines(&t);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| mine_lines(&ls));
        let four =
            rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(|| mine_lines(&ls));
        assert_eq!(one.templates, four.templates);
        assert_eq!(one.per_line, four.per_line);
    }

    #[test]
    fn run_per_line_output() {
        let dir = std::env::temp_dir().join(format!("fl-mine-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.log");
        std::fs::write(&f, "Dec 10 06:55:46 h sshd[1]: Accepted for a from 1.2.3.4\nDec 10 06:55:47 h sshd[2]: Accepted for a from 1.2.3.5").unwrap();
        let mut out = Vec::new();
        run(std::slice::from_ref(&f), true, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        let rows: Vec<serde_json::Value> = s.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["line"], 2);
        assert_eq!(rows[0]["template"], "Accepted for a from <*>");
        assert_eq!(rows[0]["cluster"], rows[1]["cluster"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    fn tpl(m: &Mined, i: usize) -> &str {
        &m.templates[m.per_line[i]].template
    }

    #[test]
    fn mine_messages_mixed_formats() {
        let mut raw: Vec<String> = Vec::new();
        for i in 0..300 {
            raw.push(format!(
                "2024-05-01 10:00:{:02}.123 ERROR [pool-{}] com.acme.Db - connection to db{} refused after {} ms",
                i % 60, i % 7, i % 3, i
            ));
            raw.push(format!(
                r#"{{"ts":"2024-05-01T10:00:00Z","level":"error","msg":"connection to db{} refused after {} ms"}}"#,
                i % 3, i
            ));
            raw.push(format!(
                r#"time=2024-05-01T10:00:00Z level=warn msg="slow query on table t{} took {}ms" caller=db.go:{}"#,
                i % 5, i, i
            ));
            raw.push(format!(
                "2024/05/01 10:00:{:02} [error] {}#0: *{} upstream timed out while reading response header from upstream",
                i % 60, 1000 + i, i
            ));
        }
        let lines: Vec<&[u8]> = raw.iter().map(|l| l.as_bytes()).collect();
        let m = mine_messages(&lines);
        assert_eq!(m.per_line.len(), lines.len());
        // logback and JSON carry the same message: one template
        assert_eq!(tpl(&m, 0), "connection to <*> refused after <*> ms");
        assert_eq!(m.per_line[0], m.per_line[1]);
        assert_eq!(tpl(&m, 2), "slow query on table <*> took <*>");
        assert!(
            tpl(&m, 3).ends_with("upstream timed out while reading response header from upstream"),
            "{}",
            tpl(&m, 3)
        );
        assert!(!tpl(&m, 3).contains("2024"));
        assert_eq!(m.templates.len(), 3, "{:?}", m.templates);
        for t in &m.templates {
            assert_eq!(t.id, template_id(&t.template));
        }
    }

    #[test]
    fn mine_messages_thread_invariant() {
        let raw: Vec<String> = (0..5000)
            .map(|i| match i % 3 {
                0 => format!(
                    "Dec 10 06:55:{:02} host sshd[{}]: Failed password for u{} from 10.0.0.{}",
                    i % 60,
                    i,
                    i % 9,
                    i % 250
                ),
                1 => format!(r#"{{"message":"job {} finished in {}s","level":"warn"}}"#, i, i % 17),
                _ if i % 2 == 0 => format!(
                    "2020-01-01 10:00:00,{:03} WARN  [main] a.b.C: retry {} of task t{}",
                    i % 1000,
                    i % 4,
                    i
                ),
                _ => format!(
                    "2020-01-01 10:00:00,{:03} INFO  [main] a.b.C: giving up on task t{}",
                    i % 1000,
                    i
                ),
            })
            .collect();
        let lines: Vec<&[u8]> = raw.iter().map(|l| l.as_bytes()).collect();
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
        let a = pool(1).install(|| mine_messages(&lines));
        let b = pool(3).install(|| mine_messages(&lines));
        assert_eq!(a.templates, b.templates);
        assert_eq!(a.per_line, b.per_line);
        assert_eq!(tpl(&a, 0), "Failed password for <*> from <*>");
        assert_eq!(tpl(&a, 1), "job <*> finished in <*>");
        assert_eq!(tpl(&a, 2), "retry <*> of task <*>");
        assert!(mine_messages(&[]).templates.is_empty());
    }

    #[test]
    fn format_change_learns_a_second_layout() {
        // a file whose header layout changes half way: both halves lose
        // their headers, and run() agrees with mine_lines()
        let mut t = String::new();
        for i in 0..2500 {
            t.push_str(&format!(
                "081109 2036{:02} {} INFO dfs.DataNode: Receiving block blk_{} src: /10.0.0.{}\n",
                i % 60,
                i,
                i,
                i % 200
            ));
        }
        for i in 0..1000 {
            t.push_str(&format!(
                "[Sun Dec 04 04:47:{:02} 2005] [error] mod_jk child workerEnv in error state {}\n",
                i % 60,
                i % 9
            ));
        }
        let ls = lines(&t);
        let m = mine_lines(&ls);
        assert_eq!(tpl(&m, 0), "Receiving block <*> src: <*>");
        assert_eq!(tpl(&m, 3000), "mod_jk child workerEnv in error state <*>");
        let dir = std::env::temp_dir().join(format!("fl-mine-fc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("a.log");
        std::fs::write(&f, &t).unwrap();
        let mut out = Vec::new();
        run(&[f], true, &mut out).unwrap();
        let rows: Vec<serde_json::Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 3500);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r["template"], tpl(&m, i), "line {i}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
