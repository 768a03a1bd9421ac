//! The pulled-event checks on real events made by a real counter, and on hostile variants of them.

use super::*;
use crate::intake::{submit, IntakeRequest};
use crate::sync::protocol::{ChangesResponse};
use crate::Store;

fn counter() -> (tempfile::TempDir, Store) {
    let (dir, mut s) = crate::test_fixtures::counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let resp = crate::sync::protocol::EnrolResponse { protocol: 1, standing_blocks: vec![], device_id: "d".into(), token: "t".into(), portal_id: "p".into(), server_time: 0, last_seq: 0 };
    crate::sync::save_enrolment(&mut s, "http://127.0.0.1:1", &resp).unwrap();
    (dir, s)
}

/// A real received event, as the counter queues it.
fn received() -> WireEvent {
    let (_d, mut s) = counter();
    let req: IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình, Hà Nội"},
        "note": "Nộp thay cho mẹ"
    }))
    .unwrap();
    submit(&mut s, &req).unwrap();
    crate::sync::outbox_batch(&s, 10).unwrap().remove(0).1
}

fn with_dossier(w: &WireEvent, f: impl FnOnce(&mut serde_json::Value)) -> WireEvent {
    let mut w = w.clone();
    f(&mut w.payload["dossier"]);
    w
}

fn field_of(w: &WireEvent) -> String {
    match validate_pulled_event(w).unwrap_err() {
        CoreError::Validation { field, message } => {
            assert!(!message.contains('\u{1b}'), "the message echoes the value: {message:?}");
            field.unwrap()
        }
        e => panic!("{e}"),
    }
}

#[test]
fn an_event_made_by_a_counter_passes() {
    let w = received();
    assert!(matches!(validate_pulled_event(&w).unwrap(), EventKind::Received { .. }));
}

#[test]
fn a_traversal_code_is_refused_wherever_it_is() {
    let w = received();
    assert_eq!(field_of(&WireEvent { dossier_code: "../../PWNED".into(), ..w.clone() }), "dossier_code");
    assert_eq!(field_of(&with_dossier(&w, |d| d["code"] = "../../PWNED".into())), "dossier.code");
    assert_eq!(field_of(&with_dossier(&w, |d| d["provisional_code"] = "..\\x".into())), "dossier.provisional_code");
    assert_eq!(field_of(&with_dossier(&w, |d| d["agency_code"] = "A/B".into())), "dossier.agency_code");
}

#[test]
fn terminal_escapes_and_bidi_overrides_are_refused_in_every_text() {
    let w = received();
    let evil = "Trần\u{1b}]0;pwn\u{7}\u{1b}[2J";
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["full_name"] = evil.into())), "dossier.applicant.full_name");
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["address"] = "Hà Nội\u{202e}".into())), "dossier.applicant.address");
    assert_eq!(field_of(&with_dossier(&w, |d| d["note"] = "a\nb".into())), "dossier.note");
    assert_eq!(field_of(&with_dossier(&w, |d| d["clerk_name"] = evil.into())), "dossier.clerk_name");
    assert_eq!(field_of(&WireEvent { clerk_id: "\u{9b}31m".into(), ..w.clone() }), "clerk_id");
    let refuse = |reason: &str| WireEvent { kind: "refused".into(), payload: serde_json::json!({"kind": "refused", "reason": reason}), ..w.clone() };
    assert!(validate_pulled_event(&refuse("Không đủ điều kiện")).is_ok());
    assert_eq!(field_of(&refuse(evil)), "reason");
}

#[test]
fn text_must_be_nfc_and_within_the_local_limits() {
    let w = received();
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Hà Nội").collect();
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["address"] = nfd.clone().into())), "dossier.applicant.address");
    assert_eq!(field_of(&with_dossier(&w, |d| d["note"] = "a".repeat(limit::NOTE + 1).into())), "dossier.note");
    assert!(validate_pulled_event(&with_dossier(&w, |d| d["note"] = "ă".repeat(limit::NOTE).into())).is_ok());
}

#[test]
fn the_applicant_must_be_what_local_intake_makes_of_it() {
    let w = received();
    // a CCCD whose province does not exist; a phone that is not one; spaces local intake removes
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["id_number"] = "003090012345".into())), "dossier.applicant.id_number");
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["phone"] = "12345".into())), "dossier.applicant.phone");
    assert_eq!(field_of(&with_dossier(&w, |d| d["applicant"]["full_name"] = "Trần  Văn Bình".into())), "dossier.applicant");
}

#[test]
fn ids_times_and_kinds_are_checked() {
    let w = received();
    assert_eq!(field_of(&WireEvent { uid: "x".into(), ..w.clone() }), "uid");
    assert_eq!(field_of(&WireEvent { counter_id: "Q 1".into(), ..w.clone() }), "counter_id");
    assert_eq!(field_of(&WireEvent { seq: 0, ..w.clone() }), "seq");
    assert_eq!(field_of(&WireEvent { at: "hôm qua".into(), ..w.clone() }), "at");
    assert_eq!(field_of(&WireEvent { hlc: "1-Q1-\u{1b}".into(), ..w.clone() }), "hlc");
    assert_eq!(field_of(&WireEvent { kind: "refused".into(), ..w.clone() }), "kind");
    assert_eq!(field_of(&with_dossier(&w, |d| d["fee"] = (-1).into())), "dossier.fee");
    assert_eq!(field_of(&with_dossier(&w, |d| d["uid"] = uuid::Uuid::now_v7().to_string().into())), "dossier.uid");
}

