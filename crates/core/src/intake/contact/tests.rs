//! Guidance and refusal at intake, fee kinds and procedure cases, on a real counter database.

use super::*;
use crate::dossier::DossierStatus;
use crate::intake::{preview, submit, IntakeRequest};
use crate::test_fixtures::counter;

fn request(procedure: &str, extra: serde_json::Value) -> IntakeRequest {
    let mut v = serde_json::json!({
        "procedure_code": procedure,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình",
                      "email": "binh@example.vn"}
    });
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    serde_json::from_value(v).unwrap()
}

fn guidance(req: IntakeRequest) -> ContactRequest {
    ContactRequest { kind: ContactKind::Guidance, request: req, missing: None, reason: None }
}

fn codes_issued(s: &Store) -> i64 {
    let conn = rusqlite::Connection::open(s.path()).unwrap();
    conn.query_row("SELECT COUNT(*) FROM codes_issued WHERE series LIKE 'O:%' OR series LIKE 'P:%'", [], |r| r.get(0)).unwrap()
}

#[test]
fn an_incomplete_dossier_gets_a_guidance_record_listing_the_unticked_items_and_no_code() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    // only the ID shown: the declaration (tờ khai) is missing
    let req = request("1.004873", serde_json::json!({"documents": ["giay-to-tuy-than"]}));
    // a complete intake is refused, naming what is missing
    assert!(submit(&mut s, &req).unwrap_err().to_string().contains("chưa đủ"));
    let missing = missing_items(&s, &req).unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].starts_with("Tờ khai"), "{missing:?}");
    let before = codes_issued(&s);
    let d = record(&mut s, &guidance(req.clone())).unwrap();
    assert_eq!(d.status, DossierStatus::Guided);
    assert!(d.code.starts_with("HD-000.00.31.H26-Q01-260302-"), "{}", d.code);
    assert!(crate::codes::is_contact_number(&d.code) && !d.provisional);
    assert_eq!(d.progress.missing, missing);
    assert_eq!(codes_issued(&s), before, "a guidance slip must not consume a dossier number");
    // a second contact gets the next number; search finds both by the applicant, without diacritics
    let d2 = record(&mut s, &guidance(req)).unwrap();
    assert_ne!(d2.code, d.code);
    let hits = crate::search::search(&s, "tran van binh", None, None).unwrap();
    assert!(hits.hits.iter().any(|h| h.code == d.code) && hits.hits.iter().any(|h| h.code == d2.code));
    // counted today, on no work list, no step allowed
    let counts = crate::lifecycle::counts(&s).unwrap();
    assert_eq!((counts.guided_today, counts.not_accepted_today), (2, 0));
    assert!(crate::lifecycle::Step::allowed_for(DossierStatus::Guided).is_empty());
    // and it travels to the portal like every record (one event in the outbox)
    let conn = rusqlite::Connection::open(s.path()).unwrap();
    let queued: i64 = conn.query_row("SELECT COUNT(*) FROM outbox o JOIN events e ON e.id = o.event_id JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = ?1", [&d.code], |r| r.get(0)).unwrap();
    assert_eq!(queued, 1);
}

#[test]
fn the_clerk_may_edit_the_list_and_a_complete_dossier_needs_an_item() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let complete = request("1.004873", serde_json::json!({}));
    let e = record(&mut s, &guidance(complete.clone())).unwrap_err();
    assert!(matches!(e, CoreError::Validation { ref field, .. } if field.as_deref() == Some("missing")), "{e:?}");
    let mut c = guidance(complete);
    c.missing = Some(vec![" Bản sao giấy khai sinh ".into(), "Bản sao giấy khai sinh".into(), "".into()]);
    let d = record(&mut s, &c).unwrap();
    assert_eq!(d.progress.missing, vec!["Bản sao giấy khai sinh".to_string()]);
    // hostile: too many, too long, unprintable
    for bad in [vec!["x".to_string(); limits::MISSING_ITEMS + 1], vec!["y".repeat(limits::MISSING_ITEM + 1)], vec!["a\u{202e}b".into()]] {
        let mut c = guidance(request("1.004873", serde_json::json!({"documents": []})));
        c.missing = Some(bad);
        assert!(record(&mut s, &c).is_err());
    }
}

