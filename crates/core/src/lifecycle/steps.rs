//! The lifecycle's one table: which status allows which step, what the step is called, what it asks
//! the clerk for and which form it prints. `decide` (at the counter), `EventKind::fits` (when events
//! of several machines are merged, also at the portal) and the dossier view sent to the UI all read
//! it; a new step is a new row here (and its `Command`/`EventKind` variants).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dossier::{Dossier, DossierStatus, EventKind, ReturnTo};
use crate::error::{CoreError, Result};
use crate::form_kind::FormKind;
use crate::limits;

use super::Command;

/// A step a clerk takes on a dossier after intake (one per `Command` variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Step {
    HandOver,
    Transfer,
    RequestSupplement,
    Supplemented,
    Refuse,
    Stop,
    ReceiveResult,
    Delay,
    Return,
    Withdraw,
}

use DossierStatus as S;

const OPEN: &[DossierStatus] = &[S::Received, S::InProcess, S::WaitingSupplement];
const ACTIVE: &[DossierStatus] = &[S::Received, S::InProcess];

/// How a step's field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldKind {
    /// One line.
    Line,
    /// Several lines of free text.
    Text,
    /// One item per line (a list).
    Lines,
    /// A date as a clerk types it (`dates::parse_typed`), optionally with a time.
    Date,
}

/// One field of a step's small form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StepField {
    /// The key of the value in `Command::from_values` (and the field an error names).
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// Longest value accepted, in characters (for a list: the whole text; each item is checked too).
    pub max: u32,
}

/// A step as the UI offers it: its name, what it asks for, the form printed once it is recorded, and
/// whether the dossier view shows it (hand-over and return have their own desks, F5 and F6).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StepOffer {
    pub step: Step,
    pub label: String,
    pub fields: Vec<StepField>,
    pub prints: Option<FormKind>,
    pub in_detail: bool,
}

struct Row {
    step: Step,
    /// The button's label.
    label: &'static str,
    /// The verb in "Không thể … hồ sơ X".
    verb: &'static str,
    from: &'static [DossierStatus],
    fields: &'static [(&'static str, &'static str, FieldKind, bool, usize)],
    prints: Option<FormKind>,
    in_detail: bool,
}

const TABLE: &[Row] = &[
    Row { step: Step::HandOver, label: "Bàn giao", verb: "bàn giao", from: &[S::Received],
          fields: &[("department", "Phòng ban nhận hồ sơ", FieldKind::Line, true, limits::DEPARTMENT)], prints: None, in_detail: false },
    Row { step: Step::RequestSupplement, label: "Yêu cầu bổ sung", verb: "yêu cầu bổ sung", from: ACTIVE,
          fields: &[("missing", "Giấy tờ, nội dung cần bổ sung (mỗi dòng một mục)", FieldKind::Lines, true, limits::MISSING_ITEM * limits::MISSING_ITEMS)],
          prints: Some(FormKind::Supplement), in_detail: true },
    Row { step: Step::Supplemented, label: "Đã nhận bổ sung", verb: "nhận hồ sơ bổ sung cho", from: &[S::WaitingSupplement],
          fields: &[], prints: None, in_detail: true },
    Row { step: Step::Transfer, label: "Chuyển phòng", verb: "chuyển phòng", from: &[S::InProcess],
          fields: &[("to", "Phòng nhận hồ sơ", FieldKind::Line, true, limits::DEPARTMENT)], prints: None, in_detail: true },
    Row { step: Step::ReceiveResult, label: "Nhận kết quả", verb: "nhận kết quả cho", from: &[S::InProcess],
          fields: &[], prints: None, in_detail: true },
    Row { step: Step::Delay, label: "Xin lỗi, hẹn lại", verb: "hẹn lại", from: ACTIVE,
          fields: &[("new_due", "Ngày hẹn mới (ngày/tháng/năm [giờ:phút])", FieldKind::Date, true, limits::DATE_INPUT),
                    ("reason", "Lý do chậm trả kết quả", FieldKind::Text, true, limits::REASON)],
          prints: Some(FormKind::Apology), in_detail: true },
    Row { step: Step::Refuse, label: "Từ chối", verb: "từ chối", from: OPEN,
          fields: &[("reason", "Lý do từ chối", FieldKind::Text, true, limits::REASON)], prints: Some(FormKind::Refusal), in_detail: true },
    Row { step: Step::Stop, label: "Dừng giải quyết", verb: "dừng giải quyết", from: OPEN,
          fields: &[("reason", "Lý do dừng giải quyết", FieldKind::Text, true, limits::REASON)], prints: Some(FormKind::Stop), in_detail: true },
    // the citizen's request to stop before a decision (Decree 118/2025 art. 21; Circular 03/2025
    // art. 7): the counter issues the stop notice (Mẫu 05) on that request
    Row { step: Step::Withdraw, label: "Công dân rút hồ sơ", verb: "rút", from: OPEN,
          fields: &[("reason", "Ghi chú (không bắt buộc)", FieldKind::Line, false, limits::REASON)], prints: Some(FormKind::Stop), in_detail: true },
    Row { step: Step::Return, label: "Trả kết quả", verb: "trả kết quả", from: &[S::ResultReady],
          fields: &[("to.kind", "Người nhận (applicant, authorised, post)", FieldKind::Line, true, 16),
                    ("to.name", "Họ tên người nhận kết quả", FieldKind::Line, false, limits::NAME),
                    ("to.id_number", "Số giấy tờ của người nhận", FieldKind::Line, false, limits::ID_NUMBER),
                    ("to.tracking", "Số hiệu bưu gửi", FieldKind::Line, false, limits::TRACKING)],
          prints: None, in_detail: false },
];

