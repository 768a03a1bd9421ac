//! A returning citizen: when an ID number has earlier dossiers at this office, the intake screen
//! offers the phone, e-mail and address given then (each with the date it was given), for the clerk
//! to take or leave — never filled in silently. Reading them is a read of personal data: it needs a
//! session with the read right, like every other read.

use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::store::Store;

/// The most earlier dossiers looked at.
const LOOK_BACK: i64 = 20;

/// One contact detail given at an earlier intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PriorDetail {
    /// The intake form's field: `applicant.phone`, `applicant.email`, `applicant.address`.
    pub field: String,
    pub label: String,
    pub value: String,
    /// When it was given (the dossier's intake time, RFC 3339).
    pub given_at: String,
    pub dossier_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReturningCitizen {
    pub full_name: String,
    /// Earlier dossiers at this office (up to the look-back).
    pub dossiers: u32,
    /// Each distinct value, newest first.
    pub details: Vec<PriorDetail>,
}

/// What earlier dossiers of `id_number` say, or None for a first visit.
pub fn returning(store: &Store, id_number: &str) -> Result<Option<ReturningCitizen>> {
    store.require(crate::accounts::Right::Read)?;
    let id: String = crate::limits::text("applicant.id_number", "Số giấy tờ", id_number, crate::limits::ID_NUMBER)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if id.len() < 3 {
        return Ok(None);
    }
    let ids: Vec<i64> = {
        let mut st = store.conn().prepare_cached("SELECT id FROM dossiers WHERE id_number = ?1 ORDER BY id DESC LIMIT ?2")?;
        let rows = st.query_map(rusqlite::params![id, LOOK_BACK], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out: Option<ReturningCitizen> = None;
    for dossier_id in &ids {
        let d = store.dossier_by_id(*dossier_id)?;
        let a = &d.applicant;
        let r = out.get_or_insert_with(|| ReturningCitizen { full_name: a.full_name.clone(), dossiers: 0, details: Vec::new() });
        r.dossiers += 1;
        let given = [("applicant.phone", "Điện thoại", Some(a.phone.clone())), ("applicant.email", "Email", a.email.clone()), ("applicant.address", "Địa chỉ", Some(a.address.clone()))];
        for (field, label, value) in given {
            let Some(value) = value.filter(|v| !v.is_empty()) else { continue };
            if r.details.iter().any(|x| x.field == field && x.value == value) {
                continue;
            }
            r.details.push(PriorDetail { field: field.into(), label: label.into(), value, given_at: d.received_at.clone(), dossier_code: d.code.clone() });
        }
    }
    Ok(out)
}
