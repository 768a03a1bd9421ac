//! Intake tests: a real SQLite file, a fixed clock, the shipped catalog.

use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::clock::{parse_local, FixedClock};
use crate::search::search;

pub(crate) fn sample_request(procedure: &str) -> serde_json::Value {
    json!({
        "procedure_code": procedure,
        "applicant": {
            "full_name": "Đặng Hữu Phước",
            "id_type": "cccd",
            "id_number": "001090012345",
            "date_of_birth": "1990-03-05",
            "phone": "0912345678",
            "address": "Số 1 phố Điện Biên Phủ, phường Ba Đình, Hà Nội"
        }
    })
}

fn store_at(dir: &std::path::Path, now: &str) -> Store {
    let mut s = Store::open_dir(dir, Arc::new(FixedClock(parse_local(now).unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    s
}

fn req(v: serde_json::Value) -> IntakeRequest {
    serde_json::from_value(v).unwrap()
}

fn count(s: &Store, table: &str) -> i64 {
    s.conn().query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

fn working_days_procedure(s: &Store) -> String {
    s.procedures().iter().find(|p| matches!(p.time_limit, TimeLimit::WorkingDays { .. })).expect("a working-days procedure").code.clone()
}

#[test]
fn intake_stores_dossier_event_outbox_and_index_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let d = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    assert_eq!(d.code, "000.00.31.H26-260212-0001");
    assert!(!d.provisional);
    assert_eq!(d.received_at, "2026-02-12T10:30:00+07:00");
    // same-day procedure received before 15:00: today at closing time
    assert_eq!(d.due_at, "2026-02-12T17:00:00+07:00");
    // omitted documents = the whole checklist
    assert_eq!(d.documents.len(), s.procedure("1.001193").unwrap().documents.len());
    assert_eq!((count(&s, "dossiers"), count(&s, "events"), count(&s, "outbox")), (1, 1, 1));
    let (seq, uid): (i64, [u8; 16]) = s.conn().query_row("SELECT seq, uid FROM events", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(seq, 1);
    assert_eq!(uuid::Uuid::from_bytes(uid).get_version_num(), 7);
    assert_eq!(s.dossier_by_code(&d.code).unwrap(), d);
    assert_eq!(search(&s, "dang huu phuoc", None, None).unwrap().hits[0].code, d.code);
    let e = s.events_of(&d.code).unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].kind, "received");
    assert_eq!(uuid::Uuid::parse_str(&e[0].uid).unwrap().get_version_num(), 7);
    assert_eq!(e[0].seq, 1);
}

#[test]
fn status_is_the_fold_of_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    let payloads: Vec<Vec<u8>> = {
        let mut st = s.conn().prepare("SELECT payload FROM events ORDER BY id").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let events: Vec<EventKind> = payloads.iter().map(|p| crate::events::decode_payload(s.conn(), p).unwrap()).collect();
    let status: String = s.conn().query_row("SELECT status FROM dossiers", [], |r| r.get(0)).unwrap();
    assert_eq!(crate::dossier::fold_status(&events).unwrap().as_str(), status);
}

#[test]
fn sequence_increases_and_restarts_the_next_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let a = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    let b = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    assert_eq!(a.code, "000.00.31.H26-260212-0001");
    assert_eq!(b.code, "000.00.31.H26-260212-0002");
    drop(s);
    let mut s = store_at(dir.path(), "2026-02-13T08:00");
    let c = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    assert_eq!(c.code, "000.00.31.H26-260213-0001");
    let seqs: Vec<i64> = {
        let mut st = s.conn().prepare("SELECT seq FROM events ORDER BY id").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn repeated_submit_with_same_request_id_creates_one_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let mut v = sample_request("1.001193");
    v["request_id"] = json!("form-7f3a");
    let a = submit(&mut s, &req(v.clone())).unwrap();
    let b = submit(&mut s, &req(v)).unwrap();
    assert_eq!(a, b);
    assert_eq!(count(&s, "dossiers"), 1);
    assert_eq!(count(&s, "events"), 1);
}

#[test]
fn invalid_input_writes_nothing_and_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let cases: Vec<(serde_json::Value, &str)> = vec![
        ({ let mut v = sample_request("1.001193"); v["applicant"]["id_number"] = json!("12345"); v }, "applicant.id_number"),
        ({ let mut v = sample_request("1.001193"); v["applicant"]["full_name"] = json!("  "); v }, "applicant.full_name"),
        ({ let mut v = sample_request("1.001193"); v["applicant"]["phone"] = json!("abc"); v }, "applicant.phone"),
        (sample_request("9.999999"), "procedure_code"),
        ({ let mut v = sample_request("1.001193"); v["documents"] = json!(["khong-co"]); v }, "documents"),
        ({ let mut v = sample_request("1.001193"); v["documents"] = json!([]); v }, "documents"),
        ({ let mut v = sample_request("1.001193"); v["delivery"] = json!({"kind": "post", "address": " "}); v }, "delivery.address"),
        ({ let mut v = sample_request("1.001193"); v["fee"] = json!(-5); v }, "fee"),
    ];
    for (v, field) in cases {
        match submit(&mut s, &req(v)) {
            Err(CoreError::Validation { field: Some(f), message }) => {
                assert_eq!(f, field, "{message}");
                assert!(!message.is_empty());
            }
            other => panic!("expected a validation error on {field}, got {other:?}"),
        }
    }
    assert_eq!((count(&s, "dossiers"), count(&s, "events"), count(&s, "outbox"), count(&s, "codes_issued")), (0, 0, 0, 0));
}

#[test]
fn names_are_stored_nfc_and_found_without_diacritics() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let mut v = sample_request("1.001193");
    let nfd: String = "  Trần   Thị Ánh Tuyết ".nfd().collect();
    v["applicant"]["full_name"] = json!(nfd);
    let d = submit(&mut s, &req(v)).unwrap();
    assert_eq!(d.applicant.full_name, "Trần Thị Ánh Tuyết");
    assert!(unicode_normalization::is_nfc(&d.applicant.full_name));
    for q in ["tran thi anh tuyet", "Trần Thị", "TUYET", "anh tuy"] {
        assert_eq!(search(&s, q, None, None).unwrap().hits.len(), 1, "{q}");
    }
    assert!(search(&s, "tran van", None, None).unwrap().hits.is_empty());
    // by ID number, phone, code and code prefix
    assert_eq!(search(&s, "001090012345", None, None).unwrap().hits.len(), 1);
    assert_eq!(search(&s, "0912 345", None, None).unwrap().hits.len(), 1);
    assert_eq!(search(&s, &d.code.to_lowercase(), None, None).unwrap().hits.len(), 1);
    assert_eq!(search(&s, "000.00.31.H26-260212", None, None).unwrap().hits.len(), 1);
}

