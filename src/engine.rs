//! The scan stage: sources → events, in parallel.
//!
//! Owns the fan-out (one rayon pool; every block of every plain file, and
//! every stream, is one task), the per-block work (match → events, line
//! counting, traffic samples) and the deterministic merge (blocks in source
//! and block order, then line numbers by prefix sum). The result does not
//! depend on the block size or the number of threads.
//!
//! Whole events: a hit on a line without a time of its own (`\tat ...`,
//! `Caused by:`, an indented line, pretty-printed JSON) belongs to the
//! event's head, the nearest line above with a time, looked for within
//! [`read::BACK_CONTEXT`] bytes and [`MAX_EVENT_LINES`] lines and never
//! across a blank line. One event is kept per head: the deepest hit (the
//! root `Caused by` of a Java trace).

use crate::event::{self, Event, Level};
use crate::matcher::{Hit, Matcher, Scratch, UNNAMED};
use crate::progress::Progress;
use crate::read::{self, RangeBlock};
use crate::source::{Source, SourceKind, Warning, WarningKind};
use crate::timestamp::{Detector, Layout, Stamp, TimeContext, Zone};
use crate::trace::{self, Continuation};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;

/// The most lines an event (head + continuation) spans.
pub const MAX_EVENT_LINES: usize = 200;
/// Longest evidence line kept, in bytes.
pub const EVIDENCE_MAX: usize = 300;

/// What the scan learned about one source.
#[derive(Clone, Debug, Default)]
pub struct SourceScan {
    /// Lines read.
    pub lines: u64,
    /// Bytes read (decompressed).
    pub bytes: u64,
    /// Time layouts seen on sampled lines, with counts.
    pub layouts: BTreeMap<Layout, u64>,
    /// Whether some sampled time had no zone.
    pub zoneless: bool,
    /// Offsets from UTC (seconds) written on sampled times, with counts.
    pub written_offsets: BTreeMap<i32, u64>,
    /// (time of a block's first line, time of its last line, lines): the
    /// traffic volume over time.
    pub volume: Vec<(i64, i64, u64)>,
}

/// An error or warning line that no signature names: food for the
/// template miner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnnamedLine {
    /// Source id.
    pub source: u32,
    /// 1-based line.
    pub line: u64,
    /// Time, ms since the epoch (the middle of the second when
    /// `whole_second`).
    pub ts: Option<i64>,
    /// Its time was written to the second.
    pub whole_second: bool,
    /// The line, capped at [`EVIDENCE_MAX`] bytes.
    pub text: Box<str>,
    /// Its request id, if any.
    pub request_id: Option<Box<str>>,
    /// Its level (error, warning or fatal: only those are mined).
    pub level: Level,
    /// The exception line that closes its trace (Python traces written
    /// with a header on every line), shown with it as evidence.
    pub exception: Option<Box<str>>,
}

/// How many unnamed lines are kept per source; past it they are counted.
/// Their text is what the miner reads, so this bounds memory.
pub const UNNAMED_PER_SOURCE: usize = 4_000;

/// Everything the scan found.
#[derive(Debug, Default)]
pub struct ScanData {
    /// Events, sorted by (source, line), one per event head.
    pub events: Vec<Event>,
    /// Error and warning lines no signature names, in source and line order.
    pub unnamed: Vec<UnnamedLine>,
    /// Unnamed lines not kept, per source (over [`UNNAMED_PER_SOURCE`]).
    pub unnamed_dropped: Vec<u64>,
    /// Per source, by source id.
    pub per_source: Vec<SourceScan>,
    /// Problems met while reading.
    pub warnings: Vec<Warning>,
}

