//! Clock offsets between systems, from requests seen in two of them.
//!
//! For every pair of systems, each request id seen in both gives the
//! difference of the times the two systems first wrote for it: the clock
//! offset plus the latency between the two log lines. That latency is
//! milliseconds for a request that fails fast, but tens of seconds for one
//! that ends in a timeout, and incidents drift from the first kind to the
//! second. So only the [`EARLIEST_IDS`] requests seen first are used, their
//! median is the pair's offset and their median absolute deviation its
//! spread; a pair whose spread exceeds [`MAX_SPREAD_MS`] is not trusted.
//! Lines that carry the same HTTP status for the request describe the same
//! response from both sides, so when a pair has at least [`MIN_PAIRS`] such
//! confirmed requests only those are used; requests with conflicting
//! statuses (a 504 at a gateway, a 401 behind it) are different hops and
//! never used. The caller leaves out timeouts: a timeout is written at a
//! deadline, not when the other side acted, so its time says nothing of the
//! clocks.
//! The offsets are then chained from a reference system along the best
//! supported trusted pairs (a maximum spanning tree). Systems that no
//! request joins are reached, where possible, by the echo of failed
//! responses in the two systems' error series (`echo.rs`), which looks only
//! for a constant shift between the same responses seen at both ends, so
//! that the lag between a cause and its effects is not read as a skew.
//! Systems joined to nothing keep offset 0 with no support.
//!
//! Sign: `offset_ms` is how far a system's clock is ahead of the
//! reference: written time = true time + offset, corrected = written −
//! offset.

use std::collections::BTreeMap;

/// The fewest shared requests that make a pair's offset trusted.
pub const MIN_PAIRS: usize = 3;
/// How many of the earliest shared requests of a pair are used.
pub const EARLIEST_IDS: usize = 50;
/// The largest spread (median absolute deviation) of a trusted pair.
pub const MAX_SPREAD_MS: i64 = 250;
/// Sightings kept per request and system.
const MAX_SIGHTINGS: usize = 16;
/// Sightings used at all, the earliest first.
const MAX_SIGHTINGS_USED: usize = 100_000;

/// One system's estimated offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offset {
    /// Offset against the reference clock, ms.
    pub offset_ms: i64,
    /// Shared requests behind the estimate (0: not estimated).
    pub pairs: usize,
    /// How it was found.
    pub method: ClockMethod,
}

/// How a system's clock offset was found (`clock_method` in the JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMethod {
    /// The clock the others are placed against.
    Reference,
    /// Requests seen in two systems.
    RequestIds,
    /// The same failed responses at both ends (`echo.rs`).
    ErrorSeries,
    /// The user's `--clock-offset`.
    Override,
    /// Joined to nothing: offset 0, unsupported.
    None,
}

/// (system, request id, time, HTTP status, remote view) of every event
/// that carries an id; a remote view is a client's line about the answer
/// it got.
pub type Sighting<'a> = (u32, &'a str, i64, Option<u16>, bool);

