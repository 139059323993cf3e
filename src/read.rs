//! Bytes of one source, in line-aligned blocks, never by memory map.
//!
//! Why no mmap: a mapped file that is truncated while it is read (logrotate
//! `copytruncate`, the commonest fault of live logs) kills the process with
//! SIGBUS, and no Rust code can catch that (RELIABILITY.md item 1; ripgrep
//! accepts the crash, lnav avoids mmap). Reading by offset (`pread`) into a
//! reused per-thread buffer costs one copy from the page cache, which the
//! scan benchmark shows is far below the cost of matching, and a file that
//! shrinks under us just ends early: the part read is kept and a
//! [`Warning`](crate::source::Warning) says so.
//!
//! Plain files are cut into [`RangeBlock`]s read independently in parallel.
//! A block owns the lines that *start* inside its byte range: it reads one
//! byte before its start to know whether a line starts there, and reads past
//! its end until the line that straddles it ends. The blocks of a file thus
//! partition its lines exactly, whatever their size. Streams (gzip, stdin,
//! UTF-16) are read in order by one task, which cuts them the same way.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::fs::FileExt;

/// The longest line searched; the rest of a longer line is not read (lnav
/// caps at 4 MiB, Vector discards).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// A byte range of a plain file to process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeBlock {
    /// Source id.
    pub source: u32,
    /// Index of the block within its source.
    pub index: u32,
    /// Where the file's text begins (after a NUL head).
    pub file_start: u64,
    /// The range whose line starts the block owns.
    pub range: Range<u64>,
    /// The file's length when discovered; nothing past it is read.
    pub file_len: u64,
}

/// Cuts `[file_start, len)` into blocks of about `block_size` bytes.
pub fn plan(source: u32, file_start: u64, len: u64, block_size: u64) -> Vec<RangeBlock> {
    let block_size = block_size.max(1);
    let mut out = Vec::new();
    let mut start = file_start;
    while start < len {
        let end = (start + block_size).min(len);
        out.push(RangeBlock {
            source,
            index: out.len() as u32,
            file_start,
            range: start..end,
            file_len: len,
        });
        start = end;
    }
    out
}

/// What reading a block gave.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    /// The lines the block owns, as a range of the buffer.
    pub owned: Range<usize>,
    /// File offset of `buf[0]`.
    pub buf_offset: u64,
    /// The file ended before its discovered length (truncated under us):
    /// the length seen.
    pub shrank_to: Option<u64>,
    /// A line longer than [`MAX_LINE`] was cut at this file offset.
    pub line_cut_at: Option<u64>,
}

const EXTEND_STEP: usize = 64 * 1024;

/// Bytes of context kept before a block's first line, so that a
/// continuation line can find the head of its event whatever the block
/// size (see `engine`).
pub const BACK_CONTEXT: u64 = 64 * 1024;

/// A reusable read buffer: its storage keeps its high-water size, so a new
/// block is read into memory that is already there, with no zeroing (a
/// `Vec` cleared and resized is zeroed again for every block, which cost
/// 3.5% of a scan).
#[derive(Debug, Default)]
pub struct BlockBuf {
    data: Vec<u8>,
    len: usize,
}

impl BlockBuf {
    /// Forgets the content, keeps the storage.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends up to `len` bytes read at `offset`; returns how many (fewer
    /// at end of file).
    fn pread_append(&mut self, file: &File, offset: u64, len: usize) -> io::Result<usize> {
        let old = self.len;
        if self.data.len() < old + len {
            self.data.resize(old + len, 0);
        }
        let mut n = 0;
        while n < len {
            match file.read_at(&mut self.data[old + n..old + len], offset + n as u64) {
                Ok(0) => break,
                Ok(k) if k > len - n => {
                    self.len = old + n;
                    return Err(io::Error::other(format!(
                        "the system returned {k} bytes for a read of {}",
                        len - n
                    )));
                }
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.len = old + n;
                    return Err(e);
                }
            }
        }
        self.len = old + n;
        Ok(n)
    }
}

impl std::ops::Deref for BlockBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.data[..self.len]
    }
}

