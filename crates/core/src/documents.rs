//! The electronic dossier (issue 16; Decree 118/2025 art. 17(1)(c), Circular 03/2025 art. 5): the
//! papers of a dossier — and its result — digitised at the counter as one PDF per checklist item,
//! stored outside SQLite by content hash (`blobs`), referred to by a `document_attached` event, and
//! carried to the portal by their own upload queue (`uploads`) that never holds the events back.
//!
//! Attaching again to the same item replaces what the dossier shows for it (the earlier file stays
//! in the history and the audit chain). Reading a document needs the read right and is audited.

pub mod blobs;
pub mod files;
pub mod uploads;

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::accounts::Right;
use crate::clock::to_rfc3339;
use crate::dossier::{Dossier, EventKind, ReceivedDocument};
use crate::error::{CoreError, Result};
use crate::store::{CounterContext, Store};

pub use blobs::{BlobRef, Blobs};

/// The media type every stored document has: the national portal takes PDF only.
pub const PDF: &str = "application/pdf";

/// Where a document belongs in the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum DocSlot {
    /// A checklist item received (its id in the dossier's `documents`).
    Item { id: String },
    /// The result the department sent back (its electronic copy).
    Result,
}

/// How the pages came to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DocSource {
    /// Scanned at the counter.
    Scanner,
    /// Photos the citizen brought (phone pictures), straightened to A4 pages.
    Photo,
    /// A PDF the citizen brought, kept as given.
    File,
}

impl DocSource {
    pub fn label(self) -> &'static str {
        match self {
            DocSource::Scanner => "quét tại quầy",
            DocSource::Photo => "ảnh công dân cung cấp",
            DocSource::File => "tệp PDF công dân cung cấp",
        }
    }
}

/// A document as an event records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttachedDocument {
    pub slot: DocSlot,
    /// The checklist item's name, or the result's description.
    pub name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
    pub pages: u32,
    pub media_type: String,
    pub source: DocSource,
    /// The clerk who attached it.
    pub by: String,
}

/// A document as the dossier shows it: the latest attached to its slot, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DossierDocument {
    #[serde(flatten)]
    pub document: AttachedDocument,
    pub attached_at: String,
}

/// What a caller asks to attach: a file already written to the blob store (`Blobs::put`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewDocument {
    pub slot: DocSlot,
    pub sha256: String,
    pub pages: u32,
    pub source: DocSource,
    /// The result's description (a checklist item is named by the checklist).
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
}

/// The blob store of this counter's data directory.
pub fn blobs_of(store: &Store) -> Blobs {
    Blobs::at(store.data_dir())
}

/// Writes a document file into this counter's store (before the event that will refer to it): a
/// logged-in clerk who may take dossiers in or handle results. The bytes must be a PDF.
pub fn store_file(store: &Store, bytes: &[u8]) -> Result<BlobRef> {
    if store.require(Right::Intake).is_err() {
        store.require(Right::Lifecycle)?;
    }
    if files::sniff(bytes) != files::FileKind::Pdf {
        return Err(CoreError::validation("file", "Tài liệu lưu trữ phải là PDF"));
    }
    files::check_size("tài liệu", bytes.len() as u64)?;
    blobs_of(store).put(bytes)
}

/// Checks a new document against the dossier (its slot exists, the file is here, complete and a PDF,
/// the page count is sane) and makes the record the event will carry.
pub(crate) fn check_new(store: &Store, items: &[ReceivedDocument], doc: &NewDocument, by: &str) -> Result<AttachedDocument> {
    blobs::check_hash(&doc.sha256)?;
    let name = match &doc.slot {
        DocSlot::Item { id } => items
            .iter()
            .find(|r| &r.id == id)
            .map(|r| r.name.clone())
            .ok_or_else(|| CoreError::validation("slot", format!("Hồ sơ không có thành phần \"{}\" trong danh mục đã nhận", files::shown_name(id))))?,
        DocSlot::Result => {
            let n = doc.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("Kết quả giải quyết");
            crate::limits::text("name", "Tên kết quả", n, files::NAME)?
        }
    };
    if doc.pages == 0 || doc.pages > files::MAX_PAGES {
        return Err(CoreError::validation("pages", format!("Số trang {} không hợp lệ (1–{})", doc.pages, files::MAX_PAGES)));
    }
    let blobs = blobs_of(store);
    let path = blobs.path(&doc.sha256);
    let size = std::fs::metadata(&path).map(|m| m.len()).map_err(|_| {
        CoreError::NotFound(format!("Tệp tài liệu {} chưa được lưu trên máy này: quét hoặc chọn lại tệp", blobs::short(&doc.sha256)))
    })?;
    files::check_size(&name, size)?;
    blobs.verify(&doc.sha256, size)?;
    let mut head = [0u8; 5];
    use std::io::Read;
    std::fs::File::open(&path).and_then(|mut f| f.read_exact(&mut head)).map_err(|e| CoreError::Io { path: path.display().to_string(), source: e })?;
    if files::sniff(&head) != files::FileKind::Pdf {
        return Err(CoreError::validation("file", "Tài liệu lưu trữ phải là PDF (ảnh được chuyển thành PDF trước khi đính kèm)"));
    }
    Ok(AttachedDocument { slot: doc.slot.clone(), name, sha256: doc.sha256.clone(), size, pages: doc.pages, media_type: PDF.into(), source: doc.source, by: by.into() })
}

