//! Clock offsets between systems that share no request id, from failed
//! responses seen at both ends.
//!
//! A client that logs the answer it got (`call gateway: unexpected status
//! 500 ... from POST http://...`, a *remote view*) and the server that
//! logged sending it (`status=500`) wrote the same moment, give or take
//! the network: the two error series echo each other at a constant
//! shift, the clock offset. So for each ordered pair (client, server), the
//! differences between the times of the client's remote views and the
//! server's own lines with the same HTTP error status are put in a
//! histogram; a sharp peak (many echoes in one bin, far more than in any
//! bin a second or more away) gives the offset, refined as the median of
//! the differences in the peak.
//!
//! Aligning whole error series cannot tell a skew from the lag between a
//! cause and its effects (timeouts written at a deadline, errors that
//! spread over minutes): such lags scatter the differences and make no
//! sharp peak, and lines of different statuses are never paired, so they
//! give no offset rather than a wrong one.

use std::collections::HashMap;

/// (system, time, HTTP status, remote view) of an event with an error
/// status that was not written at a deadline.
pub type Echo = (u32, i64, u16, bool);

/// The largest clock offset looked for.
pub const MAX_SKEW_MS: i64 = 15 * 60 * 1000;
/// The fewest echoes that make an offset.
pub const MIN_ECHOES: usize = 5;
/// Events used per side and status, the earliest first.
const EARLIEST: usize = 300;
/// The peak must hold half as many echoes again as any window a second or
/// more away from it (a client retrying at a fixed interval makes rivals
/// one interval away: two thirds of the peak with three attempts)...
const SHARPNESS: f64 = 1.5;
/// ...and this share of the client's remote views: the same responses,
/// seen at both ends, echo at one shift; effects spread over seconds
/// never gather half of them in one window.
const MIN_SHARE: f64 = 0.5;

/// Pair offsets `(echoes, a, b, offset(b) − offset(a))` found for systems
/// `a < b`, best supported first.
pub fn pair_offsets(systems: usize, echoes: &[Echo]) -> Vec<(usize, u32, u32, i64)> {
    // per (system, status, remote): the earliest times
    let mut by: HashMap<(u32, u16, bool), Vec<i64>> = HashMap::new();
    for &(sys, t, status, remote) in echoes {
        if status >= 400 && (sys as usize) < systems {
            by.entry((sys, status, remote)).or_default().push(t);
        }
    }
    for v in by.values_mut() {
        v.sort_unstable();
        v.truncate(EARLIEST);
    }
    let mut out = Vec::new();
    for client in 0..systems as u32 {
        for server in 0..systems as u32 {
            if client == server {
                continue;
            }
            let mut diffs = Vec::new();
            let mut views = 0usize;
            let mut coarse = false;
            for (&(sys, status, remote), times) in &by {
                if sys != client || !remote {
                    continue;
                }
                let Some(served) = by.get(&(server, status, false)) else { continue };
                views += times.len();
                coarse |= whole_seconds(times) || whole_seconds(served);
                for &tc in times {
                    let lo = served.partition_point(|&ts| ts < tc - MAX_SKEW_MS);
                    let hi = served.partition_point(|&ts| ts <= tc + MAX_SKEW_MS);
                    diffs.extend(served[lo..hi].iter().map(|&ts| ts - tc));
                }
            }
            if let Some((n, d)) = peak(&diffs, views, if coarse { 1000 } else { 100 }) {
                // offset(server) − offset(client) = d
                let (a, b, d) = if client < server { (client, server, d) } else { (server, client, -d) };
                out.push((n, a, b, d));
            }
        }
    }
    // one edge per unordered pair: the better supported direction
    out.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| (x.1, x.2, x.3).cmp(&(y.1, y.2, y.3))));
    let mut seen = Vec::new();
    out.retain(|&(_, a, b, _)| {
        let new = !seen.contains(&(a, b));
        seen.push((a, b));
        new
    });
    out
}

/// Are these times whole seconds (written without a fraction, read as the
/// middle of their second)?
fn whole_seconds(times: &[i64]) -> bool {
    !times.is_empty() && times.iter().filter(|&&t| t.rem_euclid(1000) == 500).count() * 10 >= times.len() * 9
}

