//! One clock for every system: each file's zone (learnt from its system's
//! other files where it writes none), each system's clock offset, and zone
//! errors read out of those offsets (`correlate::zones`). The rest of the
//! summary only asks [`Timeline::correct`] for a time on the common clock.

use super::Inputs;
use crate::catalog::Category;
use crate::correlate::skew;
use crate::correlate::years::{self, YearFacts};
use crate::correlate::zones::{self, SourceFacts, SourceZone};

/// The clocks of a run.
pub(super) struct Timeline {
    /// Per system: it writes whole seconds.
    pub(super) whole_seconds: Vec<bool>,
    /// Per system: its offset; `offset_ms` is the whole correction (zone
    /// error and skew) of its times once its files are aligned.
    pub(super) offsets: Vec<skew::Offset>,
    /// Per system: the part of its offset that is a zone error.
    pub(super) zone_errors: Vec<i64>,
    /// Per source: its zone after alignment.
    pub(super) sources: Vec<SourceZone>,
    /// Per source: whole years taken out of its yearless times, ms.
    pub(super) year_shift_ms: Vec<i64>,
    /// Per source: the whole correction of its times.
    source_offset_ms: Vec<i64>,
}

impl Timeline {
    /// A source's time on the common clock.
    pub(super) fn correct(&self, source: u32, ts: i64) -> i64 {
        ts - self.source_offset_ms[source as usize]
    }

    /// The whole correction of a source's times.
    pub(super) fn source_offset(&self, source: u32) -> i64 {
        self.source_offset_ms[source as usize]
    }

    /// A system's skew: its offset without the zone error.
    pub(super) fn skew_ms(&self, system: usize) -> i64 {
        self.offsets[system].offset_ms - self.zone_errors[system]
    }

    /// The zone a system's zoneless times end up read in, when it was not
    /// the one first assumed or stated: a fixed offset from UTC.
    pub(super) fn inferred_zone(&self, inp: &Inputs<'_>, system: usize) -> Option<String> {
        let d = inp.discovery;
        let mut learnt = None;
        for s in d.sources.iter().filter(|s| s.system as usize == system) {
            let z = &self.sources[s.id as usize];
            if z.error_ms != 0 {
                learnt = z.learnt_offset_ms;
            }
        }
        let offset = learnt.or_else(|| {
            let e = self.zone_errors[system];
            (e != 0).then(|| inp.zones[system].zone.offset_at(first_time(inp, system)) + e)
        })?;
        Some(crate::timestamp::fixed_offset_name(offset))
    }
}

/// Builds the run's clocks.
pub(super) fn timeline(inp: &Inputs<'_>) -> Timeline {
    let d = inp.discovery;
    let facts: Vec<SourceFacts> = d
        .sources
        .iter()
        .map(|s| {
            let ps = &inp.data.per_source[s.id as usize];
            let written = ps.written_offsets.iter().max_by_key(|&(_, &n)| n);
            let zone = &inp.zones[s.system as usize];
            SourceFacts {
                system: s.system,
                zoneless: ps.zoneless,
                written_offset_ms: written.map(|(&o, _)| i64::from(o) * 1000),
                written_count: written.map_or(0, |(_, &n)| n),
                stated: zone.stated,
                read_offset_ms: zone.zone.offset_at(ps.volume.first().map_or(0, |v| v.0)),
            }
        })
        .collect();
    let sources = zones::align_sources(&facts);
    let year_facts: Vec<YearFacts> = d
        .sources
        .iter()
        .map(|s| {
            let ps = &inp.data.per_source[s.id as usize];
            YearFacts {
                yearless: !ps.layouts.is_empty() && ps.layouts.keys().all(|l| l.yearless()),
                first_ms: ps.volume.first().map(|v| v.0),
            }
        })
        .collect();
    let year_shift_ms = years::shifts(&year_facts);
    let source_error: Vec<i64> = sources.iter().zip(&year_shift_ms).map(|(z, y)| z.error_ms + y).collect();
    let whole_seconds = whole_second_systems(inp);
    let mut offsets = clock_offsets(inp, &whole_seconds, &source_error);
    let knowledge = zones::system_knowledge(d.systems.len(), &facts, &sources);
    let mut zone_errors = zones::infer(&mut offsets, &knowledge);
    // The zone a lone system's writer most likely uses: the one the other
    // zoneless writers were shown to use (files aligned to their system's
    // zone, systems whose assumed zone a clock confirmed or corrected);
    // failing those, the zone that zoned files write.
    let read_offset = |s: usize| inp.zones[s].zone.offset_at(first_time(inp, s));
    let joined_assumed = (0..d.systems.len()).filter(|&s| {
        knowledge[s] == zones::ZoneKnowledge::Assumed && offsets[s].method != skew::ClockMethod::None
    });
    let mut evidence: Vec<i64> = (sources.iter().filter_map(|z| z.learnt_offset_ms))
        .chain(joined_assumed.map(|s| read_offset(s) + zone_errors[s]))
        .collect();
    if evidence.is_empty() {
        evidence = facts.iter().filter(|f| !f.zoneless).filter_map(|f| f.written_offset_ms).collect();
    }
    zones::place_lone(&mut offsets, &knowledge, &mut zone_errors, &evidence, read_offset);
    let source_offset_ms = d
        .sources
        .iter()
        .map(|s| source_error[s.id as usize] + offsets[s.system as usize].offset_ms)
        .collect();
    Timeline { whole_seconds, offsets, zone_errors, sources, year_shift_ms, source_offset_ms }
}

