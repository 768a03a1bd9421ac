//! The counter's SQLite file: opening (WAL, foreign keys, synchronous=FULL), versioned embedded
//! migrations (a newer database is refused, untouched), the agency/counter/clerk set-up, the catalog
//! and calendar tables, and the read side of dossiers. Every write is one IMMEDIATE transaction.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::due::OfficeHours;
use crate::calendar::{CalendarData, WorkCalendar, DEFAULT_CALENDAR_JSON};
use crate::catalog::{parse_catalog, Procedure, DEFAULT_CATALOG_JSON};
use crate::clock::{to_rfc3339, Clock};
use crate::codes;
use crate::dossier::{Dossier, Event, EventKind};
use crate::error::{CoreError, Result};

pub const DB_FILE: &str = "motcua.sqlite3";

/// The order a dossier's events are folded in (`events e LEFT JOIN event_portal p`): the portal's
/// sequence for what the portal holds, then this counter's events not yet acknowledged, oldest first.
pub(crate) const MERGE_ORDER: &str = "p.portal_seq IS NULL, p.portal_seq, e.id";

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_init.sql")),
        M::up(include_str!("../../migrations/0002_print_log.sql")),
        M::up(include_str!("../../migrations/0003_handover_batches.sql")),
        M::up(include_str!("../../migrations/0004_sync.sql")),
        M::up(include_str!("../../migrations/0005_audit.sql")),
        M::up(include_str!("../../migrations/0006_sync_recovery.sql")),
        M::up(include_str!("../../migrations/0007_accounts.sql")),
        M::up(include_str!("../../migrations/0008_code_reissue.sql")),
        M::up(include_str!("../../migrations/0009_login_lockout.sql")),
        M::up_with_hook(include_str!("../../migrations/0010_content_chain.sql"), |tx: &Transaction| -> rusqlite_migration::HookResult {
            crate::event_chain::backfill(tx)?;
            crate::projections::backfill_pulled_batches(tx)?;
            Ok(())
        }),
        M::up(include_str!("../../migrations/0011_supplement_restart.sql")),
        M::up(include_str!("../../migrations/0012_documents.sql")),
        M::up(include_str!("../../migrations/0013_payload_dicts.sql")),
    ])
}

/// The schema version this binary writes.
pub fn schema_version() -> i64 {
    13
}

/// Who is working at this counter (the context of every event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CounterContext {
    pub agency_code: String,
    pub agency_name: String,
    pub agency_address: String,
    pub counter_id: String,
    pub counter_name: String,
    pub clerk_id: String,
    pub clerk_name: String,
}

