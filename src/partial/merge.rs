//! The union of partials as one scan would have found it: sources in
//! discovery order (system name, then rotation order), renumbered, with
//! their events, unnamed lines, changes and warnings following them; the
//! catalog positions mapped by id onto the merging catalog.

use super::{Partial, Scanned};
use crate::catalog::Catalog;
use crate::discover::rotation_key;
use crate::engine::ScanData;
use crate::error::{Error, Result};
use crate::source::Source;
use crate::timestamp::{ReadZone, Zone};
use std::collections::HashMap;
use std::path::PathBuf;

/// Merges `parts` (each with the path it was read from, for messages),
/// made with catalogs whose signatures and change rules `catalog` holds.
pub fn merge(parts: Vec<(String, Partial)>, catalog: &Catalog) -> Result<Scanned> {
    let signature_at: HashMap<&str, u32> =
        catalog.signatures.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect();
    let change_keys: Vec<String> = catalog.changes.iter().map(|c| c.key()).collect();
    let change_at: HashMap<&str, u32> =
        change_keys.iter().enumerate().map(|(i, k)| (k.as_str(), i as u32)).collect();
    let bad = |file: &str, msg: String| Error::Partial { file: file.to_string(), msg };

    // Each part's catalog positions in the merging catalog.
    let mut sig_maps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
    let mut change_maps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
    for (file, p) in &parts {
        let sigs = (p.catalog.signatures.iter())
            .map(|id| signature_at.get(id.as_str()).copied().ok_or_else(|| {
                bad(file, format!(
                    "scanned with signature {id:?}, which this catalog lacks: merge with the --patterns the scan used"
                ))
            }))
            .collect::<Result<Vec<u32>>>()?;
        let changes = (p.catalog.changes.iter())
            .map(|key| change_at.get(key.as_str()).copied().ok_or_else(|| {
                bad(file, format!(
                    "scanned with a change rule ({key}) this catalog lacks: merge with the --patterns the scan used"
                ))
            }))
            .collect::<Result<Vec<u32>>>()?;
        sig_maps.push(sigs);
        change_maps.push(changes);
    }

    // Every source of every part, in the order one discovery gives.
    struct Placed {
        part: usize,
        local: u32,
        system: String,
        path: PathBuf,
    }
    let mut placed: Vec<Placed> = Vec::new();
    let mut zones: HashMap<String, (ReadZone, usize)> = HashMap::new();
    for (part, (file, p)) in parts.iter().enumerate() {
        for (local, s) in p.sources.iter().enumerate() {
            let sys = p.systems.get(s.system as usize).ok_or_else(|| {
                bad(file, format!("damaged partial: source {local} names system {}", s.system))
            })?;
            let zone = ReadZone {
                zone: Zone::parse(&sys.zone).map_err(|e| bad(file, format!("damaged partial: {e}")))?,
                stated: sys.stated,
            };
            match zones.get(&sys.name) {
                Some((z, other)) if *z != zone => {
                    return Err(bad(
                        file,
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
            placed.push(Placed {
                part,
                local: local as u32,
                system: sys.name.clone(),
                path: PathBuf::from(&s.path),
            });
        }
    }
    placed.sort_by(|a, b| {
        (a.system.cmp(&b.system))
            .then_with(|| rotation_key(&a.path).cmp(&rotation_key(&b.path)))
            .then_with(|| (a.part, a.local).cmp(&(b.part, b.local)))
    });
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for pl in &placed {
        let display = parts[pl.part].1.sources[pl.local as usize].display.as_str();
        if let Some(&other) = seen.get(&(pl.system.as_str(), display)) {
            if other != pl.part {
                return Err(bad(
                    &parts[pl.part].0,
                    format!(
                        "{display} (system {:?}) is also in {}: give each file to one partial",
                        pl.system, parts[other].0
                    ),
                ));
            }
        }
        seen.insert((pl.system.as_str(), display), pl.part);
    }

    let mut out = Scanned::default();
    let mut new_id: Vec<Vec<u32>> = parts.iter().map(|(_, p)| vec![0; p.sources.len()]).collect();
    let mut data = ScanData::default();
    for pl in &placed {
        let s = &parts[pl.part].1.sources[pl.local as usize];
        let system = match out.discovery.systems.iter().position(|n| *n == pl.system) {
            Some(i) => i,
            None => {
                out.discovery.systems.push(pl.system.clone());
                out.zones.push(zones[&pl.system].0);
                out.discovery.systems.len() - 1
            }
        };
        let id = out.discovery.sources.len() as u32;
        new_id[pl.part][pl.local as usize] = id;
        out.discovery.sources.push(Source {
            id,
            system: system as u32,
            path: pl.path.clone(),
            display: s.display.clone(),
            kind: s.kind,
            len: s.len,
            mtime: s.mtime,
            nul_head: s.nul_head,
            // read where it was scanned: never opened here (every event
            // carries its evidence)
            identity: None,
        });
        data.per_source.push(s.scan.clone());
        data.unnamed_dropped.push(s.unnamed_dropped);
        data.changes_dropped.push(s.changes_dropped);
    }

    for (part, (file, p)) in parts.into_iter().enumerate() {
        let source = |local: u32| {
            new_id[part].get(local as usize).copied().ok_or_else(|| {
                bad(&file, format!("damaged partial: a line of source {local}, which it does not list"))
            })
        };
        for mut e in p.events {
            e.source = source(e.source)?;
            e.sig = *sig_maps[part]
                .get(e.sig as usize)
                .ok_or_else(|| bad(&file, format!("damaged partial: signature {} unknown", e.sig)))?;
            data.events.push(e);
        }
        for mut u in p.unnamed {
            u.source = source(u.source)?;
            data.unnamed.push(u);
        }
        for mut c in p.changes {
            c.source = source(c.source)?;
            c.rule = *change_maps[part]
                .get(c.rule as usize)
                .ok_or_else(|| bad(&file, format!("damaged partial: change rule {} unknown", c.rule)))?;
            data.changes.push(c);
        }
        data.warnings.extend(p.warnings);
        out.discovery.skipped.extend(p.skipped);
    }
    // Within a source, each part kept its scan's order; sorting by the new
    // source ids (stably) lays the sources out as one scan would.
    data.events.sort_by_key(|e| (e.source, e.line));
    data.unnamed.sort_by_key(|u| (u.source, u.line));
    data.changes.sort_by_key(|c| (c.source, c.line));
    let order: HashMap<&str, u32> =
        out.discovery.sources.iter().map(|s| (s.display.as_str(), s.id)).collect();
    data.warnings.sort_by_key(|w| order.get(w.file.as_str()).copied().unwrap_or(u32::MAX));
    crate::discover::tidy_skipped(&mut out.discovery.skipped);
    out.data = data;
    Ok(out)
}
