//! Document files to and from the portal (issue 16; docs/sync-protocol.md "Documents"): each file in
//! the upload queue goes up in chunks, resuming from what the portal says it holds (a chunk the portal
//! confirmed is never sent again), within a time budget per round and after the events — a new
//! dossier's events are pushed between two files, so a day's backlog of documents never holds them back
//! by more than one file. The portal's refusals park one file (full, over quota) or refuse it for good
//! (too large, a local file that no longer matches its hash); the rest go on.

use std::time::{Duration, Instant};

use motcua_core::documents::{self, blobs, uploads};
use motcua_core::sync::protocol::{blob_refusal, BLOB_CHUNK};
use motcua_core::Store;
use serde::Serialize;

use crate::{PortalClient, SyncError};

/// How long one round may spend on files (the next round goes on where this one stopped).
pub const ROUND_BUDGET: Duration = Duration::from_secs(20);

/// What a round did with files.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BlobReport {
    pub stored: u32,
    pub bytes: u64,
    pub parked: u32,
    pub refused: u32,
    /// Files still waiting when the budget ran out.
    pub left: u32,
}

fn now_ms(store: &Store) -> i64 {
    motcua_core::events::wall_ms(store.clock().now())
}

/// Minutes before a parked file is tried again: 1, 2, 4 … up to an hour.
fn retry_after(attempts: u32) -> i64 {
    60_000 * (1i64 << attempts.min(6)).min(60)
}

enum Outcome {
    Stored(u64),
    /// The budget ran out mid-file (what the portal confirmed is recorded).
    OutOfTime,
}

/// Sends due files until none is due or `budget` is spent. With `device_id`, events taken in
/// meanwhile are pushed after each file (a new dossier never waits behind the backlog of files).
pub async fn upload(store: &mut Store, client: &PortalClient, budget: Duration, device_id: Option<&str>) -> Result<BlobReport, SyncError> {
    let deadline = Instant::now() + budget;
    let mut report = BlobReport::default();
    let mut tried = std::collections::HashSet::new();
    'rounds: loop {
        let due: Vec<_> = uploads::due(store, now_ms(store), 16)?.into_iter().filter(|b| !tried.contains(&b.sha256)).collect();
        if due.is_empty() {
            break;
        }
        for b in due {
            if Instant::now() >= deadline {
                break 'rounds;
            }
            tried.insert(b.sha256.clone());
            match upload_one(store, client, &b, deadline).await {
                Ok(Outcome::Stored(n)) => {
                    report.stored += 1;
                    report.bytes += n;
                }
                Ok(Outcome::OutOfTime) => break 'rounds,
                // a portal from before documents: the files wait, unchanged, for one that takes them
                Err(SyncError::Portal { status: 404 | 405, .. }) => {
                    tracing::warn!("sync: the portal does not take document files (no /v1/blobs): they wait");
                    break 'rounds;
                }
                Err(SyncError::Portal { status: 507, code, message }) => {
                    let reason = if code == blob_refusal::QUOTA { "Cổng đã hết dung lượng dành cho đơn vị (quota)" } else { "Ổ đĩa của Cổng đã đầy" };
                    tracing::warn!("sync: file {} parked: {code}", blobs::short(&b.sha256));
                    uploads::parked(store, &b.sha256, &format!("{reason}: {}", message.chars().take(120).collect::<String>()), now_ms(store) + retry_after(b.attempts))?;
                    report.parked += 1;
                }
                Err(SyncError::Portal { status, code, message }) if (400..500).contains(&status) && status != 401 && status != 429 => {
                    tracing::warn!("sync: file {} refused: {code}", blobs::short(&b.sha256));
                    uploads::refused(store, &b.sha256, &format!("Cổng từ chối (HTTP {status}, {code}): {}", message.chars().take(160).collect::<String>()))?;
                    report.refused += 1;
                }
                Err(SyncError::Core(e)) => {
                    // this machine's copy is missing or no longer matches its hash: nothing to send
                    tracing::error!("sync: file {} unusable here: {:?}", blobs::short(&b.sha256), e.reason());
                    uploads::refused(store, &b.sha256, &e.to_string())?;
                    report.refused += 1;
                }
                Err(e) => return Err(e),
            }
            if let Some(device) = device_id {
                if store.pending_outbox()? > 0 {
                    crate::round::push_pending(store, client, device).await?;
                }
            }
        }
    }
    report.left = uploads::due(store, i64::MAX, 1000)?.len() as u32;
    Ok(report)
}

async fn upload_one(store: &mut Store, client: &PortalClient, b: &uploads::BlobUpload, deadline: Instant) -> Result<Outcome, SyncError> {
    let bytes = documents::blobs_of(store).read(&b.sha256)?;
    let total = bytes.len() as u64;
    let mut st = client.blob_status(&b.sha256).await?;
    let mut restarted = false;
    let mut chunk_retries = 0;
    while !st.stored {
        if Instant::now() >= deadline {
            return Ok(Outcome::OutOfTime);
        }
        let offset = if st.received <= total { st.received } else { 0 };
        let end = (offset as usize + BLOB_CHUNK).min(bytes.len());
        match client.blob_put(&b.sha256, offset, total, bytes[offset as usize..end].to_vec()).await {
            Ok(next) => {
                chunk_retries = 0;
                uploads::progress(store, &b.sha256, next.received)?;
                st = next;
            }
            // the portal holds another offset (a chunk it stored whose answer was lost): ask, resume
            Err(SyncError::Portal { status: 409, .. }) => st = client.blob_status(&b.sha256).await?,
            // the chunk arrived damaged: send it again (a few times)
            Err(SyncError::Portal { code, .. }) if code == blob_refusal::CHUNK_HASH && chunk_retries < 3 => chunk_retries += 1,
            // the whole file did not hash to its name at the portal: its partial copy is gone; once
            Err(SyncError::Portal { code, .. }) if code == blob_refusal::HASH_MISMATCH && !restarted => {
                restarted = true;
                st = client.blob_status(&b.sha256).await?;
            }
            Err(e) => return Err(e),
        }
    }
    uploads::stored(store, &b.sha256)?;
    Ok(Outcome::Stored(total))
}

/// Fetches a file this machine does not hold (another counter's, or pruned after upload) from the
/// portal, checks its hash and keeps it.
pub async fn fetch(store: &mut Store, sha256: &str) -> Result<Vec<u8>, SyncError> {
    let (url, token) = documents::fetch_from(store)?.ok_or(SyncError::NotEnrolled)?;
    if !documents::is_referenced(store, sha256)? {
        return Err(SyncError::Core(motcua_core::CoreError::NotFound(format!("Không hồ sơ nào trên máy này có tài liệu {}", blobs::short(sha256)))));
    }
    let client = PortalClient::new(&url, Some(&token))?;
    let bytes = client.blob_get(sha256).await?;
    documents::store_fetched(store, sha256, &bytes)?;
    Ok(bytes)
}
