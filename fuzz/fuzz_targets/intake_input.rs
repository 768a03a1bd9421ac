//! The intake form's input (from the UI or `motcua intake --json`): any JSON either becomes a dossier
//! or a clear validation error; text helpers never panic on any string.
#![no_main]
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    static STORE: RefCell<(tempfile::TempDir, motcua_core::Store)> = RefCell::new({
        let dir = tempfile::tempdir().unwrap();
        let mut s = motcua_core::Store::open_dir(dir.path(), Arc::new(motcua_core::clock::SystemClock)).unwrap();
        s.ensure_demo().unwrap();
        (dir, s)
    });
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = motcua_core::text::clean(&text);
    let _ = motcua_core::text::fold_words(&text);
    let _ = motcua_core::validate::parse_date(&text);
    let _ = motcua_core::validate::normalise_phone(&text);
    let _ = motcua_core::clock::parse_local(&text);
    let _ = motcua_core::lifecycle::parse_appointment(&text);
    if let Ok(req) = serde_json::from_slice::<motcua_core::intake::IntakeRequest>(data) {
        STORE.with(|s| {
            let mut s = s.borrow_mut();
            let _ = motcua_core::intake::submit(&mut s.1, &req);
            // the guidance path reads the same request: the unticked items, never a panic
            let _ = motcua_core::intake::contact::missing_items(&s.1, &req);
        });
    }
    STORE.with(|s| {
        let _ = motcua_core::search::search(&s.borrow().1, &text, None, None);
    });
});
