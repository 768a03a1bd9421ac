//! Number leases: the official numbers this counter may still issue today, and keeping a block the
//! portal leased.

use super::*;

/// Top up the day's numbers when fewer than this many are left.
pub const LEASE_LOW_WATER: i64 = 20;
/// How many numbers to ask for at a time.
pub const LEASE_SIZE: u32 = 100;

/// Official numbers still free today in this counter's blocks (standing and leased for `day`).
pub fn numbers_left(store: &Store, day: NaiveDate) -> Result<i64> {
    let series = format!("O:{}", day.format("%y%m%d"));
    Ok(store.conn().query_row(
        "SELECT COALESCE(SUM(b.last - b.first + 1 - (SELECT COUNT(*) FROM codes_issued c WHERE c.series = ?2 AND c.seq BETWEEN b.first AND b.last)), 0)
         FROM code_blocks b WHERE b.day IS NULL OR b.day = ?1",
        params![day.format("%Y-%m-%d").to_string(), series],
        |r| r.get(0),
    )?)
}

/// Keeps a block of numbers the portal leased (idempotent: the same block twice is kept once).
pub fn add_lease(store: &mut Store, lease: &LeaseResponse) -> Result<()> {
    let day = NaiveDate::parse_from_str(&lease.day, "%Y-%m-%d").map_err(|_| CoreError::invalid(format!("lease day {}", lease.day)))?;
    if lease.first == 0 || lease.last > 9999 || lease.first > lease.last {
        return Err(CoreError::invalid(format!("lease {}..{} is out of range", lease.first, lease.last)));
    }
    let clock_now = store.clock().now();
    let tx = store.write_tx()?;
    let exists: bool = tx.query_row(
        "SELECT COUNT(*) FROM code_blocks WHERE day = ?1 AND first = ?2 AND last = ?3",
        params![day.format("%Y-%m-%d").to_string(), lease.first, lease.last],
        |r| r.get::<_, i64>(0),
    )? > 0;
    if !exists {
        tx.execute(
            "INSERT INTO code_blocks(day, first, last, source) VALUES (?1, ?2, ?3, 'portal')",
            params![day.format("%Y-%m-%d").to_string(), lease.first, lease.last],
        )?;
        // official numbering changed: audited
        crate::audit::record(&tx, clock_now, "", "sync.lease", &lease.day, &serde_json::json!({ "first": lease.first, "last": lease.last }))?;
    }
    bump_server_time(&tx, lease.server_time, clock_now)?;
    tx.commit()?;
    Ok(())
}
