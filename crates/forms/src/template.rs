//! The forms as versioned data. A template set (assets/forms/tt03-2025.json) names the circular it
//! implements and lists, per form, its number in the appendix, its paper and a sequence of blocks; the
//! layout engine knows how to draw each block type. When a future circular changes the forms, a new file
//! with a new `version` is added and selected: no code changes.
//!
//! Text in blocks may use `{path}` placeholders, resolved against the form's data (see `data`), and
//! `**bold**` spans. Markup is parsed from the template before the data is substituted, so a citizen's
//! name can never inject formatting.

use serde::Deserialize;

use crate::error::{FormsError, Result};

pub const DEFAULT_TEMPLATES_JSON: &str = include_str!("../../../assets/forms/tt03-2025.json");
pub const SCHEMA: &str = "motcua.forms/1";

/// The form kinds are the core's (a lifecycle step names the form it prints).
pub use motcua_core::form_kind::FormKind;

#[derive(Debug, Clone, Deserialize)]
pub struct TemplateSet {
    pub schema: String,
    pub version: String,
    pub legal_basis: String,
    /// False while the wording has not been checked against the appendix text.
    pub confirmed: bool,
    #[serde(default)]
    pub note: String,
    /// Labels of the receipt's copies ("liên"), in order; copies beyond the list are numbered only.
    pub copy_labels: Vec<String>,
    pub forms: std::collections::BTreeMap<String, FormTemplate>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FormTemplate {
    /// "Mẫu số 01"
    pub number: String,
    pub title: String,
    /// "A4", "A5", "A4-landscape", or "setting" (the counter's receipt paper).
    pub paper: String,
    /// Body text size in points on A4, when the form needs a denser page than the default 12 (the
    /// receipt keeps one A4 page per copy with a long checklist).
    #[serde(default)]
    pub a4_size: Option<f32>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// Agency on the left, national motto on the right, place and date under it.
    Header {
        /// Show a "Số: ..." line under the agency (documents signed by the head).
        #[serde(default)]
        number: bool,
        /// The number line's text with placeholders (default: "Số:          /" for hand filling).
        #[serde(default)]
        number_text: Option<String>,
    },
    Title { text: String },
    Center {
        text: String,
        #[serde(default, rename = "if")]
        cond: Option<String>,
        /// Drawn only when the path holds nothing (the negation of `if`).
        #[serde(default)]
        unless: Option<String>,
    },
    /// "(Liên 1: giao người nộp hồ sơ)" on the receipt.
    CopyLabel,
    /// QR code (lookup URL) and Code 128 barcode (dossier code) side by side.
    Codes,
    Para {
        text: String,
        #[serde(default, rename = "if")]
        cond: Option<String>,
        #[serde(default)]
        unless: Option<String>,
        #[serde(default)]
        indent: bool,
        /// Italic, smaller text (notes outside the form itself, e.g. the audit anchor's footer).
        #[serde(default)]
        small: bool,
    },
    /// One line per element of the array at `items`; `{item.…}` refers to the element.
    List { items: String, text: String, #[serde(default)] empty: String },
    /// A ruled table with a header repeated on each page; `min_rows` blank rows for hand-filling.
    Table {
        rows: String,
        columns: Vec<Column>,
        #[serde(default)]
        min_rows: usize,
        #[serde(default)]
        row_min_mm: f32,
        #[serde(default)]
        size: Option<f32>,
    },
    Signatures {
        blocks: Vec<SignatureBlock>,
        /// "Nơi nhận:" list drawn in the left column instead of a signature.
        #[serde(default)]
        left_recipients: Vec<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    pub title: String,
    /// Relative width; columns share the line's width in proportion.
    pub weight: f32,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SignatureBlock {
    pub title: String,
    pub note: String,
    pub name: String,
}

impl TemplateSet {
    pub fn parse(json: &str) -> Result<TemplateSet> {
        let set: TemplateSet = serde_json::from_str(json).map_err(|e| FormsError::Template(e.to_string()))?;
        if set.schema != SCHEMA {
            return Err(FormsError::Template(format!("schema {} is not {SCHEMA}", set.schema)));
        }
        for kind in FormKind::ALL {
            let form = set.form(kind)?;
            if !["A4", "A5", "A4-landscape", "setting"].contains(&form.paper.as_str()) {
                return Err(FormsError::Template(format!("{}: unknown paper {}", kind.as_str(), form.paper)));
            }
        }
        Ok(set)
    }

    /// The templates shipped with this build.
    pub fn default_set() -> &'static TemplateSet {
        static SET: std::sync::OnceLock<TemplateSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| TemplateSet::parse(DEFAULT_TEMPLATES_JSON).expect("shipped templates are valid"))
    }

    pub fn form(&self, kind: FormKind) -> Result<&FormTemplate> {
        self.forms.get(kind.as_str()).ok_or_else(|| FormsError::Template(format!("no template for {}", kind.as_str())))
    }
}

/// A run of text with its style, after markup parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
}

/// Splits `**bold**` markup of a template string into spans (placeholders still unresolved).
pub fn parse_markup(s: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for (i, part) in s.split("**").enumerate() {
        if !part.is_empty() {
            out.push(Span { text: part.to_string(), bold: i % 2 == 1 });
        }
    }
    out
}

/// Replaces `{path}` placeholders with values from `data` (dotted paths into objects); `item` is the
/// current list element when there is one. Unknown paths become empty text.
pub fn fill(s: &str, data: &serde_json::Value, item: Option<&serde_json::Value>) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    let mut rest = s;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let path = &after[..end];
                out.push_str(&lookup_text(path, data, item));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn lookup<'a>(path: &str, data: &'a serde_json::Value, item: Option<&'a serde_json::Value>) -> Option<&'a serde_json::Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut v = if first == "item" { item? } else { data.get(first)? };
    for p in parts {
        v = v.get(p)?;
    }
    Some(v)
}