/// Reads a block into `buf` (reused) and finds the lines it owns. Up to
/// [`BACK_CONTEXT`] bytes before them are read too.
pub fn read_block(file: &File, block: &RangeBlock, buf: &mut BlockBuf) -> io::Result<ReadOutcome> {
    let start = block.range.start;
    let read_from = start.saturating_sub(BACK_CONTEXT).max(block.file_start);
    let want = (block.range.end - read_from) as usize;
    buf.clear();
    let mut out = ReadOutcome { buf_offset: read_from, ..Default::default() };
    let got = buf.pread_append(file, read_from, want)?;
    if got < want {
        out.shrank_to = Some(read_from + got as u64);
    }
    // First line start at or after `start`.
    let owned_start = if start == block.file_start {
        0
    } else {
        let from = (start - 1 - read_from) as usize;
        match memchr::memchr(b'\n', buf.get(from..).unwrap_or_default()) {
            Some(i) if ((from + i) as u64) + read_from < block.range.end - 1 => from + i + 1,
            _ => return Ok(out), // no line starts in this block
        }
    };
    if owned_start >= buf.len() {
        return Ok(out);
    }
    // The owned lines end after the first '\n' at or after `end - 1`.
    let tail_from = (block.range.end - 1 - read_from) as usize;
    let mut search_from = tail_from.min(buf.len());
    let limit = (block.file_len - read_from) as usize;
    loop {
        if let Some(i) = memchr::memchr(b'\n', &buf[search_from..]) {
            out.owned = owned_start..search_from + i + 1;
            return Ok(out);
        }
        if out.shrank_to.is_some() || buf.len() >= limit {
            break;
        }
        if buf.len() - tail_from > MAX_LINE {
            out.line_cut_at = Some(read_from + buf.len() as u64);
            break;
        }
        search_from = buf.len();
        let step = EXTEND_STEP.min(limit - buf.len());
        let offset = read_from + buf.len() as u64;
        let n = buf.pread_append(file, offset, step)?;
        if n < step {
            out.shrank_to = Some(offset + n as u64);
        }
    }
    out.owned = owned_start..buf.len();
    Ok(out)
}

/// Cuts a stream into line-aligned blocks of about `block_size` bytes and
/// hands each to `sink(buf, owned, offset_of_buf)`, where `buf[owned]` are
/// the block's lines and up to [`BACK_CONTEXT`] bytes before them are the
/// end of the previous block. A stream error ends the stream: the bytes
/// before it are handed on and the error returned with its offset.
pub fn for_each_stream_block(
    mut reader: impl Read,
    block_size: usize,
    mut sink: impl FnMut(&[u8], Range<usize>, u64),
) -> Result<u64, (u64, io::Error)> {
    let block_size = block_size.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(block_size + EXTEND_STEP);
    let mut offset = 0u64; // stream offset of buf[0]
    let mut ctx = 0usize; // context bytes at the head of buf
    loop {
        let old = buf.len();
        let want = block_size.max(EXTEND_STEP.min(block_size * 2));
        buf.resize(old + want, 0);
        let n = match read_some(&mut reader, &mut buf[old..]) {
            Ok(n) => n,
            Err(e) => {
                buf.truncate(old);
                if buf.len() > ctx {
                    sink(&buf, ctx..buf.len(), offset);
                }
                return Err((offset + old as u64, e));
            }
        };
        buf.truncate(old + n);
        if n == 0 {
            if buf.len() > ctx {
                sink(&buf, ctx..buf.len(), offset);
            }
            return Ok(offset + buf.len() as u64);
        }
        if buf.len() - ctx < block_size {
            continue;
        }
        let cut = match memchr::memrchr(b'\n', &buf[ctx..]) {
            Some(i) => ctx + i + 1,
            None if buf.len() - ctx > MAX_LINE => buf.len(),
            None => continue,
        };
        sink(&buf, ctx..cut, offset);
        let keep = (BACK_CONTEXT as usize).min(cut);
        buf.drain(..cut - keep);
        offset += (cut - keep) as u64;
        ctx = keep;
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub fn read_full<R: Read + ?Sized>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// The decoder of a stream source's kind around `$r`, boxed as `$boxed`
/// (written once for the two boxes below).
macro_rules! decoder {
    ($kind:expr, $r:expr, $boxed:ty) => {{
        use crate::source::SourceKind;
        let b: $boxed = match $kind {
            SourceKind::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new($r)),
            SourceKind::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer($r)?),
            SourceKind::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new($r)),
            SourceKind::Xz => Box::new(xz2::bufread::XzDecoder::new_multi_decoder($r)),
            SourceKind::Utf16 { big_endian } => Box::new(Utf16Reader::new($r, big_endian)),
            SourceKind::LoneCr => Box::new(LoneCrReader($r)),
            SourceKind::Plain | SourceKind::Stdin | SourceKind::Member { .. } => Box::new($r),
        };
        Ok(b)
    }};
}

