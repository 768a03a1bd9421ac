//! Backups of the counter's database: online copies made with SQLite's backup API (consistent while
//! the app keeps working), written to a temporary name and renamed only once they pass their own
//! check, kept N deep in a folder that may be a USB drive; a check of any backup file (the full
//! verify: schema against the migrations, integrity, the event and audit chains, the projections, and
//! the anchors the live database knows); and a restore that refuses a backup failing its check or of
//! another agency or counter (unless an admin types that agency's code), and always keeps a checked,
//! fsync'd, never-overwritten copy of the live database first.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// Where and how often, stored in `settings` (backup_dir, backup_keep, backup_every_hours).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BackupSettings {
    /// Empty = `<data dir>/backups`.
    pub dir: String,
    pub keep: u32,
    /// 0 = only at close.
    pub every_hours: u32,
}

impl BackupSettings {
    pub fn load(store: &Store) -> Result<BackupSettings> {
        Ok(BackupSettings {
            dir: store.setting("backup_dir")?.unwrap_or_default(),
            keep: store.setting("backup_keep")?.and_then(|v| v.parse().ok()).unwrap_or(14),
            every_hours: store.setting("backup_every_hours")?.and_then(|v| v.parse().ok()).unwrap_or(4),
        })
    }

    /// Validates and stores; a bad value changes nothing.
    pub fn save(&self, store: &mut Store) -> Result<()> {
        store.require(crate::accounts::Right::Settings)?;
        if !(1..=365).contains(&self.keep) {
            return Err(CoreError::validation("backup_keep", "Số bản sao lưu giữ lại phải từ 1 đến 365"));
        }
        if self.every_hours > 24 {
            return Err(CoreError::validation("backup_every_hours", "Chu kỳ sao lưu phải từ 0 (chỉ khi đóng) đến 24 giờ"));
        }
        let (now, actor) = (store.clock().now(), store.actor());
        let tx = store.write_tx()?;
        for (k, v) in [("backup_dir", self.dir.trim().to_string()), ("backup_keep", self.keep.to_string()), ("backup_every_hours", self.every_hours.to_string())] {
            tx.execute("INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [k, &v])?;
        }
        crate::audit::record(&tx, now, &actor, "settings", "backup", &serde_json::to_value(self).expect("serialisable"))?;
        tx.commit()?;
        Ok(())
    }

    /// The folder backups go to.
    pub fn folder(&self, store: &Store) -> PathBuf {
        if self.dir.trim().is_empty() {
            store.path().parent().unwrap_or(Path::new(".")).join("backups")
        } else {
            PathBuf::from(self.dir.trim())
        }
    }
}

/// What a check of a backup file found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct BackupCheck {
    pub path: String,
    /// "ok", or SQLite's first complaint.
    pub integrity: String,
    #[ts(type = "number")]
    pub schema_version: i64,
    #[ts(type = "number")]
    pub dossiers: i64,
    #[ts(type = "number")]
    pub events: i64,
    pub audit_intact: bool,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The agency and counter the backup belongs to ('' when it was never set up).
    pub agency_code: String,
    pub counter_id: String,
    /// Document files the backup's dossiers refer to, and how many of them are in the backup folder
    /// (`documents/`, hash checked); files pruned after upload are held by the portal and not counted.
    #[ts(type = "number")]
    pub documents: i64,
    #[ts(type = "number")]
    pub documents_present: i64,
    /// Everything that failed (schema, chains, projections, anchors, document files), in words; empty
    /// when whole.
    pub problems: Vec<String>,
}

impl BackupCheck {
    pub fn ok(&self) -> bool {
        self.integrity == "ok" && self.audit_intact && self.schema_version > 0 && self.problems.is_empty()
    }
}

