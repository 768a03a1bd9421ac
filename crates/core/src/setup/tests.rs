//! The first-run set-up on a real database file: steps checked one by one, resumed after a restart,
//! finished all or nothing, and no dossier before it is done.

use std::sync::Arc;

use super::*;
use crate::store::InitParams;
use crate::clock::{parse_local, FixedClock};
use crate::error::Reason;

const NOW: &str = "2026-11-30T08:00";

fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_dir(dir.path(), clock()).unwrap();
    (dir, s)
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(parse_local(NOW).unwrap()))
}

fn reopen(dir: &tempfile::TempDir) -> Store {
    Store::open_dir(dir.path(), clock()).unwrap()
}

/// Every step saved for a counter of phường Ba Đình, with the given connection.
fn all_steps(s: &mut Store, connection: ConnectionKind) -> SetupState {
    let mut d = SetupDraft { unit_code: "00004".into(), ..Default::default() };
    save_step(s, SetupStep::Unit, &d).unwrap();
    d = state(s).unwrap().draft;
    d.agency_code = "000.00.31.h26".into();
    d.address = "Số 25 phố Liễu Giai".into();
    save_step(s, SetupStep::Centre, &d).unwrap();
    d.counter_id = "q02".into();
    d.counter_name = "Quầy 02".into();
    save_step(s, SetupStep::Counter, &d).unwrap();
    d.printer = "Quay02".into();
    save_step(s, SetupStep::Printer, &d).unwrap();
    d.connection = connection;
    d.portal_url = "http://127.0.0.1:8080/".into();
    d.block_first = 201;
    d.block_last = 400;
    save_step(s, SetupStep::Connection, &d).unwrap();
    d.admin_id = "quantri".into();
    d.admin_name = "Lê Văn Quản".into();
    save_step(s, SetupStep::Admin, &d).unwrap()
}

fn request() -> crate::intake::IntakeRequest {
    serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345", "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap()
}

const PASSWORD: &str = "Cua-so-mot-2026!";

#[test]
fn a_fresh_database_starts_the_set_up_at_the_unit_and_takes_no_dossier() {
    let (_d, mut s) = fresh();
    let st = state(&s).unwrap();
    assert_eq!(st.stage, SetupStage::Draft);
    assert_eq!(st.step, SetupStep::Unit);
    assert!(st.steps.iter().all(|v| !v.done));
    assert!(!s.is_initialised());
    assert!(matches!(crate::intake::submit(&mut s, &request()), Err(CoreError::NotInitialised)));
}

#[test]
fn choosing_the_unit_offers_the_names_of_the_forms() {
    let (_d, mut s) = fresh();
    let bad = save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "99999".into(), ..Default::default() }).unwrap_err();
    assert_eq!(bad.field(), Some("unit_code"));
    assert_eq!(state(&s).unwrap().step, SetupStep::Unit, "a refused step is not saved");
    let st = save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }).unwrap();
    assert_eq!(st.step, SetupStep::Centre);
    assert_eq!(st.draft.agency_name, "UBND phường Ba Đình");
    assert_eq!(st.draft.parent_line, "UBND THÀNH PHỐ HÀ NỘI");
    assert_eq!(st.draft.place_name, "Ba Đình");
    assert_eq!(st.unit.unwrap().name, "Phường Ba Đình");
}

