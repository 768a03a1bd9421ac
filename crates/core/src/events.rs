//! Appending to the event log: one row per change, with a UUIDv7 and the next per-counter sequence
//! number, plus its outbox row for the portal sync, inside the caller's transaction.

use chrono::NaiveDateTime;
use rusqlite::{params, Transaction};

use crate::clock::to_rfc3339;
use crate::dossier::EventKind;
use crate::error::{CoreError, Result};
use crate::store::CounterContext;

/// Appends `event` for `dossier_id` (and queues it in the outbox); returns the event's row id.
pub fn append(tx: &Transaction, dossier_id: i64, ctx: &CounterContext, at: NaiveDateTime, event: &EventKind) -> Result<i64> {
    let seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE counter_id = ?1")?
        .query_row([&ctx.counter_id], |r| r.get(0))?;
    let uid = uuid::Uuid::now_v7();
    tx.prepare_cached(
        "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        uid.as_bytes().as_slice(),
        ctx.counter_id,
        seq,
        dossier_id,
        event.name(),
        to_rfc3339(at),
        ctx.clerk_id,
        encode_payload(event)?
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO outbox(event_id) VALUES (?1)")?.execute([id])?;
    Ok(id)
}

/// Event payloads are JSON compressed with zstd: a dossier's `received` payload is about 900 bytes of
/// JSON and about 450 compressed, which keeps a million dossiers well under the size budget.
pub fn encode_payload(event: &EventKind) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(event).expect("serialisable");
    zstd::bulk::compress(&json, 3).map_err(|e| CoreError::Internal(format!("compress event: {e}")))
}

pub fn decode_payload(bytes: &[u8]) -> Result<EventKind> {
    let json = zstd::bulk::decompress(bytes, 1 << 20).map_err(|e| CoreError::Internal(format!("decompress event: {e}")))?;
    serde_json::from_slice(&json).map_err(|e| CoreError::Internal(format!("event payload: {e}")))
}