/// Checks the documents digitised at intake against the checklist items received: checklist items
/// only, one file per item.
pub(crate) fn check_intake(store: &Store, items: &[ReceivedDocument], docs: &[NewDocument], by: &str) -> Result<Vec<AttachedDocument>> {
    if docs.len() > crate::limits::CATALOG_DOCUMENTS {
        return Err(CoreError::validation("attachments", format!("Quá {} tài liệu cho một hồ sơ", crate::limits::CATALOG_DOCUMENTS)));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        if doc.slot == DocSlot::Result {
            return Err(CoreError::validation("attachments", "Khi tiếp nhận chưa có kết quả để đính kèm"));
        }
        if !seen.insert(doc.slot.clone()) {
            return Err(CoreError::validation("attachments", "Một thành phần hồ sơ được đính kèm hai tệp: mỗi thành phần là một tệp PDF"));
        }
        out.push(check_new(store, items, doc, by)?);
    }
    Ok(out)
}

/// Records a checked document in the caller's transaction: the event (in the outbox like every
/// event), the reference row, and the file's place in the upload queue.
pub(crate) fn record(tx: &Transaction, dossier_id: i64, ctx: &CounterContext, at: chrono::NaiveDateTime, doc: AttachedDocument) -> Result<i64> {
    let (sha, size) = (doc.sha256.clone(), doc.size);
    let event_id = crate::events::append(tx, dossier_id, ctx, at, &EventKind::DocumentAttached { document: doc })?;
    note_reference(tx, event_id, dossier_id, &sha, size)?;
    uploads::queue(tx, &sha, size, &to_rfc3339(at))?;
    Ok(event_id)
}

/// Notes that an event of `dossier_id` refers to a file (local and pulled events alike).
pub(crate) fn note_reference(tx: &Transaction, event_id: i64, dossier_id: i64, sha256: &str, size: u64) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO dossier_documents(event_id, dossier_id, sha256, size) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![event_id, dossier_id, sha256, size as i64])?;
    Ok(())
}

/// Attaches a document to a dossier already taken in: a checklist item (the intake right) or the
/// result (the lifecycle right, once the result is back).
pub fn attach(store: &mut Store, code: &str, doc: &NewDocument) -> Result<Dossier> {
    store.require(match doc.slot {
        DocSlot::Item { .. } => Right::Intake,
        DocSlot::Result => Right::Lifecycle,
    })?;
    let (id, mut d) = store.dossier_with_id(code)?;
    if doc.slot == DocSlot::Result && d.progress.result_at.is_none() {
        return Err(CoreError::Conflict(format!("Hồ sơ {} chưa nhận kết quả từ phòng chuyên môn: chưa đính kèm bản điện tử của kết quả được", d.code)));
    }
    if d.status.is_intake_contact() {
        return Err(CoreError::Conflict(format!("{} là phiếu {}, không phải hồ sơ: không đính kèm tài liệu", d.code, d.status.label().to_lowercase())));
    }
    let ctx = store.context()?.clone();
    let checked = check_new(store, &d.documents, doc, &ctx.clerk_id)?;
    let now = store.clock().now();
    let tx = store.write_tx()?;
    let detail = serde_json::json!({ "sha256": checked.sha256, "pages": checked.pages, "size": checked.size });
    let event = EventKind::DocumentAttached { document: checked.clone() };
    record(&tx, id, &ctx, now, checked)?;
    crate::audit::record(&tx, now, &ctx.clerk_id, "document.attach", &d.code, &detail)?;
    tx.commit()?;
    d.apply(&to_rfc3339(now), &event);
    Ok(d)
}

