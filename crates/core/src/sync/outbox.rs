//! The outbox: the events waiting for the portal, read in batches; an event that cannot be sent as
//! stored is parked with its reason and the rest keep flowing; what a push answer does to each item;
//! the parked list and "Gửi lại".

use super::*;

/// A parked event, as listed for the clerk.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ParkedEvent {
    pub dossier_code: String,
    pub kind: String,
    /// The event kind in words.
    pub kind_label: String,
    pub at: String,
    pub code: String,
    pub reason: String,
    pub parked_at: String,
    pub attempts: u32,
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
            tracing::warn!("sync: event row {event_id} parked ({code}): it cannot be sent as stored");
            park(store.conn(), event_id, code, &reason, &to_rfc3339(store.clock().now()))?;
        }
    }
}

type BadItem = (i64, &'static str, String);

pub(super) fn read_outbox(store: &Store, limit: usize) -> Result<(Vec<(i64, WireEvent)>, Vec<BadItem>)> {
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
        let event = match decode_payload(store.conn(), &payload) {
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

pub(super) fn park(conn: &rusqlite::Connection, event_id: i64, code: &str, reason: &str, now: &str) -> Result<()> {
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
    let (mut refolded, mut recoded) = (0u32, 0u32);
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
                    refolded += 1;
                }
                // the portal gave this dossier a new code (its number was another dossier's): its
                // `code_reissued` event is applied now (the pull brings it again, harmlessly)
                if let Some(re) = r.reissue.as_ref().filter(|_| r.status == PushStatus::Recoded) {
                    match apply_foreign(&tx, &re.event, re.portal_seq, &now, &agency) {
                        Ok(_) => recoded += 1,
                        Err(e) => tracing::info!("sync: a code re-issue was not applied from the push answer (the pull brings it): {:?}", e.reason()),
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
    // the answer changed the outbox (and may have re-folded dossiers or added the portal's re-issue
    // event): audited in the same transaction, like every write that touches dossiers
    if out.stored + out.duplicate + out.rejected > 0 || recoded > 0 {
        crate::audit::record(
            &tx,
            clock_now,
            "",
            "sync.push",
            "",
            &serde_json::json!({ "stored": out.stored, "duplicate": out.duplicate, "rejected": out.rejected, "refolded": refolded, "recoded": recoded }),
        )?;
    }
    tx.commit()?;
    Ok(out)
}

pub(super) fn bump_server_time(tx: &Transaction, server_ms: i64, now: chrono::NaiveDateTime) -> Result<()> {
    let offset = server_ms - crate::events::wall_ms(now);
    // the latest observation, not the largest ever: one wrong portal time must not block intake for good
    tx.prepare_cached("UPDATE sync_state SET server_ms = ?1, clock_offset_ms = ?2 WHERE id = 1")?
        .execute(params![server_ms, offset])?;
    Ok(())
}

pub fn parked(store: &Store) -> Result<Vec<ParkedEvent>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare(
        "SELECT d.code, e.kind, e.at, o.parked_code, o.parked_reason, o.parked_at, o.attempts
         FROM outbox o JOIN events e ON e.id = o.event_id JOIN dossiers d ON d.id = e.dossier_id
         WHERE o.parked_code IS NOT NULL ORDER BY o.event_id",
    )?;
    let rows = st.query_map([], |r| {
        let kind: String = r.get(1)?;
        Ok(ParkedEvent {
            dossier_code: r.get(0)?,
            kind_label: crate::dossier::EventKind::label_of(&kind).into(),
            kind,
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
