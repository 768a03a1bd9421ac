//! Tauri commands: one-line adapters from the UI's `invoke` to motcua-core. Errors cross as
//! `AppError {code, reason, message, field}`. A command that changes something pokes the dashboard
//! pusher (`push`). The list of commands is src/command_list.rs.

use std::sync::{Mutex, MutexGuard};

use motcua_core::catalog::ProcedureView;
use motcua_core::dashboard::Dashboard;
use motcua_core::catalog::FeeUnits;
use motcua_core::intake::identity::{self, CardReading};
use motcua_core::intake::returning::ReturningCitizen;
use motcua_core::intake::{self, IntakePreview, IntakeRequest};
use motcua_core::units::{AddressMapping, UnitView};
use motcua_core::search::{self, SearchPage};
use motcua_core::store::CounterStatus;
use motcua_core::{AppError, Reason, Store};
use motcua_core::sync::{self, ConflictItem, DossierSync, ParkedEvent, SyncStatus};
use motcua_core::accounts::{self, AuthState, Session};
use motcua_sync::SyncHandle;
use tauri::State;

pub use crate::documents::*;
pub use crate::setup::*;

pub(crate) type Db<'a> = State<'a, Mutex<Store>>;
pub(crate) type Sync<'a> = State<'a, SyncHandle>;
pub(crate) type Poke<'a> = State<'a, crate::push::Poke>;

pub(crate) fn lock<'a>(db: &'a Db) -> MutexGuard<'a, Store> {
    // a panic in another command must not lock the counter out of its own data
    let mut g = db.lock().unwrap_or_else(|e| e.into_inner());
    // the sync task may have pulled a new catalog or calendar on its own connection
    if let Err(e) = g.refresh_if_stale() {
        tracing::warn!("refresh: {e}");
    }
    g
}

#[tauri::command(async)]
pub fn app_status(db: Db) -> Result<CounterStatus, AppError> {
    Ok(lock(&db).status()?)
}

/// What the header, the counts and the sync badge show (then pushed as the `dashboard` event).
#[tauri::command(async)]
pub fn dashboard(db: Db) -> Result<Dashboard, AppError> {
    Ok(motcua_core::dashboard::now(&lock(&db))?)
}

#[tauri::command(async)]
pub fn catalog_search(db: Db, query: String) -> Result<Vec<ProcedureView>, AppError> {
    Ok(lock(&db).catalog_search(&query, 20)?)
}

#[tauri::command(async)]
pub fn intake_preview(db: Db, procedure_code: String, case_id: Option<String>, fee_units: Option<FeeUnits>) -> Result<IntakePreview, AppError> {
    Ok(intake::preview_with(&lock(&db), &procedure_code, case_id.as_deref(), fee_units, None)?)
}

/// A card string from a scanner (either mode), read and checked, with its address's current form.
#[tauri::command(async)]
pub fn card_read(db: Db, text: String) -> Result<CardReading, AppError> {
    Ok(identity::read_card(&lock(&db), &text)?)
}

/// A picture of the card (file or paste): its QR code decoded, then read as a scan.
#[tauri::command(async)]
pub fn card_from_image(db: Db, image: Vec<u8>) -> Result<CardReading, AppError> {
    let texts = motcua_devices::qr_image::decode(&image).map_err(|e| Reason::Invalid.error(e.to_string()))?;
    let text = texts.iter().find(|t| motcua_core::card::looks_like_card(t)).unwrap_or(&texts[0]);
    Ok(identity::read_card(&lock(&db), text)?)
}

#[tauri::command(async)]
pub fn address_map(db: Db, address: String) -> Result<AddressMapping, AppError> {
    Ok(identity::map_address(&lock(&db), &address)?)
}

#[tauri::command(async)]
pub fn units_search(db: Db, query: String) -> Result<Vec<UnitView>, AppError> {
    Ok(identity::search_units(&lock(&db), &query)?)
}

/// Earlier details of a returning citizen, offered (never filled in silently).
#[tauri::command(async)]
pub fn applicant_returning(db: Db, id_number: String) -> Result<Option<ReturningCitizen>, AppError> {
    Ok(intake::returning::returning(&lock(&db), &id_number)?)
}

/// The items a guidance slip would list for the form as it stands (the unticked mandatory ones).
#[tauri::command(async)]
pub fn intake_missing(db: Db, request: IntakeRequest) -> Result<Vec<String>, AppError> {
    Ok(intake::contact::missing_items(&lock(&db), &request)?)
}

