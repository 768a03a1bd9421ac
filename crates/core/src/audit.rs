//! The audit log: every write a person makes (intake, lifecycle step, settings, print and reprint,
//! catalog and calendar imports, sync decisions) appends an entry in the same transaction, chained by
//! SHA-256 to the one before. `verify` recomputes the chain and names the first broken entry; it also
//! checks the anchors kept outside the PC (the portal's copy, the printed closing reports), because
//! whoever can write the file could rebuild a chain that only the PC knows.

use chrono::NaiveDateTime;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::clock::to_rfc3339;
use crate::error::Result;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 (hex) of an entry: its predecessor's hash and every field, newline-separated.
pub fn entry_hash(prev: &str, id: i64, at: &str, actor: &str, action: &str, subject: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, &id.to_string(), at, actor, action, subject, detail] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends an entry inside the caller's transaction; returns its id.
pub fn record(tx: &Transaction, at: NaiveDateTime, actor: &str, action: &str, subject: &str, detail: &serde_json::Value) -> Result<i64> {
    let last: Option<(i64, String)> =
        tx.prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (id, prev) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let at = to_rfc3339(at);
    let detail = if detail.is_null() { String::new() } else { detail.to_string() };
    let hash = entry_hash(&prev, id, &at, actor, action, subject, &detail);
    tx.prepare_cached("INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![id, at, actor, action, subject, detail, prev, hash])?;
    Ok(id)
}

/// The chain's head: (id, hash) of the latest entry.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn.query_row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// "id:hash", the form the anchor travels in.
pub fn head_anchor(conn: &Connection) -> Result<Option<String>> {
    Ok(head(conn)?.map(|(id, h)| format!("{id}:{h}")))
}

pub fn parse_anchor(s: &str) -> Option<(i64, String)> {
    let (id, hash) = s.split_once(':')?;
    Some((id.parse().ok()?, hash.to_string()))
}

/// One line of `motcua audit list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
}