/// The span where the run's times plausibly are, on the common clock: a
/// line dated months away from all the others (a clock reset, a typo in a
/// test fixture, a year gone wrong) must not become the incident, nor make
/// `--since 2h` keep only itself. The bulk is the 5th to 95th percentile of
/// every time seen; times more than three bulks (at least three days) out,
/// or more than a day past now while the bulk is not, are outliers.
pub(super) fn plausible_range(inp: &Inputs<'_>, clocks: &Timeline) -> Option<(i64, i64)> {
    const DAY_MS: i64 = 86_400_000;
    let d = inp.discovery;
    let mut times: Vec<i64> = (inp.data.events.iter().filter_map(|e| Some(clocks.correct(e.source, e.ts?))))
        .chain(inp.data.unnamed.iter().filter_map(|u| Some(clocks.correct(u.source, u.ts?))))
        .chain(d.sources.iter().flat_map(|s| {
            let ps = &inp.data.per_source[s.id as usize];
            ps.volume.iter().flat_map(move |v| [clocks.correct(s.id, v.0), clocks.correct(s.id, v.1)])
        }))
        .collect();
    if times.is_empty() {
        return None;
    }
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let (lo, hi) = if times.len() >= 20 { (at(0.05), at(0.95)) } else { (at(0.5), at(0.5)) };
    let width = (hi - lo).max(DAY_MS);
    // past now is implausible only when the bulk itself is not (a whole
    // run dated ahead is a clock set wrong everywhere, or a fixture)
    let now = chrono::Utc::now().timestamp_millis();
    let end = if hi <= now { (hi + 3 * width).min(now + DAY_MS) } else { hi + 3 * width };
    Some((lo - 3 * width, end))
}

/// The first time a system wrote, as read (for the offset of its zone).
fn first_time(inp: &Inputs<'_>, system: usize) -> i64 {
    let d = inp.discovery;
    (d.sources.iter().filter(|s| s.system as usize == system))
        .filter_map(|s| inp.data.per_source[s.id as usize].volume.first().map(|v| v.0))
        .min()
        .unwrap_or(0)
}

/// Per system: does it write whole seconds? (At least 90% of its timed
/// events were written to the second.)
fn whole_second_systems(inp: &Inputs<'_>) -> Vec<bool> {
    let d = inp.discovery;
    let mut seconds = vec![(0usize, 0usize); d.systems.len()];
    for e in inp.data.events.iter().filter(|e| e.ts.is_some()) {
        let s = &mut seconds[d.sources[e.source as usize].system as usize];
        s.0 += e.whole_second as usize;
        s.1 += 1;
    }
    seconds.iter().map(|&(w, n)| n > 0 && w * 10 >= n * 9).collect()
}

/// Each system's clock offset, from the request ids its events share with
/// other systems' events, or the user's override; each source's times
/// first aligned by its zone error.
fn clock_offsets(inp: &Inputs<'_>, whole_seconds: &[bool], source_error: &[i64]) -> Vec<skew::Offset> {
    let d = inp.discovery;
    let system_of = |source: u32| d.sources[source as usize].system;
    let aligned = |source: u32, t: i64| t - source_error[source as usize];
    let mut sightings: Vec<skew::Sighting<'_>> = Vec::new();
    let mut echoes: Vec<crate::correlate::echo::Echo> = Vec::new();
    for e in &inp.data.events {
        if inp.catalog.signatures[e.sig as usize].category == Category::Timeout || e.deadline {
            continue; // written at a deadline, not when the other side acted
        }
        let Some(t) = e.ts.map(|t| aligned(e.source, t) + i64::from(e.handled_adjust_ms)) else { continue };
        if let Some(status) = e.status {
            echoes.push((system_of(e.source), t, status, e.remote));
        }
        if let Some(id) = e.request_id.as_deref() {
            sightings.push((system_of(e.source), id, t, e.status, e.remote));
        }
    }
    for u in &inp.data.unnamed {
        if let (Some(id), Some(t)) = (u.request_id.as_deref(), u.ts) {
            sightings.push((system_of(u.source), id, aligned(u.source, t), None, false));
        }
    }
    let overrides: Vec<(u32, i64)> = inp
        .clock_overrides
        .iter()
        .filter_map(|(name, ms)| d.systems.iter().position(|s| s == name).map(|i| (i as u32, *ms)))
        .collect();
    skew::estimate(d.systems.len(), &sightings, whole_seconds, &echoes, &overrides)
}