impl Step {
    pub const ALL: [Step; 10] = [
        Step::HandOver,
        Step::RequestSupplement,
        Step::Supplemented,
        Step::Transfer,
        Step::ReceiveResult,
        Step::Delay,
        Step::Refuse,
        Step::Stop,
        Step::Withdraw,
        Step::Return,
    ];

    fn row(self) -> &'static Row {
        TABLE.iter().find(|r| r.step == self).expect("every step has a row")
    }
    /// The statuses this step may be taken from.
    pub fn allowed_from(self) -> &'static [DossierStatus] {
        self.row().from
    }
    pub fn allows(self, status: DossierStatus) -> bool {
        self.allowed_from().contains(&status)
    }
    pub fn label(self) -> &'static str {
        self.row().label
    }
    /// The verb of a refusal ("Không thể {verb} hồ sơ …").
    pub fn verb(self) -> &'static str {
        self.row().verb
    }
    pub fn prints(self) -> Option<FormKind> {
        self.row().prints
    }
    pub fn offer(self) -> StepOffer {
        let r = self.row();
        StepOffer {
            step: self,
            label: r.label.into(),
            fields: r
                .fields
                .iter()
                .map(|(name, label, kind, required, max)| StepField { name: (*name).into(), label: (*label).into(), kind: *kind, required: *required, max: *max as u32 })
                .collect(),
            prints: r.prints,
            in_detail: r.in_detail,
        }
    }
    /// The steps a dossier in `status` allows, in the table's order.
    pub fn allowed_for(status: DossierStatus) -> Vec<Step> {
        Step::ALL.into_iter().filter(|s| s.allows(status)).collect()
    }
    /// The step an event records (None for intake and the portal's code re-issue, which no clerk takes).
    pub fn of_event(e: &EventKind) -> Option<Step> {
        Some(match e {
            EventKind::Received { .. } | EventKind::CodeReissued { .. } | EventKind::DocumentAttached { .. } => return None,
            EventKind::HandedOver { .. } => Step::HandOver,
            EventKind::Transferred { .. } => Step::Transfer,
            EventKind::SupplementRequested { .. } => Step::RequestSupplement,
            EventKind::Supplemented { .. } => Step::Supplemented,
            EventKind::Refused { .. } => Step::Refuse,
            EventKind::Stopped { .. } => Step::Stop,
            EventKind::ResultReceived { .. } => Step::ReceiveResult,
            EventKind::Delayed { .. } => Step::Delay,
            EventKind::Returned { .. } => Step::Return,
            EventKind::Withdrawn { .. } => Step::Withdraw,
        })
    }
}

impl Command {
    pub fn step(&self) -> Step {
        match self {
            Command::HandOver { .. } => Step::HandOver,
            Command::Transfer { .. } => Step::Transfer,
            Command::RequestSupplement { .. } => Step::RequestSupplement,
            Command::Supplemented => Step::Supplemented,
            Command::Refuse { .. } => Step::Refuse,
            Command::Stop { .. } => Step::Stop,
            Command::ReceiveResult => Step::ReceiveResult,
            Command::Delay { .. } => Step::Delay,
            Command::Return { .. } => Step::Return,
            Command::Withdraw { .. } => Step::Withdraw,
        }
    }

    /// The command of a step from the values its form collected (keys are `StepField::name`). The
    /// values are checked by `decide`; here only their shape: a list is one item per line.
    pub fn from_values(step: Step, values: &BTreeMap<String, String>) -> Result<Command> {
        let v = |k: &str| values.get(k).cloned().unwrap_or_default();
        Ok(match step {
            Step::HandOver => Command::HandOver { department: v("department") },
            Step::Transfer => Command::Transfer { to: v("to") },
            Step::RequestSupplement => {
                let raw = v("missing");
                if raw.chars().count() > limits::MISSING_ITEM * limits::MISSING_ITEMS {
                    return Err(CoreError::validation("missing", "Danh sách cần bổ sung quá dài"));
                }
                Command::RequestSupplement { missing: raw.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect() }
            }
            Step::Supplemented => Command::Supplemented,
            Step::Refuse => Command::Refuse { reason: v("reason") },
            Step::Stop => Command::Stop { reason: v("reason") },
            Step::ReceiveResult => Command::ReceiveResult,
            Step::Delay => Command::Delay { new_due: v("new_due"), reason: v("reason") },
            Step::Withdraw => Command::Withdraw { reason: v("reason") },
            Step::Return => Command::Return {
                to: match v("to.kind").trim() {
                    "applicant" => ReturnTo::Applicant { name: v("to.name"), id_number: v("to.id_number") },
                    "authorised" => ReturnTo::Authorised { name: v("to.name"), id_number: v("to.id_number") },
                    "post" => ReturnTo::Post { tracking: v("to.tracking") },
                    _ => return Err(CoreError::validation("to.kind", "Chọn người nhận kết quả: người nộp, người được ủy quyền hoặc bưu chính")),
                },
            },
        })
    }
}

