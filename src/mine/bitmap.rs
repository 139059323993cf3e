//! Byte bitmaps: for 64 bytes of a buffer at once, one bit per byte (bit
//! `i`: byte `at + i`) saying whether it is a line end, so that the reader
//! finds every line end of a block with bit scans instead of one `memchr`
//! call per (short) line.
//!
//! On x86_64 the bitmaps are computed with SSE2 (part of that target's
//! baseline, so no run-time check is needed); elsewhere eight bytes at a
//! time with an exact SWAR byte test.

/// Bytes per bitmap.
const LANES: usize = 64;

/// Appends to `ends` the offset just after each `\n` of `buf`, in order:
/// what `memchr_iter` gives, 64 bytes per step instead of one call per
/// line (lines are short: a call cost more than the search).
pub(super) fn line_ends(buf: &[u8], ends: &mut Vec<usize>) {
    let mut at = 0;
    while at < buf.len() {
        let mut m = match buf.get(at..at + LANES) {
            Some(w) => imp::newline_bits(w.try_into().unwrap()),
            None => {
                let mut pad = [0u8; LANES];
                pad[..buf.len() - at].copy_from_slice(&buf[at..]);
                imp::newline_bits(&pad)
            }
        };
        while m != 0 {
            ends.push(at + m.trailing_zeros() as usize + 1);
            m &= m - 1;
        }
        at += LANES;
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod imp {
    use super::LANES;
    use std::arch::x86_64::*;

    #[inline]
    pub(super) fn newline_bits(w: &[u8; LANES]) -> u64 {
        // SAFETY: this module is compiled only where SSE2 is enabled.
        unsafe { sse2_newline_bits(w) }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn sse2_newline_bits(w: &[u8; LANES]) -> u64 {
        let nl = _mm_set1_epi8(b'\n' as i8);
        let mut r = 0;
        for k in 0..LANES / 16 {
            let lo = u64::from_le_bytes(w[16 * k..16 * k + 8].try_into().unwrap());
            let hi = u64::from_le_bytes(w[16 * k + 8..16 * k + 16].try_into().unwrap());
            let v = _mm_set_epi64x(hi as i64, lo as i64);
            r |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16 as u64) << (16 * k);
        }
        r
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use portable as imp;

/// The bitmaps eight bytes at a time, for targets without SSE2 (and the
/// reference the SSE2 version is tested against).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2", not(test)), allow(dead_code))]
mod portable {
    use super::LANES;
    use crate::mine::swar::word;

    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONES: u64 = 0x0101_0101_0101_0101;

    /// High bit of each byte of `w` equal to `c`, exactly (no borrow).
    #[inline]
    fn eq(w: u64, c: u8) -> u64 {
        let x = w ^ (ONES * c as u64);
        !(((x & LOW7) + LOW7) | x | LOW7)
    }

    /// The high bits of the eight bytes as eight bits (bit `i`: byte `i`).
    #[inline]
    fn pack(high: u64) -> u64 {
        ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }

    #[inline]
    pub(super) fn newline_bits(w: &[u8; LANES]) -> u64 {
        let mut r = 0;
        for k in 0..LANES / 8 {
            r |= pack(eq(word(w, 8 * k), b'\n')) << (8 * k);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_byte_value_in_every_lane() {
        for x in 0..=255u8 {
            let mut w = [b'\n'; LANES];
            for (i, c) in w.iter_mut().enumerate() {
                if i % 3 != 1 {
                    *c = x.wrapping_add(i as u8 / 3);
                }
            }
            let want: u64 = w.iter().enumerate().map(|(i, &c)| ((c == b'\n') as u64) << i).sum();
            assert_eq!(imp::newline_bits(&w), want, "byte {x:#x}");
            assert_eq!(portable::newline_bits(&w), want, "byte {x:#x}");
        }
    }

    proptest! {
        #[test]
        fn line_ends_equal_memchr(
            buf in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(0u8), any::<u8>()], 0..300),
        ) {
            let mut ends = vec![7];
            line_ends(&buf, &mut ends);
            let want: Vec<usize> =
                std::iter::once(7).chain(memchr::memchr_iter(b'\n', &buf).map(|e| e + 1)).collect();
            prop_assert_eq!(ends, want);
        }
    }
}
