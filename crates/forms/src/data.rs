//! What each form is filled from: plain structs, built here from the store. Forms after the receipt take
//! their particulars (reason, missing items, new date, hand-overs) from a `FormInput` today; the lifecycle
//! (issue 4) fills the same fields from the dossier's events, with no change to the templates.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use motcua_core::clock::parse_local;
use motcua_core::dossier::{Delivery, Dossier, DossierStatus};
use motcua_core::settings::CounterSettings;
use motcua_core::{text, CoreError, Store};

use crate::error::Result;
use crate::template::FormKind;

/// The agency header and the names that sign.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// "UBND THÀNH PHỐ HÀ NỘI"
    pub parent: String,
    /// As registered, e.g. "UBND phường Ba Đình"; `agency_upper` for the header.
    pub agency_name: String,
    pub agency_upper: String,
    /// The receiving unit, a setting: "Trung tâm Phục vụ hành chính công" (or "Bộ phận Một cửa").
    pub unit: String,
    pub unit_upper: String,
    /// "Ba Đình, ngày 23 tháng 11 năm 2026"
    pub place_date: String,
    pub head_title: String,
    pub head_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocLine {
    pub n: u32,
    pub name: String,
    pub form: String,
    pub count: u32,
}

/// The dossier as the forms print it: every value already formatted in Vietnamese style.
#[derive(Debug, Clone, Serialize)]
pub struct DossierView {
    /// The dossier code; for a contact at intake (guidance, refusal) the slip's number.
    pub code: String,
    /// The dossier code as the "Mã hồ sơ (nếu có)" line prints it: empty for a contact at intake.
    pub dossier_code: String,
    /// The slip's number ("Số: …"): a contact's number, or for a dossier its logbook entry.
    pub number: String,
    /// Set when the code is provisional: the receipt says so in words.
    pub provisional: String,
    /// The stop notice is on the citizen's own request (a withdrawal), not the agency's decision.
    pub by_request: String,
    pub case_name: String,
    pub id_label: String,
    pub representative_name: String,
    pub representative_id: String,
    /// ", quan hệ với người nộp: con; giấy ủy quyền: …" (empty when not given).
    pub representative_details: String,
    /// What the request is about when it concerns another person ("Nội dung yêu cầu").
    pub subject: String,
    /// "08 giờ 30 phút, ngày 30 tháng 11 năm 2026" when the identity was read from the card.
    pub card_read_at: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// "08 giờ 30 phút, ngày 23 tháng 11 năm 2026"
    pub received_at: String,
    /// "23 tháng 11 năm 2026"
    pub received_date: String,
    pub due_at: String,
    pub time_limit: String,
    pub documents: Vec<DocLine>,
    pub sets: String,
    pub delivery: String,
    /// "Nhận trực tiếp" / "Qua dịch vụ bưu chính công ích" (the logbook's column).
    pub delivery_method: String,
    /// "50.000 đồng", "Miễn lệ phí", "Không thu": never empty for a dossier taken in with fee kinds.
    pub fee: String,
    pub clerk_name: String,
    /// Logbook volume (the year) and entry number (the code's sequence).
    pub book: String,
    pub book_number: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Numbered {
    pub n: u32,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HandoverRow {
    pub from: String,
    pub to: String,
    pub at: String,
    #[serde(default)]
    pub giver: String,
    #[serde(default)]
    pub receiver: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogbookRow {
    pub n: u32,
    pub code: String,
    pub procedure: String,
    pub sets: String,
    pub applicant: String,
    pub address: String,
    pub phone: String,
    pub department: String,
    pub received_at: String,
    pub due_at: String,
    pub delivery_method: String,
    pub handed_over: String,
    pub returned: String,
    pub note: String,
}

/// One dossier on a handover list.
#[derive(Debug, Clone, Serialize)]
pub struct BatchRow {
    pub n: u32,
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub due_at: String,
    pub note: String,
}

/// Particulars of a form that the dossier alone does not give (until the lifecycle records them).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FormInput {
    /// Refusal, apology, stop: why. Supplement: an optional explanation.
    #[serde(default)]
    #[ts(optional)]
    pub reason: Option<String>,
    /// Supplement: each missing or incomplete item.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub missing: Vec<String>,
    /// Apology: the new appointment (dd/mm/yyyy or yyyy-mm-dd, optionally with HH:MM).
    #[serde(default)]
    #[ts(optional)]
    pub new_due: Option<String>,
    /// Control slip: the department that processes the dossier, and those that help.
    #[serde(default)]
    #[ts(optional)]
    pub department: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub coordinating: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<Vec<HandoverRow>>", optional)]
    pub handovers: Vec<HandoverRow>,
    /// Handover list: the batch (BG-…) whose list to print.
    #[serde(default)]
    #[ts(optional)]
    pub batch: Option<String>,
}

/// The data of one form, ready for the layout engine (serialised to JSON for the placeholders).
#[derive(Debug, Clone, Serialize)]
pub struct FormData {
    pub header: Header,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dossier: Option<DossierView>,
    /// Receipt: the QR payload.
    pub lookup_url: String,
    pub reason: String,
    pub missing: Vec<Numbered>,
    pub new_due_at: String,
    pub contact_phone: String,
    pub department: String,
    pub coordinating: String,
    pub handovers: Vec<HandoverRow>,
    /// Logbook
    pub from: String,
    pub to: String,
    pub count: usize,
    pub rows: Vec<LogbookRow>,
    /// Logbook (the day's closing register): the audit log's head "id:hash" when printed, an anchor
    /// on paper that `motcua audit verify` can be checked against.
    pub audit_anchor: String,
    /// Handover list
    pub batch: String,
    pub giver: String,
    pub handed_at: String,
    pub batch_rows: Vec<BatchRow>,
}

/// Dates as the forms print them (Decree 30/2020): the core's formats.
pub use motcua_core::dates::{format_decree30_date as vn_date, format_decree30_datetime as vn_datetime};

fn short_datetime(t: &str) -> String {
    parse_local(t).map(motcua_core::dates::format_time_date).unwrap_or_else(|| t.to_string())
}

pub use motcua_core::text::money;

fn header(store: &Store, settings: &CounterSettings) -> Result<Header> {
    let ctx = store.context()?;
    let today = store.clock().now().date();
    let unit = settings.unit_name.clone();
    Ok(Header {
        parent: settings.parent_agency.to_uppercase(),
        agency_name: ctx.agency_name.clone(),
        agency_upper: ctx.agency_name.to_uppercase(),
        unit_upper: unit.to_uppercase(),
        unit,
        place_date: format!("{}, {}", settings.place_name, vn_date(today)),
        head_title: settings.head_title.to_uppercase(),
        head_name: settings.head_name.clone(),
    })
}

/// How the fold names the counter in hand-overs, printed as the unit's name (a setting).
fn unit_named(name: &str, unit: &str) -> String {
    if name == motcua_core::dossier::COUNTER_UNIT { unit.to_string() } else { name.to_string() }
}

pub fn dossier_view(d: &Dossier, unit: &str) -> DossierView {
    let received = parse_local(&d.received_at);
    let due = parse_local(&d.due_at);
    let contact = d.status.is_intake_contact();
    let seq = d.code.rsplit('-').next().unwrap_or("").to_string();
    DossierView {
        code: d.code.clone(),
        dossier_code: if contact { String::new() } else { d.code.clone() },
        number: if contact { d.code.clone() } else { seq.clone() },
        provisional: if d.provisional { "tam".into() } else { String::new() },
        by_request: if d.status == DossierStatus::Withdrawn { "yes".into() } else { String::new() },
        case_name: d.case_name.clone().unwrap_or_default(),
        id_label: d.applicant.id_type.label().to_string(),
        representative_name: d.representative.as_ref().map(|r| r.full_name.clone()).unwrap_or_default(),
        representative_id: d.representative.as_ref().map(|r| r.id_number.clone()).unwrap_or_default(),
        representative_details: d
            .representative
            .as_ref()
            .map(|r| {
                let mut out = String::new();
                if !r.relation.is_empty() {
                    out.push_str(&format!(", quan hệ với người nộp: {}", r.relation));
                }
                if !r.authorisation.is_empty() {
                    out.push_str(&format!("; giấy ủy quyền: {}", r.authorisation));
                }
                if r.card_read_at.is_some() {
                    out.push_str(" (đã đọc thẻ căn cước)");
                }
                out
            })
            .unwrap_or_default(),
        subject: d.subject.clone().unwrap_or_default(),
        card_read_at: d.applicant.identity.card_read_at.as_deref().and_then(parse_local).map(vn_datetime).unwrap_or_default(),
        procedure_code: d.procedure_code.clone(),
        procedure_name: d.procedure_name.clone(),
        applicant_name: d.applicant.full_name.clone(),
        id_number: d.applicant.id_number.clone(),
        address: d.applicant.address.clone(),
        phone: d.applicant.phone.clone(),
        email: d.applicant.email.clone().unwrap_or_default(),
        received_at: received.map(vn_datetime).unwrap_or_else(|| d.received_at.clone()),
        received_date: received.map(|t| vn_date(t.date()).trim_start_matches("ngày ").to_string()).unwrap_or_default(),
        due_at: due.map(vn_datetime).unwrap_or_else(|| d.due_at.clone()),
        time_limit: d.time_limit.label(),
        documents: d
            .documents
            .iter()
            .enumerate()
            .map(|(i, doc)| DocLine {
                n: i as u32 + 1,
                name: doc.name.clone(),
                // read from the card at the counter: nothing to hand in, no photocopy
                form: if doc.read_from_card { "đọc từ thẻ căn cước, không nộp bản sao".to_string() } else { doc.form.label().to_string() },
                count: doc.count,
            })
            .collect(),
        sets: "01".into(),
        delivery: match &d.delivery {
            Delivery::Counter => format!("{unit} (nhận trực tiếp)"),
            Delivery::Post { address } => format!("Qua dịch vụ bưu chính công ích, địa chỉ: {address}"),
        },
        delivery_method: delivery_method(&d.delivery),
        fee: d.fee_label(),
        clerk_name: d.clerk_name.clone(),
        book: received.map(|t| t.year().to_string()).unwrap_or_default(),
        // a provisional code's serial is not the logbook's: left for the hand until the official code
        book_number: if d.provisional { "......".into() } else { seq },
    }
}

fn delivery_method(d: &Delivery) -> String {
    match d {
        Delivery::Counter => "Nhận trực tiếp".into(),
        Delivery::Post { .. } => "Qua dịch vụ bưu chính công ích".into(),
    }
}

fn clean_opt(s: &Option<String>) -> String {
    s.as_deref().map(text::clean).unwrap_or_default()
}

fn required(value: String, field: &str, what: &str) -> Result<String> {
    if value.is_empty() {
        return Err(CoreError::validation(field, format!("Cần nhập {what}")).into());
    }
    Ok(value)
}

/// Parses "dd/mm/yyyy[ HH:MM]" or ISO; a date alone means 17:00 (one rule with the lifecycle's `delay`).
pub use motcua_core::lifecycle::parse_appointment as parse_new_due;

impl FormInput {
    /// What the clerk typed for the form, held to the same limits and printable rule as the
    /// lifecycle's steps (motcua_core::limits): nothing is printed that those would refuse.
    pub fn check(&self) -> Result<()> {
        use motcua_core::limits::{self as l, text};
        let opt = |v: &Option<String>, field: &str, label: &str, max: usize| -> Result<()> {
            v.as_deref().map(|v| text(field, label, v, max)).transpose()?;
            Ok(())
        };
        opt(&self.reason, "reason", "Lý do", l::REASON)?;
        opt(&self.new_due, "new_due", "Ngày hẹn trả kết quả mới", l::DATE_INPUT)?;
        opt(&self.department, "department", "Phòng ban", l::DEPARTMENT)?;
        opt(&self.coordinating, "coordinating", "Phòng ban phối hợp", l::DEPARTMENT)?;
        opt(&self.batch, "batch", "Số đợt bàn giao", l::CODE)?;
        if self.missing.len() > l::MISSING_ITEMS {
            return Err(CoreError::validation("missing", format!("Tối đa {} mục cần bổ sung", l::MISSING_ITEMS)).into());
        }
        for m in &self.missing {
            text("missing", "Nội dung cần bổ sung", m, l::MISSING_ITEM)?;
        }
        if self.handovers.len() > 20 {
            return Err(CoreError::validation("handovers", "Tối đa 20 dòng bàn giao trên một phiếu").into());
        }
        for h in &self.handovers {
            for (v, max) in [(&h.from, l::DEPARTMENT), (&h.to, l::DEPARTMENT), (&h.at, l::DATE_INPUT), (&h.giver, l::NAME), (&h.receiver, l::NAME), (&h.result, l::REASON), (&h.note, l::REASON)] {
                text("handovers", "Dòng bàn giao", v, max)?;
            }
        }
        Ok(())
    }
}

/// Builds the data of a per-dossier form.
pub fn for_dossier(store: &Store, kind: FormKind, code: &str, input: &FormInput) -> Result<FormData> {
    input.check()?;
    let settings = CounterSettings::load(store)?;
    let dossier = store.dossier_by_code(code)?;
    // a contact at intake has only the slip it was given: never a receipt, a control slip or a notice
    let fits_contact = match dossier.status {
        DossierStatus::Guided => kind == FormKind::Supplement,
        DossierStatus::NotAccepted => kind == FormKind::Refusal,
        _ => true,
    };
    if !fits_contact {
        return Err(CoreError::forbidden(
            motcua_core::error::Reason::Conflict,
            format!("{} {} không phải hồ sơ đã tiếp nhận: chỉ in được phiếu đã giao cho công dân", dossier.status.label(), dossier.code),
        )
        .into());
    }
    let unit = settings.unit_name.clone();
    let mut view = dossier_view(&dossier, &unit);
    let progress = &dossier.progress;
    let mut data = empty(header(store, &settings)?);
    data.lookup_url = settings.lookup_url.replace("{code}", &dossier.code);
    data.contact_phone = if settings.counter_phone.is_empty() { "..................".into() } else { settings.counter_phone.clone() };
    // What the clerk typed wins; otherwise the dossier's history fills the form.
    data.reason = clean_opt(&input.reason);
    if data.reason.is_empty() {
        data.reason = match kind {
            FormKind::Apology => progress.delay_reason.clone().unwrap_or_default(),
            FormKind::Refusal | FormKind::Stop => progress.reason.clone().unwrap_or_default(),
            FormKind::Supplement if dossier.status == DossierStatus::Guided => progress.reason.clone().unwrap_or_default(),
            _ => String::new(),
        };
    }
    match kind {
        FormKind::Receipt | FormKind::Control | FormKind::Supplement => {}
        FormKind::Refusal => data.reason = required(data.reason, "reason", "lý do từ chối tiếp nhận, giải quyết hồ sơ")?,
        // on the citizen's request (after a withdrawal) the notice needs no reason of its own
        FormKind::Stop if dossier.status == DossierStatus::Withdrawn => {}
        FormKind::Stop => data.reason = required(data.reason, "reason", "lý do dừng giải quyết hồ sơ")?,
        FormKind::Apology => {
            data.reason = required(data.reason, "reason", "lý do chậm trả kết quả")?;
            let typed = clean_opt(&input.new_due);
            if typed.is_empty() && progress.delays > 0 {
                // Recorded by the lifecycle: the receipt's appointment and the new one.
                if let Some(t) = parse_local(&dossier.due_at) {
                    data.new_due_at = vn_datetime(t);
                }
                if let Some(t) = progress.original_due_at.as_deref().and_then(parse_local) {
                    view.due_at = vn_datetime(t);
                }
            } else {
                let raw = required(typed, "new_due", "ngày hẹn trả kết quả mới")?;
                let t = parse_new_due(&raw).ok_or_else(|| CoreError::validation("new_due", format!("Ngày hẹn mới \"{raw}\" không đúng dạng ngày/tháng/năm")))?;
                // the same rule as the lifecycle's apology step (after the current appointment and now,
                // a working day, within the delays allowed)
                motcua_core::lifecycle::check_new_due(store, &dossier, t, store.clock().now(), &settings)?;
                data.new_due_at = vn_datetime(t);
            }
        }
        FormKind::Logbook => return Err(CoreError::invalid("Sổ theo dõi hồ sơ in theo khoảng ngày, không theo một hồ sơ").into()),
        FormKind::Handover => return Err(CoreError::invalid("Danh sách bàn giao in theo đợt bàn giao, không theo một hồ sơ").into()),
    }
    let missing = if input.missing.is_empty() { &progress.missing } else { &input.missing };
    data.missing = missing
        .iter()
        .map(|m| text::clean(m))
        .filter(|m| !m.is_empty())
        .enumerate()
        .map(|(i, text)| Numbered { n: i as u32 + 1, text })
        .collect();
    let first_department = progress.movements.first().map(|m| m.to.clone());
    data.department = input
        .department
        .as_deref()
        .map(text::clean)
        .filter(|s| !s.is_empty())
        .or(first_department)
        .unwrap_or_else(|| "..................................".into());
    data.coordinating = input.coordinating.as_deref().map(text::clean).filter(|s| !s.is_empty()).unwrap_or_else(|| "..................................".into());
    data.handovers = if !input.handovers.is_empty() {
        input.handovers.clone()
    } else if !progress.movements.is_empty() {
        let last = progress.movements.len() - 1;
        progress
            .movements
            .iter()
            .enumerate()
            .map(|(i, m)| HandoverRow {
                from: unit_named(&m.from, &unit),
                to: unit_named(&m.to, &unit),
                at: short_datetime(&m.at),
                giver: if m.from == motcua_core::dossier::COUNTER_UNIT { dossier.clerk_name.clone() } else { String::new() },
                receiver: String::new(),
                result: if i == last { progress.timeliness.map(|t| t.label().to_string()).unwrap_or_default() } else { String::new() },
                note: m.batch.clone().unwrap_or_default(),
            })
            .collect()
    } else if kind == FormKind::Control {
        // The first hand-over is always from the counter; its time is filled in by hand at handover.
        vec![HandoverRow { from: unit.clone(), to: data.department.clone(), giver: dossier.clerk_name.clone(), ..Default::default() }]
    } else {
        Vec::new()
    };
    data.dossier = Some(view);
    Ok(data)
}

/// Builds the logbook of the dossiers received between two dates (inclusive).
pub fn logbook(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<FormData> {
    let settings = CounterSettings::load(store)?;
    // the logbook is the register of dossiers taken in: contacts that issued no code are not in it
    let dossiers: Vec<Dossier> = store.dossiers_received_between(from, to)?.into_iter().filter(|d| !d.status.is_intake_contact()).collect();
    let mut data = empty(header(store, &settings)?);
    data.from = motcua_core::dates::format_date(from);
    data.to = motcua_core::dates::format_date(to);
    data.count = dossiers.len();
    data.audit_anchor = motcua_core::audit::anchor_of(store)?.unwrap_or_else(|| "—".into());
    data.rows = dossiers
        .iter()
        .enumerate()
        .map(|(i, d)| LogbookRow {
            n: i as u32 + 1,
            code: d.code.clone(),
            procedure: d.procedure_name.clone(),
            sets: "01".into(),
            applicant: d.applicant.full_name.clone(),
            address: d.applicant.address.clone(),
            phone: d.applicant.phone.clone(),
            department: d.progress.movements.first().map(|m| m.to.clone()).unwrap_or_default(),
            received_at: short_datetime(&d.received_at),
            due_at: short_datetime(&d.due_at),
            delivery_method: delivery_method(&d.delivery),
            handed_over: d.progress.movements.first().map(|m| short_datetime(&m.at)).unwrap_or_default(),
            returned: match (d.status, &d.progress.closed_at) {
                (motcua_core::dossier::DossierStatus::Returned, Some(at)) => {
                    format!("{} ({})", short_datetime(at), d.progress.timeliness.map(|t| t.label()).unwrap_or(""))
                }
                (status, Some(at)) if !status.is_open() => format!("{}: {}", status.label(), short_datetime(at)),
                _ => String::new(),
            },
            note: d.note.clone().unwrap_or_default(),
        })
        .collect();
    Ok(data)
}

/// Builds the handover list of one batch: the dossiers in scan order, who gave them, to whom, when.
pub fn handover_list(store: &Store, batch: &str) -> Result<FormData> {
    let settings = CounterSettings::load(store)?;
    let batch = text::clean(batch).to_uppercase();
    if batch.is_empty() {
        return Err(CoreError::validation("batch", "Cần nhập số đợt bàn giao (BG-…)").into());
    }
    let dossiers = store.dossiers_in_batch(&batch)?;
    let mut data = empty(header(store, &settings)?);
    let movement = |d: &Dossier| d.progress.movements.iter().find(|m| m.batch.as_deref() == Some(batch.as_str())).cloned();
    let first = movement(&dossiers[0]);
    data.department = first.as_ref().map(|m| m.to.clone()).unwrap_or_default();
    data.handed_at = first.as_ref().and_then(|m| parse_local(&m.at)).map(vn_datetime).unwrap_or_default();
    data.giver = store.context()?.clerk_name.clone();
    data.count = dossiers.len();
    data.batch_rows = dossiers
        .iter()
        .enumerate()
        .map(|(i, d)| BatchRow {
            n: i as u32 + 1,
            code: d.code.clone(),
            procedure: d.procedure_name.clone(),
            applicant: d.applicant.full_name.clone(),
            due_at: short_datetime(&d.due_at),
            note: if d.provisional { "Mã tạm".into() } else { String::new() },
        })
        .collect();
    data.batch = batch;
    Ok(data)
}

fn empty(header: Header) -> FormData {
    FormData {
        audit_anchor: String::new(),
        header,
        dossier: None,
        lookup_url: String::new(),
        reason: String::new(),
        missing: Vec::new(),
        new_due_at: String::new(),
        contact_phone: String::new(),
        department: String::new(),
        coordinating: String::new(),
        handovers: Vec::new(),
        from: String::new(),
        to: String::new(),
        count: 0,
        rows: Vec::new(),
        batch: String::new(),
        giver: String::new(),
        handed_at: String::new(),
        batch_rows: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_dates_follow_decree_30() {
        assert_eq!(vn_date(NaiveDate::from_ymd_opt(2026, 2, 5).unwrap()), "ngày 05 tháng 02 năm 2026");
        assert_eq!(vn_date(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), "ngày 23 tháng 11 năm 2026");
        let t = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 5, 0).unwrap();
        assert_eq!(vn_datetime(t), "08 giờ 05 phút, ngày 01 tháng 3 năm 2026");
    }

    #[test]
    fn money_groups_thousands_with_dots() {
        assert_eq!(money(50_000), "50.000 đồng");
        assert_eq!(money(1_234_567), "1.234.567 đồng");
        assert_eq!(money(800), "800 đồng");
    }

    #[test]
    fn new_due_accepts_vietnamese_and_iso_dates() {
        assert_eq!(parse_new_due("30/11/2026").unwrap().to_string(), "2026-11-30 17:00:00");
        assert_eq!(parse_new_due("30/11/2026 09:30").unwrap().to_string(), "2026-11-30 09:30:00");
        assert_eq!(parse_new_due("2026-11-30T10:00").unwrap().to_string(), "2026-11-30 10:00:00");
        assert!(parse_new_due("31/02/2026").is_none());
    }
}
