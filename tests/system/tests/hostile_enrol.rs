//! Hostile tests of enrolment and of where a counter sends its credential (issue 12, findings 9 and 6),
//! with the real `motcua` and `motcua-portal` processes on 127.0.0.1 and fake portals that are real
//! TCP servers in this test:
//! - enrolment codes are single use, expire, and are bound to one counter;
//! - 200 wrong codes from 20 source addresses (127.0.0.x: all loopback, the portal still listens on
//!   127.0.0.1 only) are rate-limited, an address is locked out after repeated failures and released
//!   after the lockout, and the right code still works;
//! - a device is pending until the portal's admin approves it: its own pushes are taken, the agency's
//!   dossiers are withheld;
//! - redirecting sync and enrolling need an admin, checked before any connection; a fake portal that
//!   echoes the real portal's id (and key) cannot sign the counter's challenge and gets no token and
//!   no events; a counter without a pinned key pins it after a successful sync (trust on first use).

use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use motcua_system_tests::*;

const ADMIN: [(&str, &str); 2] = [("MOTCUA_USER", "quantri"), ("MOTCUA_PASSWORD", "Kx7#mQ2v-quan-tri-Ba-Dinh")];
const CLERK: [(&str, &str); 2] = [("MOTCUA_USER", "lan"), ("MOTCUA_PASSWORD", "Lp4!zR8w-can-bo-quay-01")];

fn dirs() -> tempfile::TempDir {
    scratch()
}

