//! Checks on an event that came from another machine (pulled from the portal, or pushed to the portal
//! by a counter): every field as strictly as local input, before anything is stored. Codes must have
//! the format of a dossier code (`codes::check_code`), the applicant must be exactly what local
//! intake would have made of it (`validate::applicant`), every other text must be NFC, free of control
//! and invisible formatting characters, and within the local limits; times must parse. The same
//! function runs at the portal (refusing the push, code `invalid_field`) and at the counter (keeping
//! the change aside in `sync_failed` with the reason), so neither relays nor stores what local input
//! would refuse. Messages name the field and the rule, never the value (it may be hostile or personal).
//!
//! The limits mirror local intake; when the core has one limits module, point `limit` at it.

use chrono::NaiveDate;
use unicode_normalization::is_nfc;

use super::protocol::{Change, ChangeBody, WireEvent};
use crate::catalog::TimeLimit;
use crate::codes;
use crate::dossier::{Delivery, Dossier, EventKind, Progress, ReturnTo};
use crate::error::{CoreError, Result};

/// Field limits, in characters: the same as local intake (names 100, addresses 300, notes and
/// reasons 1000, departments 200, items of a supplement request 300, codes and ids 64).
/// The limits of local input (`crate::limits`, docs/limits.md), applied to pulled fields too.
pub mod limit {
    pub use crate::limits::{ADDRESS, CATALOG_TEXT, CODE, DEPARTMENT, EMAIL, ID_NUMBER, MISSING_ITEM, MISSING_ITEMS, NAME, NOTE, REASON, TRACKING};
    /// Documents a dossier lists: the checklist (at most `CATALOG_DOCUMENTS`) and room for extras.
    pub const DOCUMENTS: usize = 2 * crate::limits::CATALOG_DOCUMENTS;
    pub const TIME: usize = crate::limits::DATE_INPUT;
}

fn bad(field: &str, rule: &str) -> CoreError {
    CoreError::validation(field, format!("Dữ liệu từ máy khác không hợp lệ ở trường {field}: {rule}"))
}

/// The rule for every pulled text: at most `max` characters, NFC, no control or hidden formatting
/// characters, no leading or trailing space; empty only if `may_be_empty`.
pub fn check_text(field: &str, value: &str, max: usize, may_be_empty: bool) -> Result<()> {
    if value.is_empty() {
        return if may_be_empty { Ok(()) } else { Err(bad(field, "không được để trống")) };
    }
    if value.chars().count() > max {
        return Err(bad(field, &format!("dài quá {max} ký tự")));
    }
    if value.chars().any(crate::text::unsafe_for_terminal) {
        return Err(bad(field, "chứa ký tự điều khiển"));
    }
    if !is_nfc(value) {
        return Err(bad(field, "chưa chuẩn hoá Unicode NFC"));
    }
    if value.trim() != value {
        return Err(bad(field, "có khoảng trắng ở đầu hoặc cuối"));
    }
    Ok(())
}

fn check_opt(field: &str, value: &Option<String>, max: usize) -> Result<()> {
    match value {
        Some(v) => check_text(field, v, max, false),
        None => Ok(()),
    }
}

fn check_ascii_id(field: &str, value: &str, extra: &[char]) -> Result<()> {
    if value.is_empty() || value.len() > limit::CODE || !value.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(&c)) {
        return Err(bad(field, "sai định dạng mã"));
    }
    Ok(())
}

fn check_time(field: &str, value: &str) -> Result<()> {
    if value.len() > limit::TIME || crate::clock::parse_local(value).is_none() {
        return Err(bad(field, "không phải thời điểm hợp lệ"));
    }
    Ok(())
}

fn check_opt_time(field: &str, value: &Option<String>) -> Result<()> {
    value.as_deref().map_or(Ok(()), |v| check_time(field, v))
}

fn check_uuid(field: &str, value: &str) -> Result<()> {
    uuid::Uuid::parse_str(value).map(|_| ()).map_err(|_| bad(field, "không phải UUID"))
}

