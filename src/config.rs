//! Plain data that says what a command should do, built by `cli` (or a
//! test) and read by the library. No I/O happens here.

use crate::discover::Input;
use crate::timestamp::user::TimeBound;
use crate::timestamp::Zone;
use std::path::PathBuf;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For a terminal.
    Text,
    /// The JSON summary of INTERFACE.md.
    Json,
    /// GitHub-flavoured Markdown, for a ticket or a chat message.
    Markdown,
    /// One self-contained HTML page with a timeline per system.
    Html,
}

/// What the inputs of a run are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// Log files and directories (`scan`).
    Logs,
    /// Partials that `scan --partial` wrote (`merge`); `--baseline` paths
    /// are partials too.
    Partials,
}

/// Everything `scan` (and `merge`) needs.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    /// Paths to scan, with their system names when given.
    pub inputs: Vec<Input>,
    /// Whether those paths are logs or partials.
    pub input_kind: InputKind,
    /// `--partial FILE`: write what the scan found there instead of a
    /// report.
    pub partial: Option<PathBuf>,
    /// `--byte-range A-B`: with `--partial`, only the blocks of the one
    /// input file that start in this range.
    pub byte_span: Option<crate::engine::ByteSpan>,
    /// Extra pattern directories.
    pub pattern_dirs: Vec<PathBuf>,
    /// Whether the built-in catalog is used.
    pub builtin_patterns: bool,
    /// Only events at or after this time count.
    pub since: Option<TimeBound>,
    /// Only events at or before this time count.
    pub until: Option<TimeBound>,
    /// Zone of zoneless times, per system (`--tz SYSTEM=ZONE`).
    pub zones: Vec<(String, Zone)>,
    /// Zone of zoneless times elsewhere.
    pub default_zone: Zone,
    /// `default_zone` was given by `--tz ZONE` (else it is the machine's,
    /// assumed).
    pub default_zone_stated: bool,
    /// Report format.
    pub format: Format,
    /// Where the report goes (stdout when `None`); never scanned.
    pub output: Option<PathBuf>,
    /// How many causes to report.
    pub top: usize,
    /// Worker threads (all cores when `None`).
    pub jobs: Option<usize>,
    /// Skipped input makes the run fail (exit 2).
    pub strict: bool,
    /// Size of the blocks a file is cut into for the workers.
    pub block_size: usize,
    /// Colour in the text report.
    pub color: bool,
    /// `--clock-offset SYSTEM=MS`: a system's clock offset, overriding the
    /// estimate.
    pub clock_offsets: Vec<(String, i64)>,
    /// `--baseline PATH`: logs of a healthy period or run, walked like the
    /// inputs; series as frequent there as here are background.
    pub baselines: Vec<PathBuf>,
    /// Secrets in evidence and templates are masked (`--no-redact` keeps them).
    pub redact: bool,
    /// `--baseline history`: the history's earlier runs are what is normal.
    pub baseline_history: bool,
    /// `--history FILE`: the database of runs.
    pub history: Option<PathBuf>,
    /// `--history-scope NAME` (default: the inputs' paths).
    pub history_scope: Option<String>,
    /// `--post TARGET`: the ticket to file or update after the summary.
    pub post: Option<crate::post::PostConfig>,
}

impl ScanConfig {
    /// A configuration with defaults for the given inputs.
    pub fn new(inputs: Vec<Input>) -> ScanConfig {
        ScanConfig {
            inputs,
            input_kind: InputKind::Logs,
            partial: None,
            byte_span: None,
            pattern_dirs: Vec::new(),
            builtin_patterns: true,
            since: None,
            until: None,
            zones: Vec::new(),
            default_zone: Zone::Local,
            default_zone_stated: false,
            format: Format::Json,
            output: None,
            top: 10,
            jobs: None,
            strict: false,
            block_size: DEFAULT_BLOCK_SIZE,
            color: false,
            clock_offsets: Vec::new(),
            baselines: Vec::new(),
            redact: true,
            baseline_history: false,
            history: None,
            history_scope: None,
            post: None,
        }
    }

    /// The zone of zoneless times of a system.
    pub fn zone_of(&self, system: &str) -> Zone {
        self.zones.iter().find(|(s, _)| s == system).map_or(self.default_zone, |(_, z)| *z)
    }

    /// Whether the user named the zone of a system's zoneless times (then
    /// it is never inferred).
    pub fn zone_stated(&self, system: &str) -> bool {
        self.default_zone_stated || self.zones.iter().any(|(s, _)| s == system)
    }
}

/// Default block size: large enough that per-block overhead vanishes,
/// small enough that every core gets work on a single big file.
pub const DEFAULT_BLOCK_SIZE: usize = 4 * 1024 * 1024;
