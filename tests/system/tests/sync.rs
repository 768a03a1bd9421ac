//! The sync proofs with the real processes on 127.0.0.1: enrolment and credentials, a portal down for
//! a whole day, every fault switch, kill -9 of the counter in the middle of a push, the portal killed
//! and restarted in the middle of a batch, a refused item parked while the rest flows, the back
//! office and other counters, and the background task restarting by itself. After each: the portal
//! holds exactly the counters' events, none missing, none twice, and the views are equal.

use std::process::Stdio;
use std::time::Duration;

use motcua_system_tests::*;

fn dirs() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn enrolment_and_every_request_need_the_right_credentials() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    // wrong enrolment code: refused in words, nothing kept on either side
    let out = q1.cli(&["enrol", "--portal", &portal.url(), "--code", "SAI-MA"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mã đăng ký không đúng"));
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 0);
    assert_eq!(q1.status()["enrolled"], false);
    // not enrolled: sync says so
    q1.intake_many(2);
    assert!(q1.sync().unwrap_err().contains("chưa đăng ký"));
    q1.enrol(&portal);

    let rt = runtime();
    let http = reqwest::Client::new();
    let push = serde_json::json!({"protocol": 1, "device_id": format!("{AGENCY}/Q01"), "events": []});
    // missing and wrong tokens: 401, nothing stored
    for auth in [None, Some("Bearer 00ff")] {
        let mut rq = http.post(format!("{}/v1/events", portal.url())).json(&push);
        if let Some(a) = auth {
            rq = rq.header("authorization", a);
        }
        let resp = rt.block_on(rq.send()).unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let body: serde_json::Value = rt.block_on(resp.json()).unwrap();
        assert_eq!(body["code"], "unauthorised");
    }
    let changes = rt.block_on(http.get(format!("{}/v1/changes?protocol=1&cursor=0", portal.url())).send()).unwrap();
    assert_eq!(changes.status().as_u16(), 401);
    // a newer protocol version: refused clearly, with the versions the portal speaks
    let enrol2 = serde_json::json!({"protocol": 2, "enrolment_code": ENROLMENT_CODE, "agency_code": AGENCY, "counter_id": "Q09",
                                    "counter_name": "x", "app_version": "9"});
    let resp = rt.block_on(http.post(format!("{}/v1/enrol", portal.url())).json(&enrol2).send()).unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = rt.block_on(resp.json()).unwrap();
    assert_eq!((body["code"].as_str(), body["supported"][0].as_i64()), (Some("protocol_version"), Some(1)));
    assert_eq!(portal.stats()["events"], 0);
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 1);
    // the counter refuses a portal that answers in a newer version (a real HTTP server on loopback)
    let newer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", newer.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for s in newer.incoming().take(1) {
            let mut s = s.unwrap();
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let body = r#"{"protocol":2,"server_time":0,"held_through_seq":0,"results":[]}"#;
            let _ = write!(s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        }
    });
    let err = q1.cli(&["sync", "--portal", &url]);
    assert!(String::from_utf8_lossy(&err.stderr).contains("phiên bản giao thức"), "{}", String::from_utf8_lossy(&err.stderr));
    assert_eq!(q1.outbox_len(), 2, "nothing acknowledged by a portal it cannot understand");
    q1.ok(&["sync", "--portal", &portal.url()]);
    assert_consistent(&portal, &[&q1]);
}

#[test]
fn a_portal_down_for_the_whole_day_then_back_gets_everything_once() {
    let d = dirs();
    let mut portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    q1.ok(&["sync"]);
    portal.kill();
    // a day at the counter with the line down: intakes, hand-overs, a sync attempt now and then
    let mut codes = Vec::new();
    for round in 0..6 {
        codes.extend(q1.intake_many(20));
        q1.ok(&["handover", "--to", "Phòng Tư pháp", &codes[round * 20], &codes[round * 20 + 1]]);
        let err = q1.sync().unwrap_err();
        assert!(err.contains("Không kết nối được Cổng dịch vụ công"), "{err}");
        let st = q1.status();
        assert_eq!(st["online"], false);
        assert!(st["last_error"].as_str().unwrap().contains("Không kết nối được"));
    }
    assert_eq!(q1.status()["waiting"], 132);
    // the provisional codes carry the day's work when the leased numbers run out
    assert!(codes.iter().any(|c| c.starts_with("TAM-")) || codes.len() <= 100);
    portal.start();
    let out = q1.sync().unwrap();
    assert!(out.contains("sent 132"), "{out}");
    let st = q1.status();
    assert_eq!((st["online"].as_bool(), st["waiting"].as_i64(), st.get("last_error")), (Some(true), Some(0), None));
    // a second round sends nothing again
    assert!(q1.sync().unwrap().contains("sent 0 (already held 0"));
    assert_consistent(&portal, &[&q1]);
}

