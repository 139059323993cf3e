//! Partial summaries: `scan --partial FILE` writes what a scan found where
//! the logs are, and `merge PARTIAL...` ranks the union elsewhere
//! (`faultline.partial/v1`, gzip-compressed JSON).
//!
//! A partial is the scan's own result, not a digest of it: the events with
//! their evidence text, the error lines no signature names (capped per
//! file, as in a scan), the change records, each file's traffic samples and
//! time layouts, and what was skipped. `merge` puts the parts' sources back
//! in the order one discovery would give (system, then rotation order),
//! renumbers them, and hands the summary exactly what one scan of every
//! file would have handed it: the same summary, but for timings and
//! `generated_at` (`tests/integration/partial.rs` checks it over random
//! splits). Its size grows with the events found, never with the bytes
//! scanned without a finding.

mod merge;

pub use merge::merge;

use crate::catalog::Catalog;
use crate::discover::Discovery;
use crate::engine::{ChangeLine, ScanData, SourceScan, UnnamedLine};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::source::{Skipped, SourceKind, Warning};
use crate::timestamp::{ReadZone, Zone};
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;

/// The version tag of the format.
pub const SCHEMA: &str = "faultline.partial/v1";

/// What one scan found: the summary is made from this, and a partial holds
/// it.
#[derive(Debug, Default)]
pub struct Scanned {
    /// Systems, sources and skipped inputs.
    pub discovery: Discovery,
    /// Events and per-source findings.
    pub data: ScanData,
    /// Per system, the zone its zoneless times were read in.
    pub zones: Vec<ReadZone>,
}

/// A partial as written.
#[derive(Debug, Serialize, Deserialize)]
pub struct Partial {
    /// [`SCHEMA`].
    pub schema: String,
    /// The faultline version that wrote it.
    pub written_by: String,
    /// The catalog the scan matched with, by id (events refer to its
    /// positions).
    pub catalog: CatalogIds,
    /// Systems, by index.
    pub systems: Vec<PartSystem>,
    /// Sources, by index, in discovery order.
    pub sources: Vec<PartSource>,
    /// Events, in (source, line) order, with their evidence text.
    pub events: Vec<Event>,
    /// Error lines no signature names, in (source, line) order.
    pub unnamed: Vec<UnnamedLine>,
    /// Change records, in (source, line) order.
    pub changes: Vec<ChangeLine>,
    /// Inputs left out, with the reason.
    pub skipped: Vec<Skipped>,
    /// Problems met while reading, in source order.
    pub warnings: Vec<Warning>,
}

/// The ids of the catalog a partial was made with.
#[derive(Debug, Serialize, Deserialize)]
pub struct CatalogIds {
    /// Signature ids, by index.
    pub signatures: Vec<String>,
    /// Change rules by what they recognise ([`ChangeRule::key`]), by index.
    ///
    /// [`ChangeRule::key`]: crate::catalog::ChangeRule::key
    pub changes: Vec<String>,
}

/// A system of a partial.
#[derive(Debug, Serialize, Deserialize)]
pub struct PartSystem {
    /// Its name.
    pub name: String,
    /// The zone its zoneless times were read in (`UTC`, `local` or IANA).
    pub zone: String,
    /// The user named that zone (`--tz`).
    pub stated: bool,
}

/// A source of a partial.
#[derive(Debug, Serialize, Deserialize)]
pub struct PartSource {
    /// Index of its system.
    pub system: u32,
    /// The path where it was scanned.
    pub path: String,
    /// The path as reports show it.
    pub display: String,
    /// How it was read.
    pub kind: SourceKind,
    /// Size on disk when found.
    pub len: u64,
    /// Last modification, seconds since the epoch.
    pub mtime: Option<i64>,
    /// NUL bytes skipped at its head.
    pub nul_head: u64,
    /// What the scan learned about it.
    pub scan: SourceScan,
    /// Unnamed lines counted but not kept.
    pub unnamed_dropped: u64,
    /// Change records counted but not kept.
    pub changes_dropped: u64,
    /// Present when the partial holds a byte range of the file only
    /// (`scan --byte-range`): its lines are numbered from
    /// [`SPAN_LINE_BIAS`](crate::engine::SPAN_LINE_BIAS), its events are
    /// not yet one per head and `scan.lines` is 0, all settled by the merge
    /// once every range of the file is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<PartSpan>,
}

/// The part of a file a partial holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartSpan {
    /// The byte range asked for.
    pub start: u64,
    /// Its end.
    pub end: u64,
    /// The blocks of the file's plan it covers, `[first, end)`.
    pub blocks: (u32, u32),
    /// Blocks in the file's plan.
    pub block_count: u32,
    /// The plan's block size.
    pub block_size: u64,
    /// Newlines in its blocks.
    pub newlines: u64,
    /// Whether its last block with bytes ended without a newline.
    pub unterminated: Option<bool>,
}

impl Partial {
    /// The partial of a scan made with `catalog`.
    pub fn of(scanned: Scanned, catalog: &Catalog) -> Partial {
        let Scanned { discovery, data, zones } = scanned;
        let systems = (discovery.systems.iter().zip(&zones))
            .map(|(name, z)| PartSystem { name: name.clone(), zone: zone_name(z.zone), stated: z.stated })
            .collect();
        let sources = (discovery.sources.iter().zip(data.per_source))
            .map(|(s, scan)| PartSource {
                system: s.system,
                path: s.path.to_string_lossy().into_owned(),
                display: s.display.clone(),
                kind: s.kind,
                len: s.len,
                mtime: s.mtime,
                nul_head: s.nul_head,
                scan,
                unnamed_dropped: data.unnamed_dropped.get(s.id as usize).copied().unwrap_or(0),
                changes_dropped: data.changes_dropped.get(s.id as usize).copied().unwrap_or(0),
                span: None,
            })
            .collect();
        Partial {
            schema: SCHEMA.into(),
            written_by: env!("FAULTLINE_VERSION").into(),
            catalog: CatalogIds {
                signatures: catalog.signatures.iter().map(|s| s.id.clone()).collect(),
                changes: catalog.changes.iter().map(|c| c.key()).collect(),
            },
            systems,
            sources,
            events: data.events,
            unnamed: data.unnamed,
            changes: data.changes,
            skipped: discovery.skipped,
            warnings: data.warnings,
        }
    }