/// Schema objects (type, name, sql) of a database, SQLite's own left out.
fn schema_objects(conn: &Connection) -> rusqlite::Result<std::collections::BTreeSet<(String, String, String)>> {
    let mut st = conn.prepare("SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Compares a database's schema with what the migrations make at its version: every table, index and
/// trigger present with the same definition, nothing added.
fn schema_problems(conn: &Connection, version: i64) -> Result<Vec<String>> {
    let mut expected = Connection::open_in_memory()?;
    crate::store::migrations().to_version(&mut expected, version.max(0) as usize)?;
    let (want, have) = (schema_objects(&expected)?, schema_objects(conn)?);
    let mut out = Vec::new();
    for (t, name, _) in want.difference(&have) {
        if have.iter().any(|h| &h.1 == name) {
            out.push(format!("{t} {name} differs from the schema of version {version}"));
        } else {
            out.push(format!("{t} {name} is missing"));
        }
    }
    for (t, name, _) in have.difference(&want) {
        if !want.iter().any(|w| &w.1 == name) {
            out.push(format!("{t} {name} is not part of the schema"));
        }
    }
    Ok(out)
}

/// The agency code and the local counter of a database (empty when not set up).
fn identity(conn: &Connection) -> (String, String) {
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_default();
    (one("SELECT code FROM agency WHERE id = 1"), one("SELECT id FROM counters WHERE is_local = 1"))
}

/// The anchors the live database knows (handed to the portal, printed), to check a backup of the same
/// counter against: whoever rebuilt the chain in a backup file cannot rebuild these.
fn live_anchors(live: &Connection, up_to: i64) -> Vec<(String, i64, String)> {
    let Ok(mut st) = live.prepare("SELECT kind, audit_id, hash FROM audit_anchors WHERE audit_id <= ?1 ORDER BY id") else { return vec![] };
    st.query_map([up_to], |r| Ok((format!("the live database's {} anchor", r.get::<_, String>(0)?), r.get(1)?, r.get(2)?)))
        .map(|rows| rows.filter_map(|r| r.ok()).collect())
        .unwrap_or_default()
}

fn io(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Io { path: path.display().to_string(), source: e }
}

/// Checks a backup file without changing it (see `verify_against`), with no live database to compare.
pub fn verify(path: &Path) -> Result<BackupCheck> {
    verify_against(path, None)
}

/// The full check of a backup file, without changing it: SQLite's integrity check; the schema version
/// (not newer than this program) and every table, index and trigger as the migrations make them; the
/// event chain, the audit chain and the projections (`audit::verify`, on a migrated in-memory copy for
/// a backup of an older version); and, when `live` is this counter's database, the anchors it knows.
pub fn verify_against_store(path: &Path, live: Option<&crate::Store>) -> Result<BackupCheck> {
    verify_against(path, live.map(|s| s.conn()))
}

pub fn verify_against(path: &Path, live: Option<&Connection>) -> Result<BackupCheck> {
    let bytes = std::fs::metadata(path).map_err(|e| io(path, e))?.len();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| CoreError::invalid(format!("{} không mở được như cơ sở dữ liệu SQLite: {e}", path.display())))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .unwrap_or_else(|e| format!("không đọc được: {e}"));
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or(0);
    if schema_version > crate::store::schema_version() {
        return Err(CoreError::DatabaseTooNew { path: path.display().to_string(), found: schema_version, supported: crate::store::schema_version() });
    }
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1) };
    let (dossiers, events) = (count("SELECT COUNT(*) FROM dossiers"), count("SELECT COUNT(*) FROM events"));
    let has_audit: bool = conn
        .query_row("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'", [], |_| Ok(true))
        .optional()
        .ok()
        .flatten()
        .is_some();
    let (agency_code, counter_id) = identity(&conn);
    let mut problems = if integrity == "ok" { schema_problems(&conn, schema_version)? } else { vec![] };
    if !has_audit {
        problems.push("the audit log is missing".into());
    }
    let mut audit_intact = false;
    if integrity == "ok" && problems.is_empty() {
        let outside = match live {
            Some(l) if identity(l) == (agency_code.clone(), counter_id.clone()) => {
                let head: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", [], |r| r.get(0))?;
                live_anchors(l, head)
            }
            _ => vec![],
        };
        let report = if schema_version < crate::store::schema_version() {
            // an older backup: check it as it will be after the migrations, on a copy in memory
            let mut mem = Connection::open_in_memory()?;
            rusqlite::backup::Backup::new(&conn, &mut mem)?.run_to_completion(1024, Duration::from_millis(0), None)?;
            crate::store::migrations().to_latest(&mut mem)?;
            crate::audit::verify(&mem, &outside)?
        } else {
            crate::audit::verify(&conn, &outside)?
        };
        audit_intact = report.ok();
        problems.extend(report.problems);
    }
    let (documents, documents_present) = if integrity == "ok" { check_documents(&conn, path, &mut problems) } else { (0, 0) };
    Ok(BackupCheck {
        path: path.display().to_string(),
        integrity,
        schema_version,
        dossiers,
        events,
        audit_intact,
        bytes,
        agency_code,
        counter_id,
        documents,
        documents_present,
        problems,
    })
}

