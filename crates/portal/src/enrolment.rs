//! Enrolment codes and device approval (issue 12, finding 9).
//!
//! - A code is issued by the portal's admin for one counter of one agency
//!   (`motcua-portal enrolment-code issue --agency A --counter Q01 [--hours 24]`): 20 random characters
//!   of Crockford's base32 (100 bits), shown once. The portal keeps only its SHA-256, the counter it is
//!   for and its expiry. Enrolling consumes it in the transaction that creates the device, so a code
//!   works once, for that counter only, and not after it expires.
//! - A device enrolled with a code is `pending`: its own pushes are taken (the counter can work), but
//!   `/v1/changes` answers 403 `device_not_approved` until the admin runs
//!   `motcua-portal device approve --agency A --counter Q01`. Devices enrolled before approval
//!   existed stay approved.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::db::{hash_token, now_ms, PortalDb, Refusal, BACK_OFFICE};

type R<T> = Result<T, Refusal>;

/// Crockford's base32: no I, L, O, U, so a code read aloud or typed is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 20;
pub const DEFAULT_HOURS: u32 = 24;
/// The longest a code may stay valid: 30 days.
pub const MAX_MINUTES: u32 = 30 * 24 * 60;

/// A code as issued: shown once to the admin, never stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedCode {
    pub code: String,
    pub agency_code: String,
    pub counter_id: String,
    /// Unix ms.
    pub expires_ms: i64,
    pub expires_at: String,
}

/// What a person typed, as it is hashed: upper case, no dashes or spaces, O→0, I/L→1.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

fn new_code() -> String {
    let mut raw = [0u8; CODE_CHARS];
    getrandom::fill(&mut raw).expect("system randomness");
    let chars: Vec<char> = raw.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
    chars.chunks(5).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

fn check_ids(agency: &str, counter: &str) -> R<()> {
    if agency.is_empty() || !agency.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return Err(Refusal::new(400, "invalid", "--agency: the agency code (letters, digits and dots, e.g. 000.00.31.H26)"));
    }
    if counter.is_empty() || !counter.chars().all(|c| c.is_ascii_alphanumeric()) || counter == BACK_OFFICE {
        return Err(Refusal::new(400, "invalid", "--counter: the counter id (letters and digits, e.g. Q01)"));
    }
    Ok(())
}

fn ms_text(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| motcua_core::clock::to_rfc3339(t.with_timezone(&motcua_core::clock::vn_offset()).naive_local()))
        .unwrap_or_default()
}

/// Issues a single-use code for one counter, valid for `minutes`.
pub fn issue(db: &mut PortalDb, agency: &str, counter: &str, minutes: u32) -> R<IssuedCode> {
    let (agency, counter) = (agency.trim(), counter.trim());
    check_ids(agency, counter)?;
    if minutes == 0 || minutes > MAX_MINUTES {
        return Err(Refusal::new(400, "invalid", format!("a code is valid for 1 minute to {} hours", MAX_MINUTES / 60)));
    }
    let code = new_code();
    let expires_ms = now_ms() + i64::from(minutes) * 60_000;
    db.conn.execute(
        "INSERT INTO enrolment_codes(code_hash, agency_code, counter_id, issued_at, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash_token(&normalise(&code)), agency, counter, ms_text(now_ms()), expires_ms],
    )?;
    Ok(IssuedCode { code, agency_code: agency.into(), counter_id: counter.into(), expires_ms, expires_at: ms_text(expires_ms) })
}

