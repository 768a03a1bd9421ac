//! Tauri's build step, with the app's own commands declared: each gets an `allow-…` permission, and
//! the window's capability (capabilities/default.json) lists exactly the ones the UI needs. A command
//! not listed there is refused to the page even if it is compiled in.

const COMMANDS: &[&str] = &[
    "app_status",
    "catalog_search",
    "intake_preview",
    "intake_submit",
    "dossier_search",
    "dossier_get",
    "form_print",
    "form_preview",
    "printers_list",
    "prints_of",
    "settings_get",
    "settings_save",
    "pdf_open",
    "lifecycle_apply",
    "work_counts",
    "work_list",
    "sync_status",
    "sync_now",
    "sync_parked",
    "sync_retry_parked",
    "sync_conflicts",
    "sync_settle",
    "sync_enrol",
    "dossier_sync",
    "auth_state",
    "auth_setup_admin",
    "auth_login",
    "auth_lock",
    "auth_unlock_pin",
    "auth_unlock_password",
    "auth_logout",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build step");
}
