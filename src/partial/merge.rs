//! The union of partials as one scan would have found it: files in
//! discovery order (system name, then rotation order), renumbered, each
//! with its events, unnamed lines, changes and warnings in the order its
//! scan met them; a file scanned in byte ranges stitched back (lines
//! renumbered by the newlines before each range, per-file caps applied
//! across ranges); then what the engine settles once a file is whole. The
//! catalog positions are mapped by id onto the merging catalog.

use super::{PartSource, PartSpan, Partial, Scanned};
use crate::catalog::Catalog;
use crate::discover::rotation_key;
use crate::engine::{
    self, ChangeLine, ScanData, SourceScan, UnnamedLine, CHANGES_PER_SOURCE, SPAN_LINE_BIAS,
    UNNAMED_PER_SOURCE,
};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::source::{Source, Warning};
use crate::timestamp::{ReadZone, Zone};
use std::collections::HashMap;
use std::path::PathBuf;

/// What one partial holds of one of its sources, taken out of it.
#[derive(Default)]
struct Held {
    events: Vec<Event>,
    unnamed: Vec<UnnamedLine>,
    changes: Vec<ChangeLine>,
    warnings: Vec<Warning>,
}

/// One file of the union, and the partials that hold it (several when it
/// was scanned in byte ranges, in range order).
struct File {
    system: String,
    path: PathBuf,
    /// (part, local source index).
    pieces: Vec<(usize, usize)>,
}

/// Merges `parts` (each with the path it was read from, for messages),
/// made with catalogs whose signatures and change rules `catalog` holds.
pub fn merge(parts: Vec<(String, Partial)>, catalog: &Catalog) -> Result<Scanned> {
    let names: Vec<String> = parts.iter().map(|(f, _)| f.clone()).collect();
    let bad = |part: usize, msg: String| Error::Partial { file: names[part].clone(), msg };
    let (sig_maps, change_maps) = catalog_maps(&parts, catalog, &bad)?;
    let zones = zones_of(&parts, &bad)?;
    let files = files_of(&parts, &bad)?;

    // each part's findings, by its local source
    let mut held: Vec<Vec<Held>> = Vec::with_capacity(parts.len());
    let mut sources_of: Vec<Vec<PartSource>> = Vec::with_capacity(parts.len());
    let mut skipped = Vec::new();
    for (part, (_, p)) in parts.into_iter().enumerate() {
        let (by_source, sources, part_skipped) = split(part, p, &sig_maps[part], &change_maps[part], &bad)?;
        held.push(by_source);
        sources_of.push(sources);
        skipped.extend(part_skipped);
    }

    let mut out = Scanned::default();
    let mut data = ScanData::default();
    for file in &files {
        let system = match out.discovery.systems.iter().position(|n| *n == file.system) {
            Some(i) => i,
            None => {
                out.discovery.systems.push(file.system.clone());
                out.zones.push(zones[&file.system]);
                out.discovery.systems.len() - 1
            }
        };
        let id = out.discovery.sources.len() as u32;
        let (p0, l0) = file.pieces[0];
        let first = &sources_of[p0][l0];
        let source = Source {
            id,
            system: system as u32,
            path: file.path.clone(),
            display: first.display.clone(),
            kind: first.kind,
            len: first.len,
            mtime: first.mtime,
            nul_head: first.nul_head,
            // read where it was scanned: never opened here (every event
            // carries its evidence)
            identity: None,
        };
        let pieces: Vec<(&PartSource, Held)> = (file.pieces.iter())
            .map(|&(p, l)| (&sources_of[p][l], std::mem::take(&mut held[p][l])))
            .collect();
        append(&mut data, &source, pieces);
        out.discovery.sources.push(source);
    }
    engine::settle(&mut data, &out.discovery.sources);
    out.data = data;
    out.discovery.skipped = skipped;
    crate::discover::tidy_skipped(&mut out.discovery.skipped);
    Ok(out)
}

/// One part's findings, by its local source, with the catalog positions
/// mapped; its sources and skipped inputs.
fn split(
    part: usize,
    p: Partial,
    sig_map: &[u32],
    change_map: &[u32],
    bad: &dyn Fn(usize, String) -> Error,
) -> Result<(Vec<Held>, Vec<PartSource>, Vec<crate::source::Skipped>)> {
    let mut by_source: Vec<Held> = (0..p.sources.len()).map(|_| Held::default()).collect();
    let n = by_source.len();
    let at = |local: u32| {
        (local as usize).lt(&n).then_some(local as usize).ok_or_else(|| {
            bad(part, format!("damaged partial: a line of source {local}, which it does not list"))
        })
    };
    for mut e in p.events {
        let i = at(e.source)?;
        e.sig = *sig_map
            .get(e.sig as usize)
            .ok_or_else(|| bad(part, format!("damaged partial: signature {} unknown", e.sig)))?;
        by_source[i].events.push(e);
    }
    for u in p.unnamed {
        let i = at(u.source)?;
        by_source[i].unnamed.push(u);
    }
    for mut c in p.changes {
        let i = at(c.source)?;
        c.rule = *change_map
            .get(c.rule as usize)
            .ok_or_else(|| bad(part, format!("damaged partial: change rule {} unknown", c.rule)))?;
        by_source[i].changes.push(c);
    }
    let local_of: HashMap<&str, usize> =
        p.sources.iter().enumerate().map(|(i, s)| (s.display.as_str(), i)).collect();
    let mut loose = Vec::new();
    for w in p.warnings {
        match local_of.get(w.file.as_str()) {
            Some(&i) => by_source[i].warnings.push(w),
            None => loose.push(w),
        }
    }
    if let Some(first) = by_source.first_mut() {
        first.warnings.extend(loose);
    }
    Ok((by_source, p.sources, p.skipped))
}

