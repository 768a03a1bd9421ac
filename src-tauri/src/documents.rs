//! Tauri commands of the electronic dossier (issue 16): one-line adapters to motcua-documents (the
//! pages waiting for each checklist item, scanning through SANE) and motcua-core::documents (what a
//! dossier holds, each file's upload state, opening one — audited). Staging keys are chosen by the
//! screen: `intake/<item id>` while a dossier is being taken in, `<code>/<item id>` or `<code>/result`
//! for one already taken in.

use std::sync::Mutex;

use motcua_core::documents::{self, uploads::UploadSummary, DocumentView};
use motcua_core::{AppError, Reason, Store};
use motcua_devices::page_scan::{ScanSettings, ScannerInfo};
use motcua_documents::staging::{Staging, StagingView};
use tauri::State;

type Db<'a> = State<'a, Mutex<Store>>;
type Stage<'a> = State<'a, Mutex<Staging>>;

fn staging<'a>(s: &'a Stage) -> std::sync::MutexGuard<'a, Staging> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn scanner() -> Box<dyn motcua_devices::page_scan::PageScanner> {
    motcua_devices::system_scanner()
}

/// The document scanners connected now.
#[tauri::command(async)]
pub fn scanners_list(db: Db) -> Result<Vec<ScannerInfo>, AppError> {
    super::commands::lock(&db).require(motcua_core::accounts::Right::Read)?;
    Ok(scanner().list()?)
}

/// Scans into an item: the pages read are kept even when the scanner stops with an error (the error
/// is returned after they are added; the screen reads the staging again).
#[tauri::command(async)]
pub fn staging_scan(db: Db, stage: Stage, key: String, device: Option<String>, settings: Option<ScanSettings>) -> Result<StagingView, AppError> {
    super::commands::lock(&db).require(motcua_core::accounts::Right::Intake)?;
    let settings = settings.unwrap_or_default();
    let (pages, err) = motcua_documents::scan(scanner().as_ref(), device.as_deref(), &settings);
    let mut s = staging(&stage);
    if !pages.is_empty() {
        s.add_pages(&key, documents::DocSource::Scanner, pages)?;
    }
    match err {
        Some(e) => Err(e.into()),
        None => Ok(s.view()),
    }
}

/// A citizen's file (picked or dropped), its bytes as the raw request body; headers `x-key` (the
/// staging key) and `x-name` (the file's name, percent-encoded UTF-8).
#[tauri::command(async)]
pub fn staging_import(db: Db, stage: Stage, request: tauri::ipc::Request) -> Result<StagingView, AppError> {
    super::commands::lock(&db).require(motcua_core::accounts::Right::Intake)?;
    let header = |n: &str| request.headers().get(n).and_then(|v| v.to_str().ok()).map(percent_decode).unwrap_or_default();
    let (key, name) = (header("x-key"), header("x-name"));
    let bytes = body_bytes(request.body()).ok_or_else(|| Reason::Invalid.error("Tệp phải được gửi dưới dạng dữ liệu nhị phân"))?;
    motcua_core::documents::files::check_size(&motcua_core::documents::files::shown_name(&name), bytes.len() as u64)?;
    let mut s = staging(&stage);
    s.add_file(&key, &name, &bytes)?;
    Ok(s.view())
}