/// The document files a database refers to and still holds a local copy of (not pruned after upload).
fn documents_held(conn: &Connection) -> Vec<(String, u64)> {
    let Ok(mut st) = conn.prepare("SELECT DISTINCT sha256, size FROM dossier_documents WHERE sha256 NOT IN (SELECT sha256 FROM blob_pruned)") else {
        return vec![]; // a backup from before documents
    };
    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))).map(|rows| rows.filter_map(|r| r.ok()).collect()).unwrap_or_default()
}

/// Checks every document file a backup refers to in the `documents/` folder beside it (its hash).
fn check_documents(conn: &Connection, path: &Path, problems: &mut Vec<String>) -> (i64, i64) {
    let held = documents_held(conn);
    let blobs = crate::documents::Blobs::at(path.parent().unwrap_or(Path::new(".")));
    let mut present = 0;
    for (sha, size) in &held {
        match blobs.verify(sha, *size) {
            Ok(()) => present += 1,
            Err(CoreError::NotFound(_)) => problems.push(format!("document file {} is missing from the backup folder", crate::documents::blobs::short(sha))),
            Err(_) => problems.push(format!("document file {} in the backup folder does not match its hash", crate::documents::blobs::short(sha))),
        }
    }
    (held.len() as i64, present)
}

/// Copies into `folder/documents/` the files a database refers to that the folder does not hold yet
/// (content-addressed: a file already there is the same file), each checked against its hash on the
/// way. Returns (copied, bytes).
fn copy_documents(from: &crate::documents::Blobs, to: &crate::documents::Blobs, wanted: &[(String, u64)]) -> Result<(u64, u64)> {
    let (mut n, mut bytes) = (0, 0);
    for (sha, size) in wanted {
        if to.verify(sha, *size).is_ok() {
            continue;
        }
        let data = from.read(sha)?;
        to.put(&data)?;
        n += 1;
        bytes += data.len() as u64;
    }
    Ok((n, bytes))
}

