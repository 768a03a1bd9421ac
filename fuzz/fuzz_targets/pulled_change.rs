//! A change as a counter pulls it (from the portal, or from anything pretending to be one): checked
//! by `validate_pulled_change`, then applied to a real counter database. A change that fails the
//! check must never be stored (it is kept aside in `sync_failed`), and nothing may panic or corrupt
//! the store.
#![no_main]
use std::cell::RefCell;
use std::sync::Arc;

use motcua_core::sync::protocol::*;

thread_local! {
    static STORE: RefCell<(tempfile::TempDir, motcua_core::Store)> = RefCell::new({
        let dir = tempfile::tempdir().unwrap();
        let mut s = motcua_core::Store::open_dir(dir.path(), Arc::new(motcua_core::clock::SystemClock)).unwrap();
        s.ensure_demo().unwrap();
        let resp = EnrolResponse { protocol: 1, device_id: "d".into(), token: "t".into(), portal_id: "p".into(), server_time: 0, last_seq: 0, standing_blocks: vec![] };
        motcua_core::sync::save_enrolment(&mut s, "http://127.0.0.1:1", &resp).unwrap();
        (dir, s)
    });
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(change) = serde_json::from_slice::<Change>(data) else { return };
    let verdict = motcua_core::sync::pulled::validate_pulled_change(&change);
    let is_event = matches!(change.body, ChangeBody::Event { .. });
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        let count = |s: &motcua_core::Store| -> i64 { rusqlite::Connection::open(s.path()).unwrap().query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap() };
        let before = count(&s.1);
        let page = ChangesResponse { protocol: 1, server_time: 0, next_cursor: change.portal_seq, more: false, changes: vec![change] };
        let _ = motcua_core::sync::apply_changes(&mut s.1, &page);
        if is_event && verdict.is_err() {
            assert_eq!(count(&s.1), before, "an event that fails the check was stored");
        }
        let ok: String = rusqlite::Connection::open(s.1.path()).unwrap().query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    });
});