/// Estimates each system's offset. `echoes` are the error lines with an
/// HTTP status, for systems that share no request; `overrides` are the
/// user's `--clock-offset` values, which win.
///
/// `whole_seconds[s]` says that system `s` writes its times to the second:
/// a pair with such a system sees differences rounded to whole seconds
/// (2 s or 3 s for an offset of 2.66 s), whose median is off by up to half
/// a second but whose mean, around the median, is not (the rounding acts
/// as a dither); so such pairs take the mean of the differences within a
/// second of their median.
pub fn estimate(
    systems: usize,
    sightings: &[Sighting<'_>],
    whole_seconds: &[bool],
    echoes: &[super::echo::Echo],
    overrides: &[(u32, i64)],
) -> Vec<Offset> {
    // Only the earliest requests are used (see EARLIEST_IDS): keep the
    // earliest sightings, so memory does not grow with the incident.
    let cutoff = if sightings.len() > MAX_SIGHTINGS_USED {
        let mut times: Vec<i64> = sightings.iter().map(|s| s.2).collect();
        *times.select_nth_unstable(MAX_SIGHTINGS_USED).1
    } else {
        i64::MAX
    };
    let sightings = sightings.iter().filter(|s| s.2 <= cutoff);
    // Sightings per id and system: every time, with its status and view.
    type Seen = Vec<(i64, Option<u16>, bool)>;
    let mut by_id: BTreeMap<&str, BTreeMap<u32, Seen>> = BTreeMap::new();
    for &(sys, id, t, status, remote) in sightings {
        let v = by_id.entry(id).or_default().entry(sys).or_default();
        if v.len() < MAX_SIGHTINGS {
            v.push((t, status, remote));
        }
    }
    // Per pair: the request's first moment, and the times on each side
    // that describe the same response (those with the shared status when
    // there is one).
    struct Shared {
        confirmed: bool,
        when: i64,
        a: Vec<i64>,
        b: Vec<i64>,
    }
    let mut shared: BTreeMap<(u32, u32), Vec<Shared>> = BTreeMap::new();
    for seen in by_id.values() {
        if seen.len() < 2 || seen.len() > 8 {
            continue; // an id in many systems is likely not a request id
        }
        let systems: Vec<(&u32, &Seen)> = seen.iter().collect();
        for i in 0..systems.len() {
            for j in i + 1..systems.len() {
                let ((&a, sa), (&b, sb)) = (systems[i], systems[j]);
                let statuses = |v: &Seen| v.iter().filter_map(|x| x.1).collect::<Vec<u16>>();
                let (ka, kb) = (statuses(sa), statuses(sb));
                // One response seen from both ends of one hop: the server's
                // line and the client's line (a remote view) with the same
                // status. Failing that, any lines with the same status.
                let across = sa.iter().find_map(|x| {
                    let st = x.1?;
                    sb.iter().any(|y| y.1 == Some(st) && y.2 != x.2).then_some((st, Some(x.2)))
                });
                let common = across.or_else(|| ka.iter().find(|s| kb.contains(s)).map(|&st| (st, None)));
                let times = |v: &Seen, only: Option<u16>, view: Option<bool>| {
                    v.iter()
                        .filter(|x| (only.is_none() || x.1 == only) && view.is_none_or(|r| x.2 == r))
                        .map(|x| x.0)
                        .collect::<Vec<i64>>()
                };
                let entry = match common {
                    // The same status on both sides: the same response.
                    Some((st, view)) => Shared {
                        confirmed: true,
                        when: 0,
                        a: times(sa, Some(st), view),
                        b: times(sb, Some(st), view.map(|r| !r)),
                    },
                    // Different statuses: the lines are about different hops.
                    None if !ka.is_empty() && !kb.is_empty() => continue,
                    // A status on one side at most: every sighting.
                    None => Shared {
                        confirmed: false,
                        when: 0,
                        a: times(sa, None, None),
                        b: times(sb, None, None),
                    },
                };
                let when = entry.a.iter().chain(&entry.b).copied().min().unwrap_or(0);
                shared.entry((a, b)).or_default().push(Shared { when, ..entry });
            }
        }
    }
    // Systems that share enough requests with another to be judged by
    // them: echoes never place these (an untrusted id offset says the
    // timing is not simple, and an echo is weaker evidence than ids).
    let mut id_joined = vec![false; systems];
    for (&(a, b), d) in &shared {
        if d.len() >= MIN_PAIRS {
            for s in [a, b] {
                if let Some(j) = id_joined.get_mut(s as usize) {
                    *j = true;
                }
            }
        }
    }
    // Pair offsets: offset(b) − offset(a) = median(t_b − t_a), first from
    // each side's first sightings or from its last ones, whichever agree
    // better across requests (a system in the middle of a retry chain
    // writes its callee's failures for seconds before its caller hears the
    // last answer, which both ends write at once), then refined by pairing,
    // per request, the two sightings closest to that estimate.
    let mut edges: Vec<(usize, u32, u32, i64)> = shared
        .into_iter()
        .filter(|(_, d)| d.len() >= MIN_PAIRS)
        .filter_map(|((a, b), mut d)| {
            if d.iter().filter(|x| x.confirmed).count() >= MIN_PAIRS {
                d.retain(|x| x.confirmed);
            }
            d.sort_by_key(|x| x.when);
            d.truncate(EARLIEST_IDS);
            // the first sightings on each side, or the last ones: whichever
            // agree better across requests
            let spread = |pick: &dyn Fn(&[i64]) -> i64| {
                let mut rough: Vec<i64> = d.iter().map(|x| pick(&x.b) - pick(&x.a)).collect();
                rough.sort_unstable();
                let m0 = median(&rough);
                let mut dev: Vec<i64> = rough.iter().map(|x| (x - m0).abs()).collect();
                dev.sort_unstable();
                (median(&dev), m0)
            };
            let first = spread(&|v| v.iter().copied().min().unwrap_or(0));
            let last = spread(&|v| v.iter().copied().max().unwrap_or(0));
            let (mad, m0) = if last.0 <= first.0 { last } else { first };
            if mad > MAX_SPREAD_MS {
                return None;
            }
            let coarse = |s: u32| whole_seconds.get(s as usize).copied().unwrap_or(false);
            let coarse = coarse(a) || coarse(b);
            let mut fine: Vec<i64> = d
                .iter()
                .filter_map(|x| {
                    x.a.iter()
                        .flat_map(|ta| x.b.iter().map(move |tb| tb - ta))
                        .min_by_key(|diff| (diff - m0).abs())
                })
                .collect();
            fine.sort_unstable();
            let m = median(&fine);
            if coarse {
                let near: Vec<i64> = fine.iter().copied().filter(|x| (x - m).abs() <= 1000).collect();
                let mean = near.iter().sum::<i64>() as f64 / near.len().max(1) as f64;
                return Some((d.len(), a, b, mean.round() as i64));
            }
            Some((d.len(), a, b, m))
        })
        .collect();
    edges.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| (x.1, x.2).cmp(&(y.1, y.2))));
    // Echo edges only for pairs no request joins, after every id edge.
    let echo_edges = super::echo::pair_offsets(systems, echoes);
    let all: Vec<(usize, u32, u32, i64, ClockMethod)> = edges
        .iter()
        .map(|&(n, a, b, d)| (n, a, b, d, ClockMethod::RequestIds))
        .chain(echo_edges.iter().map(|&(n, a, b, d)| (n, a, b, d, ClockMethod::ErrorSeries)))
        .collect();

    let mut out = vec![Offset { offset_ms: 0, pairs: 0, method: ClockMethod::None }; systems];
    let mut placed = vec![false; systems];
    // Reference: the system with the most shared requests (failing that,
    // the most echoes).
    let support = |edges: &[(usize, u32, u32, i64)]| {
        let mut support = vec![0usize; systems];
        for &(n, a, b, _) in edges {
            support[a as usize] += n;
            support[b as usize] += n;
        }
        support
    };
    let (by_ids, by_echo) = (support(&edges), support(&echo_edges));
    if let Some(reference) = (0..systems)
        .filter(|&s| by_ids[s] + by_echo[s] > 0)
        .max_by_key(|&s| (by_ids[s], by_echo[s], std::cmp::Reverse(s)))
    {
        placed[reference] = true;
        out[reference].method = ClockMethod::Reference;
        // Grow the tree along the best supported edge that reaches a new
        // system (Prim's algorithm on support), ids before echoes.
        loop {
            let next = all.iter().find(|&&(_, a, b, _, method)| {
                let to = if placed[a as usize] { b } else { a };
                placed[a as usize] != placed[b as usize]
                    && (method != ClockMethod::ErrorSeries || !id_joined[to as usize])
            });
            let Some(&(n, a, b, d, method)) = next else { break };
            let (from, to, delta) = if placed[a as usize] { (a, b, d) } else { (b, a, -d) };
            out[to as usize] = Offset { offset_ms: out[from as usize].offset_ms + delta, pairs: n, method };
            placed[to as usize] = true;
        }
    }
    for &(sys, ms) in overrides {
        if let Some(o) = out.get_mut(sys as usize) {
            *o = Offset { offset_ms: ms, pairs: o.pairs, method: ClockMethod::Override };
        }
    }
    out
}

