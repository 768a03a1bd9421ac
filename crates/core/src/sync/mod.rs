//! Portal sync, the counter's side without the network: the enrolment, the outbox with a state per
//! item (flowing or parked with the portal's reason), what a push answer does to it, applying what
//! the portal sends (as events, folded in the portal's order; conflicts kept and listed), number
//! leases, and the status the clerk sees. The HTTP client and the background task are in
//! `motcua-sync`; the wire format is `protocol`. Design: docs/sync-protocol.md.

pub mod codes;
pub mod hlc;
pub mod identity;
pub mod protocol;
pub mod pulled;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::clock::to_rfc3339;
use crate::dossier::{fold_merged, EventKind};
use crate::error::{CoreError, Result};
use crate::events::{decode_payload, encode_payload};
use crate::intake::IntakeRequest;
use crate::store::{Store, MERGE_ORDER};
use protocol::{Change, ChangeBody, ChangesResponse, EnrolResponse, LeaseResponse, PushResponse, PushStatus, WireEvent};

/// Top up the day's numbers when fewer than this many are left.
pub const LEASE_LOW_WATER: i64 = 20;
/// How many numbers to ask for at a time.
pub const LEASE_SIZE: u32 = 100;

/// This counter's credential with the portal.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrolment {
    pub portal_url: String,
    pub device_id: String,
    pub token: String,
    pub portal_id: String,
}

/// What the status bar and the sync panel show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub enrolled: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_url: Option<String>,
    /// The last round reached the portal.
    pub online: bool,
    /// Events waiting to be sent.
    #[ts(type = "number")]
    pub waiting: i64,
    /// Events the portal refused for good, parked for the clerk.
    #[ts(type = "number")]
    pub parked: i64,
    /// Steps that lost a conflict, waiting for a person.
    #[ts(type = "number")]
    pub conflicts: i64,
    /// Changes from the portal that could not be applied yet (retried every round).
    #[ts(type = "number")]
    pub failed_changes: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    /// The last failure, in words a clerk understands (cleared by a successful round).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Official numbers this counter may still issue today (leased or standing blocks).
    #[ts(type = "number")]
    pub numbers_left_today: i64,
    /// Portal time minus this machine's time at the last sync, in minutes.
    #[ts(type = "number")]
    pub clock_offset_minutes: i64,
    /// Dossiers whose code the portal re-issued: their receipt must be printed again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<codes::ReprintItem>>", optional)]
    pub reprints: Vec<codes::ReprintItem>,
    /// Enrolled, but the portal's admin has not approved this machine yet: its own dossiers go up,
    /// nothing of the agency comes down ("chờ phê duyệt").
    pub approval_pending: bool,
    /// The portal refused this counter's audit head as a rewritten history (the reason): the audit
    /// log on this PC no longer extends what the portal holds. Run `audit verify --portal`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_anchor_refused: Option<String>,
}

/// A parked event, as listed for the clerk.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ParkedEvent {
    pub dossier_code: String,
    pub kind: String,
    pub at: String,
    pub code: String,
    pub reason: String,
    pub parked_at: String,
    pub attempts: u32,
}

/// A step that lost a conflict: kept in the history, not applied.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConflictItem {
    pub event_uid: String,
    pub dossier_code: String,
    /// The step that lost (event kind) and who made it.
    pub kind: String,
    pub counter_id: String,
    pub at: String,
    /// The dossier's status as decided by the portal's order.
    pub status_label: String,
    pub noted_at: String,
}

/// Where one dossier stands with the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// Not enrolled with a portal: nothing to send to.
    Local,
    Waiting,
    Sent,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DossierSync {
    pub state: SyncState,
    pub label: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What one push answer did to the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PushOutcome {
    pub stored: u32,
    pub duplicate: u32,
    pub rejected: u32,
    /// Sent but not mentioned in the answer: still queued.
    pub unanswered: u32,
}

/// What one page of changes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PullOutcome {
    pub events: u32,
    pub already_held: u32,
    pub conflicts: u32,
    pub catalogs: u32,
    pub calendars: u32,
    pub online_dossiers: u32,
    /// Changes that could not be applied (logged; the cursor moves on so one bad item never blocks).
    pub skipped: u32,
}

pub fn enrolment(store: &Store) -> Result<Option<Enrolment>> {
    Ok(store
        .conn()
        .query_row("SELECT portal_url, device_id, token, portal_id FROM sync_state WHERE id = 1", [], |r| {
            Ok(Enrolment { portal_url: r.get(0)?, device_id: r.get(1)?, token: r.get(2)?, portal_id: r.get(3)? })
        })
        .optional()?)
}

/// Keeps the credential the portal gave. A new enrolment (another portal, or a re-issued token)
/// restarts the pull from the beginning; the outbox is kept (the portal deduplicates by uid). From
/// now on official numbers come from the portal's leases: the standing blocks set at `init` are
/// dropped (numbers already issued stay recorded in `codes_issued`).
pub fn save_enrolment(store: &mut Store, portal_url: &str, resp: &EnrolResponse) -> Result<()> {
    save_enrolment_verified(store, portal_url, resp, None)
}

