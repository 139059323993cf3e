//! `faultline history DB list | show RUN | diff RUN_A RUN_B`: the history
//! read back, as text for a person or JSON for a script. Read-only: a
//! damaged database is reported, never moved.

use super::changes;
use super::record::{Listed, RunRecord};
use super::store::{HistoryError, Store};
use crate::report::printable;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// What to show.
#[derive(Clone, Debug)]
pub enum Query {
    /// Every run, newest first (of one scope, when given).
    List {
        /// Only this scope.
        scope: Option<String>,
    },
    /// One run.
    Show(i64),
    /// What changed from the first run to the second.
    Diff(i64, i64),
}

/// Why the command failed.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The database.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A run id that is not in it.
    #[error("{path}: no run {id} (see `faultline history {path} list`)")]
    NoRun {
        /// The database, as given.
        path: String,
        /// The id.
        id: i64,
    },
    /// Writing the output.
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

#[derive(Serialize)]
struct ListJson<'a> {
    schema: &'static str,
    runs: Vec<RunJson<'a>>,
}

#[derive(Serialize)]
struct RunJson<'a> {
    run: i64,
    scope: &'a str,
    recorded_at: &'a str,
    window_start: Option<&'a str>,
    window_end: Option<&'a str>,
    files: u64,
    lines: u64,
    events: u64,
    detected: bool,
    confidence: f64,
    version: &'a str,
    inputs: &'a [String],
    causes: Vec<CauseJson<'a>>,
    candidates: Vec<CauseJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    series: Option<Vec<SeriesJson<'a>>>,
}

#[derive(Serialize)]
struct CauseJson<'a> {
    rank: u32,
    fingerprint: &'a str,
    signature: &'a str,
    system: &'a str,
    category: &'a str,
    title: &'a str,
    score: f64,
    count: u64,
    first_seen: Option<&'a str>,
}

#[derive(Serialize)]
struct SeriesJson<'a> {
    fingerprint: &'a str,
    kind: &'static str,
    system: &'a str,
    signature: &'a str,
    category: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    template: &'a str,
    count: u64,
}

fn run_json(r: &RunRecord, with_series: bool) -> RunJson<'_> {
    let causes = |how: Listed| {
        r.causes
            .iter()
            .filter(|c| c.listed == how)
            .map(|c| CauseJson {
                rank: c.rank,
                fingerprint: &c.fingerprint,
                signature: &c.signature,
                system: &c.system,
                category: &c.category,
                title: &c.title,
                score: c.score,
                count: c.count,
                first_seen: c.first_seen.as_deref(),
            })
            .collect()
    };
    RunJson {
        run: r.id.unwrap_or(0),
        scope: &r.scope,
        recorded_at: &r.recorded_at,
        window_start: r.window_start.as_deref(),
        window_end: r.window_end.as_deref(),
        files: r.files,
        lines: r.lines,
        events: r.events,
        detected: r.detected,
        confidence: r.confidence,
        version: &r.version,
        inputs: &r.inputs,
        causes: causes(Listed::Cause),
        candidates: causes(Listed::Candidate),
        series: with_series.then(|| {
            r.series
                .iter()
                .map(|s| SeriesJson {
                    fingerprint: &s.fingerprint,
                    kind: s.kind.as_str(),
                    system: &s.system,
                    signature: &s.key,
                    category: &s.category,
                    template: &s.text,
                    count: s.count,
                })
                .collect()
        }),
    }
}

/// Runs the query on the database at `path`, as JSON when `json`.
pub fn run(path: &Path, query: &Query, json: bool, out: &mut dyn Write) -> Result<(), CommandError> {
    let store = Store::open_to_read(path)?;
    let shown = path.display().to_string();
    let get = |id: i64, series: bool| -> Result<RunRecord, CommandError> {
        store.run(id, series)?.ok_or_else(|| CommandError::NoRun { path: shown.clone(), id })
    };
    match query {
        Query::List { scope } => {
            let runs = store.runs(scope.as_deref())?;
            if json {
                let doc = ListJson {
                    schema: "faultline.history/v1",
                    runs: runs.iter().map(|r| run_json(r, false)).collect(),
                };
                serde_json::to_writer_pretty(&mut *out, &doc).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                list_text(&runs, out)?;
            }
        }
        Query::Show(id) => {
            let r = get(*id, true)?;
            if json {
                serde_json::to_writer_pretty(&mut *out, &run_json(&r, true)).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                show_text(&r, out)?;
            }
        }
        Query::Diff(a, b) => {
            let (ra, rb) = (get(*a, true)?, get(*b, true)?);
            let h = changes::compare(&rb, std::slice::from_ref(&ra));
            if json {
                serde_json::to_writer_pretty(&mut *out, &h).map_err(std::io::Error::from)?;
                writeln!(out)?;
            } else {
                diff_text(&ra, &rb, &h, out)?;
            }
        }
    }
    Ok(())
}

