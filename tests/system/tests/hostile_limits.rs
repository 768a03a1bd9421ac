//! Hostile tests of issue 12, findings 1 and 11, with the real `motcua` and `motcua-portal` processes
//! on 127.0.0.1 and real SQLite files: huge or unprintable text at intake and at every later step is
//! refused in words and writes nothing; an event that cannot be read or is too large (planted in the
//! database) is parked with a reason while every other event reaches the portal, and no list fails
//! because of it; twenty pairs of processes submitting the same request id at the same moment each
//! get the one dossier.

use std::path::Path;
use std::process::{Output, Stdio};

use motcua_system_tests::*;
use serde_json::json;

fn dirs() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn rows(dir: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
    c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

fn applicant(name: &str) -> serde_json::Value {
    json!({"full_name": name, "id_type": "cccd", "id_number": "001090012345", "date_of_birth": "1990-03-05",
           "phone": "0912345678", "address": "Số 1 phố Liễu Giai, phường Ba Đình, Hà Nội"})
}

/// `motcua intake --json FILE` with this request.
fn intake(c: &Counter, req: &serde_json::Value) -> Output {
    let file = c.dir.join(format!("req-{}.json", fastrand::u64(..)));
    std::fs::write(&file, serde_json::to_vec(req).unwrap()).unwrap();
    let out = c.cli(&["intake", "--json", file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    out
}

fn code_of(out: &Output) -> String {
    assert!(out.status.success(), "intake failed: {}", stderr(out));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    d["code"].as_str().unwrap().to_string()
}

/// A refusal of the validation kind (exit 2) naming `field`, with `words` in the message.
fn assert_refused(out: &Output, field: &str, words: &str) {
    let e = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected a validation refusal on {field}, got: {e}");
    assert!(e.contains(&format!("{field}:")) && e.contains(words), "{field}: {e}");
}

#[test]
fn huge_or_unprintable_fields_at_intake_are_refused_and_write_nothing() {
    let d = dirs();
    let q = Counter::init(&d.path().join("q1"), "Q01");
    let base = json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Nguyễn Văn An")});
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut r = base.clone();
        f(&mut r);
        r
    };
    let cases: Vec<(serde_json::Value, &str, &str)> = vec![
        (with(&|r| r["note"] = json!("a".repeat(1_100_000))), "note", "quá dài"),
        (with(&|r| r["delivery"] = json!({"kind": "post", "address": "Số 1 ".repeat(400_000)})), "delivery.address", "quá dài"),
        (with(&|r| r["applicant"]["email"] = json!(format!("{}@example.vn", "a".repeat(1 << 20)))), "applicant.email", "quá dài"),
        (with(&|r| r["applicant"]["address"] = json!("x".repeat(301))), "applicant.address", "tối đa 300 ký tự"),
        (with(&|r| r["applicant"]["full_name"] = json!("محمد علي")), "applicant.full_name", "không in được"),
        (with(&|r| r["applicant"]["full_name"] = json!("王小明")), "applicant.full_name", "không in được"),
        (with(&|r| r["applicant"]["full_name"] = json!("Nguyễn Văn 😀")), "applicant.full_name", "không in được"),
        (with(&|r| r["note"] = json!("ghi chú \u{1b}[2J")), "note", "ký tự điều khiển"),
    ];
    for (req, field, words) in &cases {
        assert_refused(&intake(&q, req), field, words);
    }
    for table in ["dossiers", "events", "outbox", "codes_issued"] {
        assert_eq!(rows(&q.dir, table), 0, "{table}: a refused intake wrote something");
    }
    // every Vietnamese tone passes, and the longest allowed values too
    for name in ["Nguyễn Thị Ngọc Ánh", "Đặng Hữu Phước", "Ưng Ỷ"] {
        let out = intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant(name)}));
        let shown: serde_json::Value = serde_json::from_str(&q.ok(&["show", &code_of(&out), "--json"])).unwrap();
        assert_eq!(shown["applicant"]["full_name"], name);
    }
    let longest = with(&|r| {
        r["note"] = json!("ghi chú ".repeat(125));
        r["applicant"]["address"] = json!("Đ".repeat(300));
        r["applicant"]["email"] = json!(format!("{}@example.vn", "a".repeat(243)));
    });
    code_of(&intake(&q, &longest));
}