/// The latest entries, newest first: a report (`Right::Reports`), checked here like every read.
pub fn list(store: &crate::Store, limit: u32) -> Result<Vec<AuditRow>> {
    store.require(crate::accounts::Right::Reports)?;
    let mut st = store.conn().prepare("SELECT id, at, actor, action, subject FROM audit_log ORDER BY id DESC LIMIT ?1")?;
    let rows = st.query_map([limit], |r| Ok(AuditRow { id: r.get(0)?, at: r.get(1)?, actor: r.get(2)?, action: r.get(3)?, subject: r.get(4)? }))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Keeps a copy of the head that was handed to someone else (the portal, a printed report).
pub fn record_anchor(tx: &Transaction, audit_id: i64, hash: &str, kind: &str, at: NaiveDateTime) -> Result<()> {
    tx.prepare_cached("INSERT INTO audit_anchors(audit_id, hash, kind, at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![audit_id, hash, kind, to_rfc3339(at)])?;
    Ok(())
}

/// Notes that the head (id, hash) was handed out (printed on a closing report, say).
pub fn note_anchor(store: &mut crate::Store, audit_id: i64, hash: &str, kind: &str) -> Result<()> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    record_anchor(&tx, audit_id, hash, kind, at)?;
    tx.commit()?;
    Ok(())
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AuditReport {
    #[ts(type = "number")]
    pub entries: i64,
    /// The first entry that does not match its hash or its predecessor (None: the chain is whole).
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_broken: Option<i64>,
    pub anchors_checked: u32,
    /// Problems in words (the first broken entry, anchors that no longer match).
    pub problems: Vec<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Recomputes the whole chain, then checks every anchor (and `outside`, e.g. the portal's copy).
pub fn verify(conn: &Connection, outside: &[(String, i64, String)]) -> Result<AuditReport> {
    let mut st = conn.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut entries = 0;
    let mut first_broken = None;
    let mut problems = Vec::new();
    let mut hashes = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let (id, at, actor, action, subject, detail, prev_hash, hash): (i64, String, String, String, String, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        entries += 1;
        if first_broken.is_none() {
            let why = if id != expected_id {
                Some(format!("entry {expected_id} is missing (found {id} next)"))
            } else if prev_hash != prev {
                Some(format!("entry {id} does not follow entry {}: its previous hash differs", id - 1))
            } else if entry_hash(&prev, id, &at, &actor, &action, &subject, &detail) != hash {
                Some(format!("entry {id} ({action} {subject} at {at}) was changed after it was written"))
            } else {
                None
            };
            if let Some(why) = why {
                first_broken = Some(id.min(expected_id));
                problems.push(why);
            }
        }
        hashes.insert(id, hash.clone());
        prev = hash;
        expected_id = id + 1;
    }
    let mut anchors: Vec<(String, i64, String)> = {
        let mut st = conn.prepare("SELECT kind, audit_id, hash FROM audit_anchors ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    anchors.extend(outside.iter().cloned());
    let mut anchors_checked = 0;
    for (kind, id, hash) in &anchors {
        anchors_checked += 1;
        match hashes.get(id) {
            Some(h) if h == hash => {}
            Some(_) => problems.push(format!("entry {id} no longer has the hash anchored in {kind} ({}…): the chain was rebuilt", &hash[..12.min(hash.len())])),
            None => problems.push(format!("entry {id}, anchored in {kind}, is missing: the log was cut")),
        }
    }
    Ok(AuditReport { entries, first_broken, anchors_checked, problems, head: head_anchor(conn)? })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{parse_local, FixedClock};
    use crate::Store;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local("2026-03-02T09:00").unwrap()))).unwrap();
        s.ensure_demo().unwrap();
        (dir, s)
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
    fn every_write_is_chained_and_a_changed_entry_is_named() {
        let (_d, mut s) = store();
        let code = intake(&mut s);
        crate::lifecycle::apply(&mut s, &code, &crate::lifecycle::Command::HandOver { department: "Phòng Tư pháp".into() }).unwrap();
        crate::settings::CounterSettings::set(&mut s, "receipt_copies", "1").unwrap();
        let actions: Vec<String> =
            s.conn().prepare("SELECT action FROM audit_log ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
        assert!(actions.ends_with(&["intake".to_string(), "lifecycle.handed_over".to_string(), "settings".to_string()]), "{actions:?}");
        let ok = verify(s.conn(), &[]).unwrap();
        assert!(ok.ok() && ok.first_broken.is_none(), "{ok:?}");
        let n = ok.entries;
        // the log refuses edits through SQL ...
        assert!(s.conn().execute("UPDATE audit_log SET subject = 'x' WHERE id = 2", []).is_err());
        assert!(s.conn().execute("DELETE FROM audit_log WHERE id = 2", []).is_err());
        // ... and someone who drops the trigger and edits a row is found out, at that row
        s.conn().execute_batch("DROP TRIGGER audit_append_only_update; UPDATE audit_log SET subject = 'HS-GIA' WHERE id = 2;").unwrap();
        let bad = verify(s.conn(), &[]).unwrap();
        assert_eq!(bad.first_broken, Some(2));
        assert!(bad.problems[0].contains("entry 2"), "{:?}", bad.problems);
        assert_eq!(bad.entries, n);
    }

    #[test]
    fn a_rebuilt_chain_is_caught_by_its_anchors() {
        let (_d, mut s) = store();
        intake(&mut s);
        intake(&mut s);
        let (id, hash) = head(s.conn()).unwrap().unwrap();
        // the head went to the portal (or onto a printed report)
        {
            let tx = s.write_tx().unwrap();
            record_anchor(&tx, id, &hash, "report", parse_local("2026-03-02T17:00").unwrap()).unwrap();
            tx.commit().unwrap();
        }
        intake(&mut s);
        assert!(verify(s.conn(), &[("the portal".into(), id, hash.clone())]).unwrap().ok());
        // someone rewrites an entry AND recomputes every hash after it: the chain alone looks whole ...
        s.conn().execute_batch("DROP TRIGGER audit_append_only_update; UPDATE audit_log SET actor = 'KHAC' WHERE id = 1;").unwrap();
        let rows: Vec<(i64, String, String, String, String, String)> = s
            .conn()
            .prepare("SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut prev = GENESIS.to_string();
        for (id, at, actor, action, subject, detail) in rows {
            let h = entry_hash(&prev, id, &at, &actor, &action, &subject, &detail);
            s.conn().execute("UPDATE audit_log SET prev_hash = ?2, hash = ?3 WHERE id = ?1", params![id, prev, h]).unwrap();
            prev = h;
        }
        // ... but not to the anchors kept elsewhere
        let r = verify(s.conn(), &[("the portal".into(), id, hash)]).unwrap();
        assert_eq!(r.first_broken, None);
        assert_eq!(r.anchors_checked, 2);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(r.problems.iter().all(|p| p.contains("chain was rebuilt")));
    }
}
