//! Hostile suite, issue 12 findings 2, 7 and 8, against the real `motcua-portal` and `motcua`
//! processes on 127.0.0.1 (run `cargo build -p motcua-cli -p motcua-portal` first):
//! - the portal is not killed from the network: out of file descriptors, idle and half-sent requests,
//!   huge bodies on the routes anyone can reach (finding 2);
//! - a dossier code `../../PWNED` and terminal escapes pushed by one counter are refused by the portal,
//!   and, planted in the portal's database, are kept out by the counter that pulls them (finding 7);
//! - a back-office step acts on the dossier of the agency named, never on another agency's dossier
//!   with the same code (finding 8).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_system_tests::*;

/// The portal started by hand: a lower fd limit, short timeouts, its stderr kept.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(dir: &Path, nofile: Option<u32>, extra: &[&str]) -> Server {
        let port = free_port();
        let mut args: Vec<String> = vec!["--listen".into(), format!("127.0.0.1:{port}")];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("--data-dir".into());
        args.push(dir.display().to_string());
        let mut cmd = match nofile {
            // the shell lowers the limit, then becomes the portal (same pid)
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(bin("motcua-portal")).args(&args);
                c
            }
            None => {
                let mut c = Command::new(bin("motcua-portal"));
                c.args(&args);
                c
            }
        };
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start motcua-portal");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.contains("listening on"), "portal did not start: {line}");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (sink, mut pipe) = (stderr.clone(), child.stderr.take().unwrap());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Server { child, port, stderr }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The most memory the process ever had resident (VmHWM), in kB.
    fn peak_rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange on a fresh connection: (status, body). Status 0 if the server closed the
/// connection without answering.
fn http(port: u16, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes()).and_then(|_| s.write_all(body));
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    response(&out)
}