/// Makes a backup now into `folder` (created if needed), checks it, then keeps the newest `keep`.
pub fn create(store: &mut Store, folder: &Path, keep: u32, why: &str) -> Result<BackupCheck> {
    store.require(crate::accounts::Right::Backup)?;
    std::fs::create_dir_all(folder).map_err(|e| io(folder, e))?;
    let ctx = store.context()?.clone();
    let now = store.clock().now();
    let name = format!("motcua-{}-{}-{}.sqlite3", ctx.agency_code, ctx.counter_id, now.format("%Y%m%d-%H%M%S"));
    let target = folder.join(&name);
    let tmp = folder.join(format!("{name}.part"));
    let _ = std::fs::remove_file(&tmp);
    {
        let mut dst = Connection::open(&tmp).map_err(|e| CoreError::invalid(format!("không ghi được vào {}: {e}", folder.display())))?;
        {
            let backup = rusqlite::backup::Backup::new(store.conn(), &mut dst)?;
            // small steps so the app's own writes are never held up for long
            backup.run_to_completion(256, Duration::from_millis(5), None)?;
        }
        // one self-contained file (no -wal beside it), safe to copy to a USB drive
        dst.pragma_update(None, "journal_mode", "DELETE")?;
    }
    // the document files the snapshot refers to, copied incrementally (only those not there yet)
    let wanted = documents_held(&Connection::open_with_flags(&tmp, OpenFlags::SQLITE_OPEN_READ_ONLY)?);
    let (copied, copied_bytes) = copy_documents(&crate::documents::blobs_of(store), &crate::documents::Blobs::at(folder), &wanted)?;
    let check = verify(&tmp)?;
    if !check.ok() {
        let _ = std::fs::remove_file(&tmp);
        return Err(CoreError::Internal(format!("bản sao lưu vừa tạo không đạt kiểm tra: {} {}", check.integrity, check.problems.join("; "))));
    }
    // the file is complete and checked before it takes its real name
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    crate::audit::record(
        &tx,
        at,
        &actor,
        "backup.create",
        &name,
        &serde_json::json!({ "why": why, "bytes": check.bytes, "dossiers": check.dossiers, "documents_copied": copied, "documents_bytes": copied_bytes }),
    )?;
    tx.commit()?;
    rotate(folder, &format!("motcua-{}-{}-", ctx.agency_code, ctx.counter_id), keep)?;
    Ok(BackupCheck { path: target.display().to_string(), ..check })
}

/// Keeps the newest `keep` backups of this counter in `folder` (names sort by time).
fn rotate(folder: &Path, prefix: &str, keep: u32) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| io(folder, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(prefix) && n.ends_with(".sqlite3")))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(keep.max(1) as usize);
    for old in &files[..excess] {
        std::fs::remove_file(old).map_err(|e| io(old, e))?;
    }
    Ok(())
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreReport {
    pub restored: BackupCheck,
    /// The live database as it was just before, kept here.
    pub previous_copy: String,
}

/// Replaces the live database at `live` with `backup`: refused when the backup fails its full check
/// (against the anchors the live database knows), when it belongs to another agency or counter and
/// `confirm_agency` is not that agency's code, or when the live database is in use (close the app
/// first). The live database is first copied aside under a name never used before, fsync'd and
/// checked (opened again, integrity_check, same number of events) before anything is replaced.
pub fn restore(live: &Path, backup: &Path, clock: std::sync::Arc<dyn crate::clock::Clock>, confirm_agency: Option<&str>) -> Result<RestoreReport> {
    // nobody else may be using the live database while it is replaced: the app holds this lock
    let dir = live.parent().unwrap_or(Path::new("."));
    let _lock = crate::paths::InstanceLock::try_acquire(dir).map_err(|e| io(dir, e))?.map_err(|_| {
        CoreError::Conflict("Ứng dụng Một Cửa đang mở trên dữ liệu này: đóng ứng dụng rồi khôi phục lại (dữ liệu chưa bị thay đổi).".into())
    })?;
    let mut conn = Connection::open(live)?;
    let check = verify_against(backup, Some(&conn))?;
    if !check.ok() {
        return Err(CoreError::Conflict(format!(
            "Bản sao lưu {} không đạt kiểm tra (integrity: {}, nhật ký kiểm toán {}; {}): không khôi phục, dữ liệu hiện tại giữ nguyên.",
            backup.display(),
            check.integrity,
            if check.audit_intact { "nguyên vẹn" } else { "bị sửa" },
            check.problems.join("; ")
        )));
    }
    let (agency, counter) = identity(&conn);
    if !agency.is_empty() && (agency != check.agency_code || counter != check.counter_id) {
        let confirmed = confirm_agency.map(str::trim) == Some(check.agency_code.as_str()) && !check.agency_code.is_empty();
        if !confirmed {
            return Err(CoreError::Conflict(format!(
                "Bản sao lưu là của đơn vị {} quầy {}, còn máy này là đơn vị {agency} quầy {counter}: không khôi phục (dữ liệu hiện tại giữ nguyên). Nếu đúng là muốn chuyển máy sang đơn vị đó, quản trị viên gõ lại mã đơn vị: --confirm-agency {}",
                check.agency_code, check.counter_id, check.agency_code
            )));
        }
    }
    let live_events: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap_or(0);
    let aside = safety_copy(&conn, live, &clock.now().format("%Y%m%d-%H%M%S").to_string())?;
    let kept = verify_copy(&aside)?;
    if kept != live_events {
        return Err(CoreError::Internal(format!(
            "the copy of the live database at {} holds {kept} events, not {live_events}; nothing restored",
            aside.display()
        )));
    }
    // the document files first (nothing is lost if this fails: the database is still the live one)
    let wanted = documents_held(&Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?);
    copy_documents(&crate::documents::Blobs::at(backup.parent().unwrap_or(Path::new("."))), &crate::documents::Blobs::at(dir), &wanted)?;
    conn.restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)?;
    Ok(RestoreReport { restored: check, previous_copy: aside.display().to_string() })
}

