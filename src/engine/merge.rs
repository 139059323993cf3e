//! The deterministic merge of the scan: block results in source and block
//! order, line numbers by prefix sum (`stitch`), then one event per head,
//! unnamed lines that are events left out, and each file's failure said
//! once (`settle`, which a merge of partials runs too).

use super::*;

/// What stitching left per source, for its line count.
pub(super) struct Tails {
    /// The next line number of each source.
    pub(super) next_line: Vec<u64>,
    /// Whether each source's last block with bytes ended without a newline.
    pub(super) unterminated: Vec<Option<bool>>,
}

pub(super) fn merge(sources: &[Source], results: Vec<TaskResult>, warnings: Vec<Warning>) -> ScanData {
    let (mut data, tails) = stitch(sources, results, warnings, 1);
    for (s, ps) in data.per_source.iter_mut().enumerate() {
        ps.lines = tails.next_line[s] - 1 + u64::from(tails.unterminated[s].unwrap_or(false));
        if let Some(w) = nul_head_warning(&sources[s]) {
            data.warnings.push(w);
        }
    }
    settle(&mut data, sources);
    data
}

/// The warning for a NUL head skipped, if the source had one.
pub fn nul_head_warning(source: &Source) -> Option<Warning> {
    (source.nul_head > 0).then(|| Warning {
        file: source.display.clone(),
        kind: WarningKind::NulHead,
        reason: format!("{} NUL bytes at the head skipped (a hole left by copytruncate?)", source.nul_head),
    })
}

/// Block results in order, with line numbers counted from `first_line` in
/// each source, and the per-source caps applied in block order.
pub(super) fn stitch(
    sources: &[Source],
    mut results: Vec<TaskResult>,
    mut warnings: Vec<Warning>,
    first_line: u64,
) -> (ScanData, Tails) {
    results.sort_by_key(|r| r.order);
    let mut data = ScanData { per_source: vec![SourceScan::default(); sources.len()], ..Default::default() };
    // One allocation of the final size: growing by doubling would hold up
    // to three times the events at the moment of a copy.
    data.events.reserve_exact(results.iter().flat_map(|r| &r.blocks).map(|b| b.events.len()).sum());
    let mut next_line: Vec<u64> = vec![first_line; sources.len()];
    let mut last_unterminated = vec![None; sources.len()];
    let mut kept_unnamed = vec![0usize; sources.len()];
    data.unnamed_dropped = vec![0; sources.len()];
    data.changes_dropped = vec![0; sources.len()];
    let mut kept_changes = vec![0usize; sources.len()];
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
            data.changes_dropped[s] += b.changes_over;
            for (rel, mut c) in b.changes {
                if kept_changes[s] < CHANGES_PER_SOURCE {
                    kept_changes[s] += 1;
                    c.line = (base + rel).max(1) as u64;
                    data.changes.push(c);
                } else {
                    data.changes_dropped[s] += 1;
                }
            }
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
                        client_trace: u.client_trace,
                    });
                } else {
                    data.unnamed_dropped[s] += 1;
                }
            }
            next_line[s] += b.newlines;
            if b.bytes > 0 {
                last_unterminated[s] = Some(b.unterminated);
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
    data.warnings = warnings;
    (data, Tails { next_line, unterminated: last_unterminated })
}

/// What is settled once every block of a source is in: one event per head,
/// unnamed lines that are events (or repeats) left out, each file's open or
/// shrink failure said once, warnings in source order. Running it again
/// changes nothing.
pub fn settle(data: &mut ScanData, sources: &[Source]) {
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
    data.warnings.retain(|w| match w.kind {
        WarningKind::OpenFailed | WarningKind::Truncated => seen.insert((w.file.clone(), w.kind)),
        _ => true,
    });
    // In source order, each file's in the order met, whatever order the
    // blocks ran in: the merge of partials orders them the same way.
    let order: std::collections::HashMap<&str, u32> =
        sources.iter().map(|s| (s.display.as_str(), s.id)).collect();
    data.warnings.sort_by_key(|w| order.get(w.file.as_str()).copied().unwrap_or(u32::MAX));
}