#[test]
fn search_pages_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    for _ in 0..5 {
        submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    }
    let p1 = search(&s, "phuoc", None, Some(2)).unwrap();
    assert_eq!(p1.hits.len(), 2);
    assert_eq!(p1.hits[0].code, "000.00.31.H26-260212-0005");
    let p2 = search(&s, "phuoc", p1.next_cursor, Some(2)).unwrap();
    assert_eq!(p2.hits[0].code, "000.00.31.H26-260212-0003");
    let p3 = search(&s, "phuoc", p2.next_cursor, Some(2)).unwrap();
    assert_eq!(p3.hits.len(), 1);
    assert_eq!(p3.next_cursor, None);
}

#[test]
fn working_days_appointment_and_preview_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let code = working_days_procedure(&s);
    let pv = preview(&s, &code, None, None).unwrap();
    let mut v = sample_request(&code);
    v["documents"] = serde_json::Value::Null;
    let d = submit(&mut s, &req(v)).unwrap();
    assert_eq!(d.due_at, pv.due_at);
    // Tết 14–22/2/2026 lies between: due after 23/2
    assert!(d.due_at.as_str() > "2026-02-23", "{}", d.due_at);
}

#[test]
fn postal_delivery_needs_a_procedure_that_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    if let Some(p) = s.procedures().iter().find(|p| !p.postal_return).map(|p| p.code.clone()) {
        let mut v = sample_request(&p);
        v["delivery"] = json!({"kind": "post", "address": "12 Lý Thái Tổ"});
        assert!(matches!(submit(&mut s, &req(v)), Err(CoreError::Validation { .. })));
    }
    let mut v = sample_request("1.001193");
    v["delivery"] = json!({"kind": "post", "address": "12  Lý Thái Tổ, Hà Nội"});
    let d = submit(&mut s, &req(v)).unwrap();
    assert_eq!(d.delivery, Delivery::Post { address: "12 Lý Thái Tổ, Hà Nội".into() });
}

