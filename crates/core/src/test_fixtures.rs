//! Shared set-up for the core's unit tests: a real counter database in a temporary folder, and the
//! plain intake most tests take in. One place, so a new required field changes one fixture.

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;

use crate::clock::{parse_local, Clock, FixedClock};
use crate::store::InitParams;
use crate::Store;

/// A clock the test moves by hand (`set`, `advance`).
#[derive(Clone)]
pub(crate) struct Hands(pub(crate) Arc<Mutex<NaiveDateTime>>);

impl Clock for Hands {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap()
    }
}

impl Hands {
    pub(crate) fn at(now: &str) -> Hands {
        Hands(Arc::new(Mutex::new(parse_local(now).unwrap())))
    }
    pub(crate) fn set(&self, t: &str) {
        *self.0.lock().unwrap() = parse_local(t).unwrap();
    }
    pub(crate) fn advance(&self, secs: i64) {
        *self.0.lock().unwrap() += chrono::Duration::seconds(secs);
    }
}

/// The demo counter (`ensure_demo`: demo agency, shipped catalog) in `dir`, its clock fixed at `now`.
pub(crate) fn demo(now: &str) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local(now).unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    (dir, s)
}

/// The demo counter in `<tmp>/<sub>` (the current folder when `sub` is empty), with a clock moved by hand.
pub(crate) fn demo_with_hands(now: &str, sub: &str) -> (tempfile::TempDir, Store, Hands) {
    let dir = tempfile::tempdir().unwrap();
    let hands = Hands::at(now);
    let mut s = Store::open_dir(&dir.path().join(sub), Arc::new(hands.clone())).unwrap();
    s.ensure_demo().unwrap();
    (dir, s, hands)
}

/// A counter `id` of agency 000.00.31.H26 with the clock fixed at `now`, owning `blocks`.
pub(crate) fn counter(id: &str, now: &str, blocks: Vec<(u32, u32)>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local(now).unwrap()))).unwrap();
    s.init(&InitParams {
        agency_code: "000.00.31.H26".into(),
        agency_name: "UBND phường Ba Đình".into(),
        agency_address: String::new(),
        counter_id: id.into(),
        counter_name: format!("Quầy {id}"),
        clerk_id: format!("CB-{id}"),
        clerk_name: "Nguyễn Thị Lan".into(),
        code_blocks: blocks,
    })
    .unwrap();
    (dir, s)
}

/// Takes in one valid dossier (marital-status certificate) and returns its code.
pub(crate) fn intake(s: &mut Store) -> String {
    let req: crate::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap();
    crate::intake::submit(s, &req).unwrap().code
}
