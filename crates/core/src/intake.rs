//! Intake (tiếp nhận): validate the clerk's form, issue the dossier code, compute the appointment and
//! store the dossier, its first event and its outbox entry in ONE immediate transaction. A repeated
//! submit with the same `request_id` (double Enter, retry after a timeout) returns the same dossier.
//! Every wrong field is named at once; a scanned card (`identity`) is checked here, not on the screen.

use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::due::due_at;
use crate::catalog::{FeeKind, Procedure, RequiredDocument, Terms, TimeLimit};
use crate::clock::to_rfc3339;
use crate::codes;
use crate::dossier::{Applicant, Channel, Delivery, Dossier, DossierStatus, EventKind, ReceivedDocument, Representative};
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
    /// The case of the procedure (required when the catalog lists cases for it).
    #[serde(default)]
    #[ts(optional)]
    pub case_id: Option<String>,
    pub applicant: Applicant,
    /// The person filing on the applicant's behalf, when authorised (ủy quyền).
    #[serde(default)]
    #[ts(optional)]
    pub representative: Option<Representative>,
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
    /// Fee collected in đồng; omitted means the catalog fee (required when the catalog does not know it).
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub fee: Option<i64>,
    /// Pages and copies (or cases) counted for a fee by the page or the case: the core computes the
    /// fee from them unless `fee` is typed.
    #[serde(default)]
    #[ts(optional)]
    pub fee_units: Option<crate::catalog::FeeUnits>,
    /// Idempotency key: a repeat with the same id returns the same dossier.
    #[serde(default)]
    #[ts(optional)]
    pub request_id: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// What the request is about when it concerns another person (the child, the spouse, the deceased).
    #[serde(default)]
    #[ts(optional)]
    pub subject: Option<String>,
    /// The applicant's card as the scanner read it: the core checks it and records the identity as
    /// read from the card.
    #[serde(default)]
    #[ts(optional)]
    pub card: Option<identity::CardScan>,
    /// The representative's own card, read the same way.
    #[serde(default)]
    #[ts(optional)]
    pub representative_card: Option<identity::CardScan>,
    /// The papers digitised at intake: one PDF per checklist item, already in the blob store
    /// (`documents::Blobs::put`). Recorded in the same transaction as the dossier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<crate::documents::NewDocument>>")]
    pub attachments: Vec<crate::documents::NewDocument>,
}

/// What the clerk sees before confirming: fee and appointment for a procedure received now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct IntakePreview {
    pub procedure_code: String,
    pub procedure_name: String,
    /// The catalog's amount (0 unless `terms.fee_kind` is `amount`).
    #[ts(type = "number")]
    pub fee: i64,
    pub time_limit: TimeLimit,
    pub time_limit_label: String,
    pub received_at: String,
    pub due_at: String,
    /// The case's terms: where the time limit comes from, the fee's kind and label, the checklist.
    pub terms: Terms,
}

/// The appointment for `procedure_code` (its case `case_id`) if received at `received`.
pub fn preview(store: &Store, procedure_code: &str, case_id: Option<&str>, received: Option<NaiveDateTime>) -> Result<IntakePreview> {
    preview_with(store, procedure_code, case_id, None, received)
}

