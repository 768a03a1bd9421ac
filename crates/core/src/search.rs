//! Finding a dossier at the counter: by code (official or provisional, whole or a prefix), by ID or phone
//! number (digits, whole or a prefix), or by the applicant's name with or without diacritics
//! ("dang huu phuoc" finds "Đặng Hữu Phước"), or by the day's short number a clerk reads off the
//! receipt ("0003" today, "261130-0003" another day: the code this counter issued with that serial).
//! Results are newest first and paginated by a cursor; no query returns an unbounded set.

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
    /// The procedure's name from the catalog (its code when the catalog no longer has it).
    pub procedure_name: String,
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

/// The day and serial a short number names: "0003" (today), "261130-0003" or "261130/3" (that day).
fn day_number(q: &str, today: chrono::NaiveDate) -> Option<(chrono::NaiveDate, u32)> {
    let q = q.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(q) && q.len() <= 8 {
        return Some((today, q.parse().ok().filter(|n| *n > 0)?));
    }
    let (day, seq) = q.split_once(['-', '/', ' '])?;
    if day.len() == 6 && digits(day) && digits(seq) && seq.len() <= 8 {
        let d = chrono::NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").ok()?;
        return Some((d, seq.parse().ok().filter(|n| *n > 0)?));
    }
    None
}

/// The one dossier a clerk means by a code or by the day's short number ("0003", "261130-0003"):
/// the return desk and the hand-over take either (`Right::Read`).
pub fn find_one(store: &Store, text: &str) -> Result<crate::dossier::Dossier> {
    store.require(crate::accounts::Right::Read)?;
    crate::limits::length("code", "Mã hồ sơ", text, crate::limits::CODE)?;
    let code = text.trim();
    match store.dossier_by_code(code) {
        Err(CoreError::NotFound(msg)) => {
            let Some((day, seq)) = day_number(code, store.clock().now().date()) else {
                return Err(CoreError::NotFound(msg));
            };
            for c in day_codes(store, day, seq)? {
                if let Ok(d) = store.dossier_by_code(&c) {
                    return Ok(d);
                }
            }
            Err(CoreError::NotFound(msg))
        }
        other => other,
    }
}

/// The codes this counter gave a day's serial: official (the template in use) and provisional.
fn day_codes(store: &Store, day: chrono::NaiveDate, seq: u32) -> Result<Vec<String>> {
    let ctx = store.context()?;
    Ok(vec![
        crate::codes::format_official(store.code_template(), &ctx.agency_code, day, seq),
        crate::codes::format_provisional(&ctx.agency_code, &ctx.counter_id, day, seq),
    ])
}

/// Dossiers matching a code, a name, an ID number or a phone, newest first (`Right::Read`).
pub fn search(store: &Store, query: &str, cursor: Option<i64>, limit: Option<u32>) -> Result<SearchPage> {
    store.require(crate::accounts::Right::Read)?;
    crate::limits::length("query", "Từ khóa tìm kiếm", query, crate::limits::CATALOG_TEXT)?;
    let mut page = search_matching(store, query, cursor, limit)?;
    // the day's short number: the dossier with that code first (on the first page)
    if cursor.is_none() {
        if let Some((day, seq)) = day_number(query, store.clock().now().date()) {
            let codes = day_codes(store, day, seq)?;
            let mut st = store.conn().prepare_cached(&format!("SELECT {COLS} FROM dossiers d WHERE d.code IN (?1, ?2) OR d.provisional_code IN (?1, ?2)"))?;
            let found: Vec<SearchHit> = st.query_map([&codes[0], &codes[1]], |r| hit(store, r))?.collect::<rusqlite::Result<_>>()?;
            for h in found.into_iter().rev() {
                page.hits.retain(|x| x.code != h.code);
                page.hits.insert(0, h);
            }
        }
    }
    Ok(page)
}

const COLS: &str = "d.id, d.code, d.provisional_code IS NOT NULL AND d.provisional_code = d.code, d.applicant_name, d.id_number,
                    d.phone, d.procedure_code, d.received_at, d.due_at, d.status";

fn hit(store: &Store, r: &rusqlite::Row) -> rusqlite::Result<SearchHit> {
    let status: String = r.get(9)?;
    let procedure_code: String = r.get(6)?;
    Ok(SearchHit {
        code: r.get(1)?,
        provisional: r.get(2)?,
        applicant_name: r.get(3)?,
        id_number: r.get(4)?,
        phone: r.get(5)?,
        procedure_name: store.procedure(&procedure_code).map(|p| p.name.clone()).unwrap_or_else(|| procedure_code.clone()),
        procedure_code,
        received_at: r.get(7)?,
        due_at: r.get(8)?,
        status: DossierStatus::parse(&status).ok_or_else(|| rusqlite::Error::InvalidColumnType(9, status, rusqlite::types::Type::Text))?,
    })
}

fn search_matching(store: &Store, query: &str, cursor: Option<i64>, limit: Option<u32>) -> Result<SearchPage> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as i64;
    let before = cursor.unwrap_or(i64::MAX);
    let Some(q) = classify(query) else {
        return Err(CoreError::validation("query", "Nhập mã hồ sơ, họ tên, số giấy tờ hoặc số điện thoại để tìm"));
    };
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
        last_id = Some(r.get::<_, i64>(0)?);
        hits.push(hit(store, r)?);
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

    #[test]
    fn short_day_numbers() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(day_number("0003", today), Some((today, 3)));
        assert_eq!(day_number("261129-0012", today), Some((chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(), 12)));
        assert_eq!(day_number("0912345678", today), None, "a phone number");
        assert_eq!(day_number("261399-0001", today), None, "no such day");
        assert_eq!(day_number("0000", today), None);
    }
}