/// `save_enrolment`, pinning the key of the portal that proved itself before the enrolment (an admin
/// step: `Right::Portal`). Without one (a portal that has no key), the key is pinned after the first
/// successful round (`identity`).
pub fn save_enrolment_verified(store: &mut Store, portal_url: &str, resp: &EnrolResponse, verified: Option<&identity::VerifiedPortal>) -> Result<()> {
    store.require(crate::accounts::Right::Portal)?;
    if verified.is_some_and(|v| v.portal_id != resp.portal_id) {
        return Err(CoreError::Conflict(format!("Cổng trả lời đăng ký với mã cổng {} khác với cổng đã chứng minh danh tính", resp.portal_id)));
    }
    let (at, actor) = (store.clock().now(), store.actor());
    let now = to_rfc3339(at);
    let previous = enrolment(store)?;
    let counter = store.context()?.counter_id.clone();
    let tx = store.write_tx()?;
    // another portal numbers differently: forget the old portal's order and send everything again
    // (the new portal deduplicates by uid)
    if previous.is_some_and(|p| p.portal_id != resp.portal_id) {
        tx.execute("DELETE FROM event_portal", [])?;
        tx.execute("DELETE FROM sync_failed", [])?;
        tx.execute("INSERT OR IGNORE INTO outbox(event_id) SELECT id FROM events WHERE counter_id = ?1", [&counter])?;
    }
    let local_last: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events WHERE counter_id = ?1", [&counter], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO sync_state(id, portal_url, device_id, token, portal_id, enrolled_at, server_ms)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET portal_url = excluded.portal_url, device_id = excluded.device_id,
           token = excluded.token, portal_id = excluded.portal_id, enrolled_at = excluded.enrolled_at,
           cursor = 0, server_ms = excluded.server_ms, last_error = NULL",
        params![portal_url.trim_end_matches('/'), resp.device_id, resp.token, resp.portal_id, now, resp.server_time],
    )?;
    // a new or restored machine: continue above what the portal holds, and pull this counter's own
    // events back so its dossiers are here again
    let behind = resp.last_seq > local_last;
    tx.execute("UPDATE sync_state SET seq_floor = ?1, recover_own = ?2 WHERE id = 1", params![resp.last_seq, behind as i64])?;
    codes::keep_registered_blocks(&tx, &resp.standing_blocks)?;
    identity::replace_key(&tx, verified.map(|v| v.key.as_str()))?;
    crate::audit::record(&tx, at, &actor, "sync.enrol", &resp.device_id, &serde_json::json!({ "portal": portal_url }))?;
    tx.commit()?;
    Ok(())
}

/// The next events to push, oldest first, skipping parked ones: (event row id, frozen wire form).
/// An event that cannot be sent as it is stored (its payload does not decode, or it is larger than
/// any event the core writes now: `limits::MAX_EVENT_JSON`) is parked here with the reason, and the
/// batch goes on without it: no single event may ever block the outbox.
pub fn outbox_batch(store: &Store, limit: usize) -> Result<Vec<(i64, WireEvent)>> {
    loop {
        let (good, bad) = read_outbox(store, limit)?;
        if bad.is_empty() {
            return Ok(good);
        }
        for (event_id, code, reason) in bad {
            eprintln!("sync: event row {event_id} parked ({code}): it cannot be sent as stored");
            park(store.conn(), event_id, code, &reason, &to_rfc3339(store.clock().now()))?;
        }
    }
}

type BadItem = (i64, &'static str, String);

fn read_outbox(store: &Store, limit: usize) -> Result<(Vec<(i64, WireEvent)>, Vec<BadItem>)> {
    let mut st = store.conn().prepare_cached(
        "SELECT e.id, e.uid, e.counter_id, e.seq, d.uid, d.code, e.kind, e.at, e.hlc, e.clerk_id, e.payload
         FROM outbox o JOIN events e ON e.id = o.event_id JOIN dossiers d ON d.id = e.dossier_id
         WHERE o.parked_code IS NULL ORDER BY o.event_id LIMIT ?1",
    )?;
    let rows = st.query_map([limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, Option<String>>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, Vec<u8>>(10)?,
        ))
    })?;
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for row in rows {
        let (id, uid, counter_id, seq, duid, code, kind, at, hlc, clerk_id, payload) = row?;
        let (Ok(uid), Ok(duid)) = (uuid::Uuid::from_slice(&uid), uuid::Uuid::from_slice(&duid)) else {
            bad.push((id, "undecodable", "Mã định danh (uid) của sự kiện hoặc hồ sơ trong cơ sở dữ liệu bị hỏng: không gửi được".to_string()));
            continue;
        };
        let event = match decode_payload(&payload) {
            Ok(e) => e,
            Err(e) => {
                bad.push((id, "undecodable", format!("Nội dung sự kiện lưu trên máy bị hỏng, không đọc được ({e}): không gửi được; báo quản trị")));
                continue;
            }
        };
        let payload = serde_json::to_value(&event).expect("serialisable");
        let size = serde_json::to_vec(&payload).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > crate::limits::MAX_EVENT_JSON {
            bad.push((
                id,
                "too_large",
                format!("Sự kiện quá lớn để gửi ({size} byte, tối đa {} byte; ghi trước khi có giới hạn độ dài): báo quản trị", crate::limits::MAX_EVENT_JSON),
            ));
            continue;
        }
        good.push((
            id,
            WireEvent {
                uid: uid.to_string(),
                counter_id,
                seq,
                dossier_uid: duid.to_string(),
                dossier_code: code,
                kind,
                at,
                hlc: hlc.unwrap_or_default(),
                clerk_id,
                payload,
            },
        ));
    }
    Ok((good, bad))
}

