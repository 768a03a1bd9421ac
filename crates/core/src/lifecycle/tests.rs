//! Lifecycle tests: a real SQLite file, a clock moved by hand, hand-worked appointments across Tết 2026,
//! and a property test over random command sequences.

use proptest::prelude::*;

use super::*;
use crate::clock::parse_local;
use crate::intake::{submit, IntakeRequest};

use crate::test_fixtures::Hands;

fn store(now: &str) -> (tempfile::TempDir, Store, Hands) {
    crate::test_fixtures::demo_with_hands(now, "")
}

fn intake(s: &mut Store, procedure: &str) -> String {
    let req: IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": procedure,
        "fee": 0,
        "applicant": {"full_name": "Đặng Hữu Phước", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình, Hà Nội"}
    }))
    .unwrap();
    submit(s, &req).unwrap().code
}

fn events(s: &Store, code: &str) -> usize {
    s.events_of(code).unwrap().len()
}

fn projection(s: &Store, code: &str) -> (String, String) {
    s.conn().query_row("SELECT status, due_at FROM dossiers WHERE code = ?1", [code], |r| Ok((r.get(0)?, r.get(1)?))).unwrap()
}

fn applicant() -> ReturnTo {
    ReturnTo::Applicant { name: "Đặng Hữu Phước".into(), id_number: "001090012345".into() }
}

#[test]
fn hand_over_result_back_and_return_close_the_dossier_on_time() {
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    let code = intake(&mut s, "1.004873");
    assert_eq!(s.dossier_by_code(&code).unwrap().due_at, "2026-02-23T09:00:00+07:00", "3 working days across Tết 2026");
    apply(&mut s, &code, &Command::HandOver { department: "Tư pháp - Hộ tịch".into() }).unwrap();
    hands.set("2026-02-23T08:00");
    let d = apply(&mut s, &code, &Command::ReceiveResult).unwrap();
    assert_eq!(d.status, DossierStatus::ResultReady);
    hands.set("2026-02-25T10:00");
    let d = apply(&mut s, &code, &Command::Return { to: applicant() }).unwrap();
    assert_eq!(d.status, DossierStatus::Returned);
    assert_eq!(d.progress.timeliness, Some(Timeliness::OnTime), "judged on when the result was ready, not collected");
    assert_eq!(events(&s, &code), 4);
    assert_eq!(projection(&s, &code).0, "returned");
    assert_eq!(s.dossier_by_code(&code).unwrap(), d, "the stored dossier is the fold of its events");
    assert_eq!(d.progress.movements.len(), 2);
}

#[test]
fn nonsense_is_refused_with_a_message_and_changes_nothing() {
    let (_d, mut s, _h) = store("2026-02-11T09:00");
    let code = intake(&mut s, "1.004873");
    let before = (events(&s, &code), s.dossier_by_code(&code).unwrap());
    for cmd in [Command::ReceiveResult, Command::Return { to: applicant() }, Command::Supplemented, Command::Transfer { to: "Địa chính".into() }] {
        let e = apply(&mut s, &code, &cmd).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::Conflict, "{cmd:?}: {e}");
        assert!(e.to_string().contains(&code) && e.to_string().contains("Đã tiếp nhận"), "{e}");
    }
    assert!(matches!(apply(&mut s, &code, &Command::HandOver { department: "  ".into() }), Err(CoreError::Validation { .. })));
    assert!(matches!(apply(&mut s, &code, &Command::Refuse { reason: "".into() }), Err(CoreError::Validation { .. })));
    assert_eq!((events(&s, &code), s.dossier_by_code(&code).unwrap()), before);

    apply(&mut s, &code, &Command::Refuse { reason: "Không thuộc thẩm quyền".into() }).unwrap();
    let e = apply(&mut s, &code, &Command::HandOver { department: "Tư pháp".into() }).unwrap_err();
    assert!(e.to_string().contains("Đã từ chối"), "{e}");
}

