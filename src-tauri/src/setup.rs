//! The first-run set-up's commands: one-line adapters over `motcua_core::setup` (steps, finish,
//! offline), the printer's test page (`motcua_forms::test_page`) and the live test of a portal or
//! hub address (`GET /v1/health`, which consumes no enrolment code). The enrolment itself runs at
//! the end, as `sync_enrol` does.

use motcua_core::setup::{self, SetupDraft, SetupState, SetupStep};
use motcua_core::{AppError, Reason};
use motcua_forms::print;

use crate::commands::{lock, Db, Poke, Sync};

#[tauri::command(async)]
pub fn setup_state(db: Db) -> Result<SetupState, AppError> {
    Ok(setup::state(&lock(&db))?)
}

#[tauri::command(async)]
pub fn setup_save(db: Db, step: SetupStep, draft: SetupDraft) -> Result<SetupState, AppError> {
    Ok(setup::save_step(&mut lock(&db), step, &draft)?)
}

/// Prints the test page on `printer` (empty: the system default) with the names saved so far.
#[tauri::command(async)]
pub fn setup_test_print(db: Db, printer: String) -> Result<print::JobTicket, AppError> {
    let (info, dir) = {
        let g = lock(&db);
        (motcua_forms::test_page::for_setup(&g, &printer)?, g.data_dir().join("prints"))
    };
    Ok(motcua_forms::test_page::print(&info, &dir, print::system().as_ref())?)
}

/// Whether a portal or hub answers at `url`: its identity, or the reason it cannot be reached.
#[tauri::command(async)]
pub fn setup_test_portal(url: String) -> Result<String, AppError> {
    let url = setup::check_portal_url(&url)?;
    let id = crate::commands::on_own_runtime(move |rt| Ok(rt.block_on(async { motcua_sync::PortalClient::new(&url, None)?.portal_id().await })?))?;
    if id.is_empty() {
        return Err(Reason::PortalRefused.error("Máy ở địa chỉ này trả lời nhưng không phải cổng Một Cửa (không có mã cổng)"));
    }
    Ok(id)
}

/// The last step: everything written at once and the admin logged in; with a portal, the enrolment
/// with `enrolment_code` follows (its failure leaves the set-up at the connection, to try again).
#[tauri::command(async)]
pub fn setup_finish(db: Db, poke: Poke, sync: Sync, password: String, pin: String, enrolment_code: Option<String>) -> Result<SetupState, AppError> {
    let st = setup::finish(&mut lock(&db), &password, &pin)?;
    poke.now();
    match (st.stage, enrolment_code.filter(|c| !c.trim().is_empty())) {
        (setup::SetupStage::Enrolling, Some(code)) => setup_enrol(db, poke, sync, code, None),
        _ => Ok(st),
    }
}

/// While enrolling: enrol with the portal chosen in the set-up (or the address given now, kept).
#[tauri::command(async)]
pub fn setup_enrol(db: Db, poke: Poke, sync: Sync, code: String, url: Option<String>) -> Result<SetupState, AppError> {
    let portal = {
        let mut g = lock(&db);
        match url.filter(|u| !u.trim().is_empty()) {
            Some(u) => setup::set_portal_url(&mut g, &u)?.draft.portal_url,
            None => setup::state(&g)?.draft.portal_url,
        }
    };
    crate::commands::enrol_blocking(&db, &portal, &code)?;
    sync.sync_now();
    poke.now();
    Ok(setup::state(&lock(&db))?)
}

/// While enrolling: number from an offline block instead, for now.
#[tauri::command(async)]
pub fn setup_offline(db: Db, poke: Poke, first: u32, last: u32) -> Result<SetupState, AppError> {
    let out = setup::choose_offline(&mut lock(&db), first, last)?;
    poke.now();
    Ok(out)
}




