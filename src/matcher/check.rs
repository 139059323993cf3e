//! Runs every signature's examples and counter-examples through the real
//! matcher: the check behind `faultline patterns check` and the catalog test.

use super::{Found, Matcher, Scratch};
use crate::catalog::Catalog;

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Where the signature is defined.
    pub origin: String,
    /// Its id.
    pub signature: String,
    /// The line that failed.
    pub line: String,
    /// What went wrong.
    pub problem: String,
}

/// Checks every example and counter-example; returns the failures.
pub fn check(catalog: &Catalog, matcher: &Matcher) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    let signatures = catalog.signatures.iter().enumerate().map(|(i, s)| Rule {
        origin: &s.origin,
        name: s.id.clone(),
        found: Found::Signature(i as u32),
        examples: &s.examples,
        counterexamples: &s.counterexamples,
    });
    let changes = catalog.changes.iter().enumerate().map(|(i, c)| Rule {
        origin: &c.origin,
        name: format!("change:{}", c.kind),
        found: Found::Change(i as u32),
        examples: &c.examples,
        counterexamples: &c.counterexamples,
    });
    for rule in signatures.chain(changes) {
        let fail = |line: &str, problem: String| Failure {
            origin: rule.origin.to_string(),
            signature: rule.name.clone(),
            line: line.to_string(),
            problem,
        };
        if rule.examples.is_empty() {
            failures.push(fail("", "has no examples".into()));
        }
        for ex in rule.examples {
            match matcher.classify(ex.as_bytes(), &mut scratch) {
                Some(got) if got == rule.found => {}
                Some(got) => {
                    failures.push(fail(ex, format!("example attributed to {} instead", name(catalog, got))))
                }
                None => failures.push(fail(ex, "example is not matched".into())),
            }
        }
        for cx in rule.counterexamples {
            if matcher.classify(cx.as_bytes(), &mut scratch) == Some(rule.found) {
                failures.push(fail(cx, "counter-example is matched".into()));
            }
        }
    }
    failures
}

/// A signature or a change rule, as the check sees it.
struct Rule<'a> {
    origin: &'a str,
    name: String,
    found: Found,
    examples: &'a [String],
    counterexamples: &'a [String],
}

/// What a line was attributed to, for people.
pub fn name(catalog: &Catalog, found: Found) -> String {
    match found {
        Found::Signature(s) => catalog.signatures[s as usize].id.clone(),
        Found::Change(c) => {
            format!("change:{} ({})", catalog.changes[c as usize].kind, catalog.changes[c as usize].origin)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table test of the whole built-in catalog: every example and
    /// counter-example of every signature.
    #[test]
    fn builtin_examples_and_counterexamples() {
        let catalog = Catalog::builtin().unwrap();
        let matcher = Matcher::new(&catalog).unwrap();
        let failures = check(&catalog, &matcher);
        let report: Vec<String> = failures
            .iter()
            .map(|f| format!("{} {}: {}: {:?}", f.origin, f.signature, f.problem, f.line))
            .collect();
        assert!(failures.is_empty(), "{}", report.join("\n"));
    }
}