/// Runs the scan over `sources`.
pub fn scan(
    sources: &[Source],
    matcher: &Matcher,
    zones: &[Zone],
    block_size: usize,
    progress: &dyn Progress,
) -> ScanData {
    // Files are opened by the task that reads them, one block at a time,
    // so open files never outnumber the workers, whatever the number of
    // sources (a folder of thousands of logs under a limit of 1024).
    let mut tasks: Vec<Task> = Vec::new();
    let warnings = Vec::new();
    for s in sources {
        match s.kind {
            SourceKind::Plain => {
                for b in read::plan(s.id, s.nul_head, s.len, block_size as u64) {
                    tasks.push(Task::Range(b));
                }
            }
            _ => tasks.push(Task::Stream(s.id)),
        }
    }
    // Streams first: they are long, sequential tasks.
    tasks.sort_by_key(|t| !matches!(t, Task::Stream(_)));
    let total: u64 = sources.iter().filter(|s| s.kind == SourceKind::Plain).map(|s| s.len).sum();
    progress.start(total);
    let ctx = Ctx { sources, matcher, zones, block_size, progress };
    let results: Vec<TaskResult> =
        tasks.par_iter().map_init(Worker::default, |w, t| ctx.run_isolated(t, w)).collect();
    progress.finish();
    merge(sources, results, warnings)
}

enum Task {
    Range(RangeBlock),
    Stream(u32),
}

struct Ctx<'a> {
    sources: &'a [Source],
    matcher: &'a Matcher,
    zones: &'a [Zone],
    block_size: usize,
    progress: &'a dyn Progress,
}

#[derive(Default)]
struct Worker {
    buf: read::BlockBuf,
    scratch: Scratch,
    hits: Vec<Hit>,
}

/// An unnamed line before its line number is known.
struct UnnamedInBlock {
    /// Head line index from the block's first owned line.
    rel: i64,
    ts: Option<i64>,
    whole_second: bool,
    text: Box<str>,
    request_id: Option<Box<str>>,
    level: Level,
    /// The exception line that closes its trace, when the head is a
    /// Python trace written with a header on every line.
    exception: Option<Box<str>>,
}

/// One block's findings, with line numbers relative to the block.
#[derive(Default)]
struct BlockResult {
    newlines: u64,
    unterminated: bool,
    bytes: u64,
    /// Events whose `line` is relative: head line index from the block's
    /// first owned line; may be negative when the head is in the context.
    events: Vec<(i64, Event)>,
    /// Unnamed lines: (relative line, time, text, request id).
    unnamed: Vec<UnnamedInBlock>,
    /// Unnamed lines past the block's cap, counted only.
    unnamed_over: u64,
    volume: Option<(i64, i64, u64)>,
    layouts: Vec<(Layout, Option<i32>)>,
}

struct TaskResult {
    source: u32,
    order: (u32, u32),
    blocks: Vec<BlockResult>,
    warnings: Vec<Warning>,
}