#[test]
fn a_counter_without_a_code_block_issues_provisional_codes_that_stay_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local("2026-02-12T10:30").unwrap()))).unwrap();
    s.init(&crate::store::InitParams {
        agency_code: "000.00.06.H56".into(),
        agency_name: "UBND xã Thử".into(),
        agency_address: "".into(),
        counter_id: "Q2".into(),
        counter_name: "Quầy 2".into(),
        clerk_id: "CB2".into(),
        clerk_name: "Phạm Minh Đức".into(),
        code_blocks: vec![],
    })
    .unwrap();
    let d = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    assert!(d.provisional);
    assert_eq!(d.code, "TAM-000.00.06.H56-Q2-260212-0001");
    assert_eq!(d.provisional_code.as_deref(), Some(d.code.as_str()));
    let hits = search(&s, "tam-000.00.06.h56-q2", None, None).unwrap().hits;
    assert_eq!(hits.len(), 1);
    assert!(hits[0].provisional);
}

#[test]
fn a_batch_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let good = req(sample_request("1.001193"));
    let mut bad = sample_request("1.001193");
    bad["applicant"]["phone"] = json!("x");
    assert!(submit_batch(&mut s, &[good.clone(), req(bad)]).is_err());
    assert_eq!(count(&s, "dossiers"), 0);
    let done = submit_batch(&mut s, &[good.clone(), good]).unwrap();
    assert_eq!(done.len(), 2);
    assert_ne!(done[0].code, done[1].code);
    assert_eq!(count(&s, "events"), 2);
}

#[test]
fn sql_and_html_in_every_text_field_are_stored_as_text_and_do_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-02-12T10:30");
    let sql = "Robert'); DROP TABLE dossiers; --";
    let html = "<img src=x onerror=alert(1)><script>alert('xss')</script>";
    // a name is only letters: refused in words, nothing stored
    let mut bad = sample_request("1.001193");
    bad["applicant"]["full_name"] = json!(format!("Nguyễn {sql}"));
    let e = submit(&mut s, &req(bad)).unwrap_err();
    assert_eq!(e.to_app_error().field.as_deref(), Some("applicant.full_name"));
    assert_eq!(count(&s, "dossiers"), 0);
    // free-text fields keep whatever was typed, as text
    let mut v = sample_request("1.001193");
    v["applicant"]["full_name"] = json!("Nguyễn Robert");
    v["applicant"]["address"] = json!(format!("{html} {sql}"));
    v["note"] = json!(format!("{sql} {html}"));
    let d = submit(&mut s, &req(v)).unwrap();
    assert_eq!(count(&s, "dossiers"), 1, "the table is still there");
    let back = s.dossier_by_code(&d.code).unwrap();
    assert_eq!(back.applicant.address, format!("{html} {sql}"));
    assert_eq!(back.note.as_deref(), Some(format!("{sql} {html}").as_str()));
    // search with the same text finds it and breaks nothing (FTS syntax characters included)
    for q in [sql, "robert drop table", "\"unbalanced", "name:* OR 1=1", html] {
        let r = search(&s, q, None, None);
        assert!(r.is_ok(), "query {q:?}: {r:?}");
    }
    assert_eq!(search(&s, "nguyen robert", None, None).unwrap().hits.len(), 1);
    assert!(crate::audit::verify(s.conn(), &[]).unwrap().ok());
}

