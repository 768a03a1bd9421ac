//! Store tests on a real SQLite file in a temp dir.

use std::sync::Arc;

use super::*;
use crate::clock::FixedClock;

pub(crate) fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(crate::clock::parse_local("2026-02-12T10:30").unwrap()))
}

#[test]
fn fresh_database_is_wal_full_with_foreign_keys_and_seeded() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_dir(dir.path(), clock()).unwrap();
    let mode: String = s.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = s.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = s.conn().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 1);
    assert!(!s.procedures().is_empty());
    assert!(!s.is_initialised());
    assert!(matches!(s.context(), Err(CoreError::NotInitialised)));
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 99;").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, clock()).err().expect("refused");
    assert!(matches!(err, CoreError::DatabaseTooNew { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("mới hơn"));
    assert_eq!(std::fs::read(&path).unwrap(), before, "file changed");
    assert!(!dir.path().join(format!("{DB_FILE}-wal")).exists());
}

#[test]
fn reopening_keeps_data_and_does_not_reseed() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open_dir(dir.path(), clock()).unwrap();
        s.ensure_demo().unwrap();
    }
    let s = Store::open_dir(dir.path(), clock()).unwrap();
    assert_eq!(s.context().unwrap().counter_id, "Q01");
    let v: i64 = s.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, schema_version());
}

#[test]
fn init_is_validated_and_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), clock()).unwrap();
    let p = InitParams {
        agency_code: "000.00.06.H56".into(),
        agency_name: "UBND xã Thử".into(),
        agency_address: "".into(),
        counter_id: "Q 1".into(),
        counter_name: "Quầy 1".into(),
        clerk_id: "CB1".into(),
        clerk_name: "Lê Văn Bình".into(),
        code_blocks: vec![(1, 100)],
    };
    assert!(matches!(s.init(&p), Err(CoreError::Validation { .. })));
    let overlapping = InitParams { counter_id: "Q1".into(), code_blocks: vec![(1, 100), (50, 200)], ..p.clone() };
    assert!(matches!(s.init(&overlapping), Err(CoreError::Validation { .. })));
    assert!(!s.is_initialised(), "a refused init wrote nothing");
    let ok = InitParams { counter_id: "Q1".into(), ..p };
    s.init(&ok).unwrap();
    assert!(matches!(s.init(&ok), Err(CoreError::Conflict(_))));
}

#[test]
fn catalog_import_adds_updates_and_deactivates() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), clock()).unwrap();
    let n = s.procedures().len() as u32;
    let file = r#"{"schema":"motcua.catalog/1","procedures":[
      {"code":"1.001193","name":"Đăng ký khai sinh (sửa)","field":"Hộ tịch","level":"commune","time_limit":{"kind":"working_days","days":1},
       "fee":{"amount":0},"documents":[{"id":"a","name":"Tờ khai","form":"original","count":1,"mandatory":true}],"result":"GKS","postal_return":true},
      {"code":"9.999999","name":"Thủ tục thử","field":"Khác","level":"commune","time_limit":{"kind":"calendar_days","days":5},
       "fee":{"amount":50000},"documents":[{"id":"a","name":"Đơn","form":"original","count":1,"mandatory":true}],"result":"KQ","postal_return":false}]}"#;
    let r = s.import_catalog(file).unwrap();
    assert_eq!((r.added, r.updated, r.deactivated, r.total), (1, 1, n - 1, 2));
    assert_eq!(s.procedures().len(), 2);
    assert_eq!(s.procedure("1.001193").unwrap().name, "Đăng ký khai sinh (sửa)");
    // a bad file changes nothing
    assert!(s.import_catalog("{\"schema\":\"motcua.catalog/1\",\"procedures\":[]}").is_err());
    assert_eq!(s.procedures().len(), 2);
}

#[test]
fn events_cannot_be_updated_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), clock()).unwrap();
    s.ensure_demo().unwrap();
    let req: crate::intake::IntakeRequest = serde_json::from_value(crate::intake::tests::sample_request("1.001193")).unwrap();
    crate::intake::submit(&mut s, &req).unwrap();
    assert!(s.conn().execute("UPDATE events SET kind = 'x'", []).is_err());
    assert!(s.conn().execute("DELETE FROM events", []).is_err());
    let n: i64 = s.conn().query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn an_upgrade_loads_the_newer_shipped_catalog_but_never_over_an_imported_one() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open_dir(dir.path(), clock()).unwrap();
        assert!(s.setting("catalog_source").unwrap().unwrap().starts_with("shipped:"));
    }
    // a database of an older release: an old shipped catalog (a renamed procedure), no source key,
    // the supplement rule stored by the settings screen, schema 10
    let c = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    c.execute_batch(
        "UPDATE procedures SET name = 'Tên cũ', data = json_set(data, '$.name', 'Tên cũ') WHERE code = '2.000913';
         DELETE FROM settings WHERE key = 'catalog_source';
         INSERT INTO settings(key, value) VALUES ('supplement_clock', 'resume') ON CONFLICT(key) DO UPDATE SET value = 'resume';
         DROP TABLE dossier_documents; DROP TABLE blob_uploads; DROP TABLE blob_pruned;
         DROP TABLE payload_dicts; ALTER TABLE procedures DROP COLUMN dict_id;
         PRAGMA user_version = 10;",
    )
    .unwrap();
    drop(c);
    let s = Store::open_dir(dir.path(), clock()).unwrap();
    assert_eq!(s.procedure("2.000913").unwrap().name, "Chứng thực việc sửa đổi, bổ sung, hủy bỏ giao dịch");
    assert_eq!(crate::settings::CounterSettings::load_unchecked(&s).unwrap().supplement_clock, "restart");
    drop(s);
    // an imported (or portal-published) catalog stays as it is
    let c = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    c.execute_batch(
        "UPDATE procedures SET name = 'Tên của tỉnh', data = json_set(data, '$.name', 'Tên của tỉnh') WHERE code = '2.000913';
         UPDATE settings SET value = 'imported' WHERE key = 'catalog_source';",
    )
    .unwrap();
    drop(c);
    let s = Store::open_dir(dir.path(), clock()).unwrap();
    assert_eq!(s.procedure("2.000913").unwrap().name, "Tên của tỉnh");
}
