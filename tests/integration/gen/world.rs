//! The systems of one incident and their output: each system's style and
//! clock offset, the records emitted into it (kept as time-stamped blocks
//! so a stack trace stays under its head line), the tally of cause and
//! symptom lines for the truth, and writing the files (rotation into
//! `app.log.1` and gzipped `app.log.2.gz`, modification times).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::format::{render, render_access, Access, Format, Level, Rec, Stack, Style};
use super::wording::Said;

/// How a system's main log is split into rotated files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    None,
    /// `app.log.1` (older) and `app.log`.
    Plain,
    /// `app.log.2.gz`, `app.log.1` and `app.log`.
    Gzip,
}

struct Block {
    t: i64,
    seq: u64,
    /// 0: the main log, 1: nginx `error.log`.
    file: u8,
    lines: Vec<String>,
}

pub struct System {
    pub name: String,
    pub style: Style,
    /// written time = true time + offset
    pub offset_ms: i64,
    pub rotation: Rotation,
    blocks: Vec<Block>,
}

impl System {
    pub fn new(name: &str, style: Style, offset_ms: i64, rotation: Rotation) -> System {
        System { name: name.to_string(), style, offset_ms, rotation, blocks: Vec::new() }
    }
    pub fn stack(&self) -> Stack {
        self.style.format.stack()
    }
    pub fn is_nginx(&self) -> bool {
        self.style.format == Format::Nginx
    }
}

/// First time and count of one (system, category, what) series.
#[derive(Clone, Debug)]
pub struct Tally {
    pub first_ms: i64,
    pub count: usize,
}

pub struct World {
    pub systems: Vec<System>,
    /// The collection window, true time: records outside it are dropped.
    pub start: i64,
    pub end: i64,
    seq: u64,
    /// (system, category, what) → tally; `what` is "cause" for the cause.
    pub tally: BTreeMap<(usize, String, String), Tally>,
}

fn class_of(comp: &str) -> &'static str {
    match comp {
        "http" | "web" => "RequestLoggingFilter",
        "client" => "RestClient",
        "auth" => "TokenService",
        "jobs" => "SyncScheduler",
        "queue" => "QueueMonitor",
        "db" => "HikariPool",
        "webhook" => "WebhookController",
        "config" => "PropertySourcesPlaceholderConfigurer",
        "ratelimit" => "RateLimitFilter",
        "validation" => "RequestValidator",
        "resilience" => "CircuitBreakerRegistry",
        "retry" => "RetryPolicy",
        _ => "Service",
    }
}

impl World {
    pub fn new(systems: Vec<System>, start: i64, end: i64) -> World {
        World { systems, start, end, seq: 0, tally: BTreeMap::new() }
    }

    fn logger(&self, s: usize, comp: &str) -> String {
        let sys = &self.systems[s];
        match sys.stack() {
            Stack::Java => format!("c.a.{}.{}.{}", sys.name, comp, class_of(comp)),
            Stack::Python => format!("{}.{}", sys.name, comp),
            Stack::Node => format!("{}:{}", sys.name, comp),
            Stack::Go | Stack::Nginx => comp.to_string(),
        }
    }