const CARD: &str = "001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 1 phố Điện Biên Phủ, Phường Điện Biên, Quận Ba Đình, Hà Nội|10082021";

#[test]
fn a_scanned_card_is_checked_and_recorded_by_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    let mut v = sample_request("1.001193");
    v["applicant"]["identity"] = json!({ "gender": "male", "old_id_number": "012345678", "id_issued_on": "10/08/2021",
        // what the request claims about provenance is ignored: only the card string counts
        "card_read_at": "2020-01-01T00:00:00+07:00", "from_card": ["phone"] });
    v["card"] = json!({ "text": CARD, "read_at": "2026-11-30T08:59:30+07:00" });
    let d = submit(&mut s, &req(v.clone())).unwrap();
    let id = &d.applicant.identity;
    assert_eq!(id.card_read_at.as_deref(), Some("2026-11-30T08:59:30+07:00"));
    assert_eq!(id.id_issued_on.as_deref(), Some("2021-08-10"));
    assert!(id.from_card.contains(&"full_name".to_string()) && id.from_card.contains(&"gender".to_string()));
    assert!(!id.from_card.contains(&"address".to_string()), "the address typed differs from the card's");
    assert!(!id.from_card.contains(&"phone".to_string()));
    // a card of another person: refused on the ID field, nothing stored
    let mut other = sample_request("1.001193");
    other["card"] = json!({ "text": CARD.replace("001090012345", "001090099999") });
    let e = submit(&mut s, &req(other)).unwrap_err();
    assert_eq!(e.to_app_error().field.as_deref(), Some("applicant.id_number"));
    assert!(e.to_string().contains("khác số trên thẻ"), "{e}");
    // no card: no provenance, whatever the request says
    let mut typed = sample_request("1.001193");
    typed["applicant"]["identity"] = json!({ "card_read_at": "2026-11-30T08:00:00+07:00" });
    let d = submit(&mut s, &req(typed)).unwrap();
    assert_eq!(d.applicant.identity.card_read_at, None);
    assert_eq!(count(&s, "dossiers"), 2);
}

#[test]
fn every_wrong_field_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    let v = json!({ "procedure_code": "", "applicant": { "full_name": "", "id_type": "cccd", "id_number": "12",
        "date_of_birth": "31/02/1990", "phone": "12", "address": "" } });
    let e = submit(&mut s, &req(v)).unwrap_err().to_app_error();
    let fields: Vec<String> = e.errors.as_ref().unwrap().iter().filter_map(|f| f.field.clone()).collect();
    for f in ["procedure_code", "applicant.full_name", "applicant.id_number", "applicant.date_of_birth", "applicant.phone", "applicant.address"] {
        assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
    }
    assert_eq!(e.field.as_deref(), Some("procedure_code"), "the first one leads");
    assert_eq!(count(&s, "dossiers"), 0);
}

#[test]
fn two_digit_birth_years_where_unambiguous() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let read = |s: &str| crate::dates::read_birth_date("f", s, today);
    assert_eq!(read("1/2/90").unwrap().to_string(), "1990-02-01");
    assert_eq!(read("01-02-05").unwrap().to_string(), "2005-02-01");
    assert_eq!(read("05/03/1990").unwrap().to_string(), "1990-03-05");
    let e = read("1/2/26").unwrap_err().to_string();
    assert!(e.contains("1926 hoặc 2026"), "{e}");
    let e = read("hôm qua").unwrap_err().to_string();
    assert!(e.contains("ví dụ 05/03/1990"), "{e}");
    assert!(read("30/2/90").is_err());
}

