//! The per-block work of the scan: the matcher's hits in one block turned
//! into events and unnamed error lines (each attributed to its head), the
//! block's line count and its traffic sample.

use super::head::{count_newlines, find_head, line_at, trim_cr, HeadCache};
use super::*;
use crate::trace::Continuation;

/// How many lines at each end of a block are tried for its traffic sample.
const SAMPLE_TRIES: usize = 16;

impl Ctx<'_> {
    /// Matches one block: `buf[owned]` are its lines, bytes before are
    /// context from earlier in the source.
    pub(super) fn scan_block(
        &self,
        source: &Source,
        buf: &[u8],
        owned: Range<usize>,
        buf_offset: u64,
        det: &mut Detector,
        w: &mut Worker,
    ) -> BlockResult {
        let mut r = BlockResult { bytes: owned.len() as u64, ..Default::default() };
        if owned.is_empty() {
            return r;
        }
        w.hits.clear();
        let hits = &mut w.hits;
        self.matcher.for_each_hit(buf, owned.start, owned.end, &mut w.scratch, |h| hits.push(h));
        let mut cursor = owned.start;
        let mut line_index = 0i64;
        let mut heads = HeadCache::default();
        for hit in hits.iter() {
            line_index += count_newlines(&buf[cursor..hit.line_start]) as i64;
            cursor = hit.line_start;
            let line = &buf[hit.line_start..hit.line_end];
            if let Some(rule) = self.matcher.change_of(hit.sig) {
                // kept when it has its own time: a change is placed before or
                // after an onset, and one inside a trace is not a change
                if r.changes.len() >= CHANGES_PER_SOURCE {
                    r.changes_over += 1;
                } else if let Some(stamp) = det.find(line) {
                    r.changes.push((
                        line_index,
                        ChangeLine {
                            source: source.id,
                            line: 0,
                            ts: event::event_ms(stamp),
                            whole_second: stamp.whole_second,
                            rule,
                            text: evidence_text(line).into_boxed_str(),
                        },
                    ));
                }
                continue;
            }
            if hit.sig == UNNAMED {
                // A block never needs more than the source keeps: the merge
                // keeps the first UNNAMED_PER_SOURCE in order, so this cap
                // does not depend on the block size.
                let is_error = matches!(event::level(line), Some(Level::Error | Level::Warn | Level::Fatal));
                if is_error && r.unnamed.len() >= UNNAMED_PER_SOURCE {
                    r.unnamed_over += 1;
                } else if is_error {
                    // a line with no time of its own (inside a trace or a
                    // pretty-printed record) belongs to its head, like a hit
                    let head = find_head(buf, hit.line_start, line, det, &mut heads);
                    let rel = line_index - head.back as i64;
                    let known = r.events.last().is_some_and(|e| e.0 == rel);
                    match r.unnamed.last_mut().filter(|u| u.rel == rel) {
                        Some(u) if head.continuation == Continuation::Exception && u.exception.is_none() => {
                            u.exception = Some(evidence_text(line).into_boxed_str());
                        }
                        Some(u) if !u.client_trace => u.client_trace = crate::trace::is_client_frame(line),
                        Some(_) => {}
                        None if !known => {
                            let head_line = line_at(buf, head.start, buf.len());
                            r.unnamed.push(UnnamedInBlock {
                                rel,
                                ts: head.stamp.map(event::event_ms),
                                whole_second: head.stamp.is_some_and(|s| s.whole_second),
                                text: evidence_text(head_line).into_boxed_str(),
                                request_id: event::request_id(head_line).or_else(|| event::request_id(line)),
                                level: event::level(head_line)
                                    .or(event::level(line))
                                    .unwrap_or(Level::Unknown),
                                exception: None,
                                client_trace: false,
                            });
                        }
                        None => {}
                    }
                }
                continue;
            }
            let head = find_head(buf, hit.line_start, line, det, &mut heads);
            let (head_start, back_lines, stamp) = (head.start, head.back, head.stamp);
            let head_end = memchr::memchr(b'\n', &buf[head_start..]).map_or(buf.len(), |i| head_start + i);
            let head = trim_cr(&buf[head_start..head_end]);
            let rel = line_index - back_lines as i64;
            if back_lines > 0 && r.unnamed.last().is_some_and(|u| u.rel == rel) {
                // the head was kept as an unnamed error line before its
                // trace showed what it is: one event, not two
                r.unnamed.pop();
            }
            let fields = event::extract(line, det);
            let level = event::level(head).or(fields.level).unwrap_or(Level::Unknown);
            // Evidence is read again at report time for the few events shown;
            // only a stream that cannot be read twice (or a partial) keeps
            // it now.
            let keep = source.kind.read_once() || self.evidence == EvidenceText::Keep;
            let text = keep.then(|| {
                let mut text = evidence_text(head);
                if back_lines > 0 {
                    text.push('\n');
                    text.push_str(&evidence_text(line));
                }
                text.into_boxed_str()
            });
            let ev = Event {
                source: source.id,
                line: 0,
                offset: buf_offset + head_start as u64,
                ts: stamp.map(event::event_ms).or(fields.ts),
                whole_second: stamp.map_or(fields.whole_second, |s| s.whole_second),
                handled_adjust_ms: event::handled_adjust_ms(head),
                sig: hit.sig,
                level,
                status: fields.status.or_else(|| event::http_status(head)),
                request_id: fields.request_id.or_else(|| event::request_id(head)),
                text,
                hit_offset: (back_lines > 0).then_some(buf_offset + hit.line_start as u64),
                remote: event::is_remote_view(line) || event::is_remote_view(head),
                deadline: event::mentions_deadline(line) || event::mentions_deadline(head),
            };
            r.events.push((rel, ev));
        }
        r.newlines = line_index as u64 + count_newlines(&buf[cursor..owned.end]) as u64;
        r.unterminated = buf[owned.end - 1] != b'\n';
        // Traffic sample: the times of the block's first and last timed
        // lines (a file may open with untimed lines: a W3C `#Fields:`
        // header, a banner), looked for among a few lines at each end.
        let lines = r.newlines + u64::from(r.unterminated);
        let mut first = None;
        let mut at = owned.start;
        for _ in 0..SAMPLE_TRIES {
            if at >= owned.end {
                break;
            }
            first = det.find(line_at(buf, at, owned.end));
            if first.is_some() {
                break;
            }
            at = memchr::memchr(b'\n', &buf[at..owned.end]).map_or(owned.end, |i| at + i + 1);
        }
        let mut last = None;
        let mut end = owned.end;
        for _ in 0..SAMPLE_TRIES {
            if end <= owned.start {
                break;
            }
            // the start of the line that ends at `end` (its newline excluded)
            let body_end = if buf[end - 1] == b'\n' { end - 1 } else { end };
            let start = memchr::memrchr(b'\n', &buf[owned.start..body_end])
                .map_or(owned.start, |i| owned.start + i + 1);
            last = det.find(line_at(buf, start, owned.end));
            if last.is_some() {
                break;
            }
            end = start;
        }
        for s in [first, last].into_iter().flatten() {
            r.layouts.push((s.layout, s.written_offset_s));
        }
        if let (Some(a), Some(b)) = (first, last) {
            r.volume = Some((a.ms, b.ms, lines));
        }
        r
    }
}