fn run_as(c: &Counter, who: Option<&[(&str, &str); 2]>, args: &[&str]) -> std::process::Output {
    c.run_as(who.map(|w| &w[..]).unwrap_or(&[]), None, args)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The counter gets an admin and a clerk account: from now on every action needs a login.
fn with_accounts(c: &Counter) {
    let out = run_as(c, None, &["account", "create-admin", "--id", "quantri", "--name", "Lê Quản Trị", "--password", ADMIN[1].1]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run_as(c, Some(&ADMIN), &["account", "add", "--id", "lan", "--name", "Nguyễn Thị Lan", "--role", "clerk", "--password", CLERK[1].1]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn saved_url(c: &Counter) -> String {
    c.portal_url()
}

fn token_of(c: &Counter) -> String {
    c.token()
}

fn rt() -> tokio::runtime::Runtime {
    runtime()
}

fn enrol_body(code: &str, counter: &str) -> serde_json::Value {
    serde_json::json!({"protocol": 1, "enrolment_code": code, "agency_code": AGENCY, "counter_id": counter, "counter_name": "x", "app_version": "test"})
}

/// One request a fake portal received.
#[derive(Debug, Clone)]
struct Heard {
    path: String,
    head: String,
    body: String,
}

/// A fake portal: a real TCP server on 127.0.0.1 that records every request and answers by path.
struct Fake {
    url: String,
    connections: Arc<AtomicUsize>,
    heard: Arc<Mutex<Vec<Heard>>>,
    stop: Arc<AtomicBool>,
}

impl Fake {
    fn start(answer: impl Fn(&str, &str) -> (u16, String) + Send + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (connections, heard, stop) = (Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(Vec::new())), Arc::new(AtomicBool::new(false)));
        let (n, h, s) = (connections.clone(), heard.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                n.fetch_add(1, Ordering::SeqCst);
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 65536];
                // the head, then as much body as content-length says
                let req = loop {
                    let Ok(k) = stream.read(&mut chunk) else { break None };
                    if k == 0 {
                        break None;
                    }
                    buf.extend_from_slice(&chunk[..k]);
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = text[..end].to_string();
                        let len = head
                            .lines()
                            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break Some((head, String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).into_owned()));
                        }
                    }
                };
                let Some((head, body)) = req else { continue };
                let path = head.split_whitespace().nth(1).unwrap_or("").split('?').next().unwrap_or("").to_string();
                let (status, reply) = answer(&path, &body);
                h.lock().unwrap().push(Heard { path, head: head.to_ascii_lowercase(), body });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        Fake { url, connections, heard, stop }
    }

    fn heard(&self) -> Vec<Heard> {
        self.heard.lock().unwrap().clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn portal_identity(portal: &Portal) -> (String, String) {
    let out = portal.cli(&["identity"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (v["portal_id"].as_str().unwrap().to_string(), v["portal_key"].as_str().unwrap().to_string())
}

// ---- finding 9: enrolment codes ----

#[test]
fn a_replayed_code_is_refused_and_enrols_no_second_counter() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let code = portal.issue_code("Q01");
    q1.ok(&["enrol", "--portal", &portal.url(), "--code", &code]);
    portal.approve("Q01");
    q1.intake_many(1);
    q1.ok(&["sync"]);
    // the code leaked: another counter (Q77) and a new machine as Q01 replay it
    let q77 = Counter::init(&d.path().join("q77"), "Q77");
    let out = q77.cli(&["enrol", "--portal", &portal.url(), "--code", &code]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("đã được dùng"), "{}", stderr(&out));
    portal.cli(&["revoke", "--agency", AGENCY, "--counter", "Q01"]);
    let again = Counter::init(&d.path().join("q1b"), "Q01");
    let out = again.cli(&["enrol", "--portal", &portal.url(), "--code", &code]);
    assert!(stderr(&out).contains("đã được dùng"), "{}", stderr(&out));
    let counters = portal.stats()["counters"].as_array().unwrap().clone();
    assert_eq!(counters.len(), 1, "no second device: {counters:?}");
    assert_eq!(q77.status()["enrolled"], false);
    // the portal keeps only the hash of the code
    let kept = std::fs::read(portal.dir.join("portal.sqlite3")).unwrap();
    assert!(!String::from_utf8_lossy(&kept).contains(&code.replace('-', "")), "the code itself is not stored");
}

#[test]
fn an_expired_code_and_a_code_of_another_counter_are_refused() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let q77 = Counter::init(&d.path().join("q77"), "Q77");
    // bound to Q01: refused for Q77, and not spent by the attempt
    let code = portal.issue_code("Q01");
    let out = q77.cli(&["enrol", "--portal", &portal.url(), "--code", &code]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("được cấp cho quầy Q01"), "{}", stderr(&out));
    // expired: the portal's clock passes the code's expiry
    let old = portal.issue_code("Q01");
    let db = rusqlite::Connection::open(portal.dir.join("portal.sqlite3")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let n = db
        .execute(
            "UPDATE enrolment_codes SET expires_ms = CAST(strftime('%s','now') AS INTEGER) * 1000 - 1 WHERE used_at IS NULL AND code_hash = ?1",
            [motcua_portal::db::hash_token(&motcua_portal::enrolment::normalise(&old))],
        )
        .unwrap();
    assert_eq!(n, 1);
    let out = q1.cli(&["enrol", "--portal", &portal.url(), "--code", &old]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("hết hạn"), "{}", stderr(&out));
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 0);
    // the code bound to Q01 still works for Q01
    q1.ok(&["enrol", "--portal", &portal.url(), "--code", &code]);
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 1);
}

#[test]
fn two_hundred_wrong_codes_from_twenty_addresses_are_rate_limited_and_lockouts_expire() {
    let d = dirs();
    let mut portal = Portal::new(&d.path().join("portal"));
    portal.args = ["--lockout-after", "5", "--lockout-secs", "3"].map(String::from).to_vec();
    portal.start();
    let url = format!("{}/v1/enrol", portal.url());
    // 20 threads, each from its own loopback address, 10 wrong codes each
    let start = Instant::now();
    let results: Vec<(u16, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|t| {
                let url = url.clone();
                s.spawn(move || {
                    let ip: IpAddr = format!("127.0.0.{}", 10 + t).parse().unwrap();
                    let http = reqwest::Client::builder().local_address(ip).build().unwrap();
                    let rt = rt();
                    (0..10)
                        .map(|i| {
                            let body = enrol_body(&format!("AAAAA-BBBBB-CCCCC-{t:02}{i:03}"), "Q01");
                            let r = rt.block_on(http.post(&url).json(&body).send()).unwrap();
                            (r.status().as_u16(), r.headers().get("retry-after").is_some())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let checked = results.iter().filter(|r| r.0 == 403).count();
    let limited = results.iter().filter(|r| r.0 == 429).count();
    assert_eq!(checked + limited, 200, "every try is refused: {results:?}");
    assert!(results.iter().filter(|r| r.0 == 429).all(|r| r.1), "every 429 says when to retry (Retry-After)");
    let rate = checked as f64 / elapsed.max(1.0);
    eprintln!("200 wrong codes in {elapsed:.2} s: {checked} checked ({rate:.1}/s), {limited} refused with 429");
    assert!(limited >= 100, "most tries are not even checked: {limited} × 429");
    assert!(rate <= 20.0, "at most 20 codes checked per second, saw {rate:.1}/s");
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 0);

    // the right code from an address that did not fail (127.0.0.1, the CLI) still works
    std::thread::sleep(Duration::from_millis(600)); // the global bucket has a token again
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.ok(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code("Q01")]);

    // one address keeps guessing: locked out after 5 failures, even for a right code; released after 3 s
    let ip: IpAddr = "127.0.0.77".parse().unwrap();
    let http = reqwest::Client::builder().local_address(ip).build().unwrap();
    let rt = rt();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let r = rt.block_on(http.post(&url).json(&enrol_body(&format!("ZZZZZ-ZZZZZ-ZZZZZ-ZZ{i:03}"), "Q02")).send()).unwrap();
        statuses.push(r.status().as_u16());
        std::thread::sleep(Duration::from_millis(250)); // under the global rate: only the lockout acts
    }
    assert_eq!(statuses, [403, 403, 403, 403, 403, 429], "locked out after 5 failures");
    let right = portal.issue_code("Q02");
    let r = rt.block_on(http.post(&url).json(&enrol_body(&right, "Q02")).send()).unwrap();
    assert_eq!(r.status().as_u16(), 429, "a locked address is refused before any code is looked at");
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3).contains(&wait), "Retry-After {wait}");
    std::thread::sleep(Duration::from_secs(wait) + Duration::from_millis(200));
    let r = rt.block_on(http.post(&url).json(&enrol_body(&right, "Q02")).send()).unwrap();
    assert_eq!(r.status().as_u16(), 200, "the lockout expired and the code was not spent by the refused try");
}

#[test]
fn wrong_tokens_lock_an_address_out_but_a_valid_token_from_it_still_works() {
    let d = dirs();
    let mut portal = Portal::new(&d.path().join("portal"));
    portal.args = ["--lockout-after", "3", "--lockout-secs", "60"].map(String::from).to_vec();
    portal.start();
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let rt = rt();
    let http = reqwest::Client::builder().local_address("127.0.0.1".parse::<IpAddr>().unwrap()).build().unwrap();
    let changes = format!("{}/v1/changes?protocol=1&cursor=0", portal.url());
    let statuses: Vec<u16> = (0..5)
        .map(|i| rt.block_on(http.get(&changes).bearer_auth(format!("{i:064x}")).send()).unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses, [401, 401, 429, 429, 429], "locked out after 3 wrong tokens");
    // the counter at the same address (one office, one NAT address) keeps working
    q1.intake_many(1);
    q1.ok(&["sync"]);
    assert_eq!(portal.events_of("Q01").len(), 1);
}

#[test]
fn an_unapproved_device_pushes_but_cannot_pull_another_counters_dossier_until_approved() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let codes = q1.intake_many(1);
    q1.ok(&["sync"]);
    let q2 = Counter::init(&d.path().join("q2"), "Q02");
    let out = q2.enrol_pending(&portal);
    assert!(out.contains("approves this machine"), "{out}");
    q2.intake_many(1);
    let out = q2.sync().unwrap();
    assert!(out.contains("chờ quản trị Cổng dịch vụ công phê duyệt"), "{out}");
    assert_eq!(q2.status()["approval_pending"], true);
    assert_eq!(portal.events_of("Q02").len(), 1, "its own work goes up while pending");
    assert!(!q2.cli(&["show", &codes[0]]).status.success(), "Q01's dossier is not on Q02");
    // asked directly with its token: refused, and nothing personal in the answer
    let rt = rt();
    let resp = rt
        .block_on(reqwest::Client::new().get(format!("{}/v1/changes?protocol=1&cursor=0&own=1", portal.url())).bearer_auth(token_of(&q2)).send())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    let body = rt.block_on(resp.text()).unwrap();
    assert!(body.contains("device_not_approved") && !body.contains("Nguyễn") && !body.contains("0010900"), "{body}");
    let listed = portal.cli(&["device", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("\"pending\""));

    portal.approve("Q02");
    q2.ok(&["sync"]);
    assert_eq!(q2.status()["approval_pending"], false);
    // Q01's dossier, by the code it was given (a provisional one is now mapped to an official code)
    let shown: serde_json::Value = serde_json::from_str(&q2.ok(&["show", &codes[0], "--json"])).unwrap();
    let at_q1: serde_json::Value = serde_json::from_str(&q1.ok(&["show", &codes[0], "--json"])).unwrap();
    assert_eq!(shown["code"], at_q1["code"]);
    q1.ok(&["sync"]);
    assert_consistent(&portal, &[&q1, &q2]);
}

// ---- finding 6: who may point the counter at a portal, and which portal ----

#[test]
fn a_clerk_or_nobody_cannot_redirect_sync_and_the_fake_portal_hears_nothing() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    q1.intake_many(1);
    with_accounts(&q1);
    let fake = Fake::start(|_, _| (200, "{}".into()));
    for who in [Some(&CLERK), None] {
        let out = run_as(&q1, who, &["sync", "--portal", &fake.url]);
        assert_eq!(out.status.code(), Some(7), "forbidden: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains("không có quyền đăng ký máy với Cổng dịch vụ công, đổi địa chỉ cổng") || e.contains("Cần đăng nhập"), "{e}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fake.connections.load(Ordering::SeqCst), 0, "not even a connection to the fake portal");
    assert_eq!(saved_url(&q1), portal.url());
    // nobody logged in cannot sync at all; the clerk can, with the saved portal
    assert_eq!(run_as(&q1, None, &["sync"]).status.code(), Some(7));
    let out = run_as(&q1, Some(&CLERK), &["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(portal.events_of("Q01").len(), 1);
}

#[test]
fn an_admin_cannot_redirect_sync_to_a_fake_portal_that_echoes_the_portal_id_and_key() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let (portal_id, portal_key) = portal_identity(&portal);
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    q1.intake_many(2);
    with_accounts(&q1);
    // the fake knows everything public: the portal's id (health) and its key, and makes up a signature
    let (id, key) = (portal_id.clone(), portal_key.clone());
    let echo = Fake::start(move |path, _| match path {
        "/v1/health" => (200, format!(r#"{{"protocol":1,"portal_id":"{id}","server_time":0}}"#)),
        "/v1/identity" => (200, format!(r#"{{"protocol":1,"portal_id":"{id}","portal_key":"{key}","signature":"{}"}}"#, "ab".repeat(64))),
        _ => (200, r#"{"protocol":1,"server_time":0,"held_through_seq":0,"results":[]}"#.into()),
    });
    // another fake signs the counter's challenge properly, with a key of its own
    let signed = Fake::start({
        let id = portal_id.clone();
        move |_, body| {
            use ed25519_dalek::Signer;
            let own = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let req: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            let (counter, challenge) = (req["counter"].as_str().unwrap_or(""), req["challenge"].as_str().unwrap_or(""));
            let sig = own.sign(&motcua_core::sync::protocol::identity_message(&id, counter, challenge));
            let own_key = hex(&own.verifying_key().to_bytes());
            (200, format!(r#"{{"protocol":1,"portal_id":"{id}","portal_key":"{own_key}","signature":"{}"}}"#, hex(&sig.to_bytes())))
        }
    });
    for fake in [&echo, &signed] {
        let out = run_as(&q1, Some(&ADMIN), &["sync", "--portal", &fake.url]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("không chứng minh được là Cổng dịch vụ công mà máy đã đăng ký"), "{}", stderr(&out));
        let heard = fake.heard();
        assert_eq!(heard.iter().map(|h| h.path.as_str()).collect::<Vec<_>>(), ["/v1/identity"], "only the challenge was sent");
        assert!(heard.iter().all(|h| !h.head.contains("authorization")), "no token sent");
        assert!(!heard[0].body.contains(&token_of(&q1)) && !heard[0].body.contains("payload"), "no token, no events");
        assert_eq!(saved_url(&q1), portal.url(), "the address is not changed");
    }
    assert_eq!(q1.outbox_len(), 2, "the events stay queued for the real portal");
    // the real portal at another address of the same machine proves itself: the admin may switch
    let port = portal.url().rsplit(':').next().unwrap().to_string();
    let other = format!("http://localhost:{port}");
    let out = run_as(&q1, Some(&ADMIN), &["sync", "--portal", &other]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(saved_url(&q1), other);
    assert_eq!(portal.events_of("Q01").len(), 2);
}

#[test]
fn enrolling_needs_an_admin_checked_before_the_portal_hears_anything() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    with_accounts(&q1);
    let fake = Fake::start(|_, _| (200, "{}".into()));
    let code = portal.issue_code("Q01");
    for (who, words) in [(None, "Cần đăng nhập"), (Some(&CLERK), "không có quyền đăng ký máy")] {
        for url in [&fake.url, &portal.url()] {
            let out = run_as(&q1, who, &["enrol", "--portal", url, "--code", &code]);
            assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
            assert!(stderr(&out).contains(words), "{}", stderr(&out));
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fake.connections.load(Ordering::SeqCst), 0, "no connection at all");
    let codes = portal.cli(&["enrolment-code", "list"]);
    assert!(String::from_utf8_lossy(&codes.stdout).contains("\"valid\""), "the code was not spent");
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 0);
    // the admin enrols, and the portal's key is pinned at once
    let out = run_as(&q1, Some(&ADMIN), &["enrol", "--portal", &portal.url(), "--code", &code]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("gave no identity key"));
}

#[test]
fn a_counter_enrolled_before_keys_pins_the_key_at_its_next_sync_then_may_switch() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    // as a counter enrolled before portal keys existed: nothing pinned
    let db = rusqlite::Connection::open(q1.dir.join("motcua.sqlite3")).unwrap();
    assert_eq!(db.execute("DELETE FROM settings WHERE key = 'portal_key'", []).unwrap(), 1);
    let port = portal.url().rsplit(':').next().unwrap().to_string();
    let other = format!("http://localhost:{port}");
    let out = q1.cli(&["sync", "--portal", &other]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Chưa ghi nhận khóa"), "{}", stderr(&out));
    // a sync with the saved address pins it (trust on first use), then the switch is proved
    q1.ok(&["sync"]);
    let pinned: String = db.query_row("SELECT value FROM settings WHERE key = 'portal_key'", [], |r| r.get(0)).unwrap();
    assert_eq!(pinned, portal_identity(&portal).1);
    q1.ok(&["sync", "--portal", &other]);
    assert_eq!(saved_url(&q1), other);
}
