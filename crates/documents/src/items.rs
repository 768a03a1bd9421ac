//! From staged pages to a dossier's documents: what a staging key means (`intake/<item id>`,
//! `<dossier code>/<item id>`, `<dossier code>/result`), the title each PDF gets, and the two ways an
//! item is saved — with a new dossier (its attachments, in the intake's transaction) or to a dossier
//! already taken in. The shell calls these; it decides nothing about documents itself.

use motcua_core::documents::{self as core_docs, DocSlot, DocumentView};
use motcua_core::error::{CoreError, Result};
use motcua_core::intake::IntakeRequest;
use motcua_core::Store;

use crate::staging::Staging;
use crate::{save_item, DocInfo};

/// The prefix of the items of the dossier being taken in.
pub const INTAKE: &str = "intake/";

/// The slot a staging key stands for: its last part is an item id, or `result`.
pub fn slot_of_key(key: &str) -> Result<DocSlot> {
    match key.rsplit_once('/') {
        Some((_, "result")) => Ok(DocSlot::Result),
        Some((_, id)) if !id.trim().is_empty() => Ok(DocSlot::Item { id: id.to_string() }),
        _ => Err(CoreError::invalid("Thành phần hồ sơ không hợp lệ")),
    }
}

/// The result's description when the clerk gives none.
pub const RESULT_TITLE: &str = "Kết quả giải quyết";

/// Makes the PDF of every item waiting under `intake/` and adds it to the request's attachments (the
/// core records them in the dossier's own transaction). Returns the keys to clear once the dossier
/// is stored; nothing is cleared here, so a refused intake keeps every page.
pub fn intake_attachments(store: &Store, staging: &Staging, request: &mut IntakeRequest) -> Result<Vec<String>> {
    let keys = staging.keys(INTAKE);
    let procedure = store.procedure(request.procedure_code.trim());
    // the checklist of the case chosen (a case may list other papers than the procedure)
    let checklist = procedure.map(|p| p.terms(request.case_id.as_deref()).map(|t| t.documents).unwrap_or_else(|_| p.documents.clone())).unwrap_or_default();
    for key in &keys {
        let id = key.trim_start_matches(INTAKE).to_string();
        let (content, source) = staging.content(key)?;
        let title = checklist.iter().find(|d| d.id == id).map(|d| d.name.clone()).unwrap_or_default();
        let info = DocInfo { title, dossier_code: String::new(), created: Some(store.clock().now()) };
        let (doc, _) = save_item(store, DocSlot::Item { id }, &content, source, &info)?;
        request.attachments.push(doc);
    }
    Ok(keys)
}

/// Saves the item staged under `key` to the dossier `code` (taken in earlier): its PDF, the
/// `document_attached` event, then the staged pages are let go. `name` describes a result.
pub fn save_to_dossier(store: &mut Store, staging: &mut Staging, code: &str, key: &str, name: Option<String>) -> Result<Vec<DocumentView>> {
    let d = store.dossier_by_code(code)?;
    let slot = slot_of_key(key)?;
    let title = match &slot {
        DocSlot::Result => name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| RESULT_TITLE.into()),
        DocSlot::Item { id } => d.documents.iter().find(|r| &r.id == id).map(|r| r.name.clone()).unwrap_or_default(),
    };
    let (content, source) = staging.content(key)?;
    let info = DocInfo { title, dossier_code: d.code.clone(), created: Some(store.clock().now()) };
    let (mut doc, _) = save_item(store, slot, &content, source, &info)?;
    doc.name = name.or(doc.name);
    core_docs::attach(store, &d.code, &doc)?;
    staging.clear(key);
    Ok(core_docs::list(store, &d.code)?.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_their_slot() {
        assert_eq!(slot_of_key("intake/to-khai").unwrap(), DocSlot::Item { id: "to-khai".into() });
        assert_eq!(slot_of_key("000.00.31.H26-261130-0001/result").unwrap(), DocSlot::Result);
        assert!(slot_of_key("no-slash").is_err());
        assert!(slot_of_key("code/").is_err());
    }
}