#[test]
fn over_long_text_at_every_lifecycle_step_is_refused_and_writes_nothing() {
    let d = dirs();
    let q = Counter::init(&d.path().join("q1"), "Q01");
    let code = code_of(&intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Trần Thị Bình")})));
    let other = code_of(&intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Lê Văn Cường")})));
    let long = |n: usize| "x".repeat(n);
    let (dep, reason, item, name, tracking) = (long(201), long(1001), long(301), long(101), long(51));
    let many: Vec<String> = (0..31).map(|i| format!("giấy tờ {i}")).collect();
    let mut supplement_many = vec!["supplement", &other];
    for m in &many {
        supplement_many.extend(["--missing", m.as_str()]);
    }
    let refused = |args: &[&str], field: &str| {
        let events = rows(&q.dir, "events");
        assert_refused(&q.cli(args), field, "");
        assert_eq!(rows(&q.dir, "events"), events, "{args:?} wrote an event");
    };
    refused(&["handover", "--to", &dep, &code], "department");
    refused(&["handover", "--to", "Phòng 北京", &code], "department");
    refused(&["supplement", &code, "--missing", &item], "missing");
    refused(&supplement_many, "missing");
    refused(&["refuse", &code, "--reason", &reason], "reason");
    refused(&["stop", &code, "--reason", &reason], "reason");
    refused(&["withdraw", &code, "--reason", &reason], "reason");
    refused(&["delay", &code, "--new-date", &long(41), "--reason", "Chờ xác minh"], "new_due");
    refused(&["delay", &code, "--new-date", "31/12/2099", "--reason", &reason], "reason");
    q.ok(&["handover", "--to", "Phòng Tư pháp", &code]);
    refused(&["transfer", &code, "--to", &dep], "to");
    q.ok(&["receive-result", &code]);
    refused(&["return", &code, "--to", &name, "--id", "001090012345"], "to.name");
    refused(&["return", &code, "--to", "Trần Thị Bình", "--id", &long(31)], "to.id_number");
    refused(&["return", &code, "--post", &tracking], "to.tracking");
    q.ok(&["return", &code, "--to", "Trần Thị Bình", "--id", "001090012345"]);
    // settings are text too
    let settings = q.ok(&["settings", "get"]);
    for (key, value) in [("head_name", long(201)), ("parent_agency", "UBND 東京".into()), ("departments", format!("{}; Phòng A", long(201)))] {
        assert_refused(&q.cli(&["settings", "set", key, &value]), key, "");
    }
    assert_eq!(q.ok(&["settings", "get"]), settings, "a refused setting changed something");
}

/// Inserts an event for dossier row `dossier_id` with these payload bytes, queued in the outbox, as
/// a damaged disk or an older version could have left it (the events table only forbids UPDATE and
/// DELETE).
fn plant(dir: &Path, dossier_id: i64, kind: &str, payload: &[u8]) {
    let c = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
    let (counter, seq, clerk): (String, i64, String) =
        c.query_row("SELECT counter_id, MAX(seq) + 1, clerk_id FROM events", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
    c.execute(
        "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, '2026-11-23T09:00:00+07:00', ?6, ?7, NULL)",
        rusqlite::params![uuid::Uuid::now_v7().as_bytes().as_slice(), counter, seq, dossier_id, kind, clerk, payload],
    )
    .unwrap();
    c.execute("INSERT INTO outbox(event_id) VALUES (?1)", [c.last_insert_rowid()]).unwrap();
}

#[test]
fn an_undecodable_or_oversized_event_is_parked_and_the_rest_reach_the_portal() {
    let d = dirs();
    let portal = Portal::started(&d.path().join("portal"));
    let q = Counter::init(&d.path().join("q1"), "Q01");
    q.enrol(&portal);
    let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường"];
    let before: Vec<String> =
        names.iter().map(|n| code_of(&intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant(n)})))).collect();
    // garbage where a zstd frame should be, on the first dossier
    plant(&q.dir, 1, "refused", b"\x28\xb5\x2f\xfd garbage, not an event");
    // an event as an older version could write it: a 1.1 MB reason (valid, but larger than any event
    // the core makes now and than the old 1 MiB decoder read)
    let huge = serde_json::to_vec(&json!({"kind": "refused", "reason": "a".repeat(1_100_000)})).unwrap();
    plant(&q.dir, 2, "refused", &zstd::bulk::compress(&huge, 3).unwrap());
    let after = code_of(&intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Phạm Thu Dung")})));
    q.ok(&["handover", "--to", "Phòng Tư pháp", &before[2]]);

    let out = q.sync().expect("sync must go on past the planted events");
    assert!(!out.is_empty());
    // every other event reached the portal: 4 intakes and the handover
    let held = portal.events_of("Q01");
    let mine = q.own_events();
    assert_eq!(mine.len(), 7);
    assert_eq!(held.len(), 5, "the portal holds {held:?}");
    let planted: Vec<&(String, i64)> = mine.iter().filter(|(_, s)| *s == 4 || *s == 5).collect();
    for p in &planted {
        assert!(!held.contains(p), "a planted event reached the portal");
    }
    // ...and the two are parked, each with its reason, nothing else waits
    let parked: Vec<serde_json::Value> = serde_json::from_str(&q.ok(&["sync", "parked", "--json"])).unwrap();
    assert_eq!(parked.len(), 2, "{parked:?}");
    // each named by its dossier's code now (a provisional code is mapped to an official one on push)
    let now_code = |c: &str| -> String {
        q.sql().query_row("SELECT code FROM dossiers WHERE code = ?1 OR provisional_code = ?1", [c], |r| r.get(0)).unwrap()
    };
    assert_eq!((parked[0]["dossier_code"].as_str(), parked[0]["code"].as_str()), (Some(now_code(&before[0]).as_str()), Some("undecodable")));
    assert!(parked[0]["reason"].as_str().unwrap().contains("không đọc được"));
    assert_eq!((parked[1]["dossier_code"].as_str(), parked[1]["code"].as_str()), (Some(now_code(&before[1]).as_str()), Some("too_large")));
    let status = q.status();
    assert_eq!((status["waiting"].as_i64(), status["parked"].as_i64()), (Some(0), Some(2)));
    // a later round still flows
    let later = code_of(&intake(&q, &json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Hoàng Minh Đức")})));
    q.sync().unwrap();
    assert_eq!(portal.events_of("Q01").len(), 6);

    // no list fails because of one bad record: search, work lists, the logbook
    let hits: serde_json::Value = serde_json::from_str(&q.ok(&["search", "0912345678", "--json"])).unwrap();
    assert_eq!(hits["hits"].as_array().unwrap().len(), 5);
    q.ok(&["due-list", "--json"]);
    for c in [&before[1], &before[2], &after, &later] {
        q.ok(&["show", c, "--json"]);
    }
    // the oversized old event still reads (the decoder's cap is above anything ever encoded)
    let shown: serde_json::Value = serde_json::from_str(&q.ok(&["show", &before[1], "--json"])).unwrap();
    assert_eq!(shown["status"], "refused");
    // the damaged one says so, for that dossier only
    let bad = q.cli(&["show", &before[0]]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("decompress event"), "{}", stderr(&bad));
    let pdf = d.path().join("logbook.pdf");
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let (from, to) = (day(today - chrono::Duration::days(1)), day(today + chrono::Duration::days(1)));
    q.ok(&["print", "logbook", "--from", &from, "--to", &to, "--out", pdf.to_str().unwrap()]);
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);
}

#[test]
fn twenty_pairs_with_one_request_id_each_get_one_dossier() {
    let d = dirs();
    let q = Counter::init(&d.path().join("q1"), "Q01");
    let files: Vec<std::path::PathBuf> = (0..20)
        .map(|i| {
            let f = d.path().join(format!("req-{i}.json"));
            let req = json!({"procedure_code": "1.004873", "fee": 0, "applicant": applicant("Nguyễn Văn An"), "request_id": format!("dup-{i}")});
            std::fs::write(&f, serde_json::to_vec(&req).unwrap()).unwrap();
            f
        })
        .collect();
    // all 40 processes started at once, the two of a pair next to each other
    let children: Vec<(usize, std::process::Child)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let q = &q;
            (0..2).map(move |_| {
                let child = q
                    .command()
                    .args(["intake", "--json", f.to_str().unwrap()])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (i, child)
            })
        })
        .collect::<Vec<_>>();
    let mut codes: Vec<Vec<String>> = vec![Vec::new(); 20];
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        codes[i].push(code_of(&out));
    }
    for (i, pair) in codes.iter().enumerate() {
        assert_eq!(pair[0], pair[1], "pair {i}: two dossiers for one request id");
    }
    assert_eq!(rows(&q.dir, "dossiers"), 20);
    assert_eq!(rows(&q.dir, "events"), 20);
}
