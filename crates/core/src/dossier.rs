//! The dossier (hồ sơ) and its event history. History is append-only: every change is an `Event`, and
//! a dossier's status is `fold_status` over its events, never edited in place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{DocumentForm, TimeLimit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IdType {
    /// Căn cước / căn cước công dân: 12 digits, the first 3 a province code.
    Cccd,
    Passport,
    Other,
}

impl IdType {
    pub const ALL: [IdType; 3] = [IdType::Cccd, IdType::Passport, IdType::Other];
    pub fn label(self) -> &'static str {
        match self {
            IdType::Cccd => "CCCD / Căn cước",
            IdType::Passport => "Hộ chiếu",
            IdType::Other => "Khác",
        }
    }
}

/// How the result goes back, by kind (`Delivery`), in words.
pub const DELIVERY_LABELS: [(&str, &str); 2] = [("counter", "Tại quầy"), ("post", "Qua bưu chính")];

/// Who takes the result, by kind (`ReturnTo`), in words.
pub const RETURN_TO_LABELS: [(&str, &str); 3] =
    [("applicant", "Người nộp nhận trực tiếp"), ("authorised", "Người được ủy quyền nhận"), ("post", "Gửi qua bưu chính")];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Applicant {
    pub full_name: String,
    pub id_type: IdType,
    pub id_number: String,
    /// `YYYY-MM-DD`
    pub date_of_birth: String,
    pub phone: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub email: Option<String>,
    /// Gender, old ID, date of issue, and whether the identity was read from the card.
    #[serde(default, skip_serializing_if = "IdentityDetails::is_empty")]
    #[ts(as = "Option<IdentityDetails>", optional)]
    pub identity: IdentityDetails,
}

/// What the citizen's card adds to a person's identity (all optional: a hand-typed intake may have
/// none), and the proof that it was read from the card rather than typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IdentityDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub gender: Option<crate::card::Gender>,
    /// The old 9-digit CMND.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub old_id_number: Option<String>,
    /// `YYYY-MM-DD`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub id_issued_on: Option<String>,
    /// When the card's QR was read (RFC 3339), set by the core after checking the card string against
    /// the typed number; absent when typed by hand. Decree 118/2025: a paper the office reads
    /// electronically is not asked for again as a photocopy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub card_read_at: Option<String>,
    /// The current unit (2025 map) the applicant lives in, as the clerk confirmed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unit_code: Option<String>,
    /// The address as the card wrote it (old units), when the clerk took its current form instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub card_address: Option<String>,
    /// The fields whose value is the card's (`full_name`, `date_of_birth`, `address` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub from_card: Vec<String>,
}

impl IdentityDetails {
    pub fn is_empty(&self) -> bool {
        *self == IdentityDetails::default()
    }
}

/// How the fold names the counter in hand-overs (a stored token; forms print the unit's name, a
/// setting, in its place).
pub const COUNTER_UNIT: &str = "Bộ phận Một cửa";

/// The authorised person who files on behalf of the applicant ("Trường hợp ủy quyền" on Mẫu 01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Representative {
    pub full_name: String,
    pub id_number: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub phone: String,
    /// The relation to the applicant ("con", "vợ", "người được ủy quyền" …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub relation: String,
    /// The authorisation paper ("Giấy ủy quyền số 12 ngày 01/11/2026, chứng thực tại …").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(optional, as = "Option<String>")]
    pub authorisation: String,
    /// When the representative's own card was read (RFC 3339), checked by the core like the applicant's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub card_read_at: Option<String>,
}

/// How the dossier came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    #[default]
    Counter,
    Postal,
    Online,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Postal, Channel::Online];
    pub fn label(self) -> &'static str {
        match self {
            Channel::Counter => "Trực tiếp tại quầy",
            Channel::Postal => "Qua bưu chính",
            Channel::Online => "Trực tuyến",
        }
    }
}

