//! The desktop shell: opens the counter's database (a demo agency and the shipped catalog on a fresh
//! machine), starts the portal sync in the background, then serves the UI's commands. All domain logic is in motcua-core; forms and printing in motcua-forms.
//!
//! Arguments: `--data-dir DIR` (else $MOTCUA_DATA_DIR, else the OS data dir); `--now 2026-02-12T10:30`
//! (or $MOTCUA_NOW) pins the clock for scripted demos and end-to-end tests.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use motcua_core::clock::{parse_local, Clock, FixedClock, SystemClock};
use motcua_core::{paths, Store};

fn arg_value(args: &[String], name: &str) -> Option<String> {
    let eq = format!("{name}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&eq).map(str::to_string)
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = paths::data_dir(arg_value(&args, "--data-dir").map(PathBuf::from));
    let clock: Arc<dyn Clock> = match arg_value(&args, "--now").or_else(|| std::env::var("MOTCUA_NOW").ok()).and_then(|s| parse_local(&s)) {
        Some(t) => Arc::new(FixedClock(t)),
        None => Arc::new(SystemClock),
    };
    let store = Store::open_dir(&dir, clock).and_then(|mut s| s.ensure_demo().map(|_| s));
    let store = match store {
        Ok(s) => s,
        Err(e) => {
            eprintln!("motcua-app: cannot open the counter database in {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    // Saved PDFs are copies (forms can be rendered again; the print log keeps the record): keep 90 days.
    let pruned = motcua_forms::service::prune_saved_pdfs(&store, 90);
    if pruned > 0 {
        eprintln!("motcua-app: removed {pruned} saved PDFs older than 90 days");
    }
    // The portal sync runs on its own thread and connection: intake and printing never wait for it.
    let sync = motcua_sync::SyncHandle::spawn(store.path().to_path_buf(), store.clock_arc(), motcua_sync::task::TaskConfig::from_env());
    tauri::Builder::default()
        .manage(Mutex::new(store))
        .manage(sync)
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::catalog_search,
            commands::intake_preview,
            commands::intake_submit,
            commands::dossier_search,
            commands::dossier_get,
            commands::form_print,
            commands::form_preview,
            commands::printers_list,
            commands::prints_of,
            commands::settings_get,
            commands::settings_save,
            commands::pdf_open,
            commands::lifecycle_apply,
            commands::work_counts,
            commands::work_list,
            commands::sync_status,
            commands::sync_now,
            commands::sync_parked,
            commands::sync_retry_parked,
            commands::sync_conflicts,
            commands::sync_settle,
            commands::sync_enrol,
            commands::dossier_sync,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Một Cửa window");
}