fn response(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn health(port: u16) -> u16 {
    http(port, "GET", "/v1/health", None, b"").0
}

fn dirs() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Finding 2: the portal can be killed from the network

#[test]
fn running_out_of_file_descriptors_does_not_end_the_portal() {
    let d = dirs();
    let mut portal = Server::start(&d.path().join("portal"), Some(256), &[]);
    assert_eq!(health(portal.port), 200);
    // more idle connections than the process may have files
    let idle: Vec<TcpStream> = (0..400).map(|_| TcpStream::connect(("127.0.0.1", portal.port)).unwrap()).collect();
    let hit = eventually(Duration::from_secs(10), || portal.stderr.lock().unwrap().contains("accept failed"));
    assert!(hit, "the portal never ran out of descriptors: {}", portal.stderr.lock().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    assert!(portal.alive(), "the portal died: {}", portal.stderr.lock().unwrap());
    drop(idle);
    assert!(eventually(Duration::from_secs(10), || health(portal.port) == 200), "no answer after the connections closed");
    assert!(portal.alive());
}

#[test]
fn connections_beyond_the_cap_wait_and_idle_ones_are_closed() {
    let d = dirs();
    let portal = Server::start(&d.path().join("portal"), None, &["--max-connections", "4", "--header-timeout-ms", "800"]);
    let idle: Vec<TcpStream> = (0..10).map(|_| TcpStream::connect(("127.0.0.1", portal.port)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    // queued behind the idle ones until the header timeout frees their slots
    assert_eq!(health(portal.port), 200);
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(500), "answered at once ({waited:?}): no connection cap");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
    // the idle connections were closed by the portal
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).unwrap_or(0);
        let _ = n; // closed (0) or a 408 before the close: either way not held open for ever
    }
}

#[test]
fn half_a_header_or_a_stalled_body_is_closed_within_the_timeout() {
    let d = dirs();
    let portal = Server::start(&d.path().join("portal"), None, &["--header-timeout-ms", "500", "--request-timeout-ms", "1000"]);
    // slowloris: half a header, then nothing
    let start = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", portal.port)).unwrap();
    s.write_all(b"POST /v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = Vec::new();
    let r = s.read_to_end(&mut out);
    assert!(r.is_ok(), "the connection was still open after 5 s: {r:?}");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(400) && took < Duration::from_secs(4), "closed after {took:?}");
    // headers complete, the body stalls: 408 within the request timeout
    let start = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", portal.port)).unwrap();
    s.write_all(b"POST /v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{\"protocol\":1,").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = Vec::new();
    let r = s.read_to_end(&mut out);
    assert!(r.is_ok(), "the connection was still open after 5 s: {r:?}");
    assert_eq!(response(&out).0, 408, "{}", String::from_utf8_lossy(&out));
    assert!(start.elapsed() < Duration::from_secs(4));
    assert_eq!(health(portal.port), 200);
}

/// Sends `total` bytes of body to `path` (a JSON prefix, then 'A's) as fast as the portal takes them;
/// returns the status read (0 if none) and how many body bytes went out before the portal closed.
fn send_huge(port: u16, path: &str, token: Option<&str>, total: usize) -> (u16, usize) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let head = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {total}\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut reader = s.try_clone().unwrap();
    let got = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = reader.read_to_end(&mut out);
        response(&out).0
    });
    let prefix = br#"{"protocol":1,"enrolment_code":""#;
    let chunk = vec![b'A'; 64 * 1024];
    let mut sent = 0;
    let _ = s.write_all(prefix).map(|_| sent += prefix.len());
    while sent < total {
        let n = chunk.len().min(total - sent);
        if s.write_all(&chunk[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let _ = s.shutdown(std::net::Shutdown::Write);
    (got.join().unwrap(), sent)
}

#[test]
fn a_huge_body_to_a_route_anyone_can_reach_is_refused_early_and_costs_no_memory() {
    const HUGE: usize = 66_000_000;
    let d = dirs();
    let mut portal = Server::start(&d.path().join("portal"), None, &[]);
    // refused on the Content-Length alone: the answer comes before a byte of the body is sent
    for (method, path) in [("POST", "/v1/enrol"), ("POST", "/v1/leases"), ("GET", "/v1/changes?protocol=1"), ("GET", "/v1/health"), ("POST", "/v1/events")] {
        let start = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", portal.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n", 70_000_000).as_bytes()).unwrap();
        let mut out = vec![0u8; 4096];
        let n = s.read(&mut out).unwrap_or(0);
        assert_eq!(response(&out[..n]).0, 413, "{path}: {}", String::from_utf8_lossy(&out[..n]));
        assert!(start.elapsed() < Duration::from_secs(2), "{path}: {:?}", start.elapsed());
    }
    // six at once, really sending 66 MB each, as the attack did (it cost 1.66 GB)
    let port = portal.port;
    let attacks: Vec<_> = (0..6).map(|_| std::thread::spawn(move || send_huge(port, "/v1/enrol", None, HUGE))).collect();
    for a in attacks {
        let (status, sent) = a.join().unwrap();
        assert!(status == 413 || status == 0, "status {status}");
        assert!(sent < HUGE, "the portal read the whole 66 MB body");
    }
    // an unauthenticated push below the push limit is answered 401 without its body being read
    let (status, sent) = send_huge(port, "/v1/events", None, 60_000_000);
    assert!(status == 401 || status == 0, "status {status}");
    assert!(sent < 60_000_000, "the portal read an unauthenticated push body");
    assert!(portal.alive());
    let peak_mb = portal.peak_rss_kb() / 1024;
    assert!(peak_mb < 100, "the portal's memory peaked at {peak_mb} MB");
    assert_eq!(health(portal.port), 200);
}

fn credential(counter: &Counter) -> (String, String) {
    let c = rusqlite::Connection::open(counter.dir.join("motcua.sqlite3")).unwrap();
    c.query_row("SELECT device_id, token FROM sync_state WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
}

#[test]
fn an_enrolled_counter_still_pushes_large_batches() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let (device, token) = credential(&q1);
    // 500 events of ~4 kB: far above the small limit of the open routes; rejected one by one
    // (they are not real events) but read and answered
    let events: Vec<serde_json::Value> = (0..500)
        .map(|i| serde_json::json!({"uid": format!("x{i}"), "counter_id": "Q01", "seq": i + 1, "dossier_uid": "x", "dossier_code": "x",
                                    "kind": "received", "at": "x", "clerk_id": "x", "payload": "A".repeat(4000)}))
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({"protocol": 1, "device_id": device, "events": events})).unwrap();
    assert!(body.len() > 2_000_000);
    let (status, answer) = http(portal.port, "POST", "/v1/events", Some(&token), &body);
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["results"].as_array().unwrap().len(), 500);
    // without the token: 401 (the body is not read: see the huge-body test)
    assert_eq!(http(portal.port, "POST", "/v1/events", None, b"{}").0, 401);
}