/// A dossier as the UI shows it: the dossier and the steps its status allows now. The UI draws its
/// buttons from `allowed_steps` and keeps no status logic of its own.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DossierView {
    #[serde(flatten)]
    pub dossier: Dossier,
    pub status_label: String,
    pub allowed_steps: Vec<StepOffer>,
    /// What the counter warns about now (`lifecycle::warnings`), in the clerk's words.
    pub warnings: Vec<String>,
    /// A contact at intake (guidance or refusal slip, no dossier code): `code` is the slip's number.
    pub is_contact: bool,
    /// A contact's slip (Mẫu 02 or 03), the only form it can print again.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub slip: Option<FormKind>,
    /// The fee as the receipt prints it ("50.000 đồng", "Miễn lệ phí", "Không thu").
    pub fee_label: String,
}

impl DossierView {
    /// The view without warnings (what a step or a search returns before the store is asked).
    pub fn of(dossier: Dossier) -> DossierView {
        let allowed_steps = Step::allowed_for(dossier.status).into_iter().map(Step::offer).collect();
        let slip = crate::intake::contact::ContactKind::of_status(dossier.status).map(|k| k.form());
        let fee_label = dossier.fee_label();
        DossierView {
            status_label: dossier.status.label().into(),
            is_contact: dossier.status.is_intake_contact(),
            slip,
            fee_label,
            dossier,
            allowed_steps,
            warnings: Vec::new(),
        }
    }

    /// The view with the counter's warnings for now.
    pub fn read(store: &crate::store::Store, dossier: Dossier) -> crate::error::Result<DossierView> {
        let rules = crate::settings::CounterSettings::load(store)?;
        let warnings = super::warnings(store, &dossier, store.clock().now(), &rules);
        Ok(DossierView { warnings, ..DossierView::of(dossier) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_one_row_and_every_command_its_step() {
        for s in Step::ALL {
            assert_eq!(TABLE.iter().filter(|r| r.step == s).count(), 1, "{s:?}");
        }
        assert_eq!(TABLE.len(), Step::ALL.len());
    }

    #[test]
    fn a_closed_dossier_allows_nothing_and_an_open_one_something() {
        for s in DossierStatus::ALL {
            assert_eq!(Step::allowed_for(s).is_empty(), !s.is_open(), "{s:?}");
        }
    }

    #[test]
    fn values_make_commands() {
        let vals = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>();
        assert_eq!(
            Command::from_values(Step::RequestSupplement, &vals(&[("missing", " Bản sao CCCD \n\n Ảnh 3x4 ")])).unwrap(),
            Command::RequestSupplement { missing: vec!["Bản sao CCCD".into(), "Ảnh 3x4".into()] }
        );
        assert_eq!(
            Command::from_values(Step::Return, &vals(&[("to.kind", "post"), ("to.tracking", "EE123")])).unwrap(),
            Command::Return { to: ReturnTo::Post { tracking: "EE123".into() } }
        );
        let e = Command::from_values(Step::Return, &vals(&[("to.kind", "drone")])).unwrap_err();
        assert_eq!(e.to_app_error().field.as_deref(), Some("to.kind"));
        for s in Step::ALL {
            assert_eq!(Command::from_values(s, &BTreeMap::new()).map(|c| c.step()).unwrap_or(s), s);
        }
    }

    #[test]
    fn a_two_megabyte_field_is_refused_with_its_field_named_and_nothing_written() {
        let (_d, mut s) = crate::test_fixtures::counter("Q01", "2026-03-02T09:00", vec![(1, 4999)]);
        let code = crate::test_fixtures::intake(&mut s);
        let before = s.event_payloads_of(&code).unwrap().len();
        let huge = "Giấy tờ ".repeat(2 * 1024 * 1024 / 8);
        for (step, field) in [(Step::RequestSupplement, "missing"), (Step::Refuse, "reason"), (Step::HandOver, "department"), (Step::Delay, "new_due")] {
            let mut vals = BTreeMap::new();
            vals.insert(field.to_string(), huge.clone());
            vals.insert("reason".to_string(), if field == "reason" { huge.clone() } else { "Chậm".into() });
            let e = Command::from_values(step, &vals).and_then(|c| crate::lifecycle::apply(&mut s, &code, &c)).unwrap_err();
            assert_eq!(e.to_app_error().field.as_deref(), Some(field), "{step:?}: {e}");
            assert!(e.to_string().len() < 500, "{step:?}: the message does not echo the value");
        }
        assert_eq!(s.event_payloads_of(&code).unwrap().len(), before, "nothing was written");
    }
}
