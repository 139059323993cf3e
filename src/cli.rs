//! The command line: clap definitions and their translation into the
//! library's plain configuration. The only module that knows clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use faultline::config::{Format, InputKind, ScanConfig};
use faultline::discover::Input;
use faultline::timestamp::user::TimeBound;
use faultline::timestamp::Zone;
use std::path::PathBuf;

/// Finds the failure that started an incident across the logs of
/// integrated systems.
#[derive(Parser, Debug)]
#[command(name = "faultline", version = env!("FAULTLINE_VERSION"), about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan logs, rank the likely causes and report them.
    Scan(Box<ScanArgs>),
    /// Rank the union of partials that `scan --partial` wrote (on other
    /// hosts, or shards of the logs): the summary one scan of them all
    /// would give.
    Merge(Box<MergeArgs>),
    /// Mine templates from log files.
    Mine(MineArgs),
    /// Inspect the signature catalog.
    #[command(subcommand)]
    Patterns(PatternsCommand),
    /// Read the history of runs that `scan --history DB` keeps.
    History(HistoryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// The largest `--clock-offset`, ms: 30 days.
const MAX_CLOCK_OFFSET_MS: u64 = 30 * 86_400_000;
/// `--jobs` is clamped to this.
const MAX_JOBS: usize = 256;

/// When the text report is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always (for `less -R`).
    Always,
    /// Never.
    Never,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files or directories to scan (`-` for stdin). A directory of
    /// sub-directories is one system per sub-directory.
    pub paths: Vec<PathBuf>,
    /// Name the system of a path: NAME=PATH (repeatable).
    #[arg(long = "system", value_name = "NAME=PATH")]
    pub systems: Vec<String>,
    /// Zone of zoneless times: ZONE for all systems or SYSTEM=ZONE (IANA
    /// names, UTC, local; default local).
    #[arg(long = "tz", value_name = "[SYSTEM=]ZONE")]
    pub tz: Vec<String>,
    /// Bytes per work block (for tests and tuning).
    #[arg(long, hide = true)]
    pub block_size: Option<usize>,
    /// With --partial, scan only bytes A to B of the one file given (K, M,
    /// G suffixes; B may be left out for the end); ranges cut at the block
    /// size (4 MiB), and the merge stitches a file's ranges back.
    #[arg(long, value_name = "A-B", requires = "partial")]
    pub byte_range: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `A-B` of `--byte-range` (K, M, G suffixes, binary; B empty for the end).
fn byte_span(spec: &str) -> Result<faultline::engine::ByteSpan, String> {
    let size = |t: &str| -> Option<u64> {
        let t = t.trim();
        let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => t.split_at(i),
            None => (t, ""),
        };
        let unit = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
            "" => 1u64,
            "K" => 1 << 10,
            "M" => 1 << 20,
            "G" => 1 << 30,
            "T" => 1 << 40,
            _ => return None,
        };
        digits.parse::<u64>().ok()?.checked_mul(unit)
    };
    let bad = || format!("--byte-range takes A-B in bytes (e.g. 0-1G, 1G-2G, 2G-), got {spec:?}");
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    let start = size(a).ok_or_else(bad)?;
    let end = if b.trim().is_empty() { u64::MAX } else { size(b).ok_or_else(bad)? };
    if end <= start {
        return Err(format!("--byte-range {spec:?}: the end must be past the start"));
    }
    Ok(faultline::engine::ByteSpan { start, end })
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Partials written by `scan --partial` (a directory: each file in it).
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// What `scan` and `merge` share: the window, the catalog, the ranking and
/// where the report (or the partial) goes.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Only events at or after T (RFC 3339, or a duration before the newest
    /// event such as 2h or 30m).
    #[arg(long, value_name = "T")]
    pub since: Option<String>,
    /// Only events at or before T.
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// Add the pattern files of DIR to the catalog (repeatable).
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
    /// Use only the pattern files given with --patterns.
    #[arg(long)]
    pub no_builtin_patterns: bool,
    /// Report format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How many causes to report.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// A system's clock offset in ms (how far its clock is ahead),
    /// overriding the estimate from shared request ids: SYSTEM=MS.
    #[arg(long = "clock-offset", value_name = "SYSTEM=MS", allow_hyphen_values = true)]
    pub clock_offset: Vec<String>,
    /// Logs of a healthy period or run, walked like the inputs (repeatable):
    /// a series as frequent there as here is background, never a cause.
    /// `history` takes the earlier runs of --history instead.
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,
    /// Keep each run in this SQLite database and report what is new since
    /// the previous run of the scope; the exit status is then 1 only when
    /// a cause is new or much worse.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// What runs are compared within (default: the scanned paths).
    #[arg(long, value_name = "NAME", requires = "history")]
    pub history_scope: Option<String>,
    /// File or update one ticket per incident after the summary is written:
    /// webhook:URL, github:OWNER/REPO or jira:URL#PROJECT (tokens from the
    /// environment; exit 3 when posting fails).
    #[arg(long, value_name = "TARGET")]
    pub post: Option<String>,
    /// Another server for the --post target's API (GitHub Enterprise, tests).
    #[arg(long, value_name = "URL", requires = "post")]
    pub api_base: Option<String>,
    /// Seconds the post may take, retries included.
    #[arg(long, value_name = "SECS", default_value_t = 60, requires = "post")]
    pub post_timeout: u64,
    /// Keep secrets (tokens, passwords, API keys, cookies...) in evidence
    /// and templates; by default they read `[REDACTED:kind]`.
    #[arg(long)]
    pub no_redact: bool,
    /// Colour in the text report: auto (on a terminal, unless NO_COLOR is
    /// set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit 2 when any input is skipped.
    #[arg(long)]
    pub strict: bool,
    /// Write a partial summary to FILE (`faultline.partial/v1`) instead of
    /// a report, for `faultline merge` to rank with others; the window,
    /// clock offsets and reporting belong to that merge.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["since", "until", "format", "output", "clock_offset", "baseline", "history", "post"]
    )]
    pub partial: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    Text,
    Json,
    Markdown,
    Html,
}

