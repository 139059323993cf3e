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
//!
//! Files: this one holds the tasks and their reading; `block` the
//! per-block work, `head` the event-head search, `merge` the merge, and
//! `evidence` the lines read again for reports.

use crate::event::{self, Event, Level};
use crate::matcher::{ChangeIndex, Hit, Matcher, Scratch, UNNAMED};
use crate::progress::Progress;
use crate::read::{self, RangeBlock};
use crate::source::{Source, SourceKind, Warning, WarningKind};
use crate::timestamp::{Detector, Layout, TimeContext, Zone};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::ops::Range;

mod block;
mod evidence;
mod head;
mod merge;

pub use evidence::{evidence_text, read_lines_at};
pub use merge::{nul_head_warning, settle};

/// The most lines an event (head + continuation) spans.
pub const MAX_EVENT_LINES: usize = 200;
/// Longest evidence line kept, in bytes.
pub const EVIDENCE_MAX: usize = 300;

/// What the scan learned about one source.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Its trace runs through an HTTP or RPC client's code: a caller's view
    /// of a remote failure (see [`crate::trace::is_client_frame`]).
    #[serde(default)]
    pub client_trace: bool,
}

/// A line that records a change (a deploy, a restart, a key rotation...):
/// what "what changed just before" is told from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeLine {
    /// Source id.
    pub source: u32,
    /// 1-based line.
    pub line: u64,
    /// Time as read (ms since the epoch; the middle of the second when
    /// `whole_second`). A change line without a time of its own is not kept.
    pub ts: i64,
    /// Its time was written to the second.
    pub whole_second: bool,
    /// The change rule that recognised it.
    pub rule: ChangeIndex,
    /// The line, capped at [`EVIDENCE_MAX`] bytes.
    pub text: Box<str>,
}

/// How many change lines are kept per source; past it they are counted.
pub const CHANGES_PER_SOURCE: usize = 10_000;

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
    /// Change records, in source and line order.
    pub changes: Vec<ChangeLine>,
    /// Change records not kept, per source (over [`CHANGES_PER_SOURCE`]).
    pub changes_dropped: Vec<u64>,
    /// Per source, by source id.
    pub per_source: Vec<SourceScan>,
    /// Problems met while reading.
    pub warnings: Vec<Warning>,
}

/// When an event's evidence text is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceText {
    /// Read again by offset for the few events a report shows (only a
    /// stream that cannot be read twice keeps it at once).
    ReadAgain,
    /// Kept on every event now: a partial is merged where its files are
    /// not, and any event may be the one a report shows.
    Keep,
}

/// Runs the scan over `sources`.
pub fn scan(
    sources: &[Source],
    matcher: &Matcher,
    zones: &[Zone],
    block_size: usize,
    evidence: EvidenceText,
    progress: &dyn Progress,
) -> ScanData {
    // Files are opened by the task that reads them, one block at a time,
    // so open files never outnumber the workers, whatever the number of
    // sources (a folder of thousands of logs under a limit of 1024).
    let mut tasks: Vec<Task> = Vec::new();
    let mut archives: std::collections::HashMap<&std::path::Path, usize> = std::collections::HashMap::new();
    let mut warnings = Vec::new();
    for s in sources {
        // an empty file is read in full at once; it is said, not silent
        if s.len == 0 && matches!(s.kind, SourceKind::Plain | SourceKind::Member { .. }) {
            warnings.push(Warning {
                file: s.display.clone(),
                kind: WarningKind::Empty,
                reason: "empty: no lines to read".into(),
            });
        }
        match s.kind {
            SourceKind::Plain => {
                for b in read::plan(s.id, s.nul_head, s.len, block_size as u64) {
                    tasks.push(Task::Range(b));
                }
            }
            // the members of one archive are one task: one pass over it
            SourceKind::Member { .. } => match archives.get(s.path.as_path()) {
                Some(&t) => {
                    if let Task::Archive(ids) = &mut tasks[t] {
                        ids.push(s.id);
                    }
                }
                None => {
                    archives.insert(s.path.as_path(), tasks.len());
                    tasks.push(Task::Archive(vec![s.id]));
                }
            },
            _ => tasks.push(Task::Stream(s.id)),
        }
    }
    // Streams first: they are long, sequential tasks.
    tasks.sort_by_key(|t| matches!(t, Task::Range(_)));
    let total: u64 = sources.iter().filter(|s| s.kind == SourceKind::Plain).map(|s| s.len).sum();
    let ctx = Ctx { sources, matcher, zones, block_size, evidence, progress };
    let results = ctx.run_all(&tasks, total);
    merge::merge(sources, results, warnings)
}

