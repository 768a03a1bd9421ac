//! Unit tests of `sync::codes`: registered blocks kept at enrolment, the lease-ahead plan, and a code
//! re-issued by the portal applied from the push answer and from the pull.
use super::super::protocol::*;
use super::super::{add_lease, apply_changes, outbox_batch, record_push, save_enrolment};
use super::*;
use crate::test_fixtures::{counter, intake};


fn enrol(s: &mut Store, registered: Vec<CodeBlock>) {
    let resp = EnrolResponse {
        protocol: 1,
        device_id: "dev".into(),
        token: "t".into(),
        portal_id: "p".into(),
        server_time: 0,
        last_seq: 0,
        standing_blocks: registered,
    };
    save_enrolment(s, "http://127.0.0.1:1", &resp).unwrap();
}


fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn registered_blocks_stay_after_enrolment_and_others_are_dropped() {
    let (_d, mut s) = counter("Q01", "2026-12-07T08:00", vec![(1, 4999), (6000, 6999)]);
    assert_eq!(standing_blocks(&s).unwrap(), vec![CodeBlock { first: 1, last: 4999 }, CodeBlock { first: 6000, last: 6999 }]);
    enrol(&mut s, vec![CodeBlock { first: 1, last: 4999 }]);
    assert_eq!(standing_blocks(&s).unwrap(), vec![CodeBlock { first: 1, last: 4999 }]);
    assert!(!intake(&mut s).starts_with("TAM-"));
    // an older portal registers nothing: the blocks go, numbers come from leases
    enrol(&mut s, vec![]);
    assert!(standing_blocks(&s).unwrap().is_empty());
}

#[test]
fn leases_ahead_cover_the_next_working_days_sized_from_the_counters_volume() {
    // Friday 4 December 2026: the next working days are Monday 7 .. Wednesday 9
    let (_d, mut s) = counter("Q01", "2026-12-04T08:00", vec![]);
    enrol(&mut s, vec![]);
    let plan = lease_plan(&s).unwrap();
    assert_eq!(plan, vec![(day("2026-12-04"), 100), (day("2026-12-07"), 20), (day("2026-12-08"), 20), (day("2026-12-09"), 20)]);
    for (d, want) in &plan {
        let lease = LeaseResponse { protocol: 1, server_time: 0, day: d.format("%Y-%m-%d").to_string(), first: 1, last: *want };
        add_lease(&mut s, &lease).unwrap();
    }
    assert!(lease_plan(&s).unwrap().is_empty(), "nothing more to lease");
    // a busy day (30 intakes) sizes the leases ahead at 45: 25 more for each day ahead
    for _ in 0..30 {
        intake(&mut s);
    }
    assert_eq!(busiest_day(&s, day("2026-12-04")).unwrap(), 30);
    let plan = lease_plan(&s).unwrap();
    assert_eq!(&plan[plan.len() - 3..], &[(day("2026-12-07"), 25), (day("2026-12-08"), 25), (day("2026-12-09"), 25)]);
    s.conn().execute("INSERT INTO settings(key, value) VALUES ('lease_ahead_days', '1')", []).unwrap();
    assert_eq!(lease_plan(&s).unwrap().iter().filter(|(d, _)| *d > day("2026-12-04")).count(), 1);
}