/// The bytes of a stream source as text: decompressed (every gzip member,
/// zstd frame, bzip2 or xz stream, so that concatenated rotations read
/// whole) or transcoded from UTF-16; anything else as it is.
pub fn decoded<'a, R: std::io::BufRead + 'a>(
    kind: crate::source::SourceKind,
    r: R,
) -> std::io::Result<Box<dyn Read + 'a>> {
    decoder!(kind, r, Box<dyn Read + 'a>)
}

/// [`decoded`], for a reader that is sent to another thread.
pub fn decoded_send<'a, R: std::io::BufRead + Send + 'a>(
    kind: crate::source::SourceKind,
    r: R,
) -> std::io::Result<Box<dyn Read + Send + 'a>> {
    decoder!(kind, r, Box<dyn Read + Send + 'a>)
}

/// Transcodes UTF-16 (after its BOM) to UTF-8 as it is read; invalid
/// sequences become U+FFFD.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    pending: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    started: bool,
}

impl<R: Read> Utf16Reader<R> {
    /// Wraps a reader positioned at the BOM.
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader { inner, big_endian, pending: Vec::new(), out: Vec::new(), out_pos: 0, started: false }
    }

    fn refill(&mut self) -> io::Result<bool> {
        let mut raw = [0u8; 64 * 1024];
        let n = read_some(&mut self.inner, &mut raw)?;
        if n == 0 && self.pending.is_empty() {
            return Ok(false);
        }
        self.pending.extend_from_slice(&raw[..n]);
        if !self.started && self.pending.len() >= 2 {
            self.pending.drain(..2);
            self.started = true;
        }
        let usable = if n == 0 { self.pending.len() } else { self.pending.len() & !1 };
        let units: Vec<u16> = self.pending[..usable & !1]
            .chunks_exact(2)
            .map(|c| {
                if self.big_endian {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        // Keep a trailing high surrogate for the next read.
        let mut keep_units = 0;
        if n != 0 {
            if let Some(&last) = units.last() {
                if (0xD800..0xDC00).contains(&last) {
                    keep_units = 1;
                }
            }
        }
        let take = units.len() - keep_units;
        self.out.clear();
        self.out_pos = 0;
        let mut tmp = [0u8; 4];
        for c in char::decode_utf16(units[..take].iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        let consumed = take * 2;
        self.pending.drain(..consumed.min(self.pending.len()));
        if n == 0 {
            self.pending.clear();
        }
        Ok(true)
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Text whose lines end in a lone CR, read with each CR as an LF.
pub struct LoneCrReader<R>(pub R);

impl<R: Read> Read for LoneCrReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn owned_lines(content: &[u8], block_size: u64) -> Vec<Vec<u8>> {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(content).unwrap();
        let mut lines = Vec::new();
        let mut buf = BlockBuf::default();
        for b in plan(0, 0, content.len() as u64, block_size) {
            let out = read_block(&f, &b, &mut buf).unwrap();
            let owned = &buf[out.owned.clone()];
            for l in owned.split_inclusive(|&c| c == b'\n') {
                lines.push(l.to_vec());
            }
        }
        lines
    }

    #[test]
    fn blocks_partition_lines_for_every_size() {
        let content = b"a\nbb\n\nccc\ndddd\ne";
        let want = owned_lines(content, 1000);
        assert_eq!(want.len(), 6);
        for size in 1..20 {
            assert_eq!(owned_lines(content, size), want, "block size {size}");
        }
    }

    #[test]
    fn stream_blocks_are_line_aligned() {
        let content = b"one\ntwo\nthree\nfour";
        for size in 1..10 {
            let mut got = Vec::new();
            let mut offsets = Vec::new();
            for_each_stream_block(&content[..], size, |b, owned, off| {
                offsets.push(off);
                let lines = &b[owned.clone()];
                got.extend_from_slice(lines);
                assert!(lines.ends_with(b"\n") || off as usize + owned.end == content.len());
            })
            .unwrap();
            assert_eq!(got, content);
        }
    }

    #[test]
    fn utf16_transcodes() {
        let text = "héllo 😀\nworld\n";
        for be in [false, true] {
            let mut bytes = if be { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
            for u in text.encode_utf16() {
                bytes.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let mut out = String::new();
            Utf16Reader::new(&bytes[..], be).read_to_string(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }
}