/// Where the result goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Delivery {
    #[default]
    Counter,
    Post { address: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceivedDocument {
    pub id: String,
    pub name: String,
    pub form: DocumentForm,
    pub count: u32,
    /// The applicant's identity paper read from the card at the counter: no photocopy was taken
    /// (Decree 118/2025: papers held electronically are not asked for again).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub read_from_card: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DossierStatus {
    /// Đã tiếp nhận: at the counter, not yet handed over.
    Received,
    /// Đang giải quyết: with a specialist department.
    InProcess,
    /// Chờ bổ sung: the citizen must complete the dossier; the clock is stopped.
    WaitingSupplement,
    /// Có kết quả, chờ trả: the result is back at the counter.
    ResultReady,
    /// Đã trả kết quả (closed).
    Returned,
    /// Từ chối tiếp nhận, giải quyết (closed).
    Refused,
    /// Dừng giải quyết (closed).
    Stopped,
    /// Công dân rút hồ sơ (closed).
    Withdrawn,
    /// Not taken in: the papers were incomplete and the citizen got the one-time guidance slip
    /// (Mẫu 02). A contact record with a guidance number, never a dossier code (closed).
    Guided,
    /// Not taken in: outside the counter's remit or not eligible; the citizen got the refusal slip
    /// (Mẫu 03). A contact record with its own number, never a dossier code (closed).
    NotAccepted,
}

impl DossierStatus {
    pub const ALL: [DossierStatus; 10] = [
        DossierStatus::Received,
        DossierStatus::InProcess,
        DossierStatus::WaitingSupplement,
        DossierStatus::ResultReady,
        DossierStatus::Returned,
        DossierStatus::Refused,
        DossierStatus::Stopped,
        DossierStatus::Withdrawn,
        DossierStatus::Guided,
        DossierStatus::NotAccepted,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            DossierStatus::Received => "received",
            DossierStatus::InProcess => "in_process",
            DossierStatus::WaitingSupplement => "waiting_supplement",
            DossierStatus::ResultReady => "result_ready",
            DossierStatus::Returned => "returned",
            DossierStatus::Refused => "refused",
            DossierStatus::Stopped => "stopped",
            DossierStatus::Withdrawn => "withdrawn",
            DossierStatus::Guided => "guided",
            DossierStatus::NotAccepted => "not_accepted",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DossierStatus::Received => "Đã tiếp nhận",
            DossierStatus::InProcess => "Đang giải quyết",
            DossierStatus::WaitingSupplement => "Chờ bổ sung hồ sơ",
            DossierStatus::ResultReady => "Có kết quả, chờ trả",
            DossierStatus::Returned => "Đã trả kết quả",
            DossierStatus::Refused => "Đã từ chối",
            DossierStatus::Stopped => "Đã dừng giải quyết",
            DossierStatus::Withdrawn => "Công dân đã rút hồ sơ",
            DossierStatus::Guided => "Đã hướng dẫn bổ sung (chưa tiếp nhận)",
            DossierStatus::NotAccepted => "Từ chối tiếp nhận (chưa tiếp nhận)",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        DossierStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Still being processed or waiting to be collected.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            DossierStatus::Returned
                | DossierStatus::Refused
                | DossierStatus::Stopped
                | DossierStatus::Withdrawn
                | DossierStatus::Guided
                | DossierStatus::NotAccepted
        )
    }
    /// A contact at intake that issued no dossier code (guidance or refusal slip): not a dossier in
    /// the logbook, the on-time counts or the work lists; its `code` is the slip's number.
    pub fn is_intake_contact(self) -> bool {
        matches!(self, DossierStatus::Guided | DossierStatus::NotAccepted)
    }
}

/// Who took the result, or how it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum ReturnTo {
    /// The applicant in person (ID checked).
    Applicant { name: String, id_number: String },
    /// A person authorised by the applicant (ID checked, authorisation kept).
    Authorised { name: String, id_number: String },
    /// By public postal service, with the tracking number.
    Post { tracking: String },
}

/// Early / on time / late against the appointment, when the result is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub const ALL: [Timeliness; 3] = [Timeliness::Early, Timeliness::OnTime, Timeliness::Late];
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
    }
}