#[test]
fn a_code_reissued_by_the_portal_changes_the_code_keeps_the_old_one_findable_and_asks_for_a_reprint() {
    let (_d, mut s) = counter("Q01", "2026-12-07T08:00", vec![(1, 4999)]);
    enrol(&mut s, vec![CodeBlock { first: 1, last: 4999 }]);
    let old = intake(&mut s);
    assert_eq!(old, "000.00.31.H26-261207-0001");
    let batch = outbox_batch(&s, 10).unwrap();
    let w = &batch[0].1;
    let new = "000.00.31.H26-261207-5000".to_string();
    let event = EventKind::CodeReissued { old_code: old.clone(), new_code: new.clone(), reason: "trùng".into() };
    let re = WireEvent {
        uid: uuid::Uuid::now_v7().to_string(),
        counter_id: "CONG".into(),
        seq: 1,
        dossier_uid: w.dossier_uid.clone(),
        dossier_code: new.clone(),
        kind: "code_reissued".into(),
        at: "2026-12-07T08:05:00+07:00".into(),
        hlc: String::new(),
        clerk_id: "CONG".into(),
        payload: serde_json::to_value(&event).unwrap(),
    };
    let resp = PushResponse {
        protocol: 1,
        audit_anchor_refused: None,
        server_time: 0,
        held_through_seq: 1,
        results: vec![PushResult {
            uid: w.uid.clone(),
            status: PushStatus::Recoded,
            portal_seq: Some(7),
            code: Some(new.clone()),
            reason: Some("trùng".into()),
            reissue: Some(Reissue { new_code: new.clone(), portal_seq: 8, event: re.clone() }),
        }],
    };
    let out = record_push(&mut s, &batch, &resp).unwrap();
    assert_eq!(out.stored, 1);
    let d = s.dossier_by_code(&new).unwrap();
    assert_eq!((d.code.as_str(), d.progress.previous_codes.clone()), (new.as_str(), vec![old.clone()]));
    assert_eq!(s.dossier_by_code(&old).unwrap().code, new, "the old code still finds it");
    assert_eq!(reprints(&s).unwrap().iter().map(|r| (r.code.clone(), r.old_code.clone())).collect::<Vec<_>>(), vec![(new.clone(), old.clone())]);
    // the other counter's dossier with the old code arrives: it takes the code that is free now
    let other_uid = uuid::Uuid::now_v7().to_string();
    let mut other = d.clone();
    other.uid = other_uid.clone();
    other.code = old.clone();
    other.counter_id = "Q02".into();
    other.progress = Default::default();
    let received = EventKind::Received { dossier: Box::new(other) };
    let ow = WireEvent {
        uid: uuid::Uuid::now_v7().to_string(),
        counter_id: "Q02".into(),
        seq: 1,
        dossier_uid: other_uid,
        dossier_code: old.clone(),
        kind: "received".into(),
        at: "2026-12-07T08:01:00+07:00".into(),
        hlc: String::new(),
        clerk_id: "CB-Q02".into(),
        payload: serde_json::to_value(&received).unwrap(),
    };
    let page = ChangesResponse {
        protocol: 1,
        server_time: 0,
        changes: vec![Change { portal_seq: 6, body: ChangeBody::Event { event: ow } }, Change { portal_seq: 8, body: ChangeBody::Event { event: re } }],
        next_cursor: 8,
        more: false,
    };
    let pulled = apply_changes(&mut s, &page).unwrap();
    assert_eq!((pulled.events, pulled.already_held, pulled.skipped), (1, 1, 0));
    let codes: Vec<String> = s.conn().prepare("SELECT code FROM dossiers ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(codes, vec![new.clone(), old.clone()]);
}

#[test]
fn a_pulled_dossier_whose_code_is_held_here_waits_under_a_stand_in_until_the_reissue() {
    let (_d, mut s) = counter("Q01", "2026-12-07T08:00", vec![(1, 4999)]);
    enrol(&mut s, vec![]);
    s.conn().execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, 1, 10, 'admin')", []).unwrap();
    let mine = intake(&mut s);
    let d = s.dossier_by_code(&mine).unwrap();
    let other_uid = uuid::Uuid::now_v7().to_string();
    let mut other = d.clone();
    other.uid = other_uid.clone();
    other.counter_id = "Q02".into();
    let ow = WireEvent {
        uid: uuid::Uuid::now_v7().to_string(),
        counter_id: "Q02".into(),
        seq: 1,
        dossier_uid: other_uid.clone(),
        dossier_code: mine.clone(),
        kind: "received".into(),
        at: "2026-12-07T08:01:00+07:00".into(),
        hlc: String::new(),
        clerk_id: "CB-Q02".into(),
        payload: serde_json::to_value(&EventKind::Received { dossier: Box::new(other) }).unwrap(),
    };
    // and a dossier of the other counter with the number this counter would issue next
    let third_uid = uuid::Uuid::now_v7().to_string();
    let mut third = d.clone();
    third.uid = third_uid.clone();
    third.counter_id = "Q02".into();
    third.code = "000.00.31.H26-261207-0002".into();
    let mut tw = ow.clone();
    tw.uid = uuid::Uuid::now_v7().to_string();
    tw.seq = 2;
    tw.dossier_uid = third_uid;
    tw.dossier_code = third.code.clone();
    tw.payload = serde_json::to_value(&EventKind::Received { dossier: Box::new(third) }).unwrap();
    let page = ChangesResponse {
        protocol: 1,
        server_time: 0,
        changes: vec![Change { portal_seq: 3, body: ChangeBody::Event { event: ow } }, Change { portal_seq: 4, body: ChangeBody::Event { event: tw } }],
        next_cursor: 4,
        more: false,
    };
    assert_eq!(apply_changes(&mut s, &page).unwrap().skipped, 0, "never stuck on the unique code");
    assert_eq!(s.dossier_by_code(&mine).unwrap().uid, d.uid, "this counter's dossier keeps its code meanwhile");
    // a number already held here (pulled) is never issued again
    assert_eq!(intake(&mut s), "000.00.31.H26-261207-0003");
    // the portal re-issues the other counter's dossier: the stand-in goes
    let new = "000.00.31.H26-261207-5000";
    let re = EventKind::CodeReissued { old_code: mine.clone(), new_code: new.into(), reason: "trùng".into() };
    let rw = WireEvent {
        uid: uuid::Uuid::now_v7().to_string(),
        counter_id: "CONG".into(),
        seq: 1,
        dossier_uid: other_uid.clone(),
        dossier_code: new.into(),
        kind: "code_reissued".into(),
        at: "2026-12-07T08:02:00+07:00".into(),
        hlc: String::new(),
        clerk_id: "CONG".into(),
        payload: serde_json::to_value(&re).unwrap(),
    };
    let page = ChangesResponse { protocol: 1, server_time: 0, changes: vec![Change { portal_seq: 5, body: ChangeBody::Event { event: rw } }], next_cursor: 5, more: false };
    apply_changes(&mut s, &page).unwrap();
    assert_eq!(s.dossier_by_code(new).unwrap().uid, other_uid);
    assert!(reprints(&s).unwrap().is_empty(), "the other counter's receipt is not this counter's to reprint");
}