impl Ctx<'_> {
    fn detector(&self, source: &Source) -> Detector {
        Detector::new(TimeContext::new(self.zones[source.system as usize], source.mtime))
    }

    /// Runs a task; a panic in it (a bug, or a file system that breaks a
    /// promise of `read`) is that file's failure, named in a warning, and
    /// the other files' results stand.
    fn run_isolated(&self, task: &Task, w: &mut Worker) -> TaskResult {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(task, w)));
        outcome.unwrap_or_else(|panic| {
            *w = Worker::default(); // its buffers may be half-written
            let (id, index) = match task {
                Task::Range(b) => (b.source, b.index),
                Task::Stream(id) => (*id, 0),
            };
            let source = &self.sources[id as usize];
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            TaskResult {
                source: id,
                order: (id, index),
                blocks: Vec::new(),
                warnings: vec![Warning {
                    file: source.display.clone(),
                    kind: WarningKind::Failed,
                    reason: format!(
                        "internal error while reading block {index} ({what}); that part was not scanned"
                    ),
                }],
            }
        })
    }

    fn run(&self, task: &Task, w: &mut Worker) -> TaskResult {
        if let Some(name) = failpoint() {
            let id = match task {
                Task::Range(b) => b.source,
                Task::Stream(id) => *id,
            };
            if self.sources[id as usize].display.ends_with(name) {
                panic!("failpoint FAULTLINE_FAILPOINT_PANIC={name}");
            }
        }
        match task {
            Task::Range(b) => self.run_range(b, w),
            Task::Stream(id) => self.run_stream(&self.sources[*id as usize], w),
        }
    }

    fn run_range(&self, block: &RangeBlock, w: &mut Worker) -> TaskResult {
        let source = &self.sources[block.source as usize];
        let mut out = TaskResult {
            source: source.id,
            order: (source.id, block.index),
            blocks: Vec::new(),
            warnings: Vec::new(),
        };
        let file = match source.open_same() {
            Ok(f) => f,
            Err(e) => {
                out.warnings.push(open_failed(source, &e));
                return out;
            }
        };
        let mut buf = std::mem::take(&mut w.buf);
        match read::read_block(&file, block, &mut buf) {
            Ok(r) => {
                if let Some(read_to) = r.shrank_to {
                    // the file's own length now, not where this block's read
                    // stopped: every block past the cut stops at its start
                    let len = file.metadata().map_or(read_to, |m| m.len().min(read_to));
                    out.warnings.push(Warning {
                        file: source.display.clone(),
                        kind: WarningKind::Truncated,
reason: format!(
                            "changed during the scan: it ended at byte {len}, it had {} bytes when found (truncated?); the lines read are kept",
                            source.len
                        ),
                    });
                }
                if let Some(at) = r.line_cut_at {
                    out.warnings.push(line_cut(source, at));
                }
                let mut det = self.detector(source);
                out.blocks.push(self.scan_block(source, &buf, r.owned.clone(), r.buf_offset, &mut det, w));
                self.progress.advance(block.range.end - block.range.start);
            }
            Err(e) => out.warnings.push(Warning {
                file: source.display.clone(),
                kind: WarningKind::ReadError,
                reason: format!("read error at byte {}: {e}", block.range.start),
            }),
        }
        w.buf = buf;
        out
    }

    fn run_stream(&self, source: &Source, w: &mut Worker) -> TaskResult {
        let mut out =
            TaskResult { source: source.id, order: (source.id, 0), blocks: Vec::new(), warnings: Vec::new() };
        let mut det = self.detector(source);
        let reader: Box<dyn std::io::Read> = match source.kind {
            SourceKind::Stdin => Box::new(std::io::stdin().lock()),
            _ => match source.open_same() {
                Ok(f) => {
                    let f = std::io::BufReader::with_capacity(256 * 1024, f);
                    match source.kind {
                        SourceKind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
                        SourceKind::Utf16 { big_endian } => Box::new(read::Utf16Reader::new(f, big_endian)),
                        _ => Box::new(f),
                    }
                }
                Err(e) => {
                    out.warnings.push(open_failed(source, &e));
                    return out;
                }
            },
        };
        let mut blocks = Vec::new();
        let result = read::for_each_stream_block(reader, self.block_size, |buf, owned, offset| {
            blocks.push(self.scan_block(source, buf, owned, offset, &mut det, w));
        });
        if let Err((at, e)) = result {
            let what = if source.kind == SourceKind::Gzip { "gzip data" } else { "stream" };
            out.warnings.push(Warning {
                file: source.display.clone(),
                kind: WarningKind::DecodeError,
                reason: format!("{what} unreadable after {at} decoded bytes: {e}; the lines before are kept"),
            });
        }
        self.progress.advance(source.len);
        out.blocks = blocks;
        out
    }

    /// Matches one block: `buf[owned]` are its lines, bytes before are
    /// context from earlier in the source.
    fn scan_block(
        &self,
        source: &Source,
        buf: &[u8],
        owned: Range<usize>,
        buf_offset: u64,
        det: &mut Detector,
        w: &mut Worker,
    ) -> BlockResult {
        let mut r = BlockResult { bytes: owned.len() as u64, ..Default::default() };
        if owned.is_empty() {
            return r;
        }
        w.hits.clear();
        let hits = &mut w.hits;
        self.matcher.for_each_hit(buf, owned.start, owned.end, &mut w.scratch, |h| hits.push(h));
        let mut cursor = owned.start;
        let mut line_index = 0i64;
        let mut heads = HeadCache::default();
        for hit in hits.iter() {
            line_index += count_newlines(&buf[cursor..hit.line_start]) as i64;
            cursor = hit.line_start;
            let line = &buf[hit.line_start..hit.line_end];
            if hit.sig == UNNAMED {
                // A block never needs more than the source keeps: the merge
                // keeps the first UNNAMED_PER_SOURCE in order, so this cap
                // does not depend on the block size.
                let is_error = matches!(event::level(line), Some(Level::Error | Level::Warn | Level::Fatal));
                if is_error && r.unnamed.len() >= UNNAMED_PER_SOURCE {
                    r.unnamed_over += 1;
                } else if is_error {
                    // a line with no time of its own (inside a trace or a
                    // pretty-printed record) belongs to its head, like a hit
                    let head = find_head(buf, hit.line_start, line, det, &mut heads);
                    let rel = line_index - head.back as i64;
                    let known = r.events.last().is_some_and(|e| e.0 == rel);
                    match r.unnamed.last_mut().filter(|u| u.rel == rel) {
                        Some(u) if head.continuation == Continuation::Exception && u.exception.is_none() => {
                            u.exception = Some(evidence_text(line).into_boxed_str());
                        }
                        Some(_) => {}
                        None if !known => {
                            let head_line = line_at(buf, head.start, buf.len());
                            r.unnamed.push(UnnamedInBlock {
                                rel,
                                ts: head.stamp.map(event::event_ms),
                                whole_second: head.stamp.is_some_and(|s| s.whole_second),
                                text: evidence_text(head_line).into_boxed_str(),
                                request_id: event::request_id(head_line).or_else(|| event::request_id(line)),
                                level: event::level(head_line)
                                    .or(event::level(line))
                                    .unwrap_or(Level::Unknown),
                                exception: None,
                            });
                        }
                        None => {}
                    }
                }
                continue;
            }
            let head = find_head(buf, hit.line_start, line, det, &mut heads);
            let (head_start, back_lines, stamp) = (head.start, head.back, head.stamp);
            let head_end = memchr::memchr(b'\n', &buf[head_start..]).map_or(buf.len(), |i| head_start + i);
            let head = trim_cr(&buf[head_start..head_end]);
            let rel = line_index - back_lines as i64;
            if back_lines > 0 && r.unnamed.last().is_some_and(|u| u.rel == rel) {
                // the head was kept as an unnamed error line before its
                // trace showed what it is: one event, not two
                r.unnamed.pop();
            }
            let fields = event::extract(line, det);
            let level = event::level(head).or(fields.level).unwrap_or(Level::Unknown);
            // Evidence is read again at report time for the few events shown;
            // only a stream that cannot be read twice keeps it now.
            let text = (source.kind == SourceKind::Stdin).then(|| {
                let mut text = evidence_text(head);
                if back_lines > 0 {
                    text.push('\n');
                    text.push_str(&evidence_text(line));
                }
                text.into_boxed_str()
            });
            let ev = Event {
                source: source.id,
                line: 0,
                offset: buf_offset + head_start as u64,
                ts: stamp.map(event::event_ms).or(fields.ts),
                whole_second: stamp.map_or(fields.whole_second, |s| s.whole_second),
                handled_adjust_ms: event::handled_adjust_ms(head),
                sig: hit.sig,
                level,
                status: fields.status.or_else(|| event::http_status(head)),
                request_id: fields.request_id.or_else(|| event::request_id(head)),
                text,
                hit_offset: (back_lines > 0).then_some(buf_offset + hit.line_start as u64),
                remote: event::is_remote_view(line) || event::is_remote_view(head),
                deadline: event::mentions_deadline(line) || event::mentions_deadline(head),
            };
            r.events.push((rel, ev));
        }
        r.newlines = line_index as u64 + count_newlines(&buf[cursor..owned.end]) as u64;
        r.unterminated = buf[owned.end - 1] != b'\n';
        // Traffic sample: the times of the block's first and last lines.
        let first_line = line_at(buf, owned.start, owned.end);
        let last_start = memchr::memrchr(b'\n', &buf[owned.start..owned.end - 1])
            .map_or(owned.start, |i| owned.start + i + 1);
        let last_line = line_at(buf, last_start, owned.end);
        let lines = r.newlines + u64::from(r.unterminated);
        let first = det.find(first_line);
        let last = det.find(last_line);
        for s in [first, last].into_iter().flatten() {
            r.layouts.push((s.layout, s.written_offset_s));
        }
        if let (Some(a), Some(b)) = (first, last) {
            r.volume = Some((a.ms, b.ms, lines));
        }
        r
    }
}