#[test]
fn every_fault_switch_loses_nothing_and_doubles_nothing() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let q2 = Counter::init(&d.path().join("q2"), "Q02");
    q1.enrol(&portal);
    q2.enrol(&portal);
    let cases: [(&str, FaultSwitches, bool); 5] = [
        ("refuse", FaultSwitches { refuse: true, ..Default::default() }, false),
        ("5xx", FaultSwitches { status_5xx: true, ..Default::default() }, false),
        ("drop after commit", FaultSwitches { drop_after_commit: true, ..Default::default() }, false),
        ("answer twice", FaultSwitches { answer_twice: true, ..Default::default() }, true),
        ("delay", FaultSwitches { delay_ms: 700, ..Default::default() }, true),
    ];
    for (name, f, round_succeeds) in cases {
        q1.intake_many(7);
        q2.intake_many(3);
        portal.faults(f);
        let r = q1.sync();
        assert_eq!(r.is_ok(), round_succeeds, "{name}: {r:?}");
        if let Err(e) = &r {
            // the clerk sees the portal's reason or the network's, not "sending failed"
            assert!(e.contains("Cổng dịch vụ công"), "{name}: {e}");
            let st = q1.status();
            assert_eq!(st["online"], false, "{name}");
            assert!(st["last_error"].as_str().unwrap_or("").contains("Cổng dịch vụ công"), "{name}");
        }
        if name == "5xx" {
            assert!(r.unwrap_err().contains("HTTP 503"), "the portal's status and reason are shown");
        }
        portal.clear_faults();
        let out = q1.sync().unwrap();
        if name == "drop after commit" {
            assert!(out.contains("already held 7"), "the resend of a committed batch is recognised: {out}");
        }
        q2.ok(&["sync"]);
        q1.ok(&["sync"]);
        assert_consistent(&portal, &[&q1, &q2]);
    }
    // every dossier's own events, and one code_reissued of the portal per provisional code it mapped
    // (the first intakes came before the first lease: TAM- codes, official after their first push)
    let mapped = portal.events_of(motcua_core::sync::protocol::BACK_OFFICE).len() as i64;
    assert!(mapped > 0, "the provisional codes were not mapped");
    assert_eq!(portal.stats()["events"], 50 + mapped);
    for q in [&q1, &q2] {
        let tam: i64 = q.sql().query_row("SELECT COUNT(*) FROM dossiers WHERE code LIKE 'TAM-%'", [], |r| r.get(0)).unwrap();
        assert_eq!(tam, 0, "{}: a provisional code left after sync", q.id);
    }
}

/// A counter with a backlog of `n` events (in one transaction through the library, for speed).
fn backlog(c: &Counter, n: usize) {
    let mut s = c.store();
    let reqs: Vec<_> = (0..n).map(request).collect();
    motcua_core::intake::submit_batch(&mut s, &reqs).unwrap();
}

#[test]
fn kill_9_of_the_counter_in_the_middle_of_a_push() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    backlog(&q1, 7000);
    // 14 batches, each answered after 400 ms: a kill lands before, during or after a commit, and the
    // five kills (4.5 s of pushing in all) come before the end of the backlog
    portal.faults(FaultSwitches { delay_ms: 400, ..Default::default() });
    let mut killed_mid_push = 0;
    for i in 0..5 {
        let mut child = q1.command().arg("sync").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(400 + 250 * i));
        if child.try_wait().unwrap().is_none() {
            killed_mid_push += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    assert!(killed_mid_push >= 3, "the counter was killed while pushing");
    let before = portal.stats()["events"].as_i64().unwrap();
    assert!(before < 7000, "the kills came before the end of the backlog: {before} of 7000 in");
    portal.clear_faults();
    q1.ok(&["sync"]);
    assert_consistent(&portal, &[&q1]);
    assert_eq!(portal.stats()["counters"][0]["held_through_seq"], 7000);
}