/// Guidance or refusal at intake without taking the dossier in: records the contact (its own
/// number, no dossier code) and prints its slip (Mẫu 02 / Mẫu 03).
#[tauri::command(async)]
pub fn intake_contact(db: Db, sync: Sync, poke: Poke, contact: intake::contact::ContactRequest) -> Result<service::ContactOutcome, AppError> {
    let out = service::contact(&mut lock(&db), &contact, None, true, print::system().as_ref())?;
    sync.sync_now();
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn intake_submit(
    db: Db,
    sync: Sync,
    poke: Poke,
    stage: State<'_, Mutex<motcua_documents::staging::Staging>>,
    request: IntakeRequest,
) -> Result<DossierView, AppError> {
    let store = &mut lock(&db);
    // the papers scanned for this dossier become its documents, in the same transaction
    let mut request = request;
    let staged = crate::documents::intake_attachments(store, &stage, &mut request)?;
    let d = intake::submit(store, &request)?;
    for key in staged {
        stage.lock().unwrap_or_else(|e| e.into_inner()).clear(&key);
    }
    sync.sync_now(); // on its way to the portal at once when the line is up
    poke.now();
    Ok(DossierView::read(store, d)?)
}

#[tauri::command(async)]
pub fn dossier_search(db: Db, query: String, cursor: Option<i64>) -> Result<SearchPage, AppError> {
    Ok(search::search(&*lock(&db), &query, cursor, None)?)
}

#[tauri::command(async)]
pub fn dossier_get(db: Db, code: String) -> Result<DossierView, AppError> {
    let store = lock(&db);
    // a code, or the day's short number read off the receipt
    let d = search::find_one(&store, &code)?;
    Ok(DossierView::read(&store, d)?)
}

// ---- forms and printing (motcua-forms) ----

use motcua_core::printlog::PrintEntry;
use motcua_core::settings::CounterSettings;
use motcua_forms::data::FormInput;
use motcua_forms::print::{self, PrinterInfo};
use motcua_forms::service::{self, PrintOutcome, PrintRequest};
use motcua_forms::FormKind;

fn form_request(form: FormKind, code: Option<String>, input: Option<FormInput>, from: Option<String>, to: Option<String>) -> Result<PrintRequest, AppError> {
    let day = |s: Option<String>, field: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        Ok(s.map(|v| motcua_core::dates::read_date(field, &v)).transpose()?)
    };
    Ok(PrintRequest { kind: Some(form), code, input: input.unwrap_or_default(), from: day(from, "from")?, to: day(to, "to")?, ..Default::default() })
}

/// Renders, saves, logs and prints a form. A printer failure comes back inside the outcome (`error`),
/// with the saved PDF's path, never as a failure of the dossier.
#[tauri::command(async)]
#[allow(clippy::too_many_arguments)]
pub fn form_print(
    db: Db,
    form: FormKind,
    code: Option<String>,
    input: Option<FormInput>,
    from: Option<String>,
    to: Option<String>,
    copies: Option<u32>,
    send: bool,
) -> Result<PrintOutcome, AppError> {
    let mut req = form_request(form, code, input, from, to)?;
    req.copies = copies;
    req.send = send;
    Ok(service::produce(&mut lock(&db), &req, print::system().as_ref())?)
}

/// The PDF bytes of a form, for the preview; nothing is saved or logged.
#[tauri::command(async)]
pub fn form_preview(db: Db, form: FormKind, code: Option<String>, input: Option<FormInput>, from: Option<String>, to: Option<String>) -> Result<tauri::ipc::Response, AppError> {
    let req = form_request(form, code, input, from, to)?;
    let (rendered, _) = service::render_form(&*lock(&db), &req)?;
    Ok(tauri::ipc::Response::new(rendered.pdf))
}

#[tauri::command(async)]
pub fn printers_list() -> Result<Vec<PrinterInfo>, AppError> {
    Ok(print::system().printers()?)
}

#[tauri::command(async)]
pub fn prints_of(db: Db, code: String) -> Result<Vec<PrintEntry>, AppError> {
    Ok(lock(&db).prints_of(&code)?)
}

#[tauri::command(async)]
pub fn settings_get(db: Db) -> Result<CounterSettings, AppError> {
    Ok(CounterSettings::load(&lock(&db))?)
}