#[test]
fn a_step_names_every_wrong_field_at_once_and_saves_nothing() {
    let (_d, mut s) = fresh();
    save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }).unwrap();
    let before = state(&s).unwrap().draft;
    let given = SetupDraft { agency_code: "31.H26".into(), agency_name: String::new(), centre_name: "x".repeat(5000), ..before.clone() };
    match save_step(&mut s, SetupStep::Centre, &given).unwrap_err() {
        CoreError::Fields(f) => {
            let named: Vec<_> = f.iter().filter_map(|e| e.field.as_deref()).collect();
            for want in ["agency_name", "centre_name", "agency_code"] {
                assert!(named.contains(&want), "{want} not in {named:?}");
            }
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(state(&s).unwrap().draft, before);
}

#[test]
fn the_agency_code_has_the_shape_of_decision_20_2020() {
    assert_eq!(check_agency_code(" 000.00.31.h26 ").unwrap(), "000.00.31.H26");
    for bad in ["", "000.00.31", "000.00.31.H2", "00.000.31.H26", "000.00.31.226", "000.00.31.H26.1", "ooo.00.31.H26", "000,00,31,H26", "０００.00.31.H26"] {
        assert!(check_agency_code(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_set_up_resumes_after_the_app_is_closed_midway() {
    let (dir, mut s) = fresh();
    let mut d = SetupDraft { unit_code: "00004".into(), ..Default::default() };
    save_step(&mut s, SetupStep::Unit, &d).unwrap();
    d = state(&s).unwrap().draft;
    d.agency_code = "000.00.31.H26".into();
    save_step(&mut s, SetupStep::Centre, &d).unwrap();
    drop(s);
    let s = reopen(&dir);
    let st = state(&s).unwrap();
    assert_eq!(st.step, SetupStep::Counter);
    assert_eq!(st.draft.agency_code, "000.00.31.H26");
    assert!(st.steps.iter().filter(|v| v.done).count() == 2);
}

#[test]
fn finishing_offline_sets_up_everything_at_once_and_logs_the_admin_in() {
    let (dir, mut s) = fresh();
    all_steps(&mut s, ConnectionKind::Offline);
    // a weak password refuses the whole finish: nothing is written
    let e = finish(&mut s, "123", "2580").unwrap_err();
    assert_eq!(e.field(), Some("password"));
    assert!(!s.is_initialised());
    assert!(!crate::accounts::accounts_enabled(&s).unwrap());
    // the PIN is asked for at the first run
    assert_eq!(finish(&mut s, PASSWORD, "").unwrap_err().field(), Some("pin"));
    let st = finish(&mut s, PASSWORD, "2580").unwrap();
    assert_eq!(st.stage, SetupStage::Done);
    let ctx = s.context().unwrap().clone();
    assert_eq!((ctx.agency_code.as_str(), ctx.counter_id.as_str(), ctx.agency_name.as_str()), ("000.00.31.H26", "Q02", "UBND phường Ba Đình"));
    assert_eq!(s.session().unwrap().clerk_id, "quantri");
    let set = crate::settings::CounterSettings::load(&s).unwrap();
    assert_eq!((set.printer.as_str(), set.unit_code.as_str(), set.place_name.as_str()), ("Quay02", "00004", "Ba Đình"));
    assert_eq!(set.parent_agency, "UBND THÀNH PHỐ HÀ NỘI");
    // the first dossier takes the first number of the offline block
    let code = crate::test_fixtures::intake(&mut s);
    assert!(code.ends_with("-0201"), "{code}");
    // no secret anywhere in the settings (the draft included)
    let mut rows = vec![];
    {
        let c = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        let mut st = c.prepare("SELECT value FROM settings").unwrap();
        rows.extend(st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()));
    }
    assert!(rows.iter().all(|v| !v.contains(PASSWORD) && !v.contains("2580")), "{rows:?}");
    // done: the set-up is closed
    assert!(matches!(save_step(&mut s, SetupStep::Unit, &SetupDraft::default()), Err(CoreError::Conflict(_))));
    assert!(matches!(finish(&mut s, PASSWORD, "2580"), Err(CoreError::Conflict(_))));
    assert_eq!(state(&s).unwrap().draft, SetupDraft::default(), "nothing of the draft shown once done");
}

#[test]
fn finishing_with_a_portal_takes_no_dossier_until_the_enrolment_is_saved() {
    let (dir, mut s) = fresh();
    let st = all_steps(&mut s, ConnectionKind::Portal);
    assert_eq!(st.draft.portal_url, "http://127.0.0.1:8080");
    assert_eq!(finish(&mut s, PASSWORD, "2580").unwrap().stage, SetupStage::Enrolling);
    let req = request();
    assert_eq!(crate::intake::submit(&mut s, &req).unwrap_err().reason(), Reason::SetupIncomplete);
    // a restart keeps it so, and shows the connection step
    drop(s);
    let mut s = reopen(&dir);
    assert_eq!(state(&s).unwrap().step, SetupStep::Connection);
    crate::accounts::login(&mut s, "quantri", PASSWORD).unwrap();
    assert!(matches!(save_step(&mut s, SetupStep::Unit, &SetupDraft::default()), Err(CoreError::Conflict(_))));
    let resp: crate::sync::protocol::EnrolResponse =
        serde_json::from_value(serde_json::json!({"protocol": 1, "device_id": "d1", "token": "t", "portal_id": "p1", "server_time": 0})).unwrap();
    crate::sync::save_enrolment(&mut s, "http://127.0.0.1:8080", &resp).unwrap();
    assert_eq!(state(&s).unwrap().stage, SetupStage::Done);
    crate::intake::submit(&mut s, &req).unwrap();
}

#[test]
fn while_enrolling_the_admin_may_choose_offline_numbering_instead() {
    let (_d, mut s) = fresh();
    all_steps(&mut s, ConnectionKind::Portal);
    finish(&mut s, PASSWORD, "2580").unwrap();
    assert!(choose_offline(&mut s, 5, 1).is_err());
    assert_eq!(choose_offline(&mut s, 1, 100).unwrap().stage, SetupStage::Done);
    assert!(crate::test_fixtures::intake(&mut s).ends_with("-0001"));
}

#[test]
fn huge_or_hostile_text_in_every_field_is_refused_with_its_field() {
    let (_d, mut s) = fresh();
    let huge = "Đ".repeat(100_000);
    assert!(save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: huge.clone(), ..Default::default() }).is_err());
    save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }).unwrap();
    let d = state(&s).unwrap().draft;
    for (step, given, field) in [
        (SetupStep::Centre, SetupDraft { address: huge.clone(), agency_code: "000.00.31.H26".into(), ..d.clone() }, "address"),
        (SetupStep::Centre, SetupDraft { place_name: "Ba\u{0}Đình".into(), agency_code: "000.00.31.H26".into(), ..d.clone() }, "place_name"),
        (SetupStep::Counter, SetupDraft { counter_id: "Q 01".into(), counter_name: "Quầy".into(), ..d.clone() }, "counter_id"),
        (SetupStep::Counter, SetupDraft { counter_id: "Q01".into(), counter_name: huge.clone(), ..d.clone() }, "counter_name"),
        (SetupStep::Printer, SetupDraft { printer: "x\u{2019};calc;\u{2019}".into(), ..d.clone() }, "printer"),
        (SetupStep::Printer, SetupDraft { printer: "Quay'02".into(), ..d.clone() }, "printer"),
        (SetupStep::Printer, SetupDraft { printer: huge.clone(), ..d.clone() }, "printer"),
        (SetupStep::Connection, SetupDraft { portal_url: "file:///etc/passwd".into(), ..d.clone() }, "portal_url"),
        (SetupStep::Connection, SetupDraft { portal_url: format!("http://{huge}"), ..d.clone() }, "portal_url"),
        (SetupStep::Connection, SetupDraft { connection: ConnectionKind::Offline, block_first: 10, block_last: 10_000, ..d.clone() }, "block"),
        (SetupStep::Admin, SetupDraft { admin_id: "'; DROP TABLE clerks; --".into(), admin_name: "A".into(), ..d.clone() }, "admin_id"),
        (SetupStep::Admin, SetupDraft { admin_id: "qt".into(), admin_name: huge.clone(), ..d.clone() }, "admin_name"),
    ] {
        let e = save_step(&mut s, step, &given).unwrap_err();
        assert!(e.field() == Some(field) || matches!(&e, CoreError::Fields(f) if f.iter().any(|x| x.field.as_deref() == Some(field))), "{field}: {e:?}");
    }
    assert_eq!(state(&s).unwrap().draft, d, "nothing refused was kept");
}