/// Appends one file's findings as source `source.id`: a whole file's as
/// they are, a file's byte ranges stitched.
fn append(data: &mut ScanData, source: &Source, pieces: Vec<(&PartSource, Held)>) {
    let id = source.id;
    let mut scan = SourceScan::default();
    let (mut unnamed_dropped, mut changes_dropped) = (0, 0);
    let (first_unnamed, first_change) = (data.unnamed.len(), data.changes.len());
    let spanned = pieces.iter().any(|(s, _)| s.span.is_some());
    let mut base: i64 = 1;
    let mut unterminated = None;
    for (s, held) in pieces {
        unnamed_dropped += s.unnamed_dropped;
        changes_dropped += s.changes_dropped;
        let fix = |line: u64| match s.span {
            Some(_) => line as i64 - SPAN_LINE_BIAS as i64 + base,
            None => line as i64,
        };
        for mut e in held.events {
            (e.source, e.line) = (id, fix(e.line).max(1) as u64);
            data.events.push(e);
        }
        for mut u in held.unnamed {
            (u.source, u.line) = (id, fix(u.line) as u64);
            data.unnamed.push(u);
        }
        for mut c in held.changes {
            (c.source, c.line) = (id, fix(c.line).max(1) as u64);
            data.changes.push(c);
        }
        data.warnings.extend(held.warnings);
        match s.span {
            None => scan = s.scan.clone(),
            Some(span) => {
                add_scan(&mut scan, &s.scan);
                base += span.newlines as i64;
                if span.unterminated.is_some() {
                    unterminated = span.unterminated;
                }
            }
        }
    }
    if spanned {
        // the per-file caps, across its ranges in order
        let kept = data.unnamed.len() - first_unnamed;
        if kept > UNNAMED_PER_SOURCE {
            data.unnamed.truncate(first_unnamed + UNNAMED_PER_SOURCE);
            unnamed_dropped += (kept - UNNAMED_PER_SOURCE) as u64;
        }
        let kept = data.changes.len() - first_change;
        if kept > CHANGES_PER_SOURCE {
            data.changes.truncate(first_change + CHANGES_PER_SOURCE);
            changes_dropped += (kept - CHANGES_PER_SOURCE) as u64;
        }
        scan.lines = (base - 1) as u64 + u64::from(unterminated.unwrap_or(false));
        if let Some(w) = engine::nul_head_warning(source) {
            data.warnings.push(w);
        }
    }
    data.per_source.push(scan);
    data.unnamed_dropped.push(unnamed_dropped);
    data.changes_dropped.push(changes_dropped);
}

/// Adds what a range's scan learned of a file to the file's.
fn add_scan(into: &mut SourceScan, part: &SourceScan) {
    into.bytes += part.bytes;
    into.zoneless |= part.zoneless;
    for (layout, n) in &part.layouts {
        *into.layouts.entry(*layout).or_default() += n;
    }
    for (offset, n) in &part.written_offsets {
        *into.written_offsets.entry(*offset).or_default() += n;
    }
    into.volume.extend_from_slice(&part.volume);
}

type CatalogMaps = (Vec<Vec<u32>>, Vec<Vec<u32>>);

/// Each part's catalog positions in the merging catalog.
fn catalog_maps(
    parts: &[(String, Partial)],
    catalog: &Catalog,
    bad: &dyn Fn(usize, String) -> Error,
) -> Result<CatalogMaps> {
    let signature_at: HashMap<&str, u32> =
        catalog.signatures.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let change_keys: Vec<String> = catalog.changes.iter().map(|c| c.key()).collect();
    let change_at: HashMap<&str, u32> =
        change_keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
    // where each of a part's ids stands here, or why it cannot be merged
    let place = |part: usize, ids: &[String], at: &HashMap<&str, u32>, what: &dyn Fn(&str) -> String| {
        ids.iter()
            .map(|id| {
                at.get(id.as_str()).copied().ok_or_else(|| {
                    bad(part, format!("scanned with {}: merge with the --patterns the scan used", what(id)))
                })
            })
            .collect::<Result<Vec<u32>>>()
    };
    let mut sigs = Vec::with_capacity(parts.len());
    let mut changes = Vec::with_capacity(parts.len());
    for (part, (_, p)) in parts.iter().enumerate() {
        sigs.push(place(part, &p.catalog.signatures, &signature_at, &|id| {
            format!("signature {id:?}, which this catalog lacks")
        })?);
        changes.push(place(part, &p.catalog.changes, &change_at, &|key| {
            format!("a change rule ({key}) this catalog lacks")
        })?);
    }
    Ok((sigs, changes))
}