#[test]
fn the_person_a_request_concerns_is_kept_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    let mut v = sample_request("1.001193");
    v["subject"] = json!("Đăng ký khai sinh cho cháu Nguyễn Thị Bống");
    v["representative"] = json!({ "full_name": "Nguyễn Văn Cha", "id_number": "001085001234", "relation": "cha", "authorisation": "Giấy ủy quyền số 1" });
    let d = submit(&mut s, &req(v)).unwrap();
    assert_eq!(d.subject.as_deref(), Some("Đăng ký khai sinh cho cháu Nguyễn Thị Bống"));
    assert_eq!(d.representative.as_ref().unwrap().relation, "cha");
    assert_eq!(search(&s, "nguyen thi bong", None, None).unwrap().hits[0].code, d.code);
    let mut long = sample_request("1.001193");
    long["subject"] = json!("x".repeat(crate::limits::SUBJECT + 1));
    assert!(submit(&mut s, &req(long)).is_err());
}

#[test]
fn the_days_short_number_finds_the_dossier() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    let codes: Vec<String> = (0..3).map(|_| submit(&mut s, &req(sample_request("1.001193"))).unwrap().code).collect();
    let first = |q: &str| search(&s, q, None, None).unwrap().hits.first().map(|h| (h.code.clone(), h.procedure_name.clone()));
    let (code, name) = first("0003").unwrap();
    assert_eq!(code, codes[2]);
    assert_eq!(name, s.procedure("1.001193").unwrap().name, "rows carry the procedure's name");
    assert_eq!(first("261130-0002").unwrap().0, codes[1]);
    assert_eq!(first("3").unwrap().0, codes[2]);
    assert!(first("261129-0001").is_none(), "another day has none");
}

#[test]
fn a_returning_citizen_is_offered_earlier_details_with_their_dates() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    assert_eq!(returning::returning(&s, "001090012345").unwrap(), None, "first visit");
    submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    let mut v = sample_request("1.001193");
    v["applicant"]["phone"] = json!("0987654321");
    v["applicant"]["email"] = json!("phuoc@example.vn");
    submit(&mut s, &req(v)).unwrap();
    let r = returning::returning(&s, "001 090 012 345").unwrap().unwrap();
    assert_eq!(r.dossiers, 2);
    let phones: Vec<&str> = r.details.iter().filter(|d| d.field == "applicant.phone").map(|d| d.value.as_str()).collect();
    assert_eq!(phones, ["0987654321", "0912345678"], "newest first, each once");
    assert!(r.details.iter().all(|d| d.given_at.starts_with("2026-11-30")));
    assert_eq!(r.details.iter().filter(|d| d.field == "applicant.address").count(), 1);
    assert!(returning::returning(&s, &"9".repeat(500)).is_err(), "bounded");
}

#[test]
fn the_return_desk_finds_a_dossier_by_its_short_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    let a = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    let b = submit(&mut s, &req(sample_request("1.001193"))).unwrap();
    assert_eq!(crate::search::find_one(&s, "0002").unwrap().code, b.code);
    assert_eq!(crate::search::find_one(&s, "261130-1").unwrap().code, a.code);
    assert_eq!(crate::search::find_one(&s, &a.code).unwrap().code, a.code);
    assert!(matches!(crate::search::find_one(&s, "0009"), Err(CoreError::NotFound(_))));
    assert!(crate::search::find_one(&s, &"1".repeat(200)).is_err());
}

#[test]
fn hostile_card_and_unit_input_is_refused_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_at(dir.path(), "2026-11-30T09:00");
    // a 2 MB "card string"
    let mut v = sample_request("1.001193");
    v["card"] = json!({ "text": "0".repeat(2 * 1024 * 1024) });
    assert!(submit(&mut s, &req(v)).is_err());
    // a unit code the map does not have, and one of the wrong shape
    for code in ["99999", "../x"] {
        let mut v = sample_request("1.001193");
        v["applicant"]["identity"] = json!({ "unit_code": code });
        let e = submit(&mut s, &req(v)).unwrap_err().to_app_error();
        assert_eq!(e.field.as_deref(), Some("applicant.identity.unit_code"), "{code}");
    }
    assert_eq!(count(&s, "dossiers"), 0);
    // the setting too: a code the map lacks is refused, a real one taken
    assert!(crate::settings::CounterSettings::set(&mut s, "unit_code", "99999").is_err());
    assert_eq!(crate::settings::CounterSettings::set(&mut s, "unit_code", "00004").unwrap().unit_code, "00004");
}
