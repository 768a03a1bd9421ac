//! Payload dictionaries (issue 16, the database at 1M dossiers): what repeats in every stored payload
//! of a procedure — its name, its checklist's names, its time limit, the field names of a `received`
//! event — is stored once, as a versioned snapshot of that procedure, and each payload refers to it.
//!
//! A snapshot is a zstd raw-content dictionary: a template `received` event of the procedure (one per
//! case), made from the catalog. Its id is the first 8 bytes of its SHA-256, so the same catalog
//! gives the same id on every machine and a snapshot edited in the file no longer matches its id. A
//! payload compressed with one starts with a zstd skippable frame naming it, then the zstd frame:
//! the event chain hashes those bytes, so the reference is covered like the rest of the payload.
//! Snapshots are append-only; a catalog import that changes a procedure makes its next snapshot.
//!
//! Only the stored bytes change: the events a counter pushes, pulls, prints or exports are the same
//! self-contained JSON as before (the portal and departments never need a snapshot), and a payload
//! written without one (before this version, or a dossier whose procedure this counter does not
//! hold) reads as before.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use zstd::dict::{DecoderDictionary, EncoderDictionary};

use crate::catalog::Procedure;
use crate::dossier::{Dossier, EventKind};
use crate::error::{CoreError, Result};

/// A snapshot's name: the first 8 bytes of the SHA-256 of its content.
pub type DictId = [u8; 8];

/// zstd's skippable frames are 0x184D2A50..=0x184D2A5F; this one says "compressed with snapshot …".
const SKIPPABLE_MAGIC: u32 = 0x184D_2A5D;
const HEADER: usize = 4 + 4 + 8;
const LEVEL: i32 = 3;

/// A snapshot ready for use (both directions are prepared once per process).
pub(crate) struct Dict {
    pub id: DictId,
    enc: EncoderDictionary<'static>,
    dec: DecoderDictionary<'static>,
}

/// Snapshots are immutable and named by their hash, so one cache serves every database the process
/// opens.
static CACHE: LazyLock<Mutex<HashMap<DictId, Arc<Dict>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

pub fn id_of(content: &[u8]) -> DictId {
    let h = Sha256::digest(content);
    h[..8].try_into().expect("8 bytes")
}

