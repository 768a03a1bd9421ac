//! Type-ahead over the catalog, as clerks type: every folded word of the query must start a word of
//! the name or field (or sit inside the code), or the whole query is one of the procedure's aliases
//! ("đkks", "hkd", "ct"). Exact code matches come first, then aliases, then the procedures this
//! counter takes in most, then by name.

use std::collections::HashMap;

use super::Procedure;
use crate::text;

/// The search without usage (tests, the CLI's `catalog list`).
pub fn search<'a>(procedures: &'a [Procedure], query: &str) -> Vec<&'a Procedure> {
    search_ranked(procedures, query, &HashMap::new())
}

/// The search with `usage` (dossiers per procedure code taken in recently at this counter).
pub fn search_ranked<'a>(procedures: &'a [Procedure], query: &str, usage: &HashMap<String, u32>) -> Vec<&'a Procedure> {
    let q = text::fold_words(query);
    let raw = query.trim();
    let squashed: String = q.concat();
    let mut hits: Vec<(u8, u32, &Procedure)> = procedures
        .iter()
        .filter_map(|p| {
            let used = usage.get(&p.code).copied().unwrap_or(0);
            if raw.is_empty() {
                return Some((3, used, p));
            }
            if p.code == raw {
                return Some((0, used, p));
            }
            if p.code.starts_with(raw) {
                return Some((1, used, p));
            }
            let alias = p.aliases.iter().any(|a| {
                let f = text::fold_words(a);
                f == q || (!squashed.is_empty() && f.concat() == squashed)
            });
            if alias {
                return Some((2, used, p));
            }
            let words = text::fold_words(&format!("{} {} {}", p.name, p.field, p.aliases.join(" ")));
            let all = q.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str())));
            all.then_some((3, used, p))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)).then_with(|| a.2.name.cmp(&b.2.name)));
    hits.into_iter().map(|(_, _, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{parse_catalog, DEFAULT_CATALOG_JSON};

    #[test]
    fn aliases_and_usage_rank_the_list() {
        let mut c = parse_catalog(DEFAULT_CATALOG_JSON).unwrap().procedures;
        for p in c.iter_mut() {
            p.aliases.clear();
        }
        let ks = c.iter().position(|p| p.code == "1.001193").unwrap();
        c[ks].aliases = vec!["ĐKKS".into(), "khai sinh".into()];
        assert_eq!(search(&c, "dkks")[0].code, "1.001193", "an alias, folded");
        assert_eq!(search(&c, "đkks")[0].code, "1.001193");
        assert_eq!(search(&c, "d k k s")[0].code, "1.001193", "spaces typed inside an abbreviation");
        // usage puts this counter's most used procedure first among equals
        let all = search(&c, "");
        let other = all.iter().rev().find(|p| p.code != "1.001193").unwrap().code.clone();
        let usage: HashMap<String, u32> = [(other.clone(), 40), ("1.001193".into(), 3)].into();
        let ranked = search_ranked(&c, "", &usage);
        assert_eq!((ranked[0].code.as_str(), ranked[1].code.as_str()), (other.as_str(), "1.001193"));
        // an exact code still beats usage
        assert_eq!(search_ranked(&c, "1.001193", &usage)[0].code, "1.001193");
    }

    #[test]
    fn type_ahead_ignores_diacritics_and_matches_codes() {
        let c = parse_catalog(DEFAULT_CATALOG_JSON).unwrap();
        let ks = search(&c.procedures, "khai sinh");
        assert!(!ks.is_empty());
        assert!(ks.iter().any(|p| text::fold(&p.name).contains("khai sinh")));
        let ct = search(&c.procedures, "chung thuc");
        assert!(ct.iter().any(|p| p.code == "2.000815"));
        assert_eq!(search(&c.procedures, "1.001193")[0].code, "1.001193");
        assert!(search(&c.procedures, "zzzz khong co").is_empty());
    }
}

impl crate::store::Store {
    /// How often each procedure was taken in among the last `recent` dossiers this machine holds (a
    /// range scan on the row id: cheap with a million dossiers).
    pub fn procedure_usage(&self, recent: i64) -> crate::error::Result<HashMap<String, u32>> {
        let mut st = self.conn().prepare_cached(
            "SELECT procedure_code, COUNT(*) FROM dossiers WHERE id > (SELECT COALESCE(MAX(id), 0) - ?1 FROM dossiers)
             AND status NOT IN ('guided', 'not_accepted') GROUP BY procedure_code",
        )?;
        let rows = st.query_map([recent], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The intake screen's type-ahead: up to `limit` procedures, this counter's most used first
    /// among equal matches.
    pub fn catalog_search(&self, query: &str, limit: usize) -> crate::error::Result<Vec<super::ProcedureView>> {
        crate::limits::length("query", "Từ khóa", query, crate::limits::CATALOG_TEXT)?;
        let usage = self.procedure_usage(2000)?;
        Ok(search_ranked(self.procedures(), query, &usage).into_iter().take(limit).map(super::ProcedureView::of).collect())
    }
}
