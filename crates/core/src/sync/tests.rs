//! Sync tests without the network: two real SQLite counters exchange what a portal would relay
//! (the outbox of one becomes the changes of the other), push answers drive the outbox states, and a
//! conflict is settled by the portal's order on both sides.

use std::sync::Arc;

use super::hlc::Hlc;
use super::protocol::*;
use super::*;
use crate::clock::{parse_local, FixedClock};
use crate::dossier::{DossierStatus, ReturnTo};
use crate::intake::submit;
use crate::lifecycle::{apply, Command};

fn counter(id: &str, now: &str) -> (tempfile::TempDir, Store) {
    crate::test_fixtures::counter(id, now, if id == "Q01" { vec![(1, 4999)] } else { vec![(5000, 9999)] })
}

fn enrol(s: &mut Store) {
    let resp = EnrolResponse { protocol: 1, device_id: "dev".into(), token: "t".into(), portal_id: "p".into(), server_time: 0, last_seq: 0, standing_blocks: vec![] };
    save_enrolment(s, "http://127.0.0.1:1", &resp).unwrap();
}

fn intake(s: &mut Store, procedure: &str) -> String {
    let req: IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": procedure,
        "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình, Hà Nội"}
    }))
    .unwrap();
    submit(s, &req).unwrap().code
}

/// The portal's answer to a push: each event stored with the next portal sequence, except `reject`.
fn answer(batch: &[(i64, WireEvent)], first_seq: i64, reject: &[&str]) -> PushResponse {
    let results = batch
        .iter()
        .enumerate()
        .map(|(i, (_, w))| {
            if reject.contains(&w.dossier_code.as_str()) {
                PushResult { uid: w.uid.clone(), status: PushStatus::Rejected, portal_seq: None, code: Some("unknown_procedure".into()), reason: Some("Thủ tục không có trong danh mục của cổng".into()), reissue: None }
            } else {
                PushResult { uid: w.uid.clone(), status: PushStatus::Stored, portal_seq: Some(first_seq + i as i64), code: None, reason: None, reissue: None }
            }
        })
        .collect();
    PushResponse { protocol: 1, server_time: 0, held_through_seq: 0, results, audit_anchor_refused: None }
}

fn as_changes(batch: &[(i64, WireEvent)], first_seq: i64) -> ChangesResponse {
    let changes: Vec<Change> = batch
        .iter()
        .enumerate()
        .map(|(i, (_, w))| Change { portal_seq: first_seq + i as i64, body: ChangeBody::Event { event: w.clone() } })
        .collect();
    let next = changes.last().map_or(0, |c| c.portal_seq);
    ChangesResponse { protocol: 1, server_time: 0, changes, next_cursor: next, more: false }
}

#[test]
fn a_rejected_item_is_parked_with_the_portal_reason_and_the_rest_flows() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    let local = intake(&mut s, "1.004873");
    assert_eq!(dossier_sync(&s, &local).unwrap().state, SyncState::Local);
    enrol(&mut s);
    let a = intake(&mut s, "1.004873");
    let b = intake(&mut s, "1.004873");
    let c = intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    assert_eq!(batch.len(), 4);
    // the frozen wire form carries uid, seq, hlc and the payload as stored
    assert_eq!(batch.iter().map(|(_, w)| w.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert!(batch.iter().all(|(_, w)| Hlc::parse(&w.hlc).is_some() && w.payload["kind"] == "received"));
    let out = record_push(&mut s, &batch, &answer(&batch, 10, &[&b])).unwrap();
    assert_eq!((out.stored, out.rejected), (3, 1));
    let st = status(&s).unwrap();
    assert_eq!((st.waiting, st.parked), (0, 1));
    assert_eq!(dossier_sync(&s, &a).unwrap().state, SyncState::Sent);
    let rb = dossier_sync(&s, &b).unwrap();
    assert_eq!(rb.state, SyncState::Rejected);
    assert_eq!(rb.reason.as_deref(), Some("Thủ tục không có trong danh mục của cổng"));
    // a later step on another dossier still flows; the parked one is not sent again by itself
    apply(&mut s, &c, &Command::Withdraw { reason: "Công dân xin rút".into() }).unwrap();
    let next = outbox_batch(&s, 500).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].1.kind, "withdrawn");
    assert_eq!(dossier_sync(&s, &c).unwrap().state, SyncState::Waiting);
    let parked_list = parked(&s).unwrap();
    assert_eq!(parked_list.len(), 1);
    assert_eq!(parked_list[0].dossier_code, b);
    // once fixed at the portal, the clerk retries: the same frozen event goes again
    assert_eq!(retry_parked(&mut s).unwrap(), 1);
    let again = outbox_batch(&s, 500).unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].1, batch[2].1);
}

