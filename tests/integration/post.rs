//! `--post`: tickets on small GitHub-, Jira- and webhook-like servers in the
//! test process, on 127.0.0.1 only, that answer 500, 429 with
//! `Retry-After`, hang, refuse, or drop the connection after acting
//! (RELIABILITY.md row 40).

use crate::util::{bin, code, incident, Dir};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request as the server read it.
#[derive(Clone, Debug)]
struct Req {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }
    fn query(&self) -> String {
        let q = self.target.split_once('?').map_or("", |(_, q)| q);
        percent_decode(&q.replace('+', " "))
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server does with a request.
enum Reply {
    Answer(u16, Vec<(&'static str, String)>, String),
    /// Reads the request and never answers.
    Hang,
    /// Closes the connection without a word (after acting, if the handler did).
    Drop,
}

fn ok(body: Value) -> Reply {
    Reply::Answer(200, vec![], body.to_string())
}

type Handler = Box<dyn FnMut(&Req) -> Reply + Send>;

/// A server on 127.0.0.1:0 that logs every request.
struct Mock {
    base: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Mock {
    fn start(mut handler: Handler) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(req) = read_request(&mut stream) else { continue };
                seen.lock().unwrap().push(req.clone());
                match handler(&req) {
                    Reply::Answer(status, headers, body) => {
                        let mut head = format!(
                            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                            body.len()
                        );
                        for (k, v) in headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
                    }
                    Reply::Hang => {
                        std::thread::spawn(move || {
                            std::thread::sleep(Duration::from_secs(60));
                            drop(stream);
                        });
                    }
                    Reply::Drop => drop(stream),
                }
            }
        });
        Mock { base, log }
    }

    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Req> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Req { method, target, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

/// A GitHub issues API that keeps its issues, with faults to script.
#[derive(Default)]
struct GitHubState {
    issues: Vec<(u64, Vec<String>)>,
    comments: Vec<(u64, String)>,
    /// Searches to answer with 500 first.
    fail_searches: u32,
    /// Searches to answer 429 with Retry-After: 1 first.
    throttle_searches: u32,
    /// Creates to act on, then drop without an answer.
    drop_creates: u32,
}

fn github(state: Arc<Mutex<GitHubState>>) -> Handler {
    Box::new(move |req: &Req| {
        let mut st = state.lock().unwrap();
        match (req.method.as_str(), req.path()) {
            ("GET", "/repos/acme/erp/issues") => {
                if st.throttle_searches > 0 {
                    st.throttle_searches -= 1;
                    return Reply::Answer(429, vec![("Retry-After", "1".into())], "{}".into());
                }
                if st.fail_searches > 0 {
                    st.fail_searches -= 1;
                    return Reply::Answer(500, vec![], "{\"message\":\"boom\"}".into());
                }
                let q = req.query();
                let label = q.split('&').find_map(|kv| kv.strip_prefix("labels=")).unwrap_or("").to_string();
                let found: Vec<Value> = st
                    .issues
                    .iter()
                    .filter(|(_, labels)| labels.contains(&label))
                    .map(|(n, _)| json!({"number": n, "html_url": format!("https://github.test/acme/erp/issues/{n}")}))
                    .collect();
                ok(Value::Array(found))
            }
            ("POST", "/repos/acme/erp/issues") => {
                let v: Value = serde_json::from_str(&req.body).unwrap();
                let labels =
                    v["labels"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string()).collect();
                let n = st.issues.len() as u64 + 1;
                st.issues.push((n, labels));
                if st.drop_creates > 0 {
                    st.drop_creates -= 1;
                    return Reply::Drop;
                }
                Reply::Answer(
                    201,
                    vec![],
                    json!({"number": n, "html_url": format!("https://github.test/acme/erp/issues/{n}")})
                        .to_string(),
                )
            }
            ("POST", p) if p.starts_with("/repos/acme/erp/issues/") && p.ends_with("/comments") => {
                let n: u64 = p.split('/').nth(5).unwrap().parse().unwrap();
                let v: Value = serde_json::from_str(&req.body).unwrap();
                st.comments.push((n, v["body"].as_str().unwrap().to_string()));
                Reply::Answer(201, vec![], "{}".into())
            }
            _ => Reply::Answer(404, vec![], "{\"message\":\"Not Found\"}".into()),
        }
    })
}

fn post(
    dir: &Dir,
    target: &str,
    base: Option<&str>,
    env: &[(&str, &str)],
    extra: &[&str],
) -> (Output, Value) {
    let report = dir.join("summary.json");
    let mut c = bin();
    c.args(["scan", "--format", "json", "--quiet", "-o", report.to_str().unwrap(), "--post", target]);
    if let Some(b) = base {
        c.args(["--api-base", b]);
    }
    c.args(extra).arg(dir.join("incident"));
    c.env_remove("FAULTLINE_GITHUB_TOKEN").env_remove("FAULTLINE_WEBHOOK_SECRET");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no summary on disk ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out, serde_json::from_str(&text).unwrap())
}

const TOKEN: &str = "ghp_testtoken_0123456789abcdef";

fn assert_no_secret(out: &Output, summary: &Value, secret: &str) {
    let all =
        format!("{}{}{summary}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(secret), "the secret leaked: {all}");
}

#[test]
fn github_never_gets_two_tickets_even_when_the_create_answer_is_lost() {
    let dir = Dir::new();
    incident(&dir);
    let state = Arc::new(Mutex::new(GitHubState { fail_searches: 1, drop_creates: 1, ..Default::default() }));
    let mock = Mock::start(github(state.clone()));
    let env = [("FAULTLINE_GITHUB_TOKEN", TOKEN)];

    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &env, &[]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(code(&out), 1, "an incident, posted: {err}");
    assert_eq!(s["post"]["outcome"], "commented", "the lost create was found, not repeated: {}", s["post"]);
    assert_eq!(s["post"]["target"], "github:acme/erp");
    assert!(s["post"]["attempts"].as_u64().unwrap() >= 4, "{}", s["post"]);
    {
        let st = state.lock().unwrap();
        assert_eq!(st.issues.len(), 1, "one ticket");
        let fp = s["causes"][0]["fingerprint"].as_str().unwrap();
        assert!(st.issues[0].1.contains(&format!("faultline-{fp}")));
        assert_eq!(st.comments.len(), 1);
    }
    let reqs = mock.requests();
    assert!(reqs.iter().all(|r| r.header("Authorization") == Some(&format!("Bearer {TOKEN}"))));
    let create = reqs.iter().find(|r| r.method == "POST" && r.path() == "/repos/acme/erp/issues").unwrap();
    let body: Value = serde_json::from_str(&create.body).unwrap();
    assert!(body["title"].as_str().unwrap().starts_with("faultline: "), "{body}");
    assert!(body["body"].as_str().unwrap().contains("## "), "the Markdown report: {body}");
    assert_no_secret(&out, &s, TOKEN);

    // the next night: the open ticket is found and commented on
    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &env, &[]);
    assert_eq!(code(&out), 1);
    assert_eq!(s["post"]["outcome"], "commented");
    let st = state.lock().unwrap();
    assert_eq!((st.issues.len(), st.comments.len()), (1, 2));
}

#[test]
fn a_429_is_honoured_and_a_new_ticket_is_created() {
    let dir = Dir::new();
    incident(&dir);
    let state = Arc::new(Mutex::new(GitHubState { throttle_searches: 1, ..Default::default() }));
    let mock = Mock::start(github(state.clone()));
    let start = Instant::now();
    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &[("FAULTLINE_GITHUB_TOKEN", TOKEN)], &[]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s["post"]["outcome"], "created");
    assert_eq!(s["post"]["ticket"], "https://github.test/acme/erp/issues/1");
    assert!(start.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was waited for");
    assert_eq!(state.lock().unwrap().issues.len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("created https://github.test/acme/erp/issues/1"));
}

#[test]
fn a_server_that_hangs_or_refuses_gives_exit_3_within_the_budget() {
    let dir = Dir::new();
    incident(&dir);
    let mock = Mock::start(Box::new(|_: &Req| Reply::Hang));
    let start = Instant::now();
    let (out, s) = post(
        &dir,
        "github:acme/erp",
        Some(&mock.base),
        &[("FAULTLINE_GITHUB_TOKEN", TOKEN)],
        &["--post-timeout", "2"],
    );
    let took = start.elapsed();
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s["post"]["outcome"], "failed");
    assert!(!s["causes"].as_array().unwrap().is_empty(), "the summary is on disk");
    assert!(took < Duration::from_secs(12), "bounded: {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("post to github:acme/erp: failed") && err.contains("GET /repos/acme/erp/issues"),
        "{err}"
    );
    assert_no_secret(&out, &s, TOKEN);

    // a port nobody listens on
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (out, s) = post(
        &dir,
        "github:acme/erp",
        Some(&format!("http://127.0.0.1:{port}")),
        &[("FAULTLINE_GITHUB_TOKEN", TOKEN)],
        &["--post-timeout", "2"],
    );
    assert_eq!(code(&out), 3);
    assert!(s["post"]["error"].as_str().unwrap().contains("gave up"), "{}", s["post"]);
}