/// Checks one event from another machine; returns its parsed payload. Deterministic: the verdict
/// depends only on the event (the applicant's date of birth is checked against the intake day), so
/// the portal and every counter agree on it.
pub fn validate_pulled_event(w: &WireEvent) -> Result<EventKind> {
    check_uuid("uid", &w.uid)?;
    check_uuid("dossier_uid", &w.dossier_uid)?;
    check_ascii_id("counter_id", &w.counter_id, &[])?;
    if w.seq < 1 {
        return Err(bad("seq", "phải là số dương"));
    }
    codes::check_code(&w.dossier_code).map_err(|_| bad("dossier_code", "sai định dạng mã hồ sơ"))?;
    check_time("at", &w.at)?;
    if !w.hlc.is_empty() && (w.hlc.len() > limit::CODE || super::hlc::Hlc::parse(&w.hlc).is_none() || !w.hlc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
        return Err(bad("hlc", "sai định dạng"));
    }
    check_text("clerk_id", &w.clerk_id, limit::CODE, true)?;
    let event: EventKind = serde_json::from_value(w.payload.clone()).map_err(|_| bad("payload", "không đọc được nội dung sự kiện"))?;
    if event.name() != w.kind {
        return Err(bad("kind", "không khớp với nội dung sự kiện"));
    }
    check_event(&event, w)?;
    Ok(event)
}

fn check_event(event: &EventKind, w: &WireEvent) -> Result<()> {
    match event {
        EventKind::Received { dossier } => {
            if dossier.uid != w.dossier_uid {
                return Err(bad("dossier.uid", "không khớp với dossier_uid"));
            }
            check_dossier(dossier, &w.counter_id)
        }
        EventKind::HandedOver { department, batch } => {
            check_text("department", department, limit::DEPARTMENT, false)?;
            if batch.is_empty() { Ok(()) } else { check_ascii_id("batch", batch, &['.', '-', '_']) }
        }
        EventKind::Transferred { from, to } => {
            check_text("from", from, limit::DEPARTMENT, true)?;
            check_text("to", to, limit::DEPARTMENT, false)
        }
        EventKind::SupplementRequested { missing, remaining_minutes } => {
            check_missing("missing", missing)?;
            // negative when the request comes after the appointment
            if !(-10 * 366 * 24 * 60..=10 * 366 * 24 * 60).contains(remaining_minutes) {
                return Err(bad("remaining_minutes", "ngoài khoảng cho phép"));
            }
            Ok(())
        }
        EventKind::Supplemented { due_at } => check_time("due_at", due_at),
        EventKind::Refused { reason } | EventKind::Stopped { reason } | EventKind::Withdrawn { reason } => {
            check_text("reason", reason, limit::REASON, false)
        }
        EventKind::ResultReceived { department } => check_text("department", department, limit::DEPARTMENT, true),
        EventKind::Delayed { due_at, reason } => {
            check_time("due_at", due_at)?;
            check_text("reason", reason, limit::REASON, false)
        }
        EventKind::Returned { to, .. } => check_return_to("to", to),
        EventKind::CodeReissued { old_code, new_code, reason } => {
            codes::check_code(old_code).map_err(|_| bad("old_code", "sai định dạng mã hồ sơ"))?;
            codes::check_code(new_code).map_err(|_| bad("new_code", "sai định dạng mã hồ sơ"))?;
            // a contact's number is never re-issued, and a dossier is never given a provisional code
            // or a contact number
            if codes::is_contact_number(old_code) || codes::is_contact_number(new_code) || codes::is_provisional(new_code) {
                return Err(bad("new_code", "không phải mã hồ sơ chính thức"));
            }
            check_text("reason", reason, limit::REASON, false)
        }
        EventKind::DocumentAttached { document: d } => {
            use crate::documents::{blobs, files, DocSlot};
            if !blobs::is_hash(&d.sha256) {
                return Err(bad("document.sha256", "mã băm không hợp lệ"));
            }
            if let DocSlot::Item { id } = &d.slot {
                check_text("document.slot", id, limit::CODE, false)?;
            }
            check_text("document.name", &d.name, files::NAME, false)?;
            check_text("document.by", &d.by, limit::CODE, true)?;
            if d.size == 0 || d.size > files::MAX_FILE_BYTES || d.pages == 0 || d.pages > files::MAX_PAGES {
                return Err(bad("document.size", "ngoài khoảng cho phép"));
            }
            if d.media_type != crate::documents::PDF {
                return Err(bad("document.media_type", "chỉ nhận PDF"));
            }
            Ok(())
        }
    }
}

fn check_missing(field: &str, missing: &[String]) -> Result<()> {
    if missing.len() > limit::MISSING_ITEMS {
        return Err(bad(field, &format!("quá {} mục", limit::MISSING_ITEMS)));
    }
    missing.iter().try_for_each(|m| check_text(field, m, limit::MISSING_ITEM, false))
}