#[derive(Args, Debug)]
pub struct MineArgs {
    /// Log files to mine.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per input line, in input order.
    #[arg(long)]
    pub per_line: bool,
    /// Keep secrets in template texts (they are masked by default).
    #[arg(long)]
    pub no_redact: bool,
    /// Show only the N most frequent templates (not with --per-line).
    #[arg(long, value_name = "N", conflicts_with = "per_line")]
    pub top: Option<usize>,
    /// The table as text or JSON (`faultline.mine/v1`); --per-line is
    /// always JSON lines.
    #[arg(long, value_enum, default_value = "text", conflicts_with = "per_line")]
    pub format: HistoryFormat,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The database `scan --history` writes.
    pub db: PathBuf,
    #[command(subcommand)]
    pub query: HistoryQuery,
    /// Output format (default: text on a terminal, json otherwise).
    #[arg(long, value_enum, global = true)]
    pub format: Option<HistoryFormat>,
}

#[derive(Subcommand, Debug)]
pub enum HistoryQuery {
    /// Every run, newest first.
    List {
        /// Only the runs of this scope.
        #[arg(long, value_name = "NAME")]
        scope: Option<String>,
    },
    /// One run: its causes and series.
    Show {
        /// The run id (from `list`).
        run: i64,
    },
    /// What changed from RUN_A to RUN_B.
    Diff {
        /// The earlier run.
        run_a: i64,
        /// The later run.
        run_b: i64,
    },
}

/// Text for people, JSON for programs (`history`, `mine`).
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum HistoryFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum PatternsCommand {
    /// List every signature.
    List(PatternSource),
    /// Check pattern files (DIR, or the built-in catalog) and run every
    /// signature's examples and counter-examples.
    Check {
        /// A directory of pattern files to check alone.
        dir: Option<PathBuf>,
    },
    /// Tell whether LINE is attributed to SIGNATURE_ID.
    Test {
        /// The signature id.
        signature_id: String,
        /// The log line.
        line: String,
        #[command(flatten)]
        source: PatternSource,
    },
    /// Print the literals the scanner searches for, one a line.
    Literals(PatternSource),
}

#[derive(Args, Debug)]
pub struct PatternSource {
    /// Add the pattern files of DIR.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
    /// Leave the built-in catalog out.
    #[arg(long)]
    pub no_builtin_patterns: bool,
}