    /// The partial of a byte range of one file (`scan --byte-range`).
    pub fn of_span(
        discovery: Discovery,
        zones: Vec<ReadZone>,
        scan: crate::engine::SpanScan,
        span: crate::engine::ByteSpan,
        block_size: u64,
        catalog: &Catalog,
    ) -> Partial {
        let part = PartSpan {
            start: span.start,
            end: span.end,
            blocks: scan.blocks,
            block_count: scan.block_count,
            block_size,
            newlines: scan.newlines,
            unterminated: scan.unterminated,
        };
        let mut p = Partial::of(Scanned { discovery, data: scan.data, zones }, catalog);
        for s in &mut p.sources {
            s.span = Some(part);
        }
        p
    }

    /// Writes it to `path` (gzip-compressed JSON) whole
    /// ([`crate::output::write_whole`]). Returns the bytes written.
    pub fn write(&self, path: &Path) -> Result<u64> {
        let failed = |e: std::io::Error| Error::Partial {
            file: path.display().to_string(),
            msg: format!("cannot write the partial: {e}"),
        };
        crate::output::write_whole(path, |w| {
            // serde writes in small pieces: buffered before the encoder
            let gz = flate2::write::GzEncoder::new(w, flate2::Compression::fast());
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, gz);
            serde_json::to_writer(&mut out, self).map_err(std::io::Error::other)?;
            out.into_inner().map_err(|e| e.into_error())?.finish()?;
            Ok(())
        })
        .map_err(failed)
    }

    /// Reads a partial (gzip-compressed or plain JSON), checking its
    /// version.
    pub fn read(path: &Path) -> Result<Partial> {
        let bad = |msg: String| Error::Partial { file: path.display().to_string(), msg };
        let file = std::fs::File::open(path).map_err(|e| bad(crate::discover::io_reason(&e)))?;
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, file);
        let gzip = {
            use std::io::BufRead;
            reader.fill_buf().map_err(|e| bad(crate::discover::io_reason(&e)))?.starts_with(&[0x1f, 0x8b])
        };
        let mut text = Vec::new();
        let read = if gzip {
            flate2::read::MultiGzDecoder::new(reader).read_to_end(&mut text)
        } else {
            reader.read_to_end(&mut text)
        };
        read.map_err(|e| bad(format!("cannot be read: {e}")))?;
        Partial::parse(&text, &path.display().to_string())
    }

    /// A partial from its JSON text; `file` names it in errors.
    pub fn parse(text: &[u8], file: &str) -> Result<Partial> {
        let bad = |msg: String| Error::Partial { file: file.to_string(), msg };
        // parsed once when it is a partial; when it is not, its version is
        // read alone, so a newer format is named as such rather than as a
        // shape error
        #[derive(Deserialize)]
        struct Head {
            schema: Option<String>,
        }
        let full = serde_json::from_slice::<Partial>(text);
        let schema = match &full {
            Ok(p) => Some(p.schema.clone()),
            Err(_) => {
                (serde_json::from_slice::<Head>(text))
                    .map_err(|e| bad(format!("not a faultline partial (not JSON: {e})")))?
                    .schema
            }
        };
        match schema.as_deref() {
            Some(SCHEMA) => full.map_err(|e| bad(format!("damaged partial: {e}"))),
            Some(s) if s.starts_with("faultline.partial/") => {
                Err(bad(format!("written in {s}; this faultline reads {SCHEMA}")))
            }
            _ => Err(bad(format!("not a faultline partial (no \"schema\": \"{SCHEMA}\")"))),
        }
    }
}

/// Reads the partials of `paths` (a directory: each regular file in it, by
/// name) in parallel and merges them. A partial that cannot be read is
/// skipped with its reason, as a log file would be; parts that contradict
/// each other (a file in two, a system read in two zones, a signature the
/// catalog lacks) stop the merge.
pub fn read_and_merge(paths: &[std::path::PathBuf], catalog: &Catalog) -> Result<Scanned> {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut inside: Vec<std::path::PathBuf> = entries
                    .flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .map(|e| e.path())
                    .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
                    .collect();
                inside.sort();
                files.extend(inside);
            }
            Err(_) => files.push(path.clone()),
        }
    }
    let read: Vec<(String, Result<Partial>)> =
        files.par_iter().map(|p| (p.display().to_string(), Partial::read(p))).collect();
    let mut parts = Vec::with_capacity(read.len());
    for (file, got) in read {
        match got {
            Ok(p) => parts.push((file, p)),
            Err(Error::Partial { file, msg }) => skipped.push(Skipped { file, reason: msg }),
            Err(e) => return Err(e),
        }
    }
    if parts.is_empty() {
        return Err(Error::no_input(&skipped, "no partial in the given paths"));
    }
    let mut merged = merge(parts, catalog)?;
    merged.discovery.skipped.extend(skipped);
    crate::discover::tidy_skipped(&mut merged.discovery.skipped);
    Ok(merged)
}

/// A zone as a partial writes it.
fn zone_name(zone: Zone) -> String {
    match zone {
        Zone::Utc => "UTC".into(),
        Zone::Local => "local".into(),
        Zone::Named(tz) => tz.name().to_string(),
    }
}