/// The preview with the pages/copies (or cases) counted for a scheduled fee: `fee` is then computed.
pub fn preview_with(
    store: &Store,
    procedure_code: &str,
    case_id: Option<&str>,
    units: Option<crate::catalog::FeeUnits>,
    received: Option<NaiveDateTime>,
) -> Result<IntakePreview> {
    let p = find_procedure(store, procedure_code)?;
    if let Some(c) = case_id {
        limits::length("case_id", "Trường hợp", c, limits::CODE)?;
    }
    let mut terms = p.terms(case_id)?;
    if let (Some(u), Some(schedule)) = (units, terms.fee.schedule.clone()) {
        if terms.fee_kind == FeeKind::Amount {
            let fee = schedule.fee(terms.fee.amount, u)?;
            terms.fee_prefill = Some(fee);
            terms.fee_label = crate::catalog::fee_label(FeeKind::Amount, fee);
        }
    }
    let received = received.unwrap_or_else(|| store.clock().now());
    let due = due_at(store.calendar(), store.office_hours(), received, &terms.time_limit)?;
    Ok(IntakePreview {
        procedure_code: p.code.clone(),
        procedure_name: p.name.clone(),
        fee: terms.fee_prefill.unwrap_or(terms.fee.amount),
        time_limit: terms.time_limit.clone(),
        time_limit_label: terms.time_limit_label.clone(),
        received_at: to_rfc3339(received),
        due_at: to_rfc3339(due),
        terms,
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

/// The checklist items ticked, in checklist order, checked against the checklist; the mandatory
/// items not ticked are returned beside them (what a guidance slip lists).
pub(crate) fn ticked_documents(p: &Procedure, checklist: &[RequiredDocument], input: Option<&[DocInput]>) -> Result<(Vec<ReceivedDocument>, Vec<String>)> {
    let Some(input) = input else {
        return Ok((checklist.iter().map(|d| ReceivedDocument { id: d.id.clone(), name: d.name.clone(), form: d.form, count: d.count, read_from_card: false }).collect(), Vec::new()));
    };
    if input.len() > checklist.len().max(1) {
        return Err(CoreError::validation("documents", format!("Thủ tục {} chỉ có {} thành phần hồ sơ", p.code, checklist.len())));
    }
    let mut out = Vec::with_capacity(input.len());
    for item in input {
        limits::length("documents", "Mã giấy tờ", item.id(), limits::CODE)?;
        let req = checklist.iter().find(|d| d.id == item.id()).ok_or_else(|| {
            CoreError::validation("documents", format!("Giấy tờ '{}' không thuộc thành phần hồ sơ của thủ tục {}", item.id(), p.code))
        })?;
        if out.iter().any(|d: &ReceivedDocument| d.id == req.id) {
            return Err(CoreError::validation("documents", format!("Giấy tờ '{}' được đánh dấu hai lần", req.name)));
        }
        let count = item.count().unwrap_or(req.count);
        if count == 0 || count > 999 {
            return Err(CoreError::validation("documents", format!("Số lượng '{}' phải từ 1 đến 999", req.name)));
        }
        out.push(ReceivedDocument { id: req.id.clone(), name: req.name.clone(), form: req.form, count, read_from_card: false });
    }
    let missing: Vec<String> =
        checklist.iter().filter(|d| d.mandatory && !out.iter().any(|r| r.id == d.id)).map(|d| d.name.clone()).collect();
    // keep checklist order, whatever order the clerk ticked in
    out.sort_by_key(|r| checklist.iter().position(|d| d.id == r.id));
    Ok((out, missing))
}


/// The fee of a dossier: the clerk's figure checked against what the catalog knows. An unknown fee
/// must be entered; an exempt or uncollected one cannot carry an amount.
fn fee_of(terms: &Terms, typed: Option<i64>, online: bool, units: Option<crate::catalog::FeeUnits>) -> Result<(i64, FeeKind)> {
    // a fee by the page or the case, counted and not typed: computed
    if let (None, Some(u), Some(s), FeeKind::Amount) = (typed, units, &terms.fee.schedule, terms.fee_kind) {
        return Ok((s.fee(terms.fee.amount, u)?, FeeKind::Amount));
    }
    if let Some(f) = typed {
        if !(0..=1_000_000_000).contains(&f) {
            return Err(CoreError::validation("fee", "Lệ phí không hợp lệ"));
        }
    }
    match (terms.fee_kind, typed) {
        // an online dossier whose fee the portal did not state keeps "unknown" (the counter warns)
        (FeeKind::Unknown, None) if online => Ok((0, FeeKind::Unknown)),
        (FeeKind::Unknown, None) => Err(CoreError::validation(
            "fee",
            "Danh mục chưa có mức lệ phí của tỉnh cho thủ tục này: nhập số tiền lệ phí (0 nếu không thu) trước khi tiếp nhận",
        )),
        (FeeKind::Unknown, Some(0)) => Ok((0, FeeKind::NotCollected)),
        (FeeKind::Unknown, Some(f)) => Ok((f, FeeKind::Amount)),
        (FeeKind::Exempt | FeeKind::NotCollected, None | Some(0)) => Ok((0, terms.fee_kind)),
        // the catalog's "exempt" / "not collected" is the usual case; a typed amount is a case the
        // province charges (a late birth or death registration): printed as typed
        (FeeKind::Exempt | FeeKind::NotCollected, Some(f)) => Ok((f, FeeKind::Amount)),
        (FeeKind::Amount, None) => Ok((terms.fee.amount, FeeKind::Amount)),
        // the clerk collected nothing for a known fee (e.g. exempt households): "Không thu", never a
        // legal exemption the catalog does not state
        (FeeKind::Amount, Some(0)) => Ok((0, FeeKind::NotCollected)),
        (FeeKind::Amount, Some(f)) => Ok((f, FeeKind::Amount)),
    }
}

/// A request checked into what a dossier copies from it — writes nothing.
pub(crate) struct Checked {
    pub procedure: Procedure,
    pub terms: Terms,
    pub applicant: Applicant,
    pub representative: Option<Representative>,
    pub documents: Vec<ReceivedDocument>,
    /// Mandatory checklist items not ticked (a complete dossier has none).
    pub missing: Vec<String>,
    pub delivery: Delivery,
    pub note: Option<String>,
    pub subject: Option<String>,
}

/// Checks everything in the request but the completeness of the papers, naming every wrong field at
/// once.
pub(crate) fn check_request(store: &Store, req: &IntakeRequest, today: chrono::NaiveDate) -> Result<Checked> {
    let mut problems = crate::error::Problems::default();
    let p = problems.take(find_procedure(store, &req.procedure_code).cloned());
    if let Some(c) = &req.case_id {
        problems.take(limits::length("case_id", "Trường hợp", c, limits::CODE));
    }
    // an online dossier comes as the portal took it: one that names no case is held to the
    // procedure's own terms (the counter warns), rather than waiting for ever in the pull
    let online = req.channel == Some(Channel::Online);
    let terms = p.as_ref().and_then(|p| {
        let t = if online && req.case_id.is_none() && !p.cases.is_empty() { Ok(p.terms_of_procedure()) } else { p.terms(req.case_id.as_deref()) };
        problems.take(t)
    });
    let now = store.clock().now();
    let mut applicant = problems.take(validate::applicant(&req.applicant, today));
    if let Some(code) = applicant.as_ref().and_then(|a| a.identity.unit_code.as_deref()) {
        if crate::units::for_data_dir(store.data_dir()).unit(code).is_none() {
            problems.push(CoreError::validation("applicant.identity.unit_code", format!("Mã đơn vị hành chính {code} không có trong danh mục 2025")));
        }
    }
    if let (Some(a), Some(scan)) = (applicant.as_mut(), &req.card) {
        problems.take(identity::applicant_from_card(a, scan, now));
    }
    let mut representative = problems.take(req.representative.as_ref().map(validate::representative).transpose()).flatten().flatten();
    if let Some(scan) = &req.representative_card {
        match representative.as_mut() {
            Some(r) => {
                problems.take(identity::representative_from_card(r, scan, now));
            }
            None => problems.push(CoreError::validation("representative.full_name", "Đã quét thẻ người được ủy quyền nhưng chưa có họ tên, số giấy tờ")),
        }
    }
    let mut docs = match (&p, &terms) {
        (Some(p), Some(t)) => problems.take(ticked_documents(p, &t.documents, req.documents.as_deref())),
        _ => None,
    };
    // the identity paper of an applicant whose card was read: received electronically, no photocopy
    if let (Some((docs, _)), Some(t), Some(a)) = (docs.as_mut(), &terms, &applicant) {
        if a.identity.card_read_at.is_some() {
            for d in docs.iter_mut() {
                d.read_from_card = t.documents.iter().any(|r| r.id == d.id && r.identity);
            }
        }
    }
    let delivery = problems.take(match req.delivery.clone().unwrap_or_default() {
        Delivery::Counter => Ok(Delivery::Counter),
        Delivery::Post { address } => limits::text("delivery.address", "Địa chỉ nhận kết quả qua bưu chính", &address, limits::ADDRESS).and_then(|address| {
            if p.as_ref().is_some_and(|p| !p.postal_return) {
                Err(CoreError::validation("delivery", format!("Thủ tục {} không trả kết quả qua bưu chính", req.procedure_code.trim())))
            } else if address.is_empty() {
                Err(CoreError::validation("delivery.address", "Trả qua bưu chính cần địa chỉ nhận"))
            } else {
                Ok(Delivery::Post { address })
            }
        }),
    });
    let note = problems.take(req.note.as_deref().map(|n| limits::text("note", "Ghi chú", n, limits::NOTE)).transpose()).flatten().filter(|n| !n.is_empty());
    let subject =
        problems.take(req.subject.as_deref().map(|n| limits::text("subject", "Nội dung yêu cầu", n, limits::SUBJECT)).transpose()).flatten().filter(|n| !n.is_empty());
    problems.finish()?;
    let (Some(procedure), Some(terms), Some(applicant), Some((documents, missing)), Some(delivery)) = (p, terms, applicant, docs, delivery) else {
        unreachable!("every part checked")
    };
    Ok(Checked { procedure, terms, applicant, representative, documents, missing, delivery, note, subject })
}

/// Validates the request into a dossier (without code, times, status) — writes nothing.
fn validate_request(store: &Store, req: &IntakeRequest, today: chrono::NaiveDate) -> Result<(Checked, i64, FeeKind)> {
    let c = check_request(store, req, today)?;
    let mut problems = crate::error::Problems::default();
    if !c.missing.is_empty() {
        problems.push(CoreError::validation("documents", format!("Hồ sơ chưa đủ thành phần bắt buộc: {}", c.missing.join("; "))));
    }
    let fee = problems.take(fee_of(&c.terms, req.fee, req.channel == Some(Channel::Online), req.fee_units));
    problems.finish()?;
    let (fee, fee_kind) = fee.expect("checked");
    Ok((c, fee, fee_kind))
}

/// A repeated request id answers with the dossier it took in — never with a guidance or refusal
/// record made under the same id (the clerk completed the papers after the slip: a new request).
fn not_a_contact(d: Dossier) -> Result<Dossier> {
    if d.status.is_intake_contact() {
        return Err(CoreError::validation(
            "request_id",
            format!("Yêu cầu này đã được ghi nhận là {} ({}): tiếp nhận trên một phiếu mới", d.status.label().to_lowercase(), d.code),
        ));
    }
    Ok(d)
}

/// Takes a dossier in. Returns the stored dossier (the existing one for a repeated `request_id`).
pub fn submit(store: &mut Store, req: &IntakeRequest) -> Result<Dossier> {
    Ok(submit_batch(store, std::slice::from_ref(req))?.remove(0))
}

/// Takes several dossiers in, in ONE transaction: all are stored or none is (online dossiers pulled
/// from the portal, bulk loads). Each is validated, coded and dated as in `submit`.
pub fn submit_batch(store: &mut Store, reqs: &[IntakeRequest]) -> Result<Vec<Dossier>> {
    store.require(crate::accounts::Right::Intake)?;
    store.require_set_up()?;
    let ctx = store.context()?.clone();
    let template = store.code_template().to_string();
    // Validate everything and compute the appointments before opening the write transaction.
    let mut prepared = Vec::with_capacity(reqs.len());
    for req in reqs {
        let request_id = req.request_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        if let Some(rid) = &request_id {
            limits::length("request_id", "request_id", rid, limits::REQUEST_ID)?;
            if let Some(d) = store.dossier_by_request_id(rid)? {
                prepared.push(Err(not_a_contact(d)?));
                continue;
            }
        }
        let now = store.clock().now();
        let v = validate_request(store, req, now.date())?;
        let due = due_at(store.calendar(), store.office_hours(), now, &v.0.terms.time_limit)?;
        let docs = crate::documents::check_intake(store, &v.0.documents, &req.attachments, &ctx.clerk_id)?;
        prepared.push(Ok((now, due, request_id, req.channel.unwrap_or_default(), v, docs)));
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
        let (now, due, request_id, channel, (c, fee, fee_kind), docs) = match item {
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
            procedure_code: c.procedure.code.clone(),
            procedure_name: c.procedure.name.clone(),
            applicant: c.applicant,
            documents: c.documents,
            fee,
            fee_kind: Some(fee_kind),
            case_id: c.terms.case_id.clone(),
            case_name: c.terms.case_name.clone(),
            representative: c.representative,
            subject: c.subject,
            channel,
            delivery: c.delivery,
            received_at: to_rfc3339(now),
            due_at: to_rfc3339(due),
            time_limit: c.terms.time_limit.clone(),
            clerk_id: ctx.clerk_id.clone(),
            clerk_name: ctx.clerk_name.clone(),
            counter_id: ctx.counter_id.clone(),
            status: DossierStatus::Received,
            request_id,
            note: c.note,
            progress: Default::default(),
        };
        let mut dossier = dossier;
        let dossier_id = insert(&tx, &ctx, now, &dossier)?;
        let detail = serde_json::json!({ "procedure": dossier.procedure_code, "documents": docs.len() });
        for doc in docs {
            let event = EventKind::DocumentAttached { document: doc.clone() };
            crate::documents::record(&tx, dossier_id, &ctx, now, doc)?;
            dossier.apply(&to_rfc3339(now), &event);
        }
        crate::audit::record(&tx, now, &ctx.clerk_id, "intake", &dossier.code, &detail)?;
        outcomes.push(Outcome::Stored(Box::new(dossier)));
    }
    tx.commit()?;
    outcomes
        .into_iter()
        .map(|o| match o {
            Outcome::Stored(d) | Outcome::Existing(d) => Ok(*d),
            Outcome::ExistingId(id) => not_a_contact(store.dossier_by_id(id)?),
        })
        .collect()
}

/// Writes the dossier row, its search entry, its `received` event and the outbox entry.
fn insert(tx: &rusqlite::Transaction, ctx: &crate::store::CounterContext, now: NaiveDateTime, dossier: &Dossier) -> Result<i64> {
    let dossier_id = insert_projection(tx, dossier, dossier.request_id.as_deref())?;
    let event = EventKind::Received { dossier: Box::new(dossier.clone()) };
    crate::events::append(tx, dossier_id, ctx, now, &event)?;
    Ok(dossier_id)
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
        .execute(params![dossier_id, searchable_names(dossier)])?;
    Ok(dossier_id)
}

/// What the name search finds a dossier by: the applicant's name, and the person the request is
/// about ("Nội dung yêu cầu"), accent-free.
pub(crate) fn searchable_names(d: &Dossier) -> String {
    match &d.subject {
        Some(s) => text::fold(&format!("{} {s}", d.applicant.full_name)),
        None => text::fold(&d.applicant.full_name),
    }
}

pub mod contact;
pub mod identity;
pub mod returning;

#[cfg(test)]
pub(crate) mod tests;
