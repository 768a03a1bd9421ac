//! Intake (tiếp nhận): validate the clerk's form, issue the dossier code, compute the appointment and
//! store the dossier, its first event and its outbox entry in ONE immediate transaction. A repeated
//! submit with the same `request_id` (double Enter, retry after a timeout) returns the same dossier.

use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::due::due_at;
use crate::catalog::{Procedure, TimeLimit};
use crate::clock::to_rfc3339;
use crate::codes;
use crate::dossier::{Applicant, Channel, Delivery, Dossier, DossierStatus, EventKind, ReceivedDocument};
use crate::error::{CoreError, Result};
use crate::limits;
use crate::store::Store;
use crate::text;
use crate::validate;

/// A document ticked at intake: its checklist id, optionally with the number of copies received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum DocInput {
    Id(String),
    WithCount {
        id: String,
        #[ts(optional)]
        count: Option<u32>,
    },
}

impl DocInput {
    fn id(&self) -> &str {
        match self {
            DocInput::Id(id) | DocInput::WithCount { id, .. } => id,
        }
    }
    fn count(&self) -> Option<u32> {
        match self {
            DocInput::Id(_) => None,
            DocInput::WithCount { count, .. } => *count,
        }
    }
}

/// What the intake form (or `motcua intake --json`) sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IntakeRequest {
    pub procedure_code: String,
    pub applicant: Applicant,
    /// The checklist items received; omitted means the whole checklist.
    #[serde(default)]
    #[ts(optional)]
    pub documents: Option<Vec<DocInput>>,
    #[serde(default)]
    #[ts(optional)]
    pub channel: Option<Channel>,
    #[serde(default)]
    #[ts(optional)]
    pub delivery: Option<Delivery>,
    /// Fee collected in đồng; omitted means the catalog fee.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub fee: Option<i64>,
    /// Idempotency key: a repeat with the same id returns the same dossier.
    #[serde(default)]
    #[ts(optional)]
    pub request_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// What the clerk sees before confirming: fee and appointment for a procedure received now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IntakePreview {
    pub procedure_code: String,
    pub procedure_name: String,
    #[ts(type = "number")]
    pub fee: i64,
    pub time_limit: TimeLimit,
    pub time_limit_label: String,
    pub received_at: String,
    pub due_at: String,
}

/// The appointment for `procedure_code` if received at `received`.
pub fn preview(store: &Store, procedure_code: &str, received: Option<NaiveDateTime>) -> Result<IntakePreview> {
    let p = find_procedure(store, procedure_code)?;
    let received = received.unwrap_or_else(|| store.clock().now());
    let due = due_at(store.calendar(), store.office_hours(), received, &p.time_limit)?;
    Ok(IntakePreview {
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        fee: p.fee.amount,
        time_limit: p.time_limit.clone(),
        time_limit_label: p.time_limit.label(),
        received_at: to_rfc3339(received),
        due_at: to_rfc3339(due),
    })
}

fn find_procedure<'a>(store: &'a Store, code: &str) -> Result<&'a Procedure> {
    limits::length("procedure_code", "Mã thủ tục", code, limits::CODE)?;
    if code.trim().is_empty() {
        return Err(CoreError::validation("procedure_code", "Chưa chọn thủ tục"));
    }
    store
        .procedure(code)
        .ok_or_else(|| CoreError::validation("procedure_code", format!("Không có thủ tục mã {} trong danh mục", code.trim())))
}

