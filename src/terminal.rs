//! The binary's side of each command: output files, colour, the progress
//! bar and the exit status. The library never touches the terminal.

use crate::cli::{
    HistoryArgs, HistoryFormat, HistoryQuery, MergeArgs, MineArgs, PatternSource, PatternsCommand, ScanArgs,
};
use faultline::config::ScanConfig;
use faultline::progress::{NoProgress, Progress};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

/// An indicatif bar on stderr, shown only after a moment.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn bar() -> Bar {
    let pb = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr_with_hz(8));
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} scanning {bytes}/{total_bytes} {bytes_per_sec} {wide_bar} {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Nothing is drawn for runs shorter than a moment.
    pb.enable_steady_tick(Duration::from_millis(250));
    pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    let handle = pb.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        if !handle.is_finished() {
            handle.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(8));
        }
    });
    Bar(pb)
}

pub fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let (quiet, color) = (args.report.quiet, args.report.color);
    let config = args.into_config(crate::stdout_is_terminal()).map_err(anyhow::Error::msg)?;
    run(config, quiet, color)
}

/// `faultline merge`: partials in, the same report as one scan out.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let (quiet, color) = (args.report.quiet, args.report.color);
    let config = args.into_config(crate::stdout_is_terminal()).map_err(anyhow::Error::msg)?;
    run(config, quiet, color)
}

/// `--partial FILE`: what was found, for a later merge; says what it wrote.
fn write_partial(config: &ScanConfig, path: &std::path::Path, quiet: bool) -> anyhow::Result<ExitCode> {
    let show_bar = !quiet && std::io::stderr().is_terminal();
    let progress: Box<dyn Progress> = if show_bar { Box::new(bar()) } else { Box::new(NoProgress) };
    let wrote = faultline::write_partial(config, path, progress.as_ref())?;
    if !quiet {
        eprintln!(
            "faultline: wrote {}: {} file{}, {} event{}, {} bytes",
            faultline::report::printable(&path.display().to_string()),
            wrote.sources,
            if wrote.sources == 1 { "" } else { "s" },
            wrote.events,
            if wrote.events == 1 { "" } else { "s" },
            wrote.bytes
        );
    }
    Ok(if config.strict && wrote.skipped > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// A scan or a merge, from its configuration to the exit status.
fn run(config: ScanConfig, quiet: bool, color_choice: crate::cli::ColorChoice) -> anyhow::Result<ExitCode> {
    if let Some(path) = config.partial.clone() {
        return write_partial(&config, &path, quiet);
    }
    let show_bar = !quiet && std::io::stderr().is_terminal();
    let progress: Box<dyn Progress> = if show_bar { Box::new(bar()) } else { Box::new(NoProgress) };
    let mut config = config;
    let color_ok = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let run = faultline::nightly::scan(&config, progress.as_ref())?;
    let summary = run.summary;
    // file names are shown printable: a name cannot forge a stderr line
    use faultline::report::printable;
    for s in &summary.skipped {
        eprintln!("faultline: {}: skipped: {}", printable(&s.file), printable(&s.reason));
    }
    for w in &summary.warnings {
        eprintln!("faultline: {}: {}", printable(&w.file), printable(&w.reason));
    }
    if let Some(h) = &summary.history {
        for note in &h.notes {
            eprintln!("faultline: history: {}", printable(note));
        }
    }
    let color = match color_choice {
        crate::cli::ColorChoice::Always => true,
        crate::cli::ColorChoice::Never => false,
        crate::cli::ColorChoice::Auto => color_ok && crate::stdout_is_terminal(),
    };
    if config.output.is_some() {
        config.color = false;
    }
    let mut summary = summary;
    write_report(&summary, &config, color)?;
    let mut post_failed = false;
    if let Some(post) = &config.post {
        // the summary is on disk before anything is posted
        let posted = faultline::post::post(&summary, post);
        match (&posted.error, posted.outcome.as_str()) {
            (Some(e), "failed") => {
                eprintln!("faultline: post to {}: failed: {}", posted.target, printable(e));
                post_failed = true;
            }
            (Some(e), _) => eprintln!("faultline: post to {}: {}", posted.target, printable(e)),
            (None, outcome) => eprintln!(
                "faultline: post to {}: {outcome}{}",
                posted.target,
                posted.ticket.as_deref().map(|t| format!(" {}", printable(t))).unwrap_or_default()
            ),
        }
        summary.post = Some(posted);
        // a JSON file is rewritten with what the post did
        if config.output.is_some() && config.format == faultline::config::Format::Json {
            write_report(&summary, &config, false)?;
        }
    }
    Ok(if (config.strict && summary.input_lost()) || run.history_error.is_some() {
        ExitCode::from(2)
    } else if post_failed {
        ExitCode::from(3)
    } else if let Some(h) = &summary.history {
        // nightly: only what is new (or much worse) alerts
        if h.alert && !summary.causes.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    } else if summary.causes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes the report to `-o FILE` or stdout.
fn write_report(
    summary: &faultline::report::Summary,
    config: &faultline::config::ScanConfig,
    color: bool,
) -> anyhow::Result<()> {
    match &config.output {
        Some(path) => {
            let failed =
                |e: std::io::Error| anyhow::anyhow!("{}: cannot write the report: {e}", path.display());
            faultline::output::write_whole(path, |w| {
                let mut out = std::io::BufWriter::new(w);
                faultline::report::render(summary, config.format, false, &mut out)?;
                out.flush()
            })
            .map_err(failed)?;
        }
        None => {
            let mut out = crate::stdout();
            faultline::report::render(summary, config.format, color, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

pub fn mine(args: MineArgs) -> anyhow::Result<ExitCode> {
    let mut out = crate::stdout();
    let table = if args.format == HistoryFormat::Json {
        faultline::mine::Table::Json
    } else {
        faultline::mine::Table::Text
    };
    faultline::mine::run(&args.files, args.per_line, !args.no_redact, args.top, table, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let query = match args.query {
        HistoryQuery::List { scope } => faultline::history::command::Query::List { scope },
        HistoryQuery::Show { run } => faultline::history::command::Query::Show(run),
        HistoryQuery::Diff { run_a, run_b } => faultline::history::command::Query::Diff(run_a, run_b),
    };
    let json = match args.format {
        Some(HistoryFormat::Json) => true,
        Some(HistoryFormat::Text) => false,
        None => !crate::stdout_is_terminal(),
    };
    let mut out = crate::stdout();
    faultline::history::command::run(&args.db, &query, json, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn catalog(src: &PatternSource) -> anyhow::Result<faultline::catalog::Catalog> {
    Ok(faultline::load_catalog(!src.no_builtin_patterns, &src.patterns)?)
}

pub fn patterns(cmd: PatternsCommand) -> anyhow::Result<ExitCode> {
    let mut out = crate::stdout();
    let code = match cmd {
        PatternsCommand::List(src) => {
            faultline::patterns_list(&catalog(&src)?, &mut out)?;
            ExitCode::SUCCESS
        }
        PatternsCommand::Literals(src) => {
            faultline::patterns_literals(&catalog(&src)?, &mut out)?;
            ExitCode::SUCCESS
        }
        PatternsCommand::Check { dir } => {
            let cat = match dir {
                Some(d) => faultline::load_catalog(false, &[d])?,
                None => faultline::load_catalog(true, &[])?,
            };
            let failures = faultline::patterns_check(&cat, &mut out)?;
            if failures == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        PatternsCommand::Test { signature_id, line, source } => {
            if faultline::patterns_test(&catalog(&source)?, &signature_id, &line, &mut out)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
    };
    out.flush()?;
    Ok(code)
}
