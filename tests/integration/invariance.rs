//! Results do not depend on the block size or the number of threads, down
//! to blocks of one byte that cut every line, and are the same whether a
//! file is read by offset, inflated from gzip or transcoded from UTF-16.

use crate::util::*;
use faultline::catalog::Catalog;
use faultline::discover::{discover, Input};
use faultline::engine::{scan, EvidenceText, ScanData};
use faultline::matcher::Matcher;
use faultline::progress::NoProgress;
use faultline::timestamp::Zone;
use proptest::prelude::*;

const LINES: &[&str] = &[
    "2026-11-24T10:00:00Z INFO request ok request_id=req-00000001",
    "2026-11-24 10:00:01,250 ERROR [main] c.a.Sync - HttpClientErrorException$Unauthorized: 401 Unauthorized",
    "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:732)",
    "Caused by: java.net.SocketTimeoutException: Read timed out",
    "{\"ts\":\"2026-11-24T10:00:02Z\",\"level\":\"error\",\"msg\":\"429 Too Many Requests\",\"request_id\":\"req-9\"}",
    "2026/11/24 10:00:03 dial tcp 10.0.0.5:443: connect: connection refused",
    "",
    "plain words with no time",
    "2026-11-24T10:00:04Z WARN upstream timed out (110: Connection timed out) while reading response header from upstream",
    "2026-11-24T10:00:05Z INFO took 401ms status=200",
];

fn run_scan(path: &std::path::Path, block: usize, jobs: usize) -> ScanData {
    let catalog = Catalog::builtin().unwrap();
    let matcher = Matcher::new(&catalog).unwrap();
    let d = discover(&[Input { system: None, path: path.to_path_buf() }], None);
    let zones = vec![Zone::Utc; d.systems.len()];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().unwrap();
    pool.install(|| scan(&d.sources, &matcher, &zones, block, EvidenceText::ReadAgain, &NoProgress))
}

fn fingerprint(d: &ScanData) -> (Vec<String>, Vec<(u64, u64)>) {
    (
        d.events.iter().map(|e| format!("{e:?}")).collect(),
        d.per_source.iter().map(|p| (p.lines, p.bytes)).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn block_size_and_threads_do_not_change_results(
        picks in proptest::collection::vec(0..LINES.len(), 1..120),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
        block in 1usize..300,
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = picks.iter().map(|&i| LINES[i]).collect::<Vec<_>>().join(eol);
        if final_newline { text.push_str(eol); }
        let dir = Dir::new();
        let path = dir.write("app.log", &text);
        let want = fingerprint(&run_scan(&path, 1 << 20, 1));
        prop_assert_eq!(&fingerprint(&run_scan(&path, block, 2)), &want);
        prop_assert_eq!(&fingerprint(&run_scan(&path, 1, 2)), &want);
        // The same bytes through gzip: same events and lines.
        let gz = dir.write("z/app.log.gz", gzip(text.as_bytes()));
        let via_gz = fingerprint(&run_scan(&gz, block, 2));
        prop_assert_eq!(&via_gz, &want);
    }
}

#[test]
fn a_hit_line_across_a_block_edge() {
    let dir = Dir::new();
    let mut text = "x".repeat(65_530);
    text.push('\n');
    text.push_str(LINES[1]);
    text.push('\n');
    let path = dir.write("edge.log", &text);
    let whole = run_scan(&path, 1 << 20, 1);
    assert_eq!(whole.events.len(), 1);
    assert_eq!(whole.events[0].line, 2);
    for block in [65_531, 65_540, 65_536, 7] {
        assert_eq!(fingerprint(&run_scan(&path, block, 2)), fingerprint(&whole), "block {block}");
    }
}

#[test]
fn hits_in_a_trace_belong_to_its_head() {
    let dir = Dir::new();
    let text = [
        "2026-11-24 10:00:00,000 INFO [main] c.a.Sync - start",
        "2026-11-24 10:00:01,250 ERROR [main] c.a.Sync - sync failed",
        "org.springframework.web.client.ResourceAccessException: I/O error on POST request",
        "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:732)",
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        "\t... 12 more",
        "2026-11-24 10:00:02,000 INFO [main] c.a.Sync - next",
    ]
    .join("\n");
    let path = dir.write("trace.log", &text);
    let d = run_scan(&path, 1 << 20, 1);
    assert_eq!(d.events.len(), 1, "{:?}", d.events);
    let e = &d.events[0];
    assert_eq!(e.line, 2, "attributed to the head line");
    assert_eq!(e.ts, Some(1_795_514_401_250)); // 2026-11-24T10:00:01.250Z
                                               // The evidence is read again by offset: the head line, then the hit.
    let hit = e.hit_offset.expect("the hit is inside the trace");
    let d2 = discover(&[Input { system: None, path: path.clone() }], None);
    let lines = faultline::engine::read_lines_at(&d2.sources, &[(0, e.offset), (0, hit)]);
    assert!(lines[&(0, e.offset)].starts_with("2026-11-24 10:00:01,250 ERROR"), "{lines:?}");
    assert_eq!(lines[&(0, hit)], "Caused by: java.net.SocketTimeoutException: Read timed out");
}
