//! The procedure catalog (danh mục thủ tục hành chính): what a counter can take in, with each
//! procedure's time limit, fee and checklist of documents. Loaded from `assets/catalog/*.json`
//! (schema `motcua.catalog/1`) on first run and replaced by `catalog import`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use fee_schedule::{FeeSchedule, FeeUnits};
pub use search::{search, search_ranked};

#[path = "catalog/fee_schedule.rs"]
pub mod fee_schedule;
#[path = "catalog/search.rs"]
mod search;

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

/// What the catalog knows about a procedure's fee. A fee is never silently 0: the catalog says it is
/// exempt, not collected, a known amount, or not yet known (the province's figure is missing: the
/// clerk enters it before confirming, and the province's figure arrives as a catalog edit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FeeKind {
    /// A known amount in đồng (> 0).
    Amount,
    /// Miễn lệ phí (0 by law).
    Exempt,
    /// Không thu (no fee is set for this procedure).
    NotCollected,
    /// Chưa có mức của tỉnh: the clerk must enter the amount at intake.
    Unknown,
}

impl FeeKind {
    pub const ALL: [FeeKind; 4] = [FeeKind::Amount, FeeKind::Exempt, FeeKind::NotCollected, FeeKind::Unknown];
    pub fn label(self) -> &'static str {
        match self {
            FeeKind::Amount => "Theo mức thu",
            FeeKind::Exempt => "Miễn lệ phí",
            FeeKind::NotCollected => "Không thu",
            FeeKind::Unknown => "Chưa có mức của tỉnh (nhập mức thu)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fee {
    /// Absent in catalogs written before fee kinds: an amount > 0 is `amount`, a 0 is `unknown`
    /// (a placeholder 0 must never print as "free").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub kind: Option<FeeKind>,
    /// Amount in đồng for one dossier (or one unit, see `note`); 0 unless `kind` is `amount`.
    #[serde(default)]
    #[ts(type = "number")]
    pub amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
    /// The document (and article) that sets the figure.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub source: String,
    /// How the fee grows with pages, copies or cases (the clerk counts; the core computes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub schedule: Option<FeeSchedule>,
}

impl Fee {
    /// The kind, with the rule for catalogs that do not state it.
    pub fn kind(&self) -> FeeKind {
        self.kind.unwrap_or(if self.amount > 0 { FeeKind::Amount } else { FeeKind::Unknown })
    }
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
    /// The applicant's own identity paper: read from the card at the counter, no photocopy is asked
    /// for (Decree 118/2025: papers held electronically are not asked for again).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub identity: bool,
}

/// Where a time limit comes from: the law's maximum, or the province's publication decision
/// (provinces publish shorter limits; the counter promises the province's when it has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LimitBasis {
    Law,
    Province,
}

impl LimitBasis {
    pub const ALL: [LimitBasis; 2] = [LimitBasis::Law, LimitBasis::Province];
    pub fn label(self) -> &'static str {
        match self {
            LimitBasis::Law => "Thời hạn tối đa theo văn bản quy phạm pháp luật",
            LimitBasis::Province => "Thời hạn theo Quyết định công bố thủ tục của tỉnh",
        }
    }
    /// One word for lists: "luật", "tỉnh".
    pub fn short_label(self) -> &'static str {
        match self {
            LimitBasis::Law => "luật",
            LimitBasis::Province => "tỉnh",
        }
    }
}

/// The province's own figure for a time limit, overriding the law's maximum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProvinceLimit {
    pub time_limit: TimeLimit,
    /// The publication decision, e.g. "Quyết định 2637/QĐ-UBND tỉnh Vĩnh Long (2025)".
    pub source: String,
}

/// A case (trường hợp) of a procedure: a variant with its own time limit, fee or checklist, chosen
/// at intake. What a case does not state is the procedure's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProcedureCase {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time_limit: Option<TimeLimit>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub time_limit_source: String,
    /// The province's figure for this case, overriding the case's (or the procedure's) law maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub province_time_limit: Option<ProvinceLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fee: Option<Fee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub documents: Option<Vec<RequiredDocument>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Procedure {
    /// National database code, e.g. `1.001193`.
    pub code: String,
    pub name: String,
    /// The short forms clerks type ("đkks", "hkd", "ct"): found by the catalog search.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub aliases: Vec<String>,
    /// Lĩnh vực, e.g. "Hộ tịch".
    pub field: String,
    pub level: String,
    /// The law's maximum (or the only figure known; see `time_limit_source`).
    pub time_limit: TimeLimit,
    /// The document and article that set `time_limit`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub time_limit_source: String,
    /// The province's published figure, which the counter promises when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub province_time_limit: Option<ProvinceLimit>,
    pub fee: Fee,
    pub documents: Vec<RequiredDocument>,
    /// Cases chosen at intake; empty = the procedure has one case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<ProcedureCase>>", optional)]
    pub cases: Vec<ProcedureCase>,
    pub result: String,
    pub postal_return: bool,
    #[serde(default)]
    pub legal_basis: String,
    /// The legal document or provincial decision the entry follows (not how it was found).
    #[serde(default)]
    pub source: String,
    /// How the entry was found and checked (for the catalog's maintainers).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub evidence: String,
    /// L (legal text), S (secondary source), R (recalled, unconfirmed).
    #[serde(default)]
    pub confidence: String,
}

