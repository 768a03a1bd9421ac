//! Re-deriving the projections from the events (issue 12, finding 3): every dossier is folded again
//! from its events (in merge order, as `Store::dossier_by_id` does) and compared with its `dossiers`
//! row (code, procedure, name, CCCD, phone, received and due times, status), its entry in the name
//! search index, and the `handover_batches` rows. The events are the truth (their content is covered
//! by the event chain); a projection edited in the file is named by its dossier code and the field
//! that differs, never by the personal data itself.

use rusqlite::{params, Connection};

use crate::dossier::{fold_merged, EventKind};
use crate::error::Result;
use crate::events::decode_payload;
use crate::store::MERGE_ORDER;

/// A dossier's events in merge order (`MERGE_ORDER`: the portal's order, then this counter's unsent
/// events): (event row id, local time, stored payload). The one query every fold reads.
pub(crate) fn merged_event_rows(conn: &Connection, dossier_id: i64) -> Result<Vec<(i64, String, Vec<u8>)>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT e.id, e.at, e.payload FROM events e LEFT JOIN event_portal p ON p.event_id = e.id WHERE e.dossier_id = ?1 ORDER BY {MERGE_ORDER}"
    ))?;
    let rows = st.query_map([dossier_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The same, decoded (a payload that does not decode is an error).
pub(crate) fn merged_events(conn: &Connection, dossier_id: i64) -> Result<Vec<(i64, String, EventKind)>> {
    merged_event_rows(conn, dossier_id)?.into_iter().map(|(id, at, p)| Ok((id, at, decode_payload(conn, &p)?))).collect()
}

/// Writes a dossier's searchable state after a change (status and appointment), in the caller's
/// transaction: the one place the projection follows the fold.
pub(crate) fn write_state(conn: &Connection, dossier_id: i64, d: &crate::dossier::Dossier) -> Result<()> {
    conn.prepare_cached("UPDATE dossiers SET status = ?2, due_at = ?3 WHERE id = ?1")?.execute(params![dossier_id, d.status.as_str(), d.due_at])?;
    Ok(())
}

pub struct ProjectionCheck {
    pub dossiers: i64,
    pub problems: Vec<String>,
}

/// At most this many projection problems are listed (the first ones); the count says the rest.
const MAX_LISTED: usize = 20;

type Row = (i64, String, Option<String>, String, String, String, String, String, String, String);

/// The name search index as it is, read once: each dossier row's words. Read through an `fts5vocab`
/// table in the connection's temp schema (one pass over the index, so checking a million dossiers
/// is linear; asking the index once per dossier merged the posting lists of common words like
/// "nguyen" a million times). The word ids keep it to a few bytes per word.
struct NameIndex {
    ids: std::collections::HashMap<String, u32>,
    words: std::collections::HashMap<i64, Vec<u32>>,
}

impl NameIndex {
    fn read(conn: &Connection) -> Result<NameIndex> {
        conn.execute_batch(
            "DROP TABLE IF EXISTS temp.motcua_names_vocab;
             CREATE VIRTUAL TABLE temp.motcua_names_vocab USING fts5vocab(main, 'dossier_names', 'instance');",
        )?;
        let mut out = NameIndex { ids: Default::default(), words: Default::default() };
        {
            let mut st = conn.prepare("SELECT term, doc FROM temp.motcua_names_vocab")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let (term, doc): (String, i64) = (r.get(0)?, r.get(1)?);
                let next = out.ids.len() as u32;
                let id = *out.ids.entry(term).or_insert(next);
                out.words.entry(doc).or_default().push(id);
            }
        }
        conn.execute_batch("DROP TABLE temp.motcua_names_vocab")?;
        Ok(out)
    }

    /// Whether the index holds every one of `words` for dossier row `id`.
    fn holds(&self, id: i64, words: &[String]) -> bool {
        let held = self.words.get(&id).map(Vec::as_slice).unwrap_or_default();
        words.iter().all(|w| self.ids.get(w).is_some_and(|t| held.contains(t)))
    }
}

pub fn verify(conn: &Connection) -> Result<ProjectionCheck> {
    let rows: Vec<Row> = {
        let mut st = conn.prepare(
            "SELECT id, code, provisional_code, procedure_code, applicant_name, id_number, phone, received_at, due_at, status FROM dossiers ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let names = NameIndex::read(conn)?;
    let mut out = ProjectionCheck { dossiers: 0, problems: vec![] };
    let mut differing = 0usize;
    let mut batches_expected = std::collections::BTreeSet::new();
    for (id, code, provisional, procedure, name, id_number, phone, received_at, due_at, status) in rows {
        out.dossiers += 1;
        let mut events: Vec<(i64, String, EventKind)> = Vec::new();
        let mut undecodable = None;
        for (eid, at, p) in merged_event_rows(conn, id)? {
            match decode_payload(conn, &p) {
                Ok(e) => events.push((eid, at, e)),
                Err(_) => undecodable = Some(eid),
            }
        }
        let mut wrong: Vec<&str> = Vec::new();
        if let Some(eid) = undecodable {
            out.problems.push(format!("dossier {code}: event {eid} cannot be decoded"));
            continue;
        }
        for (eid, _, e) in &events {
            if let EventKind::HandedOver { batch, .. } = e {
                if !batch.is_empty() {
                    batches_expected.insert((batch.clone(), id, *eid));
                }
            }
        }
        let (dossier, _) = fold_merged(events.iter().map(|(_, at, e)| (at.as_str(), e)));
        let Some(d) = dossier else {
            out.problems.push(format!("dossier {code} has no received event"));
            continue;
        };
        let checks: [(&str, bool); 9] = [
            ("code", d.code == code),
            ("provisional code", d.provisional_code == provisional),
            ("procedure", d.procedure_code == procedure),
            ("applicant name", d.applicant.full_name == name),
            ("id number", d.applicant.id_number == id_number),
            ("phone", d.applicant.phone == phone),
            ("received time", d.received_at == received_at),
            ("due time", d.due_at == due_at),
            ("status", d.status.as_str() == status),
        ];
        wrong.extend(checks.iter().filter(|c| !c.1).map(|c| c.0));
        let words = crate::text::fold_words(&d.applicant.full_name);
        if !words.is_empty() {
            if !names.holds(id, &words) {
                wrong.push("name search index");
            }
        }
        if !wrong.is_empty() {
            differing += 1;
            if differing <= MAX_LISTED {
                out.problems.push(format!("dossier {code}: {} differ(s) from its events (the projection was edited)", wrong.join(", ")));
            }
        }
    }
    if differing > MAX_LISTED {
        out.problems.push(format!("{} more dossiers differ from their events", differing - MAX_LISTED));
    }
    // handover batches: exactly the handed-over events that name a batch
    let held: std::collections::BTreeSet<(String, i64, i64)> = {
        let mut st = conn.prepare("SELECT batch, dossier_id, event_id FROM handover_batches")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if let Some((batch, _, eid)) = held.difference(&batches_expected).next() {
        out.problems.push(format!("handover batch {batch} lists event {eid}, which is no handover to that batch (the batch list was edited)"));
    }
    if let Some((batch, _, eid)) = batches_expected.difference(&held).next() {
        out.problems.push(format!("handover batch {batch} is missing event {eid} (the batch list was edited)"));
    }
    Ok(out)
}

/// Migration 8's hook: handover batches of pulled events were not listed before; list them so the
/// projection is exactly the handed-over events that name a batch.
pub(crate) fn backfill_pulled_batches(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    let rows: Vec<(i64, i64, Vec<u8>)> = {
        let mut st = tx.prepare("SELECT id, dossier_id, payload FROM events WHERE kind = 'handed_over' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (eid, did, p) in rows {
        if let Ok(EventKind::HandedOver { batch, .. }) = decode_payload(tx, &p) {
            if !batch.is_empty() {
                tx.execute("INSERT OR IGNORE INTO handover_batches(batch, dossier_id, event_id) VALUES (?1, ?2, ?3)", params![batch, did, eid])?;
            }
        }
    }
    Ok(())
}
