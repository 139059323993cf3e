//! The signature catalog: `patterns/*.toml` → [`Catalog`], plain data.
//!
//! Owns the pattern-file schema (documented in `patterns/README.md`), its
//! validation with `file:line: reason` errors, the built-in files compiled
//! into the binary, and the per-category advice. Only `matcher` turns a
//! catalog into automata.

mod builtin;
mod category;
mod change;

pub use category::Category;
pub use change::{ChangeKind, ChangeRule};

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// How bad a signature's failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Degraded but working.
    Warning,
    /// A failed operation.
    Error,
    /// The integration is down.
    Critical,
}

/// What a signature usually is in an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Usually starts incidents (credentials, schema, configuration).
    Cause,
    /// Usually follows from something else (timeouts, retries, 5xx).
    Symptom,
}

/// One error signature.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Unique id, `area.name`.
    pub id: String,
    /// Cause category.
    pub category: Category,
    /// One-line human title.
    pub title: String,
    /// How bad it is.
    pub severity: Severity,
    /// Cause or symptom prior.
    pub role: Role,
    /// Fixed strings searched case-insensitively; a hit makes a line a
    /// candidate.
    pub literals: Vec<String>,
    /// Optional confirming regex, run on the candidate line only.
    pub regex: Option<String>,
    /// HTTP statuses this signature stands for.
    pub http_status: Vec<u16>,
    /// Tie-break when one line matches several signatures.
    pub priority: i32,
    /// Signature-specific steps.
    pub advice: Vec<String>,
    /// Lines that must be attributed to this signature.
    pub examples: Vec<String>,
    /// Lines that must not be attributed to this signature.
    pub counterexamples: Vec<String>,
    /// Where it was defined (`auth.toml:12`).
    pub origin: String,
}

/// All signatures plus the advice of every category.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Signatures in load order (built-ins first, by file name).
    pub signatures: Vec<Signature>,
    /// Steps for each category, from the knowledge base.
    pub category_advice: BTreeMap<Category, Vec<String>>,
    /// Rules that recognise change records (`[[change]]`).
    pub changes: Vec<ChangeRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    categories: BTreeMap<String, CategoryDoc>,
    #[serde(default)]
    signature: Vec<toml::Spanned<SignatureDoc>>,
    #[serde(default)]
    change: Vec<toml::Spanned<ChangeDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeDoc {
    kind: String,
    literals: Vec<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDoc {
    advice: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureDoc {
    id: String,
    category: String,
    title: String,
    severity: Severity,
    role: Role,
    literals: Vec<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    http_status: Vec<u16>,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    advice: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    counterexamples: Vec<String>,
}

/// The shortest literal accepted: shorter ones hit nearly every line.
pub const MIN_LITERAL_LEN: usize = 3;

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn builtin() -> Result<Catalog> {
        let mut catalog = Catalog::default();
        for (name, text) in builtin::FILES {
            catalog.add_file(name, text)?;
        }
        Ok(catalog)
    }

    /// Adds every `*.toml` file of `dir`, in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<()> {
        let entries =
            std::fs::read_dir(dir).map_err(|source| Error::Open { path: dir.to_path_buf(), source })?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(Error::Pattern {
                file: dir.display().to_string(),
                line: 0,
                msg: "no *.toml pattern file in this directory".into(),
            });
        }
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Pattern {
                file: path.display().to_string(),
                line: 0,
                msg: e.to_string(),
            })?;
            self.add_file(&path.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// Parses one pattern file and adds its contents, checking everything
    /// that can be checked without running the matcher.
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<()> {
        let err = |line: usize, msg: String| Error::Pattern { file: name.to_string(), line, msg };
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| line_of(text, s.start));
            err(line, e.message().to_string())
        })?;
        for (cat_name, cat) in doc.categories {
            let category = Category::from_name(&cat_name)
                .ok_or_else(|| err(find_line(text, &cat_name), unknown_category(&cat_name)))?;
            self.category_advice.entry(category).or_default().extend(cat.advice);
        }
        let mut seen: HashSet<String> = self.signatures.iter().map(|s| s.id.clone()).collect();
        for spanned in doc.signature {
            let line = line_of(text, spanned.span().start);
            let sig = spanned.into_inner();
            let category = Category::from_name(&sig.category)
                .ok_or_else(|| err(line, unknown_category(&sig.category)))?;
            if sig.id.is_empty()
                || !sig
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
            {
                return Err(err(line, format!("signature id {:?} must be [a-z0-9_.]+", sig.id)));
            }
            if !seen.insert(sig.id.clone()) {
                return Err(err(line, format!("duplicate signature id {:?}", sig.id)));
            }
            check_literals_and_regex(&format!("signature {:?}", sig.id), &sig.literals, &sig.regex)
                .map_err(|msg| err(line, msg))?;
            if let Some(status) = sig.http_status.iter().find(|s| !(100..=599).contains(*s)) {
                return Err(err(line, format!("signature {:?}: {status} is not an HTTP status", sig.id)));
            }
            self.signatures.push(Signature {
                id: sig.id,
                category,
                title: sig.title,
                severity: sig.severity,
                role: sig.role,
                literals: sig.literals,
                regex: sig.regex,
                http_status: sig.http_status,
                priority: sig.priority,
                advice: sig.advice,
                examples: sig.examples,
                counterexamples: sig.counterexamples,
                origin: format!("{name}:{line}"),
            });
        }
        for spanned in doc.change {
            let line = line_of(text, spanned.span().start);
            let rule = spanned.into_inner();
            let kind = ChangeKind::from_name(&rule.kind).ok_or_else(|| {
                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
                err(line, format!("unknown change kind {:?} (known: {})", rule.kind, known.join(", ")))
            })?;
            check_literals_and_regex(&format!("change rule ({kind})"), &rule.literals, &rule.regex)
                .map_err(|msg| err(line, msg))?;
            self.changes.push(ChangeRule {
                kind,
                literals: rule.literals,
                regex: rule.regex,
                examples: rule.examples,
                counterexamples: rule.counterexamples,
                origin: format!("{name}:{line}"),
            });
        }
        Ok(())
    }

    /// The steps to show for a signature: its own, then its category's.
    pub fn advice_for(&self, sig: &Signature) -> Vec<String> {
        let mut steps = sig.advice.clone();
        if let Some(general) = self.category_advice.get(&sig.category) {
            steps.extend(general.iter().cloned());
        }
        steps
    }

    /// Looks a signature up by id.
    pub fn get(&self, id: &str) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.id == id)
    }
}

