//! The run's clock and window: every time the summary reads goes through
//! one corrected clock, a plausible span (lines dated far from the rest
//! stay out) and the `--since/--until` window.

use super::series::Series;
use super::timeline::{self, Timeline};
use super::Inputs;

/// One clock and one window for the whole summary.
pub(super) struct Frame {
    /// Per-system and per-source corrections.
    pub(super) clocks: Timeline,
    /// Where the run's times plausibly are, on the common clock.
    plausible: Option<(i64, i64)>,
    /// `--since`, resolved against the newest believable event.
    since: Option<i64>,
    /// `--until`, resolved likewise.
    until: Option<i64>,
}

impl Frame {
    /// The clock of `inp`, its plausible span and its window.
    pub(super) fn new(inp: &Inputs<'_>) -> Frame {
        let clocks = timeline::timeline(inp);
        let plausible = timeline::plausible_range(inp, &clocks);
        let mut frame = Frame { clocks, plausible, since: None, until: None };
        let newest = (inp.data.events.iter())
            .filter_map(|e| frame.correct(e.source, e.ts))
            .filter(|&t| frame.believable(t))
            .max();
        frame.since = inp.since.zip(newest).map(|(b, n)| b.resolve(n));
        frame.until = inp.until.zip(newest).map(|(b, n)| b.resolve(n));
        frame
    }

    /// A source's time on the common clock.
    pub(super) fn correct(&self, source: u32, ts: Option<i64>) -> Option<i64> {
        ts.map(|t| self.clocks.correct(source, t))
    }

    /// Not dated far from every other line.
    pub(super) fn believable(&self, t: i64) -> bool {
        self.plausible.is_none_or(|(a, b)| t >= a && t <= b)
    }

    /// Inside the window (a line without a time is, when there is none).
    pub(super) fn in_window(&self, ts: Option<i64>) -> bool {
        match ts {
            Some(t) => {
                self.believable(t) && self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
            }
            None => self.since.is_none() && self.until.is_none(),
        }
    }

    /// The summary's window: every time seen, occurrences and each file's
    /// traffic samples, within `--since/--until`.
    pub(super) fn bounds(&self, inp: &Inputs<'_>, series: &[Series<'_>]) -> (Option<i64>, Option<i64>) {
        let all_ts = || series.iter().flat_map(|s| s.occ.iter().filter_map(|o| o.shown_ts()));
        let mut lo = all_ts().min();
        let mut hi = all_ts().max();
        for (source, ps) in inp.data.per_source.iter().enumerate() {
            let off = self.clocks.source_offset(source as u32);
            for &(a, b, _) in &ps.volume {
                let (a, b) = (a - off, b - off);
                if !self.believable(a) || !self.believable(b) {
                    continue;
                }
                let (a, b) = (self.since.map_or(a, |s| a.max(s)), self.until.map_or(b, |u| b.min(u)));
                lo = Some(lo.map_or(a, |l| l.min(a)));
                hi = Some(hi.map_or(b, |h| h.max(b)));
            }
        }
        (lo, hi)
    }
}