/// A hand-over between the counter and departments (the control slip's rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Movement {
    pub at: String,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub batch: Option<String>,
}

/// What happened after intake, folded from the events (empty for a dossier just received).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Progress {
    /// The department holding the dossier now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Movement>>", optional)]
    pub movements: Vec<Movement>,
    /// The appointment printed on the receipt, kept when the due date moves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub original_due_at: Option<String>,
    /// Supplement: what is missing, and when the clock stopped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub missing: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub paused_at: Option<String>,
    /// Status to go back to when the supplement arrives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub resume_status: Option<DossierStatus>,
    /// Apologies with a new appointment (a delayed dossier counts as late).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[ts(as = "Option<u32>", optional)]
    pub delays: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delay_reason: Option<String>,
    /// Refusal, stop or withdrawal reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub result_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub closed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub returned_to: Option<ReturnTo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub timeliness: Option<Timeliness>,
    /// Codes this dossier had before the portal re-issued it a new one (still found by search).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub previous_codes: Vec<String>,
    /// The dossier's electronic documents: the current file of each checklist item and of the result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<crate::documents::DossierDocument>>", optional)]
    pub documents: Vec<crate::documents::DossierDocument>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Progress {
    pub fn is_empty(&self) -> bool {
        *self == Progress::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dossier {
    pub uid: String,
    /// The code printed on every form: official, or provisional until the portal maps it.
    pub code: String,
    pub provisional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provisional_code: Option<String>,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Applicant,
    pub documents: Vec<ReceivedDocument>,
    /// Fee collected, in đồng.
    #[ts(type = "number")]
    pub fee: i64,
    /// What the fee is (absent in dossiers taken in before fee kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fee_kind: Option<crate::catalog::FeeKind>,
    /// The case of the procedure chosen at intake (procedures with cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub case_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub case_name: Option<String>,
    /// The person who files on the applicant's behalf (ủy quyền), with their ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub representative: Option<Representative>,
    /// What the request is about when it concerns another person ("Nội dung yêu cầu": "Đăng ký khai
    /// sinh cho cháu Nguyễn Văn B"): printed on the receipt, searchable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub subject: Option<String>,
    pub channel: Channel,
    pub delivery: Delivery,
    /// RFC 3339, Vietnam time.
    pub received_at: String,
    /// The appointment (ngày hẹn trả kết quả), RFC 3339.
    pub due_at: String,
    pub time_limit: TimeLimit,
    pub clerk_id: String,
    pub clerk_name: String,
    pub counter_id: String,
    pub status: DossierStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
    /// Everything after intake, folded from the later events.
    #[serde(default, skip_serializing_if = "Progress::is_empty")]
    #[ts(as = "Option<Progress>", optional)]
    pub progress: Progress,
}

/// What happened to a dossier. Stored as `kind` + JSON payload in the `events` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    /// Tiếp nhận: the dossier as taken in.
    Received { dossier: Box<Dossier> },
    /// Bàn giao: the counter hands the dossier to a department (in a batch with a handover list).
    HandedOver { department: String, batch: String },
    /// Chuyển: one department passes it to another.
    Transferred { from: String, to: String },
    /// Yêu cầu bổ sung: the clock stops; `remaining_minutes` of working time were left.
    SupplementRequested { missing: Vec<String>, remaining_minutes: i64 },
    /// Đã bổ sung: the clock runs again; the new appointment is computed by the rule in force.
    Supplemented { due_at: String },
    /// Từ chối.
    Refused { reason: String },
    /// Dừng giải quyết.
    Stopped { reason: String },
    /// Nhận kết quả từ phòng chuyên môn: the result is at the counter, ready to be collected.
    ResultReceived { department: String },
    /// Xin lỗi, hẹn lại: a new appointment; the dossier still counts as late.
    Delayed { due_at: String, reason: String },
    /// Trả kết quả: the dossier closes, classified against its appointment.
    Returned { to: ReturnTo, timeliness: Timeliness },
    /// Rút hồ sơ.
    Withdrawn { reason: String },
    /// Cấp lại mã: the portal gave the dossier a new official code because another dossier of the
    /// agency already had this one (two counters issued the same number). Authored by the portal
    /// only; the receipt must be printed again with the new code (docs/dossier-codes.md).
    CodeReissued { old_code: String, new_code: String, reason: String },
    /// Số hóa: a document file (a checklist item's papers, or the result) attached to the dossier.
    DocumentAttached { document: crate::documents::AttachedDocument },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received { .. } => "received",
            EventKind::HandedOver { .. } => "handed_over",
            EventKind::Transferred { .. } => "transferred",
            EventKind::SupplementRequested { .. } => "supplement_requested",
            EventKind::Supplemented { .. } => "supplemented",
            EventKind::Refused { .. } => "refused",
            EventKind::Stopped { .. } => "stopped",
            EventKind::ResultReceived { .. } => "result_received",
            EventKind::Delayed { .. } => "delayed",
            EventKind::Returned { .. } => "returned",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::CodeReissued { .. } => "code_reissued",
            EventKind::DocumentAttached { .. } => "document_attached",
        }
    }
}

