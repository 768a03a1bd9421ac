//! What a portal (or anything pretending to be one) answers: the version check, the typed answers,
//! and applying a page of changes to a real counter database. Bad input must be refused or kept
//! aside, never panic and never corrupt the store.
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
    let Ok(raw) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if check_version(&raw).is_err() {
        return;
    }
    let _ = serde_json::from_value::<PushResponse>(raw.clone());
    let _ = serde_json::from_value::<EnrolResponse>(raw.clone());
    let _ = serde_json::from_value::<LeaseResponse>(raw.clone());
    if let Ok(page) = serde_json::from_value::<ChangesResponse>(raw) {
        STORE.with(|s| {
            let mut s = s.borrow_mut();
            let _ = motcua_core::sync::apply_changes(&mut s.1, &page);
            let ok: String = rusqlite::Connection::open(s.1.path()).unwrap().query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
            assert_eq!(ok, "ok");
        });
    }
});
