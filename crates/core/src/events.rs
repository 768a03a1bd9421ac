//! Appending to the event log: one row per change, with a UUIDv7 and the next per-counter sequence
//! number, plus its outbox row for the portal sync, inside the caller's transaction; and how a
//! payload is stored (zstd JSON, against its procedure's catalog snapshot: `dicts`).

pub mod dicts;

use chrono::NaiveDateTime;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::clock::to_rfc3339;
use crate::dossier::EventKind;
use crate::error::{CoreError, Result};
use crate::store::CounterContext;
use crate::sync::hlc::Hlc;

/// Appends `event` for `dossier_id` (and queues it in the outbox); returns the event's row id.
/// Refused when this machine's clock is far behind the portal's (see `sync::hlc`).
pub fn append(tx: &Transaction, dossier_id: i64, ctx: &CounterContext, at: NaiveDateTime, event: &EventKind) -> Result<i64> {
    let last: Option<(i64, Option<String>)> = tx
        .prepare_cached("SELECT seq, hlc FROM events WHERE counter_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([&ctx.counter_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (portal_ms, seq_floor): (i64, i64) = tx
        .prepare_cached("SELECT server_ms, seq_floor FROM sync_state WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0));
    // above what the portal already holds of this counter (a re-enrolled new or restored machine)
    let seq = last.as_ref().map_or(0, |l| l.0).max(seq_floor) + 1;
    let last_hlc = last.and_then(|l| l.1).and_then(|h| Hlc::parse(&h));
    let hlc = Hlc::next(&ctx.counter_id, wall_ms(at), last_hlc.as_ref(), portal_ms).map_err(|behind| {
        CoreError::Conflict(format!(
            "Đồng hồ máy tính chậm hơn giờ của Cổng dịch vụ công ở lần đồng bộ gần nhất khoảng {} phút: hãy chỉnh lại ngày giờ của máy rồi làm lại (chưa ghi gì). Nếu giờ máy đúng thì giờ của cổng sai: báo quản trị.",
            behind / 60_000
        ))
    })?;
    let uid = uuid::Uuid::now_v7();
    let payload = encode_stored(tx, dossier_id, &to_rfc3339(at), event)?;
    tx.prepare_cached(
        "INSERT INTO events(uid, counter_id, seq, dossier_id, kind, at, clerk_id, payload, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        uid.as_bytes().as_slice(),
        ctx.counter_id,
        seq,
        dossier_id,
        event.name(),
        to_rfc3339(at),
        ctx.clerk_id,
        payload,
        hlc.to_string()
    ])?;
    let id = tx.last_insert_rowid();
    crate::event_chain::link(tx, id)?;
    tx.prepare_cached("INSERT INTO outbox(event_id) VALUES (?1)")?.execute([id])?;
    Ok(id)
}

/// Unix milliseconds of a Vietnam local time.
pub fn wall_ms(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_millis() - 7 * 3600 * 1000
}

/// Event payloads are JSON compressed with zstd: a dossier's `received` payload is about 1–2 kB of
/// JSON, most of it the procedure's checklist, so it is stored against the procedure's catalog
/// snapshot (`dicts`) and takes about 150–250 bytes. An event larger than `limits::MAX_EVENT_JSON`
/// is refused (the field limits keep every real one far below it), so whatever is written here can
/// be decoded here and taken by the portal.
fn checked_json(event: &EventKind) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(event).expect("serialisable");
    if json.len() > crate::limits::MAX_EVENT_JSON {
        return Err(CoreError::invalid(format!(
            "Nội dung bước \"{}\" quá lớn ({} byte, tối đa {}): hãy rút gọn các trường văn bản (chưa ghi gì).",
            event.name(),
            json.len(),
            crate::limits::MAX_EVENT_JSON
        )));
    }
    Ok(json)
}

/// A payload compressed on its own (no snapshot): what events of a procedure this counter does not
/// hold are stored as, and what every payload was before snapshots.
pub fn encode_payload(event: &EventKind) -> Result<Vec<u8>> {
    let json = checked_json(event)?;
    zstd::bulk::compress(&json, 3).map_err(|e| CoreError::Internal(format!("compress event: {e}")))
}

/// The stored bytes of an event of `dossier_id` (whose row exists): against the current snapshot of
/// its procedure when this counter holds the procedure (made in this transaction if new).
pub(crate) fn encode_stored(
    conn: &Connection,
    dossier_id: i64,
    at: &str,
    event: &EventKind,
) -> Result<Vec<u8>> {
    match dicts::for_dossier(conn, dossier_id, at)? {
        Some(dict) => dicts::compress(&dict, &checked_json(event)?),
        None => encode_payload(event),
    }
}

/// Decodes a stored payload (with the snapshot it names, from `conn`). The decompressed size may
/// reach `limits::DECODE_CAP` (well above what `encode_payload` writes, so events written before
/// the limits existed still read); a frame that claims more, or is not zstd at all, or names a
/// snapshot the database lacks, is an error for this one event only.
pub fn decode_payload(conn: &Connection, bytes: &[u8]) -> Result<EventKind> {
    use std::io::Read;
    let cap = crate::limits::DECODE_CAP;
    let json = if let Some((id, frame)) = dicts::split(bytes) {
        dicts::decompress(conn, id, frame, cap)?
    } else {
        match zstd::zstd_safe::get_frame_content_size(bytes) {
            Ok(Some(n)) if n as usize <= cap => zstd::bulk::decompress(bytes, n as usize),
            Ok(Some(n)) => {
                return Err(CoreError::Internal(format!(
                    "decompress event: {n} bytes, more than the {cap} allowed"
                )))
            }
            // no size in the frame header: stream it, stopping one byte past the cap
            Ok(None) => {
                let mut out = Vec::new();
                zstd::stream::read::Decoder::new(bytes)
                    .and_then(|d| d.take(cap as u64 + 1).read_to_end(&mut out))
                    .map(|_| out)
            }
            Err(_) => {
                return Err(CoreError::Internal(
                    "decompress event: not a zstd frame".into(),
                ))
            }
        }
        .map_err(|e| CoreError::Internal(format!("decompress event: {e}")))?
    };
    if json.len() > cap {
        return Err(CoreError::Internal(format!(
            "decompress event: more than the {cap} bytes allowed"
        )));
    }
    serde_json::from_slice(&json).map_err(|e| CoreError::Internal(format!("event payload: {e}")))
}
