//! `motcua-portal`: runs the reference portal, prints what it holds, flips its fault switches, and
//! plays the back office (a step on a dossier, a new catalog or calendar, a dossier submitted online).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Parser, Subcommand};
use motcua_core::dossier::EventKind;
use motcua_portal::db::{PortalDb, Refusal};
use motcua_portal::faults::{FaultSwitches, Faults};
use motcua_portal::server::{serve, AppState};

#[derive(Parser)]
#[command(name = "motcua-portal", version, about = "Reference city portal for Một Cửa counters (sync protocol v1)")]
struct Cli {
    /// Address to listen on, e.g. 127.0.0.1:8787 (port 0 = any free port; the address is printed)
    #[arg(long)]
    listen: Option<String>,
    /// The portal's data directory (its SQLite database, faults.json)
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The code counters enrol with (kept in the database; a random one is made and printed if none)
    #[arg(long)]
    enrolment_code: Option<String>,
    /// Honour the fault switches in DATA_DIR/faults.json (tests only)
    #[arg(long)]
    faults: bool,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// What the portal holds: events and dossiers per counter
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// The counters' audit anchors, which ones are flagged, and every refused head (JSON)
    Anchors,
    /// Set the fault switches (no flag = all off)
    Faults {
        #[arg(long)]
        refuse: bool,
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
        #[arg(long)]
        status_5xx: bool,
        #[arg(long)]
        drop_after_commit: bool,
        #[arg(long)]
        answer_twice: bool,
    },
    /// Record a back-office step on a dossier the portal holds; counters get it at their next pull
    BackOffice {
        #[arg(long)]
        dossier: String,
        /// Refuse it, with this reason
        #[arg(long)]
        refuse: Option<String>,
        /// Stop processing it, with this reason
        #[arg(long)]
        stop: Option<String>,
        /// The result is ready and sent to the counter by this department
        #[arg(long)]
        result: Option<String>,
        #[arg(long, default_value = "BO01")]
        clerk: String,
    },
    /// Revoke a counter's token (lost or replaced machine); it may then enrol again
    Revoke {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        counter: String,
    },
    /// Publish a catalog or calendar file to every counter
    Publish {
        #[arg(long)]
        catalog: Option<PathBuf>,
        #[arg(long)]
        calendar: Option<PathBuf>,
    },
    /// Queue a dossier submitted online (an intake request as JSON) for a counter to take in
    Online {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        counter: String,
        #[arg(long)]
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua-portal: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &PathBuf) -> Result<String, Refusal> {
    std::fs::read_to_string(path).map_err(|e| Refusal::new(400, "io", format!("{}: {e}", path.display())))
}

fn run(cli: Cli) -> Result<(), Refusal> {
    let dir = cli.data_dir.clone().ok_or_else(|| Refusal::new(400, "usage", "--data-dir DIR is required"))?;
    let Some(cmd) = cli.command else {
        let listen = cli.listen.clone().ok_or_else(|| Refusal::new(400, "usage", "--listen ADDR is required to serve"))?;
        return serve_blocking(&listen, dir, cli.enrolment_code.as_deref(), cli.faults);
    };
    match cmd {
        Cmd::Stats { json } => {
            let stats = PortalDb::open(&dir)?.stats()?;
            if json {
                println!("{stats}");
            } else {
                println!("{}", serde_json::to_string_pretty(&stats).expect("json"));
            }
        }
        Cmd::Anchors => {
            let db = PortalDb::open(&dir)?;
            let report = motcua_portal::anchors::report(&db.conn)?;
            println!("{}", serde_json::to_string_pretty(&report).expect("json"));
        }
        Cmd::Faults { refuse, delay_ms, status_5xx, drop_after_commit, answer_twice } => {
            std::fs::create_dir_all(&dir).ok();
            let f = FaultSwitches { refuse, delay_ms, status_5xx, drop_after_commit, answer_twice };
            Faults::write(&dir, &f).map_err(|e| Refusal::new(500, "io", e.to_string()))?;
            println!("{}", serde_json::to_string(&f).expect("json"));
        }
        Cmd::BackOffice { dossier, refuse, stop, result, clerk } => {
            let event = match (refuse, stop, result) {
                (Some(reason), None, None) => EventKind::Refused { reason },
                (None, Some(reason), None) => EventKind::Stopped { reason },
                (None, None, Some(department)) => EventKind::ResultReceived { department },
                _ => return Err(Refusal::new(400, "usage", "give exactly one of --refuse REASON, --stop REASON, --result DEPARTMENT")),
            };
            let w = PortalDb::open(&dir)?.back_office(&dossier, event, &clerk)?;
            println!("{}", serde_json::to_string(&w).expect("json"));
        }
        Cmd::Revoke { agency, counter } => {
            PortalDb::open(&dir)?.revoke(&agency, &counter)?;
            println!("revoked {agency}/{counter}: its token no longer works; it may enrol again");
        }
        Cmd::Publish { catalog, calendar } => {
            let mut db = PortalDb::open(&dir)?;
            match (catalog, calendar) {
                (Some(f), None) => println!("catalog published as change {}", db.publish("catalog", &read(&f)?)?),
                (None, Some(f)) => println!("calendar published as change {}", db.publish("calendar", &read(&f)?)?),
                _ => return Err(Refusal::new(400, "usage", "give --catalog FILE or --calendar FILE")),
            }
        }
        Cmd::Online { agency, counter, file } => {
            let intake: serde_json::Value = serde_json::from_str(&read(&file)?).map_err(|e| Refusal::new(400, "invalid", e.to_string()))?;
            println!("{}", PortalDb::open(&dir)?.online_dossier(&agency, &counter, intake)?);
        }
    }
    Ok(())
}

fn serve_blocking(listen: &str, dir: PathBuf, code: Option<&str>, faults: bool) -> Result<(), Refusal> {
    let mut db = PortalDb::open(&dir)?;
    let enrolment_code = db.enrolment_code(code)?;
    let portal_id = db.meta("portal_id")?.unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Refusal::new(500, "runtime", e.to_string()))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Refusal::new(500, "listen", format!("{listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Refusal::new(500, "listen", e.to_string()))?;
        println!("motcua-portal {portal_id} listening on http://{addr} (enrolment code {enrolment_code})");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let state = AppState {
            db: Arc::new(Mutex::new(db)),
            enrolment_code: Arc::new(enrolment_code),
            faults: Faults::new(faults.then(|| dir.clone())),
        };
        serve(listener, state).await.map_err(|e| Refusal::new(500, "serve", e.to_string()))
    })
}
