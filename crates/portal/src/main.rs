//! `motcua-portal`: runs the reference portal, prints what it holds, flips its fault switches, and
//! plays the back office (a step on a dossier, a new catalog or calendar, a dossier submitted online);
//! its admin issues single-use enrolment codes and approves new devices.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Parser, Subcommand};
use motcua_core::dossier::EventKind;
use motcua_portal::db::{PortalDb, Refusal};
use motcua_portal::enrolment;
use motcua_portal::faults::{FaultSwitches, Faults};
use motcua_portal::identity::PortalIdentity;
use motcua_portal::limits::{LimitConfig, Limits};
use motcua_portal::server::{serve, AppState, ServerLimits};

#[derive(Parser)]
#[command(name = "motcua-portal", version, about = "Reference city portal for Một Cửa counters (sync protocol v1)")]
struct Cli {
    /// Address to listen on, e.g. 127.0.0.1:8787 (port 0 = any free port; the address is printed)
    #[arg(long)]
    listen: Option<String>,
    /// The portal's data directory (its SQLite database, faults.json)
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Removed (issue 12): there is no global enrolment code any more; issue a single-use code per
    /// counter with `motcua-portal enrolment-code issue --agency A --counter Q01`
    #[arg(long, hide = true)]
    enrolment_code: Option<String>,
    /// Honour the fault switches in DATA_DIR/faults.json (tests only)
    #[arg(long)]
    faults: bool,
    /// A request's headers must arrive within this many ms (slowloris); idle connections close after it
    #[arg(long, default_value_t = 10_000)]
    header_timeout_ms: u64,
    /// A whole request, body included, must be read and answered within this many ms (else 408)
    #[arg(long, default_value_t = 120_000)]
    request_timeout_ms: u64,
    /// Connections served at once; more wait in the listen queue
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Lock an address out after this many refused enrolment codes or wrong device tokens (within 15 minutes)
    #[arg(long, default_value_t = 10)]
    lockout_after: u32,
    /// How long an address stays locked out, in seconds
    #[arg(long, default_value_t = 900)]
    lockout_secs: u64,
    /// Document space per agency, in MB (no limit when absent)
    #[arg(long)]
    blob_quota_mb: Option<u64>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum DiagCmd {
    /// Every bundle kept, newest first
    List,
    /// One bundle with its files
    Show { id: i64 },
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
    /// Diagnostics bundles the counters sent ("Gửi chẩn đoán"): `list`, or `show ID` (JSON)
    Diagnostics {
        #[command(subcommand)]
        what: DiagCmd,
    },
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
        /// Damage the next N document chunks received
        #[arg(long, default_value_t = 0)]
        corrupt_chunks: u32,
        /// Answer document uploads as if the disk were full
        #[arg(long)]
        blob_disk_full: bool,
    },
    /// Record a back-office step on a dossier the portal holds; counters get it at their next pull
    BackOffice {
        /// The agency the dossier belongs to (codes are unique only within an agency)
        #[arg(long)]
        agency: String,
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
    /// Single-use enrolment codes, one per counter (`issue` prints the code once; only its hash is kept)
    #[command(subcommand)]
    EnrolmentCode(CodeCmd),
    /// Enrolled devices: `approve` lets a new device pull the agency's data; `list` shows their state
    #[command(subcommand)]
    Device(DeviceCmd),
    /// The portal's id and public key (what counters pin at enrolment)
    Identity,
    /// Revoke a counter's token (lost or replaced machine); it may then enrol again
    Revoke {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        counter: String,
    },
    /// Publish a catalog, calendar or administrative-map (units) file to every counter
    Publish {
        #[arg(long)]
        catalog: Option<PathBuf>,
        #[arg(long)]
        calendar: Option<PathBuf>,
        /// The 2025 administrative map (shape of assets/units/units-2025.json); counters fetch it on their next round
        #[arg(long)]
        units: Option<PathBuf>,
    },
    /// Show or set how many official numbers one counter may lease per day (default 1000)
    LeaseCap {
        #[arg(long)]
        set: Option<u32>,
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

#[derive(Subcommand)]
enum CodeCmd {
    /// Issue a code for one counter: single use, bound to that agency and counter, expiring
    Issue {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        counter: String,
        /// Valid for this many hours (default 24, at most 720)
        #[arg(long, conflicts_with = "minutes")]
        hours: Option<u32>,
        /// Or for this many minutes
        #[arg(long)]
        minutes: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// The codes issued: for which counter, until when, used or not (never the codes)
    List,
}

#[derive(Subcommand)]
enum DeviceCmd {
    /// Approve an enrolled device: from now on it pulls the agency's dossiers
    Approve {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        counter: String,
    },
    /// Every enrolled device and its state (pending, approved, revoked)
    List,
}

fn main() -> ExitCode {
    motcua_core::logging::to_stderr();
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
        if cli.enrolment_code.is_some() {
            return Err(Refusal::new(
                400,
                "usage",
                "--enrolment-code was removed: issue a single-use code per counter with `motcua-portal enrolment-code issue --agency A --counter Q01 --data-dir DIR`",
            ));
        }
        let server_limits = ServerLimits {
            header_timeout: Duration::from_millis(cli.header_timeout_ms.max(1)),
            request_timeout: Duration::from_millis(cli.request_timeout_ms.max(1)),
            max_connections: cli.max_connections.max(1),
        };
        let limits = LimitConfig { lockout_after: cli.lockout_after, lockout: std::time::Duration::from_secs(cli.lockout_secs) };
        let blob_quota = cli.blob_quota_mb.map(|mb| mb.saturating_mul(1024 * 1024));
        return serve_blocking(&listen, dir, limits, cli.faults, server_limits, blob_quota);
    };
    match cmd {
        Cmd::EnrolmentCode(CodeCmd::Issue { agency, counter, hours, minutes, json }) => {
            let minutes = minutes.unwrap_or_else(|| hours.unwrap_or(enrolment::DEFAULT_HOURS).saturating_mul(60));
            let c = enrolment::issue(&mut PortalDb::open(&dir)?, &agency, &counter, minutes)?;
            if json {
                println!("{}", serde_json::to_string(&c).expect("json"));
            } else {
                println!("{}", c.code);
                eprintln!("single-use enrolment code for counter {} of {}, valid until {} (shown once; only its hash is kept)", c.counter_id, c.agency_code, c.expires_at);
            }
        }
        Cmd::EnrolmentCode(CodeCmd::List) => println!("{}", serde_json::to_string_pretty(&enrolment::codes(&PortalDb::open(&dir)?)?).expect("json")),
        Cmd::Device(DeviceCmd::Approve { agency, counter }) => {
            let device = enrolment::approve(&mut PortalDb::open(&dir)?, &agency, &counter)?;
            println!("approved {device}: it now pulls the agency's changes");
        }
        Cmd::Device(DeviceCmd::List) => println!("{}", serde_json::to_string_pretty(&enrolment::devices(&PortalDb::open(&dir)?)?).expect("json")),
        Cmd::Identity => {
            let id = PortalDb::open(&dir)?.meta("portal_id")?.unwrap_or_default();
            let key = PortalIdentity::load_or_create(&dir)?;
            println!("{}", serde_json::json!({ "portal_id": id, "portal_key": key.public_hex() }));
        }
        Cmd::Stats { json } => {
            let stats = PortalDb::open(&dir)?.stats()?;
            if json {
                println!("{stats}");
            } else {
                println!("{}", serde_json::to_string_pretty(&stats).expect("json"));
            }
        }
        Cmd::Diagnostics { what } => {
            let db = PortalDb::open(&dir)?;
            let out = match what {
                DiagCmd::List => serde_json::to_string_pretty(&motcua_portal::diagnostics::list(&db)?),
                DiagCmd::Show { id } => serde_json::to_string_pretty(&motcua_portal::diagnostics::show(&db, id)?),
            };
            println!("{}", out.expect("json"));
        }
        Cmd::Anchors => {
            let db = PortalDb::open(&dir)?;
            let report = motcua_portal::anchors::report(&db.conn)?;
            println!("{}", serde_json::to_string_pretty(&report).expect("json"));
        }
        Cmd::Faults { refuse, delay_ms, status_5xx, drop_after_commit, answer_twice, corrupt_chunks, blob_disk_full } => {
            std::fs::create_dir_all(&dir).ok();
            let f = FaultSwitches { refuse, delay_ms, status_5xx, drop_after_commit, answer_twice, corrupt_chunks, blob_disk_full };
            Faults::write(&dir, &f).map_err(|e| Refusal::new(500, "io", e.to_string()))?;
            println!("{}", serde_json::to_string(&f).expect("json"));
        }
        Cmd::BackOffice { agency, dossier, refuse, stop, result, clerk } => {
            let event = match (refuse, stop, result) {
                (Some(reason), None, None) => EventKind::Refused { reason },
                (None, Some(reason), None) => EventKind::Stopped { reason },
                (None, None, Some(department)) => EventKind::ResultReceived { department },
                _ => return Err(Refusal::new(400, "usage", "give exactly one of --refuse REASON, --stop REASON, --result DEPARTMENT")),
            };
            let w = PortalDb::open(&dir)?.back_office(&agency, &dossier, event, &clerk)?;
            println!("{}", serde_json::to_string(&w).expect("json"));
        }
        Cmd::Revoke { agency, counter } => {
            PortalDb::open(&dir)?.revoke(&agency, &counter)?;
            println!("revoked {agency}/{counter}: its token no longer works; it may enrol again");
        }
        Cmd::Publish { catalog, calendar, units } => {
            let mut db = PortalDb::open(&dir)?;
            match (catalog, calendar, units) {
                (Some(f), None, None) => println!("catalog published as change {}", db.publish("catalog", &read(&f)?)?),
                (None, Some(f), None) => println!("calendar published as change {}", db.publish("calendar", &read(&f)?)?),
                (None, None, Some(f)) => println!("units published as version {}", db.publish_units(&read(&f)?)?),
                _ => return Err(Refusal::new(400, "usage", "give one of --catalog FILE, --calendar FILE, --units FILE")),
            }
        }
        Cmd::LeaseCap { set } => {
            println!("lease cap: {} numbers per counter and day", PortalDb::open(&dir)?.lease_cap(set)?);
        }
        Cmd::Online { agency, counter, file } => {
            let intake: serde_json::Value = serde_json::from_str(&read(&file)?).map_err(|e| Refusal::new(400, "invalid", e.to_string()))?;
            println!("{}", PortalDb::open(&dir)?.online_dossier(&agency, &counter, intake)?);
        }
    }
    Ok(())
}

fn serve_blocking(listen: &str, dir: PathBuf, limits: LimitConfig, faults: bool, server_limits: ServerLimits, blob_quota: Option<u64>) -> Result<(), Refusal> {
    let db = PortalDb::open(&dir)?;
    let identity = PortalIdentity::load_or_create(&dir)?;
    let portal_id = db.meta("portal_id")?.unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Refusal::new(500, "runtime", e.to_string()))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Refusal::new(500, "listen", format!("{listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| Refusal::new(500, "listen", e.to_string()))?;
        println!("motcua-portal {portal_id} listening on http://{addr} (key {})", identity.public_hex());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let state = AppState {
            db: Arc::new(Mutex::new(db)),
            faults: Faults::new(faults.then(|| dir.clone())),
            limits: Limits::new(limits),
            identity: Arc::new(identity),
            blobs: Arc::new(motcua_portal::blobs::BlobConfig::at(&dir, blob_quota)),
        };
        serve(listener, state, server_limits).await.map_err(|e| Refusal::new(500, "serve", e.to_string()))
    })
}