#[tauri::command(async)]
pub fn settings_save(app: tauri::AppHandle, db: Db, poke: Poke, scanner: State<crate::scanner::Scanner>, settings: CounterSettings) -> Result<CounterSettings, AppError> {
    let mut store = lock(&db);
    settings.save(&mut store)?;
    poke.now();
    let saved = CounterSettings::load(&store)?;
    scanner.listen(&app, &saved.scanner_port);
    Ok(saved)
}

/// Opens a saved PDF with the system's viewer; only files under the data directory's prints/.
#[tauri::command(async)]
pub fn pdf_open(db: Db, path: String) -> Result<(), AppError> {
    let prints = lock(&db).path().parent().map(|d| d.join("prints")).unwrap_or_default();
    let file = std::path::Path::new(&path);
    let inside = file.canonicalize().ok().zip(prints.canonicalize().ok()).is_some_and(|(f, p)| f.starts_with(p));
    if !inside {
        return Err(motcua_core::CoreError::invalid("Chỉ mở được tệp PDF do ứng dụng đã lưu").into());
    }
    let opener = if cfg!(windows) { "explorer" } else if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    std::process::Command::new(opener)
        .arg(file)
        .spawn()
        .map_err(|e| Reason::Internal.error(format!("Không mở được PDF ({opener}: {e}). Tệp ở {path}")))?;
    Ok(())
}

// ---- lifecycle: hand-over, results, supplements, return; work lists (motcua-core::lifecycle) ----

use motcua_core::lifecycle::{self, Command, DossierView, Step, WorkCounts, WorkItem, WorkList};
use std::collections::BTreeMap;

/// One command on one or more dossiers (a scanned batch): all or nothing.
#[tauri::command(async)]
pub fn lifecycle_apply(db: Db, sync: Sync, poke: Poke, codes: Vec<String>, command: Command) -> Result<Vec<DossierView>, AppError> {
    let out = lifecycle::apply_many(&mut lock(&db), &codes, &command)?;
    sync.sync_now();
    poke.now();
    Ok(out.into_iter().map(DossierView::of).collect())
}

/// A step from its small form: the core makes the command from the values (`Command::from_values`).
#[tauri::command(async)]
pub fn lifecycle_step(db: Db, sync: Sync, poke: Poke, code: String, step: Step, values: BTreeMap<String, String>) -> Result<DossierView, AppError> {
    let store = &mut lock(&db);
    let d = lifecycle::apply(store, &code, &Command::from_values(step, &values)?)?;
    sync.sync_now();
    poke.now();
    Ok(DossierView::read(store, d)?)
}

#[tauri::command(async)]
pub fn work_counts(db: Db) -> Result<WorkCounts, AppError> {
    Ok(lifecycle::counts(&*lock(&db))?)
}

#[tauri::command(async)]
pub fn work_list(db: Db, list: WorkList) -> Result<Vec<WorkItem>, AppError> {
    Ok(lifecycle::list(&*lock(&db), list, 200)?)
}

#[tauri::command(async)]
pub fn sync_status(db: Db) -> Result<SyncStatus, AppError> {
    Ok(sync::status(&lock(&db))?)
}

/// "Đồng bộ ngay": wakes the background task (it runs the round; the status shows the outcome).
#[tauri::command(async)]
pub fn sync_now(db: Db, sync: Sync) -> Result<SyncStatus, AppError> {
    let status = sync::status(&lock(&db))?;
    if !status.enrolled {
        // nothing to sync with: said, not silently ignored
        return Err(motcua_sync::SyncError::NotEnrolled.into());
    }
    sync.sync_now();
    Ok(status)
}

#[tauri::command(async)]
pub fn sync_parked(db: Db) -> Result<Vec<ParkedEvent>, AppError> {
    Ok(sync::parked(&lock(&db))?)
}