/// At least one literal, none too short, and a regex that compiles.
fn check_literals_and_regex(
    what: &str,
    literals: &[String],
    regex: &Option<String>,
) -> std::result::Result<(), String> {
    if literals.is_empty() {
        return Err(format!("{what} has no literals"));
    }
    if let Some(lit) = literals.iter().find(|l| l.len() < MIN_LITERAL_LEN) {
        return Err(format!("{what}: literal {lit:?} is shorter than {MIN_LITERAL_LEN} bytes"));
    }
    if let Some(re) = regex {
        regex::Regex::new(re).map_err(|e| format!("{what}: bad regex: {e}"))?;
    }
    Ok(())
}

fn unknown_category(name: &str) -> String {
    let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    format!("unknown category {name:?} (known: {})", known.join(", "))
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

fn find_line(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(0, |o| line_of(text, o))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[categories.authentication]
advice = ["Check the credentials."]

[[signature]]
id = "t.one"
category = "authentication"
title = "One"
severity = "error"
role = "cause"
literals = ["token expired"]
"#;

    #[test]
    fn parses_a_good_file() {
        let mut c = Catalog::default();
        c.add_file("t.toml", GOOD).unwrap();
        assert_eq!(c.signatures.len(), 1);
        assert_eq!(c.signatures[0].origin, "t.toml:5");
        let advice = c.advice_for(&c.signatures[0]);
        assert_eq!(advice, vec!["Check the credentials.".to_string()]);
    }

    fn error_of(text: &str) -> String {
        Catalog::default().add_file("bad.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let msg = error_of("[[signature]]\nid = \"x\"\ncategory = \n");
        assert!(msg.starts_with("bad.toml:3:"), "{msg}");
    }

    #[test]
    fn unknown_category_names_the_line() {
        let text = GOOD.replace("category = \"authentication\"", "category = \"auth\"");
        let msg = error_of(&text);
        assert!(msg.starts_with("bad.toml:5:"), "{msg}");
        assert!(msg.contains("unknown category \"auth\""), "{msg}");
    }

    #[test]
    fn short_literal_and_bad_regex_are_refused() {
        let msg = error_of(&GOOD.replace("\"token expired\"", "\"40\""));
        assert!(msg.contains("shorter than 3"), "{msg}");
        let msg = error_of(&format!("{GOOD}regex = '(unclosed'\n"));
        assert!(msg.contains("bad regex"), "{msg}");
    }

    #[test]
    fn unknown_key_and_duplicate_id_are_refused() {
        let msg = error_of(&format!("{GOOD}colour = 'red'\n"));
        assert!(msg.contains("colour"), "{msg}");
        let doubled = format!("{GOOD}{}", &GOOD[GOOD.find("[[signature]]").unwrap()..]);
        assert!(error_of(&doubled).contains("duplicate signature id"));
    }

    #[test]
    fn builtin_catalog_loads_and_covers_every_category() {
        let c = Catalog::builtin().unwrap();
        assert!(c.signatures.len() >= 80, "only {} signatures", c.signatures.len());
        for cat in Category::ALL {
            assert!(
                c.category_advice.get(&cat).is_some_and(|a| !a.is_empty()),
                "category {cat} has no advice"
            );
            if cat != Category::Other {
                assert!(c.signatures.iter().any(|s| s.category == cat), "no signature for {cat}");
            }
        }
    }
}
