//! faultline: finds the failure that started an incident across the logs of
//! integrated systems.
//!
//! The pipeline (see ARCHITECTURE.md): discover → read → chunk → match →
//! events → correlate → rank → report. Each stage is a module that hands
//! the next a plain type. One public function per command lives here; this
//! is also the only place the thread pool is set up.

#![warn(missing_docs)]

pub mod archive;
pub mod catalog;
pub mod config;
pub mod correlate;
pub mod discover;
pub mod engine;
pub mod error;
pub mod event;
pub mod history;
pub mod level;
pub mod matcher;
pub mod mine;
pub mod nightly;
pub mod output;
pub mod partial;
pub mod post;
pub mod progress;
pub mod read;
pub mod redact;
pub mod report;
pub mod source;
pub mod summarize;
pub mod timestamp;
pub mod trace;

#[cfg(test)]
pub(crate) mod testutil;

use catalog::Catalog;
use config::ScanConfig;
use error::{Error, Result};
use matcher::Matcher;
use progress::Progress;
use report::Summary;
use std::io::Write;

/// What a scan produced, for the binary to pick an exit status.
#[derive(Debug)]
pub struct ScanOutcome {
    /// Causes reported.
    pub causes: usize,
    /// Inputs skipped (or read only in part).
    pub skipped: usize,
}

/// Loads the catalog a scan or a `patterns` command uses.
pub fn load_catalog(builtin: bool, dirs: &[std::path::PathBuf]) -> Result<Catalog> {
    let mut catalog = if builtin { Catalog::builtin()? } else { Catalog::default() };
    for dir in dirs {
        catalog.add_dir(dir)?;
    }
    if catalog.signatures.is_empty() {
        return Err(Error::Usage("no signatures: --no-builtin-patterns needs --patterns DIR".into()));
    }
    Ok(catalog)
}

/// Builds the summary of a scan without rendering it.
pub fn scan_summary(config: &ScanConfig, progress: &dyn Progress) -> Result<Summary> {
    scan_summary_with(config, progress, None)
}

/// The matcher of a catalog.
fn matcher_of(catalog: &Catalog) -> Result<Matcher> {
    Matcher::new(catalog).map_err(|msg| Error::Pattern { file: "catalog".into(), line: 0, msg })
}

/// The worker threads of a run.
fn pool(config: &ScanConfig) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start worker threads: {e}")))
}

/// What the summary is made from: the logs of `inputs` scanned, or the
/// partials they name read and merged (`config.input_kind`).
fn gather(
    config: &ScanConfig,
    inputs: &[discover::Input],
    catalog: &Catalog,
    matcher: &Matcher,
    pool: &rayon::ThreadPool,
    evidence: engine::EvidenceText,
    progress: &dyn Progress,
) -> Result<partial::Scanned> {
    if config.input_kind == config::InputKind::Partials {
        let paths: Vec<std::path::PathBuf> = inputs.iter().map(|i| i.path.clone()).collect();
        return pool.install(|| partial::read_and_merge(&paths, catalog));
    }
    let discovery = discover::discover(inputs, config.output.as_deref());
    if discovery.sources.is_empty() {
        return Err(Error::no_input(&discovery.skipped, "no log file found in the given paths"));
    }
    let zones: Vec<timestamp::Zone> = discovery.systems.iter().map(|s| config.zone_of(s)).collect();
    let data = pool
        .install(|| engine::scan(&discovery.sources, matcher, &zones, config.block_size, evidence, progress));
    let zones = read_zones(config, &discovery);
    Ok(partial::Scanned { discovery, data, zones })
}

/// Per system, the zone its zoneless times are read in.
fn read_zones(config: &ScanConfig, discovery: &discover::Discovery) -> Vec<timestamp::ReadZone> {
    (discovery.systems.iter())
        .map(|s| timestamp::ReadZone { zone: config.zone_of(s), stated: config.zone_stated(s) })
        .collect()
}

