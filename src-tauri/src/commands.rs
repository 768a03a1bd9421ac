//! Tauri commands: one-line adapters from the UI's `invoke` to motcua-core. Errors cross as
//! `AppError {code, message, field}`.

use std::sync::{Mutex, MutexGuard};

use motcua_core::catalog::{self, Procedure};
use motcua_core::dossier::Dossier;
use motcua_core::intake::{self, IntakePreview, IntakeRequest};
use motcua_core::search::{self, SearchPage};
use motcua_core::store::CounterStatus;
use motcua_core::{AppError, Store};
use tauri::State;

type Db<'a> = State<'a, Mutex<Store>>;

fn lock<'a>(db: &'a Db) -> MutexGuard<'a, Store> {
    // a panic in another command must not lock the counter out of its own data
    db.lock().unwrap_or_else(|e| e.into_inner())
}

#[tauri::command(async)]
pub fn app_status(db: Db) -> Result<CounterStatus, AppError> {
    Ok(lock(&db).status()?)
}

#[tauri::command(async)]
pub fn catalog_search(db: Db, query: String) -> Result<Vec<Procedure>, AppError> {
    Ok(catalog::search(lock(&db).procedures(), &query).into_iter().take(20).cloned().collect())
}

#[tauri::command(async)]
pub fn intake_preview(db: Db, procedure_code: String) -> Result<IntakePreview, AppError> {
    Ok(intake::preview(&lock(&db), &procedure_code, None)?)
}

#[tauri::command(async)]
pub fn intake_submit(db: Db, request: IntakeRequest) -> Result<Dossier, AppError> {
    Ok(intake::submit(&mut lock(&db), &request)?)
}

#[tauri::command(async)]
pub fn dossier_search(db: Db, query: String, cursor: Option<i64>) -> Result<SearchPage, AppError> {
    Ok(search::search(&lock(&db), &query, cursor, None)?)
}

#[tauri::command(async)]
pub fn dossier_get(db: Db, code: String) -> Result<Dossier, AppError> {
    Ok(lock(&db).dossier_by_code(&code)?)
}