#[test]
fn a_missing_token_or_a_refusal_fails_at_once_without_retrying() {
    let dir = Dir::new();
    incident(&dir);
    let mock = Mock::start(Box::new(|_: &Req| {
        Reply::Answer(401, vec![], "{\"message\":\"Bad credentials\"}".into())
    }));
    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &[], &[]);
    assert_eq!(code(&out), 3);
    assert!(s["post"]["error"].as_str().unwrap().contains("FAULTLINE_GITHUB_TOKEN is not set"));
    assert!(mock.requests().is_empty());

    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &[("FAULTLINE_GITHUB_TOKEN", TOKEN)], &[]);
    assert_eq!(code(&out), 3);
    assert!(
        s["post"]["error"].as_str().unwrap().contains("HTTP 401: {\"message\":\"Bad credentials\"}"),
        "{}",
        s["post"]
    );
    assert_eq!(mock.requests().len(), 1, "a 401 is not retried");
}

#[test]
fn a_webhook_gets_the_signed_summary_and_its_secret_path_is_never_shown() {
    let dir = Dir::new();
    incident(&dir);
    let calls = Arc::new(Mutex::new(0));
    let n = calls.clone();
    let mock = Mock::start(Box::new(move |_: &Req| {
        let mut n = n.lock().unwrap();
        *n += 1;
        if *n == 1 {
            Reply::Answer(503, vec![], String::new())
        } else {
            Reply::Answer(204, vec![], String::new())
        }
    }));
    let url = format!("webhook:{}/hooks/T0/SECRETPATH?key=SECRETQUERY", mock.base);
    let (out, s) = post(&dir, &url, None, &[("FAULTLINE_WEBHOOK_SECRET", "s3cret-key")], &[]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s["post"]["outcome"], "sent");
    assert_eq!(s["post"]["attempts"], 2, "the 503 was retried");
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    let r = &reqs[1];
    assert_eq!(r.path(), "/hooks/T0/SECRETPATH");
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret-key").unwrap();
    mac.update(r.body.as_bytes());
    let want: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(r.header("X-Faultline-Signature"), Some(format!("sha256={want}").as_str()));
    assert_eq!(reqs[0].header("Idempotency-Key"), r.header("Idempotency-Key"), "the same key on a retry");
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["schema"], "faultline.summary/v1");
    assert_eq!(r.header("X-Faultline-Fingerprint"), body["causes"][0]["fingerprint"].as_str());
    assert_no_secret(&out, &s, "SECRETPATH");
    assert_no_secret(&out, &s, "SECRETQUERY");
    assert_no_secret(&out, &s, "s3cret-key");
}

