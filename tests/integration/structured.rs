//! Structured and multi-line events through the real binary: JSON and
//! logfmt lines (time, level, status and ids from their fields; signatures
//! on what the line says, not on context fields such as a path or a
//! logger), and stack traces attributed to the line that opened them.

use crate::util::*;

fn signature<'a>(s: &'a crate::contract::Summary, id: &str) -> Option<&'a crate::contract::Signature> {
    s.signatures.iter().find(|x| x.signature == id)
}

#[test]
fn json_and_logfmt_events_match_on_what_happened_not_on_context_fields() {
    let dir = Dir::new();
    dir.write(
        "erp/api.log",
        [
            // context fields that hold words of signatures: no event
            r#"{"ts":"2026-11-24T10:00:01.100Z","level":"info","logger":"com.acme.OutOfMemoryErrorReporter","msg":"report sent","status":200}"#,
            r#"{"ts":"2026-11-24T10:00:02.100Z","level":"info","msg":"GET done","user_agent":"probe (ECONNREFUSED-checker)","status":200}"#,
            r#"{"ts":"2026-11-24T10:00:03.100Z","level":"info","msg":"GET done","http":{"url":"https://x/ECONNREFUSED"},"status":200}"#,
            // the failure, in the message, with status and id in fields
            r#"{"ts":"2026-11-24T10:00:05.250Z","level":"error","msg":"connect ECONNREFUSED 10.0.0.7:5432","path":"/api/v2/orders","status":500,"request_id":"req-00b1"}"#,
            r#"{"ts":"2026-11-24T10:00:06.250Z","level":"error","msg":"connect ECONNREFUSED 10.0.0.7:5432","path":"/api/v2/orders","status":500,"request_id":"req-00b2"}"#,
        ]
        .join("\n"),
    );
    dir.write(
        "erp/worker.log",
        [
            r#"ts=2026-11-24T10:00:00.500Z level=info msg="job done" user_agent="ECONNREFUSED probe" status=200"#,
            r#"ts=2026-11-24T10:00:07.000Z level=error msg="dial tcp 10.0.0.7:5432: connect: connection refused" request_id=req-00b3 path=/jobs/sync"#,
        ]
        .join("\n"),
    );
    let (s, _) = scan_json(&["--tz", "UTC", dir.join("erp").to_str().unwrap()]);
    assert!(signature(&s, "server.oom").is_none(), "a logger name is not an event: {:?}", s.signatures);
    let refused = signature(&s, "net.conn_refused").expect("the refused connections");
    assert_eq!(refused.count, 3, "{:?}", s.signatures);
    assert_eq!(refused.first_seen.as_deref(), Some("2026-11-24T10:00:05.250Z"));
    let cause = &s.causes[0];
    assert_eq!(cause.signature, "net.conn_refused");
    assert_eq!(cause.http_status, vec![500], "status from the JSON field");
    assert!(cause.evidence[0].text.contains(r#""msg":"connect ECONNREFUSED"#), "{:?}", cause.evidence);
}

#[test]
fn a_stack_trace_is_one_event_at_its_head() {
    let dir = Dir::new();
    // half a minute of traffic, then three failed syncs, each with its trace
    let mut text: Vec<String> =
        (0..30).map(|i| format!("2026-11-24 10:00:{i:02},000 INFO [main] c.a.Sync - batch {i} ok")).collect();
    for i in 30..33 {
        text.push(format!("2026-11-24 10:00:{i:02},250 ERROR [main] c.a.Sync - sync failed"));
        text.extend(
            [
                "org.springframework.web.client.ResourceAccessException: I/O error on POST request for \"https://erp/api\"",
                "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:732)",
                "Caused by: java.net.SocketTimeoutException: Read timed out",
                "\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:168)",
                "\t... 12 more",
            ]
            .map(String::from),
        );
    }
    text.push("2026-11-24 10:00:34,000 INFO [main] c.a.Sync - next".into());
    dir.write("crm/connector.log", text.join("\n") + "\n");
    let (s, _) = scan_json(&["--tz", "UTC", dir.join("crm").to_str().unwrap()]);
    assert_eq!(s.signatures.len(), 1, "{:?}", s.signatures);
    assert!(s.templates.is_empty(), "the head is not also an unnamed error line: {:?}", s.templates);
    let sig = &s.signatures[0];
    assert_eq!(sig.count, 3, "one event per trace");
    assert_eq!(sig.first_seen.as_deref(), Some("2026-11-24T10:00:30.250Z"), "the head's time");
    let cause = s.causes.first().expect("the failed syncs are the cause");
    assert_eq!(cause.evidence[0].line, 31, "the head line: {:?}", cause.evidence);
    assert!(cause.evidence[0].text.contains("sync failed"), "{:?}", cause.evidence);
    assert!(
        cause.evidence[0].text.contains("SocketTimeoutException"),
        "the evidence shows the trace line that matched: {:?}",
        cause.evidence
    );
}

/// oslo.log writes a Python trace one record per line, its blank lines as
/// records with an empty message: one event, named by its exception, and
/// no wordless template. A message repeated with a trailing space at other
/// times stays one event per line.
#[test]
fn a_trace_with_a_header_on_every_line_and_blank_records_is_one_event() {
    let dir = Dir::new();
    let h =
        |ms: &str| format!("2018-09-13 20:33:{ms} 26275 ERROR nova.network.neutronv2.api [instance: 0b0a]");
    let mut text: Vec<String> = (0..40)
        .map(|i| format!("2018-09-13 20:{i:02}:00.000 26275 INFO nova.compute.manager tick {i}"))
        .collect();
    for ms in ["40:13.122", "41:13.122"] {
        let head = h(ms);
        text.push(format!("{head} Traceback (most recent call last):"));
        text.push(format!(
            "{head}   File \"/usr/lib/python2.7/site-packages/nova/compute/manager.py\", line 1, in f"
        ));
        text.push(format!("{head}     g()"));
        text.push(format!("{head} WidgetMeltdown: the widget melted"));
        for _ in 0..3 {
            text.push(format!("{head} "));
        }
    }
    for m in 42..50 {
        text.push(format!("2018-09-13 20:{m}:00.000 26275 ERROR nova.compute.manager Sprocket jammed "));
    }
    dir.write("nova/nova-compute.log", text.join("\n") + "\n");
    let (s, _) = scan_json(&["--tz", "UTC", dir.join("nova").to_str().unwrap()]);
    let count =
        |words: &str| s.templates.iter().filter(|t| t.template.contains(words)).map(|t| t.count).sum::<u64>();
    assert_eq!(count("WidgetMeltdown"), 2, "one event per trace: {:?}", s.templates);
    assert_eq!(count("Sprocket jammed"), 8, "a repeated message is one event per line: {:?}", s.templates);
    assert!(
        s.templates.iter().all(|t| t.template.chars().any(char::is_alphanumeric)),
        "no template of blank records: {:?}",
        s.templates
    );
}

#[test]
fn a_pretty_printed_json_record_is_one_event() {
    let dir = Dir::new();
    let mut lines: Vec<String> = (0..30)
        .map(|i| format!(r#"{{"ts":"2026-11-24T10:00:{i:02}.100Z","level":"info","msg":"request completed","status":200}}"#))
        .collect();
    for i in 30..33 {
        // a careless logger's pretty-printed record: the time, the level and
        // the error on lines of their own
        lines.extend([
            "{".to_string(),
            format!(r#"  "ts": "2026-11-24T10:00:{i:02}.250Z","#),
            r#"  "level": "error","#.to_string(),
            r#"  "msg": "token refresh failed","#.to_string(),
            r#"  "error": {"#.to_string(),
            r#"    "type": "invalid_grant","#.to_string(),
            r#"    "message": "Token has been expired or revoked.""#.to_string(),
            "  },".to_string(),
            format!(r#"  "request_id": "req-{i:04}""#),
            "}".to_string(),
        ]);
    }
    dir.write("erp/api.log", lines.join("\n") + "\n");
    let (s, _) = scan_json(&["--tz", "UTC", dir.join("erp").to_str().unwrap()]);
    assert_eq!(s.signatures.len(), 1, "{:?}", s.signatures);
    assert_eq!(s.signatures[0].count, 3, "one event per record");
    assert_eq!(s.signatures[0].first_seen.as_deref(), Some("2026-11-24T10:00:30.250Z"));
    assert!(
        s.templates.is_empty(),
        "the level line is the same event, not an unnamed error: {:?}",
        s.templates
    );
}
