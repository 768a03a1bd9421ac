//! Wrong passwords lock the account for a while (issue 12, finding 10). Failures are counted per
//! account id in `login_failures` (so the count survives a restart of the app or a new CLI run), for
//! ids that do not exist as well (probing for names is locked out like guessing a password, and the
//! answers look the same). After `LOCK_AFTER` failures the id is locked for `FIRST_LOCK`, doubled
//! with each further failure up to `MAX_LOCK`; while locked, every attempt is refused with the time
//! left, even with the right password, and is not checked at all. A success clears the count, and so
//! does an admin resetting the password; a count left alone for `FORGET_AFTER` starts again.
//! The audit log gets each failure, each lock and each refusal while locked, with the account id
//! and counts only.

use chrono::{Duration, NaiveDateTime};
use rusqlite::{params, OptionalExtension};

use crate::clock::{parse_local, to_rfc3339};
use crate::error::{CoreError, Reason, Result};
use crate::store::Store;

/// Failures before the first lock.
pub const LOCK_AFTER: u32 = 5;
/// The first lock; each further failure doubles it.
pub const FIRST_LOCK_SECS: i64 = 60;
/// The longest lock.
pub const MAX_LOCK_SECS: i64 = 30 * 60;
/// A count with no failure for this long starts again from zero.
pub const FORGET_AFTER_HOURS: i64 = 24;
/// Ids are counted by their first characters only (no real id is longer), so typing a page of text
/// as an id stores little.
const KEY_CHARS: usize = 64;

/// The id as counted: trimmed, at most `KEY_CHARS` characters.
pub(super) fn key(id: &str) -> String {
    id.trim().chars().take(KEY_CHARS).collect()
}

/// How long the lock is after `failures` failures (0 below `LOCK_AFTER`).
pub fn lock_seconds(failures: u32) -> i64 {
    if failures < LOCK_AFTER {
        return 0;
    }
    let doublings = (failures - LOCK_AFTER).min(30);
    FIRST_LOCK_SECS.saturating_mul(1i64 << doublings).min(MAX_LOCK_SECS)
}

fn wait_text(secs: i64) -> String {
    let (m, s) = (secs / 60, secs % 60);
    match (m, s) {
        (0, s) => format!("{s} giây"),
        (m, 0) => format!("{m} phút"),
        (m, s) => format!("{m} phút {s} giây"),
    }
}

struct Row {
    failures: u32,
    locked_until: Option<NaiveDateTime>,
    lock_secs: i64,
    last_at: Option<NaiveDateTime>,
}

fn row(store: &Store, key: &str) -> Result<Option<Row>> {
    Ok(store
        .conn()
        .query_row("SELECT failures, locked_until, lock_seconds, last_failure_at FROM login_failures WHERE account_id = ?1", [key], |r| {
            Ok(Row {
                failures: r.get(0)?,
                locked_until: r.get::<_, Option<String>>(1)?.as_deref().and_then(parse_local),
                lock_secs: r.get(2)?,
                last_at: r.get::<_, Option<String>>(3)?.as_deref().and_then(parse_local),
            })
        })
        .optional()?)
}

/// Seconds left of a lock at `now`. A clock moved back never makes a lock longer than it was set.
fn remaining(r: &Row, now: NaiveDateTime) -> i64 {
    match r.locked_until {
        Some(until) if until > now => (until - now).num_seconds().max(1).min(r.lock_secs.max(1)),
        _ => 0,
    }
}

/// Refuses (and audits) an attempt while the id is locked; nothing is checked then.
pub(super) fn refuse_if_locked(store: &mut Store, id: &str) -> Result<()> {
    let key = key(id);
    let now = store.clock().now();
    let Some(r) = row(store, &key)? else { return Ok(()) };
    let left = remaining(&r, now);
    if left == 0 {
        return Ok(());
    }
    let tx = store.write_tx()?;
    crate::audit::record(&tx, now, &key, "login_refused_locked", &key, &serde_json::json!({ "seconds_left": left }))?;
    tx.commit()?;
    Err(CoreError::forbidden(Reason::AccountLocked, format!(
        "Tài khoản đang tạm khóa vì nhập sai mật khẩu nhiều lần: thử lại sau {}",
        wait_text(left)
    )))
}

/// Counts a failure (and locks when due), with its audit entries, in one transaction. `action` is
/// the audit action of the failure (`login_failed`, `unlock_failed`). Returns the refusal to give.
pub(super) fn failed(store: &mut Store, id: &str, action: &str, message: &str) -> Result<CoreError> {
    let key = key(id);
    let now = store.clock().now();
    let before = row(store, &key)?;
    let stale = before.as_ref().and_then(|r| r.last_at).is_some_and(|at| now - at > Duration::hours(FORGET_AFTER_HOURS));
    let failures = match before {
        Some(r) if !stale => r.failures.saturating_add(1),
        _ => 1,
    };
    let secs = lock_seconds(failures);
    let until = (secs > 0).then(|| to_rfc3339(now + Duration::seconds(secs)));
    let tx = store.write_tx()?;
    tx.execute(
        "INSERT INTO login_failures(account_id, failures, locked_until, lock_seconds, last_failure_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(account_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
           lock_seconds = excluded.lock_seconds, last_failure_at = excluded.last_failure_at",
        params![key, failures, until, secs, to_rfc3339(now)],
    )?;
    crate::audit::record(&tx, now, &key, action, &key, &serde_json::json!({ "failures": failures }))?;
    if secs > 0 {
        crate::audit::record(&tx, now, &key, "login_locked", &key, &serde_json::json!({ "failures": failures, "seconds": secs }))?;
    }
    tx.commit()?;
    Ok(if secs > 0 {
        CoreError::forbidden(Reason::AccountLocked, format!("{message}. Đã sai {failures} lần: tài khoản tạm khóa {}", wait_text(secs)))
    } else {
        let left = LOCK_AFTER - failures;
        CoreError::forbidden(Reason::BadCredentials, format!("{message} (còn {left} lần thử trước khi tạm khóa)"))
    })
}

/// A success: the count starts again.
pub(super) fn succeeded(tx: &rusqlite::Transaction, id: &str) -> Result<()> {
    tx.execute("DELETE FROM login_failures WHERE account_id = ?1", [key(id)])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_doubles_from_one_minute_up_to_thirty() {
        let got: Vec<i64> = (1..=12).map(lock_seconds).collect();
        assert_eq!(got, [0, 0, 0, 0, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(lock_seconds(u32::MAX), MAX_LOCK_SECS);
        assert_eq!(wait_text(90), "1 phút 30 giây");
        assert_eq!(wait_text(1800), "30 phút");
        assert_eq!(wait_text(5), "5 giây");
    }
}