/// A byte range of one plain file: the blocks of the whole file's plan
/// that start in it (so ranges that tile the file tile its blocks, and
/// each block is read as a scan of the whole file reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSpan {
    /// First byte.
    pub start: u64,
    /// Byte past the last.
    pub end: u64,
}

/// Line numbers of a span scan count from here, so that the head of an
/// event in the range before (read as context) keeps a positive number.
pub const SPAN_LINE_BIAS: u64 = 1 << 40;

/// What the scan of a span of one file found, before [`settle`]: lines
/// numbered from [`SPAN_LINE_BIAS`], caps applied within the span.
#[derive(Debug)]
pub struct SpanScan {
    /// Its findings (`per_source[0].lines` is 0: the merge counts them).
    pub data: ScanData,
    /// The block indices it covers, `[first, end)`.
    pub blocks: (u32, u32),
    /// Blocks in the whole file's plan.
    pub block_count: u32,
    /// Newlines in its blocks.
    pub newlines: u64,
    /// Whether its last block with bytes ended without a newline.
    pub unterminated: Option<bool>,
}

/// Scans the blocks of `sources[0]` (a plain file, the only source) that
/// start in `span`.
pub fn scan_span(
    sources: &[Source],
    matcher: &Matcher,
    zones: &[Zone],
    block_size: usize,
    evidence: EvidenceText,
    span: ByteSpan,
    progress: &dyn Progress,
) -> SpanScan {
    let s = &sources[0];
    let plan = read::plan(s.id, s.nul_head, s.len, block_size as u64);
    let block_count = plan.len() as u32;
    let inside: Vec<Task> = (plan.into_iter())
        .filter(|b| b.range.start >= span.start && b.range.start < span.end)
        .map(Task::Range)
        .collect();
    let blocks = match (inside.first(), inside.last()) {
        (Some(Task::Range(a)), Some(Task::Range(b))) => (a.index, b.index + 1),
        _ => {
            // no block starts in it: an empty span, placed where it falls
            let at = ((span.start.saturating_sub(s.nul_head)).div_ceil(block_size.max(1) as u64) as u32)
                .min(block_count);
            (at, at)
        }
    };
    let total =
        inside.iter().map(|t| if let Task::Range(b) = t { b.range.end - b.range.start } else { 0 }).sum();
    let ctx = Ctx { sources, matcher, zones, block_size, evidence, progress };
    let results = ctx.run_all(&inside, total);
    let (data, tails) = merge::stitch(sources, results, Vec::new(), SPAN_LINE_BIAS);
    SpanScan {
        data,
        blocks,
        block_count,
        newlines: tails.next_line[0] - SPAN_LINE_BIAS,
        unterminated: tails.unterminated[0],
    }
}

enum Task {
    Range(RangeBlock),
    Stream(u32),
    /// The member sources of one archive, in the archive's order.
    Archive(Vec<u32>),
}

impl Task {
    /// The source it reads first, and the order of its first result.
    fn first(&self) -> (u32, u32) {
        match self {
            Task::Range(b) => (b.source, b.index),
            Task::Stream(id) => (*id, 0),
            Task::Archive(ids) => (ids[0], 0),
        }
    }
}