#[test]
fn finishing_before_every_step_is_saved_names_the_missing_steps() {
    let (_d, mut s) = fresh();
    save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }).unwrap();
    let e = finish(&mut s, PASSWORD, "2580").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("Quầy") && text.contains("Kết nối"), "{text}");
    assert!(!s.is_initialised());
}

#[test]
fn a_connection_opened_before_the_set_up_sees_the_counter_after_it() {
    // the app's sync task opens its own connection at start, before the window's set-up is done
    let (dir, mut s) = fresh();
    let mut other = reopen(&dir);
    all_steps(&mut s, ConnectionKind::Offline);
    finish(&mut s, PASSWORD, "2580").unwrap();
    other.refresh_if_stale().unwrap();
    assert_eq!(other.context().unwrap().counter_id, "Q02");
}

#[test]
fn a_counter_set_up_by_another_process_meanwhile_refuses_the_finish_and_keeps_its_own() {
    // the IT officer runs `motcua init` on the same data while the window's set-up is open
    let (dir, mut s) = fresh();
    all_steps(&mut s, ConnectionKind::Offline);
    let mut other = reopen(&dir);
    other
        .init(&InitParams {
            agency_code: "000.00.99.H26".into(),
            agency_name: "UBND xã Khác".into(),
            agency_address: String::new(),
            counter_id: "Q09".into(),
            counter_name: "Quầy 09".into(),
            clerk_id: "CB09".into(),
            clerk_name: "Người Khác".into(),
            code_blocks: vec![],
        })
        .unwrap();
    s.refresh_if_stale().unwrap();
    assert!(finish(&mut s, PASSWORD, "2580").is_err());
    assert_eq!(s.context().unwrap().counter_id, "Q09", "the other set-up stands");
    assert!(!crate::accounts::accounts_enabled(&s).unwrap(), "no half of the window's set-up was written");
    // and the counter is not stuck in a set-up that can never finish: it is set up, it takes dossiers in
    assert_eq!(state(&s).unwrap().stage, SetupStage::Done);
    assert!(matches!(save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }), Err(CoreError::Conflict(_))));
    crate::intake::submit(&mut s, &request()).unwrap();
}

