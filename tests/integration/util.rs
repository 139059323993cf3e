//! A temporary directory of logs and a way to run the binary on it.

#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `shared/` folder beside the repository (or `FAULTLINE_SHARED`).
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("FAULTLINE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")),
    }
}

/// A temporary directory that files are written into.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir { tmp: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Writes a gzip file.
    pub fn write_gz(&self, rel: &str, text: &[u8]) -> PathBuf {
        self.write(rel, gzip(text))
    }
}

pub fn gzip(text: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text).unwrap();
    enc.finish().unwrap()
}

/// The faultline binary.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.env_remove("NO_COLOR").env("TZ", "UTC");
    c
}

/// Runs the binary with arguments and returns its output; panics with the
/// output if it died on a signal.
pub fn run(args: &[&str]) -> Output {
    let out = bin().args(args).stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.signal().is_none(),
        "killed by signal {:?}: {}",
        out.status.signal(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `scan --format json` and parses the summary.
pub fn scan_json(args: &[&str]) -> (crate::contract::Summary, Output) {
    let mut all = vec!["scan", "--format", "json", "--quiet"];
    all.extend_from_slice(args);
    let out = run(&all);
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: crate::contract::Summary = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("bad JSON ({e}): {text}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (summary, out)
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// A small two-system incident: erp rejects tokens, crm times out after.
pub fn incident(dir: &Dir) {
    let mut erp = String::new();
    let mut crm = String::new();
    for i in 0..600 {
        let (m, s) = (i / 10, (i % 10) * 6);
        erp.push_str(&format!("2026-11-24T10:{m:02}:{s:02}.000Z INFO request ok request_id=req-{i:06}\n"));
        crm.push_str(&format!(
            "2026-11-24 10:{m:02}:{s:02},500 INFO [main] c.a.Sync - pushed order request_id=req-{i:06}\n"
        ));
        if i >= 300 {
            erp.push_str(&format!(
                "2026-11-24T10:{m:02}:{s:02}.100Z ERROR auth rejected request_id=req-{i:06}: 401 Unauthorized invalid_token: JWT signature does not match\n"
            ));
        }
        if i >= 320 {
            crm.push_str(&format!(
                "2026-11-24 10:{m:02}:{s:02},900 ERROR [main] c.a.Sync - java.net.SocketTimeoutException: Read timed out request_id=req-{i:06}\n"
            ));
            crm.push_str("\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)\n");
        }
    }
    dir.write("incident/erp/api.log", erp);
    dir.write("incident/crm/connector.log", crm);
}
