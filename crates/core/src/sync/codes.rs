//! Official numbers and the portal, the counter's side (docs/dossier-codes.md): the standing blocks
//! registered at enrolment, leases for today and the next working days sized from this counter's own
//! volume (so a morning outage still gives official codes), and a code the portal re-issued because
//! two counters issued the same number: the dossier's code changes by the portal's `code_reissued`
//! event, the old code stays findable, and the receipt is listed for a reprint until it is printed
//! again.

use chrono::{Duration, NaiveDate};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use super::protocol::CodeBlock;
use super::{numbers_left, LEASE_LOW_WATER, LEASE_SIZE};
use crate::dossier::EventKind;
use crate::error::Result;
use crate::store::Store;

/// How many working days after today to hold numbers for, unless the setting `lease_ahead_days` says.
pub const LEASE_AHEAD_DAYS: u32 = 3;
/// The least a lease ahead asks for, whatever the counter's volume.
pub const LEASE_AHEAD_FLOOR: u32 = 20;
/// The busiest of this many working days sizes the leases ahead.
pub const VOLUME_DAYS: usize = 10;

/// The standing blocks set at `init --code-block` (sent with the enrolment to be registered).
pub fn standing_blocks(store: &Store) -> Result<Vec<CodeBlock>> {
    let mut st = store.conn().prepare("SELECT first, last FROM code_blocks WHERE day IS NULL AND source = 'admin' ORDER BY first")?;
    let rows = st.query_map([], |r| Ok(CodeBlock { first: r.get(0)?, last: r.get(1)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Drops this counter's standing blocks (an admin's decision, e.g. after the portal refused one as
/// overlapping another counter's): numbers then come from the portal's leases. Numbers already issued
/// stay recorded and are never issued again.
pub fn drop_standing_blocks(store: &mut Store) -> Result<usize> {
    store.require(crate::accounts::Right::Settings)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    let n = tx.execute("DELETE FROM code_blocks WHERE day IS NULL AND source = 'admin'", [])?;
    crate::audit::record(&tx, at, &actor, "codes.drop_blocks", "", &serde_json::json!({ "blocks": n }))?;
    tx.commit()?;
    Ok(n)
}

/// After an enrolment: the standing blocks the portal registered stay (the portal never leases their
/// numbers to anyone else); any other standing block is dropped, and numbers come from leases.
pub(super) fn keep_registered_blocks(tx: &Transaction, registered: &[CodeBlock]) -> Result<()> {
    let blocks: Vec<(i64, u32, u32)> = {
        let mut st = tx.prepare("SELECT id, first, last FROM code_blocks WHERE day IS NULL AND source = 'admin'")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, first, last) in blocks {
        if !registered.contains(&CodeBlock { first, last }) {
            tx.execute("DELETE FROM code_blocks WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

/// The number of working days ahead to lease for (setting `lease_ahead_days`, 0..=10, default 3).
pub fn lease_ahead_days(store: &Store) -> Result<u32> {
    Ok(store.setting("lease_ahead_days")?.and_then(|v| v.trim().parse::<u32>().ok()).map_or(LEASE_AHEAD_DAYS, |n| n.min(10)))
}

/// The busiest day of this counter's own intakes over the last `VOLUME_DAYS` working days up to
/// `today`.
pub fn busiest_day(store: &Store, today: NaiveDate) -> Result<u32> {
    let counter = store.context()?.counter_id.clone();
    let mut days = Vec::new();
    let mut d = today;
    while days.len() < VOLUME_DAYS && (today - d).num_days() < 60 {
        if store.calendar().is_working_day(d) {
            days.push(d);
        }
        d -= Duration::days(1);
    }
    let mut st = store.conn().prepare_cached("SELECT COUNT(*) FROM events WHERE counter_id = ?1 AND kind = 'received' AND at >= ?2 AND at < ?3")?;
    let mut best = 0u32;
    for day in days {
        let next = day + Duration::days(1);
        let n: u32 = st.query_row(params![counter, day.format("%Y-%m-%d").to_string(), next.format("%Y-%m-%d").to_string()], |r| r.get(0))?;
        best = best.max(n);
    }
    Ok(best)
}

/// The size of a lease ahead: the busiest recent day × 1.5, at least `LEASE_AHEAD_FLOOR` (the portal
/// trims it to its per-counter cap).
pub fn lease_ahead_size(store: &Store, today: NaiveDate) -> Result<u32> {
    let busiest = busiest_day(store, today)?;
    Ok((busiest * 3).div_ceil(2).max(LEASE_AHEAD_FLOOR))
}

/// The leases this round should ask for, as (day, how many): today when fewer than
/// `LEASE_LOW_WATER` are left, then each of the next working days that holds fewer than a day's
/// worth. Leases of days gone by are simply expired (`expire_leases`).
pub fn lease_plan(store: &Store) -> Result<Vec<(NaiveDate, u32)>> {
    let today = store.clock().now().date();
    let size = lease_ahead_size(store, today)?;
    let mut plan = Vec::new();
    if numbers_left(store, today)? < LEASE_LOW_WATER {
        plan.push((today, size.max(LEASE_SIZE)));
    }
    let mut d = today;
    let mut ahead = 0;
    let want_days = lease_ahead_days(store)?;
    while ahead < want_days && (d - today).num_days() < 30 {
        d += Duration::days(1);
        if !store.calendar().is_working_day(d) {
            continue;
        }
        ahead += 1;
        let left = numbers_left(store, d)?;
        if left < size as i64 {
            plan.push((d, size - left as u32));
        }
    }
    Ok(plan)
}

/// Drops leases of days gone by (their unused numbers are a gap in that day's numbering, never reused).
pub fn expire_leases(store: &mut Store) -> Result<usize> {
    let today = store.clock().now().date().format("%Y-%m-%d").to_string();
    let at = store.clock().now();
    let tx = store.write_tx()?;
    let n = tx.execute("DELETE FROM code_blocks WHERE day IS NOT NULL AND day < ?1", [&today])?;
    if n > 0 {
        crate::audit::record(&tx, at, "", "sync.leases_expired", &today, &serde_json::json!({ "blocks": n }))?;
    }
    tx.commit()?;
    Ok(n)
}

/// The code a pulled dossier is kept under here: its own, unless a dossier held here already has it
/// (two counters issued the same number and the portal's `code_reissued` for one of them has not
/// arrived yet); then a stand-in `CODE~uid` until the fold gives it its code.
pub(super) fn free_code(tx: &Transaction, code: &str, dossier_uid: &str) -> Result<String> {
    let taken: bool = tx.prepare_cached("SELECT COUNT(*) FROM dossiers WHERE code = ?1")?.query_row([code], |r| r.get::<_, i64>(0))? > 0;
    Ok(if taken { format!("{code}~{}", &dossier_uid.replace('-', "")[..12.min(dossier_uid.len())]) } else { code.to_string() })
}

/// Writes the code a fold gave a dossier into its searchable row (after a `code_reissued`), and gives
/// a dossier waiting under a stand-in its own code back once that code is free.
pub(super) fn set_projection_code(tx: &Transaction, dossier_id: i64, code: &str) -> Result<()> {
    let current: String = tx.prepare_cached("SELECT code FROM dossiers WHERE id = ?1")?.query_row([dossier_id], |r| r.get(0))?;
    if current == code {
        return Ok(());
    }
    let uid: [u8; 16] = tx.prepare_cached("SELECT uid FROM dossiers WHERE id = ?1")?.query_row([dossier_id], |r| r.get(0))?;
    let target = free_code(tx, code, &uuid::Uuid::from_bytes(uid).to_string())?;
    if target == current {
        return Ok(());
    }
    tx.prepare_cached("UPDATE dossiers SET code = ?2 WHERE id = ?1")?.execute(params![dossier_id, target])?;
    // the old code is free now: a dossier kept under a stand-in for it gets it back
    let waiting: Option<i64> = tx
        .prepare_cached("SELECT id FROM dossiers WHERE code GLOB ?1 || '~*' ORDER BY id LIMIT 1")?
        .query_row([&current], |r| r.get(0))
        .optional()?;
    if let Some(w) = waiting {
        if !current.contains('~') {
            tx.prepare_cached("UPDATE dossiers SET code = ?2 WHERE id = ?1")?.execute(params![w, current])?;
        }
    }
    Ok(())
}

/// Keeps the searchable trace of a `code_reissued` event (old code → new code).
pub(super) fn note_recode(tx: &Transaction, event_id: i64, dossier_id: i64, event: &EventKind) -> Result<()> {
    if let EventKind::CodeReissued { old_code, new_code, .. } = event {
        tx.prepare_cached("INSERT OR IGNORE INTO dossier_recodes(event_id, dossier_id, old_code, new_code) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![event_id, dossier_id, old_code, new_code])?;
    }
    Ok(())
}

/// A dossier of this counter whose code the portal re-issued, and whose receipt has not been printed
/// again since: "In lại giấy tiếp nhận".
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReprintItem {
    /// The dossier's code now.
    pub code: String,
    /// The code printed on the citizen's receipt.
    pub old_code: String,
    pub reason: String,
}

/// The receipts to print again: dossiers taken in at this counter whose code changed and whose
/// receipt has not been printed (or saved) under the new code.
pub fn reprints(store: &Store) -> Result<Vec<ReprintItem>> {
    let counter = match store.context() {
        Ok(c) => c.counter_id.clone(),
        Err(_) => return Ok(vec![]),
    };
    let mut st = store.conn().prepare(
        "SELECT d.code, r.old_code FROM dossier_recodes r JOIN dossiers d ON d.id = r.dossier_id
         WHERE r.new_code = d.code
           AND EXISTS (SELECT 1 FROM events e WHERE e.dossier_id = d.id AND e.kind = 'received' AND e.counter_id = ?1)
           AND NOT EXISTS (SELECT 1 FROM print_log p WHERE p.dossier_code = d.code AND p.form = 'receipt'
                           AND p.outcome IN ('printed', 'saved', 'pending'))
         ORDER BY r.event_id",
    )?;
    let rows = st.query_map([counter], |r| {
        let (code, old_code): (String, String) = (r.get(0)?, r.get(1)?);
        Ok(ReprintItem {
            reason: format!("Mã {old_code} trùng với hồ sơ của quầy khác; Cổng đã cấp mã mới {code}: in lại giấy tiếp nhận cho công dân"),
            code,
            old_code,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
#[path = "codes_tests.rs"]
mod tests;