// ---------------------------------------------------------------------------------------------
// Finding 7: path traversal and terminal escapes through another counter's data

const EVIL_NAME: &str = "Trần\u{1b}]0;pwn\u{7}\u{1b}[2J";

/// A real received event of `counter`, turned hostile: code `../../PWNED`, a name with escapes.
fn hostile_event(counter: &Counter) -> serde_json::Value {
    let store = counter.store();
    let (_, w) = motcua_core::sync::outbox_batch(&store, 1).unwrap().remove(0);
    let mut w = serde_json::to_value(&w).unwrap();
    w["dossier_code"] = "../../PWNED".into();
    w["payload"]["dossier"]["code"] = "../../PWNED".into();
    w["payload"]["dossier"]["applicant"]["full_name"] = EVIL_NAME.into();
    w
}

fn no_pwned_file_outside(root: &Path, data_dir: &Path) {
    fn walk(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, found);
            } else if p.file_name().unwrap().to_string_lossy().contains("PWNED") {
                found.push(p);
            }
        }
    }
    let mut found = Vec::new();
    walk(root, &mut found);
    let outside: Vec<_> = found.iter().filter(|p| !p.starts_with(data_dir.join("prints"))).collect();
    assert!(outside.is_empty(), "files written outside the prints directory: {outside:?}");
}

#[test]
fn a_traversal_code_and_terminal_escapes_are_refused_by_the_portal_and_kept_out_by_counters() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let hostile = Counter::init(&d.path().join("q1"), "Q01");
    let victim = Counter::init(&d.path().join("work").join("q2"), "Q02");
    hostile.enrol(&portal);
    victim.enrol(&portal);
    hostile.intake_many(1);
    let evil = hostile_event(&hostile);
    // 1. pushed with the hostile counter's real token: refused, with a reason code
    let (device, token) = credential(&hostile);
    let body = serde_json::to_vec(&serde_json::json!({"protocol": 1, "device_id": device, "events": [evil]})).unwrap();
    let (status, answer) = http(portal.port, "POST", "/v1/events", Some(&token), &body);
    assert_eq!(status, 200, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["results"][0]["status"], "rejected", "{answer}");
    assert_eq!(answer["results"][0]["code"], "invalid_field", "{answer}");
    assert!(!answer.to_string().contains('\u{1b}'));
    assert_eq!(portal.stats()["dossiers"], 0);
    // 2. planted in the portal's database behind its back: the victim pulls it and keeps it out
    {
        let c = rusqlite::Connection::open(portal.dir.join("portal.sqlite3")).unwrap();
        c.busy_timeout(Duration::from_secs(10)).unwrap();
        let body = serde_json::json!({"type": "event", "event": evil}).to_string();
        c.execute(
            "INSERT INTO feed(agency_code, target_device, origin_device, kind, body, at) VALUES (?1, NULL, ?2, 'event', ?3, '2026-11-29T10:00:00+07:00')",
            rusqlite::params![AGENCY, device, body],
        )
        .unwrap();
    }
    victim.sync().expect("the victim's sync round");
    let failed: serde_json::Value = serde_json::from_str(&victim.ok(&["sync", "failed", "--json"])).unwrap();
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0]["error"].as_str().unwrap().contains("dossier_code"), "{failed:?}");
    assert_eq!(victim.status()["failed_changes"], 1);
    let show = victim.cli(&["show", "../../PWNED"]);
    assert!(!show.status.success(), "the hostile dossier is held: {}", String::from_utf8_lossy(&show.stdout));
    // 3. print and show: nothing outside the data directory, no escape reaches the terminal
    let print = victim.cli(&["print", "receipt", "../../PWNED"]);
    assert!(!print.status.success());
    no_pwned_file_outside(d.path(), &victim.dir);
    for out in [&show.stdout, &show.stderr, &print.stdout, &print.stderr] {
        assert!(!out.contains(&0x1b), "an ESC byte reached the terminal: {}", String::from_utf8_lossy(out));
    }
    // the other counter's later events still arrive
    let codes = hostile.intake_many(1);
    hostile.sync().unwrap();
    victim.sync().unwrap();
    assert!(victim.cli(&["show", &codes[0]]).status.success());
}