/// First-run set-up of a counter.
#[derive(Debug, Clone)]
pub struct InitParams {
    pub agency_code: String,
    pub agency_name: String,
    pub agency_address: String,
    pub counter_id: String,
    pub counter_name: String,
    pub clerk_id: String,
    pub clerk_name: String,
    /// Standing blocks of the daily official sequence owned by this counter (disjoint per counter).
    pub code_blocks: Vec<(u32, u32)>,
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CounterStatus {
    pub context: CounterContext,
    pub db_path: String,
    /// Events not yet acknowledged by the portal.
    #[ts(type = "number")]
    pub pending_events: i64,
    pub procedures: u32,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportReport {
    pub added: u32,
    pub updated: u32,
    pub deactivated: u32,
    pub total: u32,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    calendar: Arc<WorkCalendar>,
    procedures: Arc<Vec<Procedure>>,
    office_hours: OfficeHours,
    code_template: String,
    context: Option<CounterContext>,
    clock: Arc<dyn Clock>,
    /// The `data_rev` the cached catalog, calendar and settings were read at.
    loaded_rev: i64,
    /// Who is logged in on this connection (accounts::login); None in set-up mode.
    session: Option<crate::accounts::Session>,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`.
    pub fn open_dir(dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| CoreError::Io { path: dir.display().to_string(), source: e })?;
        Store::open(&dir.join(DB_FILE), clock)
    }

    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        // Refuse a newer database before touching anything (not even the journal mode).
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > schema_version() {
            return Err(CoreError::DatabaseTooNew { path: path.display().to_string(), found, supported: schema_version() });
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations().to_latest(&mut conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            calendar: Arc::new(WorkCalendar::new(CalendarData::parse(DEFAULT_CALENDAR_JSON)?)),
            procedures: Arc::new(vec![]),
            office_hours: OfficeHours::default(),
            code_template: codes::DEFAULT_TEMPLATE.to_string(),
            context: None,
            clock,
            loaded_rev: 0,
            session: None,
        };
        store.seed_defaults()?;
        store.reload()?;
        Ok(store)
    }

    /// Another connection to the file, for whoever is logged in on the app's own connection: the
    /// session is passed explicitly (`accounts::resume`), never assumed from the connection.
    pub fn open_as(path: &Path, clock: Arc<dyn Clock>, session: Option<&crate::accounts::Session>) -> Result<Store> {
        let mut store = Store::open(path, clock)?;
        crate::accounts::resume(&mut store, session)?;
        Ok(store)
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The clock, to open another connection with the same time (the sync task).
    pub fn clock_arc(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory the database lives in (imported unit lists, saved PDFs).
    pub fn data_dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }

    /// The connection, for the core's own modules only: the sibling crates (sync, forms, CLI, shell)
    /// go through named functions of the core, so every write is one IMMEDIATE transaction with its
    /// audit entry and every read checks the session's right.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts the IMMEDIATE transaction every write runs in.
    pub(crate) fn write_tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The shipped catalog and calendar: loaded on first run, and loaded again when a newer app ships
    /// newer ones while the database still holds the shipped ones (`catalog_source` /
    /// `calendar_source` = "shipped:<version>"; a database from before these keys counts as shipped).
    /// A catalog or calendar imported by the admin or published by the portal is never replaced.
    fn seed_defaults(&mut self) -> Result<()> {
        let file = crate::catalog::parse_catalog(DEFAULT_CATALOG_JSON)?;
        let shipped_catalog = file.version.clone();
        let n: i64 = self.conn.query_row("SELECT COUNT(*) FROM procedures", [], |r| r.get(0))?;
        let mut source = self.setting("catalog_source")?;
        if source.is_none() && n > 0 {
            // a database from before the key: its catalog was a shipped one when every procedure it
            // holds is still shipped (an imported or published catalog has others)
            let codes = serde_json::to_string(&file.procedures.iter().map(|p| p.code.as_str()).collect::<Vec<_>>()).expect("json");
            let foreign: i64 = self.conn.query_row(
                "SELECT COUNT(*) FROM procedures WHERE active = 1 AND code NOT IN (SELECT value FROM json_each(?1))",
                [codes],
                |r| r.get(0),
            )?;
            if foreign > 0 {
                source = Some("imported".into());
            }
        }
        if n == 0 || Self::older_shipped(source, &shipped_catalog) {
            self.import_catalog_from(DEFAULT_CATALOG_JSON, &format!("shipped:{shipped_catalog}"))?;
        }
        let shipped_calendar = CalendarData::parse(DEFAULT_CALENDAR_JSON)?.version;
        let c: i64 = self.conn.query_row("SELECT COUNT(*) FROM calendar", [], |r| r.get(0))?;
        if c == 0 || Self::older_shipped(self.setting("calendar_source")?, &shipped_calendar) {
            self.import_calendar_from(DEFAULT_CALENDAR_JSON, &format!("shipped:{shipped_calendar}"))?;
        }
        Ok(())
    }

    /// True when the stored data is a shipped version older than `shipped` (versions are dates).
    fn older_shipped(source: Option<String>, shipped: &str) -> bool {
        match source {
            None => true,
            Some(s) => s.strip_prefix("shipped:").is_some_and(|v| v < shipped),
        }
    }

    /// Bumped (in the writer's transaction) whenever the catalog or calendar changes, so another
    /// connection to the same file (the app's and the sync task's) knows to re-read its cache.
    fn bump_rev(tx: &Transaction) -> Result<()> {
        tx.execute(
            "INSERT INTO settings(key, value) VALUES ('data_rev', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            [],
        )?;
        Ok(())
    }

    fn data_rev(&self) -> Result<i64> {
        Ok(self.setting("data_rev")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Re-reads the cached catalog and calendar if another connection changed them (a sync pulled a
    /// new catalog while the app was open). One small query when nothing changed.
    pub fn refresh_if_stale(&mut self) -> Result<()> {
        if self.data_rev()? != self.loaded_rev {
            self.reload()?;
        }
        Ok(())
    }

    /// Re-reads the cached catalog, calendar, settings and counter context.
    pub(crate) fn reload(&mut self) -> Result<()> {
        self.loaded_rev = self.data_rev()?;
        let procs: Vec<Procedure> = {
            let mut st = self.conn.prepare("SELECT data FROM procedures WHERE active = 1 ORDER BY code")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            let mut v = vec![];
            for json in rows {
                v.push(serde_json::from_str(&json?).map_err(|e| CoreError::Internal(format!("procedure row: {e}")))?);
            }
            v
        };
        self.procedures = Arc::new(procs);
        let cal: Option<String> = self.conn.query_row("SELECT data FROM calendar WHERE id = 1", [], |r| r.get(0)).optional()?;
        if let Some(json) = cal {
            self.calendar = Arc::new(WorkCalendar::new(CalendarData::parse(&json)?));
        }
        if let Some(oh) = self.setting("office_hours")? {
            self.office_hours = serde_json::from_str(&oh).map_err(|e| CoreError::Internal(format!("office_hours: {e}")))?;
        }
        // a stored template is used only when it is one `codes::check_template` accepts
        if let Some(t) = self.setting("code_template")?.filter(|t| codes::check_template(t).is_ok()) {
            self.code_template = t;
        }
        self.context = self
            .conn
            .query_row(
                "SELECT a.code, a.name, a.address, c.id, c.name,
                        (SELECT value FROM settings WHERE key = 'clerk_id'),
                        (SELECT k.name FROM clerks k WHERE k.id = (SELECT value FROM settings WHERE key = 'clerk_id'))
                 FROM agency a, counters c WHERE a.id = 1 AND c.is_local = 1",
                [],
                |r| {
                    Ok(CounterContext {
                        agency_code: r.get(0)?,
                        agency_name: r.get(1)?,
                        agency_address: r.get(2)?,
                        counter_id: r.get(3)?,
                        counter_name: r.get(4)?,
                        clerk_id: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                        clerk_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    })
                },
            )
            .optional()?;
        self.apply_session();
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    /// Refuses while the first-run set-up is not finished (read from the file each time: the
    /// enrolment that finishes it may come through another connection).
    pub fn require_set_up(&self) -> Result<()> {
        match crate::setup::stored_stage(self)? {
            Some(s) if s != crate::setup::SetupStage::Done => Err(CoreError::forbidden(
                crate::error::Reason::SetupIncomplete,
                "Chưa thiết lập xong máy này (còn bước kết nối với cổng): chưa tiếp nhận được hồ sơ",
            )),
            _ => Ok(()),
        }
    }

    pub fn is_initialised(&self) -> bool {
        self.context.is_some()
    }

    /// Sets up the agency, this counter and its first clerk. Refused if already done.
    pub fn init(&mut self, p: &InitParams) -> Result<CounterContext> {
        let p = self.check_init(p)?;
        let at = self.clock.now();
        let tx = self.write_tx()?;
        Store::write_init(&tx, &p, at)?;
        tx.commit()?;
        self.reload()?;
        self.context().cloned()
    }

    /// `init`'s checks: the parameters cleaned (NFC, trimmed), or the first wrong one. Refused once
    /// the counter is set up.
    pub(crate) fn check_init(&self, p: &InitParams) -> Result<InitParams> {
        if self.is_initialised() {
            return Err(CoreError::Conflict("Máy này đã được khởi tạo đơn vị và quầy; không khởi tạo lại.".into()));
        }
        let agency_code = p.agency_code.trim().to_string();
        crate::limits::length("agency_code", "Mã định danh đơn vị", &agency_code, crate::limits::CODE)?;
        crate::limits::length("counter", "Mã quầy", p.counter_id.trim(), crate::limits::CODE)?;
        crate::limits::length("clerk_id", "Mã cán bộ", p.clerk_id.trim(), crate::limits::CODE)?;
        let agency_address = crate::limits::text("agency_address", "Địa chỉ đơn vị", &p.agency_address, crate::limits::ADDRESS)?;
        let counter_name = crate::limits::text("counter_name", "Tên quầy", &p.counter_name, crate::limits::AGENCY_NAME)?;
        let clerk_name = crate::limits::text("clerk_name", "Họ tên cán bộ", &p.clerk_name, crate::limits::NAME)?;
        if agency_code.is_empty() || !agency_code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
            return Err(CoreError::validation("agency_code", "Mã định danh đơn vị chỉ gồm chữ, số và dấu chấm (ví dụ 000.00.06.H56)"));
        }
        let agency_name = crate::limits::text("agency_name", "Tên đơn vị", &p.agency_name, crate::limits::AGENCY_NAME)?;
        if agency_name.is_empty() {
            return Err(CoreError::validation("agency_name", "Tên đơn vị không được để trống"));
        }
        let counter_id = p.counter_id.trim().to_string();
        if counter_id.is_empty() || !counter_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CoreError::validation("counter", "Mã quầy chỉ gồm chữ và số (ví dụ Q01)"));
        }
        let mut blocks = p.code_blocks.clone();
        blocks.sort();
        for w in blocks.windows(2) {
            if w[1].0 <= w[0].1 {
                return Err(CoreError::validation("code_block", "Các dải số mã hồ sơ không được chồng nhau"));
            }
        }
        Ok(InitParams {
            agency_code,
            agency_name,
            agency_address,
            counter_id,
            counter_name,
            clerk_id: p.clerk_id.trim().to_string(),
            clerk_name,
            code_blocks: blocks,
        })
    }

    /// Writes checked `init` parameters in the caller's transaction (the first-run set-up writes them
    /// with its settings and the admin account, all or nothing).
    pub(crate) fn write_init(tx: &Transaction, p: &InitParams, at: chrono::NaiveDateTime) -> Result<()> {
        tx.execute(
            "INSERT INTO agency(id, code, name, address) VALUES (1, ?1, ?2, ?3)",
            params![p.agency_code, p.agency_name, p.agency_address],
        )?;
        tx.execute("INSERT INTO counters(id, name, is_local) VALUES (?1, ?2, 1)", params![p.counter_id, p.counter_name])?;
        tx.execute("INSERT INTO clerks(id, name) VALUES (?1, ?2)", params![p.clerk_id, p.clerk_name])?;
        tx.execute("INSERT INTO settings(key, value) VALUES ('clerk_id', ?1)", [&p.clerk_id])?;
        for (a, b) in &p.code_blocks {
            tx.execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, ?1, ?2, 'admin')", params![a, b])?;
        }
        crate::audit::record(tx, at, &p.clerk_id, "init", &p.counter_id, &serde_json::json!({ "agency": p.agency_code, "code_blocks": p.code_blocks }))?;
        // other connections to the file (the sync task's, opened before the set-up) read the new
        // agency and counter at their next look
        Store::bump_rev(tx)?;
        // a window's set-up in progress is moot now (the first-run set-up's `finish` writes its own)
        tx.execute("DELETE FROM settings WHERE key IN ('setup_stage', 'setup_draft')", [])?;
        Ok(())
    }

    /// The demo set-up used when the app starts on a fresh machine.
    pub fn ensure_demo(&mut self) -> Result<CounterContext> {
        if let Some(c) = &self.context {
            return Ok(c.clone());
        }
        self.init(&InitParams {
            agency_code: "000.00.31.H26".into(),
            agency_name: "UBND phường Ba Đình (dữ liệu mẫu)".into(),
            agency_address: "Số 25 phố Liễu Giai, phường Ba Đình, thành phố Hà Nội".into(),
            counter_id: "Q01".into(),
            counter_name: "Quầy 01".into(),
            clerk_id: "CB01".into(),
            clerk_name: "Nguyễn Thị Lan".into(),
            code_blocks: vec![(1, 9999)],
        })
    }

    pub fn session(&self) -> Option<&crate::accounts::Session> {
        self.session.as_ref()
    }

    /// Sets who is working; events and audit entries from now on carry this clerk.
    pub(crate) fn set_session(&mut self, s: Option<crate::accounts::Session>) {
        self.session = s;
        self.apply_session();
    }

    /// This connection works for the app itself (the sync task, scheduled backups), not a person.
    pub fn act_as_system(&mut self) {
        self.set_session(Some(crate::accounts::Session::system()));
    }

    fn apply_session(&mut self) {
        if let (Some(s), Some(c)) = (&self.session, self.context.as_mut()) {
            if !s.clerk_id.is_empty() {
                c.clerk_id = s.clerk_id.clone();
                c.clerk_name = s.clerk_name.clone();
            }
        }
    }

    /// Who is acting, for the audit log ('' before set-up).
    pub fn actor(&self) -> String {
        self.context.as_ref().map(|c| c.clerk_id.clone()).unwrap_or_default()
    }

    pub fn context(&self) -> Result<&CounterContext> {
        self.context.as_ref().ok_or(CoreError::NotInitialised)
    }

    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    pub fn office_hours(&self) -> &OfficeHours {
        &self.office_hours
    }

    pub fn code_template(&self) -> &str {
        &self.code_template
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn procedure(&self, code: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.code == code.trim())
    }

    /// Replaces the catalog from a `motcua.catalog/1` file: new codes added, known ones updated, codes
    /// absent from the file deactivated (kept for the dossiers that reference them).
    pub fn import_catalog(&mut self, json: &str) -> Result<ImportReport> {
        self.require(crate::accounts::Right::Catalog)?;
        self.import_catalog_from(json, "imported")
    }

    /// Imports a catalog and records where it came from (`catalog_source`), in one transaction.
    fn import_catalog_from(&mut self, json: &str, source: &str) -> Result<ImportReport> {
        let file = parse_catalog(json)?;
        let (clock_now, actor) = (self.clock.now(), self.actor());
        let now = to_rfc3339(clock_now);
        let tx = self.write_tx()?;
        let (mut added, mut updated) = (0, 0);
        for p in &file.procedures {
            let data = serde_json::to_string(p).expect("serialisable");
            let existed: bool = tx.query_row("SELECT COUNT(*) FROM procedures WHERE code = ?1", [&p.code], |r| r.get::<_, i64>(0))? > 0;
            tx.execute(
                "INSERT INTO procedures(code, name, field, active, data, updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5)
                 ON CONFLICT(code) DO UPDATE SET name = excluded.name, field = excluded.field, active = 1,
                   data = excluded.data, updated_at = excluded.updated_at,
                   dict_id = CASE WHEN procedures.data = excluded.data THEN procedures.dict_id END",
                params![p.code, p.name, p.field, data, now],
            )?;
            if existed {
                updated += 1
            } else {
                added += 1
            }
        }
        let codes: Vec<&str> = file.procedures.iter().map(|p| p.code.as_str()).collect();
        let codes_json = serde_json::to_string(&codes).expect("serialisable");
        let deactivated = tx.execute(
            "UPDATE procedures SET active = 0, updated_at = ?2 WHERE active = 1 AND code NOT IN (SELECT value FROM json_each(?1))",
            params![codes_json, now],
        )? as u32;
        Store::bump_rev(&tx)?;
        tx.execute("INSERT INTO settings(key, value) VALUES ('catalog_source', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [source])?;
        crate::audit::record(
            &tx,
            clock_now,
            &actor,
            "catalog.import",
            "",
            &serde_json::json!({ "added": added, "updated": updated, "deactivated": deactivated, "source": source, "version": file.version }),
        )?;
        tx.commit()?;
        self.reload()?;
        Ok(ImportReport { added, updated, deactivated, total: file.procedures.len() as u32 })
    }

    /// Replaces the working-day calendar (holiday rules and yearly decisions).
    pub fn import_calendar(&mut self, json: &str) -> Result<()> {
        self.require(crate::accounts::Right::Catalog)?;
        self.import_calendar_from(json, "imported")
    }

    fn import_calendar_from(&mut self, json: &str, source: &str) -> Result<()> {
        let now = self.clock.now();
        let actor = self.actor();
        let data = CalendarData::parse(json)?;
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO calendar(id, data, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            params![serde_json::to_string(&data).expect("serialisable"), to_rfc3339(now)],
        )?;
        Store::bump_rev(&tx)?;
        tx.execute("INSERT INTO settings(key, value) VALUES ('calendar_source', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [source])?;
        crate::audit::record(&tx, now, &actor, "calendar.import", "", &serde_json::json!({ "version": data.version, "source": source }))?;
        tx.commit()?;
        self.reload()
    }

    /// A dossier by its code (official or provisional). Every public read of dossiers checks
    /// `Right::Read` first (nobody logged in, or a locked screen: refused), like every write.
    pub fn dossier_by_code(&self, code: &str) -> Result<Dossier> {
        Ok(self.dossier_with_id(code)?.1)
    }

    /// The dossier's row id and the dossier (by official or provisional code).
    pub fn dossier_with_id(&self, code: &str) -> Result<(i64, Dossier)> {
        self.require(crate::accounts::Right::Read)?;
        let code = code.trim().to_uppercase();
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM dossiers WHERE code = ?1 UNION ALL SELECT id FROM dossiers WHERE provisional_code = ?1
              UNION ALL SELECT dossier_id FROM dossier_recodes WHERE old_code = ?1 LIMIT 1")?
            .query_row([&code], |r| r.get(0))
            .optional()?;
        let id = id.ok_or_else(|| CoreError::NotFound(format!("Không tìm thấy hồ sơ có mã {code}")))?;
        Ok((id, self.dossier_by_id(id)?))
    }

    pub(crate) fn dossier_by_request_id(&self, request_id: &str) -> Result<Option<Dossier>> {
        let id: Option<i64> =
            self.conn.prepare_cached("SELECT id FROM dossiers WHERE request_id = ?1")?.query_row([request_id], |r| r.get(0)).optional()?;
        id.map(|id| self.dossier_by_id(id)).transpose()
    }

    /// The dossier as the fold of its events: the `received` payload, then each later event applied,
    /// in merge order (`MERGE_ORDER`); an event that no longer fits (a conflict settled by the portal's
    /// order, see `sync`) is skipped.
    pub(crate) fn dossier_by_id(&self, id: i64) -> Result<Dossier> {
        let events = self.payloads(id)?;
        let (dossier, _) = crate::dossier::fold_merged(events.iter().map(|(at, e)| (at.as_str(), e)));
        dossier.ok_or_else(|| CoreError::Internal(format!("dossier {id} has no received event")))
    }

    fn payloads(&self, id: i64) -> Result<Vec<(String, EventKind)>> {
        Ok(crate::projections::merged_events(&self.conn, id)?.into_iter().map(|(_, at, e)| (at, e)).collect())
    }

    /// A dossier's events with their times, decoded, oldest first.
    pub fn event_payloads_of(&self, code: &str) -> Result<Vec<(String, EventKind)>> {
        let (id, _) = self.dossier_with_id(code)?;
        self.payloads(id)
    }

    /// Dossiers received between two dates (both inclusive, local time), oldest first: the logbook
    /// (a report: `Right::Reports`).
    pub fn dossiers_received_between(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<Dossier>> {
        self.require(crate::accounts::Right::Reports)?;
        if to < from {
            return Err(CoreError::invalid(format!(
                "Ngày kết thúc {} trước ngày bắt đầu {}",
                crate::dates::format_date(to),
                crate::dates::format_date(from)
            )));
        }
        let end = to.succ_opt().unwrap_or(to);
        let ids: Vec<i64> = {
            let mut st = self.conn.prepare_cached(
                "SELECT id FROM dossiers WHERE received_at >= ?1 AND received_at < ?2 ORDER BY received_at, id",
            )?;
            let rows = st.query_map([from.format("%Y-%m-%d").to_string(), end.format("%Y-%m-%d").to_string()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        ids.into_iter().map(|id| self.listed_dossier(id)).collect()
    }

    /// The dossiers of one handover batch, in the order they were scanned.
    pub fn dossiers_in_batch(&self, batch: &str) -> Result<Vec<Dossier>> {
        self.require(crate::accounts::Right::Read)?;
        let ids: Vec<i64> = {
            let mut st = self.conn.prepare_cached("SELECT dossier_id FROM handover_batches WHERE batch = ?1 ORDER BY event_id")?;
            let rows = st.query_map([batch.trim().to_uppercase()], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        if ids.is_empty() {
            return Err(CoreError::NotFound(format!("Không có đợt bàn giao {}", batch.trim())));
        }
        ids.into_iter().map(|id| self.listed_dossier(id)).collect()
    }

    /// The history of a dossier, oldest first.
    pub fn events_of(&self, code: &str) -> Result<Vec<Event>> {
        self.require(crate::accounts::Right::Read)?;
        let mut st = self.conn.prepare_cached(
            "SELECT e.uid, e.counter_id, e.seq, e.at, e.clerk_id, e.kind FROM events e
             JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = ?1 OR d.provisional_code = ?1 ORDER BY e.id",
        )?;
        let rows = st.query_map([code.trim().to_uppercase()], |r| {
            let uid: [u8; 16] = r.get(0)?;
            Ok(Event { uid: uuid::Uuid::from_bytes(uid).to_string(), counter_id: r.get(1)?, seq: r.get(2)?, at: r.get(3)?, clerk_id: r.get(4)?, kind: r.get(5)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn status(&self) -> Result<CounterStatus> {
        Ok(CounterStatus {
            context: self.context()?.clone(),
            db_path: self.path.display().to_string(),
            pending_events: self.pending_outbox()?,
            procedures: self.procedures.len() as u32,
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// Number of events not yet acknowledged by the portal.
    pub fn pending_outbox(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?)
    }
}

mod unreadable;
pub use unreadable::UNREADABLE_NOTE;

#[cfg(test)]
mod tests;