fn check_return_to(field: &str, to: &ReturnTo) -> Result<()> {
    match to {
        ReturnTo::Applicant { name, id_number } | ReturnTo::Authorised { name, id_number } => {
            check_text(&format!("{field}.name"), name, limit::NAME, false)?;
            check_text(&format!("{field}.id_number"), id_number, limit::ID_NUMBER, true)
        }
        ReturnTo::Post { tracking } => check_text(&format!("{field}.tracking"), tracking, limit::TRACKING, false),
    }
}

fn check_dossier(d: &Dossier, sender: &str) -> Result<()> {
    codes::check_code(&d.code).map_err(|_| bad("dossier.code", "sai định dạng mã hồ sơ"))?;
    if let Some(p) = &d.provisional_code {
        codes::check_code(p).map_err(|_| bad("dossier.provisional_code", "sai định dạng mã hồ sơ"))?;
    }
    // a dossier arrives as taken in; a contact at intake (guidance, refusal) arrives closed, and
    // only a contact carries a contact number
    let contact = d.status.is_intake_contact();
    if contact != codes::is_contact_number(&d.code) || !(contact || d.status == crate::dossier::DossierStatus::Received) {
        return Err(bad("dossier.status", "không khớp với mã hồ sơ hoặc không phải trạng thái khi tiếp nhận"));
    }
    // a provisional code or a contact number names the counter that issued it: only that counter's
    // dossier may carry it (another counter's event cannot take a number this counter will issue)
    if let Some(issuer) = codes::issuing_counter(&d.code) {
        if issuer != d.counter_id || issuer != sender {
            return Err(bad("dossier.code", "không phải số do quầy tiếp nhận cấp"));
        }
    }
    if let Some(c) = &d.case_id {
        check_ascii_id("dossier.case_id", c, &['-'])?;
    }
    check_opt("dossier.case_name", &d.case_name, limit::CATALOG_TEXT)?;
    if let Some(r) = &d.representative {
        match crate::validate::representative(r) {
            Ok(Some(ok)) if &ok == r => {}
            _ => return Err(bad("dossier.representative", "không hợp lệ")),
        }
    }
    check_ascii_id("dossier.agency_code", &d.agency_code, &['.'])?;
    check_ascii_id("dossier.procedure_code", &d.procedure_code, &['.', '-', '_'])?;
    check_text("dossier.procedure_name", &d.procedure_name, limit::CATALOG_TEXT, false)?;
    check_time("dossier.received_at", &d.received_at)?;
    check_time("dossier.due_at", &d.due_at)?;
    // the applicant exactly as local intake makes it (normalised, CCCD checked against the birth year)
    let intake_day: NaiveDate = crate::clock::parse_local(&d.received_at).map(|t| t.date()).unwrap_or(NaiveDate::MIN);
    for (field, v, max) in [
        ("dossier.applicant.full_name", &d.applicant.full_name, limit::NAME),
        ("dossier.applicant.id_number", &d.applicant.id_number, limit::ID_NUMBER),
        ("dossier.applicant.date_of_birth", &d.applicant.date_of_birth, limit::TIME),
        ("dossier.applicant.phone", &d.applicant.phone, limit::TIME),
        ("dossier.applicant.address", &d.applicant.address, limit::ADDRESS),
    ] {
        check_text(field, v, max, false)?;
    }
    check_opt("dossier.applicant.email", &d.applicant.email, limit::EMAIL)?;
    match crate::validate::applicant(&d.applicant, intake_day) {
        Ok(a) if a == d.applicant => {}
        Ok(_) => return Err(bad("dossier.applicant", "chưa được chuẩn hoá như khi tiếp nhận")),
        Err(CoreError::Validation { field, .. }) => return Err(bad(&format!("dossier.{}", field.unwrap_or_default()), "không hợp lệ")),
        Err(e) => return Err(e),
    }
    if d.documents.len() > limit::DOCUMENTS {
        return Err(bad("dossier.documents", &format!("quá {} giấy tờ", limit::DOCUMENTS)));
    }
    for doc in &d.documents {
        check_text("dossier.documents.id", &doc.id, limit::CODE, false)?;
        check_text("dossier.documents.name", &doc.name, limit::CATALOG_TEXT, false)?;
        if doc.count > 1000 {
            return Err(bad("dossier.documents.count", "ngoài khoảng cho phép"));
        }
    }
    if !(0..=1_000_000_000_000).contains(&d.fee) {
        return Err(bad("dossier.fee", "ngoài khoảng cho phép"));
    }
    // the fee as local intake stores it; a contact carries no fee, no appointment of its own, and
    // what its slip prints
    use crate::catalog::FeeKind;
    let fee_ok = match d.fee_kind {
        None => true,
        Some(FeeKind::Amount) => d.fee > 0,
        Some(FeeKind::Exempt | FeeKind::NotCollected | FeeKind::Unknown) => d.fee == 0,
    };
    if !fee_ok || (d.fee_kind == Some(FeeKind::Unknown) && d.channel != crate::dossier::Channel::Online) {
        return Err(bad("dossier.fee_kind", "không khớp với lệ phí"));
    }
    if contact {
        let content_ok = match d.status {
            crate::dossier::DossierStatus::Guided => !d.progress.missing.is_empty(),
            _ => d.progress.reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
        };
        if d.fee != 0 || d.fee_kind.is_some() || d.due_at != d.received_at || !content_ok {
            return Err(bad("dossier.progress", "phiếu hướng dẫn/từ chối không đúng nội dung"));
        }
    }

    if let Delivery::Post { address } = &d.delivery {
        check_text("dossier.delivery.address", address, limit::ADDRESS, false)?;
    }
    match &d.time_limit {
        TimeLimit::WorkingDays { days } if days.is_finite() && *days >= 0.0 && *days <= 3660.0 => {}
        TimeLimit::CalendarDays { days } if *days <= 3660 => {}
        TimeLimit::SameDay { cutoff } if chrono::NaiveTime::parse_from_str(cutoff, "%H:%M").is_ok() => {}
        _ => return Err(bad("dossier.time_limit", "ngoài khoảng cho phép")),
    }
    check_text("dossier.clerk_id", &d.clerk_id, limit::CODE, true)?;
    check_text("dossier.clerk_name", &d.clerk_name, limit::NAME, true)?;
    check_ascii_id("dossier.counter_id", &d.counter_id, &[])?;
    check_opt("dossier.request_id", &d.request_id, limit::CODE)?;
    check_opt("dossier.note", &d.note, limit::NOTE)?;
    check_progress(&d.progress)
}