#[test]
fn text_from_the_portal_reaches_the_terminal_without_control_characters() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let code = q1.intake_many(1).remove(0);
    // what a hostile portal could answer: a refusal reason with escapes, parked on the dossier
    {
        let c = rusqlite::Connection::open(q1.dir.join("motcua.sqlite3")).unwrap();
        c.execute("UPDATE outbox SET parked_code = 'x', parked_reason = ?1, parked_at = '2026-11-29T10:00:00+07:00'", [EVIL_NAME]).unwrap();
    }
    for args in [vec!["show", code.as_str()], vec!["sync", "parked"], vec!["sync", "parked", "--json"], vec!["show", code.as_str(), "--json"], vec!["search", "Nguyễn"]] {
        let out = q1.cli(&args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07), "{args:?}: {:?}", String::from_utf8_lossy(&out.stdout));
    }
    // the JSON still carries the value, escaped
    let shown: serde_json::Value = serde_json::from_str(&q1.ok(&["show", &code, "--json"])).unwrap();
    assert_eq!(shown["sync"]["reason"], EVIL_NAME);
}

// ---------------------------------------------------------------------------------------------
// Finding 8: the back office acts on the dossier of the agency named

#[test]
fn a_back_office_step_acts_only_on_the_named_agencys_dossier() {
    const OTHER: &str = "000.00.99.H99";
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let a = Counter::init(&d.path().join("a"), "Q01");
    a.enrol(&portal);
    a.ok(&["sync"]);
    let code = a.intake_many(1).remove(0);
    a.ok(&["sync"]);
    // agency C's counter registers a dossier of its own under A's code (codes are unique per agency)
    let c = Counter { dir: d.path().join("c"), id: "Q01".into() };
    c.ok(&["init", "--agency-code", OTHER, "--agency-name", "UBND xã Khác", "--counter", "Q01", "--clerk-id", "CB-C"]);
    c.enrol_in(&portal, OTHER);
    c.intake_many(1);
    let (device, token) = credential(&c);
    let (_, w) = motcua_core::sync::outbox_batch(&c.store(), 1).unwrap().remove(0);
    let mut w = serde_json::to_value(&w).unwrap();
    w["dossier_code"] = code.clone().into();
    w["payload"]["dossier"]["code"] = code.clone().into();
    let body = serde_json::to_vec(&serde_json::json!({"protocol": 1, "device_id": device, "events": [w.clone()]})).unwrap();
    let (status, answer) = http(portal.port, "POST", "/v1/events", Some(&token), &body);
    assert_eq!(status, 200);
    assert!(answer.contains("\"stored\""), "{answer}");
    let status_of = |agency: &str| -> String {
        let db = rusqlite::Connection::open(portal.dir.join("portal.sqlite3")).unwrap();
        db.query_row("SELECT status FROM dossiers WHERE agency_code = ?1 AND code = ?2", [agency, code.as_str()], |r| r.get(0)).unwrap()
    };
    // the back office refuses C's: A's stays received
    let out = portal.cli(&["back-office", "--agency", OTHER, "--dossier", &code, "--refuse", "Hồ sơ không đủ điều kiện"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(status_of(OTHER), "refused");
    assert_eq!(status_of(AGENCY), "received");
    // and a step on A's acts on A's
    let out = portal.cli(&["back-office", "--agency", AGENCY, "--dossier", &code, "--stop", "Công dân đề nghị dừng"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(status_of(AGENCY), "stopped");
    assert_eq!(status_of(OTHER), "refused");
    // only A's counter hears of A's step
    a.ok(&["sync"]);
    let shown: serde_json::Value = serde_json::from_str(&a.ok(&["show", &code, "--json"])).unwrap();
    assert_eq!(shown["status"], "stopped");
    // a back-office step without the agency is not accepted
    assert!(!portal.cli(&["back-office", "--dossier", &code, "--refuse", "x"]).status.success());
}
