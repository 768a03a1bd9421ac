//! The upload queue of document files: one row per file this counter attached, with its own state
//! (waiting → sending N % → stored, or parked with the portal's reason and a time to try again, or
//! refused for good). It is separate from the event outbox: a day's backlog of files never holds back
//! a new dossier's events (the sync round pushes events first and gives files a bounded time after).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UploadState {
    /// Not sent yet.
    Waiting,
    /// Partly sent (`sent` bytes confirmed by the portal).
    Sending,
    /// The portal holds it (hash checked there).
    Stored,
    /// The portal could not take it now (full, over quota, busy): tried again later.
    Parked,
    /// The portal refused it for good (the reason says why).
    Refused,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Waiting => "waiting",
            UploadState::Sending => "sending",
            UploadState::Stored => "stored",
            UploadState::Parked => "parked",
            UploadState::Refused => "refused",
        }
    }
    fn parse(s: &str) -> UploadState {
        match s {
            "sending" => UploadState::Sending,
            "stored" => UploadState::Stored,
            "parked" => UploadState::Parked,
            "refused" => UploadState::Refused,
            _ => UploadState::Waiting,
        }
    }
    /// The state in words ("Đang gửi 40%").
    pub fn label(self, sent: u64, size: u64) -> String {
        match self {
            UploadState::Waiting => "Chờ gửi lên Cổng".into(),
            UploadState::Sending => format!("Đang gửi {}%", (sent * 100).checked_div(size).unwrap_or(0).min(99)),
            UploadState::Stored => "Cổng đã lưu".into(),
            UploadState::Parked => "Tạm dừng, sẽ gửi lại".into(),
            UploadState::Refused => "Cổng từ chối".into(),
        }
    }
}

/// One file's upload.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BlobUpload {
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
    pub state: UploadState,
    /// Bytes the portal confirmed.
    #[ts(type = "number")]
    pub sent: u64,
    /// The portal's reason for a parked or refused file.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub attempts: u32,
    /// The state in words.
    pub label: String,
}

/// The queue at a glance (the status bar).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UploadSummary {
    pub waiting: u32,
    pub sending: u32,
    pub stored: u32,
    pub parked: u32,
    pub refused: u32,
    /// Bytes of the files not yet stored, and how many of them the portal already confirmed.
    #[ts(type = "number")]
    pub bytes_pending: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
}

/// Queues a file for upload (once: a second reference to the same file adds nothing).
pub(crate) fn queue(conn: &Connection, sha256: &str, size: u64, now: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO blob_uploads(sha256, size, queued_at) VALUES (?1, ?2, ?3)")?.execute(params![sha256, size as i64, now])?;
    Ok(())
}

const COLS: &str = "sha256, size, state, sent, reason, attempts";

fn row(r: &rusqlite::Row) -> rusqlite::Result<BlobUpload> {
    let state = UploadState::parse(&r.get::<_, String>(2)?);
    let (size, sent) = (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(3)? as u64);
    Ok(BlobUpload { sha256: r.get(0)?, size, state, sent, reason: r.get(4)?, attempts: r.get(5)?, label: state.label(sent, size) })
}

/// Whether this counter attached (and so must hold) the file.
pub(crate) fn is_queued(conn: &Connection, sha256: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM blob_uploads WHERE sha256 = ?1")?.query_row([sha256], |_| Ok(())).optional()?.is_some())
}

pub(crate) fn state_of(conn: &Connection, sha256: &str) -> Result<Option<BlobUpload>> {
    Ok(conn.prepare_cached(&format!("SELECT {COLS} FROM blob_uploads WHERE sha256 = ?1"))?.query_row([sha256], row).optional()?)
}