#[tauri::command(async)]
pub fn sync_retry_parked(db: Db, poke: Poke, sync: Sync) -> Result<u32, AppError> {
    let n = sync::retry_parked(&mut lock(&db))?;
    sync.sync_now();
    let out = n as u32;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn sync_conflicts(db: Db) -> Result<Vec<ConflictItem>, AppError> {
    Ok(sync::conflicts(&lock(&db))?)
}

#[tauri::command(async)]
pub fn sync_settle(db: Db, poke: Poke, event_uid: String) -> Result<(), AppError> {
    let out = sync::settle_conflict(&mut lock(&db), &event_uid)?;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn dossier_sync(db: Db, code: String) -> Result<DossierSync, AppError> {
    Ok(sync::dossier_sync(&*lock(&db), &code)?)
}

/// Enrols this counter with a portal (an admin step; also `motcua enrol`). The HTTP call runs on a
/// thread of its own with its own runtime and its own connection, which gets the app's session
/// explicitly (the core checks the admin's right on it before any network call).
#[tauri::command(async)]
pub fn sync_enrol(db: Db, poke: Poke, sync: Sync, portal: String, code: String) -> Result<SyncStatus, AppError> {
    enrol_blocking(&db, &portal, &code)?;
    sync.sync_now();
    let out = sync::status(&lock(&db))?;
    poke.now();
    Ok(out)
}

/// "Gửi chẩn đoán": the recent log and crash records to the portal (on a thread of its own).
#[tauri::command(async)]
pub fn diagnostics_send(db: Db) -> Result<i64, AppError> {
    let (path, clock, session) = {
        let g = lock(&db);
        (g.path().to_path_buf(), g.clock_arc(), g.session().cloned())
    };
    on_own_runtime(move |rt| {
        let store = Store::open_as(&path, clock, session.as_ref())?;
        Ok(rt.block_on(motcua_sync::send_diagnostics(&store))?)
    })
}

/// Runs `f` with a Tokio runtime of its own on a thread of its own: a command already runs on the
/// app's runtime, where a second one cannot block.
pub(crate) fn on_own_runtime<T: Send + 'static>(f: impl FnOnce(&tokio::runtime::Runtime) -> Result<T, AppError> + Send + 'static) -> Result<T, AppError> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Reason::Internal.error(e.to_string()))?;
        f(&rt)
    })
    .join()
    .map_err(|_| Reason::Internal.error("a network thread panicked"))?
}

/// Enrols on a thread and connection of its own (as the logged-in admin), waiting for the answer.
pub(crate) fn enrol_blocking(db: &Db, portal: &str, code: &str) -> Result<(), AppError> {
    let (path, clock, session) = {
        let g = lock(db);
        (g.path().to_path_buf(), g.clock_arc(), g.session().cloned())
    };
    let (portal, code) = (portal.to_string(), code.to_string());
    on_own_runtime(move |rt| {
        let mut store = Store::open_as(&path, clock, session.as_ref())?;
        rt.block_on(motcua_sync::enrol(&mut store, &portal, &code))?;
        Ok(())
    })
}

#[tauri::command(async)]
pub fn auth_state(db: Db) -> Result<AuthState, AppError> {
    Ok(accounts::state(&lock(&db))?)
}

/// First run: the admin account; logs the admin in.
#[tauri::command(async)]
pub fn auth_setup_admin(db: Db, poke: Poke, id: String, name: String, password: String, pin: Option<String>) -> Result<Session, AppError> {
    let out = accounts::create_first_admin(&mut lock(&db), &id, &name, &password, pin.as_deref().filter(|p| !p.is_empty()))?;
    poke.now();
    Ok(out)
}

/// Log in, or switch clerk at a shared counter.
#[tauri::command(async)]
pub fn auth_login(db: Db, poke: Poke, id: String, password: String) -> Result<Session, AppError> {
    let out = accounts::login(&mut lock(&db), &id, &password)?;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn auth_lock(db: Db, poke: Poke) -> Result<AuthState, AppError> {
    let mut g = lock(&db);
    accounts::lock(&mut g)?;
    let out = accounts::state(&g)?;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn auth_unlock_pin(db: Db, poke: Poke, pin: String) -> Result<Session, AppError> {
    let out = accounts::unlock_with_pin(&mut lock(&db), &pin)?;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn auth_unlock_password(db: Db, poke: Poke, password: String) -> Result<Session, AppError> {
    let out = accounts::unlock_with_password(&mut lock(&db), &password)?;
    poke.now();
    Ok(out)
}

#[tauri::command(async)]
pub fn auth_logout(db: Db, poke: Poke) -> Result<AuthState, AppError> {
    let mut g = lock(&db);
    accounts::logout(&mut g)?;
    let out = accounts::state(&g)?;
    poke.now();
    Ok(out)
}