fn park(conn: &rusqlite::Connection, event_id: i64, code: &str, reason: &str, now: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET parked_code = ?2, parked_reason = ?3, parked_at = ?4, attempts = attempts + 1 WHERE event_id = ?1",
    )?
    .execute(params![event_id, code, reason, now])?;
    Ok(())
}

/// Parks one queued event the portal would not take even alone (a refusal of the whole request, such
/// as "too large", for a batch of one), so the events after it flow.
pub fn park_event(store: &mut Store, event_id: i64, code: &str, reason: &str) -> Result<()> {
    let now = to_rfc3339(store.clock().now());
    let tx = store.write_tx()?;
    park(&tx, event_id, code, reason, &now)?;
    tx.commit()?;
    Ok(())
}

/// Records a push answer in one transaction: stored and duplicate events leave the outbox with their
/// portal sequence; rejected ones are parked with the portal's reason; the rest stay queued.
pub fn record_push(store: &mut Store, sent: &[(i64, WireEvent)], resp: &PushResponse) -> Result<PushOutcome> {
    let clock_now = store.clock().now();
    let now = to_rfc3339(clock_now);
    let agency = store.context()?.agency_code.clone();
    let by_uid: std::collections::HashMap<&str, &protocol::PushResult> = resp.results.iter().map(|r| (r.uid.as_str(), r)).collect();
    let mut out = PushOutcome::default();
    let tx = store.write_tx()?;
    for (event_id, w) in sent {
        match by_uid.get(w.uid.as_str()) {
            Some(r) if matches!(r.status, PushStatus::Stored | PushStatus::Duplicate | PushStatus::Recoded) => {
                let Some(ps) = r.portal_seq else {
                    return Err(CoreError::Internal(format!("portal acknowledged {} without a portal_seq", w.uid)));
                };
                tx.prepare_cached("DELETE FROM outbox WHERE event_id = ?1")?.execute([event_id])?;
                tx.prepare_cached("INSERT OR REPLACE INTO event_portal(event_id, portal_seq) VALUES (?1, ?2)")?.execute(params![event_id, ps])?;
                // it was folded last while unacknowledged; if another machine's event the counter
                // already holds comes after it in the portal's order, the fold changes
                let (dossier_id, later): (i64, bool) = tx
                    .prepare_cached(
                        "SELECT e.dossier_id, EXISTS(SELECT 1 FROM events x JOIN event_portal p ON p.event_id = x.id
                                                     WHERE x.dossier_id = e.dossier_id AND p.portal_seq > ?2 AND x.id != e.id)
                         FROM events e WHERE e.id = ?1",
                    )?
                    .query_row(params![event_id, ps], |r| Ok((r.get(0)?, r.get(1)?)))?;
                if later {
                    refold(&tx, dossier_id, &now)?;
                }
                // the portal gave this dossier a new code (its number was another dossier's): its
                // `code_reissued` event is applied now (the pull brings it again, harmlessly)
                if let Some(re) = r.reissue.as_ref().filter(|_| r.status == PushStatus::Recoded) {
                    if let Err(e) = apply_foreign(&tx, &re.event, re.portal_seq, &now, &agency) {
                        eprintln!("sync: code re-issue {} not applied from the push answer (the pull brings it): {e}", re.event.uid);
                    }
                }
                if r.status == PushStatus::Duplicate {
                    out.duplicate += 1
                } else {
                    out.stored += 1
                }
            }
            Some(r) => {
                tx.prepare_cached(
                    "UPDATE outbox SET parked_code = ?2, parked_reason = ?3, parked_at = ?4, attempts = attempts + 1 WHERE event_id = ?1",
                )?
                .execute(params![
                    event_id,
                    r.code.clone().unwrap_or_else(|| "rejected".into()),
                    r.reason.clone().unwrap_or_else(|| "Cổng từ chối, không nêu lý do".into()),
                    now
                ])?;
                out.rejected += 1;
            }
            None => {
                tx.prepare_cached("UPDATE outbox SET attempts = attempts + 1 WHERE event_id = ?1")?.execute([event_id])?;
                out.unanswered += 1;
            }
        }
    }
    bump_server_time(&tx, resp.server_time, clock_now)?;
    tx.commit()?;
    Ok(out)
}