/// Files to send now (oldest first): waiting, partly sent, or parked whose time to retry has come.
pub fn due(store: &Store, now_ms: i64, limit: u32) -> Result<Vec<BlobUpload>> {
    store.require(crate::accounts::Right::Sync)?;
    let mut st = store.conn().prepare_cached(&format!(
        "SELECT {COLS} FROM blob_uploads WHERE state IN ('waiting', 'sending', 'parked') AND next_try_ms <= ?1 ORDER BY next_try_ms, queued_at, sha256 LIMIT ?2"
    ))?;
    let rows = st.query_map(params![now_ms, limit], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The portal confirmed `sent` bytes.
pub fn progress(store: &Store, sha256: &str, sent: u64) -> Result<()> {
    store
        .conn()
        .prepare_cached("UPDATE blob_uploads SET state = 'sending', sent = ?2, reason = NULL WHERE sha256 = ?1 AND state != 'stored'")?
        .execute(params![sha256, sent as i64])?;
    Ok(())
}

/// The portal holds the file.
pub fn stored(store: &Store, sha256: &str) -> Result<()> {
    let now = to_now(store);
    store
        .conn()
        .prepare_cached("UPDATE blob_uploads SET state = 'stored', sent = size, reason = NULL, stored_at = ?2 WHERE sha256 = ?1")?
        .execute(params![sha256, now])?;
    Ok(())
}

/// The portal cannot take the file now: try again at `retry_at_ms` (the next files go on meanwhile).
pub fn parked(store: &Store, sha256: &str, reason: &str, retry_at_ms: i64) -> Result<()> {
    store
        .conn()
        .prepare_cached("UPDATE blob_uploads SET state = 'parked', reason = ?2, attempts = attempts + 1, next_try_ms = ?3 WHERE sha256 = ?1 AND state != 'stored'")?
        .execute(params![sha256, clip(reason), retry_at_ms])?;
    Ok(())
}

/// The portal refused the file for good.
pub fn refused(store: &Store, sha256: &str, reason: &str) -> Result<()> {
    store
        .conn()
        .prepare_cached("UPDATE blob_uploads SET state = 'refused', reason = ?2, attempts = attempts + 1 WHERE sha256 = ?1 AND state != 'stored'")?
        .execute(params![sha256, clip(reason)])?;
    Ok(())
}

/// Sends refused and parked files again at the next round (after the admin fixed the cause).
pub fn retry_now(store: &mut Store) -> Result<u32> {
    store.require(crate::accounts::Right::Sync)?;
    let refused = store.conn().execute("UPDATE blob_uploads SET state = 'waiting', next_try_ms = 0 WHERE state = 'refused'", [])?;
    let parked = store.conn().execute("UPDATE blob_uploads SET next_try_ms = 0 WHERE state = 'parked'", [])?;
    Ok((refused + parked) as u32)
}

fn clip(reason: &str) -> String {
    reason.chars().filter(|c| !c.is_control()).take(300).collect()
}

fn to_now(store: &Store) -> String {
    crate::clock::to_rfc3339(store.clock().now())
}

/// The queue at a glance.
pub fn summary(store: &Store) -> Result<UploadSummary> {
    store.require(crate::accounts::Right::Read)?;
    let mut s = UploadSummary::default();
    let mut st = store.conn().prepare_cached("SELECT state, COUNT(*), SUM(size), SUM(sent) FROM blob_uploads GROUP BY state")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?;
    for row in rows {
        let (state, n, size, sent) = row?;
        match UploadState::parse(&state) {
            UploadState::Waiting => s.waiting = n,
            UploadState::Sending => s.sending = n,
            UploadState::Stored => s.stored = n,
            UploadState::Parked => s.parked = n,
            UploadState::Refused => s.refused = n,
        }
        if !matches!(UploadState::parse(&state), UploadState::Stored) {
            s.bytes_pending += size as u64;
            s.bytes_sent += sent as u64;
        }
    }
    Ok(s)
}

/// Every file's upload (for `documents list` and the admin).
pub fn all(store: &Store) -> Result<Vec<BlobUpload>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare_cached(&format!("SELECT {COLS} FROM blob_uploads ORDER BY queued_at, sha256"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
