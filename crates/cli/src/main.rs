//! `motcua`: the counter's command line, over the same core as the app — for admins, scripts and tests.
//! Errors go to stderr with a non-zero exit code; nothing is half-written (every write is one
//! transaction in the core).

// Terminal output: every `println!` and `eprintln!` in this file is the sanitising one below, so no
// value (a name pulled from another counter, a portal's message) can put a control character on the
// terminal (issue 12, finding 7). JSON goes through `print_json`, which escapes them instead.
macro_rules! println {
    () => { ::std::println!() };
    ($($arg:tt)*) => { ::std::println!("{}", motcua_core::text::for_terminal(&format!($($arg)*))) };
}
macro_rules! eprintln {
    ($($arg:tt)*) => { ::std::eprintln!("{}", motcua_core::text::for_terminal(&format!($($arg)*))) };
}

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use motcua_core::calendar::due::due_at;
use motcua_core::catalog::TimeLimit;
use motcua_core::clock::{parse_local, to_rfc3339, Clock, FixedClock, SystemClock};
use motcua_core::intake::{self, IntakeRequest};
use motcua_core::store::InitParams;
use motcua_core::dossier::ReturnTo;
use motcua_core::lifecycle::{self, Command, WorkList};
use motcua_core::settings::CounterSettings;
use motcua_core::{codes, paths, search, AppError, CoreError, ErrorCode, Store};
use motcua_forms::data::FormInput;
use motcua_forms::service::{self, PrintRequest};
use motcua_forms::{print, FormKind};

