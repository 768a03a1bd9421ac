//! Hostile suite, issue 12 finding 3: someone with the counter's SQLite file (the `sqlite3` shell and
//! zstd are enough) edits what matters — an event's payload (name, CCCD, fee), an event's clerk and
//! time, a dossier's projection — or cuts the audit log and its anchor notes and carries on. The real
//! `motcua` CLI must say the log is BROKEN (naming the event or dossier, no personal data) and the
//! real `motcua-portal` must refuse the rewritten history and flag it. The honest path stays intact.

use std::path::Path;

use motcua_core::dossier::EventKind;
use motcua_system_tests::{Counter, Portal};
use rusqlite::{params, Connection};

fn db(dir: &Path) -> Connection {
    Connection::open(dir.join("motcua.sqlite3")).unwrap()
}

fn counter(dir: &Path) -> Counter {
    Counter::init(dir, "Q01")
}

/// `motcua audit verify [--portal]`: (succeeded, stdout + stderr).
fn verify(c: &Counter, portal: bool) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    if portal {
        args.push("--portal");
    }
    let out = c.cli(&args);
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// Rewrites the `received` payload of the first event as an attacker would: drop the trigger,
/// decompress, change, recompress, write back.
fn forge_received(dir: &Path, f: impl FnOnce(&mut motcua_core::dossier::Dossier)) -> i64 {
    let c = db(dir);
    let (id, payload): (i64, Vec<u8>) = c.query_row("SELECT id, payload FROM events WHERE kind = 'received' ORDER BY id LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let mut event = motcua_core::events::decode_payload(&c, &payload).unwrap();
    let EventKind::Received { dossier } = &mut event else { panic!("not a received event") };
    f(dossier);
    let forged = zstd_again(&event);
    c.execute_batch("DROP TRIGGER events_append_only_update").unwrap();
    c.execute("UPDATE events SET payload = ?2 WHERE id = ?1", params![id, forged]).unwrap();
    id
}

fn zstd_again(event: &EventKind) -> Vec<u8> {
    motcua_core::events::encode_payload(event).unwrap()
}

#[test]
fn a_forged_name_cccd_and_fee_in_an_event_payload_breaks_verify_naming_the_event() {
    let d = tempfile::tempdir().unwrap();
    let c = counter(d.path());
    let codes = c.intake_many(3);
    assert!(verify(&c, false).0, "the honest log is intact");
    let id = forge_received(d.path(), |x| {
        x.applicant.full_name = "Kẻ Mạo Danh".into();
        x.applicant.id_number = "079099999999".into();
        x.fee = 0;
    });
    // the receipt still prints from the events (the forged name is what a reader would see) ...
    let shown = c.ok(&["show", &codes[0], "--json"]);
    assert!(shown.contains("Kẻ Mạo Danh"));
    // ... so verify must catch it, naming the event and its dossier code, without the personal data
    let (ok, out) = verify(&c, false);
    assert!(!ok, "verify must fail: {out}");
    assert!(out.contains(&format!("event {id}")) && out.contains(&codes[0]), "names the event: {out}");
    assert!(!out.contains("Kẻ Mạo Danh") && !out.contains("079099999999"), "no personal data in the message: {out}");
}

#[test]
fn a_forged_catalog_snapshot_breaks_verify_though_no_payload_byte_changed() {
    // payloads are stored against their procedure's catalog snapshot (events::dicts): editing the
    // snapshot changes what every payload of that procedure reads as, without touching an event
    let d = tempfile::tempdir().unwrap();
    let c = counter(d.path());
    let codes = c.intake_many(2);
    assert!(verify(&c, false).0);
    let conn = db(d.path());
    let (procedure, content): (String, Vec<u8>) = conn
        .query_row(
            "SELECT procedure, content FROM payload_dicts LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let text = String::from_utf8(content).unwrap();
    let forged = text.replacen(
        "\"documents\":[{\"id\":\"",
        "\"documents\":[{\"id\":\"GIẢ-",
        1,
    );
    assert_ne!(forged, text, "the snapshot holds the checklist's names");
    conn.execute_batch("DROP TRIGGER payload_dicts_append_only_update")
        .unwrap();
    conn.execute(
        "UPDATE payload_dicts SET content = ?1",
        [forged.into_bytes()],
    )
    .unwrap();
    drop(conn);
    let (ok, out) = verify(&c, false);
    assert!(!ok, "verify must fail: {out}");
    assert!(
        out.contains("catalog snapshot") && out.contains(&procedure),
        "names the snapshot: {out}"
    );
    // reading the dossier says the data is damaged rather than showing the forged names
    let shown = c.cli(&["show", &codes[0], "--json"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&shown.stdout),
        String::from_utf8_lossy(&shown.stderr)
    );
    assert!(!text.contains("GIẢ-"), "{text}");
}

#[test]
fn a_forged_event_with_its_chain_hash_recomputed_is_still_caught_by_the_audit_entries() {
    let d = tempfile::tempdir().unwrap();
    let c = counter(d.path());
    c.intake_many(2);
    forge_received(d.path(), |x| x.fee = 1);
    // the attacker also rebuilds the whole event chain with the core's own hash function
    let conn = db(d.path());
    conn.execute_batch("DROP TRIGGER event_chain_append_only_update; DROP TRIGGER event_chain_append_only_delete; DELETE FROM event_chain;").unwrap();
    let rows: Vec<motcua_core::event_chain::EventRow> = {
        let mut st = conn.prepare(&format!("SELECT {} FROM events ORDER BY id", motcua_core::event_chain::EVENT_COLUMNS)).unwrap();
        let v = st
            .query_map([], motcua_core::event_chain::event_row)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        v
    };
    let mut prev = motcua_core::event_chain::GENESIS.to_string();
    for e in &rows {
        let h = motcua_core::event_chain::event_hash(&prev, e);
        conn.execute("INSERT INTO event_chain(event_id, hash) VALUES (?1, ?2)", params![e.id, h]).unwrap();
        prev = h;
    }
    let (ok, out) = verify(&c, false);
    assert!(!ok, "{out}");
    assert!(out.contains("event chain rebuilt"), "{out}");
}

#[test]
fn an_events_clerk_and_time_edited_break_verify() {
    let d = tempfile::tempdir().unwrap();
    let c = counter(d.path());
    let codes = c.intake_many(2);
    c.ok(&["handover", "--to", "Phòng Tư pháp", &codes[1]]);
    let conn = db(d.path());
    let id: i64 = conn.query_row("SELECT id FROM events WHERE kind = 'handed_over'", [], |r| r.get(0)).unwrap();
    conn.execute_batch("DROP TRIGGER events_append_only_update").unwrap();
    conn.execute("UPDATE events SET clerk_id = 'CB-KHAC', at = '2026-01-01T08:00:00+07:00' WHERE id = ?1", [id]).unwrap();
    let (ok, out) = verify(&c, false);
    assert!(!ok, "{out}");
    assert!(out.contains(&format!("event {id}")) && out.contains("handed_over"), "{out}");
}

#[test]
fn an_edited_dossier_row_breaks_verify_naming_the_dossier() {
    let d = tempfile::tempdir().unwrap();
    let c = counter(d.path());
    let codes = c.intake_many(3);
    assert!(verify(&c, false).0);
    // the projection: status and name (what search and lists show)
    db(d.path()).execute("UPDATE dossiers SET status = 'returned', applicant_name = 'Người Khác' WHERE code = ?1", [&codes[2]]).unwrap();
    let (ok, out) = verify(&c, false);
    assert!(!ok, "{out}");
    assert!(out.contains(&codes[2]) && out.contains("status") && out.contains("applicant name"), "{out}");
    assert!(!out.contains("Người Khác"), "{out}");
    // a name dropped from the search index alone is found too
    let d2 = tempfile::tempdir().unwrap();
    let c2 = counter(d2.path());
    let codes2 = c2.intake_many(2);
    let conn = db(d2.path());
    let rowid: i64 = conn.query_row("SELECT id FROM dossiers WHERE code = ?1", [&codes2[0]], |r| r.get(0)).unwrap();
    conn.execute("DELETE FROM dossier_names WHERE rowid = ?1", [rowid]).unwrap();
    let (ok, out) = verify(&c2, false);
    assert!(!ok && out.contains("name search index"), "{out}");
}

#[test]
fn a_cut_audit_log_with_its_anchor_notes_deleted_is_refused_by_the_portal_and_flagged() {
    let d = tempfile::tempdir().unwrap();
    let portal = Portal::started(&d.path().join("portal"));
    let c = counter(&d.path().join("q01"));
    c.enrol(&portal);
    c.intake_many(5);
    c.sync().unwrap();
    let held_before = portal.stats()["counters"][0]["audit_anchor"].as_str().unwrap().to_string();
    assert!(verify(&c, true).0, "intact against the portal before the attack");
    // the attack: the audit rows from just below the head the portal holds (rows written after it,
    // such as the push's own entry, are not enough: the portal never saw them) and every anchor note go
    let held_id: i64 = held_before.split(':').next().unwrap().parse().unwrap();
    let conn = db(&c.dir);
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_append_only_delete;
         DELETE FROM audit_log WHERE id > {};
         DELETE FROM audit_anchors;",
        held_id - 4
    ))
    .unwrap();
    drop(conn);
    c.intake_many(4);
    c.sync().unwrap();
    // the events still reach the portal (nothing a clerk confirmed is lost) ...
    assert_eq!(portal.events_of("Q01").len(), 9);
    // ... but the anchor did not move, and the refusal is flagged at the portal
    let stats = portal.stats();
    assert_eq!(stats["counters"][0]["audit_anchor"].as_str().unwrap(), held_before, "the portal kept its anchor");
    assert!(stats["counters"][0]["audit_anchor_flagged"].as_str().is_some_and(|s| s.contains("rewritten") || s.contains("cut")), "{stats}");
    assert!(stats["anchor_refusals"].as_i64().unwrap() >= 1, "{stats}");
    let anchors = portal.cli(&["anchors"]);
    assert!(String::from_utf8_lossy(&anchors.stdout).contains("Q01"), "{}", String::from_utf8_lossy(&anchors.stdout));
    // the counter's sync status shows it, and verify --portal says broken
    assert!(c.status()["audit_anchor_refused"].as_str().is_some(), "{}", c.status());
    let (ok, out) = verify(&c, true);
    assert!(!ok, "{out}");
    assert!(out.contains("the portal"), "{out}");
}

