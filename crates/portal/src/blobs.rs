//! Document files at the portal (issue 16; docs/sync-protocol.md "Documents"): a resumable, idempotent
//! upload by content hash, in chunks each checked against its own hash, the whole file checked against
//! its name before it is kept; files stored once under `<data dir>/blobs/ab/<sha256>` and a row per
//! agency that holds them. Only an enrolled counter of an agency holding a file may fetch it or learn
//! that it exists; another agency uploading the same bytes must send them all (no "already have" for a
//! file it never had). A per-agency quota and a full disk answer 507 and keep nothing half-done.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use motcua_core::documents::blobs::{is_hash, sha256_hex};
use motcua_core::sync::protocol::*;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::db::{Device, Refusal};
use crate::server::{refuse, Answer, AppState};

/// Where the files live, and how much each agency may keep.
#[derive(Debug, Clone)]
pub struct BlobConfig {
    pub root: PathBuf,
    /// Bytes per agency (None: no quota).
    pub quota: Option<u64>,
}

impl BlobConfig {
    pub fn at(data_dir: &Path, quota: Option<u64>) -> BlobConfig {
        BlobConfig { root: data_dir.join("blobs"), quota }
    }
    fn path(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[..2]).join(sha)
    }
    /// An agency's upload in progress (agencies never share a partial file).
    fn partial(&self, sha: &str, agency: &str) -> PathBuf {
        let safe: String = agency.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
        self.root.join("partial").join(format!("{sha}.{safe}"))
    }
}