/// `FAULTLINE_FAILPOINT_PANIC=NAME`: the work on a file whose shown path
/// ends with NAME panics, so that tests can check a failure stays that
/// file's (read once; unset in normal runs).
fn failpoint() -> Option<&'static str> {
    static NAME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NAME.get_or_init(|| std::env::var("FAULTLINE_FAILPOINT_PANIC").ok().filter(|s| !s.is_empty())).as_deref()
}

fn open_failed(source: &Source, e: &std::io::Error) -> Warning {
    Warning {
        file: source.display.clone(),
        kind: WarningKind::OpenFailed,
        reason: format!("could not be opened: {}", crate::discover::io_reason(e)),
    }
}

fn line_cut(source: &Source, at: u64) -> Warning {
    Warning {
        file: source.display.clone(),
        kind: WarningKind::LineCut,
        reason: format!("a line longer than {} MiB was cut at byte {at}", read::MAX_LINE >> 20),
    }
}

fn count_newlines(b: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', b).count()
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn line_at(buf: &[u8], start: usize, end: usize) -> &[u8] {
    let e = memchr::memchr(b'\n', &buf[start..end]).map_or(end, |i| start + i);
    trim_cr(&buf[start..e])
}

/// The head of the event a line belongs to.
#[derive(Clone, Copy, Debug)]
struct Head {
    /// Offset of the head line in the block buffer.
    start: usize,
    /// Lines from the head down to the line.
    back: usize,
    /// The head's time.
    stamp: Option<Stamp>,
    /// How the line itself continues the line before it.
    continuation: Continuation,
}

/// The last head found in a block, so that the lines of one long trace
/// are not walked back again for each line.
#[derive(Clone, Copy, Debug, Default)]
struct HeadCache {
    last: Option<(usize, Head)>,
}

/// The head of the event a line belongs to. A line with its own time is
/// its own head, unless it continues a trace whose every line carries the
/// header ([`crate::trace`]); a line without one belongs to the nearest
/// line above with a time.
fn find_head(buf: &[u8], line_start: usize, line: &[u8], det: &mut Detector, cache: &mut HeadCache) -> Head {
    let floor = line_start.saturating_sub(read::BACK_CONTEXT as usize);
    // The line before `start` (its start, and the line), if it is in the
    // context and not cut by its edge.
    let previous = |start: usize| -> Option<(usize, &[u8])> {
        if start <= floor || start == 0 {
            return None;
        }
        let prev_end = start - 1; // the '\n' ending the previous line
        let prev_start = memchr::memrchr(b'\n', &buf[floor..prev_end]).map_or(floor, |i| floor + i + 1);
        if prev_start == floor && floor != 0 {
            return None; // the line may begin before the context
        }
        Some((prev_start, trim_cr(&buf[prev_start..prev_end])))
    };
    if let Some(own) = det.find(line) {
        let own_head = Head { start: line_start, back: 0, stamp: Some(own), continuation: Continuation::No };
        let mut start = line_start;
        let mut current = line;
        let mut continuation = Continuation::No;
        for back in 1..MAX_EVENT_LINES {
            let Some((prev_start, prev)) = previous(start) else { break };
            let c = trace::continues(prev, current);
            if c == Continuation::No {
                break;
            }
            if back == 1 {
                continuation = c;
            }
            if let Some((cached_line, head)) = cache.last.filter(|(at, _)| *at == prev_start) {
                let _ = cached_line;
                let found = Head { back: head.back + back, continuation, ..head };
                cache.last = Some((line_start, found));
                return found;
            }
            start = prev_start;
            current = prev;
        }
        if start == line_start {
            cache.last = Some((line_start, own_head));
            return own_head;
        }
        let head_line = line_at(buf, start, buf.len());
        let back = count_newlines(&buf[start..line_start]);
        let found = Head { start, back, stamp: det.find(head_line).or(Some(own)), continuation };
        cache.last = Some((line_start, found));
        return found;
    }
    let mut start = line_start;
    for back in 1..MAX_EVENT_LINES {
        let Some((prev_start, prev)) = previous(start) else { break };
        if let Some(s) = det.find(prev) {
            return Head { start: prev_start, back, stamp: Some(s), continuation: Continuation::Frame };
        }
        if prev.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            break; // a blank line ends an event
        }
        start = prev_start;
    }
    Head { start: line_start, back: 0, stamp: None, continuation: Continuation::No }
}