fn check_progress(p: &Progress) -> Result<()> {
    check_opt("dossier.progress.department", &p.department, limit::DEPARTMENT)?;
    if p.movements.len() > 1000 {
        return Err(bad("dossier.progress.movements", "quá nhiều"));
    }
    for m in &p.movements {
        check_time("dossier.progress.movements.at", &m.at)?;
        check_text("dossier.progress.movements.from", &m.from, limit::DEPARTMENT, true)?;
        check_text("dossier.progress.movements.to", &m.to, limit::DEPARTMENT, true)?;
        check_opt("dossier.progress.movements.batch", &m.batch, limit::CODE)?;
    }
    check_opt_time("dossier.progress.original_due_at", &p.original_due_at)?;
    check_missing("dossier.progress.missing", &p.missing)?;
    check_opt_time("dossier.progress.paused_at", &p.paused_at)?;
    check_opt("dossier.progress.delay_reason", &p.delay_reason, limit::REASON)?;
    check_opt("dossier.progress.reason", &p.reason, limit::REASON)?;
    check_opt_time("dossier.progress.result_at", &p.result_at)?;
    check_opt_time("dossier.progress.closed_at", &p.closed_at)?;
    match &p.returned_to {
        Some(to) => check_return_to("dossier.progress.returned_to", to),
        None => Ok(()),
    }
}

/// Checks a whole pulled change: an event by `validate_pulled_event`, an online dossier's request id
/// (its intake goes through local intake anyway); catalogs and calendars are checked by their import.
pub fn validate_pulled_change(change: &Change) -> Result<()> {
    match &change.body {
        ChangeBody::Event { event } => validate_pulled_event(event).map(|_| ()),
        ChangeBody::OnlineDossier { request_id, .. } => validate_pulled_request_id(request_id),
        ChangeBody::Catalog { .. } | ChangeBody::Calendar { .. } => Ok(()),
    }
}

/// The request id of a dossier submitted online (`ONL-…`): letters, digits, `.`, `-`, `_`.
pub fn validate_pulled_request_id(request_id: &str) -> Result<()> {
    check_ascii_id("request_id", request_id, &['.', '-', '_'])
}

#[cfg(test)]
mod tests;