fn io_refusal(e: &std::io::Error) -> Refusal {
    if e.raw_os_error() == Some(28) || e.kind() == std::io::ErrorKind::StorageFull {
        Refusal::new(507, blob_refusal::DISK_FULL, "the portal's disk is full: the file is kept at the counter and sent later")
    } else {
        Refusal::new(500, "storage", format!("document storage: {}", e.kind()))
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn sha_of(req: &Request) -> Result<String, Refusal> {
    let path = req.uri().path();
    let sha = path.trim_start_matches("/v1/blobs/").split('/').next().unwrap_or("");
    if !is_hash(sha) {
        return Err(Refusal::new(400, "invalid", "a document is named by its SHA-256: 64 lowercase hex digits"));
    }
    Ok(sha.to_string())
}

fn query(req: &Request) -> Result<crate::request::ChangesQuery, Refusal> {
    crate::request::parse_changes_query(req.uri().query().unwrap_or(""))
}

fn held(state: &AppState, sha: &str, agency: &str) -> Result<Option<u64>, Refusal> {
    Ok(state
        .db
        .lock()
        .unwrap()
        .conn
        .query_row("SELECT size FROM blobs WHERE sha256 = ?1 AND agency_code = ?2", params![sha, agency], |r| r.get::<_, i64>(0))
        .optional()?
        .map(|n| n as u64))
}

fn status(state: &AppState, sha: &str, device: &Device, total: u64) -> Result<BlobStatus, Refusal> {
    if let Some(size) = held(state, sha, &device.agency_code)? {
        return Ok(BlobStatus { protocol: PROTOCOL_VERSION, sha256: sha.into(), size, received: size, stored: true });
    }
    let received = fs::metadata(state.blobs.partial(sha, &device.agency_code)).map(|m| m.len()).unwrap_or(0);
    Ok(BlobStatus { protocol: PROTOCOL_VERSION, sha256: sha.into(), size: total, received, stored: false })
}

fn answer(r: Result<BlobStatus, Refusal>) -> Answer {
    match r {
        Ok(s) => axum::response::IntoResponse::into_response(Json(s)),
        Err(e) => refuse(&e),
    }
}

/// `GET /v1/blobs/{sha}/status`.
pub async fn get_status(State(state): State<AppState>, req: Request) -> Answer {
    answer((|| {
        query(&req)?;
        let sha = sha_of(&req)?;
        let device = crate::extract::authenticate(&state, req.headers()).map_err(|_| Refusal::new(401, "unauthorised", "unknown device token"))?;
        status(&state, &sha, &device, 0)
    })())
}

/// `GET /v1/blobs/{sha}`: the bytes, to a counter of an agency that holds the file.
pub async fn get(State(state): State<AppState>, req: Request) -> Answer {
    let r = (|| -> Result<Vec<u8>, Refusal> {
        query(&req)?;
        let sha = sha_of(&req)?;
        let device = crate::extract::authenticate(&state, req.headers()).map_err(|_| Refusal::new(401, "unauthorised", "unknown device token"))?;
        if held(&state, &sha, &device.agency_code)?.is_none() {
            return Err(Refusal::new(404, "not_found", "no such document for this agency"));
        }
        let bytes = fs::read(state.blobs.path(&sha)).map_err(|e| io_refusal(&e))?;
        if sha256_hex(&bytes) != sha {
            tracing::error!("portal: stored document {} no longer matches its hash", &sha[..12]);
            return Err(Refusal::new(500, "storage", "the stored document is damaged"));
        }
        Ok(bytes)
    })();
    match r {
        Ok(bytes) => axum::http::Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from(bytes))
            .unwrap_or_else(|_| refuse(&Refusal::new(500, "internal", "response"))),
        Err(e) => refuse(&e),
    }
}

/// `PUT /v1/blobs/{sha}?offset=N&total=T`: one chunk.
pub async fn put(State(state): State<AppState>, req: Request) -> Answer {
    let prep = (|| -> Result<(String, Device, u64, u64, Option<String>), Refusal> {
        let q = query(&req)?;
        let sha = sha_of(&req)?;
        let device = crate::extract::authenticate(&state, req.headers()).map_err(|_| Refusal::new(401, "unauthorised", "unknown device token"))?;
        let total = q.total.ok_or_else(|| Refusal::new(400, "invalid", "total is required"))?;
        if total == 0 {
            return Err(Refusal::new(400, "invalid", "an empty file is not a document"));
        }
        if total > MAX_BLOB {
            return Err(Refusal::new(413, blob_refusal::TOO_LARGE, format!("a document is at most {MAX_BLOB} bytes")));
        }
        let chunk_sha = req.headers().get(CHUNK_SHA_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        Ok((sha, device, q.offset.unwrap_or(0), total, chunk_sha))
    })();
    let (sha, device, offset, total, chunk_sha) = match prep {
        Ok(p) => p,
        Err(e) => return refuse(&e),
    };
    // a file this agency already holds: "already have", without reading the body
    match status(&state, &sha, &device, total) {
        Ok(s) if s.stored => return answer(Ok(s)),
        Err(e) => return refuse(&e),
        _ => {}
    }
    let body = match crate::extract::read_body(req.into_body(), BLOB_CHUNK).await {
        Ok(b) => b,
        Err(e) => return refuse(&e),
    };
    let mut chunk = body.to_vec();
    if state.faults.take_corrupt_chunk() && !chunk.is_empty() {
        chunk[0] ^= 0xFF;
    }
    let r = append(&state, &sha, &device, offset, total, chunk_sha.as_deref(), &chunk);
    let outcome = match &r {
        Ok(s) if s.stored => "stored",
        Ok(_) => "appended",
        Err(e) => e.code.as_str(),
    };
    let _ = state.db.lock().unwrap().conn.execute(
        "INSERT INTO blob_chunk_log(sha256, agency_code, offset, size, outcome, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![sha, device.agency_code, offset as i64, chunk.len() as i64, outcome, crate::db::now_ms()],
    );
    answer(r)
}

fn append(state: &AppState, sha: &str, device: &Device, offset: u64, total: u64, chunk_sha: Option<&str>, chunk: &[u8]) -> Result<BlobStatus, Refusal> {
    if chunk.is_empty() {
        return Err(Refusal::new(400, "invalid", "an empty chunk"));
    }
    if chunk_sha != Some(sha256_hex(chunk).as_str()) {
        return Err(Refusal::new(422, blob_refusal::CHUNK_HASH, "the chunk's bytes do not match its x-chunk-sha256: send it again"));
    }
    if state.faults.read().blob_disk_full {
        return Err(Refusal::new(507, blob_refusal::DISK_FULL, "the portal's disk is full (fault switch): the file is kept at the counter and sent later"));
    }
    let partial = state.blobs.partial(sha, &device.agency_code);
    let have = fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
    if offset != have {
        return Err(Refusal::new(409, "offset", format!("the portal holds {have} bytes of this file: resume there")));
    }
    if offset + chunk.len() as u64 > total {
        return Err(Refusal::new(400, "invalid", "the chunk runs past the file's total size"));
    }
    if let Some(quota) = state.blobs.quota {
        let used: i64 = state.db.lock().unwrap().conn.query_row("SELECT COALESCE(SUM(size), 0) FROM blobs WHERE agency_code = ?1", [&device.agency_code], |r| r.get(0))?;
        if used as u64 + total > quota {
            return Err(Refusal::new(507, blob_refusal::QUOTA, format!("the agency's document space ({quota} bytes) is used up")));
        }
    }
    fs::create_dir_all(partial.parent().expect("partial dir")).map_err(|e| io_refusal(&e))?;
    let written = (|| -> std::io::Result<()> {
        let mut f = OpenOptions::new().create(true).append(true).open(&partial)?;
        f.write_all(chunk)?;
        f.sync_data()
    })();
    if let Err(e) = written {
        // nothing half-written is kept: the file is cut back to what was confirmed
        if let Ok(f) = OpenOptions::new().write(true).open(&partial) {
            let _ = f.set_len(have);
        }
        return Err(io_refusal(&e));
    }
    let received = have + chunk.len() as u64;
    if received < total {
        return Ok(BlobStatus { protocol: PROTOCOL_VERSION, sha256: sha.into(), size: total, received, stored: false });
    }
    // the whole file: its hash must be its name
    let mut h = Sha256::new();
    let mut f = File::open(&partial).map_err(|e| io_refusal(&e))?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| io_refusal(&e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if got != sha {
        let _ = fs::remove_file(&partial);
        return Err(Refusal::new(422, blob_refusal::HASH_MISMATCH, "the file received does not hash to its name: dropped, send it again from the start"));
    }
    let dest = state.blobs.path(sha);
    let shard = dest.parent().expect("shard").to_path_buf();
    fs::create_dir_all(&shard).map_err(|e| io_refusal(&e))?;
    if dest.exists() {
        // another agency's copy of the same bytes: stored once
        let _ = fs::remove_file(&partial);
    } else {
        fs::rename(&partial, &dest).map_err(|e| io_refusal(&e))?;
        sync_dir(&shard);
    }
    state.db.lock().unwrap().conn.execute(
        "INSERT OR IGNORE INTO blobs(sha256, agency_code, size, device_id, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![sha, device.agency_code, total as i64, device.device_id, crate::db::now_ms()],
    )?;
    Ok(BlobStatus { protocol: PROTOCOL_VERSION, sha256: sha.into(), size: total, received: total, stored: true })
}