impl EventKind {
    /// Whether this event makes sense for a dossier in `status`: the same rule `lifecycle::decide`
    /// enforces at the counter, used again when events of several machines are merged (the portal's
    /// order decides; an event that no longer fits is kept in the log but superseded).
    pub fn fits(&self, status: DossierStatus) -> bool {
        match self {
            EventKind::Received { .. } => false,
            // a code is re-issued whatever the dossier's status: two citizens never share one
            EventKind::CodeReissued { .. } => true,
            // a document is a fact about the papers, whatever the dossier's status
            EventKind::DocumentAttached { .. } => true,
            step => crate::lifecycle::Step::of_event(step).is_some_and(|s| s.allows(status)),
        }
    }

    /// What the event is called in lists (parked, conflicts, history).
    pub fn label_of(kind: &str) -> &'static str {
        match kind {
            "received" => "Tiếp nhận",
            "handed_over" => "Bàn giao",
            "transferred" => "Chuyển phòng",
            "supplement_requested" => "Yêu cầu bổ sung",
            "supplemented" => "Đã bổ sung",
            "refused" => "Từ chối",
            "stopped" => "Dừng giải quyết",
            "result_received" => "Nhận kết quả",
            "delayed" => "Hẹn lại",
            "returned" => "Trả kết quả",
            "withdrawn" => "Rút hồ sơ",
            "code_reissued" => "Cấp lại mã hồ sơ",
            "document_attached" => "Số hóa tài liệu",
            _ => "Sự kiện khác",
        }
    }

    /// Every event kind's stored name.
    pub const NAMES: [&'static str; 13] = [
        "received",
        "handed_over",
        "transferred",
        "supplement_requested",
        "supplemented",
        "refused",
        "stopped",
        "result_received",
        "delayed",
        "returned",
        "withdrawn",
        "code_reissued",
        "document_attached",
    ];
}

/// Folds a dossier's events given in merge order (the portal's order, then this counter's unsent
/// events): the dossier, and the indexes of the events that no longer fit (superseded).
pub fn fold_merged<'a>(events: impl IntoIterator<Item = (&'a str, &'a EventKind)>) -> (Option<Dossier>, Vec<usize>) {
    let mut dossier: Option<Dossier> = None;
    let mut superseded = Vec::new();
    for (i, (at, e)) in events.into_iter().enumerate() {
        match (e, dossier.as_mut()) {
            (EventKind::Received { dossier: d }, None) => dossier = Some((**d).clone()),
            (other, Some(d)) if other.fits(d.status) => d.apply(at, other),
            _ => superseded.push(i),
        }
    }
    (dossier, superseded)
}

