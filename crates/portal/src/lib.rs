//! The reference city portal of the Một Cửa sync protocol (docs/sync-protocol.md): what an
//! integrator adapts to the real portal, and what the tests run against on 127.0.0.1.
//!
//! - `anchors`: the counters' audit anchors, accepted only as extensions (refusals flagged)
//! - `db`: the portal's SQLite (devices, events exactly once, the feed, dossiers, leases)
//! - `server`: the HTTP routes and the accept loop the fault switches act on
//! - `faults`: the switches (refuse, delay, 5xx, drop after commit, answer twice)

pub mod anchors;
pub mod db;
pub mod faults;
pub mod server;
