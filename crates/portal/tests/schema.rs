//! The portal database's versioned schema (`motcua_portal::schema`): a new database gets the latest
//! version; one made by the portal before versions (tables made with `CREATE TABLE IF NOT EXISTS`,
//! `user_version` 0) is adopted with its rows intact, whether made by the last such portal or by the
//! first one; a newer database, or an unversioned one that matches no earlier portal, is refused and
//! left as it was.

use std::path::Path;

use motcua_portal::db::{hash_token, PortalDb, DB_FILE};
use motcua_portal::schema::SCHEMA_VERSION;
use rusqlite::Connection;

/// What the old code ran at every open (tests/legacy_schema.sql).
const LEGACY_DDL: &str = include_str!("legacy_schema.sql");
/// The first portal's tables: those of migration 1.
const FIRST_DDL: &str = include_str!("../migrations/0001_initial.sql");

fn user_version(path: &Path) -> i64 {
    Connection::open(path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

/// Tables (strict or not), columns, indexes and foreign keys, in a comparable form.
fn shape(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let names = |sql: &str, arg: &str| -> Vec<String> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([arg], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
    };
    let tables = names("SELECT name FROM sqlite_master WHERE type = 'table' AND name != ?1 ORDER BY name", "sqlite_sequence");
    for t in &tables {
        let strict: i64 = conn.query_row("SELECT strict FROM pragma_table_list WHERE name = ?1", [t], |r| r.get(0)).unwrap();
        out.push(format!("table {t} strict={strict}"));
        let mut st = conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid").unwrap();
        out.extend(
            st.query_map([t], |r| {
                Ok(format!(
                    "  {} {} nn={} d={:?} pk={}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?
                ))
            })
            .unwrap()
            .map(Result::unwrap),
        );
        for i in names("SELECT name FROM pragma_index_list(?1) ORDER BY name", t) {
            let unique: i64 = conn.query_row("SELECT \"unique\" FROM pragma_index_list(?1) WHERE name = ?2", [t, &i], |r| r.get(0)).unwrap();
            out.push(format!("  index {i} unique={unique} on {}", names("SELECT name FROM pragma_index_info(?1) ORDER BY seqno", &i).join(",")));
        }
        let mut st = conn.prepare("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)").unwrap();
        out.extend(
            st.query_map([t], |r| Ok(format!("  fk {} -> {}({})", r.get::<_, String>(1)?, r.get::<_, String>(0)?, r.get::<_, String>(2)?)))
                .unwrap()
                .map(Result::unwrap),
        );
    }
    out
}

#[test]
fn a_new_database_gets_the_latest_version_and_the_old_code_s_tables() {
    let d = tempfile::tempdir().unwrap();
    let db = PortalDb::open(d.path()).unwrap();
    assert_eq!(user_version(&d.path().join(DB_FILE)), SCHEMA_VERSION);
    assert!(db.meta("portal_id").unwrap().unwrap().starts_with("portal-"));
    // the same tables, columns and indexes as the old code made
    let old = Connection::open_in_memory().unwrap();
    old.execute_batch(LEGACY_DDL).unwrap();
    // and the tables added since versions began
    old.execute_batch(include_str!("../migrations/0006_code_aliases.sql")).unwrap();
    old.execute_batch(include_str!("../migrations/0007_blobs.sql")).unwrap();
    old.execute_batch(include_str!("../migrations/0008_diagnostics.sql")).unwrap();
    let fresh = shape(&db.conn);
    assert!(fresh.iter().any(|l| l == "  index dossiers_code unique=1 on agency_code,code"), "{fresh:#?}");
    assert!(fresh.iter().any(|l| l == "  approved INTEGER nn=1 d=Some(\"1\") pk=0"), "{fresh:#?}");
    assert_eq!(fresh, shape(&old));
    drop(db);
    // and opening again changes nothing
    PortalDb::open(d.path()).unwrap();
    assert_eq!(user_version(&d.path().join(DB_FILE)), SCHEMA_VERSION);
}

/// A little of everything a working portal holds.
fn fill(conn: &Connection, full: bool) {
    conn.execute_batch(
        "INSERT INTO meta(key, value) VALUES ('portal_id', 'portal-0ld0'), ('lease_cap_per_day', '77');
         INSERT INTO procedures(code, name) VALUES ('ONLY.1', 'the one procedure this portal had');
         INSERT INTO feed(agency_code, target_device, origin_device, kind, body, at) VALUES ('A', NULL, 'A/Q01', 'event', '{}', 't');
         INSERT INTO events(uid, portal_seq, device_id, agency_code, counter_id, seq, dossier_uid, kind)
           VALUES ('e1', 1, 'A/Q01', 'A', 'Q01', 1, 'd1', 'received');
         INSERT INTO dossiers(uid, agency_code, code, counter_id, procedure_code, status, due_at)
           VALUES ('d1', 'A', 'A-261123-0001', 'Q01', 'ONLY.1', 'received', 't');
         INSERT INTO rejected(uid, device_id, seq, code, reason, at) VALUES ('e2', 'A/Q01', 2, 'invalid', 'r', 't');
         INSERT INTO leases(agency_code, day, next_free) VALUES ('A', '2026-11-23', 501);
         INSERT INTO lease_log(device_id, day, first, last, at) VALUES ('A/Q01', '2026-11-23', 1, 500, 't');",
    )
    .unwrap();
    conn.execute(
        "INSERT INTO devices(device_id, agency_code, counter_id, counter_name, token_hash, enrolled_at, held_through, audit_anchor)
         VALUES ('A/Q01', 'A', 'Q01', 'Quầy 1', ?1, 't', 2, '7:abc')",
        [hash_token("the-old-token")],
    )
    .unwrap();
    if full {
        conn.execute_batch(
            "INSERT INTO standing_blocks(agency_code, device_id, first, last) VALUES ('A', 'A/Q01', 9000, 9099);
             INSERT INTO enrolment_codes(code_hash, agency_code, counter_id, issued_at, expires_ms) VALUES ('h', 'A', 'Q02', 't', 1);
             INSERT INTO devices(device_id, agency_code, counter_id, counter_name, token_hash, enrolled_at, revoked, approved)
               VALUES ('A/Q02', 'A', 'Q02', 'Quầy 2', 'revoked:x', 't', 1, 0);
             INSERT INTO anchor_state(device_id, content_chain, flagged) VALUES ('A/Q01', 1, 'cut');
             INSERT INTO anchor_refusals(device_id, at, held, offered, reason) VALUES ('A/Q01', 't', '7:abc', '3:def', 'cut');",
        )
        .unwrap();
    }
}

fn count(db: &PortalDb, table: &str) -> i64 {
    db.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// The rows `fill` wrote, as the portal reads them after the adoption.
fn check_first_rows(db: &PortalDb) {
    assert_eq!(db.meta("portal_id").unwrap().as_deref(), Some("portal-0ld0"), "the portal keeps its id");
    assert_eq!(db.meta("lease_cap_per_day").unwrap().as_deref(), Some("77"));
    // the catalog it had stays (the default one is loaded only into an empty table)
    assert_eq!(count(db, "procedures"), 1);
    for t in ["feed", "events", "dossiers", "rejected", "leases", "lease_log"] {
        assert_eq!(count(db, t), 1, "{t}");
    }
    let device = db.device_by_token("the-old-token").expect("the enrolled counter's token still works");
    assert_eq!((device.device_id.as_str(), device.agency_code.as_str(), device.counter_id.as_str()), ("A/Q01", "A", "Q01"));
    let (held, anchor): (i64, String) =
        db.conn.query_row("SELECT held_through, audit_anchor FROM devices WHERE device_id = 'A/Q01'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((held, anchor.as_str()), (2, "7:abc"));
}

#[test]
fn a_database_of_the_portal_before_versions_is_adopted_with_its_rows() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(DB_FILE);
    {
        let old = Connection::open(&path).unwrap();
        old.execute_batch(LEGACY_DDL).unwrap();
        fill(&old, true);
        // the old code ran its DDL at every open: a second run changed nothing
        old.execute_batch(
            LEGACY_DDL
                .replace("ALTER TABLE devices ADD COLUMN approved INTEGER NOT NULL DEFAULT 1; ALTER TABLE devices ADD COLUMN approved_at TEXT;", "")
                .as_str(),
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 0);
    let db = PortalDb::open(d.path()).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    check_first_rows(&db);
    for t in ["standing_blocks", "enrolment_codes", "anchor_state", "anchor_refusals"] {
        assert_eq!(count(&db, t), 1, "{t}");
    }
    let (revoked, approved): (i64, i64) =
        db.conn.query_row("SELECT revoked, approved FROM devices WHERE device_id = 'A/Q02'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((revoked, approved), (1, 0));
    assert!(db.device_by_token("revoked:x").is_err());
    let stats = db.stats().unwrap();
    assert_eq!((stats["events"].as_i64(), stats["anchor_refusals"].as_i64()), (Some(1), Some(1)));
    drop(db);
    PortalDb::open(d.path()).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

#[test]
fn a_database_of_the_first_portal_is_adopted_at_version_1_and_migrated() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(DB_FILE);
    {
        let old = Connection::open(&path).unwrap();
        old.execute_batch(&FIRST_DDL.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ").replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ")).unwrap();
        fill(&old, false);
        old.execute("INSERT INTO meta(key, value) VALUES ('enrolment_code', 'in-clear')", []).unwrap();
    }
    let db = PortalDb::open(d.path()).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    check_first_rows(&db);
    // the columns added since: a counter enrolled then is not revoked, and stays approved
    let (revoked, approved): (i64, i64) =
        db.conn.query_row("SELECT revoked, approved FROM devices WHERE device_id = 'A/Q01'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((revoked, approved), (0, 1));
    assert_eq!(db.meta("enrolment_code").unwrap(), None, "the old global code in clear is gone");
    let fresh = tempfile::tempdir().unwrap();
    assert_eq!(shape(&db.conn), shape(&PortalDb::open(fresh.path()).unwrap().conn));
}

/// The database file and whether a WAL file exists beside it.
fn snapshot(dir: &Path) -> (Vec<u8>, bool) {
    (std::fs::read(dir.join(DB_FILE)).unwrap(), dir.join(format!("{DB_FILE}-wal")).exists())
}

#[test]
fn a_newer_database_is_refused_and_left_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    {
        let newer = Connection::open(d.path().join(DB_FILE)).unwrap();
        newer.execute_batch(LEGACY_DDL).unwrap();
        newer.execute_batch("CREATE TABLE from_the_future (x TEXT) STRICT; INSERT INTO meta VALUES ('portal_id', 'portal-next');").unwrap();
        newer.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    let before = snapshot(d.path());
    let e = PortalDb::open(d.path()).err().expect("refused");
    assert_eq!((e.status, e.code.as_str()), (500, "database_too_new"));
    let (found, known) = (format!("schema version {}", SCHEMA_VERSION + 1), format!("(version {SCHEMA_VERSION})"));
    assert!(e.message.contains(&found) && e.message.contains(&known) && e.message.contains("Nothing was changed"), "{}", e.message);
    assert!(snapshot(d.path()) == before, "changed, if only the journal mode");
    assert_eq!(user_version(&d.path().join(DB_FILE)), SCHEMA_VERSION + 1);
}

#[test]
fn an_unversioned_database_that_matches_no_earlier_portal_is_refused_and_left_as_it_was() {
    let d = tempfile::tempdir().unwrap();
    {
        // the first portal's tables and one half of the second step (the index, not the column)
        let odd = Connection::open(d.path().join(DB_FILE)).unwrap();
        odd.execute_batch(FIRST_DDL).unwrap();
        odd.execute_batch("CREATE UNIQUE INDEX dossiers_code ON dossiers(agency_code, code);").unwrap();
    }
    let before = snapshot(d.path());
    let e = PortalDb::open(d.path()).err().expect("refused");
    assert_eq!(e.code, "database_unknown");
    assert!(e.message.contains("schema step 2 'revocation' held in part"), "{}", e.message);
    assert!(snapshot(d.path()) == before, "changed, if only the journal mode");
    // nor is a file of something else
    let other = tempfile::tempdir().unwrap();
    Connection::open(other.path().join(DB_FILE)).unwrap().execute_batch("CREATE TABLE notes (x TEXT);").unwrap();
    let e = PortalDb::open(other.path()).err().expect("refused");
    assert!(e.message.contains("schema step 1 'initial' missing"), "{}", e.message);
}