#[derive(Parser)]
#[command(name = "motcua", version, about = "Một Cửa — one-stop counter: intake, catalog, search")]
struct Cli {
    /// Data directory (default: $MOTCUA_DATA_DIR, else the OS data directory)
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Set up the agency, this counter and its clerk (once)
    Init(InitArgs),
    /// The procedure catalog
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// The working-day calendar (holidays and yearly day swaps)
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// Take a dossier in from a JSON file (or - for stdin); prints the created dossier as JSON
    Intake {
        #[arg(long)]
        json: String,
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
struct Out {
    /// Print the resulting dossiers as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct PrintArgs {
    /// receipt | supplement | refusal | apology | stop | control | logbook | handover
    form: String,
    /// Dossier code (not for the logbook)
    code: Option<String>,
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    printer: Option<String>,
    /// Receipt: copies ("liên") in the document (default: the setting, 2); other forms: printed copies
    #[arg(long)]
    copies: Option<u32>,
    /// Logbook: first day (dd/mm/yyyy or yyyy-mm-dd)
    #[arg(long)]
    from: Option<String>,
    /// Logbook: last day
    #[arg(long)]
    to: Option<String>,
    /// Refusal, apology, stop: the reason; supplement: an explanation
    #[arg(long)]
    reason: Option<String>,
    /// Supplement: a missing or incomplete item (repeatable)
    #[arg(long)]
    missing: Vec<String>,
    /// Apology: the new appointment, dd/mm/yyyy [HH:MM]
    #[arg(long)]
    new_date: Option<String>,
    /// Control slip: the department that processes the dossier
    #[arg(long)]
    department: Option<String>,
    /// Handover list: the batch (BG-…) printed by `motcua handover`
    #[arg(long)]
    batch: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum AccountCmd {
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
enum BackupCmd {
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
enum AuditCmd {
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
enum SyncCmd {
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
enum SettingsCmd {
    /// Print all settings (JSON)
    Get,
    /// Set one setting, e.g. `settings set receipt_paper A4`
    Set { key: String, value: String },
}

#[derive(Args)]
struct InitArgs {
    #[arg(long)]
    agency_code: String,
    #[arg(long)]
    agency_name: String,
    #[arg(long, default_value = "")]
    agency_address: String,
    /// Counter id, e.g. Q01
    #[arg(long)]
    counter: String,
    #[arg(long)]
    counter_name: Option<String>,
    #[arg(long, default_value = "CB01")]
    clerk_id: String,
    #[arg(long, default_value = "Cán bộ tiếp nhận")]
    clerk_name: String,
    /// Block of the daily official sequence this counter owns, e.g. 1-4999 (repeatable; disjoint per
    /// counter). Without one the counter issues provisional codes until the portal leases numbers.
    #[arg(long = "code-block")]
    code_blocks: Vec<String>,
}

#[derive(Subcommand)]
enum CatalogCmd {
    Import { file: PathBuf },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    Import { file: PathBuf },
    /// Days off and swapped working days of a year
    Show {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
}

fn clock() -> Result<Arc<dyn Clock>, CoreError> {
    // MOTCUA_NOW pins "now" for scripted runs and tests (Vietnam time, e.g. 2026-02-12T10:30).
    match std::env::var("MOTCUA_NOW") {
        Ok(s) if !s.is_empty() => {
            let t = parse_local(&s).ok_or_else(|| CoreError::invalid(format!("MOTCUA_NOW '{s}' is not a date-time")))?;
            Ok(Arc::new(FixedClock(t)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

fn read_file(path: &std::path::Path) -> Result<String, CoreError> {
    std::fs::read_to_string(path).map_err(|e| CoreError::Io { path: path.display().to_string(), source: e })
}

/// Pretty JSON with every character `unsafe_for_terminal` inside a string escaped as `\uXXXX` (the
/// same JSON value; serde_json already escapes C0 controls but not DEL, C1 or bidi overrides).
fn print_json<T: serde::Serialize>(v: &T) {
    let json = serde_json::to_string_pretty(v).expect("serialisable");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        // a raw newline in serde_json's output is always layout: inside strings it is escaped
        if c != '\n' && motcua_core::text::unsafe_for_terminal(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    ::std::println!("{out}");
}

fn parse_day(s: &Option<String>, field: &str) -> Result<Option<chrono::NaiveDate>, CoreError> {
    s.as_deref()
        .map(|v| {
            motcua_core::validate::parse_date(v)
                .ok_or_else(|| CoreError::validation(field, format!("'{v}' is not a date (dd/mm/yyyy or yyyy-mm-dd)")))
        })
        .transpose()
}

fn print_cmd(store: &mut Store, a: PrintArgs) -> Result<(), AppError> {
    let kind = FormKind::parse(&a.form).ok_or_else(|| {
        CoreError::validation("form", format!("Unknown form '{}': receipt | supplement | refusal | apology | stop | control | logbook | handover", a.form))
    })?;
    let send = a.out.is_none() || a.printer.is_some();
    let req = PrintRequest {
        kind: Some(kind),
        code: a.code,
        from: parse_day(&a.from, "from")?,
        to: parse_day(&a.to, "to")?,
        input: FormInput { reason: a.reason, missing: a.missing, new_due: a.new_date, department: a.department, batch: a.batch, ..Default::default() },
        printer: a.printer,
        copies: a.copies,
        out: a.out,
        send,
    };
    let outcome = service::produce(store, &req, print::system().as_ref())?;
    if a.json {
        print_json(&outcome);
    } else {
        println!("{} {} page(s){}: {}", kind.as_str(), outcome.pages, if outcome.reprint { " (reprint)" } else { "" }, outcome.pdf_path);
        if outcome.printed {
            println!("sent to {} as {}", outcome.printer.as_deref().unwrap_or(""), outcome.job_id.as_deref().unwrap_or(""));
        }
    }
    if let Some(e) = outcome.error {
        return Err(AppError { message: format!("{} PDF đã lưu tại {}", e.message, outcome.pdf_path), ..e });
    }
    Ok(())
}

/// Prints each dossier's state after a lifecycle command.
fn show_states(ds: &[motcua_core::dossier::Dossier]) {
    for d in ds {
        let extra = match (&d.progress.department, d.progress.timeliness) {
            (_, Some(t)) => format!(" ({})", t.label()),
            (Some(dep), None) => format!(" — {dep}"),
            _ => String::new(),
        };
        println!("{}  {}{}  hẹn {}", d.code, d.status.label(), extra, d.due_at);
    }
}

fn lifecycle_cmd(store: &mut Store, codes: &[String], cmd: Command, out: &Out) -> Result<(), AppError> {
    let ds = lifecycle::apply_many(store, codes, &cmd)?;
    if out.json {
        print_json(&ds);
        return Ok(());
    }
    if let (Command::HandOver { .. }, Some(batch)) = (&cmd, ds[0].progress.movements.last().and_then(|m| m.batch.clone())) {
        println!("đợt bàn giao {batch} ({} hồ sơ); in danh sách: motcua print handover --batch {batch}", ds.len());
    }
    show_states(&ds);
    Ok(())
}

fn run(cli: Cli) -> Result<(), AppError> {
    let dir = paths::data_dir(cli.data_dir);
    // a restore never opens the live database as a store first: it replaces it
    if let Cmd::Backup(BackupCmd::Restore { file, confirm_agency }) = &cli.cmd {
        {
            // only an admin restores (once accounts exist); the store is closed again before the restore
            let mut store = Store::open_dir(&dir, clock()?)?;
            if let (Ok(user), Ok(password)) = (std::env::var("MOTCUA_USER"), std::env::var("MOTCUA_PASSWORD")) {
                motcua_core::accounts::login(&mut store, &user, &password)?;
            }
            store.require(motcua_core::accounts::Right::Backup)?;
        }
        let r = motcua_core::backup::restore(&dir.join(motcua_core::store::DB_FILE), file, clock()?, confirm_agency.as_deref())?;
        println!(
            "restored from {} ({} dossiers, {} events); the previous database is kept at {}",
            r.restored.path, r.restored.dossiers, r.restored.events, r.previous_copy
        );
        return Ok(());
    }
    let mut store = Store::open_dir(&dir, clock()?)?;
    // once accounts exist, the CLI acts as the account given in the environment
    if let (Ok(user), Ok(password)) = (std::env::var("MOTCUA_USER"), std::env::var("MOTCUA_PASSWORD")) {
        motcua_core::accounts::login(&mut store, &user, &password)?;
    }
    match cli.cmd {
        Cmd::Init(a) => {
            let blocks = a.code_blocks.iter().map(|b| codes::parse_block(b)).collect::<Result<Vec<_>, CoreError>>()?;
            let ctx = store.init(&InitParams {
                counter_name: a.counter_name.unwrap_or_else(|| format!("Quầy {}", a.counter)),
                agency_code: a.agency_code,
                agency_name: a.agency_name,
                agency_address: a.agency_address,
                counter_id: a.counter,
                clerk_id: a.clerk_id,
                clerk_name: a.clerk_name,
                code_blocks: blocks.clone(),
            })?;
            println!("initialised {} — {} at {}", ctx.agency_code, ctx.agency_name, store.path().display());
            if blocks.is_empty() {
                println!("note: no --code-block given: this counter issues provisional (TAM-…) codes until numbers are leased");
            }
        }
        Cmd::Catalog(CatalogCmd::Import { file }) => {
            let r = store.import_catalog(&read_file(&file)?)?;
            println!("catalog imported: {} added, {} updated, {} deactivated, {} in file", r.added, r.updated, r.deactivated, r.total);
        }
        Cmd::Catalog(CatalogCmd::List { json }) => {
            if json {
                print_json(&store.procedures());
            } else {
                for p in store.procedures() {
                    println!("{:<10} {:<24} {:>9} đ  {}", p.code, p.time_limit.label(), p.fee.amount, p.name);
                }
            }
        }
        Cmd::Calendar(CalendarCmd::Import { file }) => {
            store.import_calendar(&read_file(&file)?)?;
            println!("calendar imported");
        }
        Cmd::Calendar(CalendarCmd::Show { year, json }) => {
            let cal = store.calendar();
            let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| CoreError::invalid("bad year"))?;
            let days: Vec<serde_json::Value> = start
                .iter_days()
                .take_while(|d| chrono::Datelike::year(d) == year)
                .filter_map(|d| {
                    let kind = cal.day_kind(d);
                    let special = match kind {
                        motcua_core::calendar::DayKind::Holiday => Some("off"),
                        motcua_core::calendar::DayKind::SwappedWorking => Some("working"),
                        _ if !motcua_core::calendar::is_weekend(d) && !cal.is_working_day(d) => Some("off"),
                        _ => None,
                    }?;
                    Some(serde_json::json!({"date": d.to_string(), "kind": special, "name": cal.day_name(d)}))
                })
                .collect();
            if json {
                print_json(&serde_json::json!({"year": year, "decided": cal.year_decided(year), "days": days}));
            } else {
                if !cal.year_decided(year) {
                    println!("note: no complete government decision recorded for {year}: computed statutory days only");
                }
                for d in days {
                    println!("{}  {:<8} {}", d["date"].as_str().unwrap_or(""), d["kind"].as_str().unwrap_or(""), d["name"].as_str().unwrap_or(""));
                }
            }
        }
        Cmd::Intake { json } => {
            let text = if json == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| CoreError::Io { path: "stdin".into(), source: e })?;
                s
            } else {
                read_file(std::path::Path::new(&json))?
            };
            let req: IntakeRequest =
                serde_json::from_str(&text).map_err(|e| CoreError::invalid(format!("Intake JSON không hợp lệ: {e}")))?;
            let d = intake::submit(&mut store, &req)?;
            print_json(&d);
        }
        Cmd::Show { code, json } => {
            let d = store.dossier_by_code(&code)?;
            let sync = motcua_core::sync::dossier_sync(&store, &code)?;
            if json {
                let mut v = serde_json::to_value(&d).expect("serialisable");
                v["sync"] = serde_json::to_value(&sync).expect("serialisable");
                print_json(&v);
            } else {
                println!("Mã hồ sơ:    {}{}", d.code, if d.provisional { " (mã tạm)" } else { "" });
                if !d.progress.previous_codes.is_empty() {
                    println!("Mã cũ:       {} (Cổng đã cấp mã mới: in lại giấy tiếp nhận)", d.progress.previous_codes.join(", "));
                }
                println!("Thủ tục:     {} {}", d.procedure_code, d.procedure_name);
                println!("Người nộp:   {} ({:?} {})", d.applicant.full_name, d.applicant.id_type, d.applicant.id_number);
                println!("Tiếp nhận:   {}", d.received_at);
                println!("Hẹn trả:     {}", d.due_at);
                println!("Trạng thái:  {}", d.status.label());
                println!("Cổng DVC:    {}{}", sync.label, sync.reason.map(|r| format!(": {r}")).unwrap_or_default());
            }
        }
        Cmd::Search { query, json, cursor, limit } => {
            let page = search::search(&store, &query, cursor, limit)?;
            if json {
                print_json(&page);
            } else {
                if page.hits.is_empty() {
                    println!("Không tìm thấy hồ sơ nào");
                }
                for h in &page.hits {
                    println!("{:<30} {:<28} {:<12} hẹn {}", h.code, h.applicant_name, h.id_number, h.due_at);
                }
                if let Some(c) = page.next_cursor {
                    println!("… more: --cursor {c}");
                }
            }
        }
        Cmd::Due { procedure, days, received, json } => {
            let at = parse_local(&received)
                .ok_or_else(|| CoreError::validation("received", format!("'{received}' is not a date-time like 2026-02-12T10:30")))?;
            let (limit, label) = match (procedure, days) {
                (Some(code), _) => {
                    let p = store.procedure(&code).ok_or_else(|| CoreError::NotFound(format!("Không có thủ tục mã {code}")))?;
                    (p.time_limit.clone(), p.time_limit.label())
                }
                (None, Some(n)) => {
                    let l = TimeLimit::WorkingDays { days: n };
                    let label = l.label();
                    (l, label)
                }
                (None, None) => unreachable!("clap requires one"),
            };
            let due = due_at(store.calendar(), store.office_hours(), at, &limit)?;
            if json {
                print_json(&serde_json::json!({"received_at": to_rfc3339(at), "time_limit": limit, "time_limit_label": label, "due_at": to_rfc3339(due)}));
            } else {
                println!("{}", to_rfc3339(due));
            }
        }
        Cmd::Print(a) => print_cmd(&mut store, a)?,
        Cmd::Printers { json } => {
            let list = print::system().printers()?;
            if json {
                print_json(&list);
            } else {
                if list.is_empty() {
                    println!("no printers");
                }
                for p in list {
                    println!("{}{:<24} {}", if p.is_default { "* " } else { "  " }, p.name, p.state);
                }
            }
        }
        Cmd::Handover { department, codes, out } => lifecycle_cmd(&mut store, &codes, Command::HandOver { department }, &out)?,
        Cmd::Transfer { code, department, out } => lifecycle_cmd(&mut store, &[code], Command::Transfer { to: department }, &out)?,
        Cmd::ReceiveResult { codes, out } => lifecycle_cmd(&mut store, &codes, Command::ReceiveResult, &out)?,
        Cmd::Supplement { code, missing, out } => lifecycle_cmd(&mut store, &[code], Command::RequestSupplement { missing }, &out)?,
        Cmd::Supplemented { code, out } => lifecycle_cmd(&mut store, &[code], Command::Supplemented, &out)?,
        Cmd::Refuse { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Refuse { reason }, &out)?,
        Cmd::Stop { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Stop { reason }, &out)?,
        Cmd::Delay { code, new_date, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Delay { new_due: new_date, reason }, &out)?,
        Cmd::Return { code, name, id, authorised, post, out } => {
            let to = match (name, post) {
                (Some(name), _) => {
                    let id_number = id.unwrap_or_default();
                    if authorised { ReturnTo::Authorised { name, id_number } } else { ReturnTo::Applicant { name, id_number } }
                }
                (None, Some(tracking)) => ReturnTo::Post { tracking },
                (None, None) => unreachable!("clap requires one"),
            };
            lifecycle_cmd(&mut store, &[code], Command::Return { to }, &out)?
        }
        Cmd::Withdraw { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Withdraw { reason }, &out)?,
        Cmd::DueList { overdue, today, soon, supplement, ready, json } => {
            let which = if overdue {
                Some(WorkList::Overdue)
            } else if today {
                Some(WorkList::DueToday)
            } else if soon {
                Some(WorkList::DueSoon)
            } else if supplement {
                Some(WorkList::WaitingSupplement)
            } else if ready {
                Some(WorkList::ReadyToCollect)
            } else {
                None
            };
            match which {
                None if json => print_json(&lifecycle::counts(&store)?),
                None => {
                    let n = lifecycle::counts(&store)?;
                    println!("quá hạn {}  đến hạn hôm nay {}  đến hạn trong 1 ngày làm việc {}  chờ bổ sung {}  chờ trả kết quả {}", n.overdue, n.due_today, n.due_soon, n.waiting_supplement, n.ready_to_collect);
                    for r in motcua_core::sync::codes::reprints(&store)? {
                        println!("in lại giấy tiếp nhận: {} (mã cũ {})", r.code, r.old_code);
                    }
                }
                Some(list) => {
                    let items = lifecycle::list(&store, list, 500)?;
                    if json {
                        print_json(&items);
                    } else {
                        for w in items {
                            println!("{:<30} {:<28} {:<10} {:<20} hẹn {}", w.code, w.applicant_name, w.procedure_code, w.status.label(), w.due_at);
                        }
                    }
                }
            }
        }
        Cmd::Account(AccountCmd::CreateAdmin { id, name, password, pin }) => {
            let s = motcua_core::accounts::create_first_admin(&mut store, &id, &name, &password, pin.as_deref())?;
            println!("admin account {} ({}) created; from now on every action needs a login", s.clerk_id, s.clerk_name);
        }
        Cmd::Account(AccountCmd::Add { id, name, role, password, pin }) => {
            let role = motcua_core::accounts::Role::parse(&role).ok_or_else(|| CoreError::validation("role", "role: clerk | head | admin"))?;
            let a = motcua_core::accounts::add_account(&mut store, &id, &name, role, &password, pin.as_deref())?;
            print_json(&a);
        }
        Cmd::Account(AccountCmd::Deactivate { id }) => {
            motcua_core::accounts::deactivate(&mut store, &id)?;
            println!("account {id} deactivated");
        }
        Cmd::Account(AccountCmd::List) => print_json(&motcua_core::accounts::list(&store)?),
        Cmd::Backup(BackupCmd::Create { dir: folder, keep }) => {
            let s = motcua_core::backup::BackupSettings::load(&store)?;
            let folder = folder.unwrap_or_else(|| s.folder(&store));
            let b = motcua_core::backup::create(&mut store, &folder, keep.unwrap_or(s.keep), "manual")?;
            println!("backup {} ({} bytes, {} dossiers, integrity {})", b.path, b.bytes, b.dossiers, b.integrity);
        }
        Cmd::Backup(BackupCmd::Verify { file }) => {
            let c = motcua_core::backup::verify_against(&file, Some(store.conn()))?;
            print_json(&c);
            if !c.ok() {
                return Err(CoreError::Conflict(format!("backup {} fails its check", file.display())).into());
            }
        }
        Cmd::Backup(BackupCmd::Restore { .. }) => unreachable!("handled before the store is opened"),
        Cmd::Backup(BackupCmd::Config { dir: d, keep, every_hours }) => {
            let mut s = motcua_core::backup::BackupSettings::load(&store)?;
            if let Some(d) = d {
                s.dir = d;
            }
            if let Some(k) = keep {
                s.keep = k;
            }
            if let Some(h) = every_hours {
                s.every_hours = h;
            }
            s.save(&mut store)?;
            print_json(&s);
        }
        Cmd::Audit(AuditCmd::Verify { portal, json }) => {
            store.require(motcua_core::accounts::Right::Reports)?;
            let mut outside = Vec::new();
            let mut portal_refused = None;
            if portal {
                let e = motcua_core::sync::enrolment(&store)?.ok_or_else(|| CoreError::invalid("not enrolled with a portal"))?;
                let client = motcua_sync::PortalClient::new(&e.portal_url, Some(&e.token))?;
                let held = block_on(client.audit_anchor())?;
                if let Some((id, hash)) = held.audit_anchor.as_deref().and_then(motcua_core::audit::parse_anchor) {
                    outside.push(("the portal".to_string(), id, hash));
                }
                portal_refused = held.refused;
            }
            let mut report = motcua_core::audit::verify(store.conn(), &outside)?;
            if let Some(why) = portal_refused {
                report.problems.push(format!("the portal refused a later audit head from this counter as a rewritten history: {why}"));
            }
            if json {
                print_json(&report);
            } else if report.ok() {
                println!("audit log intact: {} entries, {} anchors checked, head {}", report.entries, report.anchors_checked, report.head.as_deref().unwrap_or("-"));
            }
            if !report.ok() {
                return Err(CoreError::Conflict(format!("audit log BROKEN: {}", report.problems.join("; "))).into());
            }
        }
        Cmd::Audit(AuditCmd::List { limit }) => {
            for e in motcua_core::audit::list(&store, limit)? {
                println!("{:>7} {} {:<8} {:<26} {}", e.id, e.at, e.actor, e.action, e.subject);
            }
        }
        Cmd::CodeBlocks { drop } => {
            if drop {
                println!("{} standing blocks dropped: official numbers now come from the portal's leases", motcua_core::sync::codes::drop_standing_blocks(&mut store)?);
            } else {
                for b in motcua_core::sync::codes::standing_blocks(&store)? {
                    println!("{}-{}", b.first, b.last);
                }
            }
        }
        Cmd::Enrol { portal, code } => {
            let resp = block_on(motcua_sync::enrol(&mut store, &portal, &code))?;
            println!("enrolled with {} as device {} (portal {})", portal, resp.device_id, resp.portal_id);
            if motcua_core::sync::identity::pinned_key(&store)?.is_none() {
                println!("note: this portal gave no identity key; it is pinned after the first successful sync");
            }
            println!("the portal's admin approves this machine (motcua-portal device approve) before it receives the agency's dossiers");
        }
        Cmd::Sync { portal, json, what: None } => {
            let report = block_on(motcua_sync::run_round(&mut store, portal.as_deref()))?;
            if json {
                print_json(&report);
            } else {
                let (p, q) = (&report.pushed, &report.pulled);
                println!(
                    "sent {} (already held {}, refused {}), received {} changes ({} conflicts), {} online dossiers",
                    p.stored, p.duplicate, p.rejected, q.events + q.catalogs + q.calendars + q.online_dossiers, q.conflicts, q.online_dossiers
                );
                let st = motcua_core::sync::status(&store)?;
                println!("waiting {}  parked {}  numbers left today {}", st.waiting, st.parked, st.numbers_left_today);
                if report.approval_pending {
                    println!("{} (pending approval)", motcua_core::sync::identity::PENDING_APPROVAL);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Status { json }), .. } => {
            let st = motcua_core::sync::status(&store)?;
            if json {
                print_json(&st);
            } else {
                println!(
                    "{}  portal {}  waiting {}  parked {}  conflicts {}  numbers left today {}",
                    if !st.enrolled { "not enrolled" } else if st.online { "online" } else { "offline" },
                    st.portal_url.as_deref().unwrap_or("-"),
                    st.waiting,
                    st.parked,
                    st.conflicts,
                    st.numbers_left_today
                );
                println!("last success {}  last error {}", st.last_success_at.as_deref().unwrap_or("-"), st.last_error.as_deref().unwrap_or("-"));
                for r in &st.reprints {
                    println!("in lại giấy tiếp nhận: {} (mã cũ {}): {}", r.code, r.old_code, r.reason);
                }
                if st.approval_pending {
                    println!("{} (pending approval)", motcua_core::sync::identity::PENDING_APPROVAL);
                }
                if let Some(why) = &st.audit_anchor_refused {
                    println!("AUDIT ANCHOR REFUSED by the portal (history rewritten on this PC?): {why}");
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Parked { retry, json }), .. } => {
            if retry {
                println!("{} events back in the queue", motcua_core::sync::retry_parked(&mut store)?);
            }
            let items = motcua_core::sync::parked(&store)?;
            if json {
                print_json(&items);
            } else {
                for p in items {
                    println!("{:<30} {:<22} {} [{}] {}", p.dossier_code, p.kind, p.parked_at, p.code, p.reason);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Failed { json }), .. } => {
            let items = motcua_core::sync::failed_changes(&store)?;
            if json {
                print_json(&items);
            } else {
                for f in items {
                    println!("{:>8} {:<16} {} × {}  {}", f.portal_seq, f.kind, f.first_at, f.attempts, f.error);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Conflicts { settle, json }), .. } => {
            if let Some(uid) = settle {
                motcua_core::sync::settle_conflict(&mut store, &uid)?;
            }
            let items = motcua_core::sync::conflicts(&store)?;
            if json {
                print_json(&items);
            } else {
                for c in items {
                    println!("{:<30} {:<22} {} {} → {} ({})", c.dossier_code, c.kind, c.counter_id, c.at, c.status_label, c.event_uid);
                }
            }
        }
        Cmd::Settings(SettingsCmd::Get) => print_json(&CounterSettings::load(&store)?),
        Cmd::Settings(SettingsCmd::Set { key, value }) => {
            let s = CounterSettings::set(&mut store, &key, &value)?;
            print_json(&s);
        }
    }
    Ok(())
}

/// Runs one async sync call on a runtime of its own (the CLI does nothing else meanwhile).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime").block_on(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(app) => {
            match &app.field {
                Some(f) => eprintln!("error [{}] {f}: {}", serde_json::to_value(app.code).unwrap().as_str().unwrap_or(""), app.message),
                None => eprintln!("error [{}]: {}", serde_json::to_value(app.code).unwrap().as_str().unwrap_or(""), app.message),
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