/// Takes a code for `agency`/`counter` inside the enrolment's transaction: refused unless it was issued
/// for exactly this counter, is unused and has not expired. It is spent only if the transaction commits.
pub fn consume(tx: &Transaction, code: &str, agency: &str, counter: &str, device_id: &str) -> R<()> {
    let refused = |m: String| Refusal::new(403, "enrolment_refused", m);
    let row: Option<(String, String, i64, Option<String>)> = tx
        .query_row(
            "SELECT agency_code, counter_id, expires_ms, used_at FROM enrolment_codes WHERE code_hash = ?1",
            [hash_token(&normalise(code))],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((for_agency, for_counter, expires_ms, used_at)) = row else {
        return Err(refused("Mã đăng ký không đúng, đã dùng hoặc đã hết hạn: xin quản trị Cổng dịch vụ công cấp mã mới cho quầy này".into()));
    };
    if let Some(at) = used_at {
        return Err(refused(format!("Mã đăng ký không đúng: mã này đã được dùng lúc {at} (mỗi mã chỉ dùng một lần); xin quản trị cổng cấp mã mới")));
    }
    if (for_agency.as_str(), for_counter.as_str()) != (agency, counter) {
        return Err(refused(format!("Mã đăng ký không đúng: mã này được cấp cho quầy {for_counter} của {for_agency}, không dùng cho quầy {counter} của {agency}")));
    }
    if expires_ms <= now_ms() {
        return Err(refused(format!("Mã đăng ký không đúng: mã đã hết hạn lúc {}; xin quản trị cổng cấp mã mới", ms_text(expires_ms))));
    }
    let n = tx.execute(
        "UPDATE enrolment_codes SET used_at = ?2, used_by = ?3 WHERE code_hash = ?1 AND used_at IS NULL",
        params![hash_token(&normalise(code)), ms_text(now_ms()), device_id],
    )?;
    if n != 1 {
        return Err(refused("Mã đăng ký không đúng: mã này vừa được dùng".into()));
    }
    Ok(())
}

/// A device just enrolled (or enrolled again on a new machine) waits for the admin's approval.
pub fn mark_pending(tx: &Transaction, device_id: &str) -> R<()> {
    tx.execute("UPDATE devices SET approved = 0, approved_at = NULL WHERE device_id = ?1", [device_id])?;
    Ok(())
}

pub fn is_approved(db: &PortalDb, device_id: &str) -> R<bool> {
    Ok(db.conn.query_row("SELECT approved FROM devices WHERE device_id = ?1", [device_id], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0) == 1)
}

/// The admin approves an enrolled device: from now on it pulls the agency's changes.
pub fn approve(db: &mut PortalDb, agency: &str, counter: &str) -> R<String> {
    let device: String = db
        .conn
        .query_row("SELECT device_id FROM devices WHERE agency_code = ?1 AND counter_id = ?2 AND revoked = 0", [agency.trim(), counter.trim()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Refusal::new(404, "unknown_counter", format!("counter {} of {} is not enrolled", counter.trim(), agency.trim())))?;
    db.conn.execute("UPDATE devices SET approved = 1, approved_at = ?2 WHERE device_id = ?1", params![device, ms_text(now_ms())])?;
    Ok(device)
}

/// Every device and whether it is approved, for the admin (never a token or its hash).
pub fn devices(db: &PortalDb) -> R<serde_json::Value> {
    let mut st = db.conn.prepare("SELECT device_id, agency_code, counter_id, counter_name, enrolled_at, revoked, approved, approved_at FROM devices ORDER BY device_id")?;
    let rows = st.query_map([], |r| {
        let state = if r.get::<_, i64>(5)? == 1 {
            "revoked"
        } else if r.get::<_, i64>(6)? == 1 {
            "approved"
        } else {
            "pending"
        };
        Ok(serde_json::json!({
            "device_id": r.get::<_, String>(0)?, "agency_code": r.get::<_, String>(1)?, "counter_id": r.get::<_, String>(2)?,
            "counter_name": r.get::<_, String>(3)?, "enrolled_at": r.get::<_, String>(4)?, "state": state,
            "approved_at": r.get::<_, Option<String>>(7)?,
        }))
    })?;
    Ok(serde_json::Value::Array(rows.collect::<Result<_, _>>()?))
}

/// The codes issued (never the codes themselves): for whom, until when, used or not.
pub fn codes(db: &PortalDb) -> R<serde_json::Value> {
    let mut st = db.conn.prepare("SELECT agency_code, counter_id, issued_at, expires_ms, used_at, used_by FROM enrolment_codes ORDER BY issued_at")?;
    let now = now_ms();
    let rows = st.query_map([], |r| {
        let expires: i64 = r.get(3)?;
        let used: Option<String> = r.get(4)?;
        Ok(serde_json::json!({
            "agency_code": r.get::<_, String>(0)?, "counter_id": r.get::<_, String>(1)?, "issued_at": r.get::<_, String>(2)?,
            "expires_at": ms_text(expires),
            "state": if used.is_some() { "used" } else if expires <= now { "expired" } else { "valid" },
            "used_at": used, "used_by": r.get::<_, Option<String>>(5)?,
        }))
    })?;
    Ok(serde_json::Value::Array(rows.collect::<Result<_, _>>()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::sync::protocol::{EnrolRequest, PROTOCOL_VERSION};

    fn req(code: &str, counter: &str) -> EnrolRequest {
        EnrolRequest {
            protocol: PROTOCOL_VERSION,
            enrolment_code: code.into(),
            agency_code: "A".into(),
            counter_id: counter.into(),
            counter_name: "x".into(),
            app_version: "t".into(),
            standing_blocks: vec![],
        }
    }

    #[test]
    fn a_code_is_high_entropy_hashed_single_use_and_bound_to_its_counter() {
        let d = tempfile::tempdir().unwrap();
        let mut db = PortalDb::open(d.path()).unwrap();
        let c = issue(&mut db, "A", "Q01", 60).unwrap();
        assert_eq!(normalise(&c.code).len(), CODE_CHARS);
        assert!(normalise(&c.code).chars().all(|ch| ALPHABET.contains(&(ch as u8))));
        let stored: String = db.conn.query_row("SELECT group_concat(code_hash) FROM enrolment_codes", [], |r| r.get(0)).unwrap();
        assert!(!stored.contains(&normalise(&c.code)), "only the hash is kept");
        // bound to Q01: refused for Q77 (and not spent by that)
        let e = db.enrol(&req(&c.code, "Q77")).unwrap_err();
        assert!(e.message.contains("cấp cho quầy Q01"), "{e}");
        // typed in lower case with spaces: the same code
        let typed = c.code.to_lowercase().replace('-', " ");
        let ok = db.enrol(&req(&typed, "Q01")).unwrap();
        assert_eq!(ok.device_id, "A/Q01");
        assert!(!is_approved(&db, "A/Q01").unwrap(), "pending until the admin approves");
        db.revoke("A", "Q01").unwrap();
        let e = db.enrol(&req(&c.code, "Q01")).unwrap_err();
        assert!(e.message.contains("đã được dùng"), "{e}");
        approve(&mut db, "A", "Q01").unwrap_err(); // revoked: nothing to approve
    }

    #[test]
    fn an_expired_code_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let mut db = PortalDb::open(d.path()).unwrap();
        let c = issue(&mut db, "A", "Q01", 1).unwrap();
        db.conn.execute("UPDATE enrolment_codes SET expires_ms = ?1", [now_ms() - 1]).unwrap();
        let e = db.enrol(&req(&c.code, "Q01")).unwrap_err();
        assert!(e.message.contains("hết hạn"), "{e}");
        assert_eq!(e.status, 403);
        assert!(issue(&mut db, "A", "CONG", 10).is_err());
        assert!(issue(&mut db, "A", "Q01", MAX_MINUTES + 1).is_err());
    }
}
