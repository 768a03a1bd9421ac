//! The bookkeeping of sync rounds: the last success or error, the portal's answer about the audit
//! anchor, and the recovery of this counter's own events after a restore.

use super::*;

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