#[test]
fn online_request_ids_are_checked() {
    assert!(validate_pulled_request_id("ONL-0192a0b1c2d3").is_ok());
    assert!(validate_pulled_request_id("../x").is_err());
    assert!(validate_pulled_request_id("ONL-\u{1b}[2J").is_err());
}

#[test]
fn a_hostile_pulled_event_is_kept_aside_with_its_reason_and_the_others_apply() {
    let good = received();
    let evil = with_dossier(
        &WireEvent { uid: uuid::Uuid::now_v7().to_string(), dossier_uid: uuid::Uuid::now_v7().to_string(), dossier_code: "../../PWNED".into(), seq: 2, ..good.clone() },
        |_| {},
    );
    let evil = with_dossier(&evil, |d| {
        d["uid"] = evil.dossier_uid.clone().into();
        d["code"] = "../../PWNED".into();
    });
    // another agency's dossier (its own uids: an event already held here would count as applied)
    let foreign = WireEvent { uid: uuid::Uuid::now_v7().to_string(), dossier_uid: uuid::Uuid::now_v7().to_string(), ..good.clone() };
    let foreign = with_dossier(&foreign, |d| {
        d["agency_code"] = "000.00.99.H99".into();
        d["uid"] = foreign.dossier_uid.clone().into();
    });
    let (_d, mut other) = crate::test_fixtures::counter("Q02", "2026-03-02T10:00", vec![(5000, 9999)]);
    let page = ChangesResponse {
        protocol: 1,
        server_time: 0,
        changes: vec![
            Change { portal_seq: 1, body: ChangeBody::Event { event: evil } },
            Change { portal_seq: 2, body: ChangeBody::Event { event: foreign } },
            Change { portal_seq: 3, body: ChangeBody::Event { event: good.clone() } },
        ],
        next_cursor: 3,
        more: false,
    };
    let out = crate::sync::apply_changes(&mut other, &page).unwrap();
    assert_eq!((out.events, out.skipped), (1, 2));
    let failed = crate::sync::failed_changes(&other).unwrap();
    assert_eq!(failed.iter().map(|f| f.portal_seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(failed[0].error.contains("dossier_code"), "{}", failed[0].error);
    assert!(failed[1].error.contains("dossier.agency_code"), "{}", failed[1].error);
    let held: i64 = other.conn().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get(0)).unwrap();
    assert_eq!(held, 1);
    assert!(other.dossier_by_code(&good.dossier_code).is_ok());
    // retried every round, still kept aside
    assert_eq!(crate::sync::retry_failed_changes(&mut other).unwrap(), 0);
    assert_eq!(crate::sync::failed_changes(&other).unwrap().len(), 2);
}

#[test]
fn a_received_event_must_arrive_as_taken_in_and_only_a_contact_carries_a_contact_number() {
    let w = received();
    // a dossier "received" already returned, or a dossier code dressed as a guidance record
    assert_eq!(field_of(&with_dossier(&w, |d| d["status"] = "returned".into())), "dossier.status");
    assert_eq!(field_of(&with_dossier(&w, |d| d["status"] = "guided".into())), "dossier.status");
    // a guidance number on a dossier taken in
    let code = format!("HD-{}", w.payload["dossier"]["code"].as_str().unwrap());
    assert_eq!(field_of(&with_dossier(&w, |d| d["code"] = code.into())), "dossier.status");
    // a guidance record as a counter makes it passes; one without its content, or with another
    // counter's number, does not
    let counter = w.payload["dossier"]["counter_id"].as_str().unwrap().to_string();
    let guided = |number: &str, missing: serde_json::Value| {
        with_dossier(&w, |d| {
            d["code"] = number.into();
            d["status"] = "guided".into();
            d["fee"] = 0.into();
            d.as_object_mut().unwrap().remove("fee_kind");
            d["due_at"] = d["received_at"].clone();
            d["progress"] = serde_json::json!({"missing": missing});
        })
    };
    let number = format!("HD-000.00.31.H26-{counter}-260302-0001");
    assert!(validate_pulled_event(&guided(&number, serde_json::json!(["Tờ khai"]))).is_ok());
    assert_eq!(field_of(&guided(&number, serde_json::json!([]))), "dossier.progress");
    assert_eq!(field_of(&guided("HD-000.00.31.H26-Q99-260302-0001", serde_json::json!(["Tờ khai"]))), "dossier.code");
    // a fee that says "exempt" with an amount, or "unknown" on a counter intake
    assert_eq!(field_of(&with_dossier(&w, |d| { d["fee_kind"] = "exempt".into(); d["fee"] = 500000.into(); })), "dossier.fee_kind");
    assert_eq!(field_of(&with_dossier(&w, |d| d["fee_kind"] = "unknown".into())), "dossier.fee_kind");
    assert_eq!(field_of(&with_dossier(&w, |d| d["case_id"] = "../x".into())), "dossier.case_id");
    assert_eq!(field_of(&with_dossier(&w, |d| d["representative"] = serde_json::json!({"full_name": "A\u{1b}[2J", "id_number": "001090012345"}))), "dossier.representative");
}
