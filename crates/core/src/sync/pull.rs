//! Applying what the portal sends (the pull): another machine's events, checked field by field
//! (`pulled`) and folded in the portal's order, with conflicts kept and listed; catalogs, calendars
//! and online dossiers; a change that cannot be applied is kept and retried, never blocking the rest.

use super::*;

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
        if let Err(e) = apply_single(store, change, &mut out) {
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
pub(super) fn keep_failed(store: &mut Store, change: &Change, error: &str) -> Result<()> {
    // the message may quote a citizen's data: it is kept in the database (`motcua sync failed`), not logged
    tracing::warn!("sync: change {} not applied (kept, retried next round; motcua sync failed)", change.portal_seq);
    let now = to_rfc3339(store.clock().now());
    let tx = store.write_tx()?;
    keep_failed_tx(&tx, change, error, &now)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn keep_failed_tx(tx: &Transaction, change: &Change, error: &str, now: &str) -> Result<()> {
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
        match apply_single(store, &change, &mut PullOutcome::default()) {
            // bookkeeping of the sync's own retry list (no personal data, no dossier change): one
            // IMMEDIATE transaction each, like every write
            Ok(()) => {
                let tx = store.write_tx()?;
                tx.execute("DELETE FROM sync_failed WHERE portal_seq = ?1", [seq])?;
                tx.commit()?;
                done += 1;
            }
            Err(e) => {
                let tx = store.write_tx()?;
                tx.execute("UPDATE sync_failed SET attempts = attempts + 1, error = ?2 WHERE portal_seq = ?1", params![seq, e.to_string()])?;
                tx.commit()?;
            }
        }
    }
    Ok(done)
}

/// Applies one change on its own (a catalog, a calendar, an online dossier, or an event retried):
/// the one dispatch of `ChangeBody` (events arriving in a page go through `apply_event_run`, many
/// in one transaction, which uses the same `apply_foreign`).
pub(super) fn apply_single(store: &mut Store, change: &Change, out: &mut PullOutcome) -> Result<()> {
    match &change.body {
        ChangeBody::Event { event } => {
            let now = to_rfc3339(store.clock().now());
            let agency = store.context()?.agency_code.clone();
            let at = store.clock().now();
            let tx = store.write_tx()?;
            match apply_foreign(&tx, event, change.portal_seq, &now, &agency)? {
                Applied::New { conflicts } => {
                    out.events += 1;
                    out.conflicts += conflicts;
                    crate::audit::record(&tx, at, "", "sync.pull", "", &serde_json::json!({ "events": 1, "conflicts": conflicts, "through": change.portal_seq }))?;
                }
                Applied::AlreadyHeld => out.already_held += 1,
            }
            tx.commit()?;
            Ok(())
        }
        ChangeBody::Catalog { data } => store.import_catalog(&data.to_string()).map(|_| out.catalogs += 1),
        ChangeBody::Calendar { data } => store.import_calendar(&data.to_string()).map(|_| out.calendars += 1),
        ChangeBody::OnlineDossier { request_id, intake } => take_online(store, request_id, intake).map(|_| out.online_dossiers += 1),
    }
}

pub(super) fn set_cursor(store: &mut Store, cursor: i64) -> Result<()> {
    let tx = store.write_tx()?;
    tx.execute("UPDATE sync_state SET cursor = MAX(cursor, ?1) WHERE id = 1", [cursor])?;
    tx.commit()?;
    Ok(())
}

pub(super) fn take_online(store: &mut Store, request_id: &str, intake: &serde_json::Value) -> Result<()> {
    pulled::validate_pulled_request_id(request_id)?;
    let mut req: IntakeRequest =
        serde_json::from_value(intake.clone()).map_err(|e| CoreError::invalid(format!("hồ sơ trực tuyến {request_id} không đọc được: {e}")))?;
    req.request_id = Some(request_id.to_string());
    req.channel = Some(crate::dossier::Channel::Online);
    crate::intake::submit_batch(store, std::slice::from_ref(&req))?;
    Ok(())
}

pub(super) fn apply_event_run(store: &mut Store, run: &[&Change], out: &mut PullOutcome) -> Result<()> {
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
                tracing::warn!("sync: event at portal_seq {} not applied (kept, retried next round): {:?}", change.portal_seq, e.reason());
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

pub(super) enum Applied {
    New { conflicts: u32 },
    AlreadyHeld,
}

pub(super) fn parse_uid(s: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| CoreError::invalid(format!("uid {s}: {e}")))
}

/// Stores another machine's event (a back-office step, another counter's) and re-folds its dossier.
/// Every field is checked first as strictly as local input (`pulled::validate_pulled_event`), and a
/// dossier must be of this counter's agency. Runs under a savepoint so a bad event changes nothing.
pub(super) fn apply_foreign(tx: &Transaction, w: &WireEvent, portal_seq: i64, now: &str, agency: &str) -> Result<Applied> {
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
        let payload = crate::events::encode_stored(tx, dossier_id, &w.at, &event)?;
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
            payload,
            (!w.hlc.is_empty()).then_some(&w.hlc)
        ])?;
        let event_id = tx.last_insert_rowid();
        crate::event_chain::link(tx, event_id)?;
        tx.prepare_cached("INSERT INTO event_portal(event_id, portal_seq) VALUES (?1, ?2)")?.execute(params![event_id, portal_seq])?;
        codes::note_recode(tx, event_id, dossier_id, &event)?;
        if let EventKind::DocumentAttached { document } = &event {
            crate::documents::note_reference(tx, event_id, dossier_id, &document.sha256, document.size)?;
        }
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
pub(super) fn refold(tx: &Transaction, dossier_id: i64, now: &str) -> Result<u32> {
    let rows = crate::projections::merged_events(tx, dossier_id)?;
    let (dossier, superseded) = fold_merged(rows.iter().map(|(_, at, e)| (at.as_str(), e)));
    let d = dossier.ok_or_else(|| CoreError::Internal(format!("dossier {dossier_id} has no received event")))?;
    crate::projections::write_state(tx, dossier_id, &d)?;
    codes::set_projection_code(tx, dossier_id, &d.code)?;
    let mut n = 0;
    for i in superseded {
        n += tx
            .prepare_cached("INSERT OR IGNORE INTO sync_conflicts(event_id, dossier_id, noted_at) VALUES (?1, ?2, ?3)")?
            .execute(params![rows[i].0, dossier_id, now])? as u32;
    }
    Ok(n)
}