#[test]
fn printer_names_of_windows_are_taken_and_nothing_a_command_line_would_read() {
    for ok in ["", "MotCua-PDF", "Microsoft Print to PDF", "\\\\srv\\Quầy 1", "HP LaserJet (Quầy 2)"] {
        assert!(check_printer(ok).is_ok(), "{ok}");
    }
    for bad in ["a'b", "a\"b", "a`b", "$(x)", "a;b", "a|b", "a&b", "a\u{2018}b"] {
        assert!(check_printer(bad).is_err(), "{bad}");
    }
}

#[test]
fn an_unknown_stage_value_takes_no_dossier_and_the_old_admin_form_is_closed_during_the_set_up() {
    let (dir, mut s) = fresh();
    save_step(&mut s, SetupStep::Unit, &SetupDraft { unit_code: "00004".into(), ..Default::default() }).unwrap();
    // the lock screen's old "create the admin" path cannot make an admin beside the set-up's
    assert!(matches!(crate::accounts::create_first_admin(&mut s, "x", "X Y", PASSWORD, None), Err(CoreError::Conflict(_))));
    // a value this version does not know counts as not set up
    rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap().execute("UPDATE settings SET value = 'future' WHERE key = 'setup_stage'", []).unwrap();
    assert_eq!(stored_stage(&s).unwrap(), Some(SetupStage::Draft));
}

#[test]
fn while_enrolling_nobody_but_a_logged_in_admin_may_change_the_connection() {
    let (dir, mut s) = fresh();
    all_steps(&mut s, ConnectionKind::Portal);
    finish(&mut s, PASSWORD, "2580").unwrap();
    drop(s);
    let mut s = reopen(&dir);
    assert_eq!(choose_offline(&mut s, 1, 100).unwrap_err().reason(), Reason::NotLoggedIn);
    crate::accounts::login(&mut s, "quantri", PASSWORD).unwrap();
    crate::accounts::add_account(&mut s, "lan", "Nguyễn Thị Lan", crate::accounts::Role::Clerk, "Lp4!zR8w-can-bo-quay", None).unwrap();
    let mut clerk = reopen(&dir);
    crate::accounts::login(&mut clerk, "lan", "Lp4!zR8w-can-bo-quay").unwrap();
    assert_eq!(choose_offline(&mut clerk, 1, 100).unwrap_err().reason(), Reason::NoRight);
    assert_eq!(state(&s).unwrap().stage, SetupStage::Enrolling);
}
