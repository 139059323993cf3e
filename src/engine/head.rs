//! Finding the head of the event a hit line belongs to: the line itself,
//! the first line of a trace whose every line carries the header, or the
//! nearest line above with a time (never across a blank line).

use super::MAX_EVENT_LINES;
use crate::read;
use crate::timestamp::{Detector, Stamp};
use crate::trace::{self, Continuation};

pub(super) fn count_newlines(b: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', b).count()
}

pub(super) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

pub(super) fn line_at(buf: &[u8], start: usize, end: usize) -> &[u8] {
    let e = memchr::memchr(b'\n', &buf[start..end]).map_or(end, |i| start + i);
    trim_cr(&buf[start..e])
}

/// The head of the event a line belongs to.
#[derive(Clone, Copy, Debug)]
pub(super) struct Head {
    /// Offset of the head line in the block buffer.
    pub(super) start: usize,
    /// Lines from the head down to the line.
    pub(super) back: usize,
    /// The head's time.
    pub(super) stamp: Option<Stamp>,
    /// How the line itself continues the line before it.
    pub(super) continuation: Continuation,
}

/// The last head found in a block, so that the lines of one long trace
/// are not walked back again for each line.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct HeadCache {
    last: Option<(usize, Head)>,
}

/// The head of the event a line belongs to. A line with its own time is
/// its own head, unless it continues a trace whose every line carries the
/// header ([`crate::trace`]); a line without one belongs to the nearest
/// line above with a time.
pub(super) fn find_head(
    buf: &[u8],
    line_start: usize,
    line: &[u8],
    det: &mut Detector,
    cache: &mut HeadCache,
) -> Head {
    let floor = line_start.saturating_sub(read::BACK_CONTEXT as usize);
    // The line before `start` (its start, and the line), if it is in the
    // context and not cut by its edge.
    let previous = |start: usize| -> Option<(usize, &[u8])> {
        if start <= floor || start == 0 {
            return None;
        }
        let prev_end = start - 1; // the '\n' ending the previous line
        let prev_start = memchr::memrchr(b'\n', &buf[floor..prev_end]).map_or(floor, |i| floor + i + 1);
        if prev_start == floor && floor != 0 {
            return None; // the line may begin before the context
        }
        Some((prev_start, trim_cr(&buf[prev_start..prev_end])))
    };
    if let Some(own) = det.find(line) {
        let own_head = Head { start: line_start, back: 0, stamp: Some(own), continuation: Continuation::No };
        let mut start = line_start;
        let mut current = line;
        let mut continuation = Continuation::No;
        for back in 1..MAX_EVENT_LINES {
            let Some((prev_start, prev)) = previous(start) else { break };
            let c = trace::continues(prev, current);
            if c == Continuation::No {
                break;
            }
            if back == 1 {
                continuation = c;
            }
            if let Some((cached_line, head)) = cache.last.filter(|(at, _)| *at == prev_start) {
                let _ = cached_line;
                let found = Head { back: head.back + back, continuation, ..head };
                cache.last = Some((line_start, found));
                return found;
            }
            start = prev_start;
            current = prev;
        }
        if start == line_start {
            cache.last = Some((line_start, own_head));
            return own_head;
        }
        let head_line = line_at(buf, start, buf.len());
        let back = count_newlines(&buf[start..line_start]);
        let found = Head { start, back, stamp: det.find(head_line).or(Some(own)), continuation };
        cache.last = Some((line_start, found));
        return found;
    }
    let mut start = line_start;
    for back in 1..MAX_EVENT_LINES {
        let Some((prev_start, prev)) = previous(start) else { break };
        if let Some(s) = det.find(prev) {
            return Head { start: prev_start, back, stamp: Some(s), continuation: Continuation::Frame };
        }
        if prev.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            break; // a blank line ends an event
        }
        start = prev_start;
    }
    Head { start: line_start, back: 0, stamp: None, continuation: Continuation::No }
}
