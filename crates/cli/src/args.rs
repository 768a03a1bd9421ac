//! The command line's grammar (clap): every command and its arguments. Handlers are in `admin`,
//! `dossiers` and `sync`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "motcua", version, about = "Một Cửa — one-stop counter: intake, catalog, search")]
pub struct Cli {
    /// Data directory (default: $MOTCUA_DATA_DIR, else the OS data directory)
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Set up the agency, this counter and its clerk (once)
    Init(InitArgs),
    /// The procedure catalog
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// The working-day calendar (holidays and yearly day swaps)
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// The citizen's card as a scanner reads it (for IT staff and tests)
    #[command(subcommand)]
    Card(CardCmd),
    /// The 2025 administrative map: current units, old → new
    #[command(subcommand)]
    Units(UnitsCmd),
    /// The electronic dossier: scan or attach a checklist item's papers (one PDF each), list, get
    #[command(subcommand)]
    Documents(DocumentsCmd),
    /// Take a dossier in from a JSON file (or - for stdin); prints the created dossier as JSON.
    /// With --guidance or --refuse nothing is taken in: the citizen gets the guidance slip (Mẫu 02,
    /// listing the checklist items the request lacks) or the refusal slip (Mẫu 03), recorded with its
    /// own number and no dossier code
    Intake {
        #[arg(long)]
        json: String,
        /// Give the one-time guidance slip (Mẫu 02) instead of taking the dossier in
        #[arg(long, conflicts_with = "refuse")]
        guidance: bool,
        /// Give the refusal slip (Mẫu 03) instead of taking the dossier in; needs --reason
        #[arg(long, requires = "reason")]
        refuse: bool,
        /// Refusal: why; guidance: an optional explanation
        #[arg(long)]
        reason: Option<String>,
        /// Guidance: an item to list besides the unticked checklist items (repeatable)
        #[arg(long)]
        missing: Vec<String>,
        /// Where to save the slip's PDF (without it the slip goes to the printer)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show a dossier by code
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Find dossiers by code, name (diacritics optional), ID number or phone
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        cursor: Option<i64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// The appointment alone, for a procedure or a number of working days
    Due {
        #[arg(long, conflicts_with = "days", required_unless_present = "days")]
        procedure: Option<String>,
        /// The procedure's case, when the catalog lists cases for it
        #[arg(long, requires = "procedure")]
        case: Option<String>,
        #[arg(long)]
        days: Option<f64>,
        /// Time received, e.g. 2026-02-12T10:30 (Vietnam time)
        #[arg(long)]
        received: String,
        #[arg(long)]
        json: bool,
    },
    /// Render a one-stop form to PDF and print it (Circular 03/2025/TT-VPCP, Mẫu số 01–07).
    /// With --out and no --printer the PDF is only saved; otherwise it goes to --printer, the counter's
    /// printer, or the system default.
    Print(PrintArgs),
    /// The printers this machine can print to
    Printers {
        #[arg(long)]
        json: bool,
    },
    /// Clerk accounts and roles (once an admin exists, set MOTCUA_USER and MOTCUA_PASSWORD)
    #[command(subcommand)]
    Account(AccountCmd),
    /// The tamper-evident audit log
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Backups: create, verify, restore, config
    #[command(subcommand)]
    Backup(BackupCmd),
    /// Register this counter with a portal (once); the credential is kept in the database
    Enrol {
        #[arg(long)]
        portal: String,
        #[arg(long)]
        code: String,
    },
    /// Diagnostics for the IT officer: `show` prints the bundle (recent log, crash records; nothing
    /// personal), `send` sends it to the portal or hub this counter is enrolled with
    Diagnostics {
        #[command(subcommand)]
        what: DiagnosticsCmd,
    },
    /// This counter's standing blocks of official numbers; --drop removes them (numbers then come
    /// from the portal's leases), e.g. after the portal refused one as overlapping another counter's
    CodeBlocks {
        #[arg(long)]
        drop: bool,
    },
    /// Run one sync round now (leases, push, pull); `sync status|parked|conflicts` to look
    Sync {
        /// Use (and from now on keep) this portal address: admins only, and only if the portal there
        /// proves it is the enrolled one (its pinned key)
        #[arg(long)]
        portal: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        what: Option<SyncCmd>,
    },
    /// Counter settings: paper, copies, printer, QR lookup URL, document headers
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Hand dossiers over to a department (one batch; all or nothing)
    Handover {
        #[arg(long = "to")]
        department: String,
        #[arg(required = true)]
        codes: Vec<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Pass a dossier from its department to another
    Transfer {
        code: String,
        #[arg(long = "to")]
        department: String,
        #[command(flatten)]
        out: Out,
    },
    /// Results back from the departments (one batch; all or nothing)
    ReceiveResult {
        #[arg(required = true)]
        codes: Vec<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Ask the citizen to complete the dossier (the clock stops); --missing is repeatable
    Supplement {
        code: String,
        #[arg(long, required = true)]
        missing: Vec<String>,
        #[command(flatten)]
        out: Out,
    },
    /// The supplement arrived (the clock runs again)
    Supplemented {
        code: String,
        #[command(flatten)]
        out: Out,
    },
    Refuse {
        code: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        out: Out,
    },
    /// Stop processing (thông báo dừng giải quyết)
    Stop {
        code: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        out: Out,
    },
    /// Apologise and set a new appointment (dd/mm/yyyy [HH:MM])
    Delay {
        code: String,
        #[arg(long)]
        new_date: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        out: Out,
    },
    /// Return the result: to the applicant or an authorised person (--to NAME --id NUMBER [--authorised]) or by post (--post TRACKING)
    Return {
        code: String,
        #[arg(long = "to", requires = "id", conflicts_with = "post")]
        name: Option<String>,
        #[arg(long)]
        id: Option<String>,
        #[arg(long, requires = "name")]
        authorised: bool,
        #[arg(long, required_unless_present = "name")]
        post: Option<String>,
        #[command(flatten)]
        out: Out,
    },
    /// The citizen withdraws the dossier
    Withdraw {
        code: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        out: Out,
    },
    /// Work lists: counts, or the dossiers of one list
    DueList {
        #[arg(long, conflicts_with_all = ["today", "soon", "supplement", "ready"])]
        overdue: bool,
        #[arg(long)]
        today: bool,
        #[arg(long)]
        soon: bool,
        #[arg(long)]
        supplement: bool,
        #[arg(long)]
        ready: bool,
        #[arg(long)]
        json: bool,
    },
}

/// How a lifecycle command prints the resulting state.
#[derive(Args)]
pub struct Out {
    /// Print the resulting dossiers as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PrintArgs {
    /// receipt | supplement | refusal | apology | stop | control | logbook | handover
    pub form: String,
    /// Dossier code (not for the logbook)
    pub code: Option<String>,
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub printer: Option<String>,
    /// Receipt: copies ("liên") in the document (default: the setting, 2); other forms: printed copies
    #[arg(long)]
    pub copies: Option<u32>,
    /// Logbook: first day (dd/mm/yyyy or yyyy-mm-dd)
    #[arg(long)]
    pub from: Option<String>,
    /// Logbook: last day
    #[arg(long)]
    pub to: Option<String>,
    /// Refusal, apology, stop: the reason; supplement: an explanation
    #[arg(long)]
    pub reason: Option<String>,
    /// Supplement: a missing or incomplete item (repeatable)
    #[arg(long)]
    pub missing: Vec<String>,
    /// Apology: the new appointment, dd/mm/yyyy [HH:MM]
    #[arg(long)]
    pub new_date: Option<String>,
    /// Control slip: the department that processes the dossier
    #[arg(long)]
    pub department: Option<String>,
    /// Handover list: the batch (BG-…) printed by `motcua handover`
    #[arg(long)]
    pub batch: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum AccountCmd {
    /// First run: the admin account (once)
    CreateAdmin {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        pin: Option<String>,
    },
    /// Add or reset an account (admins; log in with MOTCUA_USER and MOTCUA_PASSWORD)
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// clerk | head | admin
        #[arg(long)]
        role: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        pin: Option<String>,
    },
    Deactivate { id: String },
    List,
}

#[derive(Subcommand)]
pub enum BackupCmd {
    /// Back up now (SQLite online backup), check it, keep the newest N in the folder
    Create {
        /// Folder (default: the setting, else <data dir>/backups); may be a USB drive
        #[arg(long)]
        dir: Option<PathBuf>,
        #[arg(long)]
        keep: Option<u32>,
    },
    /// Check a backup file in full: integrity, schema, event and audit chains, projections, and the
    /// anchors this counter's database knows
    Verify { file: PathBuf },
    /// Replace this counter's database with a backup (refused if the backup fails its check, belongs
    /// to another agency or counter without --confirm-agency, or the app is open; the current
    /// database is copied aside first, under a new name)
    Restore {
        file: PathBuf,
        /// The backup's agency code, typed by an admin to restore another agency's or counter's backup
        #[arg(long)]
        confirm_agency: Option<String>,
    },
    /// Where and how often the app backs up (also at close)
    Config {
        #[arg(long)]
        dir: Option<String>,
        #[arg(long)]
        keep: Option<u32>,
        #[arg(long)]
        every_hours: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain, check the anchors; names the first broken entry (exit 4 when broken)
    Verify {
        /// Also compare with the anchor the portal keeps for this counter
        #[arg(long)]
        portal: bool,
        #[arg(long)]
        json: bool,
    },
    /// The latest entries
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Subcommand)]
pub enum SyncCmd {
    /// Online/offline, events waiting and parked, last success, last error, numbers left today
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Events the portal refused for good, with its reasons
    Parked {
        /// Put them back in the queue (after the cause was fixed at the portal)
        #[arg(long)]
        retry: bool,
        #[arg(long)]
        json: bool,
    },
    /// Changes from the portal that could not be applied yet (retried every round)
    Failed {
        #[arg(long)]
        json: bool,
    },
    /// Steps that lost a conflict with another machine, for a person to settle
    Conflicts {
        /// Mark one settled (by its event uid)
        #[arg(long)]
        settle: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum SettingsCmd {
    /// Print all settings (JSON)
    Get,
    /// Set one setting, e.g. `settings set receipt_paper A4`
    Set { key: String, value: String },
}

#[derive(Args)]
pub struct InitArgs {
    #[arg(long)]
    pub agency_code: String,
    #[arg(long)]
    pub agency_name: String,
    #[arg(long, default_value = "")]
    pub agency_address: String,
    /// Counter id, e.g. Q01
    #[arg(long)]
    pub counter: String,
    #[arg(long)]
    pub counter_name: Option<String>,
    #[arg(long, default_value = "CB01")]
    pub clerk_id: String,
    #[arg(long, default_value = "Cán bộ tiếp nhận")]
    pub clerk_name: String,
    /// Block of the daily official sequence this counter owns, e.g. 1-4999 (repeatable; disjoint per
    /// counter). Without one the counter issues provisional codes until the portal leases numbers.
    #[arg(long = "code-block")]
    pub code_blocks: Vec<String>,
}

#[derive(Subcommand)]
pub enum CatalogCmd {
    Import { file: PathBuf },
    List {
        #[arg(long)]
        json: bool,
    },
}

/// Which part of a dossier a document is for: a checklist item, or the result.
#[derive(clap::Args, Debug)]
pub struct SlotArgs {
    /// The checklist item, numbered from 1 as `show` lists them
    #[arg(long, conflicts_with = "result")]
    pub item: Option<usize>,
    /// The result's electronic copy instead of an item
    #[arg(long)]
    pub result: bool,
    /// The result's description (with --result)
    #[arg(long, requires = "result")]
    pub name: Option<String>,
}

#[derive(Subcommand)]
pub enum DocumentsCmd {
    /// Scan a checklist item (or the result) through SANE and attach it as one PDF
    /// (MOTCUA_SANE_CONFIG: a SANE configuration folder of its own)
    Scan {
        code: String,
        #[command(flatten)]
        slot: SlotArgs,
        /// The scanner (`scanimage -L` names), else the first found
        #[arg(long)]
        device: Option<String>,
        /// Pages: flatbed scans one page each; with --feeder, at most this many
        #[arg(long, default_value_t = 1)]
        pages: u32,
        #[arg(long, default_value_t = 200)]
        dpi: u32,
        /// gray (default) | color | lineart
        #[arg(long)]
        mode: Option<String>,
        /// Use the automatic document feeder
        #[arg(long)]
        feeder: bool,
    },
    /// Attach citizens' files to an item: photos (JPEG, PNG) become A4 pages of one PDF; a PDF is kept as given
    Attach {
        code: String,
        #[command(flatten)]
        slot: SlotArgs,
        files: Vec<PathBuf>,
    },
    /// A dossier's documents: item, hash, pages, size, upload state
    List {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a document to a file by its hash (fetched from the portal when not held here; hash checked)
    Get {
        sha256: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove files no dossier refers to (abandoned scans, crash leftovers; admin)
    Gc {
        #[arg(long, default_value_t = 24)]
        min_age_hours: u64,
    },
    /// Remove local copies of files the portal has held for more than N days (admin)
    Prune {
        #[arg(long)]
        older_than_days: u32,
    },
    /// The upload queue of document files
    Uploads {
        #[arg(long)]
        json: bool,
    },
    /// Send parked and refused files again at the next sync round
    Retry,
}

#[derive(Subcommand)]
pub enum CardCmd {
    /// Read a card's QR string: the fields, the ID cross-checks and the address's current form; exits
    /// non-zero (2) with the reason on a string it cannot read
    Parse {
        text: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum UnitsCmd {
    /// Current units matching a query (diacritics optional) or a code
    Search { query: String },
    /// The current form of an address written with the old units
    Map {
        address: String,
        #[arg(long)]
        json: bool,
    },
    /// Replace the shipped map with a newer file (same shape as assets/units/units-2025.json; admin)
    Import { file: PathBuf },
    /// Which map is in use (version, source, licence, counts)
    Info,
}

#[derive(Subcommand)]
pub enum CalendarCmd {
    Import { file: PathBuf },
    /// Days off and swapped working days of a year
    Show {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DiagnosticsCmd {
    /// Print the bundle that would be sent (JSON)
    Show,
    /// Send it to the portal; prints the portal's number for it
    Send,
}