#[test]
fn jira_finds_the_open_ticket_by_its_label_and_comments() {
    let dir = Dir::new();
    incident(&dir);
    let mock = Mock::start(Box::new(|req: &Req| match (req.method.as_str(), req.path()) {
        ("GET", "/rest/api/2/search") => ok(json!({"issues": [{"key": "OPS-7"}]})),
        ("POST", "/rest/api/2/issue/OPS-7/comment") => Reply::Answer(201, vec![], "{}".into()),
        _ => Reply::Answer(404, vec![], "{}".into()),
    }));
    let env = [("FAULTLINE_JIRA_USER", "bot@acme.test"), ("FAULTLINE_JIRA_TOKEN", "jira-tok-123")];
    let (out, s) = post(&dir, "jira:https://acme.atlassian.net#OPS", Some(&mock.base), &env, &[]);
    assert_eq!(code(&out), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s["post"]["outcome"], "commented");
    assert_eq!(s["post"]["ticket"], "OPS-7");
    let reqs = mock.requests();
    let fp = s["causes"][0]["fingerprint"].as_str().unwrap();
    assert!(reqs[0].query().contains(&format!("labels = \"faultline-{fp}\"")), "{}", reqs[0].query());
    assert!(reqs[0].query().contains("project = \"OPS\""));
    // base64("bot@acme.test:jira-tok-123")
    assert_eq!(reqs[0].header("Authorization"), Some("Basic Ym90QGFjbWUudGVzdDpqaXJhLXRvay0xMjM="));
    assert_no_secret(&out, &s, "jira-tok-123");
}

#[test]
fn nothing_is_posted_when_there_is_no_incident() {
    let dir = Dir::new();
    let mut quiet = String::new();
    for i in 0..500 {
        quiet.push_str(&format!(
            "2026-11-24T10:{:02}:{:02}Z INFO order synced id={i}\n",
            i / 60 % 60,
            i % 60
        ));
    }
    dir.write("incident/api/app.log", quiet);
    let mock = Mock::start(Box::new(|_: &Req| Reply::Answer(500, vec![], String::new())));
    let (out, s) = post(&dir, "github:acme/erp", Some(&mock.base), &[("FAULTLINE_GITHUB_TOKEN", TOKEN)], &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s["post"]["outcome"], "skipped");
    assert!(mock.requests().is_empty());
}

#[test]
fn a_bad_target_is_a_usage_error() {
    let dir = Dir::new();
    incident(&dir);
    let out = bin().args(["scan", "--post", "slack:#ops"]).arg(dir.join("incident")).output().unwrap();
    assert_eq!(code(&out), 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("webhook:URL, github:OWNER/REPO or jira:URL#PROJECT")
    );
}