/// The sharp peak of `diffs` in windows of two bins of `bin` ms: its
/// count and the median difference in it, when it holds at least
/// [`MIN_ECHOES`] and [`MIN_SHARE`] of `views`, and [`SHARPNESS`] times
/// as many as any window a second or more away.
fn peak(diffs: &[i64], views: usize, bin: i64) -> Option<(usize, i64)> {
    if diffs.len() < MIN_ECHOES {
        return None;
    }
    let mut hist: HashMap<i64, usize> = HashMap::new();
    for d in diffs {
        *hist.entry(d.div_euclid(bin)).or_default() += 1;
    }
    let window = |b: i64| hist.get(&b).copied().unwrap_or(0) + hist.get(&(b + 1)).copied().unwrap_or(0);
    let mut bins: Vec<i64> = hist.keys().copied().collect();
    bins.sort_unstable();
    let (best, count) =
        bins.iter().map(|&b| (b, window(b))).max_by_key(|&(b, c)| (c, std::cmp::Reverse(b)))?;
    if count < MIN_ECHOES || (count as f64) < MIN_SHARE * views as f64 {
        return None;
    }
    let far = (1000 / bin).max(2) + 1;
    let rival = bins.iter().filter(|&&b| (b - best).abs() >= far).map(|&b| window(b)).max().unwrap_or(0);
    if (count as f64) < SHARPNESS * rival.max(1) as f64 {
        return None;
    }
    let (lo, hi) = (best * bin, (best + 2) * bin);
    let mut inside: Vec<i64> = diffs.iter().copied().filter(|d| (lo..hi).contains(d)).collect();
    inside.sort_unstable();
    if bin >= 1000 {
        // whole seconds: the differences are rounded, their mean is not
        // (see `skew.rs`)
        let mean = inside.iter().sum::<i64>() as f64 / inside.len() as f64;
        return Some((count, mean.round() as i64));
    }
    Some((count, inside[inside.len() / 2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitmix(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A client (0) logging the 500s it got from a server (1) whose clock
    /// is `skew` ms ahead, `latency` ms after the server wrote them.
    fn echoing(skew: i64, latency: impl Fn(i64) -> i64) -> Vec<Echo> {
        echoing_every(2_345, skew, latency)
    }

    fn echoing_every(spacing: i64, skew: i64, latency: impl Fn(i64) -> i64) -> Vec<Echo> {
        let mut e = Vec::new();
        for i in 0..40 {
            // requests come when they come: irregularly
            let jitter = (splitmix(i as u64) % spacing as u64) as i64;
            let t = 1_000_000 + i * spacing + jitter;
            e.push((1, t + skew, 500, false));
            e.push((0, t + latency(i), 500, true));
        }
        e
    }

    #[test]
    fn echoed_failures_give_the_offset() {
        for skew in [128_794, -2_302, 20_382, 0] {
            let o = pair_offsets(2, &echoing(skew, |i| 3 + i % 5));
            assert_eq!(o.len(), 1, "{o:?}");
            let (n, a, b, d) = o[0];
            assert_eq!((a, b), (0, 1));
            assert!(n >= 35, "{o:?}");
            assert!((d - skew).abs() <= 10, "skew {skew}: {o:?}");
        }
    }

    #[test]
    fn effects_spread_over_seconds_are_not_a_skew() {
        // the client times out 20-40 s after the server failed: a lag, not
        // a clock
        let o = pair_offsets(2, &echoing(5_000, |i| 20_000 + (i * 7_919) % 20_000));
        assert!(o.is_empty(), "{o:?}");
    }

    #[test]
    fn other_statuses_and_local_lines_are_never_paired() {
        let mut e = echoing(60_000, |_| 4);
        for x in &mut e {
            if x.0 == 0 {
                x.2 = 502; // the client saw 502s, the server sent 500s
            }
        }
        assert!(pair_offsets(2, &e).is_empty());
        let mut e = echoing(60_000, |_| 4);
        for x in &mut e {
            x.3 = false; // no remote views: two servers' own errors
        }
        assert!(pair_offsets(2, &e).is_empty());
    }

    #[test]
    fn whole_second_times_use_one_second_bins() {
        // a second's resolution tells apart failures a few seconds apart
        let mut e = echoing_every(10_000, 7_000, |_| 30);
        for x in &mut e {
            if x.0 == 1 {
                x.1 = x.1.div_euclid(1000) * 1000 + 500; // nginx-style seconds
            }
        }
        let o = pair_offsets(2, &e);
        assert_eq!(o.len(), 1, "{o:?}");
        assert!((o[0].3 - 7_000).abs() <= 600, "{o:?}");
    }
}
