//! Hostile suite, issue 12 finding 5: two counters must never leave two citizens with one official
//! code. Real `motcua` and `motcua-portal` processes on 127.0.0.1: standing blocks registered at
//! enrolment (leases avoid them, an overlap is refused), a code issued twice re-issued by the portal
//! and reprinted, lease sizes capped per counter and day, and leases ahead of the next working days
//! that carry a morning outage with official codes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use motcua_system_tests::*;

fn dirs() -> tempfile::TempDir {
    scratch()
}

/// A counter set up with the CLI, with standing blocks (`--code-block`).
fn init_with_blocks(dir: &Path, id: &str, blocks: &[&str]) -> Counter {
    let c = Counter { dir: dir.to_path_buf(), id: id.into() };
    let mut args = vec!["init", "--agency-code", AGENCY, "--agency-name", "UBND phường Ba Đình", "--counter", id];
    let clerk = format!("CB-{id}");
    args.extend(["--clerk-id", clerk.as_str()]);
    for b in blocks {
        args.extend(["--code-block", b]);
    }
    c.ok(&args);
    c
}

/// uid → code, as a counter holds its dossiers.
fn codes_of(c: &Counter) -> BTreeMap<String, String> {
    let db = rusqlite::Connection::open(c.dir.join("motcua.sqlite3")).unwrap();
    let mut st = db.prepare("SELECT uid, code FROM dossiers").unwrap();
    st.query_map([], |r| Ok((uuid::Uuid::from_bytes(r.get::<_, [u8; 16]>(0)?).to_string(), r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
}

/// uid → code, as the portal holds the agency's dossiers.
fn portal_codes(p: &Portal) -> BTreeMap<String, String> {
    let db = rusqlite::Connection::open_with_flags(p.dir.join("portal.sqlite3"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = db.prepare("SELECT uid, code FROM dossiers").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
}

fn distinct(codes: &BTreeMap<String, String>) -> bool {
    codes.values().collect::<BTreeSet<_>>().len() == codes.len()
}

fn seq_of(code: &str) -> u32 {
    code.rsplit('-').next().unwrap().parse().unwrap()
}

/// The bearer token the counter keeps (to speak the protocol directly, as a hostile client would).
fn token_of(c: &Counter) -> String {
    c.token()
}

fn lease(rt: &tokio::runtime::Runtime, portal: &Portal, token: &str, day: &str, want: u32) -> (u16, serde_json::Value) {
    let http = reqwest::Client::new();
    let body = serde_json::json!({"protocol": 1, "day": day, "want": want});
    let resp = rt
        .block_on(http.post(format!("{}/v1/leases", portal.url())).header("authorization", format!("Bearer {token}")).json(&body).send())
        .unwrap();
    let status = resp.status().as_u16();
    (status, rt.block_on(resp.json()).unwrap())
}

fn vn_today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

#[test]
fn standing_blocks_registered_at_enrolment_are_never_leased_to_another_counter() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let a = init_with_blocks(&d.path().join("a"), "Q01", &["1-4999"]);
    a.enrol(&portal);
    // the portal registered A's block: A keeps it after enrolment
    assert!(a.status()["numbers_left_today"].as_i64().unwrap() >= 4999, "{}", a.status());
    let b = Counter::init(&d.path().join("b"), "Q02");
    b.enrol(&portal);
    b.sync().unwrap();
    // A works offline from its block, B from its lease
    let a_codes = a.intake_many(3);
    let b_codes = b.intake_many(3);
    assert!(a_codes.iter().all(|c| !c.starts_with("TAM-") && seq_of(c) <= 4999), "{a_codes:?}");
    assert!(b_codes.iter().all(|c| !c.starts_with("TAM-") && seq_of(c) >= 5000), "B's lease overlaps A's block: {b_codes:?}");
    for _ in 0..2 {
        a.sync().unwrap();
        b.sync().unwrap();
    }
    assert_eq!(portal.stats()["rejected"], 0);
    let truth = portal_codes(&portal);
    assert_eq!(truth.len(), 6);
    assert!(distinct(&truth), "{truth:?}");
    assert_eq!(codes_of(&a), truth);
    assert_eq!(codes_of(&b), truth);
}

#[test]
fn a_code_issued_twice_is_reissued_by_the_portal_and_reprinted() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    // A has a standing block and works offline; B enrols first and leases numbers 1..100 of today
    let a = init_with_blocks(&d.path().join("a"), "Q01", &["1-4999"]);
    let b = Counter::init(&d.path().join("b"), "Q02");
    b.enrol(&portal);
    b.sync().unwrap();
    let b_codes = b.intake_many(2);
    let a_codes = a.intake_many(2);
    assert_eq!(a_codes, b_codes, "the set-up: both counters issued the same official codes");
    b.sync().unwrap();
    // A enrols (its block is registered from now on) and pushes: the portal re-issues its two dossiers
    a.enrol(&portal);
    a.sync().unwrap();
    b.sync().unwrap();
    a.sync().unwrap();

    assert_eq!(portal.stats()["rejected"], 0, "nothing parked as code_conflict");
    assert_eq!(a.status()["parked"], 0);
    let truth = portal_codes(&portal);
    assert_eq!(truth.len(), 4);
    assert!(distinct(&truth), "two dossiers share a code at the portal: {truth:?}");
    assert_eq!(codes_of(&a), truth, "A's codes differ from the portal's");
    assert_eq!(codes_of(&b), truth, "B's codes differ from the portal's");
    // B's dossiers kept their codes; A's got new ones, outside A's registered block
    for c in &b_codes {
        assert!(truth.values().any(|t| t == c));
    }
    let a_new: Vec<String> =
        a.status()["reprints"].as_array().cloned().unwrap_or_default().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(a_new.len(), 2, "A lists both receipts for a reprint");
    assert!(a_new.iter().all(|c| !a_codes.contains(c) && seq_of(c) >= 5000), "{a_new:?}");
    // B has nothing to reprint; A's CLI says it in words
    assert!(b.status()["reprints"].as_array().is_none_or(|r| r.is_empty()));
    assert!(a.ok(&["sync", "status"]).contains("in lại giấy tiếp nhận"));
    assert!(a.ok(&["due-list"]).contains(&a_new[0]));
    // the old code still finds the dossier (with its new code)
    let found: serde_json::Value = serde_json::from_str(&a.ok(&["search", &a_codes[0], "--json"])).unwrap();
    let hits: Vec<&str> = found["hits"].as_array().unwrap().iter().map(|h| h["code"].as_str().unwrap()).collect();
    assert!(hits.contains(&a_new[0].as_str()), "search by the old code {} gives {hits:?}", a_codes[0]);
    // the citizen's lookup cannot tell which dossier an old duplicate code stands for: it says so
    // (409) rather than showing another citizen's dossier; the new code answers
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status_of = |code: &str| rt.block_on(async { reqwest::get(format!("{}/v1/lookup/{code}", portal.url())).await.unwrap().status().as_u16() });
    assert_eq!(status_of(&a_codes[0]), 409);
    assert_eq!(status_of(&a_new[0]), 200);
    let shown: serde_json::Value = serde_json::from_str(&a.ok(&["show", &a_new[0], "--json"])).unwrap();
    assert_eq!(shown["progress"]["previous_codes"][0], a_codes[0].as_str());
    // the receipt with the new code; then it is no longer listed
    let pdf = d.path().join("receipt.pdf");
    a.ok(&["print", "receipt", &a_new[0], "--out", pdf.to_str().unwrap()]);
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);
    let left = a.status()["reprints"].as_array().cloned().unwrap_or_default();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["code"], a_new[1].as_str());
}

#[test]
fn a_block_planted_in_the_database_is_resolved_by_a_new_code() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let b = Counter::init(&d.path().join("b"), "Q02");
    b.enrol(&portal);
    b.sync().unwrap();
    let b_codes = b.intake_many(1);
    b.sync().unwrap();
    // A is enrolled without a block; an admin plants one by hand that overlaps B's lease
    let a = Counter::init(&d.path().join("a"), "Q01");
    a.enrol(&portal);
    let db = rusqlite::Connection::open(a.dir.join("motcua.sqlite3")).unwrap();
    db.execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, 1, 50, 'admin')", []).unwrap();
    drop(db);
    // A has not pulled B's dossier yet: it issues B's code again
    let a_codes = a.intake_many(1);
    assert_eq!(a_codes, b_codes);
    a.sync().unwrap();
    b.sync().unwrap();
    a.sync().unwrap();
    let truth = portal_codes(&portal);
    assert_eq!(truth.len(), 2);
    assert!(distinct(&truth), "{truth:?}");
    assert_eq!(codes_of(&a), truth);
    assert_eq!(codes_of(&b), truth);
    // having pulled B's dossier, A skips that code instead of issuing it a third time
    let next = a.intake_many(1);
    assert!(!truth.values().any(|c| c == &next[0]), "{next:?}");
}

