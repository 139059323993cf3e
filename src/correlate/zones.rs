//! Zone differences read out of clock offsets.
//!
//! A system whose times carry no zone is read in an assumed zone: the
//! machine's, unless `--tz` names one. When the assumption is wrong (logs
//! copied from a server in another zone, a laptop in Paris reading UTC
//! logs), the system's clock offset against a system whose times do carry a
//! zone is the difference of the two zones plus the real skew. Zones are
//! whole quarter-hours off UTC and real skews are seconds, so an offset
//! within [`MAX_SKEW_BESIDE_ZONE_MS`] of a non-zero number of quarter-hours
//! is read as a zone: the system's times are taken in the corrected zone
//! and only the remainder is its skew. A zone the user stated is never
//! second-guessed, and a system no clock joins to a zoned one keeps the
//! assumed zone (nothing says otherwise).
//!
//! When the reference clock itself is such a system, the frame moves with
//! it: every joined system's offset changes by the reference's zone error,
//! so that the times of the report do not depend on the zone of the machine
//! that runs it. A system no clock joins, with an assumed zone too, takes
//! the zone the other zoneless writers were shown to use (or, with none,
//! the zone the zoned files write) when all that evidence agrees
//! ([`place_lone`]): the logs of one incident are collected from one
//! deployment, whose hosts usually keep one zone, while the machine that
//! reads them may be anywhere.
//!
//! Before any of that, within one system: a file without zones beside files
//! of the same system that write one (nginx's error log beside its access
//! log) is read in the zone they write ([`align_sources`]).

use super::skew::{ClockMethod, Offset};

/// Zones are whole quarter-hours off UTC (Nepal, Chatham, Eucla included).
pub const QUARTER_HOUR_MS: i64 = 15 * 60 * 1000;
/// The largest skew read beside a zone difference: five minutes, the
/// classic limit past which hosts stop working together (Kerberos'
/// default tolerance), so real skews stay under it. An offset of 1 h 4 min
/// is a zone and a 4-minute skew; one of 1 h 6 min is left as it is.
pub const MAX_SKEW_BESIDE_ZONE_MS: i64 = 5 * 60 * 1000;

/// What each system's zone is known to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneKnowledge {
    /// Every time it writes carries its zone.
    Written,
    /// Its times carry no zone and `--tz` named one.
    Stated,
    /// Its times carry no zone and the machine's zone was assumed.
    Assumed,
}

/// What the scan saw of one source's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceFacts {
    /// Its system.
    pub system: u32,
    /// Some of its times carry no zone.
    pub zoneless: bool,
    /// The offset from UTC its zoned times write most, ms.
    pub written_offset_ms: Option<i64>,
    /// How often that offset was seen (to pick among a system's sources).
    pub written_count: u64,
    /// The user named the zone of its zoneless times.
    pub stated: bool,
    /// The offset of the zone its zoneless times were read in, ms.
    pub read_offset_ms: i64,
}

/// A source's zone after alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceZone {
    /// What is known of it now.
    pub knowledge: ZoneKnowledge,
    /// How far its times as read are ahead of the zone its system writes
    /// (0 when none is found); taken out of its times before anything else.
    pub error_ms: i64,
    /// The offset from UTC its zoneless times are now read in, when it was
    /// learnt from the system's other files.
    pub learnt_offset_ms: Option<i64>,
}

/// Reads a system's zoneless files in the zone its other files write.
pub fn align_sources(facts: &[SourceFacts]) -> Vec<SourceZone> {
    // per system, the offset written most across its fully zoned files
    let mut written: std::collections::BTreeMap<u32, (u64, i64)> = Default::default();
    for f in facts.iter().filter(|f| !f.zoneless) {
        if let Some(offset) = f.written_offset_ms {
            let e = written.entry(f.system).or_insert((0, offset));
            if f.written_count > e.0 {
                *e = (f.written_count, offset);
            }
        }
    }
    facts
        .iter()
        .map(|f| match (f.zoneless, f.stated, written.get(&f.system)) {
            (false, _, _) => {
                SourceZone { knowledge: ZoneKnowledge::Written, error_ms: 0, learnt_offset_ms: None }
            }
            (true, true, _) => {
                SourceZone { knowledge: ZoneKnowledge::Stated, error_ms: 0, learnt_offset_ms: None }
            }
            (true, false, Some(&(_, offset))) if f.written_offset_ms.is_none() => SourceZone {
                knowledge: ZoneKnowledge::Written,
                error_ms: offset - f.read_offset_ms,
                learnt_offset_ms: Some(offset),
            },
            (true, false, _) => {
                SourceZone { knowledge: ZoneKnowledge::Assumed, error_ms: 0, learnt_offset_ms: None }
            }
        })
        .collect()
}

