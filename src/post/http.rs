//! One HTTP exchange with retries: exponential backoff with full jitter on
//! timeouts, dropped or refused connections, 429 (honouring `Retry-After`)
//! and 5xx, all within one deadline for the whole post. Secrets travel in
//! headers only and never appear in an error: errors name the method, the
//! path and what went wrong, not the URL's query or the headers.

use std::time::{Duration, Instant};

/// First pause between attempts; doubled each time, up to `MAX_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
const MAX_PAUSE: Duration = Duration::from_secs(8);
/// No single request waits longer than this for an answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A client that retries until its deadline.
pub struct Client {
    agent: ureq::Agent,
    deadline: Instant,
    /// Requests sent, retries included.
    pub attempts: u32,
    user_agent: String,
}

/// A successful answer.
pub struct Answer {
    /// Body.
    pub body: String,
}

/// A request, without its body.
pub struct Request<'a> {
    /// GET, POST...
    pub method: &'a str,
    /// The whole URL.
    pub url: &'a str,
    /// Headers (authorisation included: never shown).
    pub headers: &'a [(&'a str, String)],
    /// Query pairs, encoded by the client.
    pub query: &'a [(&'a str, String)],
    /// How errors name it (`POST /repos/o/r/issues`; a webhook's path may
    /// hold its secret, so it is named `POST webhook`).
    pub label: String,
}

/// Why a post failed, said without secrets.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server refused the request for good (4xx other than 408/429).
    #[error("{what}: HTTP {status}{}", detail(.body))]
    Rejected {
        /// `POST /repos/o/r/issues`.
        what: String,
        /// Status.
        status: u16,
        /// The start of its body.
        body: String,
    },
    /// No answer that says whether the server acted (no retry asked).
    #[error("{what}: {last}")]
    Unanswered {
        /// `POST /repos/o/r/issues`.
        what: String,
        /// The failure.
        last: String,
    },
    /// Retries ran out of time.
    #[error("{what}: gave up after {attempts} attempt{} in {:.1} s: {last}", if *.attempts == 1 { "" } else { "s" }, .elapsed.as_secs_f64())]
    GaveUp {
        /// `POST /repos/o/r/issues`.
        what: String,
        /// Attempts made for this request.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The last failure.
        last: String,
    },
}

fn detail(body: &str) -> String {
    let b: String = body.chars().filter(|c| !c.is_control()).take(200).collect();
    if b.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", b.trim())
    }
}

/// `METHOD /path` of a URL, without scheme, host or query (which may hold
/// a secret, as webhook URLs often do).
pub fn describe(method: &str, url: &str) -> String {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.find('/').map_or("/", |i| &path[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("{method} {path}")
}

impl Client {
    /// A client whose retries all end by `budget` from now.
    pub fn new(budget: Duration) -> Client {
        Client {
            agent: ureq::AgentBuilder::new().timeout_connect(Duration::from_secs(5)).redirects(0).build(),
            deadline: Instant::now() + budget,
            attempts: 0,
            user_agent: format!("faultline/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// The time left before the deadline.
    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Sends `body` (may be empty), retrying what is worth retrying. With
    /// `retry` false (a create that must not happen twice) a failure that
    /// may have reached the server is returned after the backoff pause,
    /// for the caller to look before it tries again.
    pub fn send(&mut self, req: &Request<'_>, body: &str, retry: bool) -> Result<Answer, HttpError> {
        let what = req.label.clone();
        let start = Instant::now();
        let mut pause = FIRST_PAUSE;
        let mut tries = 0u32;
        loop {
            let left = self.left();
            if left.is_zero() && tries > 0 {
                return Err(HttpError::GaveUp {
                    what,
                    attempts: tries,
                    elapsed: start.elapsed(),
                    last: "no time left".into(),
                });
            }
            tries += 1;
            self.attempts += 1;
            let mut r = self
                .agent
                .request(req.method, req.url)
                .timeout(REQUEST_TIMEOUT.min(left.max(Duration::from_millis(100))))
                .set("User-Agent", &self.user_agent);
            for (k, v) in req.headers {
                r = r.set(k, v);
            }
            for (k, v) in req.query {
                r = r.query(k, v);
            }
            let result = if body.is_empty() && req.method == "GET" { r.call() } else { r.send_string(body) };
            let (failure, wait) = match result {
                Ok(resp) => {
                    return Ok(Answer { body: resp.into_string().unwrap_or_default() });
                }
                Err(ureq::Error::Status(status, resp)) => {
                    let retry_after = resp.header("Retry-After").and_then(parse_retry_after);
                    let text = resp.into_string().unwrap_or_default();
                    if !(status == 408 || status == 429 || status >= 500) {
                        return Err(HttpError::Rejected { what, status, body: text });
                    }
                    (format!("HTTP {status}{}", detail(&text)), retry_after)
                }
                Err(ureq::Error::Transport(t)) => {
                    let msg = t.message().map(|m| format!(": {m}")).unwrap_or_default();
                    (format!("{}{msg}", t.kind()), None)
                }
            };
            let jitter = Duration::from_millis(rand_below(pause.as_millis() as u64 + 1));
            let wait = wait.unwrap_or(jitter);
            if wait >= self.left() {
                return Err(HttpError::GaveUp {
                    what,
                    attempts: tries,
                    elapsed: start.elapsed(),
                    last: failure,
                });
            }
            std::thread::sleep(wait);
            if !retry {
                return Err(HttpError::Unanswered { what, last: failure });
            }
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let ms = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(ms.max(0) as u64))
}

/// A number below `n` (for jitter; not for secrets).
fn rand_below(n: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
    );
    h.finish() % n.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_hide_hosts_and_queries() {
        assert_eq!(
            describe("GET", "http://127.0.0.1:9/repos/o/r/issues?state=open&labels=x"),
            "GET /repos/o/r/issues"
        );
        assert_eq!(describe("GET", "http://h"), "GET /");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