/// Reads again the lines at the given (source, byte offset) pairs, for the
/// evidence of the events a report shows. Plain files are read by offset;
/// gzip and UTF-16 sources are decoded again up to the last offset wanted.
/// A line that can no longer be read (the file changed) is left out.
pub fn read_lines_at(sources: &[Source], wanted: &[(u32, u64)]) -> BTreeMap<(u32, u64), String> {
    let mut by_source: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for &(s, off) in wanted {
        by_source.entry(s).or_default().push(off);
    }
    let mut out = BTreeMap::new();
    for (sid, mut offsets) in by_source {
        offsets.sort_unstable();
        offsets.dedup();
        let source = &sources[sid as usize];
        // the same file that was scanned, never a FIFO or a rotated-in one
        let Ok(file) = source.open_same() else { continue };
        match source.kind {
            SourceKind::Plain => {
                let mut buf = vec![0u8; 4096];
                for off in offsets {
                    let Ok(n) = std::os::unix::fs::FileExt::read_at(&file, &mut buf, off) else { continue };
                    let line = &buf[..n];
                    let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
                    out.insert((sid, off), evidence_text(trim_cr(&line[..end])));
                }
            }
            SourceKind::Gzip | SourceKind::Utf16 { .. } => {
                use std::io::BufRead;
                let f = std::io::BufReader::new(file);
                let reader: Box<dyn std::io::Read> = match source.kind {
                    SourceKind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
                    SourceKind::Utf16 { big_endian } => Box::new(read::Utf16Reader::new(f, big_endian)),
                    _ => Box::new(f),
                };
                let mut reader = std::io::BufReader::new(reader);
                let (mut pos, mut line) = (0u64, Vec::new());
                let mut next = offsets.into_iter().peekable();
                while let Some(&want) = next.peek() {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if pos == want {
                                let l = line.strip_suffix(b"\n").unwrap_or(&line);
                                out.insert((sid, want), evidence_text(trim_cr(l)));
                            }
                            pos += n as u64;
                            while next.peek().is_some_and(|&w| w < pos) {
                                next.next();
                            }
                        }
                    }
                }
            }
            SourceKind::Stdin => {}
        }
    }
    out
}