#[test]
fn an_unanswered_item_stays_queued_and_a_duplicate_counts_as_delivered() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    enrol(&mut s);
    intake(&mut s, "1.004873");
    intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    let mut resp = answer(&batch, 1, &[]);
    resp.results[0].status = PushStatus::Duplicate;
    resp.results.pop();
    let out = record_push(&mut s, &batch, &resp).unwrap();
    assert_eq!((out.duplicate, out.unanswered), (1, 1));
    assert_eq!(outbox_batch(&s, 500).unwrap().len(), 1);
}

#[test]
fn another_counters_dossier_arrives_and_can_be_returned_here() {
    let (_a, mut q1) = counter("Q01", "2026-03-02T09:00");
    let (_b, mut q2) = counter("Q02", "2026-03-02T09:00");
    enrol(&mut q1);
    let code = intake(&mut q2, "1.004873");
    apply(&mut q2, &code, &Command::HandOver { department: "Phòng Văn hóa - Xã hội".into() }).unwrap();
    apply(&mut q2, &code, &Command::ReceiveResult).unwrap();
    let from_q2 = outbox_batch(&q2, 500).unwrap();
    let out = apply_changes(&mut q1, &as_changes(&from_q2, 1)).unwrap();
    assert_eq!(out.events, 3);
    assert_eq!(cursor(&q1).unwrap(), 3);
    let d = q1.dossier_by_code(&code).unwrap();
    assert_eq!(d.status, DossierStatus::ResultReady);
    assert_eq!(d.counter_id, "Q02");
    // applying the same page again (a pull cut off before the cursor was saved) changes nothing
    let again = apply_changes(&mut q1, &as_changes(&from_q2, 1)).unwrap();
    assert_eq!((again.events, again.already_held), (0, 3));
    assert_eq!(q1.events_of(&code).unwrap().len(), 3);
    // Q01 returns it; the return is Q01's own event, queued for the portal
    let ret = apply(&mut q1, &code, &Command::Return { to: ReturnTo::Post { tracking: "EB123456789VN".into() } }).unwrap();
    assert_eq!(ret.status, DossierStatus::Returned);
    let queued = outbox_batch(&q1, 500).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].1.counter_id.as_str(), queued[0].1.kind.as_str()), ("Q01", "returned"));
    // search finds it without diacritics
    let page = crate::search::search(&q1, "tran van binh", None, None).unwrap();
    assert!(page.hits.iter().any(|r| r.code == code));
}

#[test]
fn a_conflict_is_settled_by_the_portals_order_and_listed_for_a_person() {
    // Q02 took the dossier in and handed it over; Q01 knows it; while apart, Q02 gets the result and
    // returns it... and the back office (relayed like any other machine) refuses it first.
    let (_a, mut q1) = counter("Q01", "2026-03-02T09:00");
    let (_b, mut q2) = counter("Q02", "2026-03-02T09:00");
    enrol(&mut q1);
    enrol(&mut q2);
    let code = intake(&mut q2, "1.004873");
    apply(&mut q2, &code, &Command::HandOver { department: "Phòng Văn hóa - Xã hội".into() }).unwrap();
    let first = outbox_batch(&q2, 500).unwrap();
    record_push(&mut q2, &first, &answer(&first, 1, &[])).unwrap();
    apply_changes(&mut q1, &as_changes(&first, 1)).unwrap();
    // the back office refuses (recorded at the portal as seq 3) ...
    apply(&mut q1, &code, &Command::Refuse { reason: "Hồ sơ giả mạo".into() }).unwrap();
    let refusal = outbox_batch(&q1, 500).unwrap();
    record_push(&mut q1, &refusal, &answer(&refusal, 3, &[])).unwrap();
    // ... while Q02, offline, received the result and returned it
    apply(&mut q2, &code, &Command::ReceiveResult).unwrap();
    apply(&mut q2, &code, &Command::Return { to: ReturnTo::Post { tracking: "EB1VN".into() } }).unwrap();
    assert_eq!(q2.dossier_by_code(&code).unwrap().status, DossierStatus::Returned);
    // Q02 pulls the refusal: by the portal's order it came first, so it decides; Q02's own steps
    // are kept but superseded, and listed
    let out = apply_changes(&mut q2, &as_changes(&refusal, 3)).unwrap();
    assert_eq!(out.conflicts, 2);
    assert_eq!(q2.dossier_by_code(&code).unwrap().status, DossierStatus::Refused);
    let status_col: String = q2.conn().query_row("SELECT status FROM dossiers WHERE code = ?1", [&code], |r| r.get(0)).unwrap();
    assert_eq!(status_col, "refused");
    let list = conflicts(&q2).unwrap();
    assert_eq!(list.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>(), vec!["result_received", "returned"]);
    assert_eq!(list[0].status_label, "Đã từ chối");
    assert_eq!(q2.events_of(&code).unwrap().len(), 5, "nothing is deleted");
    // Q02 pushes its late steps; Q01 pulls them and reaches the same state by the same rule
    let late = outbox_batch(&q2, 500).unwrap();
    assert_eq!(late.len(), 2);
    record_push(&mut q2, &late, &answer(&late, 4, &[])).unwrap();
    apply_changes(&mut q1, &as_changes(&late, 4)).unwrap();
    assert_eq!(q1.dossier_by_code(&code).unwrap().status, DossierStatus::Refused);
    assert_eq!(conflicts(&q1).unwrap().len(), 2);
    settle_conflict(&mut q2, &list[0].event_uid).unwrap();
    assert_eq!(status(&q2).unwrap().conflicts, 1);
    assert!(settle_conflict(&mut q2, &list[0].event_uid).is_err());
}

