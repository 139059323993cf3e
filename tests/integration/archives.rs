//! Support bundles: a `.tar`, `.tar.gz` or `.zip` of a folder of logs is
//! read as that folder would be (one system per top folder, rotations in
//! order, members compressed on their own decompressed), binary members
//! are skipped and listed, and a damaged archive keeps what was read and
//! names what was not.

use crate::util::*;
use std::path::Path;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/incident");

/// Every file under `root`, as (path relative to root's parent, bytes).
fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let base = root.parent().unwrap();
    for e in walkdir::WalkDir::new(root).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(base).unwrap().to_string_lossy().into_owned();
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
    out
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_764_000_000);
        h.set_cksum();
        b.append_data(&mut h, name, bytes.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(name.as_str(), opts).unwrap();
        std::io::Write::write_all(&mut w, bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A summary without what differs between a folder and its archive: the
/// run's time and speed, byte counts (compressed sizes) and the
/// archive's name in front of every path.
fn comparable(s: &serde_json::Value, prefix: &str) -> serde_json::Value {
    let text = serde_json::to_string(s).unwrap().replace(prefix, "");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("generated_at");
    o.remove("stats");
    for sys in o["systems"].as_array_mut().unwrap() {
        sys.as_object_mut().unwrap().remove("bytes");
    }
    v
}

fn scan_raw(path: &Path) -> (serde_json::Value, std::process::Output) {
    let out = run(&["scan", "--format", "json", "--quiet", path.to_str().unwrap()]);
    (serde_json::from_slice(&out.stdout).unwrap(), out)
}

#[test]
fn a_bundle_reads_as_the_folder_it_was_made_of() {
    let dir = Dir::new();
    let copy = dir.join("incident");
    for (rel, bytes) in files(Path::new(EXAMPLE)) {
        dir.write(&rel, bytes);
    }
    let (folder, out) = scan_raw(&copy);
    assert_eq!(code(&out), 1, "the example is an incident");
    let tree = files(&copy);
    let bundles = [
        ("bundle.tar", tar_of(&tree)),
        ("bundle.tar.gz", gzip(&tar_of(&tree))),
        ("bundle.tar.zst", zstd::stream::encode_all(tar_of(&tree).as_slice(), 3).unwrap()),
        ("bundle.zip", zip_of(&tree)),
    ];
    let want = comparable(&folder, &format!("{}/", dir.path().display()));
    for (name, bytes) in bundles {
        let path = dir.write(name, bytes);
        let (s, out) = scan_raw(&path);
        assert_eq!(code(&out), 1, "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(comparable(&s, &format!("{}/", path.display())), want, "{name} reads as the folder");
    }
}

#[test]
fn a_bundle_names_systems_by_folder_decompresses_members_and_skips_binaries() {
    let dir = Dir::new();
    let line = "2026-11-24T10:00:01Z ERROR call failed: 401 Unauthorized invalid_token\n";
    let tree = vec![
        ("support/crm/app.log.1.gz".to_string(), gzip(line.as_bytes())),
        ("support/crm/app.log".to_string(), line.repeat(2).into_bytes()),
        ("support/erp/api.log".to_string(), line.as_bytes().to_vec()),
        ("support/erp/core.dump".to_string(), b"\x7fELF\x02\x01\x01\x00\x00\x00".to_vec()),
        ("support/README".to_string(), b"collected by the support script\n".to_vec()),
    ];
    let path = dir.write("case-1234.zip", zip_of(&tree));
    let (s, out) = scan_json(&[path.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    let systems: Vec<(&str, u64)> = s.systems.iter().map(|x| (x.name.as_str(), x.files)).collect();
    assert_eq!(systems, vec![("README", 1), ("crm", 2), ("erp", 1)], "one system per top folder");
    let auth: u64 = s.signatures.iter().filter(|g| g.category == "authentication").map(|g| g.count).sum();
    assert_eq!(auth, 4, "the gzip member is read decompressed");
    assert_eq!(s.skipped.len(), 1, "{:?}", s.skipped);
    assert!(s.skipped[0].file.ends_with("case-1234.zip/support/erp/core.dump"), "{:?}", s.skipped);
    assert!(s.skipped[0].reason.starts_with("binary"), "{:?}", s.skipped);
    // named with --system, every member is that system
    let (s, _) = scan_json(&["--system", &format!("vendor={}", path.display())]);
    assert_eq!(s.systems.len(), 1);
    assert_eq!(s.systems[0].name, "vendor");
}

#[test]
fn a_damaged_bundle_keeps_what_was_read_and_names_what_was_not() {
    let dir = Dir::new();
    let mut tree = Vec::new();
    for i in 0..6 {
        let mut text = String::new();
        for j in 0..3000u64 {
            text.push_str(&format!(
                "2026-11-24T10:00:{:02}Z INFO request {} ok {}\n",
                j % 60,
                j * 7919 % 100_003,
                i
            ));
        }
        text.push_str("2026-11-24T10:00:59Z ERROR call failed: 401 Unauthorized invalid_token\n");
        tree.push((format!("b/svc{i}/app.log"), text.into_bytes()));
    }
    let full = gzip(&tar_of(&tree));
    let path = dir.write("cut.tar.gz", &full[..full.len() / 2]);
    let (s, out) = scan_json(&[path.to_str().unwrap()]);
    assert!(out.status.code().is_some());
    // the listing stops at the cut: the archive is listed as partly read,
    // and the member the cut went through is named with its warning
    assert_eq!(s.skipped.len(), 1, "{:?}", s.skipped);
    assert!(s.skipped[0].reason.contains("unreadable after its first"), "{:?}", s.skipped);
    assert!(
        s.warnings.iter().all(|w| w.file.starts_with(&format!("{}/b/svc", path.display()))),
        "each warning names the member: {:?}",
        s.warnings
    );
    assert!(s.systems.iter().any(|x| x.events > 0), "the members before the cut are read");
    let out = run(&["scan", "--quiet", "--strict", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "a partial bundle fails --strict");

    // an archive whose listing cannot be read is skipped with the reason
    let mut zip = zip_of(&tree);
    let n = zip.len();
    zip.truncate(n - 30); // the central directory's end is gone
    dir.write("other/broken.zip", zip);
    dir.write("other/app.log", "2026-11-24T10:00:01Z INFO fine\n");
    let (s, out) = scan_json(&[dir.join("other").to_str().unwrap()]);
    assert!(out.status.code().is_some());
    assert_eq!(s.skipped.len(), 1, "{:?}", s.skipped);
    assert!(s.skipped[0].file.ends_with("broken.zip"), "{:?}", s.skipped);
    assert!(s.skipped[0].reason.contains("unreadable zip archive"), "{:?}", s.skipped);
    assert_eq!(s.stats.lines, 1, "the other file is read");
}