#[test]
fn portal_killed_and_restarted_in_the_middle_of_a_batch() {
    let d = dirs();
    let mut portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let q2 = Counter::init(&d.path().join("q2"), "Q02");
    q1.enrol(&portal);
    q2.enrol(&portal);
    backlog(&q1, 2000);
    backlog(&q2, 300);
    portal.faults(FaultSwitches { delay_ms: 200, ..Default::default() });
    let child = q1.command().arg("sync").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    portal.kill(); // SIGKILL, in the middle of the batch being written or answered
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "the round in flight failed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cổng dịch vụ công"));
    portal.clear_faults();
    portal.start();
    q1.ok(&["sync"]);
    q2.ok(&["sync"]);
    q1.ok(&["sync"]);
    assert_consistent(&portal, &[&q1, &q2]);
}

#[test]
fn a_refused_item_is_parked_with_the_portals_reason_and_the_rest_flows() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    // the counter's catalog has a procedure the portal does not know yet
    let mut catalog: serde_json::Value = serde_json::from_str(motcua_core::catalog::DEFAULT_CATALOG_JSON).unwrap();
    let mut extra = catalog["procedures"][0].clone();
    extra["code"] = "9.999999".into();
    extra["name"] = "Thủ tục thử nghiệm chưa có trên cổng".into();
    catalog["procedures"].as_array_mut().unwrap().push(extra);
    let file = d.path().join("catalog.json");
    std::fs::write(&file, catalog.to_string()).unwrap();
    q1.ok(&["catalog", "import", file.to_str().unwrap()]);
    let mut s = q1.store();
    let mut req = request(1);
    req.procedure_code = "9.999999".into();
    let odd = motcua_core::intake::submit_batch(&mut s, &[req]).unwrap().remove(0).code;
    drop(s);
    let fine = q1.intake_many(4);
    q1.ok(&["handover", "--to", "Phòng Tư pháp", &odd, &fine[0]]);
    let out = q1.sync().unwrap();
    assert!(out.contains("sent 5") && out.contains("refused 2"), "{out}");
    let parked: serde_json::Value = serde_json::from_str(&q1.ok(&["sync", "parked", "--json"])).unwrap();
    let parked = parked.as_array().unwrap();
    assert_eq!(parked.len(), 2);
    assert_eq!(parked[0]["code"], "unknown_procedure");
    assert!(parked[0]["reason"].as_str().unwrap().contains("9.999999 không có trong danh mục"));
    assert_eq!(parked[1]["code"], "unknown_dossier");
    assert_eq!(q1.status()["parked"], 2);
    let shown: serde_json::Value = serde_json::from_str(&q1.ok(&["show", &odd, "--json"])).unwrap();
    assert_eq!(shown["sync"]["state"], "rejected");
    // later work keeps flowing past the parked items
    q1.intake_many(2);
    assert!(q1.sync().unwrap().contains("sent 2"));
    // the portal's catalog is fixed; the clerk retries; the same frozen events go through
    portal.cli(&["publish", "--catalog", file.to_str().unwrap()]);
    q1.ok(&["sync"]);
    q1.ok(&["sync", "parked", "--retry"]);
    let out = q1.sync().unwrap();
    assert!(out.contains("sent 2"), "{out}");
    assert_eq!(q1.status()["parked"], 0);
    assert_consistent(&portal, &[&q1]);
}