#[test]
fn one_counter_asking_for_every_number_of_the_day_gets_at_most_the_cap() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let a = Counter::init(&d.path().join("a"), "Q01");
    a.enrol(&portal);
    let token = token_of(&a);
    let rt = runtime();
    let day = vn_today().format("%Y-%m-%d").to_string();
    let mut total = 0;
    let mut refusal = None;
    for _ in 0..40 {
        let (status, body) = lease(&rt, &portal, &token, &day, 9999);
        if status != 200 {
            refusal = Some((status, body));
            break;
        }
        total += body["last"].as_u64().unwrap() - body["first"].as_u64().unwrap() + 1;
    }
    assert!(total <= 1000, "one counter leased {total} numbers of the day");
    assert_eq!(total, 1000, "the default cap is 1000 per counter and day");
    let (status, body) = refusal.expect("refused once the cap is reached");
    assert_eq!((status, body["code"].as_str()), (429, Some("lease_cap")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("tối đa 1000"), "{body}");
    // the portal admin lowers the cap: another counter gets at most that, the agency keeps the rest
    let out = portal.cli(&["lease-cap", "--set", "50"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let b = Counter::init(&d.path().join("b"), "Q02");
    b.enrol(&portal);
    let (status, body) = lease(&rt, &portal, &token_of(&b), &day, 9999);
    assert_eq!(status, 200);
    assert_eq!(body["last"].as_u64().unwrap() - body["first"].as_u64().unwrap() + 1, 50, "{body}");
    assert_eq!(lease(&rt, &portal, &token_of(&b), &day, 1).0, 429);
    // a day far ahead is refused (numbers are leased for the next days only)
    let far = (vn_today() + chrono::Duration::days(60)).format("%Y-%m-%d").to_string();
    assert_eq!(lease(&rt, &portal, &token_of(&b), &far, 10).0, 400);
}

#[test]
fn an_overlapping_standing_block_is_refused_at_enrolment() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let a = init_with_blocks(&d.path().join("a"), "Q01", &["1-4999"]);
    a.enrol(&portal);
    let c = init_with_blocks(&d.path().join("c"), "Q03", &["4000-6000"]);
    let out = c.cli(&["enrol", "--portal", &portal.url(), "--code", &portal.issue_code("Q03")]);
    assert!(!out.status.success(), "an overlapping block was accepted");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("4000-6000") && err.contains("1-4999") && err.contains("Q01"), "{err}");
    assert_eq!(c.status()["enrolled"], false, "nothing kept on the counter");
    assert_eq!(portal.stats()["counters"].as_array().unwrap().len(), 1, "nothing kept at the portal");
    // with a block of its own it enrols
    let c2 = init_with_blocks(&d.path().join("c2"), "Q04", &["5000-6000"]);
    c2.enrol(&portal);
}

