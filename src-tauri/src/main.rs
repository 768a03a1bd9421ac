//! The desktop shell: opens the counter's database (on a fresh machine the window opens the first-run
//! set-up; `--demo` sets up a demo agency instead), starts the portal sync in the background, then
//! serves the UI's commands. All domain logic is in motcua-core; forms and printing in motcua-forms.
//!
//! Arguments: `--demo` (a demo agency on an empty data directory, for trying the app: scripts/run.sh),
//! `--data-dir DIR` (else $MOTCUA_DATA_DIR, else the OS data dir); `--now 2026-02-12T10:30`
//! (or $MOTCUA_NOW) pins the clock for scripted demos and end-to-end tests (a value that is not a time
//! is refused). The log goes to `logs/` in the data directory (`motcua_core::logging`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

include!("command_list.rs");

mod commands;
mod documents;
mod push;
mod scanner;
mod setup;

macro_rules! handler {
    ($($c:ident),*) => {
        tauri::generate_handler![$(commands::$c),*]
    };
}

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use motcua_core::clock::{self, Clock};
use motcua_core::{paths, Store};
use tauri::Manager;

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
    let log = motcua_core::logging::to_file(&dir, "motcua-app");
    // a panic leaves a crash record in the data directory ("Gửi chẩn đoán" sends it)
    motcua_core::diagnostics::install_crash_hook(&dir);
    // a pinned clock that does not read is refused, never silently replaced by the system clock
    let clock: Arc<dyn Clock> = match clock::chosen(arg_value(&args, "--now").or_else(|| std::env::var("MOTCUA_NOW").ok()).as_deref()) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            drop(log);
            std::process::exit(2);
        }
    };
    // one app per data directory (a restore waits for it to close)
    let _instance = match paths::InstanceLock::try_acquire(&dir) {
        Ok(Ok(lock)) => lock,
        Ok(Err(())) => {
            tracing::error!("Một Cửa is already open on {} (only one window per counter database)", dir.display());
            drop(log);
            std::process::exit(1);
        }
        Err(e) => {
            tracing::error!("cannot lock {}: {e}", dir.display());
            drop(log);
            std::process::exit(1);
        }
    };
    // a fresh machine opens the first-run set-up; the demo agency only on an explicit `--demo`
    let demo = args.iter().any(|a| a == "--demo");
    let store = Store::open_dir(&dir, clock).and_then(|mut s| if demo { s.ensure_demo().map(|_| s) } else { Ok(s) });
    let store = match store {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot open the counter database in {}: {e}", dir.display());
            drop(log);
            std::process::exit(1);
        }
    };
    // The portal sync runs on its own thread and connection: intake and printing never wait for it.
    // the dashboard is pushed after every sync round (push.rs), not polled by the window
    let (poke, pushed) = push::channel();
    let after_round = poke.sender();
    let sync = motcua_sync::SyncHandle::spawn_with(store.path().to_path_buf(), store.clock_arc(), motcua_sync::task::TaskConfig::from_env(), move || {
        let _ = after_round.send(());
    });
    spawn_scheduled_backups(store.path().to_path_buf(), store.clock_arc());
    // nothing that can wait runs before the window's first paint (issue 17): the sync's first round
    // waits a few seconds (`TaskConfig::first_delay`), the pruning below ten
    spawn_housekeeping(store.path().to_path_buf(), store.clock_arc());
    let app = tauri::Builder::default()
        .manage(Mutex::new(store))
        .manage(sync)
        .manage(poke)
        .manage(scanner::Scanner::default())
        .manage(Mutex::new(motcua_documents::staging::Staging::default()))
        .invoke_handler(with_app_commands!(handler))
        .setup(|app| {
            push::spawn(app.handle().clone(), pushed);
            // a scanner in serial (USB COM) mode, if the counter set its port
            let port = {
                let state = app.state::<Mutex<Store>>();
                let store = state.lock().unwrap_or_else(|e| e.into_inner());
                motcua_core::settings::CounterSettings::scanner_port(&store).unwrap_or_default()
            };
            app.state::<scanner::Scanner>().listen(app.handle(), &port);
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building the Một Cửa window");
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // a backup at close, by the app itself (whoever is logged in)
            let (path, clock) = {
                let state = handle.state::<Mutex<Store>>();
                let store = state.lock().unwrap_or_else(|e| e.into_inner());
                (store.path().to_path_buf(), store.clock_arc())
            };
            if let Ok(mut store) = Store::open(&path, clock) {
                store.act_as_system();
                backup_now(&mut store, "close");
            }
        }
    });
}

/// Ten seconds after start, on a thread and a connection of its own: the local copies of documents
/// the portal has held for longer than the setting says, and saved PDFs older than 90 days (copies:
/// forms can be rendered again, the print log keeps the record).
fn spawn_housekeeping(db: PathBuf, clock: Arc<dyn Clock>) {
    let _ = std::thread::Builder::new().name("motcua-housekeeping".into()).spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(10));
        let mut store = match Store::open(&db, clock) {
            Ok(s) => s,
            Err(e) => return tracing::error!("housekeeping skipped: {e}"),
        };
        store.act_as_system();
        match motcua_core::documents::prune_on_schedule(&mut store) {
            Ok((0, _)) => {}
            Ok((n, bytes)) => tracing::info!("removed the local copies of {n} document files the portal stores ({bytes} bytes)"),
            Err(e) => tracing::warn!("document pruning skipped: {:?}", e.reason()),
        }
        let pruned = motcua_forms::service::prune_saved_pdfs(&store, 90);
        if pruned > 0 {
            tracing::info!("removed {pruned} saved PDFs older than 90 days");
        }
    });
}

fn backup_now(store: &mut Store, why: &str) {
    let result = motcua_core::backup::BackupSettings::load(store)
        .and_then(|s| motcua_core::backup::create(store, &s.folder(store), s.keep, why));
    match result {
        Ok(b) => tracing::info!("backup ({why}) {}", b.path),
        Err(e) => tracing::error!("backup ({why}) failed: {e}"),
    }
}

/// Backups every `backup_every_hours` (re-read each time; 0 = only at close), on a thread and a
/// connection of their own: the SQLite online backup copies in small steps, so intake goes on.
fn spawn_scheduled_backups(db: PathBuf, clock: Arc<dyn Clock>) {
    std::thread::Builder::new()
        .name("motcua-backup".into())
        .spawn(move || {
            let mut store = match Store::open(&db, clock) {
                Ok(s) => s,
                Err(e) => return tracing::error!("scheduled backups off: {e}"),
            };
            store.act_as_system();
            loop {
                let hours = motcua_core::backup::BackupSettings::load(&store).map(|s| s.every_hours).unwrap_or(4);
                std::thread::sleep(std::time::Duration::from_secs(3600 * u64::from(hours.max(1))));
                if hours > 0 {
                    backup_now(&mut store, "scheduled");
                }
            }
        })
        .expect("backup thread");
}
