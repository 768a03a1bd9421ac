//! Một Cửa core: the domain of the one-stop reception counter, with no UI and no Tauri.
//!
//! - `card`: the citizen's card read by a scanner (QR string), cross-checked
//! - `catalog`: procedures, time limits, fees, checklists
//! - `calendar`: working days (holidays, lunar dates, yearly swaps) and the appointment (`calendar::due`)
//! - `codes`: official and provisional dossier codes
//! - `limits`: the length limit of every text field, the printable-text rule, the event size bound
//! - `validate`, `intake`: the intake form, from input to stored dossier
//! - `dossier`, `events`: the dossier and its append-only history
//! - `lifecycle`: hand-over, supplements, refusals, delays, results, return; the work lists
//! - `store`: the SQLite file; `search`: finding dossiers; `paths`: where the data lives
//! - `settings`: counter settings (paper, copies, printer, QR lookup URL, document headers)
//! - `printlog`: every print and reprint of a form
//! - `sync`: the portal sync (outbox states, pulled changes, conflicts, leases, HLC, wire format)
//! - `accounts`: clerk accounts, roles and rights (enforced by `Store::require`), sessions, lock and PIN
//! - `backup`: online backups (SQLite backup API), rotation, checks, and a restore that keeps a copy
//! - `audit`: the hash-chained audit log of every write, and its verification against outside anchors
//! - `error`: typed errors and the `{code, message, field}` form the UI receives

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod card;
pub mod catalog;
pub mod clock;
pub mod codes;
pub mod dashboard;
pub mod dates;
pub mod diagnostics;
pub mod documents;
pub mod dossier;
pub mod error;
pub mod event_chain;
pub mod events;
pub mod facts;
pub mod form_kind;
pub mod intake;
pub mod lifecycle;
pub mod limits;
pub mod logging;
pub mod paths;
pub mod printlog;
pub mod projections;
pub mod search;
pub mod settings;
pub mod setup;
pub mod store;
pub mod sync;
pub mod text;
#[cfg(test)]
mod test_fixtures;
pub mod units;
pub mod validate;

pub use error::{AppError, CoreError, ErrorCode, Reason, Result};
pub use store::Store;