#[test]
fn back_office_steps_other_counters_and_online_dossiers_arrive_as_events() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let q2 = Counter::init(&d.path().join("q2"), "Q02");
    q1.enrol(&portal);
    q2.enrol(&portal);
    // the first round leases today's numbers: both counters' codes are official and never collide
    q1.ok(&["sync"]);
    q2.ok(&["sync"]);
    let codes = q1.intake_many(3);
    q1.ok(&["handover", "--to", "Phòng Tư pháp", &codes[0], &codes[1], &codes[2]]);
    q1.ok(&["sync"]);
    let q2codes = q2.intake_many(2);
    assert!(codes.iter().chain(&q2codes).all(|c| !c.starts_with("TAM-")));
    assert_eq!(q1.status()["numbers_left_today"], 97);
    // the back office finishes one and refuses another
    let out = portal.cli(&["back-office", "--agency", AGENCY, "--dossier", &codes[0], "--result", "Phòng Tư pháp"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    portal.cli(&["back-office", "--agency", AGENCY, "--dossier", &codes[1], "--refuse", "Không đủ điều kiện"]);
    // the citizen collects it at the other counter
    q2.ok(&["sync"]);
    let shown: serde_json::Value = serde_json::from_str(&q2.ok(&["show", &codes[0], "--json"])).unwrap();
    assert_eq!(shown["status"], "result_ready");
    q2.ok(&["return", &codes[0], "--to", "Nguyễn Văn An", "--id", "001090000000"]);
    // meanwhile Q01, not yet told of the refusal, asks the citizen for a supplement: a conflict
    q1.ok(&["supplement", &codes[1], "--missing", "Bản sao giấy khai sinh"]);
    q2.ok(&["sync"]);
    q1.ok(&["sync"]);
    q2.ok(&["sync"]);
    let s1: serde_json::Value = serde_json::from_str(&q1.ok(&["show", &codes[0], "--json"])).unwrap();
    assert_eq!(s1["status"], "returned");
    let s1b: serde_json::Value = serde_json::from_str(&q1.ok(&["show", &codes[1], "--json"])).unwrap();
    assert_eq!(s1b["status"], "refused", "the back office's refusal came first in the portal's order");
    let conflicts: serde_json::Value = serde_json::from_str(&q1.ok(&["sync", "conflicts", "--json"])).unwrap();
    assert_eq!(conflicts.as_array().unwrap().len(), 1);
    assert_eq!(conflicts[0]["kind"], "supplement_requested");
    assert_eq!(q1.status()["conflicts"], 1);
    // a dossier submitted online is taken in by its counter, once, and goes back up
    let intake = d.path().join("online.json");
    std::fs::write(&intake, serde_json::to_string(&request(42)).unwrap()).unwrap();
    let out = portal.cli(&["online", "--agency", AGENCY, "--counter", "Q02", "--file", intake.to_str().unwrap()]);
    assert!(out.status.success());
    let r = q2.sync().unwrap();
    assert!(r.contains("1 online dossiers"), "{r}");
    // a new calendar reaches the counters
    let mut cal: serde_json::Value = serde_json::from_str(motcua_core::calendar::DEFAULT_CALENDAR_JSON).unwrap();
    let before = q1.ok(&["calendar", "show", "--year", "2027", "--json"]);
    let years = cal["years"].as_array_mut().unwrap();
    years.retain(|y| y["year"] != 2027);
    years.push(serde_json::json!({"year": 2027, "status": "decided", "extra_days_off": ["2027-06-15"], "working_days": [], "cancelled": [], "source": "thử nghiệm"}));
    let cfile = d.path().join("calendar.json");
    std::fs::write(&cfile, cal.to_string()).unwrap();
    let published = portal.cli(&["publish", "--calendar", cfile.to_str().unwrap()]);
    assert!(published.status.success(), "{}", String::from_utf8_lossy(&published.stderr));
    q1.ok(&["sync"]);
    let after = q1.ok(&["calendar", "show", "--year", "2027", "--json"]);
    assert!(!before.contains("2027-06-15") && after.contains("2027-06-15"), "{after}");
    q2.ok(&["sync"]);
    q1.ok(&["sync"]);
    assert_consistent(&portal, &[&q1, &q2]);
}

#[test]
fn the_background_task_restarts_by_itself_when_the_portal_returns() {
    let d = dirs();
    let mut portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    portal.kill();
    let config = motcua_sync::task::TaskConfig {
        interval: Duration::from_millis(300),
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_millis(800),
        first_delay: Duration::ZERO,
    };
    let clock: std::sync::Arc<dyn motcua_core::clock::Clock> = std::sync::Arc::new(motcua_core::clock::SystemClock);
    let _task = motcua_sync::SyncHandle::spawn(q1.dir.join("motcua.sqlite3"), clock, config);
    // intake goes on while the task fails in the background
    let start = std::time::Instant::now();
    q1.intake_many(25);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert!(eventually(Duration::from_secs(10), || q1.status()["last_error"].is_string()));
    assert_eq!(q1.status()["online"], false);
    portal.start();
    // nobody presses "sync now": the task retries on its own
    assert!(eventually(Duration::from_secs(20), || q1.outbox_len() == 0), "the backlog went up by itself");
    assert!(eventually(Duration::from_secs(5), || q1.status()["online"] == true));
    assert_consistent(&portal, &[&q1]);
}

#[test]
fn a_replaced_machine_enrols_again_after_revocation_and_gets_its_dossiers_back() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let old = Counter::init(&d.path().join("old"), "Q01");
    old.enrol(&portal);
    old.ok(&["sync"]);
    let codes = old.intake_many(3);
    old.ok(&["handover", "--to", "Phòng Tư pháp", &codes[0]]);
    old.ok(&["sync"]);
    // the PC dies; a new one is set up as the same counter
    let new = Counter::init(&d.path().join("new"), "Q01");
    let refused = new.cli(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code("Q01")]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("đã đăng ký"), "a code alone never takes over an enrolled counter");
    let out = portal.cli(&["revoke", "--agency", AGENCY, "--counter", "Q01"]);
    assert!(out.status.success());
    assert!(old.sync().unwrap_err().contains("không chấp nhận máy này"), "the old token no longer works");
    new.enrol(&portal);
    new.ok(&["sync"]);
    // its own dossiers are back, and it continues the sequence above them
    let shown: serde_json::Value = serde_json::from_str(&new.ok(&["show", &codes[0], "--json"])).unwrap();
    assert_eq!(shown["status"], "in_process");
    new.intake_many(2);
    let out = new.sync().unwrap();
    assert!(out.contains("sent 2 (already held 0, refused 0)"), "{out}");
    assert_consistent(&portal, &[&new]);
}