/// What is known of each system's zone, from its sources'.
pub fn system_knowledge(systems: usize, facts: &[SourceFacts], zones: &[SourceZone]) -> Vec<ZoneKnowledge> {
    let mut out = vec![ZoneKnowledge::Written; systems];
    for (f, z) in facts.iter().zip(zones) {
        let k = &mut out[f.system as usize];
        *k = match (*k, z.knowledge) {
            (ZoneKnowledge::Assumed, _) | (_, ZoneKnowledge::Assumed) => ZoneKnowledge::Assumed,
            (ZoneKnowledge::Stated, _) | (_, ZoneKnowledge::Stated) => ZoneKnowledge::Stated,
            _ => ZoneKnowledge::Written,
        };
    }
    out
}

/// Finds the zone errors of systems with assumed zones and moves them out
/// of the offsets. Returns, per system, the zone error in ms (how far its
/// times as read are ahead of what its true zone gives; 0 when none is
/// found); `offsets` are updated so that `offset_ms` is the whole
/// correction (zone and skew) in a frame whose zone is right.
pub fn infer(offsets: &mut [Offset], zones: &[ZoneKnowledge]) -> Vec<i64> {
    let n = offsets.len().min(zones.len());
    let mut error = vec![0i64; offsets.len()];
    let joined = |o: &Offset| o.method != ClockMethod::None;
    // The anchor: the zoned system best joined to the others.
    let Some(anchor) =
        (0..n).filter(|&s| zones[s] == ZoneKnowledge::Written && joined(&offsets[s])).max_by_key(|&s| {
            (offsets[s].method == ClockMethod::Reference, offsets[s].pairs, std::cmp::Reverse(s))
        })
    else {
        return error;
    };
    for s in 0..n {
        let o = &offsets[s];
        if zones[s] != ZoneKnowledge::Assumed || !joined(o) || o.method == ClockMethod::Override {
            continue;
        }
        let rel = o.offset_ms - offsets[anchor].offset_ms;
        let quarters = (rel as f64 / QUARTER_HOUR_MS as f64).round() as i64;
        let zone = quarters * QUARTER_HOUR_MS;
        if quarters != 0 && (rel - zone).abs() <= MAX_SKEW_BESIDE_ZONE_MS {
            error[s] = zone;
        }
    }
    // The frame is the reference's clock; with its zone right, every joined
    // system's offset (written minus the frame's time) grows by the
    // reference's zone error (how far the reference's times read ahead).
    let frame = (0..n).find(|&s| offsets[s].method == ClockMethod::Reference).map_or(0, |r| error[r]);
    for o in offsets.iter_mut().filter(|o| joined(o) && o.method != ClockMethod::Override) {
        o.offset_ms += frame;
    }
    error
}