impl Dossier {
    /// The fee as forms and screens print it: the core's label for its kind ("50.000 đồng", "Miễn
    /// lệ phí", "Không thu"); a dossier from before fee kinds prints its amount, or nothing when free.
    pub fn fee_label(&self) -> String {
        match self.fee_kind {
            Some(kind) => crate::catalog::fee_label(kind, self.fee),
            None if self.fee > 0 => crate::text::money(self.fee),
            None => String::new(),
        }
    }

    /// Applies a later event (at local time `at`, RFC 3339) to the dossier: the fold. Pure: every
    /// computed value (new appointments, timeliness) is in the event itself.
    pub fn apply(&mut self, at: &str, event: &EventKind) {
        let p = &mut self.progress;
        match event {
            EventKind::Received { .. } => {}
            EventKind::HandedOver { department, batch } => {
                p.movements.push(Movement { at: at.into(), from: COUNTER_UNIT.into(), to: department.clone(), batch: Some(batch.clone()) });
                p.department = Some(department.clone());
                self.status = DossierStatus::InProcess;
            }
            EventKind::Transferred { from, to } => {
                p.movements.push(Movement { at: at.into(), from: from.clone(), to: to.clone(), batch: None });
                p.department = Some(to.clone());
            }
            EventKind::SupplementRequested { missing, .. } => {
                p.missing = missing.clone();
                p.paused_at = Some(at.into());
                p.resume_status = Some(self.status);
                self.status = DossierStatus::WaitingSupplement;
            }
            EventKind::Supplemented { due_at } => {
                p.original_due_at.get_or_insert_with(|| self.due_at.clone());
                self.due_at = due_at.clone();
                p.paused_at = None;
                self.status = p.resume_status.take().unwrap_or(DossierStatus::Received);
            }
            EventKind::Refused { reason } | EventKind::Stopped { reason } | EventKind::Withdrawn { reason } => {
                p.reason = Some(reason.clone());
                p.closed_at = Some(at.into());
                self.status = match event {
                    EventKind::Refused { .. } => DossierStatus::Refused,
                    EventKind::Stopped { .. } => DossierStatus::Stopped,
                    _ => DossierStatus::Withdrawn,
                };
            }
            EventKind::ResultReceived { department } => {
                p.movements.push(Movement { at: at.into(), from: department.clone(), to: COUNTER_UNIT.into(), batch: None });
                p.department = None;
                p.result_at = Some(at.into());
                self.status = DossierStatus::ResultReady;
            }
            EventKind::Delayed { due_at, reason } => {
                p.original_due_at.get_or_insert_with(|| self.due_at.clone());
                self.due_at = due_at.clone();
                p.delays += 1;
                p.delay_reason = Some(reason.clone());
            }
            EventKind::Returned { to, timeliness } => {
                p.returned_to = Some(to.clone());
                p.timeliness = Some(*timeliness);
                p.closed_at = Some(at.into());
                self.status = DossierStatus::Returned;
            }
            EventKind::CodeReissued { old_code, new_code, .. } => {
                if !p.previous_codes.contains(old_code) {
                    p.previous_codes.push(old_code.clone());
                }
                self.code = new_code.clone();
                self.provisional = false;
            }
            EventKind::DocumentAttached { document } => {
                // one current file per slot: a new scan of an item replaces what the dossier shows
                p.documents.retain(|x| x.document.slot != document.slot);
                p.documents.push(crate::documents::DossierDocument { document: document.clone(), attached_at: at.into() });
            }
        }
    }
}

/// One entry of the append-only history, as shown and as synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Event {
    pub uid: String,
    pub counter_id: String,
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub clerk_id: String,
    pub kind: String,
}

/// The status after a sequence of events (None before the first).
pub fn fold_status<'a>(events: impl IntoIterator<Item = &'a EventKind>) -> Option<DossierStatus> {
    let mut dossier: Option<Dossier> = None;
    for e in events {
        match e {
            EventKind::Received { dossier: d } => dossier = Some((**d).clone()),
            other => {
                if let Some(d) = dossier.as_mut() {
                    d.apply("", other);
                }
            }
        }
    }
    dossier.map(|d| d.status)
}
