//! Unit tests of the miner.

use super::*;

fn lines(text: &str) -> Vec<&[u8]> {
    text.lines().map(|l| l.as_bytes()).collect()
}

#[test]
fn vm_started_vs_paused() {
    let mut t = String::new();
    for i in 0..50 {
        t.push_str(&format!(
            "2020-01-01 10:00:{:02} INFO nova.compute: [instance: {i}] VM Started\n",
            i % 60
        ));
        t.push_str(&format!("2020-01-01 10:00:{:02} INFO nova.compute: [instance: {i}] VM Paused\n", i % 60));
    }
    let m = mine_lines(&lines(&t));
    let names: Vec<&str> = m.templates.iter().map(|t| t.template.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"[instance: <*>] VM Started"));
    assert!(names.contains(&"[instance: <*>] VM Paused"));
}

#[test]
fn ids_are_stable_and_derived_from_text() {
    assert_eq!(template_id("abc"), "ba7816bf8f01cfea");
    let m = mine_lines(&lines("a 1\na 2\nb"));
    for t in &m.templates {
        assert_eq!(t.id, template_id(&t.template));
    }
}

#[test]
fn invalid_utf8_does_not_panic() {
    let raw: Vec<&[u8]> = vec![b"ok \xff\xfe 12", b"\xc3", b"", b"ok \xff\xfe 13"];
    let m = mine_lines(&raw);
    assert_eq!(m.per_line.len(), 4);
    assert_eq!(m.per_line[0], m.per_line[3]);
}

#[test]
fn thread_count_and_chunking_invariance() {
    let mut t = String::new();
    for i in 0..20000 {
        t.push_str(&format!("2020-01-01 10:00:00 INFO x.Y: user u{} did op{} in {} ms\n", i % 97, i % 3, i));
    }
    let ls = lines(&t);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| mine_lines(&ls));
    let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(|| mine_lines(&ls));
    assert_eq!(one.templates, four.templates);
    assert_eq!(one.per_line, four.per_line);
}