/// The file's bytes: the raw body (IPC over the custom protocol), or — where the webview sends
/// invokes by postMessage (WebKitGTK) — the JSON form of a Uint8Array (an array, or an object keyed
/// by index).
fn body_bytes(body: &tauri::ipc::InvokeBody) -> Option<Vec<u8>> {
    match body {
        tauri::ipc::InvokeBody::Raw(b) => Some(b.clone()),
        tauri::ipc::InvokeBody::Json(serde_json::Value::Array(a)) => a.iter().map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect(),
        tauri::ipc::InvokeBody::Json(serde_json::Value::Object(o)) => {
            let mut out = vec![0u8; o.len()];
            for (k, v) in o {
                let i: usize = k.parse().ok()?;
                *out.get_mut(i)? = u8::try_from(v.as_u64()?).ok()?;
            }
            Some(out)
        }
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The pages waiting are a citizen's papers: read and changed only by a logged-in, unlocked clerk.
fn may_read(db: &Db) -> Result<(), AppError> {
    Ok(super::commands::lock(db).require(motcua_core::accounts::Right::Read)?)
}

#[tauri::command(async)]
pub fn staging_view(db: Db, stage: Stage) -> Result<StagingView, AppError> {
    may_read(&db)?;
    Ok(staging(&stage).view())
}

#[tauri::command(async)]
pub fn staging_page_remove(db: Db, stage: Stage, key: String, index: usize) -> Result<StagingView, AppError> {
    may_read(&db)?;
    let mut s = staging(&stage);
    s.remove_page(&key, index)?;
    Ok(s.view())
}

#[tauri::command(async)]
pub fn staging_page_move(db: Db, stage: Stage, key: String, from: usize, to: usize) -> Result<StagingView, AppError> {
    may_read(&db)?;
    let mut s = staging(&stage);
    s.move_page(&key, from, to)?;
    Ok(s.view())
}

/// Forgets the items under `prefix` (`intake/` when the form is cleared for the next citizen).
#[tauri::command(async)]
pub fn staging_clear(stage: Stage, prefix: String) -> StagingView {
    let mut s = staging(&stage);
    s.clear(&prefix);
    s.view()
}

/// One page larger, to check it on screen.
#[tauri::command(async)]
pub fn staging_page_image(db: Db, stage: Stage, key: String, index: usize) -> Result<String, AppError> {
    may_read(&db)?;
    Ok(staging(&stage).page_image(&key, index, 1100)?)
}

/// Makes the PDFs of every item waiting under `intake/` as the request's attachments (called by
/// `intake_submit`); the items stay until the dossier is stored.
pub fn intake_attachments(store: &Store, stage: &Mutex<Staging>, request: &mut motcua_core::intake::IntakeRequest) -> Result<Vec<String>, AppError> {
    let s = stage.lock().unwrap_or_else(|e| e.into_inner());
    Ok(motcua_documents::items::intake_attachments(store, &s, request)?)
}

/// Saves an item of a dossier already taken in (`<code>/<item id>` or `<code>/result`).
#[tauri::command(async)]
pub fn documents_save(db: Db, stage: Stage, code: String, key: String, name: Option<String>) -> Result<Vec<DocumentView>, AppError> {
    let store = &mut super::commands::lock(&db);
    Ok(motcua_documents::items::save_to_dossier(store, &mut staging(&stage), &code, &key, name)?)
}

/// A dossier's documents with each one's upload state.
#[tauri::command(async)]
pub fn documents_of(db: Db, code: String) -> Result<Vec<DocumentView>, AppError> {
    Ok(documents::list(&super::commands::lock(&db), &code)?.1)
}

/// A document's PDF for the viewer (audited); fetched from the portal when this machine does not hold
/// it (another counter's, or pruned after upload).
#[tauri::command(async)]
pub fn document_bytes(db: Db, code: String, sha256: String) -> Result<tauri::ipc::Response, AppError> {
    let store = &mut super::commands::lock(&db);
    if !documents::blobs_of(store).has(&sha256) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Reason::Internal.error(e.to_string()))?;
        rt.block_on(motcua_sync::blobs::fetch(store, &sha256)).map_err(AppError::from)?;
    }
    Ok(tauri::ipc::Response::new(documents::open(store, &code, &sha256)?))
}

/// The upload queue at a glance (the status bar).
#[tauri::command(async)]
pub fn uploads_summary(db: Db) -> Result<UploadSummary, AppError> {
    Ok(documents::uploads::summary(&super::commands::lock(&db))?)
}