fn received_documents(p: &Procedure, input: Option<&[DocInput]>) -> Result<Vec<ReceivedDocument>> {
    let Some(input) = input else {
        return Ok(p.documents.iter().map(|d| ReceivedDocument { id: d.id.clone(), name: d.name.clone(), form: d.form, count: d.count }).collect());
    };
    if input.len() > p.documents.len().max(1) {
        return Err(CoreError::validation("documents", format!("Thủ tục {} chỉ có {} thành phần hồ sơ", p.code, p.documents.len())));
    }
    let mut out = Vec::with_capacity(input.len());
    for item in input {
        limits::length("documents", "Mã giấy tờ", item.id(), limits::CODE)?;
        let req = p.documents.iter().find(|d| d.id == item.id()).ok_or_else(|| {
            CoreError::validation("documents", format!("Giấy tờ '{}' không thuộc thành phần hồ sơ của thủ tục {}", item.id(), p.code))
        })?;
        if out.iter().any(|d: &ReceivedDocument| d.id == req.id) {
            return Err(CoreError::validation("documents", format!("Giấy tờ '{}' được đánh dấu hai lần", req.name)));
        }
        let count = item.count().unwrap_or(req.count);
        if count == 0 || count > 999 {
            return Err(CoreError::validation("documents", format!("Số lượng '{}' phải từ 1 đến 999", req.name)));
        }
        out.push(ReceivedDocument { id: req.id.clone(), name: req.name.clone(), form: req.form, count });
    }
    let missing: Vec<&str> =
        p.documents.iter().filter(|d| d.mandatory && !out.iter().any(|r| r.id == d.id)).map(|d| d.name.as_str()).collect();
    if !missing.is_empty() {
        return Err(CoreError::validation("documents", format!("Hồ sơ chưa đủ thành phần bắt buộc: {}", missing.join("; "))));
    }
    // keep checklist order, whatever order the clerk ticked in
    out.sort_by_key(|r| p.documents.iter().position(|d| d.id == r.id));
    Ok(out)
}

/// Validates the request into a dossier (without code, times, status) — writes nothing.
fn validate_request(store: &Store, req: &IntakeRequest, today: chrono::NaiveDate) -> Result<(Procedure, Applicant, Vec<ReceivedDocument>, Delivery, i64, Option<String>)> {
    let p = find_procedure(store, &req.procedure_code)?.clone();
    let applicant = validate::applicant(&req.applicant, today)?;
    let documents = received_documents(&p, req.documents.as_deref())?;
    let delivery = match req.delivery.clone().unwrap_or_default() {
        Delivery::Counter => Delivery::Counter,
        Delivery::Post { address } => {
            let address = limits::text("delivery.address", "Địa chỉ nhận kết quả qua bưu chính", &address, limits::ADDRESS)?;
            if !p.postal_return {
                return Err(CoreError::validation("delivery", format!("Thủ tục {} không trả kết quả qua bưu chính", p.code)));
            }
            if address.is_empty() {
                return Err(CoreError::validation("delivery.address", "Trả qua bưu chính cần địa chỉ nhận"));
            }
            Delivery::Post { address }
        }
    };
    let fee = req.fee.unwrap_or(p.fee.amount);
    if !(0..=1_000_000_000).contains(&fee) {
        return Err(CoreError::validation("fee", "Lệ phí không hợp lệ"));
    }
    let note = req.note.as_deref().map(|n| limits::text("note", "Ghi chú", n, limits::NOTE)).transpose()?.filter(|n| !n.is_empty());
    Ok((p, applicant, documents, delivery, fee, note))
}

/// Takes a dossier in. Returns the stored dossier (the existing one for a repeated `request_id`).
pub fn submit(store: &mut Store, req: &IntakeRequest) -> Result<Dossier> {
    Ok(submit_batch(store, std::slice::from_ref(req))?.remove(0))
}