    /// Logs one record into system `s` at true time `t`.
    #[allow(clippy::too_many_arguments)]
    pub fn log(
        &mut self,
        s: usize,
        t: i64,
        level: Level,
        comp: &str,
        thread: &str,
        msg: &str,
        rid: Option<&str>,
        kv: &[(&'static str, String)],
        trace: &[String],
    ) -> bool {
        if t < self.start || t >= self.end {
            return false;
        }
        let logger = self.logger(s, comp);
        let sys = &self.systems[s];
        let mut lines = Vec::with_capacity(1 + trace.len());
        let rec = Rec { wt_ms: t + sys.offset_ms, level, logger: &logger, thread, msg, rid, kv, trace };
        render(&sys.style, &rec, &mut lines);
        let file = u8::from(sys.is_nginx());
        self.seq += 1;
        let seq = self.seq;
        self.systems[s].blocks.push(Block { t, seq, file, lines });
        true
    }

    /// Logs a wording's line; counts it under (category, what) when given.
    pub fn say(
        &mut self,
        s: usize,
        t: i64,
        said: &Said,
        thread: &str,
        rid: Option<&str>,
        count: Option<(&str, &str)>,
    ) {
        if self.log(s, t, said.level, said.comp, thread, &said.msg, rid, &said.kv, &said.trace) {
            if let Some((cat, what)) = count {
                self.count(s, t, cat, what);
            }
        }
    }

    pub fn count(&mut self, s: usize, t: i64, cat: &str, what: &str) {
        let e = self
            .tally
            .entry((s, cat.to_string(), what.to_string()))
            .or_insert(Tally { first_ms: t, count: 0 });
        e.first_ms = e.first_ms.min(t);
        e.count += 1;
    }

    /// An nginx access-log entry (`t` is when the request ended).
    pub fn access(&mut self, s: usize, t: i64, a: &Access, rid: &str) -> bool {
        if t < self.start || t >= self.end {
            return false;
        }
        let sys = &self.systems[s];
        let line = render_access(&sys.style, t + sys.offset_ms, a, rid);
        self.seq += 1;
        let seq = self.seq;
        self.systems[s].blocks.push(Block { t, seq, file: 0, lines: vec![line] });
        true
    }

    /// Writes every system's files under `dir`; returns the number of lines.
    pub fn write(&mut self, dir: &Path) -> usize {
        let mut total = 0;
        for sys in &mut self.systems {
            sys.blocks.sort_by_key(|b| (b.t, b.seq));
            let sdir = dir.join(&sys.name);
            std::fs::create_dir_all(&sdir).unwrap();
            let main_name = match sys.style.format {
                Format::Nginx => "access.log".to_string(),
                Format::Syslog => "messages".to_string(),
                f if f.stack() == Stack::Java => format!("{}.log", sys.name),
                _ => "app.log".to_string(),
            };
            let main: Vec<&Block> = sys.blocks.iter().filter(|b| b.file == 0).collect();
            let errors: Vec<&Block> = sys.blocks.iter().filter(|b| b.file == 1).collect();
            total += main.iter().chain(&errors).map(|b| b.lines.len()).sum::<usize>();
            // rotation cut points, by position in time order
            let n = main.len();
            let cuts: Vec<usize> = match sys.rotation {
                Rotation::None => vec![],
                Rotation::Plain => vec![n * 45 / 100],
                Rotation::Gzip => vec![n * 30 / 100, n * 62 / 100],
            };
            let mut parts: Vec<&[&Block]> = Vec::new();
            let mut at = 0;
            for c in &cuts {
                parts.push(&main[at..*c]);
                at = *c;
            }
            parts.push(&main[at..]);
            let k = parts.len();
            for (i, part) in parts.iter().enumerate() {
                let age = k - 1 - i; // 0 = current file
                let (name, gz) = match age {
                    0 => (main_name.clone(), false),
                    1 => (format!("{main_name}.1"), false),
                    a => (format!("{main_name}.{a}.gz"), true),
                };
                write_file(&sdir.join(name), part, gz, sys.offset_ms, dir_end(part, self.end));
            }
            if !errors.is_empty() {
                write_file(
                    &sdir.join("error.log"),
                    &errors,
                    false,
                    sys.offset_ms,
                    dir_end(&errors, self.end),
                );
            }
        }
        total
    }
}

fn dir_end(part: &[&Block], end: i64) -> i64 {
    part.last().map_or(end, |b| b.t + 1)
}

fn write_file(path: &Path, blocks: &[&Block], gz: bool, offset_ms: i64, last_t: i64) {
    let mut text = Vec::with_capacity(blocks.len() * 160);
    for b in blocks {
        for l in &b.lines {
            text.extend_from_slice(l.as_bytes());
            text.push(b'\n');
        }
    }
    let bytes = if gz {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        enc.finish().unwrap()
    } else {
        text
    };
    std::fs::write(path, bytes).unwrap();
    // the host's clock wrote the file: last line's written time (syslog years come from it)
    let ms = (last_t + offset_ms).max(0) as u64;
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms)).unwrap();
}
