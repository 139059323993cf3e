//! The message of a structured log line: the message field of a JSON object
//! line or of a logfmt line. Used by [`super::mine_messages`], whose input
//! mixes formats.

/// Field names holding the message, in order of preference.
const KEYS: &[&str] = &["msg", "message", "MESSAGE", "Message", "@message", "log", "short_message"];

/// The message of a JSON object line (`{"level":"error","msg":"..."}`) or a
/// logfmt line (`level=error msg="..." k=v`); `None` for other lines, and
/// for JSON / logfmt lines without such a field.
pub fn message_of(line: &[u8]) -> Option<Vec<u8>> {
    let t = line.trim_ascii();
    if t.first() == Some(&b'{') && t.last() == Some(&b'}') {
        return json_message(t);
    }
    logfmt_message(t)
}

fn json_message(t: &[u8]) -> Option<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(t).ok()?;
    let obj = v.as_object()?;
    let pick = |o: &serde_json::Map<String, serde_json::Value>| {
        KEYS.iter().find_map(|k| o.get(*k).and_then(|m| m.as_str())).map(|m| m.as_bytes().to_vec())
    };
    if let Some(m) = pick(obj) {
        return Some(m);
    }
    // one level down: {"error":{"message":"..."}}, {"log":{"msg":...}}
    obj.values().filter_map(|v| v.as_object()).find_map(pick)
}

/// `key=` at `b[i..]`: returns the index after `=`.
fn key_at(b: &[u8], i: usize) -> Option<usize> {
    let first = *b.get(i)?;
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'@') {
        return None;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'.' | b'-' | b'@')) {
        j += 1;
    }
    (j < b.len() && b[j] == b'=').then_some(j + 1)
}

/// logfmt: the line starts with `key=`, and has a `msg=` / `message=` pair.
fn logfmt_message(b: &[u8]) -> Option<Vec<u8>> {
    key_at(b, 0)?;
    let mut i = 0;
    while i < b.len() {
        // at the start of a pair
        let Some(v) = key_at(b, i) else {
            // not a pair: skip the token
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            continue;
        };
        let key = &b[i..v - 1];
        let (val, next) = value_at(b, v);
        if KEYS.iter().any(|k| k.as_bytes() == key) {
            return Some(val);
        }
        i = next;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    None
}

/// A logfmt value at `b[i..]` (quoted with `\"` escapes, or bare): the
/// value and the index after it.
fn value_at(b: &[u8], i: usize) -> (Vec<u8>, usize) {
    if b.get(i) == Some(&b'"') {
        let mut v = Vec::new();
        let mut j = i + 1;
        while j < b.len() {
            match b[j] {
                b'\\' if j + 1 < b.len() => {
                    let c = b[j + 1];
                    v.push(match c {
                        b'n' => b'\n',
                        b't' => b'\t',
                        _ => c,
                    });
                    j += 2;
                }
                b'"' => return (v, j + 1),
                c => {
                    v.push(c);
                    j += 1;
                }
            }
        }
        return (v, j);
    }
    let mut j = i;
    while j < b.len() && !b[j].is_ascii_whitespace() {
        j += 1;
    }
    (b[i..j].to_vec(), j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<String> {
        message_of(s.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn json_lines() {
        assert_eq!(
            m(r#"{"ts":"2024-01-01T00:00:00Z","level":"error","msg":"connection to 10.0.0.1 refused"}"#)
                .as_deref(),
            Some("connection to 10.0.0.1 refused")
        );
        assert_eq!(m(r#"{"@timestamp":1,"message":"a \"b\""}"#).as_deref(), Some("a \"b\""));
        assert_eq!(m(r#"{"error":{"message":"boom 12"}}"#).as_deref(), Some("boom 12"));
        assert_eq!(m(r#"{"a":1}"#), None);
        assert_eq!(m(r#"{not json}"#), None);
    }

    #[test]
    fn logfmt_lines() {
        assert_eq!(
            m(r#"time=2024-01-01T00:00:00Z level=error msg="dial tcp 10.0.0.1:5432: refused" retry=3"#)
                .as_deref(),
            Some("dial tcp 10.0.0.1:5432: refused")
        );
        assert_eq!(m("level=warn message=slow_query ms=1200").as_deref(), Some("slow_query"));
        assert_eq!(m("2024-01-01 12:00:00 ERROR x - failed msg=abc"), None);
        assert_eq!(m("level=warn ms=1200"), None);
    }
}
