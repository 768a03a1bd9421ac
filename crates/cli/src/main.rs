//! `motcua`: the counter's command line, over the same core as the app — for admins, scripts and tests.
//! Errors go to stderr with a non-zero exit code (by the error's family) and its stable reason;
//! nothing is half-written (every write is one transaction in the core).
//!
//! `args` is the grammar; `admin`, `dossiers` and `sync` the handlers by command group; `session`
//! the clock and the login; `output` the terminal-safe printing.

// Terminal output: every `println!` and `eprintln!` in this crate is the sanitising one below, so no
// value (a name pulled from another counter, a portal's message) can put a control character on the
// terminal (issue 12, finding 7). JSON goes through `output::print_json`, which escapes them instead.
macro_rules! println {
    () => { ::std::println!() };
    ($($arg:tt)*) => { ::std::println!("{}", motcua_core::text::for_terminal(&format!($($arg)*))) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { ::std::eprintln!("{}", motcua_core::text::for_terminal(&format!($($arg)*))) };
}

mod admin;
mod args;
mod card;
mod documents;
mod dossiers;
mod output;
mod session;
mod sync;

use std::process::ExitCode;

use clap::Parser;
use motcua_core::{paths, AppError, ErrorCode};

use args::{BackupCmd, Cli, Cmd};

fn run(cli: Cli) -> Result<(), AppError> {
    let dir = paths::data_dir(cli.data_dir);
    // a restore never opens the live database as a store first: it replaces it
    if let Cmd::Backup(BackupCmd::Restore { file, confirm_agency }) = &cli.cmd {
        // only an admin restores (once accounts exist); the store is closed again before the restore
        session::open(&dir)?.require(motcua_core::accounts::Right::Backup)?;
        let r = motcua_core::backup::restore(&dir.join(motcua_core::store::DB_FILE), file, session::clock()?, confirm_agency.as_deref())?;
        println!(
            "restored from {} ({} dossiers, {} events); the previous database is kept at {}",
            r.restored.path, r.restored.dossiers, r.restored.events, r.previous_copy
        );
        return Ok(());
    }
    // the card reader and the map read nothing stored: no database needed
    let cmd = match cli.cmd {
        Cmd::Card(c) => return card::card(&dir, c),
        Cmd::Units(c) => return card::units(&dir, c),
        other => other,
    };
    let store = session::open(&dir)?;
    match cmd {
        c @ (Cmd::Init(_)
        | Cmd::Catalog(_)
        | Cmd::Calendar(_)
        | Cmd::Account(_)
        | Cmd::Backup(_)
        | Cmd::Audit(_)
        | Cmd::CodeBlocks { .. }
        | Cmd::Settings(_)) => admin::run(store, c),
        c @ (Cmd::Enrol { .. } | Cmd::Sync { .. } | Cmd::Diagnostics { .. }) => sync::run(store, c),
        Cmd::Documents(c) => documents::run(store, c),
        c => dossiers::run(store, c),
    }
}

fn main() -> ExitCode {
    motcua_core::logging::to_stderr();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(app) => {
            let name = |v: serde_json::Result<serde_json::Value>| v.ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let (code, reason) = (name(serde_json::to_value(app.code)), name(serde_json::to_value(app.reason)));
            match &app.field {
                Some(f) => eprintln!("error [{code}] [{reason}] {f}: {}", app.message),
                None => eprintln!("error [{code}] [{reason}]: {}", app.message),
            }
            ExitCode::from(match app.code {
                ErrorCode::Validation => 2,
                ErrorCode::NotFound => 3,
                ErrorCode::Conflict => 4,
                ErrorCode::Printer => 5,
                ErrorCode::Offline => 6,
                ErrorCode::Forbidden => 7,
                _ => 1,
            })
        }
    }
}
