//! Header learning and fitting, on lines of the Loghub formats.

use super::*;

fn msg<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let m = HeaderModel::learn(lines.iter().map(|l| l.as_bytes()));
    lines.iter().map(|l| &l[m.message_start(l.as_bytes())..]).collect()
}

#[test]
fn hdfs_like() {
    let m = msg(&[
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_3 terminating",
        "081109 203807 222 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /a/b blk_1",
    ]);
    assert_eq!(
        m,
        ["PacketResponder 1 for block blk_3 terminating", "BLOCK* NameSystem.allocateBlock: /a/b blk_1"]
    );
}

#[test]
fn syslog_host_and_pid() {
    let m = msg(&[
        "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
        "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown",
    ]);
    assert_eq!(
        m,
        ["Invalid user webmaster from 173.234.31.186", "pam_unix(sshd:auth): check pass; user unknown"]
    );
}

#[test]
fn brackets_and_threads() {
    let m = msg(&[
        "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
        "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
    ]);
    assert_eq!(
        m,
        [
            "workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            "mod_jk child workerEnv in error state 6"
        ]
    );
    let m = msg(&[
        "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
        "2015-07-29 19:04:12,394 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker leaving thread",
    ]);
    assert_eq!(m, ["Notification time out: 3200", "Send worker leaving thread"]);
    let m = msg(&[
        "2015-10-18 18:01:58,916 INFO [RMCommunicator Allocator] org.apache.hadoop.yarn.util.RackResolver: Resolved host to /default-rack",
        "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster",
    ]);
    assert_eq!(m, ["Resolved host to /default-rack", "Created MRAppMaster"]);
}

#[test]
fn pipes_and_words_between_anchors() {
    let m = msg(&[
        "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
        "20171223-22:15:29:615|Step_LSC|30002312|onExtend:1514038530000 14 0 4",
        "20171223-22:15:29:635|Step_StandStepCounter|30002312|flush sensor data",
        "20171223-22:15:29:635|Step_LSC|30002312|processHandleBroadcastAction action:android.intent.action.SCREEN_ON",
    ]);
    assert_eq!(m[..2], ["onStandStepChanged 3579", "onExtend:1514038530000 14 0 4"]);
    let m = msg(&[
        "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
        "APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix",
    ]);
    assert_eq!(m, ["instruction cache parity error corrected", "ciod: failed to read message prefix"]);
}

#[test]
fn logger_then_context_bracket() {
    let m = msg(&[
        "x.log 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38 - - -] 10.11.10.1 \"GET /v2\" status: 200",
        "x.log 2017-05-16 00:00:00.272 25746 INFO nova.compute.manager [req-39 - - -] [instance: b9] VM Started (Lifecycle Event)",
    ]);
    assert_eq!(m, ["10.11.10.1 \"GET /v2\" status: 200", "[instance: b9] VM Started (Lifecycle Event)"]);
}

#[test]
fn fitter_agrees_with_first_fit() {
    // several formats, learned one after the other, then lines of all of
    // them in runs and interleaved: the cached fit must equal fit_any
    let formats: [&[&str]; 5] = [
        &["081109 203615 148 INFO dfs.DataNode: PacketResponder 1 terminating"],
        &["2015-10-18 18:01:58,916 INFO [main] org.apache.Foo: Created"],
        &["Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from 1.2.3.4"],
        &["[Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6"],
        &["17/06/09 20:10:40 INFO executor.Executor: Running task 1.0"],
    ];
    let mut layouts = Layouts::default();
    for f in &formats {
        let sample: Vec<&[u8]> = std::iter::repeat_n(f[0].as_bytes(), 300).collect();
        layouts.models.push(HeaderModel::learn(sample.iter().copied()));
    }
    let odd = ["just text", "12:34: odd line", "INFO: short", "[x] y", ""];
    let mut lines: Vec<&str> = Vec::new();
    for r in 0..40 {
        lines.push(formats[r % 5][0]);
        lines.push(formats[(r * 3) % 5][0]);
        lines.push(odd[r % odd.len()]);
        lines.push(formats[(r / 8) % 5][0]);
    }
    let fitter = Fitter::new(layouts.models());
    let mut last = None;
    for l in &lines {
        assert_eq!(fitter.fit(l.as_bytes(), &mut last), fit_any(layouts.models(), l.as_bytes()), "{l}");
    }
    // a number column excludes a month column; a level, a level
    assert!(layouts.models[0].excludes(&layouts.models[2]));
    assert!(!layouts.models[0].excludes(&layouts.models[0]));
}

#[test]
fn no_header() {
    let m = msg(&["hello world 1", "VM Started", "just text here"]);
    assert_eq!(m, ["hello world 1", "VM Started", "just text here"]);
}

#[test]
fn fallback_for_odd_lines() {
    assert_eq!(generic_message_start(b"2020-01-01 10:00:00 ERROR [x] Foo: boom"), 35);
    assert_eq!(generic_message_start(b"63543 double-hummer alignment exceptions"), 0);
}

#[test]
fn a_number_after_a_word_past_the_level_is_message() {
    // a small uniform file: every line has a number in the same column
    let m = msg(&[
        "2026-11-24 10:00:01 ERROR payment 7 declined by gateway",
        "2026-11-24 10:00:02 ERROR payment 8 declined by gateway",
        "2026-11-24 10:00:03 ERROR payment 19 declined by gateway",
    ]);
    assert_eq!(
        m,
        ["payment 7 declined by gateway", "payment 8 declined by gateway", "payment 19 declined by gateway"]
    );
}

#[test]
fn a_pid_right_after_the_level_is_header() {
    let m = msg(&[
        "2026-11-24 10:00:01.123  INFO 4242 --- [main] o.s.b.App : Started App in 3.2 seconds",
        "2026-11-24 10:00:02.456  WARN 4242 --- [main] o.s.b.App : Slow start",
    ]);
    assert_eq!(m, ["Started App in 3.2 seconds", "Slow start"]);
}
