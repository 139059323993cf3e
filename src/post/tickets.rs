//! The three targets' protocols. GitHub and Jira share one shape: look for
//! the open ticket by its label, comment on it when found, create it
//! otherwise; a create whose answer was lost is followed by another look,
//! never by a blind second create.

use super::http::{describe, Client, HttpError, Request};
use super::{PostError, Target, Ticket};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// `(outcome, ticket)`: `sent`, `commented` or `created`, and the ticket's
/// URL or key.
pub type Posted = (&'static str, Option<String>);

/// Posts `ticket` to `target`.
pub fn post(
    client: &mut Client,
    target: &Target,
    api_base: Option<&str>,
    ticket: &Ticket,
) -> Result<Posted, PostError> {
    match target {
        Target::Webhook(url) => webhook(client, url, ticket),
        Target::GitHub { owner, repo } => {
            let token = env("FAULTLINE_GITHUB_TOKEN")?;
            let base = api_base.unwrap_or("https://api.github.com").trim_end_matches('/');
            let api = GitHub { base: format!("{base}/repos/{owner}/{repo}"), token };
            find_or_create(client, &api, ticket)
        }
        Target::Jira { site, project } => {
            let user = env("FAULTLINE_JIRA_USER")?;
            let token = env("FAULTLINE_JIRA_TOKEN")?;
            use base64::Engine;
            let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
            let base = api_base.unwrap_or(site).trim_end_matches('/').to_string();
            let api = Jira { base, project: project.clone(), auth: format!("Basic {auth}") };
            find_or_create(client, &api, ticket)
        }
    }
}

fn env(name: &'static str) -> Result<String, PostError> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).ok_or(PostError::MissingEnv(name))
}

/// The JSON summary, signed when `FAULTLINE_WEBHOOK_SECRET` is set. The
/// `Idempotency-Key` is the same on every retry, for receivers that dedupe.
fn webhook(client: &mut Client, url: &str, ticket: &Ticket) -> Result<Posted, PostError> {
    let mut headers = vec![
        ("Content-Type", "application/json".to_string()),
        ("X-Faultline-Event", "incident".to_string()),
        ("X-Faultline-Fingerprint", ticket.fingerprint.clone()),
        ("Idempotency-Key", idempotency_key(ticket)),
    ];
    if let Ok(secret) = std::env::var("FAULTLINE_WEBHOOK_SECRET") {
        if !secret.is_empty() {
            headers.push((
                "X-Faultline-Signature",
                format!("sha256={}", sign(secret.as_bytes(), ticket.json.as_bytes())),
            ));
        }
    }
    let req = Request { method: "POST", url, headers: &headers, query: &[], label: "POST webhook".into() };
    client.send(&req, &ticket.json, true)?;
    Ok(("sent", None))
}

fn idempotency_key(ticket: &Ticket) -> String {
    use sha2::Digest;
    let d = Sha256::digest(ticket.json.as_bytes());
    let run: String = d.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}-{run}", ticket.fingerprint)
}

