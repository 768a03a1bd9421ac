//! Diagnostics bundles from the counters (`POST /v1/diagnostics`, issue 17): checked like any outside
//! input (`motcua_core::diagnostics::check_bundle`), kept per device (the newest `KEEP_PER_DEVICE`),
//! and listed for the IT officer (`motcua-portal diagnostics list | show ID`).

use motcua_core::diagnostics::{check_bundle, DiagnosticBundle, MAX_BUNDLE_BYTES};
use motcua_core::sync::protocol::{DiagnosticsRequest, DiagnosticsResponse, PROTOCOL_VERSION};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::db::{Device, PortalDb, Refusal};

pub const KEEP_PER_DEVICE: i64 = 20;
/// The route's body limit: a full bundle and its JSON escaping.
pub const BODY_LIMIT: usize = MAX_BUNDLE_BYTES * 2 + 4096;

type R<T> = Result<T, Refusal>;

impl crate::extract::DeviceInput for DiagnosticsRequest {
    const SOURCE: crate::extract::Source = crate::extract::Source::Body;
    fn parse(raw: &[u8]) -> R<Self> {
        let req: DiagnosticsRequest = crate::request::parse(raw)?;
        check_bundle(&req.bundle).map_err(|e| Refusal::new(400, "invalid", e.to_string()))?;
        Ok(req)
    }
}

/// One bundle as listed.
#[derive(Debug, Serialize)]
pub struct DiagnosticsEntry {
    pub id: i64,
    pub agency_code: String,
    pub counter_id: String,
    pub received_at: String,
    pub app_version: String,
    pub os: String,
    pub files: Vec<String>,
    pub bytes: usize,
}

pub fn store(db: &mut PortalDb, device: &Device, req: &DiagnosticsRequest, now: &str) -> R<DiagnosticsResponse> {
    // scrubbed once more here: a counter of an older or altered version may not have
    let mut b = req.bundle.clone();
    for f in &mut b.files {
        f.text = f.text.lines().map(motcua_core::diagnostics::scrub).collect::<Vec<_>>().join("\n");
    }
    let b = &b;
    let json = serde_json::to_string(b).map_err(|e| Refusal::new(500, "internal", e.to_string()))?;
    let tx = db.conn.transaction()?;
    tx.execute(
        "INSERT INTO diagnostics(device_id, agency_code, counter_id, received_at, app_version, os, bundle) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![device.device_id, device.agency_code, device.counter_id, now, b.app_version, b.os, json],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "DELETE FROM diagnostics WHERE device_id = ?1 AND id NOT IN (SELECT id FROM diagnostics WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2)",
        params![device.device_id, KEEP_PER_DEVICE],
    )?;
    tx.commit()?;
    Ok(DiagnosticsResponse { protocol: PROTOCOL_VERSION, id })
}

pub fn list(db: &PortalDb) -> R<Vec<DiagnosticsEntry>> {
    let mut st = db.conn.prepare("SELECT id, agency_code, counter_id, received_at, app_version, os, bundle FROM diagnostics ORDER BY id DESC")?;
    let rows = st.query_map([], |r| {
        let bundle: String = r.get(6)?;
        let b: Option<DiagnosticBundle> = serde_json::from_str(&bundle).ok();
        Ok(DiagnosticsEntry {
            id: r.get(0)?,
            agency_code: r.get(1)?,
            counter_id: r.get(2)?,
            received_at: r.get(3)?,
            app_version: r.get(4)?,
            os: r.get(5)?,
            files: b.as_ref().map(|b| b.files.iter().map(|f| f.name.clone()).collect()).unwrap_or_default(),
            bytes: b.as_ref().map(DiagnosticBundle::size).unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn show(db: &PortalDb, id: i64) -> R<DiagnosticBundle> {
    let json: Option<String> = db.conn.query_row("SELECT bundle FROM diagnostics WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    let json = json.ok_or_else(|| Refusal::new(404, "not_found", format!("no diagnostics bundle {id}")))?;
    serde_json::from_str(&json).map_err(|e| Refusal::new(500, "internal", e.to_string()))
}