/// `scan FILE --byte-range A-B --partial P`: the partial of the blocks of
/// one plain file that start in the range.
fn span_partial(
    config: &ScanConfig,
    span: engine::ByteSpan,
    catalog: &Catalog,
    pool: &rayon::ThreadPool,
    progress: &dyn Progress,
) -> Result<partial::Partial> {
    let discovery = discover::discover(&config.inputs, None);
    match discovery.sources.as_slice() {
        [s] if s.kind == source::SourceKind::Plain => {}
        [] => return Err(Error::no_input(&discovery.skipped, "no log file found in the given paths")),
        [s] => {
            return Err(Error::Usage(format!(
                "--byte-range reads a plain file by offset; {} is compressed or a stream: give it whole",
                s.display
            )))
        }
        more => {
            return Err(Error::Usage(format!(
                "--byte-range takes one file, and the paths hold {}",
                more.len()
            )))
        }
    }
    let matcher = matcher_of(catalog)?;
    let zones = read_zones(config, &discovery);
    let plain: Vec<timestamp::Zone> = zones.iter().map(|z| z.zone).collect();
    let keep = engine::EvidenceText::Keep;
    let scan = pool.install(|| {
        engine::scan_span(&discovery.sources, &matcher, &plain, config.block_size, keep, span, progress)
    });
    Ok(partial::Partial::of_span(discovery, zones, scan, span, config.block_size as u64, catalog))
}