fn lookup_text(path: &str, data: &serde_json::Value, item: Option<&serde_json::Value>) -> String {
    match lookup(path, data, item) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::Bool(b)) => if *b { "có" } else { "không" }.to_string(),
        _ => String::new(),
    }
}

/// True when the path holds something worth printing (non-empty text, non-zero, non-empty list).
pub fn truthy(path: &str, data: &serde_json::Value) -> bool {
    match lookup(path, data, None) {
        Some(serde_json::Value::String(s)) => !s.trim().is_empty(),
        Some(serde_json::Value::Array(a)) => !a.is_empty(),
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_f64() != Some(0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shipped_set_has_every_form_in_appendix_order() {
        let set = TemplateSet::default_set();
        let numbers: Vec<_> = FormKind::ALL.iter().map(|k| set.form(*k).unwrap().number.clone()).collect();
        // The handover list is the counter's own record: no appendix number.
        assert_eq!(numbers, ["Mẫu số 01", "Mẫu số 02", "Mẫu số 03", "Mẫu số 04", "Mẫu số 05", "Mẫu số 06", "Mẫu số 07", ""]);
        assert!(set.legal_basis.contains("03/2025/TT-VPCP"));
    }

    #[test]
    fn markup_is_parsed_before_data_so_names_cannot_inject_it() {
        let spans = parse_markup("Của: **{name}** xong");
        assert_eq!(spans.len(), 3);
        assert!(spans[1].bold);
        let data = json!({"name": "A **B** C"});
        assert_eq!(fill(&spans[1].text, &data, None), "A **B** C");
    }

    #[test]
    fn fill_resolves_paths_items_and_missing() {
        let data = json!({"d": {"code": "X-1", "n": 3}});
        let item = json!({"name": "Tờ khai"});
        assert_eq!(fill("{d.code}/{d.n}/{item.name}/{nope}", &data, Some(&item)), "X-1/3/Tờ khai/");
        assert!(truthy("d.code", &data));
        assert!(!truthy("d.none", &data));
    }

    #[test]
    fn unknown_block_or_schema_is_refused() {
        let bad = DEFAULT_TEMPLATES_JSON.replace("\"type\": \"codes\"", "\"type\": \"hologram\"");
        assert!(matches!(TemplateSet::parse(&bad), Err(FormsError::Template(_))));
        let bad = DEFAULT_TEMPLATES_JSON.replace("motcua.forms/1", "motcua.forms/9");
        assert!(matches!(TemplateSet::parse(&bad), Err(FormsError::Template(_))));
    }
}
