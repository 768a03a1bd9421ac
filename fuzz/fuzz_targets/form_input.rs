//! What a clerk types into a form (reasons, missing items, new dates, departments) and the template
//! markup: the layout engine renders every form for a real dossier with it, or refuses it with a
//! message, never panics.
#![no_main]
use std::cell::RefCell;
use std::sync::Arc;

use motcua_forms::service::{render_form, PrintRequest};
use motcua_forms::FormKind;

thread_local! {
    static STORE: RefCell<(tempfile::TempDir, motcua_core::Store, String)> = RefCell::new({
        let dir = tempfile::tempdir().unwrap();
        let mut s = motcua_core::Store::open_dir(dir.path(), Arc::new(motcua_core::clock::SystemClock)).unwrap();
        s.ensure_demo().unwrap();
        let req: motcua_core::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
            "procedure_code": "1.004873", "fee": 0,
            "applicant": {"full_name": "Nguyễn Văn A", "id_type": "cccd", "id_number": "001090012345",
                          "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
        })).unwrap();
        let code = motcua_core::intake::submit(&mut s, &req).unwrap().code;
        (dir, s, code)
    });
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = motcua_forms::template::parse_markup(&text);
    let Ok(input) = serde_json::from_slice::<motcua_forms::data::FormInput>(data) else { return };
    STORE.with(|s| {
        let s = s.borrow();
        for kind in [FormKind::Supplement, FormKind::Refusal, FormKind::Apology, FormKind::Stop, FormKind::Control] {
            let req = PrintRequest { kind: Some(kind), code: Some(s.2.clone()), input: input.clone(), ..Default::default() };
            let _ = render_form(&s.1, &req);
        }
    });
});