/// A line as evidence: NULs dropped, invalid UTF-8 replaced, capped.
pub fn evidence_text(line: &[u8]) -> String {
    let line: Vec<u8> = line.iter().copied().filter(|&b| b != 0).take(EVIDENCE_MAX).collect();
    let mut s = String::from_utf8_lossy(&line).into_owned();
    if s.len() >= EVIDENCE_MAX {
        s.push('…');
    }
    s
}

fn merge(sources: &[Source], mut results: Vec<TaskResult>, mut warnings: Vec<Warning>) -> ScanData {
    results.sort_by_key(|r| r.order);
    let mut data = ScanData { per_source: vec![SourceScan::default(); sources.len()], ..Default::default() };
    // One allocation of the final size: growing by doubling would hold up
    // to three times the events at the moment of a copy.
    data.events.reserve_exact(results.iter().flat_map(|r| &r.blocks).map(|b| b.events.len()).sum());
    let mut next_line: Vec<u64> = vec![1; sources.len()];
    let mut last_unterminated = vec![false; sources.len()];
    let mut kept_unnamed = vec![0usize; sources.len()];
    data.unnamed_dropped = vec![0; sources.len()];
    for r in results {
        warnings.extend(r.warnings);
        let s = r.source as usize;
        for b in r.blocks {
            let base = next_line[s] as i64;
            for (rel, mut ev) in b.events {
                ev.line = (base + rel).max(1) as u64;
                data.events.push(ev);
            }
            data.unnamed_dropped[s] += b.unnamed_over;
            for u in b.unnamed {
                if kept_unnamed[s] < UNNAMED_PER_SOURCE {
                    kept_unnamed[s] += 1;
                    // A bare `Traceback (most recent call last):` head is
                    // named by the exception that closes it.
                    let (text, exception) = match u.exception {
                        Some(e) if u.text.contains("Traceback (most recent call last)") => (e, None),
                        other => (u.text, other),
                    };
                    data.unnamed.push(UnnamedLine {
                        source: r.source,
                        line: (base + u.rel) as u64,
                        ts: u.ts,
                        whole_second: u.whole_second,
                        text,
                        request_id: u.request_id,
                        level: u.level,
                        exception,
                    });
                } else {
                    data.unnamed_dropped[s] += 1;
                }
            }
            next_line[s] += b.newlines;
            if b.bytes > 0 {
                last_unterminated[s] = b.unterminated;
            }
            let ps = &mut data.per_source[s];
            ps.bytes += b.bytes;
            for (layout, written) in b.layouts {
                *ps.layouts.entry(layout).or_default() += 1;
                match written {
                    Some(offset) => *ps.written_offsets.entry(offset).or_default() += 1,
                    None => ps.zoneless = true,
                }
            }
            if let Some(v) = b.volume {
                ps.volume.push(v);
            }
        }
    }
    for (s, ps) in data.per_source.iter_mut().enumerate() {
        ps.lines = next_line[s] - 1 + u64::from(last_unterminated[s]);
        if sources[s].nul_head > 0 {
            warnings.push(Warning {
                file: sources[s].display.clone(),
                kind: WarningKind::NulHead,
                reason: format!(
                    "{} NUL bytes at the head skipped (a hole left by copytruncate?)",
                    sources[s].nul_head
                ),
            });
        }
    }
    // One event per head line: the later hit of equal priority is the
    // deeper one (the root cause of a Java trace).
    data.events.sort_by_key(|e| (e.source, e.line));
    data.events.dedup_by(|later, earlier| {
        if later.source == earlier.source && later.line == earlier.line {
            *earlier = later.clone();
            true
        } else {
            false
        }
    });
    // An unnamed error line that belongs to the head of an event (a level
    // line inside a trace or a pretty-printed record) is that event, and a
    // head is one unnamed line however many of its lines name a level:
    // checked here too, as the two may be in different blocks.
    let mut previous = None;
    data.unnamed.retain(|u| {
        let at = (u.source, u.line);
        let repeat = previous == Some(at);
        previous = Some(at);
        !repeat && data.events.binary_search_by_key(&at, |e| (e.source, e.line)).is_err()
    });
    // A file that cannot be opened, or shrank, fails in each of its blocks:
    // say it once (the first block's account, whose offset is the lowest).
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| match w.kind {
        WarningKind::OpenFailed | WarningKind::Truncated => seen.insert((w.file.clone(), w.kind)),
        _ => true,
    });
    data.warnings = warnings;
    data
}