impl ScanArgs {
    /// Checks what can be checked without I/O and builds the config.
    pub fn into_config(self, stdout_is_terminal: bool) -> Result<ScanConfig, String> {
        let mut inputs: Vec<Input> =
            self.paths.into_iter().map(|path| Input { system: None, path }).collect();
        for spec in &self.systems {
            let (name, path) = spec
                .split_once('=')
                .filter(|(n, p)| !n.is_empty() && !p.is_empty())
                .ok_or_else(|| format!("--system takes NAME=PATH, got {spec:?}"))?;
            inputs.push(Input { system: Some(name.to_string()), path: PathBuf::from(path) });
        }
        if inputs.is_empty() {
            return Err("nothing to scan: give a path (a folder of logs, a file, or - for stdin)".into());
        }
        if inputs.iter().filter(|i| i.path.as_os_str() == "-").count() > 1 {
            return Err("stdin (-) can be given once".into());
        }
        let mut config = ScanConfig::new(inputs);
        for tz in &self.tz {
            match tz.split_once('=') {
                Some((system, zone)) => config.zones.push((system.to_string(), Zone::parse(zone)?)),
                None => {
                    config.default_zone = Zone::parse(tz)?;
                    config.default_zone_stated = true;
                }
            }
        }
        if let Some(b) = self.block_size {
            config.block_size = b.max(1);
        }
        config.byte_span = self.byte_range.as_deref().map(byte_span).transpose()?;
        self.report.apply(&mut config, stdout_is_terminal)?;
        Ok(config)
    }
}

impl MergeArgs {
    /// The config of a merge: the partials are its inputs.
    pub fn into_config(self, stdout_is_terminal: bool) -> Result<ScanConfig, String> {
        let inputs = self.partials.into_iter().map(|path| Input { system: None, path }).collect();
        let mut config = ScanConfig::new(inputs);
        config.input_kind = InputKind::Partials;
        self.report.apply(&mut config, stdout_is_terminal)?;
        Ok(config)
    }
}

impl ReportArgs {
    /// Checks the options `scan` and `merge` share and sets them.
    fn apply(self, config: &mut ScanConfig, stdout_is_terminal: bool) -> Result<(), String> {
        let format = match self.format {
            Some(FormatArg::Json) => Format::Json,
            Some(FormatArg::Text) => Format::Text,
            Some(FormatArg::Markdown) => Format::Markdown,
            Some(FormatArg::Html) => Format::Html,
            None if stdout_is_terminal && self.output.is_none() => Format::Text,
            None => Format::Json,
        };
        for spec in &self.clock_offset {
            let parsed = spec
                .split_once('=')
                .and_then(|(s, ms)| Some((s.to_string(), ms.trim().parse::<i64>().ok()?)));
            match parsed {
                Some((_, ms)) if ms.unsigned_abs() > MAX_CLOCK_OFFSET_MS => {
                    return Err(format!(
                        "--clock-offset {spec:?}: at most {} days either way (a larger offset is not a clock skew)",
                        MAX_CLOCK_OFFSET_MS / 86_400_000
                    ))
                }
                Some(p) if !p.0.is_empty() => config.clock_offsets.push(p),
                _ => return Err(format!("--clock-offset takes SYSTEM=MS (e.g. erp=-4200), got {spec:?}")),
            }
        }
        for path in &self.baseline {
            if path.as_os_str() == "history" && !path.exists() {
                if self.history.is_none() {
                    return Err(
                        "--baseline history needs --history FILE (the database of earlier runs)".into()
                    );
                }
                config.baseline_history = true;
                continue;
            }
            if path.as_os_str() == "-" {
                return Err("--baseline takes a path, not stdin".into());
            }
            config.baselines.push(path.clone());
        }
        if config.baseline_history && !config.baselines.is_empty() {
            return Err("--baseline history cannot be mixed with --baseline PATH: give one of them".into());
        }
        config.history = self.history;
        config.history_scope = self.history_scope;
        if let Some(target) = &self.post {
            let target = faultline::post::Target::parse(target)?;
            config.post = Some(faultline::post::PostConfig {
                target,
                api_base: self.api_base,
                budget: std::time::Duration::from_secs(self.post_timeout.clamp(1, 3600)),
            });
        }
        config.since = self.since.as_deref().map(TimeBound::parse).transpose()?;
        config.until = self.until.as_deref().map(TimeBound::parse).transpose()?;
        config.pattern_dirs = self.patterns;
        config.builtin_patterns = !self.no_builtin_patterns;
        if self.no_builtin_patterns && config.pattern_dirs.is_empty() {
            return Err("--no-builtin-patterns needs --patterns DIR".into());
        }
        config.format = format;
        config.output = self.output;
        config.top = self.top;
        if self.jobs == Some(0) {
            return Err("--jobs must be at least 1".into());
        }
        // more threads than this only cost time to start
        config.jobs = self.jobs.map(|j| j.min(MAX_JOBS));
        config.strict = self.strict;
        config.redact = !self.no_redact;
        config.partial = self.partial;
        Ok(())
    }
}
