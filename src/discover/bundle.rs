//! Support bundles in discovery: an archive's text members as sources,
//! named as the folder they were made of would be (`crate::archive` reads
//! them).

use super::{skip, stem, Found};
use crate::source::{Skipped, Source, SourceKind};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The text members of an archive, as sources: one system per top folder
/// inside it (past one folder that holds everything), as for a folder of
/// folders; members at the top, or all of them when there are no folders,
/// take the archive's system. Binary members are skipped and listed.
pub(super) fn add_members(
    f: &Found,
    meta: &std::fs::Metadata,
    archive: crate::archive::ArchiveKind,
    sources: &mut Vec<(String, Source)>,
    skipped: &mut Vec<Skipped>,
) {
    let (members, ended) = match crate::source::open_regular(&f.path) {
        Ok((file, _)) => crate::archive::members(file, archive),
        Err(e) => (Vec::new(), Some(e)),
    };
    if let Some(e) = ended {
        let reason = match members.len() {
            0 => format!("unreadable {} archive: {e}", archive.name()),
            n => format!(
                "{} archive unreadable after its first {n} members: {e}; those are read",
                archive.name()
            ),
        };
        skipped.push(skip(&f.display, reason));
    }
    let common = common_folder(members.iter().map(|m| m.name.as_str()));
    let has_folders = members.iter().any(|m| m.name[common.len()..].contains('/'));
    for m in members {
        let display = format!("{}/{}", f.display, m.name);
        if let Some(offset) = m.nul_at {
            skipped.push(skip(&display, format!("binary (NUL byte at offset {offset})")));
            continue;
        }
        let rel = &m.name[common.len()..];
        let system = match rel.split_once('/') {
            _ if f.explicit || !has_folders => f.system.clone(),
            Some((top, _)) => top.to_string(),
            None => stem(Path::new(rel)),
        };
        let source = Source {
            id: 0,
            system: 0,
            path: f.path.clone(),
            display,
            kind: SourceKind::Member { archive, index: m.index },
            len: m.size,
            mtime: m.mtime.or(Some(meta.mtime())),
            nul_head: 0,
            identity: Some(crate::source::FileIdentity { dev: meta.dev(), ino: meta.ino() }),
        };
        sources.push((system, source));
    }
}

/// The folder (with its trailing `/`) that every name is in, or "" .
fn common_folder<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else { return String::new() };
    let Some((top, _)) = first.split_once('/') else { return String::new() };
    let prefix = format!("{top}/");
    if names.all(|n| n.starts_with(&prefix)) {
        prefix
    } else {
        String::new()
    }
}
