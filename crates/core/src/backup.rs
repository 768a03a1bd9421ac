//! Backups of the counter's database: online copies made with SQLite's backup API (consistent while
//! the app keeps working), written to a temporary name and renamed only once they pass their own
//! check, kept N deep in a folder that may be a USB drive; a check of any backup file; and a restore
//! that refuses a backup failing its check and always keeps a copy of the live database first.

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
}

impl BackupCheck {
    pub fn ok(&self) -> bool {
        self.integrity == "ok" && self.audit_intact && self.schema_version > 0
    }
}

fn io(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Io { path: path.display().to_string(), source: e }
}

/// Checks a backup file without changing it: SQLite's integrity check, the schema version (not newer
/// than this program), the audit chain, and what it holds.
pub fn verify(path: &Path) -> Result<BackupCheck> {
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
    let audit_intact = integrity == "ok" && (!has_audit || crate::audit::verify(&conn, &[]).map(|r| r.ok()).unwrap_or(false));
    Ok(BackupCheck { path: path.display().to_string(), integrity, schema_version, dossiers, events, audit_intact, bytes })
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
    let check = verify(&tmp)?;
    if !check.ok() {
        let _ = std::fs::remove_file(&tmp);
        return Err(CoreError::Internal(format!("bản sao lưu vừa tạo không đạt kiểm tra: {}", check.integrity)));
    }
    // the file is complete and checked before it takes its real name
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    crate::audit::record(&tx, at, &actor, "backup.create", &name, &serde_json::json!({ "why": why, "bytes": check.bytes, "dossiers": check.dossiers }))?;
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

/// Replaces the live database at `live` with `backup`: refused when the backup fails its check or
/// when the live database is in use (close the app first); the live database is copied aside first.
pub fn restore(live: &Path, backup: &Path, clock: std::sync::Arc<dyn crate::clock::Clock>) -> Result<RestoreReport> {
    let check = verify(backup)?;
    if !check.ok() {
        return Err(CoreError::Conflict(format!(
            "Bản sao lưu {} không đạt kiểm tra (integrity: {}, nhật ký kiểm toán {}): không khôi phục, dữ liệu hiện tại giữ nguyên.",
            backup.display(),
            check.integrity,
            if check.audit_intact { "nguyên vẹn" } else { "bị sửa" }
        )));
    }
    // nobody else may be using the live database while it is replaced: the app holds this lock
    let dir = live.parent().unwrap_or(Path::new("."));
    let _lock = crate::paths::InstanceLock::try_acquire(dir).map_err(|e| io(dir, e))?.map_err(|_| {
        CoreError::Conflict("Ứng dụng Một Cửa đang mở trên dữ liệu này: đóng ứng dụng rồi khôi phục lại (dữ liệu chưa bị thay đổi).".into())
    })?;
    let mut conn = Connection::open(live)?;
    let stamp = clock.now().format("%Y%m%d-%H%M%S");
    let aside = live.with_file_name(format!("{}.before-restore-{stamp}.sqlite3", live.file_stem().and_then(|s| s.to_str()).unwrap_or("motcua")));
    {
        let mut dst = Connection::open(&aside)?;
        rusqlite::backup::Backup::new(&conn, &mut dst)?.run_to_completion(1024, Duration::from_millis(0), None)?;
        dst.pragma_update(None, "journal_mode", "DELETE")?;
    }
    let kept = verify(&aside)?;
    if kept.integrity != "ok" {
        return Err(CoreError::Internal(format!("the copy of the live database at {} failed its check; nothing restored", aside.display())));
    }
    conn.restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)?;
    Ok(RestoreReport { restored: check, previous_copy: aside.display().to_string() })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::clock::{parse_local, Clock};

    #[derive(Clone)]
    struct Hands(Arc<Mutex<chrono::NaiveDateTime>>);
    impl Clock for Hands {
        fn now(&self) -> chrono::NaiveDateTime {
            *self.0.lock().unwrap()
        }
    }

    fn counter() -> (tempfile::TempDir, Store, Hands) {
        let dir = tempfile::tempdir().unwrap();
        let hands = Hands(Arc::new(Mutex::new(parse_local("2026-03-02T09:00").unwrap())));
        let mut s = Store::open_dir(&dir.path().join("data"), Arc::new(hands.clone())).unwrap();
        s.ensure_demo().unwrap();
        (dir, s, hands)
    }

    fn intake(s: &mut Store) -> String {
        let req: crate::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
            "procedure_code": "1.004873",
            "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                          "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
        }))
        .unwrap();
        crate::intake::submit(s, &req).unwrap().code
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
        let err = restore(&live, &junk, clock.clone()).unwrap_err();
        assert!(err.to_string().contains("không đạt kiểm tra"), "{err}");
        assert!(s.dossier_by_code(&second).is_ok());
        // while the app holds the data directory: refused
        let held = crate::paths::InstanceLock::try_acquire(live.parent().unwrap()).unwrap().unwrap();
        let err = restore(&live, Path::new(&good.path), clock.clone()).unwrap_err();
        assert!(err.to_string().contains("đang mở"), "{err}");
        drop(held);
        // a good one: restored, and the database as it was is kept aside
        drop(s);
        let r = restore(&live, Path::new(&good.path), clock.clone()).unwrap();
        let s = Store::open(&live, clock).unwrap();
        assert!(s.dossier_by_code(&first).is_ok());
        assert!(s.dossier_by_code(&second).is_err(), "back to the backup's state");
        let aside = verify(Path::new(&r.previous_copy)).unwrap();
        assert!(aside.ok() && aside.dossiers == 2, "the pre-restore database is kept: {aside:?}");
    }
}