/// HMAC-SHA256 of `body` under `key`, in lowercase hex.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// A ticket tracker: find an open ticket by label, comment, create.
trait Tracker {
    fn find(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<(String, String)>, PostError>;
    fn comment(&self, client: &mut Client, id: &str, ticket: &Ticket) -> Result<(), PostError>;
    /// Creates; `Ok(None)` when the answer was lost (it may exist now).
    fn create(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<String>, PostError>;
}

fn find_or_create(client: &mut Client, api: &dyn Tracker, ticket: &Ticket) -> Result<Posted, PostError> {
    loop {
        if let Some((id, shown)) = api.find(client, ticket)? {
            api.comment(client, &id, ticket)?;
            return Ok(("commented", Some(shown)));
        }
        if let Some(shown) = api.create(client, ticket)? {
            return Ok(("created", Some(shown)));
        }
        // the create may have happened: look again before another one
    }
}

/// A create's failure that may have reached the server is `Ok(None)`.
fn lost_answer<T>(r: Result<T, HttpError>) -> Result<Option<T>, PostError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(HttpError::Unanswered { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// POSTs `body` as JSON to `url`.
fn post_json(
    client: &mut Client,
    headers: &[(&str, String)],
    url: &str,
    body: &Value,
    retry: bool,
) -> Result<super::http::Answer, HttpError> {
    let req = Request { method: "POST", url, headers, query: &[], label: describe("POST", url) };
    client.send(&req, &body.to_string(), retry)
}

fn parse(what: &str, body: &str) -> Result<Value, PostError> {
    serde_json::from_str(body)
        .map_err(|e| PostError::Unreadable { what: what.to_string(), why: e.to_string() })
}

struct GitHub {
    base: String,
    token: String,
}

impl GitHub {
    fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Authorization", format!("Bearer {}", self.token)),
            ("Accept", "application/vnd.github+json".into()),
            ("X-GitHub-Api-Version", "2022-11-28".into()),
            ("Content-Type", "application/json".into()),
        ]
    }
}

impl Tracker for GitHub {
    fn find(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<(String, String)>, PostError> {
        let url = format!("{}/issues", self.base);
        let headers = self.headers();
        let query =
            [("state", "open".to_string()), ("labels", ticket.label()), ("per_page", "10".to_string())];
        let label = describe("GET", &url);
        let req =
            Request { method: "GET", url: &url, headers: &headers, query: &query, label: label.clone() };
        let answer = client.send(&req, "", true)?;
        let v = parse(&label, &answer.body)?;
        let issues =
            v.as_array().ok_or_else(|| PostError::Unreadable { what: label, why: "not a list".into() })?;
        Ok(issues.iter().filter(|i| i.get("pull_request").is_none()).find_map(|i| {
            let n = i.get("number")?.as_u64()?;
            let shown =
                i.get("html_url").and_then(Value::as_str).map_or_else(|| format!("#{n}"), str::to_string);
            Some((n.to_string(), shown))
        }))
    }

    fn comment(&self, client: &mut Client, id: &str, ticket: &Ticket) -> Result<(), PostError> {
        let url = format!("{}/issues/{id}/comments", self.base);
        post_json(client, &self.headers(), &url, &json!({ "body": ticket.body }), true)?;
        Ok(())
    }

    fn create(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<String>, PostError> {
        let url = format!("{}/issues", self.base);
        let body =
            json!({ "title": ticket.title, "body": ticket.body, "labels": ["faultline", ticket.label()] });
        let Some(answer) = lost_answer(post_json(client, &self.headers(), &url, &body, false))? else {
            return Ok(None);
        };
        let v = parse(&describe("POST", &url), &answer.body)?;
        let shown = v
            .get("html_url")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| v.get("number").and_then(Value::as_u64).map(|n| format!("#{n}")));
        Ok(Some(shown.unwrap_or_default()))
    }
}

struct Jira {
    base: String,
    project: String,
    auth: String,
}

impl Jira {
    fn headers(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Authorization", self.auth.clone()),
            ("Accept", "application/json".into()),
            ("Content-Type", "application/json".into()),
        ]
    }
}

impl Tracker for Jira {
    fn find(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<(String, String)>, PostError> {
        let url = format!("{}/rest/api/2/search", self.base);
        let headers = self.headers();
        let jql = format!(
            "project = \"{}\" AND labels = \"{}\" AND statusCategory != Done ORDER BY created DESC",
            self.project,
            ticket.label()
        );
        let query = [("jql", jql), ("fields", "key".to_string()), ("maxResults", "1".to_string())];
        let label = describe("GET", &url);
        let req =
            Request { method: "GET", url: &url, headers: &headers, query: &query, label: label.clone() };
        let answer = client.send(&req, "", true)?;
        let v = parse(&label, &answer.body)?;
        let key =
            v.get("issues").and_then(Value::as_array).and_then(|a| a.first()).and_then(|i| i.get("key"));
        Ok(key.and_then(Value::as_str).map(|k| (k.to_string(), k.to_string())))
    }

    fn comment(&self, client: &mut Client, id: &str, ticket: &Ticket) -> Result<(), PostError> {
        let url = format!("{}/rest/api/2/issue/{id}/comment", self.base);
        post_json(client, &self.headers(), &url, &json!({ "body": ticket.body }), true)?;
        Ok(())
    }

    fn create(&self, client: &mut Client, ticket: &Ticket) -> Result<Option<String>, PostError> {
        let url = format!("{}/rest/api/2/issue", self.base);
        let body = json!({ "fields": {
            "project": { "key": self.project },
            "summary": ticket.title.chars().take(250).collect::<String>(),
            "description": ticket.body,
            "issuetype": { "name": "Bug" },
            "labels": ["faultline", ticket.label()],
        }});
        let Some(answer) = lost_answer(post_json(client, &self.headers(), &url, &body, false))? else {
            return Ok(None);
        };
        let v = parse(&describe("POST", &url), &answer.body)?;
        Ok(Some(v.get("key").and_then(Value::as_str).unwrap_or_default().to_string()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231 test case 2
        assert_eq!(
            super::sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
