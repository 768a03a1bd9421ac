//! Finding a dossier at the counter: by code (official or provisional, whole or a prefix), by ID or phone
//! number (digits, whole or a prefix), or by the applicant's name with or without diacritics
//! ("dang huu phuoc" finds "Đặng Hữu Phước"). Results are newest first and paginated by a cursor;
//! no query returns an unbounded set.

use rusqlite::params_from_iter;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dossier::DossierStatus;
use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::text;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub code: String,
    pub provisional: bool,
    pub applicant_name: String,
    pub id_number: String,
    pub phone: String,
    pub procedure_code: String,
    pub received_at: String,
    pub due_at: String,
    pub status: DossierStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// Pass back to get the next page; absent on the last page.
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<i64>,
}

/// What the query looks like.
#[derive(Debug, PartialEq)]
enum Query {
    Code(String),
    Digits(String),
    Name(Vec<String>),
}

fn classify(q: &str) -> Option<Query> {
    let q = text::clean(q);
    if q.is_empty() {
        return None;
    }
    let compact: String = q.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect();
    if compact.chars().all(|c| c.is_ascii_digit()) && !q.contains('.') && !q.contains('-') {
        return Some(Query::Digits(compact));
    }
    let upper = q.to_uppercase();
    let looks_like_code = upper.starts_with("TAM-")
        || (upper.contains('-') && upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        || (upper.contains('.') && upper.chars().any(|c| c.is_ascii_digit()) && !upper.contains(' '));
    if looks_like_code {
        return Some(Query::Code(upper));
    }
    let words = text::fold_words(&q);
    if words.is_empty() {
        return None;
    }
    Some(Query::Name(words))
}

/// FTS5 query: every word must match; the last as a prefix (type-ahead).
fn fts_query(words: &[String]) -> String {
    let n = words.len();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if i + 1 == n { format!("\"{w}\"*") } else { format!("\"{w}\"") })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// GLOB pattern for a prefix (codes and numbers contain no GLOB metacharacters once checked).
fn prefix_glob(p: &str) -> String {
    format!("{}*", p.replace(['*', '?', '['], ""))
}

/// Dossiers matching a code, a name, an ID number or a phone, newest first (`Right::Read`).
pub fn search(store: &Store, query: &str, cursor: Option<i64>, limit: Option<u32>) -> Result<SearchPage> {
    store.require(crate::accounts::Right::Read)?;
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as i64;
    let before = cursor.unwrap_or(i64::MAX);
    let Some(q) = classify(query) else {
        return Err(CoreError::validation("query", "Nhập mã hồ sơ, họ tên, số giấy tờ hoặc số điện thoại để tìm"));
    };
    const COLS: &str = "d.id, d.code, d.provisional_code IS NOT NULL AND d.provisional_code = d.code, d.applicant_name, d.id_number,
                        d.phone, d.procedure_code, d.received_at, d.due_at, d.status";
    let (sql, args): (String, Vec<String>) = match q {
        Query::Code(c) => (
            format!(
                "SELECT {COLS} FROM dossiers d WHERE d.id IN (
                   SELECT id FROM dossiers WHERE code GLOB ?1
                   UNION SELECT id FROM dossiers WHERE provisional_code GLOB ?1
                   UNION SELECT dossier_id FROM dossier_recodes WHERE old_code GLOB ?1)
                 AND d.id < ?2 ORDER BY d.id DESC LIMIT ?3"
            ),
            vec![prefix_glob(&c), before.to_string(), (limit + 1).to_string()],
        ),
        Query::Digits(n) => (
            format!(
                "SELECT {COLS} FROM dossiers d WHERE d.id IN (
                   SELECT id FROM dossiers WHERE id_number GLOB ?1
                   UNION SELECT id FROM dossiers WHERE phone GLOB ?1)
                 AND d.id < ?2 ORDER BY d.id DESC LIMIT ?3"
            ),
            vec![prefix_glob(&n), before.to_string(), (limit + 1).to_string()],
        ),
        Query::Name(words) => (
            format!(
                "SELECT {COLS} FROM dossiers d JOIN (
                   SELECT rowid FROM dossier_names WHERE dossier_names MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3
                 ) f ON f.rowid = d.id ORDER BY d.id DESC"
            ),
            vec![fts_query(&words), before.to_string(), (limit + 1).to_string()],
        ),
    };
    let mut st = store.conn().prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(args.iter()))?;
    let mut hits = Vec::new();
    let mut last_id = None;
    while let Some(r) = rows.next()? {
        if hits.len() as i64 == limit {
            return Ok(SearchPage { hits, next_cursor: last_id });
        }
        let status: String = r.get(9)?;
        last_id = Some(r.get::<_, i64>(0)?);
        hits.push(SearchHit {
            code: r.get(1)?,
            provisional: r.get(2)?,
            applicant_name: r.get(3)?,
            id_number: r.get(4)?,
            phone: r.get(5)?,
            procedure_code: r.get(6)?,
            received_at: r.get(7)?,
            due_at: r.get(8)?,
            status: DossierStatus::parse(&status).ok_or_else(|| CoreError::Internal(format!("unknown status {status}")))?,
        });
    }
    Ok(SearchPage { hits, next_cursor: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_queries() {
        assert_eq!(classify("000.00.06.H56-231027-0361"), Some(Query::Code("000.00.06.H56-231027-0361".into())));
        assert_eq!(classify("tam-000"), Some(Query::Code("TAM-000".into())));
        assert_eq!(classify("0912 345 678"), Some(Query::Digits("0912345678".into())));
        assert_eq!(classify("001090012345"), Some(Query::Digits("001090012345".into())));
        assert_eq!(classify("Đặng hữu"), Some(Query::Name(vec!["dang".into(), "huu".into()])));
        assert_eq!(classify("   "), None);
        assert_eq!(fts_query(&["dang".into(), "huu".into()]), "\"dang\" AND \"huu\"*");
    }
}