#[test]
fn a_refusal_needs_its_reason_and_issues_no_code() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let req = request("1.004873", serde_json::json!({"request_id": "tc-1"}));
    let mut c = ContactRequest { kind: ContactKind::Refusal, request: req, missing: None, reason: Some("   ".into()) };
    assert!(matches!(record(&mut s, &c).unwrap_err(), CoreError::Validation { ref field, .. } if field.as_deref() == Some("reason")));
    c.reason = Some("Không thuộc thẩm quyền của UBND cấp xã".into());
    let before = codes_issued(&s);
    let d = record(&mut s, &c).unwrap();
    assert_eq!(d.status, DossierStatus::NotAccepted);
    assert!(d.code.starts_with("TC-"));
    assert_eq!(d.progress.reason.as_deref(), Some("Không thuộc thẩm quyền của UBND cấp xã"));
    assert_eq!(codes_issued(&s), before);
    // the same request id (double Enter) returns the same record
    assert_eq!(record(&mut s, &c).unwrap().code, d.code);
    assert_eq!(crate::lifecycle::counts(&s).unwrap().not_accepted_today, 1);
}

#[test]
fn a_user_without_the_right_records_nothing() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    crate::accounts::create_first_admin(&mut s, "admin", "Quản trị", "Mat-khau-rat-dai-2026", None).unwrap();
    crate::accounts::logout(&mut s).unwrap();
    let c = guidance(request("1.004873", serde_json::json!({"documents": []})));
    assert!(matches!(record(&mut s, &c).unwrap_err(), CoreError::Forbidden(..)));
    assert!(matches!(missing_items(&s, &c.request).unwrap_err(), CoreError::Forbidden(..)));
}

#[test]
fn an_unknown_fee_must_be_entered_and_exempt_or_uncollected_fees_carry_no_amount() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    use crate::catalog::FeeKind;
    let kind_of = |code: &str, s: &Store| s.procedure(code).unwrap().fee.kind();
    assert_eq!(kind_of("1.004873", &s), FeeKind::Unknown);
    assert_eq!(kind_of("1.001193", &s), FeeKind::Exempt);
    // unknown: refused without a figure, kept as typed with one
    let e = submit(&mut s, &request("1.004873", serde_json::json!({}))).unwrap_err();
    assert!(matches!(e, CoreError::Validation { ref field, .. } if field.as_deref() == Some("fee")), "{e:?}");
    let d = submit(&mut s, &request("1.004873", serde_json::json!({"fee": 15000}))).unwrap();
    assert_eq!((d.fee, d.fee_kind), (15000, Some(FeeKind::Amount)));
    // exempt: nothing typed keeps "exempt"; a typed amount (a late registration the province
    // charges) is printed as typed
    let d = submit(&mut s, &request("1.001193", serde_json::json!({}))).unwrap();
    assert_eq!((d.fee, d.fee_kind), (0, Some(FeeKind::Exempt)));
    let d = submit(&mut s, &request("1.001193", serde_json::json!({"fee": 5000}))).unwrap();
    assert_eq!((d.fee, d.fee_kind), (5000, Some(FeeKind::Amount)));
    // a known fee not collected is "Không thu", never a legal exemption
    let d = submit(&mut s, &request("2.000815", serde_json::json!({"fee": 0}))).unwrap();
    assert_eq!((d.fee, d.fee_kind), (0, Some(FeeKind::NotCollected)));
    // an online dossier the portal sent without the fee keeps "unknown" instead of waiting for ever
    let d = submit(&mut s, &request("1.004873", serde_json::json!({"channel": "online", "request_id": "ONL-1"}))).unwrap();
    assert_eq!((d.fee, d.fee_kind), (0, Some(FeeKind::Unknown)));
    // and one that names no case is held to the procedure's own terms
    let d = submit(&mut s, &request("2.000575", serde_json::json!({"channel": "online", "request_id": "ONL-2", "fee": 0}))).unwrap();
    assert_eq!((d.case_id.as_deref(), d.time_limit.label()), (None, "03 ngày làm việc".to_string()));
    assert!(crate::lifecycle::DossierView::read(&s, d).unwrap().warnings.iter().any(|w| w.contains("trường hợp")));
    assert_eq!(crate::catalog::fee_label(FeeKind::Exempt, 0), "Miễn lệ phí");
    assert_eq!(crate::catalog::fee_label(FeeKind::Amount, 50000), "50.000 đồng");
}

#[test]
fn a_procedure_with_cases_needs_one_and_each_case_has_its_own_time_limit() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    // 2.000575: re-issue 01 working day, new-format certificate 03 (Decree 168/2025)
    let e = preview(&s, "2.000575", None, None).unwrap_err();
    assert!(matches!(e, CoreError::Validation { ref field, .. } if field.as_deref() == Some("case_id")));
    let one = preview(&s, "2.000575", Some("cap-lai"), None).unwrap();
    let three = preview(&s, "2.000575", Some("cap-doi-mau-moi"), None).unwrap();
    assert_eq!(one.time_limit_label, "01 ngày làm việc");
    assert_eq!(three.time_limit_label, "03 ngày làm việc");
    assert!(one.due_at < three.due_at);
    assert!(preview(&s, "2.000575", Some("khong-co"), None).is_err());
    assert!(preview(&s, "1.004873", Some("cap-lai"), None).is_err(), "a procedure without cases takes none");
    let d = submit(&mut s, &request("2.000575", serde_json::json!({"case_id": "cap-lai", "fee": 0}))).unwrap();
    assert_eq!(d.case_name.as_deref(), Some(one.terms.case_name.as_deref().unwrap()));
    assert_eq!(d.due_at, one.due_at);
}

