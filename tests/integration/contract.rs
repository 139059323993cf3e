//! The JSON contract of INTERFACE.md, written out as test-owned structs:
//! if the program renames or drops a field, these stop deserializing.

#![allow(dead_code)] // every field of the contract is read by serde, not all by tests

use crate::util::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Summary {
    pub schema: String,
    pub generated_at: String,
    pub window: Window,
    pub systems: Vec<System>,
    pub causes: Vec<Cause>,
    pub signatures: Vec<Signature>,
    pub templates: Vec<Template>,
    pub skipped: Vec<Note>,
    pub stats: Stats,
    // Extensions.
    #[serde(default)]
    pub warnings: Vec<Note>,
}

#[derive(Debug, Deserialize)]
pub struct Window {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct System {
    pub name: String,
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    pub events: u64,
    pub clock_offset_ms: i64,
}

#[derive(Debug, Deserialize)]
pub struct Cause {
    pub rank: usize,
    pub score: f64,
    pub score_parts: ScoreParts,
    pub fingerprint: String,
    pub category: String,
    pub signature: String,
    pub title: String,
    pub system: String,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub count: u64,
    pub http_status: Vec<u16>,
    pub effects: Vec<Effect>,
    pub evidence: Vec<Evidence>,
    pub advice: Vec<String>,
    /// Extension: change records shortly before the cause.
    #[serde(default)]
    pub changes_before: Vec<ChangeNote>,
    /// Extension: the rank of the cause this one is another view of.
    #[serde(default)]
    pub view_of: Option<usize>,
}

#[derive(Debug, Deserialize)]
pub struct ChangeNote {
    pub kind: String,
    pub system: String,
    pub at: String,
    pub before_ms: i64,
    pub file: String,
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Deserialize)]
pub struct ScoreParts {
    pub onset: f64,
    pub rise: f64,
    pub explains: f64,
    pub prior: f64,
}

#[derive(Debug, Deserialize)]
pub struct Effect {
    pub system: String,
    pub category: String,
    pub signature: String,
    pub lag_ms: i64,
    pub count: u64,
}

#[derive(Debug, Deserialize)]
pub struct Evidence {
    pub file: String,
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Deserialize)]
pub struct Signature {
    pub signature: String,
    pub category: String,
    pub system: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Template {
    pub cluster: String,
    pub template: String,
    pub system: String,
    pub count: u64,
    pub first_seen: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Note {
    pub file: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    pub elapsed_ms: u64,
}

const CATEGORIES: [&str; 12] = [
    "authentication",
    "rate_limit",
    "validation",
    "schema_mismatch",
    "timeout",
    "connectivity",
    "webhook",
    "not_found",
    "server_error",
    "unavailable",
    "configuration",
    "other",
];

fn is_rfc3339(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[test]
fn json_summary_follows_the_contract() {
    let dir = Dir::new();
    incident(&dir);
    let root = dir.join("incident");
    let (s, out) = scan_json(&[root.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "causes were found: exit 1");
    assert_eq!(s.schema, "faultline.summary/v1");
    assert!(is_rfc3339(&s.generated_at));
    assert!(is_rfc3339(s.window.start.as_deref().unwrap()));
    assert!(is_rfc3339(s.window.end.as_deref().unwrap()));
    let names: Vec<&str> = s.systems.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, vec!["crm", "erp"]);
    assert_eq!(s.stats.files, 2);
    assert_eq!(s.stats.lines, s.systems.iter().map(|x| x.lines).sum::<u64>());
    assert_eq!(s.systems[1].lines, 900);
    assert!(
        s.stats.bytes > 0 && s.systems.iter().all(|x| x.files == 1 && x.bytes > 0 && x.clock_offset_ms == 0)
    );
    assert!(!s.causes.is_empty());
    for (i, c) in s.causes.iter().enumerate() {
        assert_eq!(c.rank, i + 1);
        assert!(CATEGORIES.contains(&c.category.as_str()), "{}", c.category);
        assert!((0.0..=1.0).contains(&c.score));
        for p in [c.score_parts.onset, c.score_parts.rise, c.score_parts.explains, c.score_parts.prior] {
            assert!((0.0..=1.0).contains(&p));
        }
        assert_eq!(c.fingerprint.len(), 16);
        assert!(c.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(c.first_seen.as_deref().is_some_and(is_rfc3339));
        assert!(c.last_seen.as_deref().is_some_and(is_rfc3339));
        assert!(!c.advice.is_empty(), "every cause carries advice");
        assert!(!c.evidence.is_empty());
        for e in &c.evidence {
            assert!(e.line >= 1 && !e.text.is_empty() && !e.file.is_empty());
        }
        for e in &c.effects {
            assert!(e.lag_ms >= 0 && e.count > 0 && !e.signature.is_empty() && !e.system.is_empty());
            assert!(CATEGORIES.contains(&e.category.as_str()));
        }
        assert!(!c.title.is_empty() && !c.signature.is_empty() && c.count > 0);
        let _ = &c.http_status;
    }
    for g in &s.signatures {
        assert!(CATEGORIES.contains(&g.category.as_str()));
        assert!(g.count > 0 && !g.system.is_empty() && !g.signature.is_empty());
        assert!(
            g.first_seen.as_deref().is_some_and(is_rfc3339) && g.last_seen.as_deref().is_some_and(is_rfc3339)
        );
    }
    for t in &s.templates {
        assert!(!t.cluster.is_empty() && !t.template.is_empty() && !t.system.is_empty() && t.count > 0);
        let _ = &t.first_seen;
    }
    assert!(s.skipped.is_empty() && s.warnings.is_empty(), "{:?} {:?}", s.skipped, s.warnings);
}

#[test]
fn the_first_cause_is_the_credential_failure_and_fingerprints_are_stable() {
    let dir = Dir::new();
    incident(&dir);
    let root = dir.join("incident");
    let (a, _) = scan_json(&[root.to_str().unwrap()]);
    let top = &a.causes[0];
    assert_eq!((top.category.as_str(), top.system.as_str()), ("authentication", "erp"), "{:#?}", a.causes);
    assert_eq!(top.first_seen.as_deref(), Some("2026-11-24T10:30:00.100Z"));
    assert_eq!(top.count, 300);
    assert!(top.http_status.contains(&401));
    assert_eq!(top.evidence[0].file, root.join("erp/api.log").display().to_string());
    assert_eq!(top.evidence[0].line, 302, "1-based line of the first rejection");
    assert!(top.effects.iter().any(|e| e.system == "crm" && e.category == "timeout"), "{:?}", top.effects);
    // Same cause with fewer events (a later window): same fingerprint.
    let (b, _) = scan_json(&[root.to_str().unwrap(), "--until", "2026-11-24T10:40:00Z", "--jobs", "1"]);
    let same = b.causes.iter().find(|c| c.signature == top.signature && c.system == top.system).unwrap();
    assert_eq!(same.fingerprint, top.fingerprint);
    assert!(same.count < top.count);
}
