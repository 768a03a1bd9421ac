//! Hostile suite, issue 12 finding 4: backup files tampered with (audit log dropped, chain rebuilt),
//! a backup of another agency, and two restores in the same second — each through the real `motcua`
//! CLI on real SQLite files. A tampered backup never passes `backup verify` nor restores; another
//! agency's backup restores only when an admin types its agency code; every restore keeps its own
//! safety copy of the live database.

use std::path::{Path, PathBuf};

use motcua_system_tests::{Counter, Portal};
use rusqlite::{params, Connection};

const NOW: &str = "2026-03-02T10:00";

fn backup(c: &Counter, folder: &Path) -> PathBuf {
    let out = c.ok(&["backup", "create", "--dir", folder.to_str().unwrap()]);
    let path = out.split_whitespace().nth(1).expect("backup <path> ...");
    PathBuf::from(path)
}

/// (succeeded, stdout + stderr)
fn run(c: &Counter, args: &[&str]) -> (bool, String) {
    let out = c.command().env("MOTCUA_NOW", NOW).args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn dossiers(path: &Path) -> i64 {
    Connection::open(path).unwrap().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_backup_with_the_audit_log_dropped_is_refused_by_verify_and_restore() {
    let d = tempfile::tempdir().unwrap();
    let c = Counter::init(&d.path().join("q01"), "Q01");
    c.intake_many(2);
    let file = backup(&c, &d.path().join("usb"));
    assert!(run(&c, &["backup", "verify", file.to_str().unwrap()]).0, "the untouched backup passes");
    Connection::open(&file).unwrap().execute_batch("DROP TABLE audit_log;").unwrap();
    let (ok, out) = run(&c, &["backup", "verify", file.to_str().unwrap()]);
    assert!(!ok && out.contains("audit_log"), "{out}");
    let (ok, out) = run(&c, &["backup", "restore", file.to_str().unwrap()]);
    assert!(!ok && out.contains("không đạt kiểm tra"), "{out}");
    // the live database is untouched and still takes dossiers in
    c.intake_many(1);
    assert_eq!(dossiers(&c.dir.join("motcua.sqlite3")), 3);
}

#[test]
fn a_backup_with_a_rebuilt_chain_is_refused_by_the_anchors_the_live_database_knows() {
    let d = tempfile::tempdir().unwrap();
    let portal = Portal::started(&d.path().join("portal"));
    let c = Counter::init(&d.path().join("q01"), "Q01");
    c.enrol(&portal);
    c.intake_many(3);
    c.sync().unwrap();
    let file = backup(&c, &d.path().join("usb"));
    // in the backup: an entry rewritten, every hash after it recomputed, the anchor notes deleted
    {
        let b = Connection::open(&file).unwrap();
        b.execute_batch("DROP TRIGGER audit_append_only_update; DELETE FROM audit_anchors; UPDATE audit_log SET actor = 'KHAC' WHERE id = 2;").unwrap();
        let rows: Vec<(i64, String, String, String, String, String, i64, String)> = b
            .prepare("SELECT id, at, actor, action, subject, detail, v, events_head FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut prev = motcua_core::audit::GENESIS.to_string();
        for (id, at, actor, action, subject, detail, v, eh) in rows {
            let h = if v >= 2 {
                motcua_core::audit::entry_hash_v2(&prev, id, &motcua_core::audit::entry_digest(&at, &actor, &action, &subject, &detail, &eh))
            } else {
                motcua_core::audit::entry_hash(&prev, id, &at, &actor, &action, &subject, &detail)
            };
            b.execute("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1", params![id, prev, h]).unwrap();
            prev = h;
        }
        // the attacker also puts the trigger back, so the schema looks untouched
        b.execute_batch("CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;")
            .unwrap();
    }
    // on its own the file looks whole: only the anchors kept outside it can tell
    let alone = motcua_core::backup::verify(&file).unwrap();
    assert!(alone.ok(), "the rebuilt chain is consistent in itself: {alone:?}");
    let (ok, out) = run(&c, &["backup", "verify", file.to_str().unwrap()]);
    assert!(!ok && out.contains("chain was rebuilt"), "{out}");
    let (ok, out) = run(&c, &["backup", "restore", file.to_str().unwrap()]);
    assert!(!ok && out.contains("chain was rebuilt"), "{out}");
    assert_eq!(dossiers(&c.dir.join("motcua.sqlite3")), 3);
}

#[test]
fn another_agencys_backup_restores_only_with_its_agency_code_typed() {
    let d = tempfile::tempdir().unwrap();
    let c = Counter::init(&d.path().join("q01"), "Q01");
    c.intake_many(1);
    let other = Counter { dir: d.path().join("h42"), id: "Q09".into() };
    other.ok(&["init", "--agency-code", "000.00.31.H42", "--agency-name", "UBND xã khác", "--counter", "Q09"]);
    other.intake_many(2);
    let foreign = backup(&other, &d.path().join("usb"));
    let (ok, out) = run(&c, &["backup", "restore", foreign.to_str().unwrap()]);
    assert!(!ok && out.contains("000.00.31.H42") && out.contains("--confirm-agency"), "{out}");
    assert_eq!(dossiers(&c.dir.join("motcua.sqlite3")), 1, "nothing restored");
    // a wrong code typed: still refused
    let (ok, _) = run(&c, &["backup", "restore", foreign.to_str().unwrap(), "--confirm-agency", "000.00.31.H26"]);
    assert!(!ok);
    // the admin types the backup's agency code: restored
    let (ok, out) = run(&c, &["backup", "restore", foreign.to_str().unwrap(), "--confirm-agency", "000.00.31.H42"]);
    assert!(ok, "{out}");
    assert_eq!(dossiers(&c.dir.join("motcua.sqlite3")), 2);
}

#[test]
fn two_restores_in_the_same_second_keep_two_safety_copies() {
    let d = tempfile::tempdir().unwrap();
    let c = Counter::init(&d.path().join("q01"), "Q01");
    c.intake_many(1);
    let file = backup(&c, &d.path().join("usb"));
    c.intake_many(2);
    // MOTCUA_NOW pins both restores to the same second
    let (ok, out1) = run(&c, &["backup", "restore", file.to_str().unwrap()]);
    assert!(ok, "{out1}");
    let (ok, out2) = run(&c, &["backup", "restore", file.to_str().unwrap()]);
    assert!(ok, "{out2}");
    let kept = |out: &str| PathBuf::from(out.trim().rsplit(" kept at ").next().unwrap().trim());
    let (first, second) = (kept(&out1), kept(&out2));
    assert_ne!(first, second, "two distinct safety copies");
    assert!(first.exists() && second.exists());
    // the live database as it was before the first restore (3 dossiers) is recoverable from the first
    assert_eq!(dossiers(&first), 3);
    assert_eq!(dossiers(&second), 1);
    let (ok, out) = run(&c, &["backup", "verify", first.to_str().unwrap()]);
    assert!(ok, "{out}");
}