fn hex(id: &DictId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn prepared(id: DictId, content: &[u8]) -> Arc<Dict> {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(id)
        .or_insert_with(|| {
            Arc::new(Dict {
                id,
                enc: EncoderDictionary::copy(content, LEVEL),
                dec: DecoderDictionary::copy(content),
            })
        })
        .clone()
}

/// The snapshot `id` from this database, checked against its name.
fn load(conn: &Connection, id: DictId) -> Result<Arc<Dict>> {
    if let Some(d) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(d.clone());
    }
    let content: Vec<u8> = conn
        .prepare_cached("SELECT content FROM payload_dicts WHERE id = ?1")?
        .query_row([id.as_slice()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| {
            CoreError::Internal(format!(
                "payload dictionary {} is missing from the database",
                hex(&id)
            ))
        })?;
    if id_of(&content) != id {
        return Err(CoreError::Internal(format!(
            "payload dictionary {} does not match its hash (the file was edited)",
            hex(&id)
        )));
    }
    Ok(prepared(id, &content))
}

/// The template events a procedure's payloads are compressed against: for each of its cases (or the
/// procedure alone), a `received` event with the whole checklist and blank personal fields, and a
/// `document_attached` event for its first item. None when the procedure's data cannot be read
/// (its payloads are then stored without a snapshot).
pub fn template(procedure: &Procedure) -> Option<Vec<u8>> {
    let cases: Vec<Option<&str>> = if procedure.cases.is_empty() {
        vec![None]
    } else {
        procedure
            .cases
            .iter()
            .map(|c| Some(c.id.as_str()))
            .collect()
    };
    let mut out = Vec::new();
    for case in cases {
        let terms = procedure.terms(case).ok()?;
        let (documents, _) =
            crate::intake::ticked_documents(procedure, &terms.documents, None).ok()?;
        let mut d: Dossier = serde_json::from_value(serde_json::json!({
            "uid": "", "code": "", "provisional": false, "agency_code": "",
            "procedure_code": "", "procedure_name": "",
            "applicant": { "full_name": "", "id_type": "cccd", "id_number": "", "date_of_birth": "", "phone": "", "address": "" },
            "documents": [], "fee": 0, "channel": "counter", "delivery": { "kind": "counter" },
            "received_at": "", "due_at": "", "time_limit": { "kind": "same_day", "cutoff": "15:00" },
            "clerk_id": "", "clerk_name": "", "counter_id": "", "status": "received"
        }))
        .ok()?;
        d.procedure_code = procedure.code.clone();
        d.procedure_name = procedure.name.clone();
        d.fee = terms.fee.amount;
        d.fee_kind = Some(terms.fee_kind);
        d.case_id = terms.case_id.clone();
        d.case_name = terms.case_name.clone();
        d.time_limit = terms.time_limit.clone();
        if let Some(first) = documents.first() {
            let attached = crate::documents::AttachedDocument {
                slot: crate::documents::DocSlot::Item {
                    id: first.id.clone(),
                },
                name: first.name.clone(),
                sha256: String::new(),
                size: 0,
                pages: 1,
                media_type: crate::documents::PDF.into(),
                source: crate::documents::DocSource::Scanner,
                by: String::new(),
            };
            out.extend(
                serde_json::to_vec(&EventKind::DocumentAttached { document: attached }).ok()?,
            );
        }
        d.documents = documents;
        out.extend(
            serde_json::to_vec(&EventKind::Received {
                dossier: Box::new(d),
            })
            .ok()?,
        );
    }
    Some(out)
}

/// The snapshot a dossier's events are stored with: its procedure's current one, made and recorded
/// in the caller's transaction the first time it is needed. None when this counter does not hold the
/// procedure.
pub(crate) fn for_dossier(
    conn: &Connection,
    dossier_id: i64,
    at: &str,
) -> Result<Option<Arc<Dict>>> {
    let row: Option<(String, Option<Vec<u8>>, String)> = conn
        .prepare_cached("SELECT p.code, p.dict_id, p.data FROM dossiers d JOIN procedures p ON p.code = d.procedure_code WHERE d.id = ?1")?
        .query_row([dossier_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((code, dict_id, data)) = row else {
        return Ok(None);
    };
    if let Some(id) = dict_id.and_then(|v| DictId::try_from(v.as_slice()).ok()) {
        return load(conn, id).map(Some);
    }
    let Some(content) = serde_json::from_str::<Procedure>(&data)
        .ok()
        .as_ref()
        .and_then(template)
    else {
        return Ok(None);
    };
    let id = id_of(&content);
    conn.prepare_cached("INSERT OR IGNORE INTO payload_dicts(id, procedure, created_at, content) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id.as_slice(), code, at, content])?;
    conn.prepare_cached("UPDATE procedures SET dict_id = ?2 WHERE code = ?1")?
        .execute(params![code, id.as_slice()])?;
    Ok(Some(prepared(id, &content)))
}

/// `json` compressed against `dict`, behind the frame that names it.
pub(crate) fn compress(dict: &Dict, json: &[u8]) -> Result<Vec<u8>> {
    let mut c = zstd::bulk::Compressor::with_prepared_dictionary(&dict.enc)
        .map_err(|e| CoreError::Internal(format!("compress event: {e}")))?;
    let frame = c
        .compress(json)
        .map_err(|e| CoreError::Internal(format!("compress event: {e}")))?;
    let mut out = Vec::with_capacity(HEADER + frame.len());
    out.extend(SKIPPABLE_MAGIC.to_le_bytes());
    out.extend(8u32.to_le_bytes());
    out.extend(dict.id);
    out.extend(frame);
    Ok(out)
}

/// The snapshot a stored payload names, and its zstd frame; None for a payload stored without one.
pub(crate) fn split(bytes: &[u8]) -> Option<(DictId, &[u8])> {
    if bytes.len() < HEADER
        || bytes[..4] != SKIPPABLE_MAGIC.to_le_bytes()
        || bytes[4..8] != 8u32.to_le_bytes()
    {
        return None;
    }
    Some((bytes[8..16].try_into().expect("8 bytes"), &bytes[HEADER..]))
}

/// Decompresses a frame written against snapshot `id` (found in `conn`), at most `cap` bytes.
pub(crate) fn decompress(
    conn: &Connection,
    id: DictId,
    frame: &[u8],
    cap: usize,
) -> Result<Vec<u8>> {
    let dict = load(conn, id)?;
    let n = match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) if n as usize <= cap => n as usize,
        Ok(Some(n)) => {
            return Err(CoreError::Internal(format!(
                "decompress event: {n} bytes, more than the {cap} allowed"
            )))
        }
        _ => {
            return Err(CoreError::Internal(
                "decompress event: no content size in the frame".into(),
            ))
        }
    };
    let mut d = zstd::bulk::Decompressor::with_prepared_dictionary(&dict.dec)
        .map_err(|e| CoreError::Internal(format!("decompress event: {e}")))?;
    d.decompress(frame, n)
        .map_err(|e| CoreError::Internal(format!("decompress event: {e}")))
}

/// The snapshots whose content no longer matches their name, read from the file itself (not the
/// process's cache): part of `audit verify`. A database from before snapshots has none.
pub fn verify(conn: &Connection) -> Result<Vec<String>> {
    let Ok(mut st) =
        conn.prepare("SELECT id, procedure, content FROM payload_dicts ORDER BY procedure")
    else {
        return Ok(vec![]);
    };
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let mut problems = Vec::new();
    for row in rows {
        let (id, procedure, content) = row?;
        if id.as_slice() != id_of(&content).as_slice() {
            let name: String = id.iter().map(|b| format!("{b:02x}")).collect();
            problems.push(format!("catalog snapshot {name} of procedure {procedure} was changed after it was written (the payloads stored against it no longer read as written)"));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests;