struct Ctx<'a> {
    sources: &'a [Source],
    matcher: &'a Matcher,
    zones: &'a [Zone],
    block_size: usize,
    evidence: EvidenceText,
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
    client_trace: bool,
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
    /// Change records: (relative line, change) with `source` and `line`
    /// still unset.
    changes: Vec<(i64, ChangeLine)>,
    /// Change records past the block's cap, counted only.
    changes_over: u64,
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
    /// Runs every task on the pool, with the progress bar over `total` bytes.
    fn run_all(&self, tasks: &[Task], total: u64) -> Vec<TaskResult> {
        self.progress.start(total);
        let results: Vec<Vec<TaskResult>> =
            tasks.par_iter().map_init(Worker::default, |w, t| self.run_isolated(t, w)).collect();
        self.progress.finish();
        results.into_iter().flatten().collect()
    }

    fn detector(&self, source: &Source) -> Detector {
        Detector::new(TimeContext::new(self.zones[source.system as usize], source.mtime))
    }

    /// Runs a task; a panic in it (a bug, or a file system that breaks a
    /// promise of `read`) is that file's failure, named in a warning, and
    /// the other files' results stand.
    fn run_isolated(&self, task: &Task, w: &mut Worker) -> Vec<TaskResult> {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(task, w)));
        outcome.unwrap_or_else(|panic| {
            *w = Worker::default(); // its buffers may be half-written
            let (id, index) = task.first();
            let source = &self.sources[id as usize];
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            vec![TaskResult {
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
            }]
        })
    }

    fn run(&self, task: &Task, w: &mut Worker) -> Vec<TaskResult> {
        if let Some(name) = failpoint() {
            if self.sources[task.first().0 as usize].display.ends_with(name) {
                panic!("failpoint FAULTLINE_FAILPOINT_PANIC={name}");
            }
        }
        match task {
            Task::Range(b) => vec![self.run_range(b, w)],
            Task::Stream(id) => vec![self.run_stream(&self.sources[*id as usize], w)],
            Task::Archive(ids) => self.run_archive(ids, w),
        }
    }

    /// Reads the members `ids` of one archive in one pass; a member the
    /// pass did not reach (the archive ended or broke first) gets a warning.
    fn run_archive(&self, ids: &[u32], w: &mut Worker) -> Vec<TaskResult> {
        let first = &self.sources[ids[0] as usize];
        let SourceKind::Member { archive, .. } = first.kind else { return Vec::new() };
        let index_of = |id: u32| match self.sources[id as usize].kind {
            SourceKind::Member { index, .. } => index,
            _ => u32::MAX,
        };
        let mut results: Vec<TaskResult> = ids
            .iter()
            .map(|&id| TaskResult { source: id, order: (id, 0), blocks: Vec::new(), warnings: Vec::new() })
            .collect();
        let mut reached = vec![false; ids.len()];
        let wanted: Vec<u32> = ids.iter().map(|&id| index_of(id)).collect();
        let slot: std::collections::HashMap<u32, usize> =
            wanted.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let outcome = first.open_same().and_then(|file| {
            crate::archive::for_each_member(file, archive, &wanted, &mut |index, text| {
                let Some(&k) = slot.get(&index) else { return };
                reached[k] = true;
                let source = &self.sources[ids[k] as usize];
                let mut det = self.detector(source);
                let mut blocks = Vec::new();
                let result = read::for_each_stream_block(text, self.block_size, |buf, owned, offset| {
                    blocks.push(self.scan_block(source, buf, owned, offset, &mut det, w));
                });
                if let Err((at, e)) = result {
                    results[k].warnings.push(Warning {
                        file: source.display.clone(),
                        kind: WarningKind::DecodeError,
                        reason: format!(
                            "unreadable in its {} archive after {at} bytes: {e}; the lines before are kept",
                            archive.name()
                        ),
                    });
                }
                results[k].blocks = blocks;
            })
        });
        let why = match outcome {
            Ok(()) => "the archive has no such member any more".to_string(),
            Err(e) => format!("the {} archive is unreadable before it: {e}", archive.name()),
        };
        for (k, r) in results.iter_mut().enumerate() {
            if !reached[k] {
                r.warnings.push(Warning {
                    file: self.sources[ids[k] as usize].display.clone(),
                    kind: WarningKind::DecodeError,
                    reason: format!("not read: {why}"),
                });
            }
        }
        self.progress.advance(first.len);
        results
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
            SourceKind::Stdin => {
                // a compressed stream piped in is read by its magic bytes
                use std::io::BufRead;
                let mut input = std::io::BufReader::with_capacity(256 * 1024, std::io::stdin());
                let kind = input.fill_buf().ok().and_then(SourceKind::sniff_compression);
                match read::decoded(kind.unwrap_or(SourceKind::Stdin), input) {
                    Ok(r) => r,
                    Err(e) => {
                        out.warnings.push(open_failed(source, &e));
                        return out;
                    }
                }
            }
            _ => match source.open_same() {
                Ok(f) => match read::decoded(source.kind, std::io::BufReader::with_capacity(256 * 1024, f)) {
                    Ok(r) => r,
                    Err(e) => {
                        out.warnings.push(open_failed(source, &e));
                        return out;
                    }
                },
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
            let what =
                source.kind.compression().map_or_else(|| "stream".to_string(), |c| format!("{c} data"));
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
