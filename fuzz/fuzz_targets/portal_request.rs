//! What a client sends the portal: the first byte picks the route (enrol, push, lease, pull query),
//! the rest is the body (or query), read by the same functions the routes use (`request`) and, when
//! it parses, handled by the real portal database (pushed events go through the field checks of
//! `validate_pulled_event`). Bad input must be refused with a reason, never panic, never corrupt the
//! database.
#![no_main]
use std::cell::RefCell;

use motcua_core::sync::protocol::EnrolRequest;
use motcua_portal::db::{Device, PortalDb};
use motcua_portal::request;

thread_local! {
    static PORTAL: RefCell<(tempfile::TempDir, PortalDb, Device)> = RefCell::new({
        let dir = tempfile::tempdir().unwrap();
        let mut db = PortalDb::open(dir.path()).unwrap();
        let code = motcua_portal::enrolment::issue(&mut db, "000.00.31.H26", "Q01", 60).unwrap().code;
        let req = EnrolRequest {
            protocol: 1,
            enrolment_code: code,
            agency_code: "000.00.31.H26".into(),
            counter_id: "Q01".into(),
            counter_name: "Quầy 1".into(),
            app_version: "fuzz".into(),
            standing_blocks: vec![],
        };
        let token = db.enrol(&req).unwrap().token;
        let device = db.device_by_token(&token).unwrap();
        (dir, db, device)
    });
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&route, body)) = data.split_first() else { return };
    PORTAL.with(|p| {
        let mut p = p.borrow_mut();
        let (_, db, device) = &mut *p;
        match route % 4 {
            0 => {
                if let Ok(req) = request::parse_enrol(body) {
                    let _ = db.enrol(&req);
                }
            }
            1 => {
                if let Ok(mut req) = request::parse_push(body) {
                    for w in &req.events {
                        let _ = motcua_core::sync::pulled::validate_pulled_event(w);
                    }
                    req.device_id = device.device_id.clone();
                    let _ = db.push(device, &req);
                }
            }
            2 => {
                if let Ok(req) = request::parse_lease(body) {
                    let _ = db.lease(device, &req);
                }
            }
            _ => {
                if let Ok(q) = request::parse_changes_query(&String::from_utf8_lossy(body)) {
                    let _ = db.changes(device, q.cursor, q.limit.unwrap_or(500), q.own == 1);
                }
            }
        }
        let ok: String = db.conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok");
    });
});