fn bump_server_time(tx: &Transaction, server_ms: i64, now: chrono::NaiveDateTime) -> Result<()> {
    let offset = server_ms - crate::events::wall_ms(now);
    // the latest observation, not the largest ever: one wrong portal time must not block intake for good
    tx.prepare_cached("UPDATE sync_state SET server_ms = ?1, clock_offset_ms = ?2 WHERE id = 1")?
        .execute(params![server_ms, offset])?;
    Ok(())
}

/// The portal refused the audit head this counter sent as not extending the one it holds (a
/// rewritten history): kept for the sync status and audited; cleared when a head is accepted again.
pub fn record_anchor_refusal(store: &mut Store, reason: &str) -> Result<()> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    // audited once per refusal, not once per round
    let first = tx.execute("UPDATE sync_state SET anchor_refused = ?1 WHERE id = 1 AND anchor_refused IS NULL", [reason])? > 0;
    tx.execute("UPDATE sync_state SET anchor_refused = ?1 WHERE id = 1", [reason])?;
    if first {
        crate::audit::record(&tx, at, "", "sync.anchor_refused", "", &serde_json::Value::Null)?;
    }
    tx.commit()?;
    Ok(())
}

/// The portal acknowledged a push carrying this audit head: keep a note of where the anchor is.
pub fn record_portal_anchor(store: &mut Store, audit_id: i64, hash: &str) -> Result<()> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    tx.execute("UPDATE sync_state SET anchor_refused = NULL WHERE id = 1 AND anchor_refused IS NOT NULL", [])?;
    let same: bool = tx.query_row(
        "SELECT COUNT(*) FROM audit_anchors WHERE kind = 'portal' AND audit_id = ?1 AND hash = ?2",
        params![audit_id, hash],
        |r| r.get::<_, i64>(0),
    )? > 0;
    if !same {
        crate::audit::record_anchor(&tx, audit_id, hash, "portal", at)?;
    }
    tx.commit()?;
    Ok(())
}

/// The outcome of a whole round, for the status bar: `error` None means the portal was reached and
/// everything that could flow did.
pub fn record_round(store: &mut Store, error: Option<&str>) -> Result<()> {
    let now = to_rfc3339(store.clock().now());
    let tx = store.write_tx()?;
    match error {
        None => tx.execute(
            "UPDATE sync_state SET online = 1, last_attempt_at = ?1, last_success_at = ?1, last_error = NULL WHERE id = 1",
            [&now],
        )?,
        Some(e) => tx.execute("UPDATE sync_state SET online = 0, last_attempt_at = ?1, last_error = ?2 WHERE id = 1", params![now, e])?,
    };
    tx.commit()?;
    Ok(())
}

/// Whether the next pulls should bring this counter's own events back (after a re-enrolment).
pub fn recovering_own(store: &Store) -> Result<bool> {
    Ok(store.conn().query_row("SELECT recover_own FROM sync_state WHERE id = 1", [], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0) == 1)
}

pub fn finish_recovery(store: &mut Store) -> Result<()> {
    let tx = store.write_tx()?;
    tx.execute("UPDATE sync_state SET recover_own = 0 WHERE id = 1", [])?;
    tx.commit()?;
    Ok(())
}

pub fn cursor(store: &Store) -> Result<i64> {
    Ok(store.conn().query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| r.get(0)).optional()?.unwrap_or(0))
}

/// Applies one page of changes. Events are applied in one transaction with the new cursor; a
/// catalog, calendar or online dossier is applied on its own, then the cursor moves past it (applying
/// one twice after a crash is harmless: imports replace, online dossiers are keyed by request id).
pub fn apply_changes(store: &mut Store, page: &ChangesResponse) -> Result<PullOutcome> {
    let mut out = PullOutcome::default();
    let mut run: Vec<&Change> = Vec::new();
    for change in &page.changes {
        if let ChangeBody::Event { .. } = change.body {
            run.push(change);
            continue;
        }
        apply_event_run(store, &run, &mut out)?;
        run.clear();
        let applied: Result<()> = match &change.body {
            ChangeBody::Catalog { data } => store.import_catalog(&data.to_string()).map(|_| out.catalogs += 1),
            ChangeBody::Calendar { data } => store.import_calendar(&data.to_string()).map(|_| out.calendars += 1),
            ChangeBody::OnlineDossier { request_id, intake } => take_online(store, request_id, intake).map(|_| out.online_dossiers += 1),
            ChangeBody::Event { .. } => unreachable!(),
        };
        if let Err(e) = applied {
            keep_failed(store, change, &e.to_string())?;
            out.skipped += 1;
        }
        set_cursor(store, change.portal_seq)?;
    }
    apply_event_run(store, &run, &mut out)?;
    set_cursor(store, page.next_cursor)?;
    let clock_now = store.clock().now();
    let tx = store.write_tx()?;
    bump_server_time(&tx, page.server_time, clock_now)?;
    tx.commit()?;
    Ok(out)
}

