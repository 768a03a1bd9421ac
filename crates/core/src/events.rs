//! Appending to the event log: one row per change, with a UUIDv7 and the next per-counter sequence
//! number, plus its outbox row for the portal sync, inside the caller's transaction.

use chrono::NaiveDateTime;
use rusqlite::{params, Transaction};

use crate::clock::to_rfc3339;
use crate::dossier::EventKind;
use crate::error::Result;
use crate::store::CounterContext;

/// Appends `event` for `dossier_id`; returns the event's sequence number on this counter.
pub fn append(tx: &Transaction, dossier_id: i64, ctx: &CounterContext, at: NaiveDateTime, event: &EventKind) -> Result<i64> {
    let seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE counter_id = ?1")?
        .query_row([&ctx.counter_id], |r| r.get(0))?;
    let uid = uuid::Uuid::now_v7().to_string();
    tx.prepare_cached(
        "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        uid,
        ctx.counter_id,
        seq,
        dossier_id,
        event.name(),
        to_rfc3339(at),
        ctx.clerk_id,
        serde_json::to_string(event).expect("serialisable")
    ])?;
    let id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO outbox(event_id) VALUES (?1)")?.execute([id])?;
    Ok(seq)
}