/// A document's upload state as the dossier view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DocumentView {
    #[serde(flatten)]
    pub document: DossierDocument,
    /// Whether the file is on this machine (it may have been pruned after upload, or be another
    /// counter's, fetched from the portal when opened).
    pub held: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload: Option<uploads::BlobUpload>,
    /// The slot's label ("Thành phần 2: …" / "Kết quả").
    pub slot_label: String,
}

/// The documents of a dossier, each with its state: needs the read right.
pub fn list(store: &Store, code: &str) -> Result<(Dossier, Vec<DocumentView>)> {
    store.require(Right::Read)?;
    let d = store.dossier_by_code(code)?;
    let blobs = blobs_of(store);
    let mut out = Vec::new();
    for doc in &d.progress.documents {
        let sha = &doc.document.sha256;
        let slot_label = match &doc.document.slot {
            DocSlot::Item { id } => match d.documents.iter().position(|r| &r.id == id) {
                Some(i) => format!("Thành phần {}", i + 1),
                None => "Thành phần".into(),
            },
            DocSlot::Result => "Kết quả".into(),
        };
        out.push(DocumentView { document: doc.clone(), held: blobs.has(sha), upload: uploads::state_of(store.conn(), sha)?, slot_label });
    }
    // in the checklist's order, the result last
    let place = |v: &DocumentView| match &v.document.document.slot {
        DocSlot::Item { id } => d.documents.iter().position(|r| &r.id == id).unwrap_or(usize::MAX - 1),
        DocSlot::Result => usize::MAX,
    };
    out.sort_by_key(place);
    Ok((d, out))
}

/// Reads a document's bytes held on this machine (hash checked), for viewing or printing: needs the
/// read right, and the opening is written to the audit log (who, which dossier, which file).
pub fn open(store: &mut Store, code: &str, sha256: &str) -> Result<Vec<u8>> {
    store.require(Right::Read)?;
    blobs::check_hash(sha256)?;
    let d = store.dossier_by_code(code)?;
    if !d.progress.documents.iter().any(|x| x.document.sha256 == sha256) && !referenced_by(store, &d.uid, sha256)? {
        return Err(CoreError::NotFound(format!("Hồ sơ {} không có tài liệu {}", d.code, blobs::short(sha256))));
    }
    let bytes = blobs_of(store).read(sha256)?;
    note_opened(store, &d.code, sha256)?;
    Ok(bytes)
}

/// Writes "document opened" to the audit log.
pub fn note_opened(store: &mut Store, code: &str, sha256: &str) -> Result<()> {
    let actor = store.actor();
    let now = store.clock().now();
    let tx = store.write_tx()?;
    crate::audit::record(&tx, now, &actor, "document.open", code, &serde_json::json!({ "sha256": sha256 }))?;
    tx.commit()?;
    Ok(())
}

