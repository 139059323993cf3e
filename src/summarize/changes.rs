//! "What changed just before": the change records the scan found (a
//! deploy, a restart, a key rotation...), placed on the corrected clock and
//! picked for a cause: its own system's last ones in the hour before its
//! onset, and the other systems' in the ten minutes before. An on-call
//! engineer's first question, answered from INFO lines the ranking never
//! sees.

use super::timeline::Timeline;
use super::Inputs;
use crate::report::summary::{rfc3339, ChangeNote};

/// How far back the cause system's own changes are looked for.
const OWN_LOOKBACK_MS: i64 = 60 * 60 * 1000;
/// How far back the other systems' changes are looked for.
const OTHER_LOOKBACK_MS: i64 = 10 * 60 * 1000;
/// At most this many of the cause system's changes are told.
const OWN_MAX: usize = 5;
/// At most this many of the other systems' changes are told.
const OTHER_MAX: usize = 3;

/// The changes before an onset (`onset_ms` as shown: the second itself for
/// times written to the second), oldest first.
pub(super) fn before(
    inp: &Inputs<'_>,
    clocks: &Timeline,
    system: u32,
    onset_ms: i64,
    in_window: &dyn Fn(i64) -> bool,
) -> Vec<ChangeNote> {
    let d = inp.discovery;
    let mut own = Vec::new();
    let mut other = Vec::new();
    for c in &inp.data.changes {
        let t = clocks.correct(c.source, c.ts);
        if !in_window(t) {
            continue;
        }
        let shown = if c.whole_second { t - crate::event::WHOLE_SECOND_MID_MS } else { t };
        let ahead = onset_ms - shown;
        let own_system = d.sources[c.source as usize].system == system;
        let lookback = if own_system { OWN_LOOKBACK_MS } else { OTHER_LOOKBACK_MS };
        if (0..=lookback).contains(&ahead) {
            if own_system { &mut own } else { &mut other }.push((shown, c));
        }
    }
    let mut picked = Vec::new();
    for (mut list, max) in [(own, OWN_MAX), (other, OTHER_MAX)] {
        // the latest ones: nearest the onset
        list.sort_by_key(|&(t, c)| (std::cmp::Reverse(t), c.source, c.line));
        list.truncate(max);
        picked.extend(list);
    }
    picked.sort_by_key(|&(t, c)| (t, c.source, c.line));
    picked
        .into_iter()
        .map(|(t, c)| {
            let source = &d.sources[c.source as usize];
            ChangeNote {
                kind: inp.catalog.changes[c.rule as usize].kind,
                system: d.systems[source.system as usize].clone(),
                at: rfc3339(t),
                before_ms: onset_ms - t,
                file: source.display.clone(),
                line: c.line,
                text: c.text.to_string(),
            }
        })
        .collect()
}