#[test]
fn a_dossier_is_never_returned_twice() {
    let (_d, mut s, _h) = store("2026-02-11T09:00");
    let code = intake(&mut s, "1.004873");
    apply(&mut s, &code, &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    apply(&mut s, &code, &Command::ReceiveResult).unwrap();
    apply(&mut s, &code, &Command::Return { to: ReturnTo::Post { tracking: "EB123456789VN".into() } }).unwrap();
    let e = apply(&mut s, &code, &Command::Return { to: applicant() }).unwrap_err();
    assert!(e.to_string().contains("không trả lần thứ hai"), "{e}");
    assert_eq!(events(&s, &code), 4);
}

#[test]
fn supplement_stops_the_clock_and_resumes_it_across_tet_when_the_rule_says_resume() {
    // Received Wed 11/02/2026 09:00, 3 working days (7:00-11:30, 13:30-17:00): due Mon 23/02 09:00.
    // Supplement requested Thu 12/02 10:00: 300 + 480 + 120 = 900 working minutes were left.
    // Supplement arrives Tue 24/02 14:00: 180 (Tue) + 480 (Wed) + 240 (Thu from 07:00) → Thu 26/02 11:00.
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    CounterSettings::set(&mut s, "supplement_clock", "resume").unwrap();
    let code = intake(&mut s, "1.004873");
    apply(&mut s, &code, &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    hands.set("2026-02-12T10:00");
    let d = apply(&mut s, &code, &Command::RequestSupplement { missing: vec!["Bản sao giấy khai sinh".into()] }).unwrap();
    assert_eq!(d.status, DossierStatus::WaitingSupplement);
    let stored = s.event_payloads_of(&code).unwrap();
    assert!(matches!(stored.last().unwrap().1, EventKind::SupplementRequested { remaining_minutes: 900, .. }));
    hands.set("2026-02-24T14:00");
    let d = apply(&mut s, &code, &Command::Supplemented).unwrap();
    assert_eq!(d.status, DossierStatus::InProcess, "back where it was");
    assert_eq!(d.due_at, "2026-02-26T11:00:00+07:00");
    assert_eq!(d.progress.original_due_at.as_deref(), Some("2026-02-23T09:00:00+07:00"));
    assert_eq!(projection(&s, &code).1, "2026-02-26T11:00:00+07:00", "the work lists see the new appointment");
}

#[test]
fn supplement_restarts_the_whole_limit_by_default() {
    // Same dates; "restart" (the default, Decree 118/2025 art. 17(3) as amended by Decree 309/2026):
    // 3 full working days from Tue 24/02 14:00 → Fri 27/02 14:00.
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    assert_eq!(CounterSettings::load(&s).unwrap().supplement_clock, "restart");
    let code = intake(&mut s, "1.004873");
    hands.set("2026-02-12T10:00");
    apply(&mut s, &code, &Command::RequestSupplement { missing: vec!["Tờ khai".into()] }).unwrap();
    hands.set("2026-02-24T14:00");
    let d = apply(&mut s, &code, &Command::Supplemented).unwrap();
    assert_eq!((d.status, d.due_at.as_str()), (DossierStatus::Received, "2026-02-27T14:00:00+07:00"));
}

#[test]
fn a_delay_sets_a_new_date_once_and_the_dossier_counts_as_late() {
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    let code = intake(&mut s, "1.004873");
    apply(&mut s, &code, &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    let bad = apply(&mut s, &code, &Command::Delay { new_due: "20/02/2026".into(), reason: "Chờ xác minh".into() }).unwrap_err();
    assert!(matches!(bad, CoreError::Validation { .. }), "before the current appointment: {bad}");
    // a new appointment on a day off (the weekend after the appointment) is refused
    for off in ["28/02/2026", "01/03/2026 10:00"] {
        let bad = apply(&mut s, &code, &Command::Delay { new_due: off.into(), reason: "Chờ xác minh".into() }).unwrap_err();
        assert!(bad.to_string().contains("ngày nghỉ"), "{off}: {bad}");
    }
    let d = apply(&mut s, &code, &Command::Delay { new_due: "02/03/2026 10:00".into(), reason: "Chờ xác minh".into() }).unwrap();
    assert_eq!((d.due_at.as_str(), d.progress.delays), ("2026-03-02T10:00:00+07:00", 1));
    let again = apply(&mut s, &code, &Command::Delay { new_due: "05/03/2026".into(), reason: "Chờ xác minh".into() }).unwrap_err();
    assert_eq!(again.code(), crate::ErrorCode::Conflict, "{again}");
    hands.set("2026-02-26T09:00");
    apply(&mut s, &code, &Command::ReceiveResult).unwrap();
    let d = apply(&mut s, &code, &Command::Return { to: applicant() }).unwrap();
    assert_eq!(d.progress.timeliness, Some(Timeliness::Late), "ready before the new date, but it was delayed");
}

#[test]
fn early_and_late_are_judged_by_the_appointment_day() {
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    let early = intake(&mut s, "1.004873");
    let late = intake(&mut s, "1.004873");
    for c in [&early, &late] {
        apply(&mut s, c, &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    }
    hands.set("2026-02-13T15:00");
    apply(&mut s, &early, &Command::ReceiveResult).unwrap();
    hands.set("2026-02-23T09:01");
    apply(&mut s, &late, &Command::ReceiveResult).unwrap();
    assert_eq!(apply(&mut s, &early, &Command::Return { to: applicant() }).unwrap().progress.timeliness, Some(Timeliness::Early));
    assert_eq!(apply(&mut s, &late, &Command::Return { to: applicant() }).unwrap().progress.timeliness, Some(Timeliness::Late));
}

#[test]
fn a_batch_is_all_or_nothing() {
    let (_d, mut s, _h) = store("2026-02-11T09:00");
    let a = intake(&mut s, "1.004873");
    let b = intake(&mut s, "1.004873");
    apply(&mut s, &b, &Command::Withdraw { reason: String::new() }).unwrap();
    let e = apply_many(&mut s, &[a.clone(), b.clone()], &Command::HandOver { department: "Tư pháp".into() }).unwrap_err();
    assert!(e.to_string().contains(&b), "{e}");
    assert_eq!(s.dossier_by_code(&a).unwrap().status, DossierStatus::Received, "nothing of the batch was written");
    let dup = apply_many(&mut s, &[a.clone(), a.to_lowercase()], &Command::HandOver { department: "Tư pháp".into() }).unwrap_err();
    assert!(dup.to_string().contains("quét hai lần"), "{dup}");
    let done = apply_many(&mut s, &[a.clone()], &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    assert!(done[0].progress.movements[0].batch.as_deref().unwrap().starts_with("BG-"));
}

#[test]
fn work_lists_count_what_needs_attention() {
    let (_d, mut s, hands) = store("2026-02-11T09:00");
    let a = intake(&mut s, "1.004873"); // due 23/02 09:00
    let b = intake(&mut s, "1.001193"); // same day: due 11/02 17:00
    let c = intake(&mut s, "1.004873");
    apply(&mut s, &c, &Command::HandOver { department: "Tư pháp".into() }).unwrap();
    apply(&mut s, &c, &Command::ReceiveResult).unwrap();
    let n = counts(&s).unwrap();
    assert_eq!((n.due_today, n.overdue, n.ready_to_collect, n.waiting_supplement), (1, 0, 1, 0));
    assert_eq!(list(&s, WorkList::DueToday, 10).unwrap()[0].code, b);
    hands.set("2026-02-12T08:00");
    apply(&mut s, &a, &Command::RequestSupplement { missing: vec!["Tờ khai".into()] }).unwrap();
    let n = counts(&s).unwrap();
    assert_eq!((n.due_today, n.overdue, n.waiting_supplement, n.ready_to_collect), (0, 1, 1, 1));
    assert_eq!(list(&s, WorkList::Overdue, 10).unwrap()[0].code, b);
    hands.set("2026-02-20T08:00"); // Tết: Mon 23/02 09:00 is within one working day
    apply(&mut s, &a, &Command::Supplemented).unwrap();
    let soon: Vec<String> = list(&s, WorkList::DueSoon, 10).unwrap().into_iter().map(|w| w.code).collect();
    assert!(soon.is_empty(), "a's appointment moved well past the next working day: {soon:?}");
}

#[derive(Debug, Clone)]
enum Op {
    HandOver,
    Transfer,
    Supplement,
    Supplemented,
    Refuse,
    Stop,
    Result,
    Delay,
    Return,
    Withdraw,
}

fn op() -> impl Strategy<Value = (usize, Op, u8)> {
    let ops = prop_oneof![
        Just(Op::HandOver),
        Just(Op::Transfer),
        Just(Op::Supplement),
        Just(Op::Supplemented),
        Just(Op::Refuse),
        Just(Op::Stop),
        Just(Op::Result),
        Just(Op::Delay),
        Just(Op::Return),
        Just(Op::Withdraw),
    ];
    (0usize..3, ops, 0u8..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_command_sequence_keeps_state_equal_to_the_fold_and_loses_nothing(seq in proptest::collection::vec(op(), 1..40)) {
        let (_d, mut s, hands) = store("2026-02-11T09:00");
        let codes: Vec<String> = (0..3).map(|_| intake(&mut s, "1.004873")).collect();
        let mut expected_events = [1usize; 3];
        let mut returned = [0usize; 3];
        let mut minute = 0;
        for (i, op, n) in seq {
            minute += 37;
            hands.set(&to_rfc3339(parse_local("2026-02-11T09:00").unwrap() + chrono::Duration::minutes(minute)));
            let cmd = match op {
                Op::HandOver => Command::HandOver { department: format!("Phòng {n}") },
                Op::Transfer => Command::Transfer { to: format!("Phòng {}", n + 1) },
                Op::Supplement => Command::RequestSupplement { missing: vec!["Tờ khai".into()] },
                Op::Supplemented => Command::Supplemented,
                Op::Refuse => Command::Refuse { reason: "Không đủ điều kiện".into() },
                Op::Stop => Command::Stop { reason: "Dừng".into() },
                Op::Result => Command::ReceiveResult,
                Op::Delay => Command::Delay { new_due: format!("{:02}/03/2026", 2 + n), reason: "Chậm".into() },
                Op::Return => Command::Return { to: applicant() },
                Op::Withdraw => Command::Withdraw { reason: String::new() },
            };
            let before = s.dossier_by_code(&codes[i]).unwrap();
            // the one table: decide accepts only what the table allows, and the event it makes fits
            // (at merge time, at the portal) exactly the statuses the table allows the step from
            let rules = crate::settings::CounterSettings::load(&s).unwrap();
            match decide(&s, &before, &cmd, s.clock().now(), &rules) {
                Ok(e) => {
                    prop_assert!(cmd.step().allows(before.status), "{:?} decided from {:?}", cmd, before.status);
                    for st in DossierStatus::ALL {
                        prop_assert_eq!(e.fits(st), cmd.step().allows(st), "{:?} from {:?}", e, st);
                    }
                }
                Err(e) => prop_assert!(cmd.step().allows(before.status) || e.code() == crate::ErrorCode::Conflict || e.code() == crate::ErrorCode::Validation, "{}", e),
            }
            if !cmd.step().allows(before.status) {
                prop_assert!(decide(&s, &before, &cmd, s.clock().now(), &rules).is_err(), "{:?} from {:?}", cmd, before.status);
            }
            match apply(&mut s, &codes[i], &cmd) {
                Ok(after) => {
                    expected_events[i] += 1;
                    prop_assert_ne!(before.status.is_open(), false, "a closed dossier accepted {:?}", cmd);
                    if after.status == DossierStatus::Returned { returned[i] += 1; }
                }
                Err(e) => {
                    prop_assert!(matches!(e.code(), crate::ErrorCode::Conflict | crate::ErrorCode::Validation), "{}", e);
                    prop_assert_eq!(s.dossier_by_code(&codes[i]).unwrap(), before, "a refused command changed the dossier");
                }
            }
            for (k, code) in codes.iter().enumerate() {
                let d = s.dossier_by_code(code).unwrap();
                let (status, due) = projection(&s, code);
                prop_assert_eq!(status, d.status.as_str());
                prop_assert_eq!(due, d.due_at.clone());
                prop_assert_eq!(events(&s, code), expected_events[k], "an event was lost or invented");
                prop_assert!(returned[k] <= 1);
                let kinds: Vec<EventKind> = s.event_payloads_of(code).unwrap().into_iter().map(|(_, e)| e).collect();
                prop_assert_eq!(crate::dossier::fold_status(&kinds), Some(d.status));
                let returns = kinds.iter().filter(|e| matches!(e, EventKind::Returned { .. })).count();
                prop_assert!(returns <= 1, "returned {} times", returns);
            }
        }
    }
}

#[test]
fn an_apology_later_than_one_working_day_before_the_appointment_is_warned_and_made_once() {
    // Received Mon 02/03/2026 09:00, 3 working days: due Thu 05/03 09:00. The apology is on time
    // until the end of Wed 04/03 (one working day before), late from Thu 05/03.
    let (_d, mut s, hands) = store("2026-03-02T09:00");
    let code = intake(&mut s, "1.004873");
    let rules = CounterSettings::load(&s).unwrap();
    let d = s.dossier_by_code(&code).unwrap();
    assert_eq!(d.due_at, "2026-03-05T09:00:00+07:00");
    assert_eq!(apology_deadline(&s, &d, &rules).unwrap().to_string(), "2026-03-04");
    hands.set("2026-03-04T16:00");
    assert!(DossierView::read(&s, s.dossier_by_code(&code).unwrap()).unwrap().warnings.is_empty());
    hands.set("2026-03-05T08:00");
    let w = DossierView::read(&s, s.dossier_by_code(&code).unwrap()).unwrap().warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("Mẫu 04") && w[0].contains("04/03/2026"), "{w:?}");
    // the setting moves the deadline: 2 working days before → Tue 03/03
    CounterSettings::set(&mut s, "apology_days_before_due", "2").unwrap();
    assert_eq!(apology_deadline(&s, &d, &CounterSettings::load(&s).unwrap()).unwrap().to_string(), "2026-03-03");
    // late, but still allowed; once made, no more warning and no second apology
    let d = apply(&mut s, &code, &Command::Delay { new_due: "10/03/2026".into(), reason: "Chờ xác minh".into() }).unwrap();
    assert!(DossierView::read(&s, d).unwrap().warnings.is_empty());
    let again = apply(&mut s, &code, &Command::Delay { new_due: "12/03/2026".into(), reason: "Lần hai".into() });
    assert!(matches!(again, Err(CoreError::Conflict(_))), "{again:?}");
}

#[test]
fn a_withdrawal_prints_the_stop_notice() {
    assert_eq!(Step::Withdraw.prints(), Some(crate::form_kind::FormKind::Stop));
}
