//! Secrets out of every report: evidence lines and template texts go into
//! tickets and chat, so credentials found in them are replaced by
//! `[REDACTED:kind]` (INTERFACE.md) before any output is written. Matching
//! happens before redaction, so a redacted line keeps its time, level and
//! signature; only the secret's characters change.
//!
//! Kinds: `authorization` (the value of an Authorization or Proxy-
//! Authorization header: scheme and credentials), `bearer` (a bearer token
//! anywhere), `jwt`, `cookie` (Cookie / Set-Cookie values), `password`,
//! `secret`, `token`, `api_key` (the value of such a key in `k=v`, `k: v`
//! or JSON), `url_credentials` (`scheme://user:pass@`), `private_key` (a
//! PEM block or its first line), `aws_access_key`, and vendor token shapes
//! (`github_token`, `slack_token`, `stripe_key`, `google_api_key`).

use regex::{Captures, Regex};
use std::sync::OnceLock;

/// One kind of secret: what it is called in the mask, and how it is found.
/// With a `value` group, only that group is masked (the key stays).
struct Rule {
    kind: &'static str,
    re: Regex,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |kind, re: &str| Rule { kind, re: Regex::new(re).expect("redaction rule") };
        vec![
            rule(
                "private_key",
                r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?s:.*?)(-----END [A-Z ]*PRIVATE KEY-----|$)",
            ),
            rule(
                "authorization",
                r#"(?i)\b(?:proxy-)?authorization\b["']?\s*[:=]\s*["']?(?P<value>(?:(?:bearer|basic|digest|token|negotiate|aws4-hmac-sha256)\s+)?[^\s"',;}]+)"#,
            ),
            rule("cookie", r#"(?i)\b(?:set-)?cookie\b["']?\s*[:=]\s*["']?(?P<value>[^"'\r\n}]+)"#),
            rule("url_credentials", r"(?i)\b[a-z][a-z0-9+.-]*://[^\s/:@]+:(?P<value>[^\s/@]+)@"),
            rule("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"),
            rule("bearer", r"(?i)\bbearer\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})"),
            rule("aws_access_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
            rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b"),
            rule("slack_token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            rule("stripe_key", r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"),
            rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
            rule(
                "password",
                r#"(?i)\b(?:password|passwd|pwd|pass)\b["']?\s*[:=]\s*["']?(?P<value>[^\s"'&,;}]+)"#,
            ),
            rule(
                "secret",
                r#"(?i)\b[a-z_.-]*(?:secret|private_key|signing_key)[a-z_.-]*\b["']?\s*[:=]\s*["']?(?P<value>[^\s"'&,;}]+)"#,
            ),
            rule(
                "api_key",
                r#"(?i)\b[a-z_.-]*(?:api[_-]?key|apikey|x-api-key|access[_-]?key)\b["']?\s*[:=]\s*["']?(?P<value>[^\s"'&,;}]+)"#,
            ),
            rule(
                "token",
                r#"(?i)\b[a-z_.-]*(?:token)\b["']?\s*[:=]\s*["']?(?P<value>[^\s"'&,;}]{6,})"#,
            ),
        ]
    })
}

/// `text` with every secret replaced by `[REDACTED:kind]`.
pub fn redact(text: &str) -> String {
    let mut out = std::borrow::Cow::Borrowed(text);
    for rule in rules() {
        if !rule.re.is_match(&out) {
            continue;
        }
        let replaced = rule.re.replace_all(&out, |c: &Captures<'_>| {
            let mask = format!("[REDACTED:{}]", rule.kind);
            match c.name("value") {
                // keep the key, mask the value; a value already masked stays
                Some(v) if v.as_str().starts_with("[REDACTED:") => c[0].to_string(),
                Some(v) => {
                    let whole = c.get(0).expect("group 0");
                    let (a, b) = (v.start() - whole.start(), v.end() - whole.start());
                    format!("{}{mask}{}", &c[0][..a], &c[0][b..])
                }
                None => mask,
            }
        });
        out = std::borrow::Cow::Owned(replaced.into_owned());
    }
    out.into_owned()
}