#[test]
fn leases_ahead_give_official_codes_through_a_morning_outage() {
    let d = dirs();
    let mut portal = Portal::started(&d.path().join("portal"));
    let a = Counter::init(&d.path().join("a"), "Q01");
    a.enrol(&portal);
    let store = a.store();
    let next_working = |from: NaiveDate| {
        let mut x = from.succ_opt().unwrap();
        while !store.calendar().is_working_day(x) {
            x = x.succ_opt().unwrap();
        }
        x
    };
    let day1 = next_working(vn_today());
    let day2 = next_working(day1);
    drop(store);
    let at = |day: NaiveDate| format!("{}T08:00", day.format("%Y-%m-%d"));
    // yesterday's sync (day 1): numbers for today and the next working days
    let out = a.command().env("MOTCUA_NOW", at(day1)).args(["sync"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // the internet is down before the morning's first sync (day 2)
    portal.kill();
    let out = a.command().env("MOTCUA_NOW", at(day2)).args(["sync"]).output().unwrap();
    assert!(!out.status.success());
    let req = d.path().join("intake.json");
    std::fs::write(&req, serde_json::to_string(&serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Nguyễn Văn An", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình, Hà Nội"}
    })).unwrap())
    .unwrap();
    let mut codes = Vec::new();
    for _ in 0..3 {
        let out = a.command().env("MOTCUA_NOW", at(day2)).args(["intake", "--json", req.to_str().unwrap()]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        codes.push(v["code"].as_str().unwrap().to_string());
    }
    let yymmdd = format!("{:02}{:02}{:02}", day2.year() % 100, day2.month(), day2.day());
    for c in &codes {
        assert!(!c.starts_with("TAM-") && c.contains(&format!("-{yymmdd}-")), "a provisional code in a morning outage: {c}");
    }
    assert_eq!(codes.iter().collect::<BTreeSet<_>>().len(), 3);
    // back online: the day's numbers are the counter's own at the portal too
    portal.start();
    assert!(eventually(Duration::from_secs(5), || a.command().env("MOTCUA_NOW", at(day2)).args(["sync"]).output().unwrap().status.success()));
    assert_eq!(portal.stats()["rejected"], 0);
}
