//! The agency's official numbers at the portal (docs/dossier-codes.md): standing blocks registered per
//! counter at enrolment (an overlap with another counter's blocks is refused), day leases that never
//! touch a registered block and are capped per counter and day, and a new official code for a dossier
//! whose code another dossier of the agency already holds, issued as the portal's own `code_reissued`
//! event so that two citizens never keep one code.

use motcua_core::dossier::EventKind;
use motcua_core::sync::protocol::*;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::db::{now_ms, now_text, Device, Refusal, BACK_OFFICE};

type R<T> = Result<T, Refusal>;

/// Numbers one counter may lease for one day, unless the portal's setting `lease_cap_per_day` says.
pub const DEFAULT_LEASE_CAP: u32 = 1000;
/// At most this many numbers per lease request.
pub const MAX_LEASE: u32 = 500;
/// At most this many standing blocks per counter.
pub const MAX_BLOCKS: usize = 16;
/// Leases are given for days from yesterday to this many days ahead.
pub const LEASE_DAYS_AHEAD: i64 = 14;

/// The per-counter, per-day cap (the meta key `lease_cap_per_day`).
pub fn lease_cap(tx: &Transaction) -> R<u32> {
    let v: Option<String> = tx.query_row("SELECT value FROM meta WHERE key = 'lease_cap_per_day'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_LEASE_CAP))
}

/// Checks the blocks a counter brings to its enrolment and registers them for it (replacing what it
/// had), inside the enrolment's transaction. Refused, with the other counter named, when one overlaps
/// a block registered for another counter of the agency.
pub fn register_blocks(tx: &Transaction, agency: &str, device_id: &str, blocks: &[CodeBlock]) -> R<Vec<CodeBlock>> {
    if blocks.len() > MAX_BLOCKS {
        return Err(Refusal::new(400, "invalid_block", format!("at most {MAX_BLOCKS} standing blocks per counter")));
    }
    let mut sorted = blocks.to_vec();
    sorted.sort_by_key(|b| b.first);
    for (i, b) in sorted.iter().enumerate() {
        if b.first == 0 || b.last > 9999 || b.first > b.last {
            return Err(Refusal::new(400, "invalid_block", format!("Dải số {}-{} không hợp lệ (cần trong 1..9999)", b.first, b.last)));
        }
        if i > 0 && sorted[i - 1].last >= b.first {
            return Err(Refusal::new(400, "invalid_block", format!("Dải số {}-{} trùng với dải {}-{} của chính quầy", b.first, b.last, sorted[i - 1].first, sorted[i - 1].last)));
        }
        let other: Option<(String, u32, u32)> = tx
            .query_row(
                "SELECT device_id, first, last FROM standing_blocks
                 WHERE agency_code = ?1 AND device_id != ?2 AND first <= ?4 AND last >= ?3 ORDER BY first LIMIT 1",
                params![agency, device_id, b.first, b.last],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((dev, f, l)) = other {
            return Err(Refusal::new(
                409,
                "block_overlap",
                format!(
                    "Dải số {}-{} trùng với dải {f}-{l} đã đăng ký cho quầy {}: mỗi quầy của đơn vị cần một dải riêng (motcua init --code-block)",
                    b.first,
                    b.last,
                    dev.rsplit('/').next().unwrap_or(&dev)
                ),
            ));
        }
    }
    tx.execute("DELETE FROM standing_blocks WHERE agency_code = ?1 AND device_id = ?2", params![agency, device_id])?;
    for b in &sorted {
        tx.execute("INSERT INTO standing_blocks(agency_code, device_id, first, last) VALUES (?1, ?2, ?3, ?4)", params![agency, device_id, b.first, b.last])?;
    }
    Ok(sorted)
}

/// The next run of free numbers of an agency's day from `from`, at most `want` long: it stops before
/// any registered standing block. None when the day has no number left.
fn next_run(tx: &Transaction, agency: &str, from: u32, want: u32) -> R<Option<(u32, u32)>> {
    let mut first = from;
    loop {
        if first > 9999 {
            return Ok(None);
        }
        let inside: Option<u32> = tx
            .query_row("SELECT last FROM standing_blocks WHERE agency_code = ?1 AND first <= ?2 AND last >= ?2", params![agency, first], |r| r.get(0))
            .optional()?;
        match inside {
            Some(last) => first = last + 1,
            None => break,
        }
    }
    let next_block: Option<u32> = tx
        .query_row("SELECT MIN(first) FROM standing_blocks WHERE agency_code = ?1 AND first > ?2", params![agency, first], |r| r.get(0))
        .optional()?
        .flatten();
    let mut last = (first + want - 1).min(9999);
    if let Some(nb) = next_block {
        last = last.min(nb - 1);
    }
    Ok(Some((first, last)))
}

/// Leases a block of the agency's daily sequence to a device: never a number of a registered
/// standing block, never more than the cap per counter and day (a larger request is trimmed; none
/// left under the cap is refused with the reason).
pub fn lease(tx: &Transaction, device: &Device, req: &LeaseRequest) -> R<LeaseResponse> {
    let day = chrono::NaiveDate::parse_from_str(&req.day, "%Y-%m-%d").map_err(|_| Refusal::new(400, "invalid", format!("day {} is not YYYY-MM-DD", req.day)))?;
    let today = chrono::Utc::now().with_timezone(&motcua_core::clock::vn_offset()).date_naive();
    if (day - today).num_days() < -1 || (day - today).num_days() > LEASE_DAYS_AHEAD {
        return Err(Refusal::new(400, "invalid_day", format!("numbers are leased from yesterday to {LEASE_DAYS_AHEAD} days ahead, not for {}", req.day)));
    }
    let cap = lease_cap(tx)?;
    let had: u32 = tx.query_row(
        "SELECT COALESCE(SUM(last - first + 1), 0) FROM lease_log WHERE device_id = ?1 AND day = ?2",
        params![device.device_id, req.day],
        |r| r.get(0),
    )?;
    if had >= cap {
        return Err(Refusal::new(
            429,
            "lease_cap",
            format!("Quầy {} đã nhận {had} số cho ngày {} (tối đa {cap} số mỗi quầy mỗi ngày)", device.counter_id, req.day),
        ));
    }
    let want = req.want.clamp(1, MAX_LEASE).min(cap - had);
    let next: u32 = tx
        .query_row("SELECT next_free FROM leases WHERE agency_code = ?1 AND day = ?2", [&device.agency_code, &req.day], |r| r.get(0))
        .optional()?
        .unwrap_or(1);
    let (first, last) = next_run(tx, &device.agency_code, next, want)?
        .ok_or_else(|| Refusal::new(409, "numbers_exhausted", format!("no official numbers left for {}", req.day)))?;
    tx.execute(
        "INSERT INTO leases(agency_code, day, next_free) VALUES (?1, ?2, ?3) ON CONFLICT(agency_code, day) DO UPDATE SET next_free = excluded.next_free",
        params![device.agency_code, req.day, last + 1],
    )?;
    tx.execute(
        "INSERT INTO lease_log(device_id, day, first, last, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![device.device_id, req.day, first, last, now_text()],
    )?;
    Ok(LeaseResponse { protocol: PROTOCOL_VERSION, server_time: now_ms(), day: req.day.clone(), first, last })
}

/// The prefix (agency and day) and the day of an official code `<prefix>-yyMMdd-NNNN`; None for a
/// provisional code or another form (such a code cannot be re-issued).
pub fn new_code_possible(code: &str) -> Option<(&str, chrono::NaiveDate)> {
    let (prefix, seq) = code.rsplit_once('-')?;
    let (_, yymmdd) = prefix.rsplit_once('-')?;
    if !(4..=8).contains(&seq.len()) || !seq.bytes().all(|b| b.is_ascii_digit()) || code.starts_with("TAM-") || motcua_core::codes::is_contact_number(code) {
        return None;
    }
    Some((prefix, chrono::NaiveDate::parse_from_str(yymmdd, "%y%m%d").ok()?))
}

/// A new official code for a dossier whose code `taken` another dossier of the agency holds: the
/// same prefix (agency and day) with the next free number of that day's sequence (outside every
/// standing block, recorded as leased to the portal itself). None when the code has no
/// `<prefix>-yyMMdd-NNNN` form or the day has no number left.
pub fn new_code(tx: &Transaction, agency: &str, taken: &str) -> R<Option<String>> {
    let Some((prefix, day)) = new_code_possible(taken) else { return Ok(None) };
    let day = day.format("%Y-%m-%d").to_string();
    let mut next: u32 = tx
        .query_row("SELECT next_free FROM leases WHERE agency_code = ?1 AND day = ?2", params![agency, day], |r| r.get(0))
        .optional()?
        .unwrap_or(1);
    while let Some((n, _)) = next_run(tx, agency, next, 1)? {
        next = n + 1;
        let width = taken.rsplit('-').next().map_or(4, str::len);
        let code = format!("{prefix}-{n:0width$}");
        let held: bool =
            tx.query_row("SELECT COUNT(*) FROM dossiers WHERE agency_code = ?1 AND code = ?2", params![agency, code], |r| r.get::<_, i64>(0))? > 0;
        if !held {
            tx.execute(
                "INSERT INTO leases(agency_code, day, next_free) VALUES (?1, ?2, ?3) ON CONFLICT(agency_code, day) DO UPDATE SET next_free = excluded.next_free",
                params![agency, day, n + 1],
            )?;
            tx.execute(
                "INSERT INTO lease_log(device_id, day, first, last, at) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![BACK_OFFICE, day, n, now_text()],
            )?;
            return Ok(Some(code));
        }
    }
    Ok(None)
}

/// The official code for a dossier a counter took in with a provisional code
/// (`TAM-<agency>-<counter>-<yyMMdd>-<NNNN>`, issued offline when it had no number left): the next
/// free number of that day's official sequence, as for a re-issue. None when the code is not
/// provisional or the day has no number left (the dossier keeps its provisional code, still unique).
pub fn official_for_provisional(tx: &Transaction, device: &Device, provisional: &str, received_at: &str) -> R<Option<String>> {
    if !provisional.starts_with("TAM-") {
        return Ok(None);
    }
    let mut parts = provisional.rsplitn(3, '-');
    let (Some(_seq), Some(yymmdd), Some(_)) = (parts.next(), parts.next(), parts.next()) else { return Ok(None) };
    let Ok(day) = chrono::NaiveDate::parse_from_str(yymmdd, "%y%m%d") else { return Ok(None) };
    // the code's day is the day the dossier was taken in, not in the future: a counter cannot spend
    // another day's numbers by writing its date into a provisional code
    let received = motcua_core::clock::parse_local(received_at).map(|t| t.date());
    let today = chrono::Utc::now().with_timezone(&motcua_core::clock::vn_offset()).date_naive();
    if received != Some(day) || (day - today).num_days() > 1 {
        return Ok(None);
    }
    // charged to the counter that took the dossier in, under the same cap as its leases
    let day_s = day.format("%Y-%m-%d").to_string();
    let had: u32 = tx.query_row(
        "SELECT COALESCE(SUM(last - first + 1), 0) FROM lease_log WHERE device_id = ?1 AND day = ?2",
        params![device.device_id, day_s],
        |r| r.get(0),
    )?;
    if had >= lease_cap(tx)? {
        return Ok(None);
    }
    let Some(code) = new_code(tx, &device.agency_code, &format!("{}-{yymmdd}-0000", device.agency_code))? else { return Ok(None) };
    let n: u32 = code.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap_or(0);
    tx.execute("INSERT INTO lease_log(device_id, day, first, last, at) VALUES (?1, ?2, ?3, ?3, ?4)", params![device.device_id, day_s, n, now_text()])?;
    Ok(Some(code))
}

/// The portal's own `code_reissued` event for a dossier (counter "CONG", the next seq of the portal).
pub fn reissue_event(tx: &Transaction, dossier_uid: &str, old_code: &str, new_code: &str, reason: String) -> R<WireEvent> {
    let seq: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE device_id = ?1", [BACK_OFFICE], |r| r.get(0))?;
    let event = EventKind::CodeReissued { old_code: old_code.into(), new_code: new_code.into(), reason };
    Ok(WireEvent {
        uid: uuid::Uuid::now_v7().to_string(),
        counter_id: BACK_OFFICE.into(),
        seq,
        dossier_uid: dossier_uid.into(),
        dossier_code: new_code.into(),
        kind: event.name().into(),
        at: now_text(),
        hlc: format!("{}-{BACK_OFFICE}-0", now_ms()),
        clerk_id: "CONG".into(),
        payload: serde_json::to_value(&event).expect("serialisable"),
    })
}
