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
use crate::error::{CoreError, Result};
use crate::store::Store;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 (hex) of a version-1 entry (written before schema 8): its predecessor's hash and every
/// field, newline-separated.
pub fn entry_hash(prev: &str, id: i64, at: &str, actor: &str, action: &str, subject: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev, &id.to_string(), at, actor, action, subject, detail] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest of a version-2 entry's fields (length-prefixed), including the event chain's head it
/// commits to. This, not the fields, is what travels to the portal (`links_since`).
pub fn entry_digest(at: &str, actor: &str, action: &str, subject: &str, detail: &str, events_head: &str) -> String {
    let mut h = Sha256::new();
    for part in ["motcua.audit/2", at, actor, action, subject, detail, events_head] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// SHA-256 (hex) of a version-2 entry: H(prev, id, digest). Anyone holding `prev` and the digests of
/// the entries after it can recompute the head, which is how the portal checks an extension.
pub fn entry_hash_v2(prev: &str, id: i64, digest: &str) -> String {
    let mut h = Sha256::new();
    for part in ["motcua.audit/2", prev, &id.to_string(), digest] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// Appends an entry inside the caller's transaction; returns its id. The entry commits to the event
/// chain's head as it stands in this transaction (the events this write just appended included).
pub fn record(tx: &Transaction, at: NaiveDateTime, actor: &str, action: &str, subject: &str, detail: &serde_json::Value) -> Result<i64> {
    let last: Option<(i64, String)> =
        tx.prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (id, prev) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let at = to_rfc3339(at);
    let detail = if detail.is_null() { String::new() } else { detail.to_string() };
    let events_head = crate::event_chain::head(tx)?.map(|(id, h)| format!("{id}:{h}")).unwrap_or_default();
    let hash = entry_hash_v2(&prev, id, &entry_digest(&at, actor, action, subject, &detail, &events_head));
    tx.prepare_cached(
        "INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash, v, events_head) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 2, ?9)",
    )?
    .execute(params![id, at, actor, action, subject, detail, prev, hash, events_head])?;
    Ok(id)
}

/// One link of the chain after an anchor, as the portal gets it: the entry's id and either its digest
/// (version 2: the portal recomputes the hash) or, for an entry written before schema 8, its hash.
pub fn links_since(conn: &Connection, after_id: i64) -> Result<Vec<crate::sync::protocol::AuditLink>> {
    let mut st = conn.prepare("SELECT id, at, actor, action, subject, detail, hash, v, events_head FROM audit_log WHERE id > ?1 ORDER BY id")?;
    let rows = st.query_map([after_id], |r| {
        let (id, at, actor, action, subject, detail, hash, v, eh): (i64, String, String, String, String, String, String, i64, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
        Ok(if v >= 2 {
            crate::sync::protocol::AuditLink { id, digest: Some(entry_digest(&at, &actor, &action, &subject, &detail, &eh)), hash: None }
        } else {
            crate::sync::protocol::AuditLink { id, digest: None, hash: Some(hash) }
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The portal's check: does the chain held at (`held_id`, `held_hash`) extend, through `links`, to
/// (`new_id`, `new_hash`)? `allow_legacy`: links of version-1 entries (their hash, unverifiable) are
/// accepted, which the portal allows only until it has seen a version-2 link from that counter.
/// Ok(saw a version-2 link), or the reason in words (no personal data: ids and hash prefixes only).
pub fn check_extension(
    held_id: i64,
    held_hash: &str,
    new_id: i64,
    new_hash: &str,
    links: &[crate::sync::protocol::AuditLink],
    allow_legacy: bool,
) -> std::result::Result<bool, String> {
    if new_id < held_id {
        return Err(format!("the new audit head {new_id} is behind the one the portal holds ({held_id}): the log was cut or rewritten"));
    }
    if new_id == held_id {
        return if new_hash == held_hash {
            Ok(false)
        } else {
            Err(format!("audit entry {held_id} has another hash than the one the portal holds: the chain was rewritten"))
        };
    }
    if links.len() as i64 != new_id - held_id {
        return Err(format!("{} links sent for entries {}..={new_id}: the extension cannot be checked", links.len(), held_id + 1));
    }
    let (mut h, mut v2) = (held_hash.to_string(), false);
    for (i, l) in links.iter().enumerate() {
        if l.id != held_id + 1 + i as i64 {
            return Err(format!("link {} is for entry {}, expected {}", i, l.id, held_id + 1 + i as i64));
        }
        h = match (&l.digest, &l.hash) {
            (Some(d), _) => {
                v2 = true;
                entry_hash_v2(&h, l.id, d)
            }
            (None, Some(x)) if allow_legacy && !v2 => x.clone(),
            _ => return Err(format!("entry {} is sent without a digest the portal can check", l.id)),
        };
    }
    if h != new_hash {
        return Err(format!(
            "the audit head {new_id} does not extend the head {held_id} the portal holds ({}…): the history was rewritten",
            &held_hash[..12.min(held_hash.len())]
        ));
    }
    Ok(v2)
}

/// The chain's head: (id, hash) of the latest entry.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn.query_row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// "id:hash", the form the anchor travels in.
pub fn head_anchor(conn: &Connection) -> Result<Option<String>> {
    Ok(head(conn)?.map(|(id, h)| format!("{id}:{h}")))
}

/// The counter's current anchor (printed on the logbook, sent to the portal).
pub fn anchor_of(store: &Store) -> Result<Option<String>> {
    head_anchor(store.conn())
}

/// The chain's head of the counter, (id, hash).
pub fn head_of(store: &Store) -> Result<Option<(i64, String)>> {
    head(store.conn())
}

/// The links after `after_id`, for the portal.
pub fn links_after(store: &Store, after_id: i64) -> Result<Vec<crate::sync::protocol::AuditLink>> {
    links_since(store.conn(), after_id)
}

/// `verify` of the counter's own database, and every document file it holds: each must hash to the
/// name the (chained) `document_attached` event gave it.
pub fn verify_store(store: &Store, outside: &[(String, i64, String)]) -> Result<AuditReport> {
    let mut report = verify(store.conn(), outside)?;
    let blobs = crate::documents::blobs_of(store);
    let mut st = store.conn().prepare("SELECT DISTINCT sha256, size FROM dossier_documents WHERE sha256 NOT IN (SELECT sha256 FROM blob_pruned)")?;
    let rows: Vec<(String, i64)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (sha, size) in rows {
        match blobs.verify(&sha, size as u64) {
            Ok(()) => {}
            // another counter's document, fetched only when opened
            Err(CoreError::NotFound(_)) if !crate::documents::uploads::is_queued(store.conn(), &sha)? => {}
            Err(CoreError::NotFound(_)) => report.problems.push(format!("document file {} is missing from this machine", crate::documents::blobs::short(&sha))),
            Err(_) => report.problems.push(format!("document file {} was changed on disk (its hash no longer matches)", crate::documents::blobs::short(&sha))),
        }
    }
    Ok(report)
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
    /// Events whose content was re-hashed and chained.
    #[ts(type = "number")]
    pub events: i64,
    /// Dossiers re-folded from their events and compared with their projections.
    #[ts(type = "number")]
    pub dossiers_checked: i64,
    /// Problems in words (the first broken entry or event, projections that differ from the events,
    /// anchors that no longer match).
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

/// Re-derives everything: recomputes every event's hash and the event chain, the audit chain (each
/// entry's hash and the event-chain head it commits to), re-folds every dossier from its events and
/// compares the projections, then checks every anchor (and `outside`, e.g. the portal's copy).
pub fn verify(conn: &Connection, outside: &[(String, i64, String)]) -> Result<AuditReport> {
    let chain = crate::event_chain::verify(conn)?;
    let mut problems = chain.problems.clone();
    problems.extend(crate::events::dicts::verify(conn)?);
    let mut st = conn.prepare("SELECT id, at, actor, action, subject, detail, prev_hash, hash, v, events_head FROM audit_log ORDER BY id")?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_id = 1;
    let mut entries = 0;
    let mut first_broken = None;
    let mut hashes = std::collections::HashMap::new();
    let (mut seen_v2, mut last_events_head) = (false, None::<String>);
    while let Some(r) = rows.next()? {
        let (id, at, actor, action, subject, detail, prev_hash, hash): (i64, String, String, String, String, String, String, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?);
        let (v, events_head): (i64, String) = (r.get(8)?, r.get(9)?);
        entries += 1;
        if first_broken.is_none() {
            let computed = if v >= 2 {
                entry_hash_v2(&prev, id, &entry_digest(&at, &actor, &action, &subject, &detail, &events_head))
            } else {
                entry_hash(&prev, id, &at, &actor, &action, &subject, &detail)
            };
            let why = if id != expected_id {
                Some(format!("entry {expected_id} is missing (found {id} next)"))
            } else if prev_hash != prev {
                Some(format!("entry {id} does not follow entry {}: its previous hash differs", id - 1))
            } else if v < 2 && seen_v2 {
                Some(format!("entry {id} claims the old format after newer entries: it was rewritten"))
            } else if computed != hash {
                Some(format!("entry {id} ({action} {subject} at {at}) was changed after it was written"))
            } else if let Some(why) = events_head_problem(&chain.recomputed, id, &events_head) {
                Some(why)
            } else {
                None
            };
            if let Some(why) = why {
                first_broken = Some(id.min(expected_id));
                problems.push(why);
            }
        }
        if v >= 2 {
            seen_v2 = true;
            last_events_head = Some(events_head);
        }
        hashes.insert(id, hash.clone());
        prev = hash;
        expected_id = id + 1;
    }
    drop(rows);
    // every event the app writes is followed, in its transaction, by an audit entry committing to it
    if let (Some(committed), Some((eid, _))) = (&last_events_head, crate::event_chain::head(conn)?) {
        if first_broken.is_none() && committed.split_once(':').and_then(|(i, _)| i.parse::<i64>().ok()) != Some(eid) {
            problems.push(format!("events after the last audit entry's commitment (up to event {eid}) were not written by the app"));
        }
    }
    let projections = crate::projections::verify(conn)?;
    problems.extend(projections.problems);
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
    Ok(AuditReport {
        entries,
        first_broken,
        anchors_checked,
        events: chain.events,
        dossiers_checked: projections.dossiers,
        problems,
        head: head_anchor(conn)?,
    })
}

/// An entry's commitment to the event chain must name an event whose recomputed hash it holds.
fn events_head_problem(recomputed: &std::collections::HashMap<i64, String>, id: i64, events_head: &str) -> Option<String> {
    if events_head.is_empty() {
        return None;
    }
    let Some((eid, h)) = events_head.split_once(':').and_then(|(i, h)| Some((i.parse::<i64>().ok()?, h))) else {
        return Some(format!("entry {id} has an unreadable event-chain commitment"));
    };
    match recomputed.get(&eid) {
        Some(x) if x == h => None,
        Some(_) => Some(format!("entry {id} commits to events up to event {eid}, and those events are no longer what was written: an event was changed and the event chain rebuilt")),
        None => Some(format!("entry {id} commits to event {eid}, which is missing: events were deleted")),
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::clock::parse_local;
    use crate::test_fixtures::intake;
    use crate::Store;

    fn store() -> (tempfile::TempDir, Store) {
        crate::test_fixtures::demo("2026-03-02T09:00")
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
    fn the_portal_check_accepts_only_an_extension_of_the_head_it_holds() {
        let (_d, mut s) = store();
        intake(&mut s);
        let (hid, hhash) = head(s.conn()).unwrap().unwrap();
        intake(&mut s);
        intake(&mut s);
        let (nid, nhash) = head(s.conn()).unwrap().unwrap();
        let links = links_since(s.conn(), hid).unwrap();
        assert_eq!(links.len() as i64, nid - hid);
        assert_eq!(check_extension(hid, &hhash, nid, &nhash, &links, false), Ok(true));
        // a link changed, one left out, a head behind, the same id with another hash: all refused
        let mut bad = links.clone();
        bad[0].digest = Some(GENESIS.into());
        assert!(check_extension(hid, &hhash, nid, &nhash, &bad, false).unwrap_err().contains("rewritten"));
        assert!(check_extension(hid, &hhash, nid, &nhash, &links[1..], false).is_err());
        assert!(check_extension(nid, &nhash, hid, &hhash, &[], false).unwrap_err().contains("behind"));
        assert!(check_extension(hid, &nhash, hid, &hhash, &[], false).is_err());
        // a legacy link (hash only) is taken only while allowed
        let legacy = vec![crate::sync::protocol::AuditLink { id: hid + 1, digest: None, hash: Some(nhash.clone()) }];
        assert!(check_extension(hid, &hhash, hid + 1, &nhash, &legacy, false).is_err());
        assert_eq!(check_extension(hid, &hhash, hid + 1, &nhash, &legacy, true), Ok(false));
    }

    #[test]
    fn an_edited_event_payload_and_an_edited_projection_are_named() {
        let (_d, mut s) = store();
        let code = intake(&mut s);
        intake(&mut s);
        assert!(verify(s.conn(), &[]).unwrap().ok());
        let (id, payload): (i64, Vec<u8>) =
            s.conn().query_row("SELECT id, payload FROM events ORDER BY id LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        let mut e = crate::events::decode_payload(s.conn(), &payload).unwrap();
        if let crate::dossier::EventKind::Received { dossier } = &mut e {
            dossier.fee += 1;
        }
        s.conn().execute_batch("DROP TRIGGER events_append_only_update").unwrap();
        s.conn().execute("UPDATE events SET payload = ?2 WHERE id = ?1", params![id, crate::events::encode_payload(&e).unwrap()]).unwrap();
        let r = verify(s.conn(), &[]).unwrap();
        assert!(r.problems[0].contains(&format!("event {id}")) && r.problems[0].contains(&code), "{:?}", r.problems);
        let (_d2, mut s2) = store();
        let code2 = intake(&mut s2);
        s2.conn().execute("UPDATE dossiers SET due_at = '2030-01-01T17:00:00+07:00'", []).unwrap();
        let r = verify(s2.conn(), &[]).unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(r.problems[0].contains(&code2) && r.problems[0].contains("due time"), "{:?}", r.problems);
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
        let rows: Vec<(i64, String, String, String, String, String, String)> = s
            .conn()
            .prepare("SELECT id, at, actor, action, subject, detail, events_head FROM audit_log ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let mut prev = GENESIS.to_string();
        for (id, at, actor, action, subject, detail, eh) in rows {
            let h = entry_hash_v2(&prev, id, &entry_digest(&at, &actor, &action, &subject, &detail, &eh));
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
