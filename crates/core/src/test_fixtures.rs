//! Shared set-up for the core's unit tests: a real counter database in a temporary folder, and the
//! plain intake most tests take in. One place, so a new required field changes one fixture.

use std::sync::Arc;

use crate::clock::{parse_local, FixedClock};
use crate::store::InitParams;
use crate::Store;

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
        "procedure_code": "1.004873",
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap();
    crate::intake::submit(s, &req).unwrap().code
}