/// The zone each system was read in, the same in every part.
fn zones_of(
    parts: &[(String, Partial)],
    bad: &dyn Fn(usize, String) -> Error,
) -> Result<HashMap<String, ReadZone>> {
    let mut zones: HashMap<String, (ReadZone, usize)> = HashMap::new();
    for (part, (_, p)) in parts.iter().enumerate() {
        for sys in &p.systems {
            let zone = ReadZone {
                zone: Zone::parse(&sys.zone).map_err(|e| bad(part, format!("damaged partial: {e}")))?,
                stated: sys.stated,
            };
            match zones.get(&sys.name) {
                Some((z, other)) if *z != zone => {
                    return Err(bad(
                        part,
                        format!(
                            "system {:?} was read in zone {} here and in {} in {}: scan its parts with the same --tz",
                            sys.name,
                            zone.zone.name(),
                            z.zone.name(),
                            parts[*other].0
                        ),
                    ))
                }
                Some(_) => {}
                None => {
                    zones.insert(sys.name.clone(), (zone, part));
                }
            }
        }
    }
    Ok(zones.into_iter().map(|(k, (z, _))| (k, z)).collect())
}

/// Every file of the union in discovery order, with the parts holding it;
/// a file in two parts must be cut in byte ranges that tile it.
fn files_of(parts: &[(String, Partial)], bad: &dyn Fn(usize, String) -> Error) -> Result<Vec<File>> {
    let mut files: Vec<File> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (part, (_, p)) in parts.iter().enumerate() {
        for (local, s) in p.sources.iter().enumerate() {
            let system = (p.systems.get(s.system as usize))
                .ok_or_else(|| {
                    bad(part, format!("damaged partial: source {local} names system {}", s.system))
                })?
                .name
                .clone();
            let key = (system.clone(), s.display.clone());
            match index.get(&key) {
                Some(&f) => {
                    let (other, other_local) = files[f].pieces[0];
                    if s.span.is_none() || parts[other].1.sources[other_local].span.is_none() {
                        return Err(bad(
                            part,
                            format!(
                                "{} (system {system:?}) is also in {}: give each file to one partial, or cut it with --byte-range",
                                s.display, parts[other].0
                            ),
                        ));
                    }
                    files[f].pieces.push((part, local));
                }
                None => {
                    index.insert(key, files.len());
                    files.push(File { system, path: PathBuf::from(&s.path), pieces: vec![(part, local)] });
                }
            }
        }
    }
    for f in &mut files {
        let span_of = |&(p, l): &(usize, usize)| parts[p].1.sources[l].span;
        f.pieces.sort_by_key(|piece| span_of(piece).map(|s| s.blocks));
        if span_of(&f.pieces[0]).is_some() {
            check_tiling(f, parts, bad)?;
        }
    }
    files.sort_by(|a, b| {
        (a.system.cmp(&b.system))
            .then_with(|| rotation_key(&a.path).cmp(&rotation_key(&b.path)))
            .then_with(|| a.pieces[0].cmp(&b.pieces[0]))
    });
    Ok(files)
}

/// The byte ranges of a file cover each block of its plan exactly once,
/// all cut from the same file with the same block size.
fn check_tiling(f: &File, parts: &[(String, Partial)], bad: &dyn Fn(usize, String) -> Error) -> Result<()> {
    let piece = |i: usize| {
        let (p, l) = f.pieces[i];
        (p, &parts[p].1.sources[l])
    };
    let (p0, s0) = piece(0);
    let span0: PartSpan = s0.span.expect("checked by the caller");
    let mut next = 0u32;
    for i in 0..f.pieces.len() {
        let (p, s) = piece(i);
        let span = s.span.expect("every piece of a ranged file has a span");
        if s.len != s0.len || s.mtime != s0.mtime || span.block_size != span0.block_size {
            return Err(bad(
                p,
                format!(
                    "{}: its ranges were cut from different files or with different block sizes (see {})",
                    s.display, parts[p0].0
                ),
            ));
        }
        if span.blocks.0 != next {
            let what = if span.blocks.0 > next { "are in no partial" } else { "are in two partials" };
            return Err(bad(
                p,
                format!(
                    "{}: bytes from {} {what}: its --byte-range parts must tile the file",
                    s.display,
                    s.nul_head + next.min(span.blocks.0) as u64 * span.block_size
                ),
            ));
        }
        next = span.blocks.1;
    }
    if next != span0.block_count {
        return Err(bad(
            p0,
            format!(
                "{}: bytes from {} to its end are in no partial: its --byte-range parts must tile the file",
                s0.display,
                s0.nul_head + next as u64 * span0.block_size
            ),
        ));
    }
    Ok(())
}
