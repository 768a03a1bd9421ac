//! Guidance and refusal at intake, without accepting the dossier (Decree 118/2025, Circular
//! 03/2025): the clerk checks the papers; when they are incomplete the citizen gets the one-time
//! guidance slip (Mẫu 02) listing everything missing at once; when the request is outside the
//! counter's remit or not eligible, the refusal slip (Mẫu 03). Neither issues a dossier code: the
//! contact is recorded with its own number (`HD-…`, `TC-…`), searchable by the applicant, counted
//! and synced like a dossier whose status is `guided` / `not_accepted` (docs/lifecycle.md).

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{check_request, IntakeRequest};
use crate::clock::to_rfc3339;
use crate::dossier::{Dossier, DossierStatus};
use crate::error::{CoreError, Result};
use crate::limits;
use crate::store::Store;

/// What the clerk gives the citizen instead of a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ContactKind {
    /// Hướng dẫn bổ sung: Mẫu 02, the missing items prefilled from the unticked checklist.
    Guidance,
    /// Từ chối tiếp nhận: Mẫu 03, with the reason.
    Refusal,
}

impl ContactKind {
    pub const ALL: [ContactKind; 2] = [ContactKind::Guidance, ContactKind::Refusal];
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::Guidance => "Hướng dẫn bổ sung",
            ContactKind::Refusal => "Từ chối tiếp nhận",
        }
    }
    /// The kind of contact a status records, if it is one.
    pub fn of_status(status: DossierStatus) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.status() == status)
    }
    pub fn status(self) -> DossierStatus {
        match self {
            ContactKind::Guidance => DossierStatus::Guided,
            ContactKind::Refusal => DossierStatus::NotAccepted,
        }
    }
    /// What the slip's dialog asks for (the UI draws it from this; `record` enforces it).
    pub fn fields(self) -> Vec<crate::lifecycle::steps::StepField> {
        use crate::lifecycle::steps::{FieldKind, StepField};
        let field = |name: &str, label: &str, kind: FieldKind, required: bool, max: usize| StepField {
            name: name.into(),
            label: label.into(),
            kind,
            required,
            max: max as u32,
        };
        match self {
            ContactKind::Guidance => vec![
                field("missing", "Giấy tờ, nội dung cần bổ sung, hoàn thiện (mỗi dòng một mục)", FieldKind::Lines, true, limits::MISSING_ITEM * limits::MISSING_ITEMS),
                field("reason", "Ghi chú thêm (không bắt buộc)", FieldKind::Text, false, limits::REASON),
            ],
            ContactKind::Refusal => vec![field("reason", "Lý do từ chối tiếp nhận", FieldKind::Text, true, limits::REASON)],
        }
    }

    /// The slip the citizen is given.
    pub fn form(self) -> crate::form_kind::FormKind {
        match self {
            ContactKind::Guidance => crate::form_kind::FormKind::Supplement,
            ContactKind::Refusal => crate::form_kind::FormKind::Refusal,
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            ContactKind::Guidance => "HD",
            ContactKind::Refusal => "TC",
        }
    }
    fn audit_action(self) -> &'static str {
        match self {
            ContactKind::Guidance => "intake.guidance",
            ContactKind::Refusal => "intake.refusal",
        }
    }
}

/// The intake form as it stands, and what the slip adds to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactRequest {
    pub kind: ContactKind,
    pub request: IntakeRequest,
    /// Guidance: the items to list, as the clerk edited them (omitted: the mandatory checklist items
    /// not ticked). Refusal: ignored.
    #[serde(default)]
    #[ts(optional)]
    pub missing: Option<Vec<String>>,
    /// Refusal: why (required). Guidance: an optional explanation.
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
}

/// A repeated request id answers with the record it made, but only when it made the same kind of
/// record: a slip never stands for a dossier taken in, nor one slip for the other.
fn same_request(d: Dossier, kind: ContactKind) -> Result<Dossier> {
    if d.status == kind.status() {
        return Ok(d);
    }
    Err(CoreError::validation(
        "request_id",
        format!("Yêu cầu này đã được ghi nhận là {} ({}): làm lại trên một phiếu mới", d.status.label().to_lowercase(), d.code),
    ))
}

