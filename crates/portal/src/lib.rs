//! The reference city portal of the Một Cửa sync protocol (docs/sync-protocol.md): what an
//! integrator adapts to the real portal, and what the tests run against on 127.0.0.1.
//!
//! - `anchors`: the counters' audit anchors, accepted only as extensions (refusals flagged)
//! - `db`: the portal's SQLite (devices, events exactly once, the feed, dossiers, leases)
//! - `schema`: its versioned migrations (`migrations/`), and the adoption of a database made before them
//! - `codes`: standing blocks, capped leases, codes re-issued on a conflict
//! - `server`: the HTTP routes and the accept loop the fault switches act on
//! - `extract`: `Authed<T>`, the token check and the typed input every device route takes
//! - `request`: reading a request's body and query (limits, version, types), shared with the fuzz target
//! - `faults`: the switches (refuse, delay, 5xx, drop after commit, answer twice)
//! - `enrolment`: single-use enrolment codes per counter, and the admin's approval of new devices
//! - `limits`: rate limits and lockouts on enrolment attempts and failed token checks
//! - `identity`: the portal's Ed25519 key, and its answer to a counter's identity challenge
//! - `blobs`: document files, uploaded in checked chunks and served to the agency's counters (issue 16)

pub mod blobs;
pub mod codes;
pub mod anchors;
pub mod db;
pub mod diagnostics;
pub mod schema;
pub mod enrolment;
pub mod extract;
pub mod faults;
pub mod request;
pub mod identity;
pub mod limits;
pub mod server;