#[test]
fn the_honest_path_many_intakes_steps_and_syncs_stays_intact_and_anchored() {
    let d = tempfile::tempdir().unwrap();
    let portal = Portal::started(&d.path().join("portal"));
    let c = counter(&d.path().join("q01"));
    c.enrol(&portal);
    let mut anchors = Vec::new();
    for round in 0..4 {
        let codes = c.intake_many(6);
        c.ok(&["handover", "--to", "Phòng Tư pháp", &codes[0], &codes[1]]);
        c.ok(&["settings", "set", "receipt_copies", if round % 2 == 0 { "1" } else { "2" }]);
        c.sync().unwrap();
        let a = portal.stats()["counters"][0]["audit_anchor"].as_str().unwrap().to_string();
        anchors.push(a);
        let (ok, out) = verify(&c, true);
        assert!(ok, "round {round}: {out}");
    }
    // the portal's anchor moved forward every round, each an extension of the one before
    let ids: Vec<i64> = anchors.iter().map(|a| motcua_core::audit::parse_anchor(a).unwrap().0).collect();
    assert!(ids.windows(2).all(|w| w[1] > w[0]), "{anchors:?}");
    let stats = portal.stats();
    assert!(stats["counters"][0]["audit_anchor_flagged"].is_null(), "{stats}");
    assert_eq!(stats["anchor_refusals"].as_i64(), Some(0), "{stats}");
    assert!(c.status()["audit_anchor_refused"].is_null());
}