fn headline(r: &RunRecord) -> String {
    match r.causes.iter().find(|c| c.listed == Listed::Cause) {
        Some(c) => format!("{} in {} ({})", printable(&c.title), printable(&c.system), c.category),
        None => "no incident".into(),
    }
}

fn list_text(runs: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
    if runs.is_empty() {
        return writeln!(out, "no runs recorded");
    }
    writeln!(out, "{:>5}  {:20}  {:>10}  {:>4}  top cause", "run", "recorded", "lines", "conf")?;
    let mut scope = None;
    for r in runs {
        if scope != Some(&r.scope) {
            writeln!(out, "scope {}", printable(&r.scope))?;
            scope = Some(&r.scope);
        }
        writeln!(
            out,
            "{:>5}  {:20}  {:>10}  {:>3.0}%  {}",
            r.id.unwrap_or(0),
            r.recorded_at.get(..19).unwrap_or(&r.recorded_at),
            r.lines,
            r.confidence * 100.0,
            headline(r)
        )?;
    }
    Ok(())
}

fn show_text(r: &RunRecord, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "run {} of scope {}", r.id.unwrap_or(0), printable(&r.scope))?;
    writeln!(out, "recorded {} by faultline {}", r.recorded_at, r.version)?;
    writeln!(
        out,
        "window {} .. {}",
        r.window_start.as_deref().unwrap_or("-"),
        r.window_end.as_deref().unwrap_or("-")
    )?;
    writeln!(out, "{} files, {} lines, {} events", r.files, r.lines, r.events)?;
    writeln!(out, "incident: {} ({:.0}% sure)", headline(r), r.confidence * 100.0)?;
    for (how, label) in
        [(Listed::Cause, "causes"), (Listed::Candidate, "candidates (below the incident line)")]
    {
        let list: Vec<_> = r.causes.iter().filter(|c| c.listed == how).collect();
        if list.is_empty() {
            continue;
        }
        writeln!(out, "\n{label}:")?;
        for c in list {
            writeln!(
                out,
                "  {}. {} in {}, {} times (score {:.2}, {})",
                c.rank,
                printable(&c.title),
                printable(&c.system),
                c.count,
                c.score,
                c.fingerprint
            )?;
        }
    }
    if !r.series.is_empty() {
        writeln!(out, "\nseries ({}):", r.series.len())?;
        for s in r.series.iter().take(20) {
            let name = if s.text.is_empty() { s.key.as_str() } else { s.text.as_str() };
            writeln!(out, "  {:>8}  {}  {}", s.count, printable(&s.system), printable(name))?;
        }
        if r.series.len() > 20 {
            writeln!(out, "  and {} more (--format json lists them all)", r.series.len() - 20)?;
        }
    }
    Ok(())
}

fn diff_text(
    a: &RunRecord,
    b: &RunRecord,
    h: &crate::report::summary::HistorySummary,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "run {} -> run {}", a.id.unwrap_or(0), b.id.unwrap_or(0))?;
    let title = |fp: &str| {
        b.causes
            .iter()
            .chain(&a.causes)
            .find(|c| c.fingerprint == fp)
            .map(|c| format!("{} in {}", printable(&c.title), printable(&c.system)))
            .unwrap_or_else(|| fp.to_string())
    };
    for fp in &h.new {
        writeln!(out, "new      {}  ({fp})", title(fp))?;
    }
    for c in &h.changed {
        writeln!(
            out,
            "{}  {}  {} -> {} ({:.1}/h -> {:.1}/h)",
            if c.worse { "worse   " } else { "changed " },
            title(&c.fingerprint),
            c.before,
            c.now,
            c.before_per_hour,
            c.now_per_hour
        )?;
    }
    for fp in &h.gone {
        writeln!(out, "gone     {}  ({fp})", title(fp))?;
    }
    if h.new.is_empty() && h.changed.is_empty() && h.gone.is_empty() {
        writeln!(out, "same causes")?;
    }
    writeln!(out, "divergence of series {:.3}", h.divergence)?;
    for s in h.series.iter().filter(|s| s.divergence > 0.0).take(5) {
        let name = if s.template.is_empty() { s.signature.as_str() } else { s.template.as_str() };
        writeln!(
            out,
            "  {:>6.3}  {} {}: {:.1}% -> {:.1}% of lines",
            s.divergence,
            printable(&s.system),
            printable(name),
            s.share_before * 100.0,
            s.share_now * 100.0
        )?;
    }
    Ok(())
}