/// What applies to one dossier of a procedure (its case chosen): the time limit promised, where it
/// comes from, the fee and the checklist.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Terms {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub case_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub case_name: Option<String>,
    pub time_limit: TimeLimit,
    pub time_limit_label: String,
    pub basis: LimitBasis,
    pub basis_label: String,
    pub time_limit_source: String,
    pub fee: Fee,
    pub fee_kind: FeeKind,
    pub fee_label: String,
    /// What the intake form's fee box starts with (the known amount), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub fee_prefill: Option<i64>,
    /// The clerk must type the fee before confirming (the catalog does not know it).
    pub fee_required: bool,
    /// For a fee by the page or the case: what the clerk counts ("Số trang bản chính"), and whether
    /// copies are asked for too; the core computes the fee from them (`intake::preview`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fee_units_label: Option<String>,
    pub fee_asks_copies: bool,
    pub documents: Vec<RequiredDocument>,
}

impl Procedure {
    /// The procedure's own terms, whatever its cases: what an online dossier that names no case is
    /// held to (the procedure's time limit, which for the shipped cases is the longest).
    pub fn terms_of_procedure(&self) -> Terms {
        Procedure { cases: Vec::new(), ..self.clone() }.terms(None).expect("a procedure without cases has terms")
    }

    /// The terms of `case_id` (None for a procedure without cases). A procedure with cases needs one.
    pub fn terms(&self, case_id: Option<&str>) -> Result<Terms> {
        let case_id = case_id.map(str::trim).filter(|c| !c.is_empty());
        let case = match (self.cases.is_empty(), case_id) {
            (true, None) => None,
            (true, Some(c)) => {
                return Err(CoreError::validation("case_id", format!("Thủ tục {} không có trường hợp '{c}'", self.code)));
            }
            (false, None) => {
                return Err(CoreError::validation("case_id", format!("Thủ tục {} có nhiều trường hợp: chọn trường hợp", self.code)));
            }
            (false, Some(c)) => Some(
                self.cases
                    .iter()
                    .find(|k| k.id == c)
                    .ok_or_else(|| CoreError::validation("case_id", format!("Thủ tục {} không có trường hợp '{c}'", self.code)))?,
            ),
        };
        // the province's figure wins over the law's maximum, the case's over the procedure's: the
        // case's province figure, the case's own limit, the procedure's province figure (for a case
        // that states no limit of its own), the procedure's limit
        let (time_limit, basis, source) = match (case.and_then(|k| k.province_time_limit.as_ref()), case.and_then(|k| k.time_limit.clone()), &self.province_time_limit) {
            (Some(p), _, _) => (p.time_limit.clone(), LimitBasis::Province, p.source.clone()),
            (None, Some(t), _) => (t, LimitBasis::Law, case.map(|k| k.time_limit_source.clone()).unwrap_or_default()),
            (None, None, Some(p)) => (p.time_limit.clone(), LimitBasis::Province, p.source.clone()),
            (None, None, None) => (self.time_limit.clone(), LimitBasis::Law, self.time_limit_source.clone()),
        };
        let fee = case.and_then(|k| k.fee.clone()).unwrap_or_else(|| self.fee.clone());
        let fee_kind = fee.kind();
        Ok(Terms {
            case_id: case.map(|k| k.id.clone()),
            case_name: case.map(|k| k.name.clone()),
            time_limit_label: time_limit.label(),
            time_limit,
            basis,
            basis_label: basis.label().to_string(),
            time_limit_source: source,
            fee_label: fee_label(fee_kind, fee.amount),
            fee_prefill: (fee_kind == FeeKind::Amount).then_some(fee.amount),
            fee_required: fee_kind == FeeKind::Unknown,
            fee_units_label: fee.schedule.as_ref().filter(|_| fee_kind == FeeKind::Amount).map(FeeSchedule::count_label),
            fee_asks_copies: fee.schedule.as_ref().is_some_and(FeeSchedule::asks_copies) && fee_kind == FeeKind::Amount,
            fee,
            fee_kind,
            documents: case.and_then(|k| k.documents.clone()).unwrap_or_else(|| self.documents.clone()),
        })
    }
}

