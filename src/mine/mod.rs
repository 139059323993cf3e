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

/// Lines used to learn the header layout of a file.
pub const SAMPLE_LINES: usize = 2000;
const CHUNK: usize = 2048;
const BLOCK_BYTES: usize = 8 << 20;

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

/// Masked key of one raw line.
fn line_key(model: &HeaderModel, raw: &[u8], buf: &mut String) {
    buf.clear();
    let line = trim_eol(raw);
    let start = model.message_start(line);
    let bytes = &line[start..];
    match std::str::from_utf8(bytes) {
        Ok(msg) => mask::mask_message(msg, buf),
        Err(_) => mask::mask_message(&String::from_utf8_lossy(bytes), buf),
    }
}

fn trim_eol(l: &[u8]) -> &[u8] {
    let mut e = l.len();
    while e > 0 && matches!(l[e - 1], b'\n' | b'\r') {
        e -= 1;
    }
    &l[..e]
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
    map: HashU64<(String, usize, usize)>,
}

impl KeyTable {
    fn add(&mut self, h: u64, key: &str, line: usize) {
        match self.map.get_mut(&h) {
            Some(e) => {
                e.1 += 1;
                e.2 = e.2.min(line);
            }
            None => {
                self.map.insert(h, (key.to_string(), 1, line));
            }
        }
    }
    fn absorb(&mut self, other: KeyTable) {
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

/// Masks `lines` (global index of `lines[0]` is `base`) in parallel; returns
/// the per-line key hashes and the key table.
fn scan_block(model: &HeaderModel, lines: &[&[u8]], base: usize, want_hashes: bool) -> (Vec<u64>, KeyTable) {
    let parts: Vec<(Vec<u64>, KeyTable)> = lines
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ci, chunk)| {
            let mut buf = String::with_capacity(256);
            let mut t = KeyTable::default();
            let mut hs = Vec::with_capacity(if want_hashes { chunk.len() } else { 0 });
            for (j, raw) in chunk.iter().enumerate() {
                line_key(model, raw, &mut buf);
                let h = hash64(buf.as_bytes());
                t.add(h, &buf, base + ci * CHUNK + j);
                if want_hashes {
                    hs.push(h);
                }
            }
            (hs, t)
        })
        .collect();
    let mut hashes = Vec::with_capacity(if want_hashes { lines.len() } else { 0 });
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
    let mut keys: Vec<(u64, String, usize, usize)> =
        table.map.into_iter().map(|(h, (k, c, f))| (h, k, c, f)).collect();
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

/// Mines one file's lines (the header layout is learned from them).
/// `first_line` in the result is a 0-based index into `lines`.
pub fn mine_lines(lines: &[&[u8]]) -> Mined {
    let model = HeaderModel::learn(lines.iter().take(SAMPLE_LINES).copied());
    let (hashes, table) = scan_block(&model, lines, 0, true);
    let (templates, of_key) = finish(table);
    let per_line = hashes.iter().map(|h| of_key[h]).collect();
    Mined { per_line, templates }
}

/// Reads `r` in blocks of whole lines, calling `f(lines, index of first line)`.
fn for_blocks(
    mut r: impl Read,
    mut f: impl FnMut(&[&[u8]], usize) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf: Vec<u8> = vec![0; BLOCK_BYTES];
    let mut filled = 0usize;
    let mut base = 0usize;
    let mut lines: Vec<(usize, usize)> = Vec::new();
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0); // one line longer than the block
        }
        let n = r.read(&mut buf[filled..])?;
        filled += n;
        let eof = n == 0;
        if !eof && filled < buf.len() {
            continue;
        }
        // cut after the last newline (or everything at EOF)
        let cut = if eof { filled } else { memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1) };
        if cut > 0 {
            lines.clear();
            let mut s = 0;
            for e in memchr::memchr_iter(b'\n', &buf[..cut]) {
                lines.push((s, e + 1));
                s = e + 1;
            }
            if s < cut {
                lines.push((s, cut));
            }
            let refs: Vec<&[u8]> = lines.iter().map(|&(s, e)| &buf[s..e]).collect();
            f(&refs, base)?;
            base += refs.len();
            buf.copy_within(cut..filled, 0);
            filled -= cut;
        }
        if eof {
            return Ok(());
        }
    }
}

fn open(p: &PathBuf) -> anyhow::Result<Box<dyn Read>> {
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

/// The `mine` command: mines `files` together (each file's header learned
/// from its own lines) and writes, with `per_line`, one JSON object per
/// input line `{"line":N,"cluster":"ID","template":"TEXT"}` (plus
/// `"file"` when several files are given; `line` is 1-based within its
/// file), else a table of templates, most frequent first, with counts.
pub fn run(files: &[PathBuf], per_line: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut models = Vec::with_capacity(files.len());
    let mut table = KeyTable::default();
    let mut global = 0usize;
    // stdin cannot be read twice: keep its lines when needed
    let mut stdin_lines: Option<Vec<u8>> = None;
    for p in files {
        let mut model: Option<HeaderModel> = None;
        let reader: Box<dyn Read> = if p.as_os_str() == "-" && per_line {
            let mut all = Vec::new();
            std::io::stdin().read_to_end(&mut all)?;
            stdin_lines = Some(all.clone());
            Box::new(std::io::Cursor::new(all))
        } else {
            open(p)?
        };
        for_blocks(reader, |lines, _| {
            let m = model.get_or_insert_with(|| HeaderModel::learn(lines.iter().take(SAMPLE_LINES).copied()));
            let (_, t) = scan_block(m, lines, global, false);
            table.absorb(t);
            global += lines.len();
            Ok(())
        })?;
        models.push(model.unwrap_or_default());
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
        let reader: Box<dyn Read> = match (&stdin_lines, p.as_os_str() == "-") {
            (Some(all), true) => Box::new(std::io::Cursor::new(all.clone())),
            _ => open(p)?,
        };
        let model = &models[fi];
        for_blocks(reader, |lines, base| {
            let parts: Vec<Vec<u8>> = lines
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    let mut buf = String::with_capacity(256);
                    let mut o: Vec<u8> = Vec::with_capacity(chunk.len() * 96);
                    for (j, raw) in chunk.iter().enumerate() {
                        line_key(model, raw, &mut buf);
                        let ti = of_key[&hash64(buf.as_bytes())];
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
        run(&[f.clone()], true, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        let rows: Vec<serde_json::Value> = s.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["line"], 2);
        assert_eq!(rows[0]["template"], "Accepted for a from <*>");
        assert_eq!(rows[0]["cluster"], rows[1]["cluster"]);
        std::fs::remove_dir_all(&dir).ok();
    }
}
