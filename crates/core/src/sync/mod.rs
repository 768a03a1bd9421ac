//! Portal sync, the counter's side without the network: the enrolment, the outbox with a state per
//! item (flowing or parked with the portal's reason), what a push answer does to it, applying what
//! the portal sends (as events, folded in the portal's order; conflicts kept and listed), number
//! leases, and the status the clerk sees. The HTTP client and the background task are in
//! `motcua-sync`; the wire format is `protocol`. Design: docs/sync-protocol.md.
//!
//! - `enrol`: the credential; `outbox`: what waits for the portal, parking, push answers;
//!   `pull`: applying the portal's changes; `leases`: official numbers; `rounds`: round bookkeeping;
//!   `views`: the status, conflicts and per-dossier state the clerk sees;
//! - `protocol` (wire format), `pulled` (checks of what comes in), `identity` (the portal's proof),
//!   `codes` (standing blocks, re-issued codes), `hlc` (hybrid clock).

pub mod codes;
pub mod hlc;
pub mod identity;
pub mod protocol;
pub mod pulled;

mod enrol;
mod leases;
mod outbox;
mod pull;
mod rounds;
mod views;

pub use enrol::*;
pub use leases::*;
pub use outbox::*;
pub use pull::*;
pub use rounds::*;
pub use views::*;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::clock::to_rfc3339;
use crate::dossier::{fold_merged, EventKind};
use crate::error::{CoreError, Result};
use crate::events::decode_payload;
use crate::intake::IntakeRequest;
use crate::store::Store;
use protocol::{Change, ChangeBody, ChangesResponse, EnrolResponse, LeaseResponse, PushResponse, PushStatus, WireEvent};

#[cfg(test)]
mod tests;
