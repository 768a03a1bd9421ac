//! The procedure catalog (danh mục thủ tục hành chính): what a counter can take in, with each
//! procedure's time limit, fee and checklist of documents. Loaded from `assets/catalog/*.json`
//! (schema `motcua.catalog/1`) on first run and replaced by `catalog import`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::text;

/// The catalog shipped with the app (real ward-level procedures; sources cited inside the file).
pub const DEFAULT_CATALOG_JSON: &str = include_str!("../../../assets/catalog/procedures.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TimeLimit {
    /// Working days inside office hours (1 day = the office hours of one day, e.g. 8 h); halves allowed.
    WorkingDays { days: f64 },
    /// Calendar days ("ngày"); if the last day is not a working day the limit moves to the next one.
    CalendarDays { days: u32 },
    /// Done the same working day; received after `cutoff` (HH:MM) → the next working day.
    SameDay { cutoff: String },
}

impl TimeLimit {
    /// Vietnamese label for forms and screens ("05 ngày làm việc", "Trong ngày").
    pub fn label(&self) -> String {
        match self {
            TimeLimit::WorkingDays { days } if days.fract() == 0.0 => format!("{:02} ngày làm việc", *days as u32),
            TimeLimit::WorkingDays { days } => format!("{} ngày làm việc", days.to_string().replace('.', ",")),
            TimeLimit::CalendarDays { days } => format!("{days:02} ngày"),
            TimeLimit::SameDay { cutoff } => format!("Trong ngày (nhận sau {cutoff} trả ngày làm việc tiếp theo)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fee {
    /// Amount in đồng for one dossier (or one unit, see `note`).
    #[ts(type = "number")]
    pub amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

/// How a document is handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentForm {
    /// Bản chính
    Original,
    /// Bản sao / bản chụp
    Copy,
    /// Bản sao có chứng thực
    CertifiedCopy,
    /// Xuất trình (shown, not kept)
    Presented,
}

impl DocumentForm {
    pub const ALL: [DocumentForm; 4] = [DocumentForm::Original, DocumentForm::Copy, DocumentForm::CertifiedCopy, DocumentForm::Presented];
    pub fn label(self) -> &'static str {
        match self {
            DocumentForm::Original => "Bản chính",
            DocumentForm::Copy => "Bản sao",
            DocumentForm::CertifiedCopy => "Bản sao chứng thực",
            DocumentForm::Presented => "Xuất trình",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequiredDocument {
    pub id: String,
    pub name: String,
    pub form: DocumentForm,
    pub count: u32,
    pub mandatory: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Procedure {
    /// National database code, e.g. `1.001193`.
    pub code: String,
    pub name: String,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    pub level: String,
    pub time_limit: TimeLimit,
    pub fee: Fee,
    pub documents: Vec<RequiredDocument>,
    pub result: String,
    pub postal_return: bool,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub source: String,
    /// L (legal text), S (secondary source), R (recalled, unconfirmed).
    #[serde(default)]
    pub confidence: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogFile {
    pub schema: String,
    #[serde(default)]
    pub version: String,
    pub procedures: Vec<Procedure>,
}

/// Parses and checks a catalog file; every problem is reported with the procedure it concerns.
pub fn parse_catalog(json: &str) -> Result<CatalogFile> {
    let mut file: CatalogFile = serde_json::from_str(json)
        .map_err(|e| CoreError::invalid(format!("Tệp danh mục không đúng định dạng JSON: {e}")))?;
    if file.schema != "motcua.catalog/1" {
        return Err(CoreError::invalid(format!(
            "Tệp danh mục có schema '{}' không được hỗ trợ (cần motcua.catalog/1)",
            file.schema
        )));
    }
    if file.procedures.is_empty() {
        return Err(CoreError::invalid("Tệp danh mục không có thủ tục nào"));
    }
    let mut seen = std::collections::HashSet::new();
    for p in &mut file.procedures {
        p.code = p.code.trim().to_string();
        p.name = text::clean(&p.name);
        p.field = text::clean(&p.field);
        p.result = text::clean(&p.result);
        for d in &mut p.documents {
            d.name = text::clean(&d.name);
        }
        check_procedure(p)?;
        if !seen.insert(p.code.clone()) {
            return Err(CoreError::invalid(format!("Mã thủ tục {} bị lặp trong tệp danh mục", p.code)));
        }
    }
    Ok(file)
}

fn check_procedure(p: &Procedure) -> Result<()> {
    let ctx = |m: &str| CoreError::invalid(format!("Thủ tục {} ({}): {m}", p.code, p.name));
    if p.code.is_empty() || !p.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
        return Err(ctx("mã thủ tục không hợp lệ"));
    }
    if p.name.is_empty() {
        return Err(ctx("thiếu tên thủ tục"));
    }
    // what a dossier copies from the catalog is printed and travels in its events: bounded, printable
    use crate::limits::{first_unprintable, CATALOG_DOCUMENTS, CATALOG_TEXT, CODE};
    if p.code.len() > CODE {
        return Err(ctx(&format!("mã thủ tục dài quá {CODE} ký tự")));
    }
    if p.documents.len() > CATALOG_DOCUMENTS {
        return Err(ctx(&format!("quá {CATALOG_DOCUMENTS} thành phần hồ sơ")));
    }
    let texts = [("tên thủ tục", &p.name), ("lĩnh vực", &p.field), ("kết quả", &p.result)];
    for (what, t) in texts.into_iter().chain(p.documents.iter().map(|d| ("tên thành phần hồ sơ", &d.name))) {
        if t.chars().count() > CATALOG_TEXT {
            return Err(ctx(&format!("{what} dài quá {CATALOG_TEXT} ký tự")));
        }
        if let Some(c) = first_unprintable(t) {
            return Err(ctx(&format!("{what} có ký tự U+{:04X} không in được trên biểu mẫu", c as u32)));
        }
    }
    if p.fee.amount < 0 {
        return Err(ctx("lệ phí âm"));
    }
    match &p.time_limit {
        TimeLimit::WorkingDays { days } => {
            if !(*days > 0.0 && *days <= 365.0 && (days * 2.0).fract() == 0.0) {
                return Err(ctx("thời hạn ngày làm việc phải là bội số của 0,5 và lớn hơn 0"));
            }
        }
        TimeLimit::CalendarDays { days } => {
            if *days == 0 || *days > 730 {
                return Err(ctx("thời hạn ngày không hợp lệ"));
            }
        }
        TimeLimit::SameDay { cutoff } => {
            if chrono::NaiveTime::parse_from_str(cutoff, "%H:%M").is_err() {
                return Err(ctx("giờ tiếp nhận tối đa (cutoff) phải có dạng HH:MM"));
            }
        }
    }
    let mut ids = std::collections::HashSet::new();
    for d in &p.documents {
        if d.id.is_empty() || !ids.insert(d.id.as_str()) {
            return Err(ctx(&format!("thành phần hồ sơ '{}' thiếu mã hoặc bị lặp mã", d.name)));
        }
        if d.id.len() > CODE {
            return Err(ctx(&format!("mã thành phần hồ sơ '{}' dài quá {CODE} ký tự", d.name)));
        }
        if d.count == 0 || d.count > 999 {
            return Err(ctx(&format!("số lượng của '{}' phải từ 1 đến 999", d.name)));
        }
    }
    Ok(())
}

/// A procedure as the intake screen lists it: with its time limit in words (the one label).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProcedureView {
    #[serde(flatten)]
    pub procedure: Procedure,
    pub time_limit_label: String,
}

impl ProcedureView {
    pub fn of(p: &Procedure) -> ProcedureView {
        ProcedureView { time_limit_label: p.time_limit.label(), procedure: p.clone() }
    }
}

/// Type-ahead over the catalog: every folded word of the query must occur (as a prefix of a word,
/// or inside the code). Exact code matches come first, then by name.
pub fn search<'a>(procedures: &'a [Procedure], query: &str) -> Vec<&'a Procedure> {
    let q = text::fold_words(query);
    let raw = query.trim();
    let mut hits: Vec<(u8, &Procedure)> = procedures
        .iter()
        .filter_map(|p| {
            if raw.is_empty() {
                return Some((2, p));
            }
            if p.code == raw {
                return Some((0, p));
            }
            if p.code.starts_with(raw) {
                return Some((1, p));
            }
            let words = text::fold_words(&format!("{} {}", p.name, p.field));
            let all = q.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str())));
            all.then_some((2, p))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    hits.into_iter().map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_is_valid_and_real_sized() {
        let c = parse_catalog(DEFAULT_CATALOG_JSON).unwrap();
        assert!(c.procedures.len() >= 25, "only {} procedures", c.procedures.len());
        assert!(c.procedures.iter().any(|p| p.code == "1.001193"));
        for p in &c.procedures {
            assert!(!p.documents.is_empty(), "{} has no documents", p.code);
            assert!(!p.source.is_empty(), "{} cites no source", p.code);
        }
    }

    #[test]
    fn type_ahead_ignores_diacritics_and_matches_codes() {
        let c = parse_catalog(DEFAULT_CATALOG_JSON).unwrap();
        let ks = search(&c.procedures, "khai sinh");
        assert!(!ks.is_empty());
        assert!(ks.iter().all(|p| text::fold(&p.name).contains("khai sinh")));
        let ct = search(&c.procedures, "chung thuc");
        assert!(ct.iter().any(|p| p.code == "2.000815"));
        assert_eq!(search(&c.procedures, "1.001193")[0].code, "1.001193");
        assert!(search(&c.procedures, "zzzz khong co").is_empty());
    }

    #[test]
    fn rejects_bad_catalogs_with_a_named_procedure() {
        assert!(parse_catalog("{").is_err());
        let bad = r#"{"schema":"motcua.catalog/1","procedures":[{"code":"1.1","name":"X","field":"F","level":"commune",
          "time_limit":{"kind":"working_days","days":0},"fee":{"amount":0},"documents":[],"result":"r","postal_return":false}]}"#;
        let e = parse_catalog(bad).unwrap_err().to_string();
        assert!(e.contains("1.1"), "{e}");
        let dup = r#"{"schema":"motcua.catalog/1","procedures":[
          {"code":"1.1","name":"X","field":"F","level":"commune","time_limit":{"kind":"working_days","days":1},"fee":{"amount":0},"documents":[],"result":"r","postal_return":false},
          {"code":"1.1","name":"Y","field":"F","level":"commune","time_limit":{"kind":"working_days","days":1},"fee":{"amount":0},"documents":[],"result":"r","postal_return":false}]}"#;
        assert!(parse_catalog(dup).unwrap_err().to_string().contains("lặp"));
    }

    #[test]
    fn time_limit_labels() {
        assert_eq!(TimeLimit::WorkingDays { days: 5.0 }.label(), "05 ngày làm việc");
        assert_eq!(TimeLimit::WorkingDays { days: 0.5 }.label(), "0,5 ngày làm việc");
    }
}