#[test]
fn run_per_line_output() {
    let dir = std::env::temp_dir().join(format!("fl-mine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("a.log");
    std::fs::write(&f, "Dec 10 06:55:46 h sshd[1]: Accepted for a from 1.2.3.4\nDec 10 06:55:47 h sshd[2]: Accepted for a from 1.2.3.5").unwrap();
    let mut out = Vec::new();
    run(std::slice::from_ref(&f), true, false, None, Table::Text, &mut out).unwrap();
    let s = String::from_utf8(out).unwrap();
    let rows: Vec<serde_json::Value> = s.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["line"], 2);
    assert_eq!(rows[0]["template"], "Accepted for a from <*>");
    assert_eq!(rows[0]["cluster"], rows[1]["cluster"]);
    std::fs::remove_dir_all(&dir).ok();
}

fn tpl(m: &Mined, i: usize) -> &str {
    &m.templates[m.per_line[i]].template
}

#[test]
fn mine_messages_mixed_formats() {
    let mut raw: Vec<String> = Vec::new();
    for i in 0..300 {
        raw.push(format!(
            "2024-05-01 10:00:{:02}.123 ERROR [pool-{}] com.acme.Db - connection to db{} refused after {} ms",
            i % 60,
            i % 7,
            i % 3,
            i
        ));
        raw.push(format!(
            r#"{{"ts":"2024-05-01T10:00:00Z","level":"error","msg":"connection to db{} refused after {} ms"}}"#,
            i % 3, i
        ));
        raw.push(format!(
            r#"time=2024-05-01T10:00:00Z level=warn msg="slow query on table t{} took {}ms" caller=db.go:{}"#,
            i % 5,
            i,
            i
        ));
        raw.push(format!(
            "2024/05/01 10:00:{:02} [error] {}#0: *{} upstream timed out while reading response header from upstream",
            i % 60, 1000 + i, i
        ));
    }
    let lines: Vec<&[u8]> = raw.iter().map(|l| l.as_bytes()).collect();
    let m = mine_messages(&lines);
    assert_eq!(m.per_line.len(), lines.len());
    // logback and JSON carry the same message: one template
    assert_eq!(tpl(&m, 0), "connection to <*> refused after <*> ms");
    assert_eq!(m.per_line[0], m.per_line[1]);
    assert_eq!(tpl(&m, 2), "slow query on table <*> took <*>");
    assert!(
        tpl(&m, 3).ends_with("upstream timed out while reading response header from upstream"),
        "{}",
        tpl(&m, 3)
    );
    assert!(!tpl(&m, 3).contains("2024"));
    assert_eq!(m.templates.len(), 3, "{:?}", m.templates);
    for t in &m.templates {
        assert_eq!(t.id, template_id(&t.template));
    }
}

#[test]
fn mine_messages_thread_invariant() {
    let raw: Vec<String> = (0..5000)
        .map(|i| match i % 3 {
            0 => format!(
                "Dec 10 06:55:{:02} host sshd[{}]: Failed password for u{} from 10.0.0.{}",
                i % 60,
                i,
                i % 9,
                i % 250
            ),
            1 => format!(r#"{{"message":"job {} finished in {}s","level":"warn"}}"#, i, i % 17),
            _ if i % 2 == 0 => format!(
                "2020-01-01 10:00:00,{:03} WARN  [main] a.b.C: retry {} of task t{}",
                i % 1000,
                i % 4,
                i
            ),
            _ => format!("2020-01-01 10:00:00,{:03} INFO  [main] a.b.C: giving up on task t{}", i % 1000, i),
        })
        .collect();
    let lines: Vec<&[u8]> = raw.iter().map(|l| l.as_bytes()).collect();
    let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
    let a = pool(1).install(|| mine_messages(&lines));
    let b = pool(3).install(|| mine_messages(&lines));
    assert_eq!(a.templates, b.templates);
    assert_eq!(a.per_line, b.per_line);
    assert_eq!(tpl(&a, 0), "Failed password for <*> from <*>");
    assert_eq!(tpl(&a, 1), "job <*> finished in <*>");
    assert_eq!(tpl(&a, 2), "retry <*> of task <*>");
    assert!(mine_messages(&[]).templates.is_empty());
}

#[test]
fn format_change_learns_a_second_layout() {
    // a file whose header layout changes half way: both halves lose
    // their headers, and run() agrees with mine_lines()
    let mut t = String::new();
    for i in 0..2500 {
        t.push_str(&format!(
            "081109 2036{:02} {} INFO dfs.DataNode: Receiving block blk_{} src: /10.0.0.{}\n",
            i % 60,
            i,
            i,
            i % 200
        ));
    }
    for i in 0..1000 {
        t.push_str(&format!(
            "[Sun Dec 04 04:47:{:02} 2005] [error] mod_jk child workerEnv in error state {}\n",
            i % 60,
            i % 9
        ));
    }
    let ls = lines(&t);
    let m = mine_lines(&ls);
    assert_eq!(tpl(&m, 0), "Receiving block <*> src: <*>");
    assert_eq!(tpl(&m, 3000), "mod_jk child workerEnv in error state <*>");
    let dir = std::env::temp_dir().join(format!("fl-mine-fc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("a.log");
    std::fs::write(&f, &t).unwrap();
    let mut out = Vec::new();
    run(&[f], true, false, None, Table::Text, &mut out).unwrap();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3500);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["template"], tpl(&m, i), "line {i}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn key_hash_tells_every_length_and_every_byte_apart() {
    // every byte position of every length up to 40 (both lanes, the
    // overlapping tail word, the short byte-wise tail) changes the hash
    let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
    let mut seen = std::collections::HashSet::new();
    for n in 0..=base.len() {
        assert!(seen.insert(hash64(&base[..n])), "length {n}");
        for at in 0..n {
            let mut s = base[..n].to_vec();
            s[at] ^= 0x20;
            assert!(seen.insert(hash64(&s)), "length {n}, byte {at}");
        }
    }
}

#[test]
fn status_codes_split_templates() {
    // the same access line with other statuses: one template per status,
    // however many requests and sizes vary
    let mut text = String::new();
    for i in 0..30 {
        let status = [200, 200, 503, 404, 200, 502][i % 6];
        text.push_str(&format!(
            "10.0.0.{i} - - [25/Nov/2026:10:00:{i:02} +0000] \"GET /api/orders/{i} HTTP/1.1\" {status} {} \"-\" \"curl/8\"\n",
            100 + i * 7
        ));
    }
    let m = mine_lines(&lines(&text));
    let mut ts: Vec<&str> = m.templates.iter().map(|t| t.template.as_str()).collect();
    ts.sort();
    assert_eq!(ts.len(), 4, "{ts:?}");
    for s in ["200", "404", "502", "503"] {
        assert!(ts.iter().any(|t| t.contains(&format!("\" {s} <*>"))), "{s}: {ts:?}");
    }
}
