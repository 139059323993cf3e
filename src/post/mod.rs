//! `--post TARGET`: one ticket per incident, keyed by the fingerprint of the
//! top cause. `webhook:URL` sends the JSON summary (signed with HMAC-SHA256
//! under `FAULTLINE_WEBHOOK_SECRET`), `github:OWNER/REPO` and
//! `jira:URL#PROJECT` find the open ticket labelled `faultline-FP` and
//! comment on it, or create one. A create is never retried blind: after a
//! failure that may have reached the server, the ticket is looked for
//! again first, so one fingerprint never gets two tickets. Tokens come
//! from the environment only and never appear in output or errors.

mod http;
mod tickets;

use crate::report::summary::PostSummary;
use crate::report::Summary;
use std::time::Duration;

pub use http::parse_retry_after;

/// How long a post may take, retries included, unless told otherwise.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(60);

/// Where tickets go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A URL that receives the JSON summary.
    Webhook(String),
    /// A GitHub repository.
    GitHub {
        /// Owner.
        owner: String,
        /// Repository.
        repo: String,
    },
    /// A Jira site and project key.
    Jira {
        /// `https://acme.atlassian.net`.
        site: String,
        /// `OPS`.
        project: String,
    },
}

impl Target {
    /// Parses `webhook:URL`, `github:OWNER/REPO` or `jira:URL#PROJECT`.
    pub fn parse(s: &str) -> Result<Target, String> {
        let bad = |why: &str| format!("--post {s:?}: {why}");
        let http_url = |u: &str| u.starts_with("http://") || u.starts_with("https://");
        if let Some(url) = s.strip_prefix("webhook:") {
            if !http_url(url) {
                return Err(bad("a webhook target is webhook:https://..."));
            }
            return Ok(Target::Webhook(url.to_string()));
        }
        if let Some(repo) = s.strip_prefix("github:") {
            let mut parts = repo.split('/');
            return match (parts.next(), parts.next(), parts.next()) {
                (Some(o), Some(r), None) if valid_name(o) && valid_name(r) => {
                    Ok(Target::GitHub { owner: o.to_string(), repo: r.to_string() })
                }
                _ => Err(bad("a GitHub target is github:OWNER/REPO")),
            };
        }
        if let Some(rest) = s.strip_prefix("jira:") {
            return match rest.rsplit_once('#') {
                Some((site, project))
                    if http_url(site)
                        && !project.is_empty()
                        && project.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    Ok(Target::Jira {
                        site: site.trim_end_matches('/').to_string(),
                        project: project.to_string(),
                    })
                }
                _ => Err(bad("a Jira target is jira:https://SITE#PROJECT")),
            };
        }
        Err(bad("the target is webhook:URL, github:OWNER/REPO or jira:URL#PROJECT"))
    }

    /// The target as it may be shown: a webhook's path and query (which
    /// often hold its secret) are left out.
    pub fn shown(&self) -> String {
        match self {
            Target::Webhook(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                let host = host.rsplit('@').next().unwrap_or(host);
                format!("webhook:{scheme}://{host}/...")
            }
            Target::GitHub { owner, repo } => format!("github:{owner}/{repo}"),
            Target::Jira { site, project } => format!("jira:{site}#{project}"),
        }
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// What to post where.
#[derive(Clone, Debug)]
pub struct PostConfig {
    /// Where.
    pub target: Target,
    /// Another server for the target's API (GitHub Enterprise, tests).
    pub api_base: Option<String>,
    /// The whole post, retries included, ends within this.
    pub budget: Duration,
}

/// Why a post could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// A token or user is missing from the environment.
    #[error("{0} is not set in the environment")]
    MissingEnv(&'static str),
    /// The exchange failed.
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// The server answered something we cannot read.
    #[error("{what}: unexpected answer: {why}")]
    Unreadable {
        /// The request.
        what: String,
        /// What was wrong.
        why: String,
    },
}

/// What a ticket says: a title, and the Markdown body (redacted).
pub struct Ticket {
    /// Its fingerprint, the key of the ticket.
    pub fingerprint: String,
    /// One line.
    pub title: String,
    /// The Markdown report.
    pub body: String,
    /// The JSON summary, for webhooks (empty for trackers).
    pub json: String,
}

impl Ticket {
    /// The ticket of a summary with an incident, or `None` without one.
    /// The body is redacted even when the report was not (`--no-redact`
    /// is for the engineer's terminal, not for a ticket).
    /// The JSON summary is rendered only `with_json` (for webhooks).
    pub fn of(summary: &Summary, with_json: bool) -> Option<Ticket> {
        let mut s = summary.clone();
        crate::redact::summary(&mut s);
        let top = s.causes.first()?;
        let mut body = Vec::new();
        crate::report::render(&s, crate::config::Format::Markdown, false, &mut body).ok()?;
        let mut json = Vec::new();
        if with_json {
            crate::report::render(&s, crate::config::Format::Json, false, &mut json).ok()?;
        }
        Some(Ticket {
            fingerprint: top.fingerprint.clone(),
            title: format!("faultline: {} failure in {}: {}", top.category, top.system, top.title),
            body: String::from_utf8_lossy(&body).into_owned(),
            json: String::from_utf8_lossy(&json).into_owned(),
        })
    }

    /// The label that finds the ticket again.
    pub fn label(&self) -> String {
        format!("faultline-{}", self.fingerprint)
    }
}

/// Posts the summary's incident (nothing when there is none) and says
/// what happened; never fails: a failure is `outcome: "failed"`.
pub fn post(summary: &Summary, config: &PostConfig) -> PostSummary {
    let mut out = PostSummary { target: config.target.shown(), ..PostSummary::default() };
    let Some(ticket) = Ticket::of(summary, matches!(config.target, Target::Webhook(_))) else {
        out.outcome = "skipped".into();
        out.error = Some("no incident detected: nothing to post".into());
        return out;
    };
    let mut client = http::Client::new(config.budget);
    let result = tickets::post(&mut client, &config.target, config.api_base.as_deref(), &ticket);
    out.attempts = client.attempts;
    match result {
        Ok((outcome, ticket)) => {
            out.outcome = outcome.to_string();
            out.ticket = ticket;
        }
        Err(e) => {
            out.outcome = "failed".into();
            out.error = Some(e.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_show_no_secret() {
        let w = Target::parse("webhook:https://hooks.example.com/services/T0/B0/SECRET?token=x").unwrap();
        assert_eq!(w.shown(), "webhook:https://hooks.example.com/...");
        let w = Target::parse("webhook:https://user:pw@hooks.example.com/x").unwrap();
        assert!(!w.shown().contains("pw"));
        assert_eq!(
            Target::parse("github:acme/erp-sync").unwrap(),
            Target::GitHub { owner: "acme".into(), repo: "erp-sync".into() }
        );
        assert_eq!(
            Target::parse("jira:https://acme.atlassian.net/#OPS").unwrap(),
            Target::Jira { site: "https://acme.atlassian.net".into(), project: "OPS".into() }
        );
        for bad in ["github:acme", "github:a/b/c", "jira:https://x", "webhook:ftp://x", "slack:x", "jira:x#P"]
        {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