fn referenced_by(store: &Store, dossier_uid: &str, sha256: &str) -> Result<bool> {
    let uid = uuid::Uuid::parse_str(dossier_uid).map_err(|_| CoreError::invalid("dossier uid"))?;
    Ok(store
        .conn()
        .prepare_cached("SELECT 1 FROM dossier_documents x JOIN dossiers d ON d.id = x.dossier_id WHERE d.uid = ?1 AND x.sha256 = ?2")?
        .query_row(params![uid.as_bytes().as_slice(), sha256], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether any dossier held here refers to `sha256` (the portal's file may be fetched for it).
pub fn is_referenced(store: &Store, sha256: &str) -> Result<bool> {
    Ok(store.conn().prepare_cached("SELECT 1 FROM dossier_documents WHERE sha256 = ?1 LIMIT 1")?.query_row([sha256], |_| Ok(())).optional()?.is_some())
}

/// Every hash an event refers to.
pub fn referenced(store: &Store) -> Result<HashSet<String>> {
    let mut st = store.conn().prepare("SELECT DISTINCT sha256 FROM dossier_documents")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes files no event refers to that are older than `min_age` (abandoned scans, an intake that was
/// never confirmed, leftovers of a crash). Returns (files, bytes) removed.
pub fn collect_orphans(store: &Store, min_age: std::time::Duration) -> Result<(u64, u64)> {
    store.require(Right::Backup)?;
    blobs_of(store).collect_orphans(&referenced(store)?, min_age)
}

/// Reads a document held here by its hash alone (IT staff, `motcua documents get`): the read right, a
/// dossier that refers to it, and an audit entry naming that dossier.
pub fn read_any(store: &mut Store, sha256: &str) -> Result<Vec<u8>> {
    store.require(Right::Read)?;
    blobs::check_hash(sha256)?;
    let code: Option<String> = store
        .conn()
        .prepare_cached("SELECT d.code FROM dossier_documents x JOIN dossiers d ON d.id = x.dossier_id WHERE x.sha256 = ?1 LIMIT 1")?
        .query_row([sha256], |r| r.get(0))
        .optional()?;
    let code = code.ok_or_else(|| CoreError::NotFound(format!("Không hồ sơ nào trên máy này có tài liệu {}", blobs::short(sha256))))?;
    let bytes = blobs_of(store).read(sha256)?;
    note_opened(store, &code, sha256)?;
    Ok(bytes)
}

/// Removes this machine's copies of documents the portal has held for more than `days` days (the
/// reference stays; `motcua documents get` or opening it fetches it back). Returns (files, bytes).
pub fn prune(store: &mut Store, days: u32) -> Result<(u64, u64)> {
    store.require(Right::Backup)?;
    let cutoff = to_rfc3339(store.clock().now() - chrono::Duration::days(days as i64));
    let old: Vec<(String, i64)> = {
        let mut st = store.conn().prepare(
            "SELECT sha256, size FROM blob_uploads WHERE state = 'stored' AND stored_at IS NOT NULL AND stored_at < ?1 AND sha256 NOT IN (SELECT sha256 FROM blob_pruned)",
        )?;
        let rows = st.query_map([&cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let blobs = blobs_of(store);
    let now = to_rfc3339(store.clock().now());
    let (mut files, mut bytes) = (0, 0);
    for (sha, size) in old {
        // the record first: a crash between the two leaves a file marked pruned, fetched again if needed
        store.conn().prepare_cached("INSERT OR IGNORE INTO blob_pruned(sha256, pruned_at) VALUES (?1, ?2)")?.execute(params![sha, now])?;
        blobs.remove(&sha)?;
        files += 1;
        bytes += size as u64;
    }
    Ok((files, bytes))
}

/// The app's own upkeep at start: prunes as the setting `documents_keep_days` says (0: nothing).
/// Acts as the system (no personal data is read: only files the portal already stores are removed).
pub fn prune_on_schedule(store: &mut Store) -> Result<(u64, u64)> {
    let days = crate::settings::CounterSettings::load_unchecked(store)?.documents_keep_days;
    if days == 0 {
        return Ok((0, 0));
    }
    let previous = store.session().cloned();
    store.act_as_system();
    let r = prune(store, days);
    store.set_session(previous);
    r
}

/// Where to fetch a document this machine does not hold: the enrolled portal's address and this
/// counter's credential, for a clerk who may read dossiers (None before enrolment).
pub fn fetch_from(store: &Store) -> Result<Option<(String, String)>> {
    store.require(Right::Read)?;
    Ok(crate::sync::enrolment(store)?.map(|e| (e.portal_url, e.token)))
}

/// Stores a file fetched from elsewhere (the portal, a backup) under its hash, refusing bytes that do
/// not hash to `sha256` or that no dossier here refers to.
pub fn store_fetched(store: &Store, sha256: &str, bytes: &[u8]) -> Result<BlobRef> {
    store.require(Right::Read)?;
    blobs::check_hash(sha256)?;
    if blobs::sha256_hex(bytes) != sha256 {
        return Err(CoreError::Conflict(format!("Tệp nhận về không khớp mã băm {}: bỏ, không lưu", blobs::short(sha256))));
    }
    if !is_referenced(store, sha256)? {
        return Err(CoreError::NotFound(format!("Không hồ sơ nào trên máy này có tài liệu {}", blobs::short(sha256))));
    }
    let r = blobs_of(store).put(bytes)?;
    store.conn().prepare_cached("DELETE FROM blob_pruned WHERE sha256 = ?1")?.execute([sha256])?;
    Ok(r)
}

#[cfg(test)]
mod tests;
