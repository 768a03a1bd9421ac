//! Payload dictionaries: every shipped procedure has a snapshot; payloads stored against one read
//! back exactly, are much smaller, and name their snapshot; a catalog change makes a new snapshot
//! without touching the old payloads; an edited or missing snapshot is found.

use rusqlite::params;

use super::*;
use crate::test_fixtures::{demo, intake};

fn received_payload(s: &crate::Store, code: &str) -> Vec<u8> {
    s.conn()
        .query_row("SELECT e.payload FROM events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.code = ?1 AND e.kind = 'received'", [code], |r| r.get(0))
        .unwrap()
}

#[test]
fn every_shipped_procedure_has_a_stable_snapshot() {
    let (_d, s) = demo("2026-02-12T10:30");
    assert!(s.procedures().len() > 10);
    for p in s.procedures() {
        let a = template(p).unwrap_or_else(|| panic!("no snapshot for {}", p.code));
        assert_eq!(
            Some(a.clone()),
            template(p),
            "{} is not deterministic",
            p.code
        );
        let text = String::from_utf8(a).unwrap();
        assert!(text.contains(&p.name), "{}", p.code);
        for c in &p.cases {
            assert!(text.contains(&c.name), "{} case {}", p.code, c.id);
        }
    }
}

#[test]
fn a_payload_refers_to_its_procedure_snapshot_and_reads_back_exactly() {
    let (_d, mut s) = demo("2026-02-12T10:30");
    let code = intake(&mut s);
    let stored = received_payload(&s, &code);
    let (id, _) = split(&stored).expect("stored against a snapshot");
    let (procedure, content): (String, Vec<u8>) = s
        .conn()
        .query_row(
            "SELECT procedure, content FROM payload_dicts WHERE id = ?1",
            [id.as_slice()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(procedure, "1.004873");
    assert_eq!(id_of(&content), id);
    let event = crate::events::decode_payload(s.conn(), &stored).unwrap();
    let plain = crate::events::encode_payload(&event).unwrap();
    assert!(
        stored.len() * 2 < plain.len(),
        "{} bytes against the snapshot, {} without",
        stored.len(),
        plain.len()
    );
    let EventKind::Received { dossier } = event else {
        panic!("not received")
    };
    assert_eq!(dossier.code, code);
    assert_eq!(
        s.dossier_by_code(&code).unwrap().documents,
        dossier.documents
    );
    // a second dossier of the same procedure uses the same snapshot: one row
    let code2 = intake(&mut s);
    assert_eq!(split(&received_payload(&s, &code2)).unwrap().0, id);
    let n: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM payload_dicts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    assert!(crate::audit::verify(s.conn(), &[]).unwrap().ok());
}

#[test]
fn a_catalog_change_makes_a_new_snapshot_and_old_payloads_still_read() {
    let (_d, mut s) = demo("2026-02-12T10:30");
    let before = intake(&mut s);
    let old_id = split(&received_payload(&s, &before)).unwrap().0;
    // the same catalog again changes nothing
    s.import_catalog(crate::catalog::DEFAULT_CATALOG_JSON)
        .unwrap();
    let same = intake(&mut s);
    assert_eq!(split(&received_payload(&s, &same)).unwrap().0, old_id);
    // the procedure renamed: its next dossier gets a new snapshot
    let mut cat: serde_json::Value =
        serde_json::from_str(crate::catalog::DEFAULT_CATALOG_JSON).unwrap();
    for p in cat["procedures"].as_array_mut().unwrap() {
        if p["code"] == "1.004873" {
            p["name"] =
                serde_json::Value::String("Cấp Giấy xác nhận tình trạng hôn nhân (tên mới)".into());
        }
    }
    s.import_catalog(&cat.to_string()).unwrap();
    let after = intake(&mut s);
    let new_id = split(&received_payload(&s, &after)).unwrap().0;
    assert_ne!(new_id, old_id);
    assert_eq!(
        s.dossier_by_code(&before).unwrap().procedure_name,
        "Cấp Giấy xác nhận tình trạng hôn nhân"
    );
    assert_eq!(
        s.dossier_by_code(&after).unwrap().procedure_name,
        "Cấp Giấy xác nhận tình trạng hôn nhân (tên mới)"
    );
    let n: i64 = s
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM payload_dicts WHERE procedure = '1.004873'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn an_edited_snapshot_is_found_and_snapshots_are_append_only() {
    let (_d, mut s) = demo("2026-02-12T10:30");
    intake(&mut s);
    assert!(s
        .conn()
        .execute("UPDATE payload_dicts SET content = x'00'", [])
        .is_err());
    assert!(s.conn().execute("DELETE FROM payload_dicts", []).is_err());
    s.conn()
        .execute_batch("DROP TRIGGER payload_dicts_append_only_update")
        .unwrap();
    s.conn()
        .execute(
            "UPDATE payload_dicts SET content = CAST(content || x'20' AS BLOB)",
            [],
        )
        .unwrap();
    let r = crate::audit::verify(s.conn(), &[]).unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("catalog snapshot") && p.contains("1.004873")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_payload_naming_a_snapshot_the_database_lacks_fails_alone() {
    let (_d, s) = demo("2026-02-12T10:30");
    let content =
        b"{\"kind\":\"received\",\"dossier\":{\"procedure_name\":\"never stored\"}}".to_vec();
    let dict = prepared(id_of(&content), &content);
    let event = EventKind::Delayed {
        due_at: "2026-02-20T17:00:00+07:00".into(),
        reason: "never stored".into(),
    };
    let bytes = compress(&dict, &serde_json::to_vec(&event).unwrap()).unwrap();
    // this process has it prepared, but another database (or a new process) does not hold it
    CACHE.lock().unwrap().remove(&dict.id);
    let err = crate::events::decode_payload(s.conn(), &bytes).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    s.conn()
        .execute("INSERT INTO payload_dicts(id, procedure, created_at, content) VALUES (?1, 'x', '', ?2)", params![dict.id.as_slice(), content])
        .unwrap();
    assert_eq!(
        crate::events::decode_payload(s.conn(), &bytes).unwrap(),
        event
    );
}

#[test]
fn a_dossier_of_a_procedure_this_counter_does_not_hold_is_stored_plain() {
    let (_d, s) = demo("2026-02-12T10:30");
    // a dossier row whose procedure is not in this counter's catalog (pulled), or no row at all
    let event = EventKind::Delayed {
        due_at: "2026-02-20T17:00:00+07:00".into(),
        reason: "x".into(),
    };
    let bytes =
        crate::events::encode_stored(s.conn(), 999_999, "2026-02-12T10:30:00+07:00", &event)
            .unwrap();
    assert!(split(&bytes).is_none());
    assert_eq!(
        crate::events::decode_payload(s.conn(), &bytes).unwrap(),
        event
    );
}
