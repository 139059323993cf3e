//! Runs every signature's examples and counter-examples through the real
//! matcher: the check behind `faultline patterns check` and the catalog test.

use super::{Matcher, Scratch};
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
    for (i, sig) in catalog.signatures.iter().enumerate() {
        let fail = |line: &str, problem: String| Failure {
            origin: sig.origin.clone(),
            signature: sig.id.clone(),
            line: line.to_string(),
            problem,
        };
        if sig.examples.is_empty() {
            failures.push(fail("", "has no examples".into()));
        }
        for ex in &sig.examples {
            match matcher.classify(ex.as_bytes(), &mut scratch) {
                Some(got) if got as usize == i => {}
                Some(got) => failures.push(fail(
                    ex,
                    format!("example attributed to {} instead", catalog.signatures[got as usize].id),
                )),
                None => failures.push(fail(ex, "example is not matched".into())),
            }
        }
        for cx in &sig.counterexamples {
            if matcher.classify(cx.as_bytes(), &mut scratch) == Some(i as u32) {
                failures.push(fail(cx, "counter-example is matched".into()));
            }
        }
    }
    failures
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
