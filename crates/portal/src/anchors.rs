//! The counters' audit anchors kept at the portal (issue 12, finding 3): a new head is accepted only
//! as an extension of the one held, checked by recomputing the chain from the held hash through the
//! digests the counter sends (`motcua_core::audit::check_extension`; hashes only, no personal data).
//! A head that does not extend it (the counter's log cut or rewritten) is refused, the held anchor
//! stays, and the refusal is stored and flagged (`motcua-portal stats --json`, `motcua-portal anchors`,
//! `GET /v1/audit-anchor`), so the counter's sync status and `audit verify --portal` show it.

use motcua_core::sync::protocol::PushRequest;
use rusqlite::{params, OptionalExtension, Transaction};

/// Takes the push's audit head if it extends the held one (or none is held yet); otherwise refuses,
/// records and flags it. Returns the refusal's reason (None: accepted or nothing sent).
pub fn accept(tx: &Transaction, device_id: &str, req: &PushRequest, now: &str) -> rusqlite::Result<Option<String>> {
    let Some(offered) = req.audit_anchor.as_deref() else { return Ok(None) };
    let held: Option<String> = tx.query_row("SELECT audit_anchor FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)).optional()?.flatten();
    let content_chain: bool =
        tx.query_row("SELECT content_chain FROM anchor_state WHERE device_id = ?1", [device_id], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0) == 1;
    let verdict = match (motcua_core::audit::parse_anchor(offered), held.as_deref().and_then(motcua_core::audit::parse_anchor)) {
        (None, _) => Err("the audit head sent is not of the form id:hash".to_string()),
        // the first anchor of a device is taken as it comes
        (Some(_), None) => Ok(req.audit_links.iter().any(|l| l.digest.is_some())),
        (Some((nid, nhash)), Some((hid, hhash))) => motcua_core::audit::check_extension(hid, &hhash, nid, &nhash, &req.audit_links, !content_chain),
    };
    match verdict {
        Ok(saw_v2) => {
            tx.execute("UPDATE devices SET audit_anchor = ?2 WHERE device_id = ?1", params![device_id, offered])?;
            if saw_v2 {
                tx.execute(
                    "INSERT INTO anchor_state(device_id, content_chain) VALUES (?1, 1) ON CONFLICT(device_id) DO UPDATE SET content_chain = 1",
                    [device_id],
                )?;
            }
            Ok(None)
        }
        Err(reason) => {
            tx.execute(
                "INSERT INTO anchor_refusals(device_id, at, held, offered, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![device_id, now, held.unwrap_or_default(), offered, reason],
            )?;
            tx.execute(
                "INSERT INTO anchor_state(device_id, flagged, flagged_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(device_id) DO UPDATE SET flagged = excluded.flagged, flagged_at = excluded.flagged_at",
                params![device_id, reason, now],
            )?;
            Ok(Some(reason))
        }
    }
}

/// The flag on a device: the latest refused head's reason.
pub fn flagged(conn: &rusqlite::Connection, device_id: &str) -> rusqlite::Result<Option<String>> {
    Ok(conn.query_row("SELECT flagged FROM anchor_state WHERE device_id = ?1", [device_id], |r| r.get(0)).optional()?.flatten())
}

/// A counter enrolling again (a new or restored machine, after the admin revoked the old token)
/// starts a new anchor: the old one and its flag are kept in the refusals log, marked as a reset.
pub fn reset_on_reenrol(tx: &Transaction, device_id: &str, now: &str) -> rusqlite::Result<()> {
    let held: Option<String> = tx.query_row("SELECT audit_anchor FROM devices WHERE device_id = ?1", [device_id], |r| r.get(0)).optional()?.flatten();
    if let Some(h) = held {
        tx.execute(
            "INSERT INTO anchor_refusals(device_id, at, held, offered, reason) VALUES (?1, ?2, ?3, '', 'reset: the counter enrolled again')",
            params![device_id, now, h],
        )?;
    }
    tx.execute("UPDATE devices SET audit_anchor = NULL WHERE device_id = ?1", [device_id])?;
    tx.execute("DELETE FROM anchor_state WHERE device_id = ?1", [device_id])?;
    Ok(())
}

/// Every device's anchor and flag, and every refusal, for `motcua-portal anchors`.
pub fn report(conn: &rusqlite::Connection) -> rusqlite::Result<serde_json::Value> {
    let mut st = conn.prepare(
        "SELECT d.device_id, d.audit_anchor, s.content_chain, s.flagged, s.flagged_at FROM devices d
         LEFT JOIN anchor_state s ON s.device_id = d.device_id ORDER BY d.device_id",
    )?;
    let devices: Vec<serde_json::Value> = st
        .query_map([], |r| {
            Ok(serde_json::json!({
                "device_id": r.get::<_, String>(0)?,
                "audit_anchor": r.get::<_, Option<String>>(1)?,
                "content_chain": r.get::<_, Option<i64>>(2)?.unwrap_or(0) == 1,
                "flagged": r.get::<_, Option<String>>(3)?,
                "flagged_at": r.get::<_, Option<String>>(4)?,
            }))
        })?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare("SELECT device_id, at, held, offered, reason FROM anchor_refusals ORDER BY id")?;
    let refusals: Vec<serde_json::Value> = st
        .query_map([], |r| {
            Ok(serde_json::json!({
                "device_id": r.get::<_, String>(0)?, "at": r.get::<_, String>(1)?, "held": r.get::<_, String>(2)?,
                "offered": r.get::<_, String>(3)?, "reason": r.get::<_, String>(4)?,
            }))
        })?
        .collect::<Result<_, _>>()?;
    Ok(serde_json::json!({ "devices": devices, "refusals": refusals }))
}
