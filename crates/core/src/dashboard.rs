//! What the counter window keeps on screen whatever the clerk is doing: the header and status bar
//! (`CounterStatus`), the work-list counts and the sync badge. The shell pushes it to the UI when it
//! changes (after a command, a sync round, or as the clock moves dossiers into "overdue"), so the UI
//! never polls.

use serde::Serialize;
use ts_rs::TS;

use crate::accounts::{AuthState, Right};
use crate::error::Result;
use crate::lifecycle::WorkCounts;
use crate::store::{CounterStatus, Store};
use crate::sync::SyncStatus;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub status: CounterStatus,
    pub auth: AuthState,
    /// None while nobody with the right to read is at the counter (logged out, locked).
    pub counts: Option<WorkCounts>,
    pub sync: SyncStatus,
    /// Today by the counter's clock, as a clerk types a date (dd/mm/yyyy): the default of date fields.
    pub today: String,
}

/// The dashboard now.
pub fn now(store: &Store) -> Result<Dashboard> {
    let counts = if store.require(Right::Read).is_ok() { Some(crate::lifecycle::counts(store)?) } else { None };
    Ok(Dashboard {
        status: store.status()?,
        auth: crate::accounts::state(store)?,
        counts,
        sync: crate::sync::status(store)?,
        today: crate::dates::format_date(store.clock().now().date()),
    })
}
