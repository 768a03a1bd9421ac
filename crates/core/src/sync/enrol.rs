//! The counter's enrolment with a portal: the credential kept after `enrol`, and saving it (with the
//! portal's verified identity, `identity`).

use super::*;

/// This counter's credential with the portal.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrolment {
    pub portal_url: String,
    pub device_id: String,
    pub token: String,
    pub portal_id: String,
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
    // a counter enrolling at the end of its first-run set-up is ready from this commit on
    crate::setup::enrolled(&tx)?;
    crate::audit::record(&tx, at, &actor, "sync.enrol", &resp.device_id, &serde_json::json!({ "portal": portal_url }))?;
    tx.commit()?;
    Ok(())
}