/// Takes several dossiers in, in ONE transaction: all are stored or none is (online dossiers pulled
/// from the portal, bulk loads). Each is validated, coded and dated as in `submit`.
pub fn submit_batch(store: &mut Store, reqs: &[IntakeRequest]) -> Result<Vec<Dossier>> {
    store.require(crate::accounts::Right::Intake)?;
    let ctx = store.context()?.clone();
    let template = store.code_template().to_string();
    // Validate everything and compute the appointments before opening the write transaction.
    let mut prepared = Vec::with_capacity(reqs.len());
    for req in reqs {
        let request_id = req.request_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(rid) = &request_id {
            limits::length("request_id", "request_id", rid, limits::REQUEST_ID)?;
            if let Some(d) = store.dossier_by_request_id(rid)? {
                prepared.push(Err(d));
                continue;
            }
        }
        let now = store.clock().now();
        let v = validate_request(store, req, now.date())?;
        let due = due_at(store.calendar(), store.office_hours(), now, &v.0.time_limit)?;
        prepared.push(Ok((now, due, request_id, req.channel.unwrap_or_default(), v)));
    }
    // `Err(existing)` found before the transaction; `Ok(None)` found inside it (another process took
    // the same request id in between): both answer with the stored dossier, read after the commit
    enum Outcome {
        Stored(Box<Dossier>),
        Existing(Box<Dossier>),
        ExistingId(i64),
    }
    let tx = store.write_tx()?;
    let mut outcomes = Vec::with_capacity(prepared.len());
    for item in prepared {
        let (now, due, request_id, channel, (p, applicant, documents, delivery, fee, note)) = match item {
            Ok(x) => x,
            Err(existing) => {
                outcomes.push(Outcome::Existing(Box::new(existing)));
                continue;
            }
        };
        // the look-up before the transaction is a fast path only: under the write lock it is final
        if let Some(rid) = &request_id {
            let held: Option<i64> =
                tx.prepare_cached("SELECT id FROM dossiers WHERE request_id = ?1")?.query_row([rid], |r| r.get(0)).optional()?;
            if let Some(id) = held {
                outcomes.push(Outcome::ExistingId(id));
                continue;
            }
        }
        let issued = codes::issue(&tx, &template, &ctx.agency_code, &ctx.counter_id, now.date())?;
        let dossier = Dossier {
            uid: uuid::Uuid::now_v7().to_string(),
            code: issued.code.clone(),
            provisional: issued.provisional,
            provisional_code: issued.provisional.then(|| issued.code.clone()),
            agency_code: ctx.agency_code.clone(),
            procedure_code: p.code.clone(),
            procedure_name: p.name.clone(),
            applicant,
            documents,
            fee,
            channel,
            delivery,
            received_at: to_rfc3339(now),
            due_at: to_rfc3339(due),
            time_limit: p.time_limit.clone(),
            clerk_id: ctx.clerk_id.clone(),
            clerk_name: ctx.clerk_name.clone(),
            counter_id: ctx.counter_id.clone(),
            status: DossierStatus::Received,
            request_id,
            note,
            progress: Default::default(),
        };
        insert(&tx, &ctx, now, &dossier)?;
        crate::audit::record(&tx, now, &ctx.clerk_id, "intake", &dossier.code, &serde_json::json!({ "procedure": dossier.procedure_code }))?;
        outcomes.push(Outcome::Stored(Box::new(dossier)));
    }
    tx.commit()?;
    outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Stored(d) | Outcome::Existing(d) => Ok(*d),
            Outcome::ExistingId(id) => store.dossier_by_id(id),
        })
        .collect()
}

/// Writes the dossier row, its search entry, its `received` event and the outbox entry.
fn insert(tx: &rusqlite::Transaction, ctx: &crate::store::CounterContext, now: NaiveDateTime, dossier: &Dossier) -> Result<()> {
    let dossier_id = insert_projection(tx, dossier, dossier.request_id.as_deref())?;
    let event = EventKind::Received { dossier: Box::new(dossier.clone()) };
    crate::events::append(tx, dossier_id, ctx, now, &event)?;
    Ok(())
}

/// The searchable projection of a dossier (its row and its accent-free name), for one taken in here
/// or received from another machine through the portal; returns the row id.
pub(crate) fn insert_projection(tx: &rusqlite::Transaction, dossier: &Dossier, request_id: Option<&str>) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO dossiers(uid, code, provisional_code, procedure_code, applicant_name, id_number, phone,
                              received_at, due_at, status, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        uuid::Uuid::parse_str(&dossier.uid).map_err(|e| CoreError::invalid(format!("dossier uid: {e}")))?.as_bytes().as_slice(),
        dossier.code,
        dossier.provisional_code,
        dossier.procedure_code,
        dossier.applicant.full_name,
        dossier.applicant.id_number,
        dossier.applicant.phone,
        dossier.received_at,
        dossier.due_at,
        dossier.status.as_str(),
        request_id,
    ])?;
    let dossier_id = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO dossier_names(rowid, name) VALUES (?1, ?2)")?
        .execute(params![dossier_id, text::fold(&dossier.applicant.full_name)])?;
    Ok(dossier_id)
}

#[cfg(test)]
pub(crate) mod tests;