/// Copies the live database to `<stem>.before-restore-<stamp>-<unique>.sqlite3`, a file created new
/// (never an existing one), then fsyncs it and its directory.
fn safety_copy(conn: &Connection, live: &Path, stamp: &str) -> Result<PathBuf> {
    let stem = live.file_stem().and_then(|s| s.to_str()).unwrap_or("motcua");
    let aside = loop {
        let unique = uuid::Uuid::now_v7().simple().to_string();
        let p = live.with_file_name(format!("{stem}.before-restore-{stamp}-{}.sqlite3", &unique[unique.len() - 8..]));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(_) => break p,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&p, e)),
        }
    };
    {
        let mut dst = Connection::open(&aside)?;
        rusqlite::backup::Backup::new(conn, &mut dst)?.run_to_completion(1024, Duration::from_millis(0), None)?;
        dst.pragma_update(None, "journal_mode", "DELETE")?;
    }
    std::fs::File::open(&aside).and_then(|f| f.sync_all()).map_err(|e| io(&aside, e))?;
    if let Some(parent) = aside.parent() {
        // the new name itself must survive a power cut
        std::fs::File::open(parent).and_then(|d| d.sync_all()).map_err(|e| io(parent, e))?;
    }
    Ok(aside)
}

/// Opens the safety copy again and checks it: integrity_check, and how many events it holds.
fn verify_copy(path: &Path) -> Result<i64> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let integrity: String = c.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(CoreError::Internal(format!("the copy of the live database at {} failed its check ({integrity}); nothing restored", path.display())));
    }
    Ok(c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{parse_local, Clock};
    use crate::test_fixtures::{intake, Hands};

    fn counter() -> (tempfile::TempDir, Store, Hands) {
        crate::test_fixtures::demo_with_hands("2026-03-02T09:00", "data")
    }


    #[test]
    fn backups_are_checked_and_rotated() {
        let (d, mut s, hands) = counter();
        intake(&mut s);
        let folder = d.path().join("usb");
        for minute in 0..5 {
            *hands.0.lock().unwrap() = parse_local(&format!("2026-03-02T10:0{minute}")).unwrap();
            let b = create(&mut s, &folder, 3, "test").unwrap();
            assert!(b.ok() && b.dossiers == 1, "{b:?}");
        }
        let mut names: Vec<String> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names[0].ends_with("20260302-100200.sqlite3"), "the oldest two were removed: {names:?}");
        // the backup itself is a database with the dossier and an intact audit chain
        let c = verify(&folder.join(&names[2])).unwrap();
        assert!(c.ok() && c.audit_intact && c.schema_version == crate::store::schema_version());
    }

    #[test]
    fn restore_refuses_a_bad_backup_and_keeps_a_copy_of_the_live_database() {
        let (d, mut s, _) = counter();
        let first = intake(&mut s);
        let folder = d.path().join("b");
        let good = create(&mut s, &folder, 5, "test").unwrap();
        let second = intake(&mut s);
        let live = s.path().to_path_buf();
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::FixedClock(parse_local("2026-03-02T11:00").unwrap()));
        // a damaged file: refused, nothing touched
        let junk = d.path().join("junk.sqlite3");
        std::fs::write(&junk, b"not a database at all").unwrap();
        let err = restore(&live, &junk, clock.clone(), None).unwrap_err();
        assert!(err.to_string().contains("không đạt kiểm tra"), "{err}");
        assert!(s.dossier_by_code(&second).is_ok());
        // while the app holds the data directory: refused
        let held = crate::paths::InstanceLock::try_acquire(live.parent().unwrap()).unwrap().unwrap();
        let err = restore(&live, Path::new(&good.path), clock.clone(), None).unwrap_err();
        assert!(err.to_string().contains("đang mở"), "{err}");
        drop(held);
        // a good one: restored, and the database as it was is kept aside
        drop(s);
        let r = restore(&live, Path::new(&good.path), clock.clone(), None).unwrap();
        let s = Store::open(&live, clock).unwrap();
        assert!(s.dossier_by_code(&first).is_ok());
        assert!(s.dossier_by_code(&second).is_err(), "back to the backup's state");
        let aside = verify(Path::new(&r.previous_copy)).unwrap();
        assert!(aside.ok() && aside.dossiers == 2, "the pre-restore database is kept: {aside:?}");
    }

    #[test]
    fn document_files_are_backed_up_incrementally_checked_and_restored() {
        use crate::documents::{self, DocSlot, DocSource, NewDocument};
        let (d, mut s, hands) = counter();
        let code = intake(&mut s);
        let item = s.dossier_by_code(&code).unwrap().documents[0].id.clone();
        let attach = |s: &mut Store, tag: &str| {
            let b = documents::store_file(s, format!("%PDF-1.7 {tag}").as_bytes()).unwrap();
            documents::attach(s, &code, &NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: b.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap();
            b
        };
        let a = attach(&mut s, "a");
        let folder = d.path().join("usb");
        let first = create(&mut s, &folder, 5, "test").unwrap();
        assert_eq!((first.documents, first.documents_present), (1, 1), "{first:?}");
        let in_backup = documents::Blobs::at(&folder);
        let a_written = std::fs::metadata(in_backup.path(&a.sha256)).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = attach(&mut s, "b");
        *hands.0.lock().unwrap() = parse_local("2026-03-02T10:05").unwrap();
        let second = create(&mut s, &folder, 5, "test").unwrap();
        assert_eq!((second.documents, second.documents_present), (2, 2));
        // incremental: the file already in the backup folder was not written again
        assert_eq!(std::fs::metadata(in_backup.path(&a.sha256)).unwrap().modified().unwrap(), a_written);
        assert_eq!(in_backup.list().unwrap().len(), 2);
        // a file changed in the backup folder is named by verify
        std::fs::write(in_backup.path(&a.sha256), b"%PDF-1.7 forged").unwrap();
        let bad = verify(Path::new(&second.path)).unwrap();
        assert!(!bad.ok() && bad.problems.iter().any(|p| p.contains("does not match")), "{bad:?}");
        in_backup.put(b"%PDF-1.7 a").unwrap();
        // the files come back with a restore onto a machine that lost them
        let live = s.path().to_path_buf();
        drop(s);
        std::fs::remove_dir_all(live.parent().unwrap().join("documents")).unwrap();
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::FixedClock(parse_local("2026-03-02T11:00").unwrap()));
        restore(&live, Path::new(&second.path), clock.clone(), None).unwrap();
        let s = Store::open(&live, clock).unwrap();
        for x in [&a, &b] {
            assert!(documents::blobs_of(&s).verify(&x.sha256, x.size).is_ok());
        }
    }
}