fn median(sorted: &[i64]) -> i64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_shared_requests() {
        // erp (1) is 4200 ms ahead of crm (0); gateway (2) 1500 ms behind.
        let ids: Vec<String> = (0..20).map(|i| format!("req-{i}")).collect();
        let mut s: Vec<Sighting<'_>> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let t = i as i64 * 10_000;
            s.push((0, id, t + 30, None, false)); // crm logs after the erp answered
            s.push((1, id, t + 4_200, None, false));
            s.push((2, id, t - 1_500 + 40, None, false));
        }
        let o = estimate(3, &s, &[], &[], &[]);
        let rel = |a: usize, b: usize| o[b].offset_ms - o[a].offset_ms;
        assert!((rel(0, 1) - 4_200).abs() <= 50, "{o:?}");
        assert!((rel(0, 2) + 1_500).abs() <= 50, "{o:?}");
        assert!(o.iter().all(|x| x.pairs == 20 || x.method == ClockMethod::Reference));
    }

    #[test]
    fn early_fast_failures_win_over_later_timeouts() {
        let ids: Vec<String> = (0..200).map(|i| format!("req-{i}")).collect();
        let mut s: Vec<Sighting<'_>> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let t = i as i64 * 5_000;
            s.push((1, id, t + 4_200, None, false)); // the server rejects at once
                                                     // The client logs the failure 5 ms later, or at its 30 s
                                                     // timeout once latency has grown.
            s.push((0, id, if i < 60 { t + 5 } else { t + 30_000 }, None, false));
        }
        let o = estimate(2, &s, &[], &[], &[]);
        assert!((o[1].offset_ms - o[0].offset_ms - 4_195).abs() <= 10, "{o:?}");
    }

    #[test]
    fn equal_statuses_confirm_and_conflicting_ones_are_other_hops() {
        let ids: Vec<String> = (0..30).map(|i| format!("req-{i}")).collect();
        let mut s: Vec<Sighting<'_>> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let t = i as i64 * 5_000;
            s.push((1, id, t + 4_200, Some(401), false));
            s.push((0, id, t + 3, Some(401), false));
            // A gateway logs its own 504 a minute later: another hop.
            s.push((2, id, t + 60_000, Some(504), false));
        }
        let o = estimate(3, &s, &[], &[], &[]);
        assert!((o[1].offset_ms - o[0].offset_ms - 4_197).abs() <= 10, "{o:?}");
        assert_eq!(o[2].method, ClockMethod::None, "{o:?}");
    }

    #[test]
    fn whole_second_clocks_are_read_to_better_than_a_second() {
        // gateway (1, nginx) is 2660 ms ahead of crm (0, syslog); both
        // write whole seconds: each difference is 2 s or 3 s, their mean is
        // the offset
        let ids: Vec<String> = (0..50).map(|i| format!("req-{i}")).collect();
        let mut s: Vec<Sighting<'_>> = Vec::new();
        let second = |t: i64| t.div_euclid(1000) * 1000 + 500;
        for (i, id) in ids.iter().enumerate() {
            let t = 1_000_000 + i as i64 * 7_137;
            s.push((0, id, second(t + 12), None, false));
            s.push((1, id, second(t + 2_660), None, false));
        }
        let o = estimate(2, &s, &[true, true], &[], &[]);
        assert!((o[1].offset_ms - o[0].offset_ms - 2_648).abs() <= 100, "{o:?}");
        // read as milliseconds, the median is off by a third of a second
        let o = estimate(2, &s, &[false, false], &[], &[]);
        assert!((o[1].offset_ms - o[0].offset_ms - 2_648).abs() > 250, "{o:?}");
    }

    #[test]
    fn a_retry_chain_is_paired_by_its_last_answer() {
        // billing (0) retries its callee with jittered backoff, then
        // answers its caller, gateway (1, 7000 ms ahead), which logs the
        // answer 5 ms later: the first sightings are seconds apart, the
        // last ones are the same response
        let ids: Vec<String> = (0..40).map(|i| format!("req-{i}")).collect();
        let mut s: Vec<Sighting<'_>> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let t = 1_000_000 + i as i64 * 9_000;
            let backoff = 1_000 + (i as i64 * 7_919) % 1_500;
            s.push((0, id, t, None, false));
            s.push((0, id, t + backoff, None, false));
            s.push((0, id, t + 2 * backoff, None, false));
            s.push((1, id, t + 2 * backoff + 5 + 7_000, None, false));
        }
        let o = estimate(2, &s, &[], &[], &[]);
        assert!((o[1].offset_ms - o[0].offset_ms - 7_005).abs() <= 10, "{o:?}");
    }

    #[test]
    fn scattered_differences_are_not_trusted() {
        let ids: Vec<String> = (0..40).map(|i| format!("req-{i}")).collect();
        let s: Vec<Sighting<'_>> = ids
            .iter()
            .enumerate()
            .flat_map(|(i, id)| {
                [(0, id.as_str(), 0, None, false), (1, id.as_str(), (i as i64 * 7_919) % 40_000, None, false)]
            })
            .collect();
        let o = estimate(2, &s, &[], &[], &[]);
        assert!(o.iter().all(|x| x.offset_ms == 0 && x.method == ClockMethod::None), "{o:?}");
    }

    #[test]
    fn no_shared_ids_means_no_correction_and_overrides_win() {
        let s: Vec<Sighting<'_>> = vec![(0, "a", 1, None, false), (1, "b", 2, None, false)];
        let o = estimate(2, &s, &[], &[], &[(1, 250)]);
        assert_eq!(o[0], Offset { offset_ms: 0, pairs: 0, method: ClockMethod::None });
        assert_eq!(o[1].offset_ms, 250);
        assert_eq!(o[1].method, ClockMethod::Override);
    }
}
