//! The portal's own SQLite database: enrolled devices (token hashes only), every event exactly once
//! (by uid) in the portal's order (`portal_seq`, the agency-wide authority), the feed counters pull
//! from, the portal's view of each dossier (the fold of its events in portal order, with the same
//! rule as the counters), number leases, and the back-office steps. Its tables are made by the
//! versioned migrations of `schema`.

use std::path::Path;

use motcua_core::catalog::{parse_catalog, DEFAULT_CATALOG_JSON};
use motcua_core::dossier::{fold_merged, EventKind};
use motcua_core::sync::protocol::*;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use sha2::{Digest, Sha256};

pub const DB_FILE: &str = "portal.sqlite3";
/// The counter id the portal's own (back-office) events carry.
pub use motcua_core::sync::protocol::BACK_OFFICE;

/// A refusal with its HTTP status.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Refusal { status, code: code.into(), message: message.into() }
    }
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            protocol: PROTOCOL_VERSION,
            code: self.code.clone(),
            message: self.message.clone(),
            // a refused version always says which versions this side speaks
            supported: if self.code == "protocol_version" { vec![PROTOCOL_VERSION] } else { vec![] },
        }
    }
}

impl From<rusqlite::Error> for Refusal {
    fn from(e: rusqlite::Error) -> Self {
        Refusal::new(500, "internal", format!("database: {e}"))
    }
}

type R<T> = Result<T, Refusal>;

pub struct Device {
    pub device_id: String,
    pub agency_code: String,
    pub counter_id: String,
}

pub struct PortalDb {
    pub conn: Connection,
}

/// What the citizen's lookup answers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct LookupAnswer {
    /// The code asked for.
    pub asked: String,
    /// The dossier's code now (the official one once mapped).
    pub code: String,
    pub status: String,
    pub status_label: String,
    pub due_at: String,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn now_text() -> String {
    motcua_core::clock::to_rfc3339(chrono::Utc::now().with_timezone(&motcua_core::clock::vn_offset()).naive_local())
}

pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("system randomness");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl PortalDb {
    pub fn open(dir: &Path) -> R<PortalDb> {
        std::fs::create_dir_all(dir).map_err(|e| Refusal::new(500, "io", format!("{}: {e}", dir.display())))?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // a newer (or unrecognised) database is refused before anything touches it, not even the journal mode
        crate::schema::recognise(&mut conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        crate::schema::migrate(&mut conn, &path)?;
        let mut db = PortalDb { conn };
        if db.meta("portal_id")?.is_none() {
            db.set_meta("portal_id", &format!("portal-{}", &random_hex(4)))?;
        }
        // the shipped catalog on first run, and again when a newer binary ships a newer one while the
        // portal still holds a shipped one (a published catalog is never replaced)
        let file = motcua_core::catalog::parse_catalog(DEFAULT_CATALOG_JSON).map_err(|e| Refusal::new(500, "internal", e.to_string()))?;
        let shipped = file.version.clone();
        let n: i64 = db.conn.query_row("SELECT COUNT(*) FROM procedures", [], |r| r.get(0))?;
        let older = match db.meta("catalog_source")? {
            // a portal from before the key: its catalog was the shipped one when every procedure it
            // holds is still shipped (a published catalog has others)
            None => {
                let codes = serde_json::to_string(&file.procedures.iter().map(|p| p.code.as_str()).collect::<Vec<_>>()).expect("json");
                let foreign: i64 =
                    db.conn.query_row("SELECT COUNT(*) FROM procedures WHERE code NOT IN (SELECT value FROM json_each(?1))", [codes], |r| r.get(0))?;
                foreign == 0
            }
            Some(s) => s.strip_prefix("shipped:").is_some_and(|v| v < shipped.as_str()),
        };
        if n == 0 || older {
            db.load_catalog(DEFAULT_CATALOG_JSON)?;
            db.set_meta("catalog_source", &format!("shipped:{shipped}"))?;
        }
        Ok(db)
    }

    pub fn meta(&self, key: &str) -> R<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> R<()> {
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
        Ok(())
    }

    fn load_catalog(&mut self, json: &str) -> R<usize> {
        let tx = self.tx()?;
        let n = replace_procedures(&tx, json)?;
        tx.commit()?;
        Ok(n)
    }

    fn tx(&mut self) -> R<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Enrols a counter with a single-use code issued for it (`enrolment`); the device starts pending.
    pub fn enrol(&mut self, req: &EnrolRequest) -> R<EnrolResponse> {
        let (agency, counter) = (req.agency_code.trim(), req.counter_id.trim());
        if agency.is_empty() || counter.is_empty() || !counter.chars().all(|c| c.is_ascii_alphanumeric()) || counter == BACK_OFFICE {
            return Err(Refusal::new(400, "invalid", "agency_code and counter_id are required (counter_id: letters and digits)"));
        }
        let token = random_hex(32);
        let tx = self.tx()?;
        // spent only if this transaction commits
        crate::enrolment::consume(&tx, &req.enrolment_code, agency, counter, &format!("{agency}/{counter}"))?;
        let existing: Option<(String, bool)> = tx
            .query_row("SELECT device_id, revoked FROM devices WHERE agency_code = ?1 AND counter_id = ?2", [agency, counter], |r| {
                Ok((r.get(0)?, r.get::<_, i64>(1)? == 1))
            })
            .optional()?;
        // the code alone never takes over a counter that is enrolled: its admin revokes it first
        if let Some((_, false)) = &existing {
            return Err(Refusal::new(
                409,
                "already_enrolled",
                format!("Quầy {counter} của {agency} đã đăng ký; quản trị cổng cần thu hồi trước (motcua-portal revoke) rồi mới đăng ký lại"),
            ));
        }
        // a counter enrolling again (new machine, lost token) keeps its device id: its events stay its own
        let reenrol = existing.is_some();
        let device_id = existing.map(|e| e.0).unwrap_or_else(|| format!("{agency}/{counter}"));
        if reenrol {
            crate::anchors::reset_on_reenrol(&tx, &device_id, &now_text())?;
        }
        tx.execute(
            "INSERT INTO devices(device_id, agency_code, counter_id, counter_name, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(device_id) DO UPDATE SET token_hash = excluded.token_hash, counter_name = excluded.counter_name,
               enrolled_at = excluded.enrolled_at, revoked = 0",
            params![device_id, agency, counter, req.counter_name, hash_token(&token), now_text()],
        )?;
        crate::enrolment::mark_pending(&tx, &device_id)?;
        let last_seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events WHERE device_id = ?1", [&device_id], |r| r.get(0))?;
        // the counter's standing blocks: registered for it, or the enrolment is refused (overlap)
        let standing_blocks = crate::codes::register_blocks(&tx, agency, &device_id, &req.standing_blocks)?;
        tx.commit()?;
        Ok(EnrolResponse {
            protocol: PROTOCOL_VERSION,
            device_id,
            token,
            portal_id: self.meta("portal_id")?.unwrap_or_default(),
            server_time: now_ms(),
            last_seq,
            standing_blocks,
        })
    }

    /// Revokes a counter's token (a lost or replaced machine); it may then enrol again.
    pub fn revoke(&mut self, agency: &str, counter: &str) -> R<()> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked = 1, token_hash = 'revoked:' || device_id || ':' || ?3 WHERE agency_code = ?1 AND counter_id = ?2",
            params![agency, counter, random_hex(8)],
        )?;
        if n == 0 {
            return Err(Refusal::new(404, "unknown_counter", format!("counter {counter} of {agency} is not enrolled")));
        }
        Ok(())
    }

    pub fn device_by_token(&self, token: &str) -> R<Device> {
        self.conn
            .query_row("SELECT device_id, agency_code, counter_id FROM devices WHERE token_hash = ?1 AND revoked = 0", [hash_token(token)], |r| {
                Ok(Device { device_id: r.get(0)?, agency_code: r.get(1)?, counter_id: r.get(2)? })
            })
            .optional()?
            .ok_or_else(|| Refusal::new(401, "unauthorised", "unknown or revoked device token"))
    }

    /// Stores a batch: each event exactly once, in one transaction.
    pub fn push(&mut self, device: &Device, req: &PushRequest) -> R<PushResponse> {
        if req.device_id != device.device_id {
            return Err(Refusal::new(401, "unauthorised", "the token belongs to another device"));
        }
        if req.events.len() > MAX_BATCH {
            return Err(Refusal::new(413, "batch_too_large", format!("at most {MAX_BATCH} events per push")));
        }
        let tx = self.tx()?;
        let mut results = Vec::with_capacity(req.events.len());
        for w in &req.events {
            results.push(store_event(&tx, device, w)?);
        }
        // the counter's audit head, kept outside the counter: taken only as an extension of the one
        // held (a rewritten history is refused and flagged; the events are handled all the same)
        let audit_anchor_refused = crate::anchors::accept(&tx, &device.device_id, req, &now_text())?;
        let held = advance_held(&tx, &device.device_id)?;
        tx.commit()?;
        Ok(PushResponse { protocol: PROTOCOL_VERSION, server_time: now_ms(), held_through_seq: held, results, audit_anchor_refused })
    }

    pub fn audit_anchor(&self, device: &Device) -> R<AnchorResponse> {
        let anchor: Option<String> =
            self.conn.query_row("SELECT audit_anchor FROM devices WHERE device_id = ?1", [&device.device_id], |r| r.get(0)).optional()?.flatten();
        let refused = crate::anchors::flagged(&self.conn, &device.device_id)?;
        Ok(AnchorResponse { protocol: PROTOCOL_VERSION, audit_anchor: anchor, refused })
    }

    /// `own`: also this device's own events (a re-enrolled machine recovering them).
    pub fn changes(&self, device: &Device, cursor: i64, limit: u32, own: bool) -> R<ChangesResponse> {
        let limit = limit.clamp(1, 1000);
        let mut st = self.conn.prepare_cached(
            "SELECT portal_seq, body FROM feed WHERE portal_seq > ?1
               AND (agency_code IS NULL OR agency_code = ?2)
               AND (target_device IS NULL OR target_device = ?3)
               AND (origin_device IS NULL OR origin_device != ?3 OR ?5)
             ORDER BY portal_seq LIMIT ?4",
        )?;
        let rows = st.query_map(params![cursor, device.agency_code, device.device_id, limit, own], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        let mut changes = Vec::new();
        for row in rows {
            let (seq, body) = row?;
            let body: ChangeBody = serde_json::from_str(&body).map_err(|e| Refusal::new(500, "internal", format!("feed {seq}: {e}")))?;
            changes.push(Change { portal_seq: seq, body });
        }
        let more = changes.len() as u32 == limit;
        let next_cursor = changes.last().map_or(cursor, |c| c.portal_seq);
        Ok(ChangesResponse { protocol: PROTOCOL_VERSION, server_time: now_ms(), changes, next_cursor, more })
    }

    /// A block of the agency's daily sequence for this device (`codes::lease`: capped, outside every
    /// registered standing block).
    pub fn lease(&mut self, device: &Device, req: &LeaseRequest) -> R<LeaseResponse> {
        let tx = self.tx()?;
        let lease = crate::codes::lease(&tx, device, req)?;
        tx.commit()?;
        Ok(lease)
    }

    /// The numbers one counter may lease per day (None: read it).
    pub fn lease_cap(&mut self, set: Option<u32>) -> R<u32> {
        if let Some(n) = set {
            if n == 0 || n > 9999 {
                return Err(Refusal::new(400, "invalid", "the lease cap is 1..9999 numbers per counter and day"));
            }
            self.set_meta("lease_cap_per_day", &n.to_string())?;
        }
        let tx = self.tx()?;
        let cap = crate::codes::lease_cap(&tx)?;
        tx.commit()?;
        Ok(cap)
    }

    /// A step taken in the back office on a dossier the portal holds (refused, stopped, result ready):
    /// checked against the portal's view, stored as the portal's own event, and relayed to the counters.
    /// The dossier is found by agency and code: codes are unique only within an agency.
    pub fn back_office(&mut self, agency: &str, dossier_code: &str, event: EventKind, clerk: &str) -> R<WireEvent> {
        let (duid, agency): (String, String) = self
            .conn
            .query_row(
                "SELECT uid, agency_code FROM dossiers WHERE agency_code = ?1 AND code = ?2",
                [agency.trim(), dossier_code.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Refusal::new(404, "unknown_dossier", format!("the portal holds no dossier {dossier_code} of agency {agency}")))?;
        let tx = self.tx()?;
        let (d, _) = fold_dossier(&tx, &duid)?;
        let d = d.ok_or_else(|| Refusal::new(500, "internal", "dossier without its received event"))?;
        if !event.fits(d.status) {
            return Err(Refusal::new(409, "conflict", format!("{} is {}: {} does not apply", d.code, d.status.label(), event.name())));
        }
        let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE device_id = ?1", [BACK_OFFICE], |r| r.get(0))?;
        let w = WireEvent {
            uid: uuid::Uuid::now_v7().to_string(),
            counter_id: BACK_OFFICE.into(),
            seq,
            dossier_uid: duid,
            dossier_code: d.code.clone(),
            kind: event.name().into(),
            at: now_text(),
            hlc: format!("{}-{BACK_OFFICE}-0", now_ms()),
            clerk_id: clerk.into(),
            payload: serde_json::to_value(&event).expect("serialisable"),
        };
        let back = Device { device_id: BACK_OFFICE.into(), agency_code: agency, counter_id: BACK_OFFICE.into() };
        let r = store_event(&tx, &back, &w)?;
        if r.status != PushStatus::Stored {
            return Err(Refusal::new(409, r.code.unwrap_or_default().as_str(), r.reason.unwrap_or_default()));
        }
        tx.commit()?;
        Ok(w)
    }

    /// Publishes a catalog or calendar file to every counter (validated first).
    pub fn publish(&mut self, kind: &str, json: &str) -> R<i64> {
        let data: serde_json::Value = serde_json::from_str(json).map_err(|e| Refusal::new(400, "invalid", e.to_string()))?;
        // the portal's own catalog and the change counters pull: both or neither
        let tx = self.tx()?;
        let body = match kind {
            "catalog" => {
                replace_procedures(&tx, json)?;
                tx.execute("INSERT INTO meta(key, value) VALUES ('catalog_source', 'published') ON CONFLICT(key) DO UPDATE SET value = excluded.value", [])?;
                ChangeBody::Catalog { data }
            }
            "calendar" => {
                motcua_core::calendar::CalendarData::parse(json).map_err(|e| Refusal::new(400, "invalid_calendar", e.to_string()))?;
                ChangeBody::Calendar { data }
            }
            _ => return Err(Refusal::new(400, "invalid", format!("unknown kind {kind}"))),
        };
        tx.execute(
            "INSERT INTO feed(agency_code, target_device, origin_device, kind, body, at) VALUES (NULL, NULL, NULL, ?1, ?2, ?3)",
            params![kind, serde_json::to_string(&body).expect("serialisable"), now_text()],
        )?;
        let seq = tx.last_insert_rowid();
        tx.commit()?;
        Ok(seq)
    }

    /// Publishes an administrative map (docs/units.md): checked whole, then kept as the one counters
    /// fetch (`GET /v1/units`). Returns its version.
    pub fn publish_units(&mut self, json: &str) -> R<String> {
        let units = motcua_core::units::Units::from_json(json).map_err(|e| Refusal::new(400, "invalid_units", e.to_string()))?;
        let version = units.data().version.clone();
        let tx = self.tx()?;
        for (k, v) in [("units_data", json), ("units_version", version.as_str())] {
            tx.execute("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [k, v])?;
        }
        tx.commit()?;
        Ok(version)
    }

    /// The published map for a counter holding `have` (nothing when it holds the same, or none is published).
    pub fn units_for(&self, have: Option<&str>) -> R<motcua_core::sync::protocol::UnitsResponse> {
        if have.is_some_and(|h| h.len() > 500) {
            return Err(Refusal::new(400, "invalid", "have: too long"));
        }
        let version = self.meta("units_version")?;
        let data = match (&version, have) {
            (Some(v), Some(h)) if v == h => None,
            (Some(_), _) => self.meta("units_data")?.map(|j| serde_json::from_str(&j)).transpose().map_err(|e| Refusal::new(500, "internal", e.to_string()))?,
            (None, _) => None,
        };
        Ok(motcua_core::sync::protocol::UnitsResponse { protocol: motcua_core::sync::protocol::PROTOCOL_VERSION, version, data })
    }

    /// Queues a dossier submitted online for the counter that will take it in.
    pub fn online_dossier(&mut self, agency: &str, counter: &str, intake: serde_json::Value) -> R<String> {
        let device: String = self
            .conn
            .query_row("SELECT device_id FROM devices WHERE agency_code = ?1 AND counter_id = ?2", [agency, counter], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Refusal::new(404, "unknown_counter", format!("counter {counter} of {agency} is not enrolled")))?;
        let request_id = format!("ONL-{}", uuid::Uuid::now_v7().simple());
        let body = ChangeBody::OnlineDossier { request_id: request_id.clone(), intake };
        self.conn.execute(
            "INSERT INTO feed(agency_code, target_device, origin_device, kind, body, at) VALUES (?1, ?2, NULL, 'online_dossier', ?3, ?4)",
            params![agency, device, serde_json::to_string(&body).expect("serialisable"), now_text()],
        )?;
        Ok(request_id)
    }

    /// The citizen's lookup (the receipt's QR): a dossier's status and appointment by any code ever
    /// printed for it (official, provisional, or replaced by a re-issue). Nothing personal.
    pub fn lookup(&self, code: &str) -> R<LookupAnswer> {
        // a guidance or refusal slip is not a dossier the citizen can follow
        if motcua_core::codes::check_code(code).is_err() || motcua_core::codes::is_contact_number(code) {
            return Err(Refusal::new(400, "invalid", "Mã hồ sơ sai định dạng"));
        }
        let mut st = self.conn.prepare_cached(
            "SELECT d.code, d.status, d.due_at FROM dossiers d WHERE d.code = ?1
             UNION
             SELECT d.code, d.status, d.due_at FROM code_aliases a JOIN dossiers d ON d.uid = a.dossier_uid WHERE a.alias = ?1
             LIMIT 3",
        )?;
        let rows: Vec<(String, String, String)> = st.query_map([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        let (current, status, due_at) = match rows.as_slice() {
            [] => return Err(Refusal::new(404, "not_found", format!("Không tìm thấy hồ sơ mã {code}"))),
            [one] => one.clone(),
            // a code two counters issued: one dossier kept it, the other was given a new one; the
            // old receipt cannot tell which citizen holds it
            _ => {
                return Err(Refusal::new(
                    409,
                    "ambiguous_code",
                    format!("Mã {code} đã được cấp lại cho một trong hai hồ sơ: tra cứu bằng mã trên giấy tiếp nhận in lại"),
                ))
            }
        };
        let status = motcua_core::dossier::DossierStatus::parse(&status);
        Ok(LookupAnswer {
            asked: code.to_string(),
            code: current,
            status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
            status_label: status.map(|s| s.label().to_string()).unwrap_or_default(),
            due_at,
        })
    }

    pub fn stats(&self) -> R<serde_json::Value> {
        let count = |sql: &str| -> R<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let mut st = self.conn.prepare(
            "SELECT d.device_id, d.agency_code, d.counter_id, d.held_through, d.audit_anchor,
                    (SELECT flagged FROM anchor_state s WHERE s.device_id = d.device_id),
                    (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id),
                    (SELECT COUNT(*) FROM dossiers x WHERE x.agency_code = d.agency_code AND x.counter_id = d.counter_id),
                    (SELECT COUNT(*) FROM rejected r WHERE r.device_id = d.device_id)
             FROM devices d ORDER BY d.device_id",
        )?;
        let counters: Vec<serde_json::Value> = st
            .query_map([], |r| {
                Ok(serde_json::json!({
                    "device_id": r.get::<_, String>(0)?,
                    "agency_code": r.get::<_, String>(1)?,
                    "counter_id": r.get::<_, String>(2)?,
                    "held_through_seq": r.get::<_, i64>(3)?,
                    "audit_anchor": r.get::<_, Option<String>>(4)?,
                    "audit_anchor_flagged": r.get::<_, Option<String>>(5)?,
                    "events": r.get::<_, i64>(6)?,
                    "dossiers": r.get::<_, i64>(7)?,
                    "rejected": r.get::<_, i64>(8)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        Ok(serde_json::json!({
            "portal_id": self.meta("portal_id")?,
            "events": count("SELECT COUNT(*) FROM events")?,
            "anchor_refusals": count("SELECT COUNT(*) FROM anchor_refusals WHERE offered != ''")?,
            "distinct_event_uids": count("SELECT COUNT(DISTINCT uid) FROM events")?,
            "dossiers": count("SELECT COUNT(*) FROM dossiers")?,
            "back_office_events": count(&format!("SELECT COUNT(*) FROM events WHERE device_id = '{BACK_OFFICE}'"))?,
            "rejected": count("SELECT COUNT(*) FROM rejected")?,
            "superseded": count("SELECT COALESCE(SUM(superseded), 0) FROM dossiers")?,
            "blobs": count("SELECT COUNT(DISTINCT sha256) FROM blobs")?,
            "blob_bytes": count("SELECT COALESCE(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size FROM blobs GROUP BY sha256)")?,
            "counters": counters,
        }))
    }
}

fn replace_procedures(tx: &Transaction, json: &str) -> R<usize> {
    let file = parse_catalog(json).map_err(|e| Refusal::new(400, "invalid_catalog", e.to_string()))?;
    tx.execute("DELETE FROM procedures", [])?;
    for p in &file.procedures {
        tx.execute("INSERT INTO procedures(code, name) VALUES (?1, ?2)", params![p.code, p.name])?;
    }
    Ok(file.procedures.len())
}

fn rejected(tx: &Transaction, device: &Device, w: &WireEvent, code: &str, reason: String) -> R<PushResult> {
    tx.execute(
        "INSERT INTO rejected(uid, device_id, seq, code, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(uid) DO UPDATE SET code = excluded.code, reason = excluded.reason, at = excluded.at",
        params![w.uid, device.device_id, w.seq, code, reason, now_text()],
    )?;
    Ok(PushResult { uid: w.uid.clone(), status: PushStatus::Rejected, portal_seq: None, code: Some(code.into()), reason: Some(reason), reissue: None })
}

/// One event: stored, recognised as already held, or rejected with a reason (never an error for
/// the whole batch: one bad item must not block the others).
fn store_event(tx: &Transaction, device: &Device, w: &WireEvent) -> R<PushResult> {
    if uuid::Uuid::parse_str(&w.uid).is_err() || uuid::Uuid::parse_str(&w.dossier_uid).is_err() {
        return rejected(tx, device, w, "invalid", format!("uid {} / dossier_uid {} is not a UUID", w.uid, w.dossier_uid));
    }
    let held: Option<(i64, String)> = tx
        .prepare_cached("SELECT e.portal_seq, f.body FROM events e JOIN feed f ON f.portal_seq = e.portal_seq WHERE e.uid = ?1")?
        .query_row([&w.uid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((ps, body)) = held {
        let same = matches!(serde_json::from_str::<ChangeBody>(&body), Ok(ChangeBody::Event { event }) if &event == w);
        return if same {
            Ok(PushResult { uid: w.uid.clone(), status: PushStatus::Duplicate, portal_seq: Some(ps), code: None, reason: None, reissue: None })
        } else {
            rejected(tx, device, w, "uid_conflict", format!("event {} is already held with different content", w.uid))
        };
    }
    if w.counter_id != device.counter_id {
        return rejected(tx, device, w, "wrong_counter", format!("event of counter {} sent by device {}", w.counter_id, device.device_id));
    }
    let taken: Option<String> =
        tx.prepare_cached("SELECT uid FROM events WHERE device_id = ?1 AND seq = ?2")?.query_row(params![device.device_id, w.seq], |r| r.get(0)).optional()?;
    if let Some(other) = taken {
        return rejected(tx, device, w, "seq_conflict", format!("sequence {} of this counter is already event {other}", w.seq));
    }
    let event: EventKind = match serde_json::from_value(w.payload.clone()) {
        Ok(e) => e,
        Err(e) => return rejected(tx, device, w, "invalid_payload", format!("Nội dung sự kiện không hợp lệ: {e}")),
    };
    if event.name() != w.kind {
        return rejected(tx, device, w, "invalid_payload", format!("kind {} does not match the payload ({})", w.kind, event.name()));
    }
    // no counter makes an event larger than this (the core's field limits); one that is stays with
    // its counter, parked with the reason, and is never fed to the other counters
    let size = serde_json::to_vec(&w.payload).map_or(usize::MAX, |v| v.len());
    if size > motcua_core::limits::MAX_EVENT_JSON {
        return rejected(
            tx,
            device,
            w,
            "payload_too_large",
            format!("Nội dung sự kiện {size} byte, vượt giới hạn {} byte", motcua_core::limits::MAX_EVENT_JSON),
        );
    }
    // every field as strictly as a counter's local input: the portal never relays what a counter
    // would refuse to store (a code like ../../x, terminal escapes in a name)
    if let Err(e) = motcua_core::sync::pulled::validate_pulled_event(w) {
        return rejected(tx, device, w, "invalid_field", e.to_string());
    }
    let known: Option<String> =
        tx.prepare_cached("SELECT agency_code FROM dossiers WHERE uid = ?1")?.query_row([&w.dossier_uid], |r| r.get(0)).optional()?;
    let mut recode: Option<(String, String, String)> = None;
    match (&event, known) {
        (EventKind::Received { dossier }, None) => {
            if dossier.uid != w.dossier_uid || dossier.agency_code != device.agency_code {
                return rejected(tx, device, w, "wrong_agency", format!("hồ sơ {} không thuộc đơn vị {}", dossier.code, device.agency_code));
            }
            let code_taken: Option<String> = tx
                .prepare_cached("SELECT counter_id FROM dossiers WHERE agency_code = ?1 AND code = ?2")?
                .query_row(params![device.agency_code, dossier.code], |r| r.get(0))
                .optional()?;
            // the code is another dossier's (two counters issued the same number): this dossier is
            // taken with a new official code, given by the portal's own `code_reissued` event below
            if code_taken.is_some() && crate::codes::new_code_possible(&dossier.code).is_none() {
                return rejected(
                    tx,
                    device,
                    w,
                    "code_conflict",
                    format!("Mã hồ sơ {} đã được một quầy khác dùng cho hồ sơ khác và Cổng không cấp được mã mới (báo quản trị)", dossier.code),
                );
            }
            let on_portal: bool =
                tx.prepare_cached("SELECT COUNT(*) FROM procedures WHERE code = ?1")?.query_row([&dossier.procedure_code], |r| r.get::<_, i64>(0))? > 0;
            if !on_portal {
                return rejected(
                    tx,
                    device,
                    w,
                    "unknown_procedure",
                    format!("Thủ tục {} không có trong danh mục thủ tục của Cổng dịch vụ công", dossier.procedure_code),
                );
            }
            if let Some(other) = code_taken {
                match crate::codes::new_code(tx, &device.agency_code, &dossier.code)? {
                    Some(code) => {
                        let reason = format!("Mã {} đã được quầy {other} cấp cho một hồ sơ khác; Cổng cấp mã mới {code}", dossier.code);
                        let said = format!("Mã {} trùng với hồ sơ của quầy {other}: Cổng cấp mã mới {code}; in lại giấy tiếp nhận", dossier.code);
                        recode = Some((code, reason, said))
                    }
                    None => {
                        return rejected(
                            tx,
                            device,
                            w,
                            "code_conflict",
                            format!("Mã hồ sơ {} đã được quầy {other} dùng cho một hồ sơ khác và Cổng không còn số để cấp mã mới (báo quản trị)", dossier.code),
                        )
                    }
                }
            }
            // a dossier taken in offline with a provisional code gets its official code on first sync
            // (the same event as a re-issue: the counter keeps both and lists it for a reprint); a
            // contact at intake (guidance, refusal) has a slip number, never a dossier code
            if recode.is_none() && motcua_core::codes::is_provisional(&dossier.code) && !dossier.status.is_intake_contact() {
                if let Some(code) = crate::codes::official_for_provisional(tx, device, &dossier.code, &dossier.received_at)? {
                    let reason = format!("Hồ sơ tiếp nhận với mã tạm {}: Cổng cấp mã chính thức {code}", dossier.code);
                    let said = format!("Mã tạm {}: Cổng cấp mã chính thức {code}; in lại giấy tiếp nhận với mã chính thức khi công dân yêu cầu", dossier.code);
                    recode = Some((code, reason, said));
                }
            }
            tx.prepare_cached(
                "INSERT INTO dossiers(uid, agency_code, code, counter_id, procedure_code, status, due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                w.dossier_uid,
                device.agency_code,
                recode.as_ref().map_or(&dossier.code, |r| &r.0),
                w.counter_id,
                dossier.procedure_code,
                dossier.status.as_str(),
                dossier.due_at
            ])?;
        }
        (EventKind::Received { .. }, Some(_)) => {
            return rejected(tx, device, w, "dossier_exists", format!("Cổng đã có hồ sơ {} với một bước tiếp nhận khác", w.dossier_code));
        }
        (_, None) => {
            return rejected(
                tx,
                device,
                w,
                "unknown_dossier",
                format!("Cổng chưa có hồ sơ {} (bước tiếp nhận chưa được gửi hoặc đã bị từ chối)", w.dossier_code),
            );
        }
        (_, Some(agency)) if agency != device.agency_code => {
            return rejected(tx, device, w, "wrong_agency", format!("hồ sơ {} không thuộc đơn vị {}", w.dossier_code, device.agency_code));
        }
        _ => {}
    }
    let body = serde_json::to_string(&ChangeBody::Event { event: w.clone() }).expect("serialisable");
    tx.prepare_cached("INSERT INTO feed(agency_code, target_device, origin_device, kind, body, at) VALUES (?1, NULL, ?2, 'event', ?3, ?4)")?
        .execute(params![device.agency_code, device.device_id, body, now_text()])?;
    let ps = tx.last_insert_rowid();
    tx.prepare_cached(
        "INSERT INTO events(uid, portal_seq, device_id, agency_code, counter_id, seq, dossier_uid, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![w.uid, ps, device.device_id, device.agency_code, w.counter_id, w.seq, w.dossier_uid, w.kind])?;
    tx.prepare_cached("DELETE FROM rejected WHERE uid = ?1")?.execute([&w.uid])?;
    let (d, superseded) = fold_dossier(tx, &w.dossier_uid)?;
    if let Some(d) = d {
        tx.prepare_cached("UPDATE dossiers SET status = ?2, due_at = ?3, superseded = ?4 WHERE uid = ?1")?
            .execute(params![w.dossier_uid, d.status.as_str(), d.due_at, superseded as i64])?;
    }
    if let (Some((new_code, why, said)), EventKind::Received { dossier }) = (recode, &event) {
        let re = crate::codes::reissue_event(tx, &w.dossier_uid, &dossier.code, &new_code, why)?;
        tx.prepare_cached("INSERT OR IGNORE INTO code_aliases(agency_code, alias, dossier_uid) VALUES (?1, ?2, ?3)")?
            .execute(params![device.agency_code, dossier.code, w.dossier_uid])?;
        let portal = Device { device_id: BACK_OFFICE.into(), agency_code: device.agency_code.clone(), counter_id: BACK_OFFICE.into() };
        let r = store_event(tx, &portal, &re)?;
        let (Some(rps), PushStatus::Stored) = (r.portal_seq, r.status) else {
            return Err(Refusal::new(500, "internal", format!("re-issue of {} not stored: {:?}", dossier.code, r.reason)));
        };
        let reason = said;
        return Ok(PushResult {
            uid: w.uid.clone(),
            status: PushStatus::Recoded,
            portal_seq: Some(ps),
            code: Some(new_code.clone()),
            reason: Some(reason),
            reissue: Some(Reissue { new_code, portal_seq: rps, event: re }),
        });
    }
    Ok(PushResult { uid: w.uid.clone(), status: PushStatus::Stored, portal_seq: Some(ps), code: None, reason: None, reissue: None })
}

/// The portal's view of a dossier: its events folded in portal order (the same rule as a counter's).
fn fold_dossier(tx: &Transaction, dossier_uid: &str) -> R<(Option<motcua_core::dossier::Dossier>, usize)> {
    let mut st = tx.prepare_cached(
        "SELECT f.body FROM events e JOIN feed f ON f.portal_seq = e.portal_seq WHERE e.dossier_uid = ?1 ORDER BY e.portal_seq",
    )?;
    let bodies: Vec<String> = st.query_map([dossier_uid], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut events = Vec::with_capacity(bodies.len());
    for b in bodies {
        if let Ok(ChangeBody::Event { event }) = serde_json::from_str::<ChangeBody>(&b) {
            if let Ok(k) = serde_json::from_value::<EventKind>(event.payload.clone()) {
                events.push((event.at, k));
            }
        }
    }
    let (d, superseded) = fold_merged(events.iter().map(|(at, e)| (at.as_str(), e)));
    Ok((d, superseded.len()))
}

/// The highest seq below which every event of the device is handled (stored or rejected).
fn advance_held(tx: &Transaction, device_id: &str) -> R<i64> {
    let mut held: i64 = tx.query_row("SELECT held_through FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)).optional()?.unwrap_or(0);
    let mut st = tx.prepare_cached(
        "SELECT (SELECT COUNT(*) FROM events WHERE device_id = ?1 AND seq = ?2) + (SELECT COUNT(*) FROM rejected WHERE device_id = ?1 AND seq = ?2)",
    )?;
    while st.query_row(params![device_id, held + 1], |r| r.get::<_, i64>(0))? > 0 {
        held += 1;
    }
    tx.execute("UPDATE devices SET held_through = ?2 WHERE device_id = ?1", params![device_id, held])?;
    Ok(held)
}
