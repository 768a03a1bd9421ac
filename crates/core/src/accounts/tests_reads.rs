//! Every read of personal or protected data needs a session with the read right, checked here in the
//! core (issue 12, finding 6): each public read, called with nobody logged in, as a clerk, as the
//! head of unit, on a locked screen and as the system.

use std::sync::Arc;

use super::*;
use crate::clock::{parse_local, FixedClock};
use crate::lifecycle::{self, Command, WorkList};
use crate::settings::CounterSettings;
use crate::test_fixtures::intake;

fn ok<T>(r: Result<T>) -> Result<()> {
    r.map(|_| ())
}

/// Every public read, by name; `reports` are the ones that need `Right::Reports` rather than `Read`.
fn every_read(s: &Store, code: &str, batch: &str) -> Vec<(&'static str, bool, Result<()>)> {
    let day = parse_local("2026-03-02T09:00").unwrap().date();
    vec![
        ("Store::dossier_by_code", false, ok(s.dossier_by_code(code))),
        ("Store::dossier_with_id", false, ok(s.dossier_with_id(code))),
        ("Store::event_payloads_of", false, ok(s.event_payloads_of(code))),
        ("Store::events_of", false, ok(s.events_of(code))),
        ("Store::dossiers_in_batch", false, ok(s.dossiers_in_batch(batch))),
        ("Store::times_printed", false, ok(s.times_printed(code, "receipt"))),
        ("Store::prints_of", false, ok(s.prints_of(code))),
        ("Store::print_entry", false, ok(s.print_entry(1))),
        ("search::search", false, ok(crate::search::search(s, "Trần Văn Bình", None, None))),
        ("lifecycle::counts", false, ok(lifecycle::counts(s))),
        ("lifecycle::list", false, ok(lifecycle::list(s, WorkList::DueSoon, 10))),
        ("accounts::list", false, ok(list(s))),
        ("CounterSettings::load", false, ok(CounterSettings::load(s))),
        ("sync::parked", false, ok(crate::sync::parked(s))),
        ("sync::conflicts", false, ok(crate::sync::conflicts(s))),
        ("sync::failed_changes", false, ok(crate::sync::failed_changes(s))),
        ("sync::dossier_sync", false, ok(crate::sync::dossier_sync(s, code))),
        ("Store::dossiers_received_between (logbook)", true, ok(s.dossiers_received_between(day, day))),
        ("audit::list", true, ok(crate::audit::list(s, 10))),
        // issue 15: the card read into the screen, an address mapped, a returning citizen, a short number
        ("intake::identity::read_card", false, ok(crate::intake::identity::read_card(s, "001090012345||ĐẶNG HỮU PHƯỚC|05031990|Nam|Hà Nội|10082021"))),
        ("intake::identity::map_address", false, ok(crate::intake::identity::map_address(s, "Phường Quán Thánh, Quận Ba Đình, Hà Nội"))),
        ("intake::returning::returning", false, ok(crate::intake::returning::returning(s, "001090012345"))),
        ("search::find_one", false, ok(crate::search::find_one(s, code))),
    ]
}


#[test]
fn every_read_needs_a_logged_in_unlocked_session_once_an_admin_exists() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local("2026-03-02T09:00").unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    let code = intake(&mut s);
    let done = lifecycle::apply(&mut s, &code, &Command::HandOver { department: "Phòng Tư pháp".into() }).unwrap();
    let batch = done.progress.movements[0].batch.clone().unwrap();
    s.begin_print(&crate::printlog::NewPrint { dossier_code: Some(&code), form: "receipt", printer: None, copies: 1, template: "t" }).unwrap();

    // set-up mode (no admin yet, the demo data): everything reads, as today (a known gap)
    for (name, _, r) in every_read(&s, &code, &batch) {
        r.unwrap_or_else(|e| panic!("set-up mode, {name}: {e}"));
    }

    create_first_admin(&mut s, "admin", "Quản Trị Viên", "mat-khau-rat-dai", None).unwrap();
    add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "mat-khau-cua-lan", Some("1357")).unwrap();
    add_account(&mut s, "hung", "Trần Văn Hùng", Role::Head, "mat-khau-cua-hung", None).unwrap();
    logout(&mut s).unwrap();

    // nobody logged in: every read is refused, and the refusal names no data
    for (name, _, r) in every_read(&s, &code, &batch) {
        match r {
            Err(CoreError::Forbidden(_, m)) => assert!(m.contains("đăng nhập") && !m.contains("Bình"), "{name}: {m}"),
            other => panic!("{name} without a session: expected Forbidden, got {other:?}"),
        }
    }
    // a new connection to the same file has no session either
    let fresh = Store::open_dir(dir.path(), s.clock_arc()).unwrap();
    assert!(every_read(&fresh, &code, &batch).iter().all(|(_, _, r)| matches!(r, Err(CoreError::Forbidden(..)))));
    // what the window needs before a login still answers, without personal data
    assert!(state(&s).unwrap().accounts_enabled);

    // a clerk reads everything but the reports
    login(&mut s, "lan", "mat-khau-cua-lan").unwrap();
    for (name, reports, r) in every_read(&s, &code, &batch) {
        match (reports, r) {
            (false, r) => r.unwrap_or_else(|e| panic!("clerk, {name}: {e}")),
            (true, Err(CoreError::Forbidden(_, m))) => assert!(m.contains("không có quyền"), "{name}: {m}"),
            (true, other) => panic!("clerk, {name}: expected Forbidden, got {other:?}"),
        }
    }
    // a locked screen reads nothing
    lock(&mut s).unwrap();
    for (name, _, r) in every_read(&s, &code, &batch) {
        assert!(matches!(&r, Err(CoreError::Forbidden(_, m)) if m.contains("đang khóa")), "{name} while locked: {r:?}");
    }
    unlock_with_pin(&mut s, "1357").unwrap();

    // the head of unit and the system (sync task, scheduled backups) read everything
    login(&mut s, "hung", "mat-khau-cua-hung").unwrap();
    for (name, _, r) in every_read(&s, &code, &batch) {
        r.unwrap_or_else(|e| panic!("head, {name}: {e}"));
    }
    s.act_as_system();
    for (name, _, r) in every_read(&s, &code, &batch) {
        r.unwrap_or_else(|e| panic!("system, {name}: {e}"));
    }
}