/// The items a guidance slip lists for this request: the mandatory checklist items not ticked, in
/// checklist order (what the screen prefills).
pub fn missing_items(store: &Store, req: &IntakeRequest) -> Result<Vec<String>> {
    store.require(crate::accounts::Right::Intake)?;
    Ok(check_request(store, req, store.clock().now().date())?.missing)
}

/// Records a guidance or refusal contact and returns it (status `guided` / `not_accepted`, `code`
/// its slip number). A repeat with the same `request_id` returns the record already made.
pub fn record(store: &mut Store, c: &ContactRequest) -> Result<Dossier> {
    store.require(crate::accounts::Right::Intake)?;
    store.require_set_up()?;
    let ctx = store.context()?.clone();
    let request_id = c.request.request_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(rid) = &request_id {
        limits::length("request_id", "request_id", rid, limits::REQUEST_ID)?;
        if let Some(d) = store.dossier_by_request_id(rid)? {
            return same_request(d, c.kind);
        }
    }
    let now = store.clock().now();
    let checked = check_request(store, &c.request, now.date())?;
    let reason = c.reason.as_deref().map(|r| limits::text("reason", "Lý do", r, limits::REASON)).transpose()?.filter(|r| !r.is_empty());
    let missing = match c.kind {
        ContactKind::Refusal => {
            if reason.is_none() {
                return Err(CoreError::validation("reason", "Cần ghi lý do từ chối tiếp nhận hồ sơ"));
            }
            Vec::new()
        }
        ContactKind::Guidance => {
            let items = match &c.missing {
                Some(items) => items.clone(),
                None => checked.missing.clone(),
            };
            if items.len() > limits::MISSING_ITEMS {
                return Err(CoreError::validation("missing", format!("Tối đa {} mục cần bổ sung", limits::MISSING_ITEMS)));
            }
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for m in &items {
                let m = limits::text("missing", "Nội dung cần bổ sung", m, limits::MISSING_ITEM)?;
                if !m.is_empty() && !out.contains(&m) {
                    out.push(m);
                }
            }
            if out.is_empty() {
                return Err(CoreError::validation(
                    "missing",
                    "Hồ sơ đã đủ các thành phần bắt buộc: tiếp nhận hồ sơ, hoặc ghi rõ nội dung cần bổ sung, hoàn thiện",
                ));
            }
            out
        }
    };
    let at = to_rfc3339(now);
    let tx = store.write_tx()?;
    // under the write lock the look-up is final (another process may have taken the request id)
    if let Some(rid) = &request_id {
        let held: Option<i64> = tx.prepare_cached("SELECT id FROM dossiers WHERE request_id = ?1")?.query_row([rid], |r| r.get(0)).optional()?;
        if let Some(id) = held {
            drop(tx);
            return same_request(store.dossier_by_id(id)?, c.kind);
        }
    }
    let number = crate::codes::issue_contact(&tx, c.kind.prefix(), &ctx.agency_code, &ctx.counter_id, now.date())?;
    let mut record = Dossier {
        uid: uuid::Uuid::now_v7().to_string(),
        code: number,
        provisional: false,
        provisional_code: None,
        agency_code: ctx.agency_code.clone(),
        procedure_code: checked.procedure.code.clone(),
        procedure_name: checked.procedure.name.clone(),
        applicant: checked.applicant,
        documents: checked.documents,
        fee: 0,
        fee_kind: None,
        case_id: checked.terms.case_id.clone(),
        case_name: checked.terms.case_name.clone(),
        representative: checked.representative,
        subject: checked.subject,
        channel: c.request.channel.unwrap_or_default(),
        delivery: checked.delivery,
        received_at: at.clone(),
        // no appointment: the contact closes at once
        due_at: at.clone(),
        time_limit: checked.terms.time_limit.clone(),
        clerk_id: ctx.clerk_id.clone(),
        clerk_name: ctx.clerk_name.clone(),
        counter_id: ctx.counter_id.clone(),
        status: c.kind.status(),
        request_id,
        note: checked.note,
        progress: Default::default(),
    };
    record.progress.missing = missing;
    record.progress.reason = reason;
    record.progress.closed_at = Some(at);
    super::insert(&tx, &ctx, now, &record)?;
    crate::audit::record(&tx, now, &ctx.clerk_id, c.kind.audit_action(), &record.code, &serde_json::json!({ "procedure": record.procedure_code }))?;
    tx.commit()?;
    Ok(record)
}

#[cfg(test)]
mod tests;