#[test]
fn every_procedure_states_its_time_limit_basis_and_fee_state() {
    let (_d, s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    for p in s.procedures() {
        let v = crate::catalog::ProcedureView::of(p);
        assert!(!v.terms.is_empty(), "{}", p.code);
        assert_eq!(v.terms.len(), p.cases.len().max(1), "{}: a case whose terms do not resolve", p.code);
        for t in &v.terms {
            assert!(!t.time_limit_label.is_empty() && !t.fee_label.is_empty(), "{}", p.code);
            assert!(!t.time_limit_source.trim().is_empty(), "{} {:?}: no source for the time limit", p.code, t.case_name);
            // a placeholder 0 never reads as free
            assert!(t.fee_kind != crate::catalog::FeeKind::Amount || t.fee.amount > 0, "{}", p.code);
        }
        assert!(!p.source.trim().is_empty(), "{}: no legal source", p.code);
    }
}

#[test]
fn a_representative_is_checked_and_kept() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let rep = serde_json::json!({"fee": 0, "representative": {"full_name": "  Lê   Thị Hoa ", "id_number": "001190 012345"}});
    let d = submit(&mut s, &request("1.004873", rep)).unwrap();
    let r = d.representative.unwrap();
    assert_eq!((r.full_name.as_str(), r.id_number.as_str()), ("Lê Thị Hoa", "001190012345"));
    for bad in [serde_json::json!({"full_name": "", "id_number": "0011"}), serde_json::json!({"full_name": "Hoa 2", "id_number": "001190012345"}),
                serde_json::json!({"full_name": "Hoa", "id_number": "1"}), serde_json::json!({"full_name": "H".repeat(500), "id_number": "001190012345"})] {
        assert!(submit(&mut s, &request("1.004873", serde_json::json!({"fee": 0, "representative": bad}))).is_err());
    }
    // all empty = no representative
    let d = submit(&mut s, &request("1.004873", serde_json::json!({"fee": 0, "representative": {"full_name": " ", "id_number": ""}}))).unwrap();
    assert!(d.representative.is_none());
}

#[test]
fn one_request_id_never_stands_for_two_kinds_of_record() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let req = request("1.004873", serde_json::json!({"request_id": "form-7", "documents": ["giay-to-tuy-than"], "fee": 0}));
    let g = record(&mut s, &guidance(req.clone())).unwrap();
    // the same slip again: the same record (a retry after a printer error)
    assert_eq!(record(&mut s, &guidance(req.clone())).unwrap().code, g.code);
    // the papers completed and taken in on the same form: refused as a new request, nothing written
    let mut complete = req.clone();
    complete.documents = None;
    let e = submit(&mut s, &complete).unwrap_err();
    assert!(matches!(e, CoreError::Validation { ref field, .. } if field.as_deref() == Some("request_id")), "{e:?}");
    // nor may the other slip reuse it
    let refusal = ContactRequest { kind: ContactKind::Refusal, request: req, missing: None, reason: Some("Không thuộc thẩm quyền".into()) };
    assert!(matches!(record(&mut s, &refusal).unwrap_err(), CoreError::Validation { ref field, .. } if field.as_deref() == Some("request_id")));
    let n: i64 = rusqlite::Connection::open(s.path()).unwrap().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_contact_number_already_held_here_is_skipped() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
    let first = record(&mut s, &guidance(request("1.004873", serde_json::json!({"documents": []})))).unwrap();
    // a number this counter will issue next, already here (a backup restored, its record pulled back)
    let next = first.code.replace("-0001", "-0002");
    let c = rusqlite::Connection::open(s.path()).unwrap();
    c.execute("DELETE FROM codes_issued WHERE series LIKE 'HD:%' AND seq = 2", []).unwrap();
    c.execute("UPDATE dossiers SET code = ?1 WHERE code = ?2", [&next, &first.code]).unwrap();
    c.execute("DELETE FROM codes_issued WHERE series LIKE 'HD:%'", []).unwrap();
    drop(c);
    let a = record(&mut s, &guidance(request("1.004873", serde_json::json!({"documents": []})))).unwrap();
    let b = record(&mut s, &guidance(request("1.004873", serde_json::json!({"documents": []})))).unwrap();
    assert!(a.code.ends_with("-0001") && b.code.ends_with("-0003"), "{} {}", a.code, b.code);
}