/// Redacts every string of a summary that comes from the logs: evidence
/// lines, template texts and the titles made from them.
pub fn summary(s: &mut crate::report::Summary) {
    for c in s.causes.iter_mut().chain(s.candidates.iter_mut()) {
        c.title = redact(&c.title);
        for e in &mut c.evidence {
            e.text = redact(&e.text);
        }
        for n in &mut c.changes_before {
            n.text = redact(&n.text);
        }
    }
    for t in &mut s.templates {
        t.template = redact(&t.template);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_kind_is_masked_and_the_rest_kept() {
        let cases = [
            ("Authorization: Bearer abc.def-ghi_123456", "Authorization: [REDACTED:authorization]"),
            (r#"{"authorization":"Basic dXNlcjpwYXNz"}"#, r#"{"authorization":"[REDACTED:authorization]"}"#),
            ("sent bearer Zm9vYmFyYmF6cXV4 to erp", "sent bearer [REDACTED:bearer] to erp"),
            ("login failed password=hunter22 user=bob", "login failed password=[REDACTED:password] user=bob"),
            (r#"{"client_secret": "s3cr3t-v4lue"}"#, r#"{"client_secret": "[REDACTED:secret]"}"#),
            ("GET /v1?api_key=abcd1234efgh&x=1", "GET /v1?api_key=[REDACTED:api_key]&x=1"),
            ("refresh_token=8xLOxBtZp8 expired", "refresh_token=[REDACTED:token] expired"),
            (
                "postgres://app:pa55word@db:5432/x refused",
                "postgres://app:[REDACTED:url_credentials]@db:5432/x refused",
            ),
            ("key AKIAIOSFODNN7EXAMPLE denied", "key [REDACTED:aws_access_key] denied"),
            ("Cookie: session=abc; theme=dark", "Cookie: [REDACTED:cookie]"),
        ];
        for (line, want) in cases {
            assert_eq!(redact(line), want, "{line}");
        }
        let jwt = "token rejected: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl";
        assert_eq!(redact(jwt), "token rejected: [REDACTED:jwt]");
        let pem = "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- loaded";
        assert_eq!(redact(pem), "key: [REDACTED:private_key] loaded");
    }

    #[test]
    fn ordinary_lines_are_untouched() {
        for line in [
            "2026-11-24 19:07:07,272 ERROR [sync] c.a.ErpClient - 401 Unauthorized: invalid_token",
            "token validation failed error=invalid_token kid=k-2026-11",
            "POST /api/v2/orders -> 201 in 45 ms request_id=req-8586ed62",
            "10.0.0.1 - - [24/Nov/2026:19:07:07 +0000] \"GET /health HTTP/1.1\" 200 2",
        ] {
            assert_eq!(redact(line), line);
        }
    }

    proptest! {
        /// A secret never survives, and the line keeps its time and level.
        #[test]
        fn secrets_never_survive(secret in "[A-Za-z0-9]{12,40}", key in prop::sample::select(vec![
            "password", "api_key", "client_secret", "access_token", "apikey", "x-api-key",
        ])) {
            let line = format!("2026-11-24T19:07:07.272Z ERROR call failed {key}={secret} status=401");
            let out = redact(&line);
            prop_assert!(!out.contains(&secret), "{}", out);
            let mut a = crate::timestamp::Detector::new(crate::timestamp::TimeContext::new(crate::timestamp::Zone::Utc, None));
            let mut b = crate::timestamp::Detector::new(crate::timestamp::TimeContext::new(crate::timestamp::Zone::Utc, None));
            prop_assert_eq!(a.find(line.as_bytes()).map(|s| s.ms), b.find(out.as_bytes()).map(|s| s.ms));
            prop_assert_eq!(crate::event::level(line.as_bytes()), crate::event::level(out.as_bytes()));
            let bearer = format!("Authorization: Bearer {secret}");
            prop_assert!(!redact(&bearer).contains(&secret));
        }
    }
}