#[test]
fn leased_numbers_are_used_on_their_day_and_counted() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    assert_eq!(numbers_left(&s, parse_local("2026-03-02T09:00").unwrap().date()).unwrap(), 4999);
    enrol(&mut s);
    // enrolled: the standing block is gone; without a lease the code is provisional
    assert_eq!(status(&s).unwrap().numbers_left_today, 0);
    assert!(crate::codes::is_provisional(&intake(&mut s, "1.004873")));
    let lease = LeaseResponse { protocol: 1, server_time: 0, day: "2026-03-02".into(), first: 201, last: 203 };
    add_lease(&mut s, &lease).unwrap();
    add_lease(&mut s, &lease).unwrap();
    assert_eq!(status(&s).unwrap().numbers_left_today, 3);
    let code = intake(&mut s, "1.004873");
    assert!(!crate::codes::is_provisional(&code) && code.contains("0201"), "{code}");
    assert_eq!(status(&s).unwrap().numbers_left_today, 2);
    assert!(add_lease(&mut s, &LeaseResponse { first: 9000, last: 10000, ..lease }).is_err());
}

#[test]
fn a_clock_far_behind_the_portal_is_refused_and_nothing_is_written() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    enrol(&mut s);
    let before = intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    // the portal says it is a day later than this machine thinks
    let mut resp = answer(&batch, 1, &[]);
    resp.server_time = crate::events::wall_ms(parse_local("2026-03-03T09:00").unwrap());
    record_push(&mut s, &batch, &resp).unwrap();
    assert_eq!(status(&s).unwrap().clock_offset_minutes, 24 * 60);
    let req: IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Lê Thị Hoa", "id_type": "cccd", "id_number": "001090012346",
                      "date_of_birth": "1990-03-05", "phone": "0912345679", "address": "Ba Đình"}
    }))
    .unwrap();
    let err = submit(&mut s, &req).unwrap_err();
    assert!(err.to_string().contains("Đồng hồ máy tính chậm"), "{err}");
    let n: i64 = s.conn().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    assert!(s.dossier_by_code(&before).is_ok());
}

#[test]
fn another_connection_sees_a_pulled_catalog_after_refresh() {
    let (d, mut app) = counter("Q01", "2026-03-02T09:00");
    let mut sync_side = Store::open_dir(d.path(), Arc::new(FixedClock(parse_local("2026-03-02T09:00").unwrap()))).unwrap();
    let mut catalog: serde_json::Value = serde_json::from_str(crate::catalog::DEFAULT_CATALOG_JSON).unwrap();
    let mut extra = catalog["procedures"][0].clone();
    extra["code"] = "9.999999".into();
    catalog["procedures"].as_array_mut().unwrap().push(extra);
    sync_side.import_catalog(&catalog.to_string()).unwrap();
    assert!(app.procedure("9.999999").is_none());
    app.refresh_if_stale().unwrap();
    assert!(app.procedure("9.999999").is_some());
}

#[test]
fn a_change_that_cannot_be_applied_is_kept_and_retried_not_skipped() {
    let (_a, mut q1) = counter("Q01", "2026-03-02T09:00");
    let (_b, mut q2) = counter("Q02", "2026-03-02T09:00");
    enrol(&mut q1);
    let code = intake(&mut q2, "1.004873");
    apply(&mut q2, &code, &Command::HandOver { department: "Phòng Tư pháp".into() }).unwrap();
    let from_q2 = outbox_batch(&q2, 500).unwrap();
    // the hand-over arrives first (its intake is on a later page, say): kept, not lost
    let out = apply_changes(&mut q1, &as_changes(&from_q2[1..], 2)).unwrap();
    assert_eq!(out.skipped, 1);
    assert_eq!(status(&q1).unwrap().failed_changes, 1);
    assert_eq!(failed_changes(&q1).unwrap()[0].kind, "event");
    apply_changes(&mut q1, &as_changes(&from_q2[..1], 1)).unwrap();
    assert_eq!(retry_failed_changes(&mut q1).unwrap(), 1);
    assert_eq!(status(&q1).unwrap().failed_changes, 0);
    assert_eq!(q1.dossier_by_code(&code).unwrap().status, DossierStatus::InProcess);
}