/// Gives systems joined to nothing, whose zone was assumed, the zone the
/// other writers were shown to use, when all of `evidence` (offsets from
/// UTC, ms, that files and systems were shown to write in) agrees on one.
/// `read_offset_ms(s)` is the offset of the zone system `s` was read in.
/// Updates `errors` and `offsets` as [`infer`] does.
pub fn place_lone(
    offsets: &mut [Offset],
    zones: &[ZoneKnowledge],
    errors: &mut [i64],
    evidence: &[i64],
    read_offset_ms: impl Fn(usize) -> i64,
) {
    let Some(&zone) = evidence.first() else { return };
    if evidence.iter().any(|&z| z != zone) {
        return;
    }
    for s in 0..offsets.len().min(zones.len()).min(errors.len()) {
        if zones[s] == ZoneKnowledge::Assumed && offsets[s].method == ClockMethod::None {
            let e = zone - read_offset_ms(s);
            errors[s] = e;
            offsets[s].offset_ms = e;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ZoneKnowledge::*;
    use super::*;

    fn off(offset_ms: i64, method: ClockMethod) -> Offset {
        Offset { offset_ms, pairs: 10, method }
    }

    #[test]
    fn a_reference_read_in_the_wrong_zone_moves_the_frame() {
        // crm (no zone) read an hour ahead of UTC by a machine in Paris; erp
        // (zoned) +4.2 s skew; gateway joined to nothing.
        let mut o = vec![
            off(0, ClockMethod::Reference),
            off(3_604_195, ClockMethod::RequestIds),
            off(0, ClockMethod::None),
        ];
        let e = infer(&mut o, &[Assumed, Written, Written]);
        assert_eq!(e, vec![-3_600_000, 0, 0]);
        // crm's times are corrected by an hour, erp keeps only its skew
        assert_eq!(o.iter().map(|x| x.offset_ms).collect::<Vec<_>>(), vec![-3_600_000, 4_195, 0]);
        // skew = offset - zone error: 0 for crm
        assert_eq!(o[0].offset_ms - e[0], 0);
    }

    #[test]
    fn quarter_hour_zones_and_their_skew() {
        // Chatham in summer (+13:45) against UTC, with a 4.2 s skew
        let mut o = vec![off(0, ClockMethod::Reference), off(49_504_195, ClockMethod::RequestIds)];
        let e = infer(&mut o, &[Assumed, Written]);
        assert_eq!(e[0], -49_500_000);
        assert_eq!(o[1].offset_ms, 4_195);
        // a non-reference system with an assumed zone: its own offset holds
        // the zone error, the frame does not move
        let mut o = vec![off(0, ClockMethod::Reference), off(-19_800_000 + 1_500, ClockMethod::RequestIds)];
        let e = infer(&mut o, &[Written, Assumed]);
        assert_eq!(e, vec![0, -19_800_000]);
        assert_eq!(o[1].offset_ms - e[1], 1_500);
    }

    #[test]
    fn skews_stated_zones_and_zoneless_runs_are_left_alone() {
        // a 4-minute skew is not a zone; nor is 1 h 6 min
        for rel in [240_000, 3_960_000] {
            let mut o = vec![off(0, ClockMethod::Reference), off(rel, ClockMethod::RequestIds)];
            assert_eq!(infer(&mut o, &[Assumed, Written]), vec![0, 0]);
            assert_eq!(o[1].offset_ms, rel);
        }
        // a zone the user stated is taken as given
        let mut o = vec![off(0, ClockMethod::Reference), off(3_600_000, ClockMethod::RequestIds)];
        assert_eq!(infer(&mut o, &[Stated, Written]), vec![0, 0]);
        // no system writes its zone: nothing to infer from
        let mut o = vec![off(0, ClockMethod::Reference), off(3_600_000, ClockMethod::RequestIds)];
        assert_eq!(infer(&mut o, &[Assumed, Assumed]), vec![0, 0]);
        // joined to nothing, or given by the user: unchanged
        let mut o = vec![
            off(0, ClockMethod::Reference),
            off(3_600_000, ClockMethod::Override),
            off(0, ClockMethod::None),
        ];
        assert_eq!(infer(&mut o, &[Written, Assumed, Assumed]), vec![0, 0, 0]);
    }

    #[test]
    fn a_lone_system_takes_the_zone_the_others_were_shown_to_write() {
        let mut o = vec![off(0, ClockMethod::Reference), off(0, ClockMethod::None)];
        let mut e = vec![0, 0];
        // everything says UTC; the lone system was read at +02:00
        place_lone(&mut o, &[Written, Assumed], &mut e, &[0, 0], |_| 7_200_000);
        assert_eq!(e, vec![0, -7_200_000]);
        assert_eq!(o[1].offset_ms, -7_200_000);
        // evidence that disagrees, or none: nothing moves
        for evidence in [&[0, 3_600_000][..], &[]] {
            let mut o = vec![off(0, ClockMethod::Reference), off(0, ClockMethod::None)];
            let mut e = vec![0, 0];
            place_lone(&mut o, &[Written, Assumed], &mut e, evidence, |_| 7_200_000);
            assert_eq!(e, vec![0, 0]);
        }
    }

    fn facts(system: u32, zoneless: bool, written: Option<i64>, stated: bool) -> SourceFacts {
        SourceFacts {
            system,
            zoneless,
            written_offset_ms: written,
            written_count: 10,
            stated,
            read_offset_ms: 7_200_000,
        }
    }

    #[test]
    fn a_zoneless_file_is_read_in_the_zone_of_its_systems_other_files() {
        // gateway: access log at +00:00, error log without zone read at +02:00
        let f = [facts(0, false, Some(0), false), facts(0, true, None, false), facts(1, true, None, false)];
        let z = align_sources(&f);
        assert_eq!(z[0], SourceZone { knowledge: Written, error_ms: 0, learnt_offset_ms: None });
        assert_eq!(z[1], SourceZone { knowledge: Written, error_ms: -7_200_000, learnt_offset_ms: Some(0) });
        assert_eq!(z[2].knowledge, Assumed);
        assert_eq!(system_knowledge(2, &f, &z), vec![Written, Assumed]);
        // a stated zone is kept
        let f = [facts(0, false, Some(0), false), facts(0, true, None, true)];
        assert_eq!(align_sources(&f)[1].error_ms, 0);
        assert_eq!(system_knowledge(1, &f, &align_sources(&f)), vec![Stated]);
    }
}
