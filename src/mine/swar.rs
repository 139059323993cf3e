//! Eight bytes at a time (SWAR): the byte tests the miner's hottest loops
//! (field ends in `fields.rs`, token ends in `mask.rs`) run on a `u64`
//! word of a line instead of byte by byte. A result has the high bit of
//! each selected byte set; the word is read little-endian, so the lowest
//! set bit is the first selected byte of the line.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` from `i` (the caller checks `i + 8 <= b.len()`).
#[inline]
pub(super) fn word(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().unwrap())
}

/// Bytes of `w` below `n` (`n` <= 128), plus possibly some bytes above the
/// lowest such byte (a borrow), never below it: the lowest set bit is exact.
#[inline]
pub(super) fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGH
}

/// Bytes of `w` equal to `c`, as exact as [`bytes_below`]: the lowest set
/// bit is the first such byte.
#[inline]
pub(super) fn bytes_equal(w: u64, c: u8) -> u64 {
    bytes_below(w ^ (ONES * c as u64), 1)
}

/// Bytes of `w` strictly between `lo` and `hi` (both <= 127), exactly (the
/// sums cannot carry from one byte to the next).
#[inline]
pub(super) fn bytes_between(w: u64, lo: u8, hi: u8) -> u64 {
    let x = w & !HIGH;
    (ONES * (127 + hi as u64) - x) & !w & (x + ONES * (127 - lo as u64)) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_below_and_equal_are_exact_where_it_matters() {
        for x in 0u8..=255 {
            let w = u64::from_le_bytes([x, b'a', x, 0, 0xff, x, b' ', x]);
            let between = bytes_between(w, b'/' - 1, b'9' + 1);
            for k in 0..8 {
                let byte = w.to_le_bytes()[k];
                let want = (b'/'..=b'9').contains(&byte);
                assert_eq!(between >> (8 * k + 7) & 1 == 1, want, "byte {byte:#x}");
            }
            let lowest = |m: u64| (m != 0).then(|| m.trailing_zeros() as usize / 8);
            let bytes = w.to_le_bytes();
            assert_eq!(lowest(bytes_below(w, b'!')), bytes.iter().position(|&c| c < b'!'), "byte {x:#x}");
            assert_eq!(lowest(bytes_equal(w, b' ')), bytes.iter().position(|&c| c == b' '), "byte {x:#x}");
        }
    }
}