#[test]
fn one_wrong_portal_time_blocks_only_until_the_next_sane_answer() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    enrol(&mut s);
    intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    let mut resp = answer(&batch, 1, &[]);
    resp.server_time = crate::events::wall_ms(parse_local("2027-03-02T09:00").unwrap()); // a hub a year ahead
    record_push(&mut s, &batch, &resp).unwrap();
    let req: IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Lê Thị Hoa", "id_type": "cccd", "id_number": "001090012346",
                      "date_of_birth": "1990-03-05", "phone": "0912345679", "address": "Ba Đình"}
    }))
    .unwrap();
    assert!(submit(&mut s, &req).unwrap_err().to_string().contains("báo quản trị"));
    // the next answer carries a sane time: intake works again
    let page = ChangesResponse { protocol: 1, server_time: crate::events::wall_ms(parse_local("2026-03-02T09:01").unwrap()), changes: vec![], next_cursor: 1, more: false };
    apply_changes(&mut s, &page).unwrap();
    assert!(submit(&mut s, &req).is_ok());
}

#[test]
fn enrolling_again_on_a_new_machine_continues_above_the_portals_sequence() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    let resp = EnrolResponse { protocol: 1, device_id: "dev".into(), token: "t".into(), portal_id: "p".into(), server_time: 0, last_seq: 41, standing_blocks: vec![] };
    save_enrolment(&mut s, "http://127.0.0.1:1", &resp).unwrap();
    assert!(recovering_own(&s).unwrap());
    intake(&mut s, "1.004873");
    assert_eq!(outbox_batch(&s, 500).unwrap()[0].1.seq, 42);
    finish_recovery(&mut s).unwrap();
    assert!(!recovering_own(&s).unwrap());
}

#[test]
fn enrolling_with_another_portal_sends_everything_again() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    enrol(&mut s);
    intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    record_push(&mut s, &batch, &answer(&batch, 1, &[])).unwrap();
    assert_eq!(status(&s).unwrap().waiting, 0);
    let other = EnrolResponse { protocol: 1, device_id: "dev".into(), token: "t2".into(), portal_id: "hub".into(), server_time: 0, last_seq: 0, standing_blocks: vec![] };
    save_enrolment(&mut s, "http://127.0.0.1:2", &other).unwrap();
    assert_eq!(status(&s).unwrap().waiting, 1, "the new portal gets the counter's events too");
    let n: i64 = s.conn().query_row("SELECT COUNT(*) FROM event_portal", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "the old portal's order is forgotten");
}

#[test]
fn an_event_that_does_not_decode_is_parked_when_read_and_the_batch_goes_on() {
    let (_d, mut s) = counter("Q01", "2026-03-02T09:00");
    enrol(&mut s);
    let a = intake(&mut s, "1.004873");
    // a damaged payload, inserted as a new row (events refuse UPDATE), queued like any other
    s.conn()
        .execute(
            "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload) VALUES (?1, 'Q01', 2, 1, 'refused', '2026-03-02T09:00:00+07:00', 'CB-Q01', x'00ff00ff')",
            [uuid::Uuid::now_v7().as_bytes().as_slice()],
        )
        .unwrap();
    let planted = s.conn().last_insert_rowid();
    s.conn().execute("INSERT INTO outbox(event_id) VALUES (?1)", [planted]).unwrap();
    let b = intake(&mut s, "1.004873");
    let batch = outbox_batch(&s, 500).unwrap();
    assert_eq!(batch.iter().map(|(_, w)| w.dossier_code.as_str()).collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
    let p = parked(&s).unwrap();
    assert_eq!((p.len(), p[0].code.as_str(), p[0].dossier_code.as_str()), (1, "undecodable", a.as_str()));
    assert!(p[0].reason.contains("không đọc được"), "{}", p[0].reason);
    // a batch of one that the portal refuses as a whole request is parked by the round
    park_event(&mut s, batch[1].0, "payload_too_large", "quá lớn").unwrap();
    assert_eq!(outbox_batch(&s, 500).unwrap().len(), 1);
    assert_eq!(status(&s).unwrap().parked, 2);
}