/// Keeps a change that could not be applied (retried every round, listed for the admin).
fn keep_failed(store: &mut Store, change: &Change, error: &str) -> Result<()> {
    eprintln!("sync: change {} not applied (kept, retried next round): {error}", change.portal_seq);
    let now = to_rfc3339(store.clock().now());
    let tx = store.write_tx()?;
    keep_failed_tx(&tx, change, error, &now)?;
    tx.commit()?;
    Ok(())
}

fn keep_failed_tx(tx: &Transaction, change: &Change, error: &str, now: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_failed(portal_seq, body, error, first_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(portal_seq) DO UPDATE SET error = excluded.error, attempts = attempts + 1",
    )?
    .execute(params![change.portal_seq, serde_json::to_string(change).expect("serialisable"), error, now])?;
    Ok(())
}

/// A change from the portal that could not be applied yet.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FailedChange {
    #[ts(type = "number")]
    pub portal_seq: i64,
    pub kind: String,
    pub error: String,
    pub first_at: String,
    pub attempts: u32,
}

pub fn failed_changes(store: &Store) -> Result<Vec<FailedChange>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare("SELECT portal_seq, body, error, first_at, attempts FROM sync_failed ORDER BY portal_seq")?;
    let rows = st.query_map([], |r| {
        let body: String = r.get(1)?;
        let kind = serde_json::from_str::<serde_json::Value>(&body).ok().and_then(|v| v["type"].as_str().map(str::to_string)).unwrap_or_default();
        Ok(FailedChange { portal_seq: r.get(0)?, kind, error: r.get(2)?, first_at: r.get(3)?, attempts: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Applies again every kept change, oldest first (a dossier whose intake arrived meanwhile, an
/// online dossier refused while the clock was wrong ...); returns how many went through now.
pub fn retry_failed_changes(store: &mut Store) -> Result<u32> {
    let kept: Vec<(i64, String)> = {
        let mut st = store.conn().prepare("SELECT portal_seq, body FROM sync_failed ORDER BY portal_seq")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut done = 0;
    for (seq, body) in kept {
        let Ok(change) = serde_json::from_str::<Change>(&body) else { continue };
        let now = to_rfc3339(store.clock().now());
        let result: Result<()> = match &change.body {
            ChangeBody::Event { event } => {
                let agency = store.context()?.agency_code.clone();
                let tx = store.write_tx()?;
                match apply_foreign(&tx, event, change.portal_seq, &now, &agency) {
                    Ok(_) => {
                        tx.execute("DELETE FROM sync_failed WHERE portal_seq = ?1", [seq])?;
                        tx.commit()?;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            ChangeBody::Catalog { data } => store.import_catalog(&data.to_string()).map(|_| ()),
            ChangeBody::Calendar { data } => store.import_calendar(&data.to_string()).map(|_| ()),
            ChangeBody::OnlineDossier { request_id, intake } => take_online(store, request_id, intake),
        };
        match result {
            Ok(()) => {
                store.conn().execute("DELETE FROM sync_failed WHERE portal_seq = ?1", [seq])?;
                done += 1;
            }
            Err(e) => {
                store.conn().execute("UPDATE sync_failed SET attempts = attempts + 1, error = ?2 WHERE portal_seq = ?1", params![seq, e.to_string()])?;
            }
        }
    }
    Ok(done)
}

fn set_cursor(store: &mut Store, cursor: i64) -> Result<()> {
    let tx = store.write_tx()?;
    tx.execute("UPDATE sync_state SET cursor = MAX(cursor, ?1) WHERE id = 1", [cursor])?;
    tx.commit()?;
    Ok(())
}

fn take_online(store: &mut Store, request_id: &str, intake: &serde_json::Value) -> Result<()> {
    pulled::validate_pulled_request_id(request_id)?;
    let mut req: IntakeRequest =
        serde_json::from_value(intake.clone()).map_err(|e| CoreError::invalid(format!("hồ sơ trực tuyến {request_id} không đọc được: {e}")))?;
    req.request_id = Some(request_id.to_string());
    req.channel = Some(crate::dossier::Channel::Online);
    crate::intake::submit_batch(store, std::slice::from_ref(&req))?;
    Ok(())
}

fn apply_event_run(store: &mut Store, run: &[&Change], out: &mut PullOutcome) -> Result<()> {
    let Some(last) = run.last() else { return Ok(()) };
    let at = store.clock().now();
    let now = to_rfc3339(at);
    let before = *out;
    let agency = store.context()?.agency_code.clone();
    let tx = store.write_tx()?;
    for change in run {
        let ChangeBody::Event { event } = &change.body else { continue };
        match apply_foreign(&tx, event, change.portal_seq, &now, &agency) {
            Ok(Applied::New { conflicts }) => {
                out.events += 1;
                out.conflicts += conflicts;
            }
            Ok(Applied::AlreadyHeld) => out.already_held += 1,
            Err(e) => {
                // the uid is not echoed: it came from outside and may carry anything
                eprintln!("sync: event at portal_seq {} not applied (kept, retried next round): {e}", change.portal_seq);
                keep_failed_tx(&tx, change, &e.to_string(), &now)?;
                out.skipped += 1;
            }
        }
    }
    tx.execute("UPDATE sync_state SET cursor = MAX(cursor, ?1) WHERE id = 1", [last.portal_seq])?;
    if out.events > before.events {
        crate::audit::record(
            &tx,
            at,
            "",
            "sync.pull",
            "",
            &serde_json::json!({ "events": out.events - before.events, "conflicts": out.conflicts - before.conflicts, "through": last.portal_seq }),
        )?;
    }
    tx.commit()?;
    Ok(())
}

enum Applied {
    New { conflicts: u32 },
    AlreadyHeld,
}

fn parse_uid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| CoreError::invalid(format!("uid {s}: {e}")))
}

/// Stores another machine's event (a back-office step, another counter's) and re-folds its dossier.
/// Every field is checked first as strictly as local input (`pulled::validate_pulled_event`), and a
/// dossier must be of this counter's agency. Runs under a savepoint so a bad event changes nothing.
fn apply_foreign(tx: &Transaction, w: &WireEvent, portal_seq: i64, now: &str, agency: &str) -> Result<Applied> {
    let event = pulled::validate_pulled_event(w)?;
    let uid = parse_uid(&w.uid)?;
    let known: Option<i64> =
        tx.prepare_cached("SELECT id FROM events WHERE uid = ?1")?.query_row([uid.as_bytes().as_slice()], |r| r.get(0)).optional()?;
    if let Some(id) = known {
        tx.prepare_cached("INSERT OR IGNORE INTO event_portal(event_id, portal_seq) VALUES (?1, ?2)")?.execute(params![id, portal_seq])?;
        return Ok(Applied::AlreadyHeld);
    }
    if let EventKind::Received { dossier } = &event {
        if dossier.agency_code != agency {
            return Err(CoreError::validation("dossier.agency_code", format!("Dữ liệu từ máy khác không hợp lệ ở trường dossier.agency_code: hồ sơ của đơn vị khác, không phải {agency}")));
        }
    }
    tx.execute_batch("SAVEPOINT foreign_event")?;
    let r = (|| -> Result<u32> {
        let duid = parse_uid(&w.dossier_uid)?;
        let dossier_id = match &event {
            EventKind::Received { dossier } => {
                if dossier.uid != w.dossier_uid {
                    return Err(CoreError::invalid("received event for another dossier uid"));
                }
                // the other counter's request id stays with that counter; a code held here already
                // waits under a stand-in until the portal's re-issue arrives
                let code = codes::free_code(tx, &dossier.code, &dossier.uid)?;
                if code == dossier.code {
                    crate::intake::insert_projection(tx, dossier, None)?
                } else {
                    let mut d = (**dossier).clone();
                    d.code = code;
                    crate::intake::insert_projection(tx, &d, None)?
                }
            }
            _ => tx
                .prepare_cached("SELECT id FROM dossiers WHERE uid = ?1")?
                .query_row([duid.as_bytes().as_slice()], |r| r.get(0))
                .optional()?
                .ok_or_else(|| CoreError::NotFound(format!("dossier {} ({}) is not held here", w.dossier_code, w.dossier_uid)))?,
        };
        tx.prepare_cached(
            "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            uid.as_bytes().as_slice(),
            w.counter_id,
            w.seq,
            dossier_id,
            w.kind,
            w.at,
            w.clerk_id,
            encode_payload(&event)?,
            (!w.hlc.is_empty()).then_some(&w.hlc)
        ])?;
        let event_id = tx.last_insert_rowid();
        crate::event_chain::link(tx, event_id)?;
        tx.prepare_cached("INSERT INTO event_portal(event_id, portal_seq) VALUES (?1, ?2)")?.execute(params![event_id, portal_seq])?;
        codes::note_recode(tx, event_id, dossier_id, &event)?;
        // a batch handed over elsewhere can be listed here too (and `audit verify` finds every batch)
        if let EventKind::HandedOver { batch, .. } = &event {
            if !batch.is_empty() {
                tx.prepare_cached("INSERT OR IGNORE INTO handover_batches(batch, dossier_id, event_id) VALUES (?1, ?2, ?3)")?
                    .execute(params![batch, dossier_id, event_id])?;
            }
        }
        refold(tx, dossier_id, now)
    })();
    match r {
        Ok(conflicts) => {
            tx.execute_batch("RELEASE foreign_event")?;
            Ok(Applied::New { conflicts })
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO foreign_event; RELEASE foreign_event")?;
            Err(e)
        }
    }
}

/// Re-folds a dossier in merge order, writes its projection, and lists the events that lost a
/// conflict (new ones only); returns how many were newly listed.
fn refold(tx: &Transaction, dossier_id: i64, now: &str) -> Result<u32> {
    let rows: Vec<(i64, String, EventKind)> = {
        let mut st = tx.prepare_cached(&format!(
            "SELECT e.id, e.at, e.payload FROM events e LEFT JOIN event_portal p ON p.event_id = e.id WHERE e.dossier_id = ?1 ORDER BY {MERGE_ORDER}"
        ))?;
        let rows = st.query_map([dossier_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
        let mut v = Vec::new();
        for row in rows {
            let (id, at, p) = row?;
            v.push((id, at, decode_payload(&p)?));
        }
        v
    };
    let (dossier, superseded) = fold_merged(rows.iter().map(|(_, at, e)| (at.as_str(), e)));
    let d = dossier.ok_or_else(|| CoreError::Internal(format!("dossier {dossier_id} has no received event")))?;
    tx.prepare_cached("UPDATE dossiers SET status = ?2, due_at = ?3 WHERE id = ?1")?.execute(params![dossier_id, d.status.as_str(), d.due_at])?;
    codes::set_projection_code(tx, dossier_id, &d.code)?;
    let mut n = 0;
    for i in superseded {
        n += tx
            .prepare_cached("INSERT OR IGNORE INTO sync_conflicts(event_id, dossier_id, noted_at) VALUES (?1, ?2, ?3)")?
            .execute(params![rows[i].0, dossier_id, now])? as u32;
    }
    Ok(n)
}

/// Official numbers still free today in this counter's blocks (standing and leased for `day`).
pub fn numbers_left(store: &Store, day: NaiveDate) -> Result<i64> {
    let series = format!("O:{}", day.format("%y%m%d"));
    Ok(store.conn().query_row(
        "SELECT COALESCE(SUM(b.last - b.first + 1 - (SELECT COUNT(*) FROM codes_issued c WHERE c.series = ?2 AND c.seq BETWEEN b.first AND b.last)), 0)
         FROM code_blocks b WHERE b.day IS NULL OR b.day = ?1",
        params![day.format("%Y-%m-%d").to_string(), series],
        |r| r.get(0),
    )?)
}

/// Keeps a block of numbers the portal leased (idempotent: the same block twice is kept once).
pub fn add_lease(store: &mut Store, lease: &LeaseResponse) -> Result<()> {
    let day = NaiveDate::parse_from_str(&lease.day, "%Y-%m-%d").map_err(|_| CoreError::invalid(format!("lease day {}", lease.day)))?;
    if lease.first == 0 || lease.last > 9999 || lease.first > lease.last {
        return Err(CoreError::invalid(format!("lease {}..{} is out of range", lease.first, lease.last)));
    }
    let clock_now = store.clock().now();
    let tx = store.write_tx()?;
    let exists: bool = tx.query_row(
        "SELECT COUNT(*) FROM code_blocks WHERE day = ?1 AND first = ?2 AND last = ?3",
        params![day.format("%Y-%m-%d").to_string(), lease.first, lease.last],
        |r| r.get::<_, i64>(0),
    )? > 0;
    if !exists {
        tx.execute(
            "INSERT INTO code_blocks(day, first, last, source) VALUES (?1, ?2, ?3, 'portal')",
            params![day.format("%Y-%m-%d").to_string(), lease.first, lease.last],
        )?;
    }
    bump_server_time(&tx, lease.server_time, clock_now)?;
    tx.commit()?;
    Ok(())
}

pub fn status(store: &Store) -> Result<SyncStatus> {
    let c = store.conn();
    let waiting: i64 = c.query_row("SELECT COUNT(*) FROM outbox WHERE parked_code IS NULL", [], |r| r.get(0))?;
    let parked: i64 = c.query_row("SELECT COUNT(*) FROM outbox WHERE parked_code IS NOT NULL", [], |r| r.get(0))?;
    let conflicts: i64 = c.query_row("SELECT COUNT(*) FROM sync_conflicts WHERE settled_at IS NULL", [], |r| r.get(0))?;
    let failed_changes: i64 = c.query_row("SELECT COUNT(*) FROM sync_failed", [], |r| r.get(0))?;
    let numbers_left_today = numbers_left(store, store.clock().now().date())?;
    let row = c
        .query_row(
            "SELECT portal_url, online, last_success_at, last_attempt_at, last_error, clock_offset_ms, anchor_refused FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? == 1,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?;
    Ok(match row {
        None => SyncStatus {
            enrolled: false,
            portal_url: None,
            online: false,
            waiting,
            parked,
            conflicts,
            failed_changes,
            last_success_at: None,
            last_attempt_at: None,
            last_error: None,
            numbers_left_today,
            clock_offset_minutes: 0,
            reprints: codes::reprints(store)?,
            approval_pending: false,
            audit_anchor_refused: None,
        },
        Some((url, online, ok_at, at, err, offset, refused)) => SyncStatus {
            enrolled: true,
            portal_url: Some(url),
            online,
            waiting,
            parked,
            conflicts,
            failed_changes,
            last_success_at: ok_at,
            last_attempt_at: at,
            last_error: err,
            numbers_left_today,
            clock_offset_minutes: offset / 60_000,
            reprints: codes::reprints(store)?,
            approval_pending: identity::approval_pending(store)?,
            audit_anchor_refused: refused,
        },
    })
}

pub fn parked(store: &Store) -> Result<Vec<ParkedEvent>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare(
        "SELECT d.code, e.kind, e.at, o.parked_code, o.parked_reason, o.parked_at, o.attempts
         FROM outbox o JOIN events e ON e.id = o.event_id JOIN dossiers d ON d.id = e.dossier_id
         WHERE o.parked_code IS NOT NULL ORDER BY o.event_id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(ParkedEvent {
            dossier_code: r.get(0)?,
            kind: r.get(1)?,
            at: r.get(2)?,
            code: r.get(3)?,
            reason: r.get(4)?,
            parked_at: r.get(5)?,
            attempts: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Puts every parked event back in the queue (after the cause was fixed at the portal); returns how
/// many. The events themselves are unchanged: what was queued is frozen.
pub fn retry_parked(store: &mut Store) -> Result<usize> {
    store.require(crate::accounts::Right::Sync)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    let n = tx.execute("UPDATE outbox SET parked_code = NULL, parked_reason = NULL, parked_at = NULL WHERE parked_code IS NOT NULL", [])?;
    crate::audit::record(&tx, at, &actor, "sync.retry_parked", "", &serde_json::json!({ "events": n }))?;
    tx.commit()?;
    Ok(n)
}

pub fn conflicts(store: &Store) -> Result<Vec<ConflictItem>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare(
        "SELECT e.uid, d.code, e.kind, e.counter_id, e.at, d.status, s.noted_at
         FROM sync_conflicts s JOIN events e ON e.id = s.event_id JOIN dossiers d ON d.id = s.dossier_id
         WHERE s.settled_at IS NULL ORDER BY s.event_id",
    )?;
    let rows = st.query_map([], |r| {
        let uid: [u8; 16] = r.get(0)?;
        let status: String = r.get(5)?;
        Ok(ConflictItem {
            event_uid: uuid::Uuid::from_bytes(uid).to_string(),
            dossier_code: r.get(1)?,
            kind: r.get(2)?,
            counter_id: r.get(3)?,
            at: r.get(4)?,
            status_label: crate::dossier::DossierStatus::parse(&status).map(|s| s.label().to_string()).unwrap_or(status),
            noted_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A person looked at a conflict and settled it (by a correcting step where one was needed).
pub fn settle_conflict(store: &mut Store, event_uid: &str) -> Result<()> {
    store.require(crate::accounts::Right::Correct)?;
    let uid = parse_uid(event_uid)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let now = to_rfc3339(at);
    let tx = store.write_tx()?;
    let n = tx.execute(
        "UPDATE sync_conflicts SET settled_at = ?2 WHERE settled_at IS NULL AND event_id = (SELECT id FROM events WHERE uid = ?1)",
        params![uid.as_bytes().as_slice(), now],
    )?;
    if n == 0 {
        return Err(CoreError::NotFound(format!("Không có xung đột đang chờ xử lý cho bước {event_uid}")));
    }
    crate::audit::record(&tx, at, &actor, "sync.settle_conflict", event_uid, &serde_json::Value::Null)?;
    tx.commit()?;
    Ok(())
}

/// Where one dossier stands with the portal (shown in its view and in search results).
pub fn dossier_sync(store: &Store, code: &str) -> Result<DossierSync> {
    let (id, _) = store.dossier_with_id(code)?;
    let enrolled = enrolment(store)?.is_some();
    let (waiting, reason): (i64, Option<String>) = store.conn().query_row(
        "SELECT COUNT(*), MAX(o.parked_reason) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.dossier_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match (reason, waiting) {
        (Some(reason), _) => DossierSync { state: SyncState::Rejected, label: "Cổng từ chối".into(), reason: Some(reason) },
        (None, 0) if enrolled => DossierSync { state: SyncState::Sent, label: "Đã gửi lên cổng".into(), reason: None },
        (None, _) if enrolled => DossierSync { state: SyncState::Waiting, label: "Chờ gửi lên cổng".into(), reason: None },
        _ => DossierSync { state: SyncState::Local, label: "Chưa kết nối cổng".into(), reason: None },
    })
}

#[cfg(test)]
mod tests;
