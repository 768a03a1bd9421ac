//! The event chain (issue 12, finding 3): every event's canonical bytes (uid, counter, seq, dossier
//! row, kind, time, clerk, hlc and the stored payload bytes) are hashed and chained in insertion order,
//! one `event_chain` row per event written in the transaction that inserts it. The audit log commits
//! to the chain's head with every entry (`audit::record`), and the audit head travels to the portal,
//! so an event edited in the file (a name, a CCCD, a fee, a clerk, a time) is found by `audit verify`.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The chain's value before the first event.
pub const GENESIS: &str = crate::audit::GENESIS;

/// One event as stored, the bytes the chain commits to.
pub struct EventRow {
    pub id: i64,
    pub uid: Vec<u8>,
    pub counter_id: String,
    pub seq: i64,
    pub dossier_id: i64,
    pub kind: String,
    pub at: String,
    pub clerk_id: String,
    pub hlc: Option<String>,
    pub payload: Vec<u8>,
}

pub const EVENT_COLUMNS: &str = "id, uid, counter_id, seq, dossier_id, kind, at, clerk_id, hlc, payload";

pub fn event_row(r: &rusqlite::Row) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        uid: r.get(1)?,
        counter_id: r.get(2)?,
        seq: r.get(3)?,
        dossier_id: r.get(4)?,
        kind: r.get(5)?,
        at: r.get(6)?,
        clerk_id: r.get(7)?,
        hlc: r.get(8)?,
        payload: r.get(9)?,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds one field with its length first, so no two different events give the same bytes.
fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// SHA-256 (hex) of an event chained to its predecessor's hash.
pub fn event_hash(prev: &str, e: &EventRow) -> String {
    let mut h = Sha256::new();
    field(&mut h, b"motcua.event/1");
    field(&mut h, prev.as_bytes());
    field(&mut h, e.id.to_string().as_bytes());
    field(&mut h, &e.uid);
    field(&mut h, e.counter_id.as_bytes());
    field(&mut h, e.seq.to_string().as_bytes());
    field(&mut h, e.dossier_id.to_string().as_bytes());
    field(&mut h, e.kind.as_bytes());
    field(&mut h, e.at.as_bytes());
    field(&mut h, e.clerk_id.as_bytes());
    field(&mut h, e.hlc.as_deref().unwrap_or("").as_bytes());
    field(&mut h, &e.payload);
    hex(&h.finalize())
}

/// The chain's head: (event id, hash) of the latest chained event.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT event_id, hash FROM event_chain ORDER BY event_id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Chains the event just inserted (row `event_id`), inside the inserting transaction.
pub fn link(tx: &Transaction, event_id: i64) -> Result<()> {
    let prev = head(tx)?.map(|h| h.1).unwrap_or_else(|| GENESIS.to_string());
    let e = tx.prepare_cached(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"))?.query_row([event_id], event_row)?;
    tx.prepare_cached("INSERT INTO event_chain(event_id, hash) VALUES (?1, ?2)")?.execute(params![event_id, event_hash(&prev, &e)])?;
    Ok(())
}

/// Migration 8's hook: chains the events that existed before the chain did, oldest first.
pub(crate) fn backfill(tx: &Transaction) -> rusqlite::Result<()> {
    let mut prev = GENESIS.to_string();
    let rows: Vec<EventRow> = {
        let mut st = tx.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY id"))?;
        let rows = st.query_map([], event_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for e in rows {
        let h = event_hash(&prev, &e);
        tx.execute("INSERT INTO event_chain(event_id, hash) VALUES (?1, ?2)", params![e.id, h])?;
        prev = h;
    }
    Ok(())
}

/// What recomputing the chain found: the recomputed hash of every event (by id) and the problems.
pub struct ChainCheck {
    pub events: i64,
    pub recomputed: std::collections::HashMap<i64, String>,
    pub problems: Vec<String>,
}

/// Recomputes the whole chain from the events and compares it with the stored hashes; names the
/// first event that differs (by its id, kind and dossier code: no personal data).
pub fn verify(conn: &Connection) -> Result<ChainCheck> {
    let mut st = conn.prepare(&format!(
        "SELECT e.{}, c.hash, d.code FROM events e LEFT JOIN event_chain c ON c.event_id = e.id LEFT JOIN dossiers d ON d.id = e.dossier_id ORDER BY e.id",
        EVENT_COLUMNS.replace(", ", ", e.")
    ))?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS.to_string();
    let mut out = ChainCheck { events: 0, recomputed: Default::default(), problems: vec![] };
    while let Some(r) = rows.next()? {
        let e = event_row(r)?;
        let stored: Option<String> = r.get(10)?;
        let code: Option<String> = r.get(11)?;
        let h = event_hash(&prev, &e);
        out.events += 1;
        if out.problems.is_empty() {
            let what = format!("event {} ({} of dossier {})", e.id, e.kind, code.as_deref().unwrap_or("?"));
            match stored {
                None => out.problems.push(format!("{what} has no chain hash: it was inserted or its hash removed outside the app")),
                Some(s) if s != h => out.problems.push(format!("{what} was changed after it was written (its content no longer matches its chain hash)")),
                Some(_) => {}
            }
        }
        out.recomputed.insert(e.id, h.clone());
        prev = h;
    }
    let orphans: i64 = conn.query_row("SELECT COUNT(*) FROM event_chain c WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = c.event_id)", [], |r| r.get(0))?;
    if orphans > 0 {
        out.problems.push(format!("{orphans} chained event(s) are missing from the events table: events were deleted"));
    }
    Ok(out)
}