/// The fee as a receipt prints it: never empty, never a silent 0.
pub fn fee_label(kind: FeeKind, amount: i64) -> String {
    match kind {
        FeeKind::Amount => crate::text::money(amount),
        other => other.label().to_string(),
    }
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
        for k in &mut p.cases {
            k.id = k.id.trim().to_string();
            k.name = text::clean(&k.name);
            for d in k.documents.iter_mut().flatten() {
                d.name = text::clean(&d.name);
            }
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
    use crate::limits::{first_unprintable, CATALOG_DOCUMENTS, CATALOG_NOTE, CATALOG_TEXT, CODE};
    if p.code.len() > CODE {
        return Err(ctx(&format!("mã thủ tục dài quá {CODE} ký tự")));
    }
    if p.aliases.len() > 20 || p.aliases.iter().any(|a| a.trim().is_empty() || a.chars().count() > 30 || first_unprintable(a).is_some()) {
        return Err(ctx("tên gọi tắt (aliases): tối đa 20, mỗi tên 1–30 ký tự in được"));
    }
    for f in std::iter::once(&p.fee).chain(p.cases.iter().filter_map(|k| k.fee.as_ref())) {
        if let Some(s) = &f.schedule {
            s.check().map_err(|m| ctx(&m))?;
        }
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
    // the notes and sources reach the intake screen and `catalog list`: bounded and printable too
    let empty = String::new();
    let notes = [
        ("căn cứ pháp lý", &p.legal_basis),
        ("nguồn", &p.source),
        ("cách kiểm chứng", &p.evidence),
        ("nguồn thời hạn", &p.time_limit_source),
        ("ghi chú lệ phí", p.fee.note.as_ref().unwrap_or(&empty)),
        ("nguồn lệ phí", &p.fee.source),
        ("nguồn thời hạn của tỉnh", p.province_time_limit.as_ref().map_or(&empty, |l| &l.source)),
    ];
    let case_notes = p.cases.iter().flat_map(|k| {
        [
            ("nguồn thời hạn của trường hợp", &k.time_limit_source),
            ("nguồn thời hạn của tỉnh", k.province_time_limit.as_ref().map_or(&empty, |l| &l.source)),
            ("ghi chú lệ phí", k.fee.as_ref().and_then(|f| f.note.as_ref()).unwrap_or(&empty)),
            ("nguồn lệ phí", k.fee.as_ref().map_or(&empty, |f| &f.source)),
        ]
    });
    for (what, t) in notes.into_iter().chain(case_notes) {
        if t.chars().count() > CATALOG_NOTE {
            return Err(ctx(&format!("{what} dài quá {CATALOG_NOTE} ký tự")));
        }
        // shown on screens, never printed: any script, but no control or hidden formatting character
        if let Some(c) = t.chars().find(|c| text::unsafe_for_terminal(*c)) {
            return Err(ctx(&format!("{what} có ký tự điều khiển U+{:04X}", c as u32)));
        }
    }
    check_fee(&p.fee).map_err(|m| ctx(&m))?;
    check_time_limit(&p.time_limit).map_err(|m| ctx(&m))?;
    if let Some(pl) = &p.province_time_limit {
        check_time_limit(&pl.time_limit).map_err(|m| ctx(&format!("thời hạn của tỉnh: {m}")))?;
        if pl.source.trim().is_empty() {
            return Err(ctx("thời hạn của tỉnh phải ghi quyết định công bố (source)"));
        }
    }
    check_documents(&p.documents).map_err(|m| ctx(&m))?;
    if p.cases.len() > CATALOG_DOCUMENTS {
        return Err(ctx(&format!("quá {CATALOG_DOCUMENTS} trường hợp")));
    }
    let mut case_ids = std::collections::HashSet::new();
    for k in &p.cases {
        if k.id.is_empty() || k.id.len() > CODE || !k.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || !case_ids.insert(k.id.as_str()) {
            return Err(ctx(&format!("trường hợp '{}' thiếu mã, mã sai dạng hoặc bị lặp mã", k.name)));
        }
        if k.name.is_empty() || k.name.chars().count() > CATALOG_TEXT || first_unprintable(&k.name).is_some() {
            return Err(ctx(&format!("tên trường hợp '{}' trống, quá dài hoặc có ký tự không in được", k.id)));
        }
        let kctx = |m: String| ctx(&format!("trường hợp '{}': {m}", k.name));
        if let Some(t) = &k.time_limit {
            check_time_limit(t).map_err(kctx)?;
            if k.time_limit_source.trim().is_empty() {
                return Err(ctx(&format!("trường hợp '{}': thời hạn riêng phải ghi văn bản quy định (time_limit_source)", k.name)));
            }
        }
        if let Some(pl) = &k.province_time_limit {
            check_time_limit(&pl.time_limit).map_err(kctx)?;
            if pl.source.trim().is_empty() {
                return Err(ctx(&format!("trường hợp '{}': thời hạn của tỉnh phải ghi quyết định công bố (source)", k.name)));
            }
        }
        if let Some(f) = &k.fee {
            check_fee(f).map_err(kctx)?;
        }
        if let Some(d) = &k.documents {
            check_documents(d).map_err(kctx)?;
        }
    }
    Ok(())
}

fn check_fee(fee: &Fee) -> std::result::Result<(), String> {
    if fee.amount < 0 {
        return Err("lệ phí âm".into());
    }
    if fee.amount > 1_000_000_000 {
        return Err("lệ phí quá lớn".into());
    }
    match fee.kind() {
        FeeKind::Amount if fee.amount == 0 => Err("lệ phí loại 'amount' phải lớn hơn 0 (dùng exempt, not_collected hoặc unknown)".into()),
        FeeKind::Exempt | FeeKind::NotCollected | FeeKind::Unknown if fee.amount != 0 => {
            Err("lệ phí loại exempt, not_collected, unknown không ghi số tiền".into())
        }
        _ => Ok(()),
    }
}

fn check_time_limit(t: &TimeLimit) -> std::result::Result<(), String> {
    match t {
        TimeLimit::WorkingDays { days } => {
            if !(*days > 0.0 && *days <= 365.0 && (days * 2.0).fract() == 0.0) {
                return Err("thời hạn ngày làm việc phải là bội số của 0,5 và lớn hơn 0".into());
            }
        }
        TimeLimit::CalendarDays { days } => {
            if *days == 0 || *days > 730 {
                return Err("thời hạn ngày không hợp lệ".into());
            }
        }
        TimeLimit::SameDay { cutoff } => {
            if chrono::NaiveTime::parse_from_str(cutoff, "%H:%M").is_err() {
                return Err("giờ tiếp nhận tối đa (cutoff) phải có dạng HH:MM".into());
            }
        }
    }
    Ok(())
}

fn check_documents(documents: &[RequiredDocument]) -> std::result::Result<(), String> {
    use crate::limits::{first_unprintable, CATALOG_DOCUMENTS, CATALOG_TEXT, CODE};
    if documents.len() > CATALOG_DOCUMENTS {
        return Err(format!("quá {CATALOG_DOCUMENTS} thành phần hồ sơ"));
    }
    let mut ids = std::collections::HashSet::new();
    for d in documents {
        if d.id.is_empty() || !ids.insert(d.id.as_str()) {
            return Err(format!("thành phần hồ sơ '{}' thiếu mã hoặc bị lặp mã", d.name));
        }
        if d.id.len() > CODE {
            return Err(format!("mã thành phần hồ sơ '{}' dài quá {CODE} ký tự", d.name));
        }
        if d.count == 0 || d.count > 999 {
            return Err(format!("số lượng của '{}' phải từ 1 đến 999", d.name));
        }
        if d.name.chars().count() > CATALOG_TEXT {
            return Err(format!("tên thành phần hồ sơ dài quá {CATALOG_TEXT} ký tự"));
        }
        if let Some(c) = first_unprintable(&d.name) {
            return Err(format!("tên thành phần hồ sơ có ký tự U+{:04X} không in được trên biểu mẫu", c as u32));
        }
    }
    Ok(())
}

/// A procedure as the intake screen lists it: with the terms of each case (or its one set of terms),
/// so the screen shows the time limit, where it comes from and the fee in the core's words.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProcedureView {
    #[serde(flatten)]
    pub procedure: Procedure,
    /// The label of the first case's (or the only) time limit.
    pub time_limit_label: String,
    /// One entry per case, in catalog order; exactly one for a procedure without cases.
    pub terms: Vec<Terms>,
}

impl ProcedureView {
    pub fn of(p: &Procedure) -> ProcedureView {
        let terms: Vec<Terms> = if p.cases.is_empty() {
            p.terms(None).into_iter().collect()
        } else {
            p.cases.iter().filter_map(|k| p.terms(Some(&k.id)).ok()).collect()
        };
        ProcedureView { time_limit_label: terms.first().map(|t| t.time_limit_label.clone()).unwrap_or_else(|| p.time_limit.label()), terms, procedure: p.clone() }
    }
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