#[test]
fn the_same_official_code_from_two_counters_is_reissued_never_shared() {
    // two counters set up with the same standing block (half the day's numbers, as the finding had it)
    // took dossiers in before they were enrolled
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let mk = |id: &str| {
        let c = Counter { dir: d.path().join(id), id: id.into() };
        c.ok(&["init", "--agency-code", AGENCY, "--agency-name", "UBND phường Ba Đình", "--counter", id, "--code-block", "1-4999"]);
        c
    };
    let (q1, q2) = (mk("Q01"), mk("Q02"));
    let a = q1.intake_many(1);
    let b = q2.intake_many(1);
    assert_eq!(a, b, "the same official code on both counters");
    q1.enrol(&portal);
    // the second block overlaps the first one registered: refused with the reason; the admin drops it
    let out = q2.cli(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code("Q02")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("đã đăng ký cho quầy Q01"), "{}", String::from_utf8_lossy(&out.stderr));
    q2.ok(&["code-blocks", "--drop"]);
    q2.enrol(&portal);
    q1.ok(&["sync"]);
    // the dossier that reaches the portal second gets a new official code, nothing is parked
    let out = q2.sync().unwrap();
    assert!(out.contains("refused 0"), "{out}");
    q1.ok(&["sync"]);
    let mine = q2.ok(&["sync", "status"]);
    assert!(mine.contains(&format!("(mã cũ {})", b[0])), "{mine}");
    assert_consistent(&portal, &[&q1, &q2]);
}

#[test]
fn another_portal_at_the_given_address_is_refused() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let hub = Portal::started(&d.path().join("hub"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    q1.intake_many(1);
    let out = q1.cli(&["sync", "--portal", &hub.url()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("là một cổng khác"));
    assert_eq!(hub.stats()["events"], 0);
    q1.ok(&["sync"]);
    assert_consistent(&portal, &[&q1]);
}