/// Builds the summary of a scan, with the history's earlier runs as what
/// is normal when `earlier` is given (`--baseline history`).
pub fn scan_summary_with(
    config: &ScanConfig,
    progress: &dyn Progress,
    earlier: Option<&history::Normal>,
) -> Result<Summary> {
    let started = std::time::Instant::now();
    let catalog = load_catalog(config.builtin_patterns, &config.pattern_dirs)?;
    let matcher = matcher_of(&catalog)?;
    let pool = pool(config)?;
    let read_again = engine::EvidenceText::ReadAgain;
    let scanned = gather(config, &config.inputs, &catalog, &matcher, &pool, read_again, progress)?;
    // The healthy run to compare with: walked and scanned like the inputs.
    let baseline = if config.baselines.is_empty() {
        None
    } else {
        let inputs: Vec<discover::Input> =
            config.baselines.iter().map(|p| discover::Input { system: None, path: p.clone() }).collect();
        let found = gather(config, &inputs, &catalog, &matcher, &pool, read_again, progress).map_err(
            |e| match e {
                Error::NoInput(why) => Error::NoInput(format!("--baseline: {why}")),
                other => other,
            },
        )?;
        Some(found)
    };
    let inputs = summarize::Inputs {
        catalog: &catalog,
        discovery: &scanned.discovery,
        data: &scanned.data,
        since: config.since,
        until: config.until,
        top: config.top,
        zones: scanned.zones.clone(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        clock_overrides: config.clock_offsets.clone(),
        baseline: match (&baseline, earlier) {
            (Some(b), _) => Some(summarize::Baseline::Scan(summarize::BaselineRun {
                discovery: &b.discovery,
                data: &b.data,
            })),
            (None, Some(h)) => Some(summarize::Baseline::History(h)),
            (None, None) => None,
        },
    };
    let mut summary = summarize::summarize(&inputs);
    if config.redact {
        redact::summary(&mut summary);
    }
    Ok(summary)
}

/// What `--partial FILE` wrote.
#[derive(Debug)]
pub struct PartialOutcome {
    /// Files it covers.
    pub sources: usize,
    /// Events it holds.
    pub events: usize,
    /// Its size on disk.
    pub bytes: u64,
    /// Inputs skipped (or read only in part).
    pub skipped: usize,
}

/// `scan --partial FILE` (and `merge --partial FILE`, a step of a tree
/// merge): what was found, written for a later `merge`, unranked.
pub fn write_partial(
    config: &ScanConfig,
    path: &std::path::Path,
    progress: &dyn Progress,
) -> Result<PartialOutcome> {
    let catalog = load_catalog(config.builtin_patterns, &config.pattern_dirs)?;
    let pool = pool(config)?;
    let partial = match config.byte_span {
        Some(span) => span_partial(config, span, &catalog, &pool, progress)?,
        None => {
            let matcher = matcher_of(&catalog)?;
            let keep = engine::EvidenceText::Keep;
            let scanned = gather(config, &config.inputs, &catalog, &matcher, &pool, keep, progress)?;
            partial::Partial::of(scanned, &catalog)
        }
    };
    let skipped = partial.skipped.len() + partial.warnings.iter().filter(|w| w.kind.input_lost()).count();
    let (sources, events) = (partial.sources.len(), partial.events.len());
    let bytes = partial.write(path)?;
    Ok(PartialOutcome { sources, events, bytes, skipped })
}

/// `faultline scan`: scans, ranks and writes the report to `out`.
pub fn scan(config: &ScanConfig, progress: &dyn Progress, out: &mut dyn Write) -> Result<ScanOutcome> {
    let summary = scan_summary(config, progress)?;
    report::render(&summary, config.format, config.color, out)?;
    out.flush()?;
    Ok(ScanOutcome {
        causes: summary.causes.len(),
        skipped: summary.skipped.len() + summary.warnings.iter().filter(|w| w.kind.input_lost()).count(),
    })
}

/// `faultline patterns list`.
pub fn patterns_list(catalog: &Catalog, out: &mut dyn Write) -> Result<()> {
    let w = catalog.signatures.iter().map(|s| s.id.len()).max().unwrap_or(10);
    for s in &catalog.signatures {
        writeln!(
            out,
            "{:w$}  {:15}  {:7}  {}",
            s.id,
            s.category.as_str(),
            format!("{:?}", s.role).to_lowercase(),
            s.title
        )?;
    }
    writeln!(out, "{} signatures", catalog.signatures.len())?;
    Ok(())
}

/// `faultline patterns check`: loads the catalog and runs every example;
/// returns the number of failures.
pub fn patterns_check(catalog: &Catalog, out: &mut dyn Write) -> Result<usize> {
    let matcher = matcher_of(catalog)?;
    let failures = matcher::check::check(catalog, &matcher);
    for f in &failures {
        writeln!(out, "{}: {}: {}: {:?}", f.origin, f.signature, f.problem, f.line)?;
    }
    writeln!(
        out,
        "{} signatures, {} change rules, {} literals, {} failure{}",
        catalog.signatures.len(),
        catalog.changes.len(),
        matcher.literals().len(),
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    )?;
    Ok(failures.len())
}

/// `faultline patterns test ID LINE`: whether a line is attributed to a
/// signature, and to which one. Returns true when `id` wins.
pub fn patterns_test(catalog: &Catalog, id: &str, line: &str, out: &mut dyn Write) -> Result<bool> {
    if catalog.get(id).is_none() {
        return Err(Error::Usage(format!("no signature {id:?} (see `faultline patterns list`)")));
    }
    let matcher = matcher_of(catalog)?;
    let got = matcher.classify(line.as_bytes(), &mut matcher::Scratch::default());
    let won = got.map(|g| matcher::check::name(catalog, g));
    match won.as_deref() {
        Some(w) if w == id => writeln!(out, "match: {id}")?,
        Some(w) => writeln!(out, "no match for {id}: the line is attributed to {w}")?,
        None => writeln!(out, "no match: no signature matches this line")?,
    }
    Ok(won.as_deref() == Some(id))
}

/// `faultline patterns literals`: the literals searched, one a line.
pub fn patterns_literals(catalog: &Catalog, out: &mut dyn Write) -> Result<()> {
    let matcher = matcher_of(catalog)?;
    for l in matcher.literals() {
        writeln!(out, "{l}")?;
    }
    Ok(())
}
