//! The dossier after intake: handed over to departments, supplements, refusals, delays, results back,
//! returned to the citizen. Every step is a command checked against the dossier's current state
//! (`decide`, pure) that yields one event; the store appends it and updates the searchable projection
//! in the same transaction. A command that makes no sense changes nothing and says why.
//!
//! Clock rules (UNCONFIRMED for Decree 118/2025, settings `supplement_clock`, `max_delays`):
//! - a supplement request stops the clock; when the supplement arrives the remaining working time
//!   resumes from that moment ("resume", the practice under Decree 61/2018) or the whole limit counts
//!   again ("restart");
//! - an apology sets a new appointment at most `max_delays` times (default 1) and the dossier counts as
//!   late whatever happens next;
//! - timeliness is judged when the result is returned, on the time the result reached the counter:
//!   before the appointment's day = early, by the appointment = on time, after it (or delayed) = late.

use chrono::NaiveDateTime;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::due::{add_working_minutes, due_at, working_minutes_between};
use crate::clock::{parse_local, to_rfc3339};
use crate::dossier::{Dossier, DossierStatus, EventKind, ReturnTo, Timeliness};
use crate::error::{CoreError, Result};
use crate::limits;
use crate::settings::CounterSettings;
use crate::store::Store;

pub mod steps;
pub use steps::{DossierView, Step, StepOffer};

/// What a clerk can do to a dossier after intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Command {
    HandOver { department: String },
    Transfer { to: String },
    RequestSupplement { missing: Vec<String> },
    Supplemented,
    Refuse { reason: String },
    Stop { reason: String },
    ReceiveResult,
    /// `new_due`: dd/mm/yyyy [HH:MM] or ISO; a date alone means 17:00.
    Delay { new_due: String, reason: String },
    Return { to: ReturnTo },
    Withdraw { reason: String },
}

/// Refuses a step the dossier's status does not allow (the table in `steps`).
fn allowed(d: &Dossier, cmd: &Command) -> Result<()> {
    let step = cmd.step();
    if step.allows(d.status) {
        return Ok(());
    }
    Err(CoreError::Conflict(format!("Không thể {} hồ sơ {}: hồ sơ đang ở trạng thái \"{}\"", step.verb(), d.code, d.status.label())))
}

/// A required free text of a step: cleaned, at most `max` characters, printable (`limits::text`).
fn required(value: &str, field: &str, label: &str, max: usize) -> Result<String> {
    limits::required(field, label, value, max)
}

/// Parses a new appointment as typed (`dates::parse_typed_datetime`); a date alone is 17:00.
pub fn parse_appointment(s: &str) -> Option<NaiveDateTime> {
    crate::dates::parse_typed_datetime(s, chrono::NaiveTime::from_hms_opt(17, 0, 0)?)
}

/// Checks `cmd` against the dossier and returns the event it makes. Pure but for the calendar. Which
/// status allows the step is the table's (`steps`); here only what each step needs besides.
pub fn decide(store: &Store, d: &Dossier, cmd: &Command, now: NaiveDateTime, rules: &CounterSettings) -> Result<EventKind> {
    use DossierStatus as S;
    let s = d.status;
    let due = parse_local(&d.due_at).ok_or_else(|| CoreError::Internal(format!("bad due_at {}", d.due_at)))?;
    Ok(match cmd {
        Command::HandOver { department } => {
            let department = required(department, "department", "Phòng ban nhận hồ sơ", limits::DEPARTMENT)?;
            allowed(d, cmd)?;
            EventKind::HandedOver { department, batch: String::new() }
        }
        Command::Transfer { to } => {
            let to = required(to, "to", "Phòng ban nhận hồ sơ", limits::DEPARTMENT)?;
            allowed(d, cmd)?;
            let from = d.progress.department.clone().unwrap_or_default();
            if from == to {
                return Err(CoreError::validation("to", format!("Hồ sơ đang ở {to}")));
            }
            EventKind::Transferred { from, to }
        }
        Command::RequestSupplement { missing } => {
            if missing.len() > limits::MISSING_ITEMS {
                return Err(CoreError::validation(
                    "missing",
                    format!("Tối đa {} mục cần bổ sung trong một lần yêu cầu (đã nhập {})", limits::MISSING_ITEMS, missing.len()),
                ));
            }
            let mut items = Vec::with_capacity(missing.len());
            for m in missing {
                items.push(limits::text("missing", "Nội dung cần bổ sung", m, limits::MISSING_ITEM)?);
            }
            let missing: Vec<String> = items.into_iter().filter(|m| !m.is_empty()).collect();
            if missing.is_empty() {
                return Err(CoreError::validation("missing", "Cần ghi rõ giấy tờ, nội dung cần bổ sung"));
            }
            allowed(d, cmd)?;
            let remaining = working_minutes_between(store.calendar(), store.office_hours(), now, due);
            EventKind::SupplementRequested { missing, remaining_minutes: remaining }
        }
        Command::Supplemented => {
            allowed(d, cmd)?;
            let new_due = if rules.supplement_clock == "restart" {
                due_at(store.calendar(), store.office_hours(), now, &d.time_limit)?
            } else {
                let remaining = remaining_at_pause(store, d)?;
                add_working_minutes(store.calendar(), store.office_hours(), now, remaining)
            };
            EventKind::Supplemented { due_at: to_rfc3339(new_due) }
        }
        Command::Refuse { reason } => {
            let reason = required(reason, "reason", "Lý do từ chối", limits::REASON)?;
            allowed(d, cmd)?;
            EventKind::Refused { reason }
        }
        Command::Stop { reason } => {
            let reason = required(reason, "reason", "Lý do dừng giải quyết", limits::REASON)?;
            allowed(d, cmd)?;
            EventKind::Stopped { reason }
        }
        Command::ReceiveResult => {
            allowed(d, cmd)?;
            EventKind::ResultReceived { department: d.progress.department.clone().unwrap_or_default() }
        }
        Command::Delay { new_due, reason } => {
            let reason = required(reason, "reason", "Lý do chậm trả kết quả", limits::REASON)?;
            let raw = required(new_due, "new_due", "Ngày hẹn trả kết quả mới", limits::DATE_INPUT)?;
            let t = parse_appointment(&raw)
                .ok_or_else(|| CoreError::validation("new_due", format!("Ngày hẹn mới \"{raw}\" không đúng dạng ngày/tháng/năm")))?;
            allowed(d, cmd)?;
            check_new_due(store, d, t, now, rules)?;
            EventKind::Delayed { due_at: to_rfc3339(t), reason }
        }
        Command::Return { to } => {
            let to = match to {
                ReturnTo::Applicant { name, id_number } | ReturnTo::Authorised { name, id_number } => {
                    let name = required(name, "to.name", "Họ tên người nhận kết quả", limits::NAME)?;
                    let id_number = required(id_number, "to.id_number", "Số giấy tờ của người nhận", limits::ID_NUMBER)?;
                    let squash = |x: &str| x.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
                    if matches!(to, ReturnTo::Applicant { .. }) {
                        // the applicant collects in person: the paper shown (scanned or typed) must be theirs
                        if squash(&id_number) != squash(&d.applicant.id_number) {
                            return Err(CoreError::validation(
                                "to.id_number",
                                "Số giấy tờ người nhận khác số giấy tờ của người nộp: kiểm tra lại giấy tờ, hoặc chọn trả cho người được ủy quyền",
                            ));
                        }
                        ReturnTo::Applicant { name, id_number: squash(&id_number) }
                    } else {
                        ReturnTo::Authorised { name, id_number }
                    }
                }
                ReturnTo::Post { tracking } => ReturnTo::Post { tracking: required(tracking, "to.tracking", "Số hiệu bưu gửi", limits::TRACKING)? },
            };
            if s == S::Returned {
                return Err(CoreError::Conflict(format!(
                    "Hồ sơ {} đã trả kết quả lúc {}; không trả lần thứ hai",
                    d.code,
                    d.progress.closed_at.as_deref().unwrap_or("")
                )));
            }
            allowed(d, cmd)?;
            let ready = d.progress.result_at.as_deref().and_then(parse_local).unwrap_or(now);
            EventKind::Returned { to, timeliness: timeliness(d, ready) }
        }
        Command::Withdraw { reason } => {
            let reason = limits::text("reason", "Lý do rút hồ sơ", reason, limits::REASON)?;
            let reason = if reason.is_empty() { "Công dân rút hồ sơ".to_string() } else { reason };
            allowed(d, cmd)?;
            EventKind::Withdrawn { reason }
        }
    })
}

/// Whether `t` may be a dossier's new appointment (an apology): after the current one and after now,
/// on a working day, and within the delays the rules allow. The lifecycle's `Delay` step and an
/// apology printed with a typed date (motcua-forms) both check it here.
pub fn check_new_due(store: &Store, d: &Dossier, t: NaiveDateTime, now: NaiveDateTime, rules: &CounterSettings) -> Result<()> {
    let due = parse_local(&d.due_at).ok_or_else(|| CoreError::Internal(format!("bad due_at {}", d.due_at)))?;
    if t <= due || t <= now {
        return Err(CoreError::validation("new_due", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm này"));
    }
    if !store.calendar().is_working_day(t.date()) {
        let name = store.calendar().day_name(t.date()).map(|n| format!(" ({n})")).unwrap_or_default();
        return Err(CoreError::validation(
            "new_due",
            format!("Ngày hẹn mới {} là ngày nghỉ{name}: chọn một ngày làm việc", crate::dates::format_date(t.date())),
        ));
    }
    if d.progress.delays >= rules.max_delays {
        return Err(CoreError::Conflict(format!(
            "Hồ sơ {} đã được hẹn lại {} lần; quy định cho phép {} lần",
            d.code, d.progress.delays, rules.max_delays
        )));
    }
    Ok(())
}

/// The last day an apology (Mẫu 04) is on time: `rules.apology_days_before_due` working days
/// before the appointment's day (provincial rules: at least 01 working day before; UNCONFIRMED as a
/// national rule, hence a setting).
pub fn apology_deadline(store: &Store, d: &Dossier, rules: &CounterSettings) -> Option<chrono::NaiveDate> {
    let mut day = parse_local(&d.due_at)?.date();
    let mut left = rules.apology_days_before_due;
    // bounded walk: a calendar without working days for a year must not loop for ever
    for _ in 0..400 {
        if left == 0 {
            return Some(day);
        }
        day = day.pred_opt()?;
        if store.calendar().is_working_day(day) {
            left -= 1;
        }
    }
    None
}

/// What the counter warns about a dossier now, in the clerk's words (shown beside its steps; the
/// step itself is still allowed): an apology that can still be made but is already late.
pub fn warnings(store: &Store, d: &Dossier, now: NaiveDateTime, rules: &CounterSettings) -> Vec<String> {
    let mut out = Vec::new();
    if Step::Delay.allows(d.status) && d.progress.delays < rules.max_delays {
        if let Some(last) = apology_deadline(store, d, rules) {
            if now.date() > last {
                out.push(format!(
                    "Văn bản xin lỗi và đề nghị gia hạn (Mẫu 04) phải gửi chậm nhất {:02} ngày làm việc trước ngày hẹn trả {} (tức là trong ngày {}): nếu hồ sơ trễ hạn, gửi ngay và ghi rõ lý do",
                    rules.apology_days_before_due,
                    crate::dates::format_date(parse_local(&d.due_at).map(|t| t.date()).unwrap_or(last)),
                    crate::dates::format_date(last)
                ));
            }
        }
    }
    if d.status.is_open() && d.fee_kind == Some(crate::catalog::FeeKind::Unknown) {
        out.push("Lệ phí của hồ sơ trực tuyến này chưa xác định (danh mục chưa có mức của tỉnh): xác định mức thu trước khi trả kết quả".into());
    }
    let has_cases = store.procedure(&d.procedure_code).is_some_and(|p| !p.cases.is_empty());
    if d.status.is_open() && d.case_id.is_none() && has_cases {
        out.push("Hồ sơ không ghi trường hợp của thủ tục: thời hạn hẹn trả theo thời hạn chung của thủ tục".into());
    }
    if d.provisional && d.status.is_open() {
        out.push(format!(
            "Mã {} là mã tạm: Cổng dịch vụ công sẽ cấp mã chính thức khi đồng bộ; sau đó in lại giấy tiếp nhận cho công dân",
            d.code
        ));
    }
    out
}

/// Early / on time / late of a result ready at `ready` (a delayed dossier is late).
pub fn timeliness(d: &Dossier, ready: NaiveDateTime) -> Timeliness {
    let due = parse_local(&d.due_at).unwrap_or(ready);
    if d.progress.delays > 0 || ready > due {
        Timeliness::Late
    } else if ready.date() < due.date() {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

fn remaining_at_pause(store: &Store, d: &Dossier) -> Result<i64> {
    // The remaining time is in the last supplement_requested event.
    let events = store.event_payloads_of(&d.code)?;
    Ok(events
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            EventKind::SupplementRequested { remaining_minutes, .. } => Some(*remaining_minutes),
            _ => None,
        })
        .unwrap_or(0))
}

/// A handover batch id: "BG-<yyMMddHHmmss>-<counter>", with "-2", "-3"… if that second is taken.
fn new_batch_id(store: &Store, now: NaiveDateTime) -> Result<String> {
    let base = format!("BG-{}-{}", now.format("%y%m%d%H%M%S"), store.context()?.counter_id).to_uppercase();
    let taken = |b: &str| -> Result<bool> {
        Ok(store.conn().prepare_cached("SELECT 1 FROM handover_batches WHERE batch = ?1 LIMIT 1")?.exists([b])?)
    };
    if !taken(&base)? {
        return Ok(base);
    }
    for n in 2.. {
        let b = format!("{base}-{n}");
        if !taken(&b)? {
            return Ok(b);
        }
    }
    unreachable!()
}

/// Applies a command to one dossier; returns the dossier after it.
pub fn apply(store: &mut Store, code: &str, cmd: &Command) -> Result<Dossier> {
    let mut out = apply_many(store, &[code.to_string()], cmd)?;
    Ok(out.remove(0))
}

/// Applies one command to many dossiers (a handover batch, results received by scanning): all or
/// nothing, in one transaction; the first dossier that refuses names itself in the error.
pub fn apply_many(store: &mut Store, codes: &[String], cmd: &Command) -> Result<Vec<Dossier>> {
    store.require(crate::accounts::Right::Lifecycle)?;
    if codes.is_empty() {
        return Err(CoreError::invalid("Chưa có hồ sơ nào trong danh sách"));
    }
    let rules = CounterSettings::load(store)?;
    let now = store.clock().now();
    // only a handover makes a batch (its list is printed and reprinted by this id)
    let batch = if matches!(cmd, Command::HandOver { .. }) { new_batch_id(store, now)? } else { String::new() };
    let mut seen = std::collections::HashSet::new();
    let mut planned = Vec::with_capacity(codes.len());
    for code in codes {
        let (id, mut d) = store.dossier_with_id(code)?;
        let known = events_of_dossier(store.conn(), id)?;
        if !seen.insert(id) {
            return Err(CoreError::validation("codes", format!("Hồ sơ {} được quét hai lần", d.code)));
        }
        let mut event = decide(store, &d, cmd, now, &rules)?;
        if let EventKind::HandedOver { batch: b, .. } = &mut event {
            *b = batch.clone();
        }
        d.apply(&to_rfc3339(now), &event);
        planned.push((id, event, d, known));
    }
    let ctx = store.context()?.clone();
    let tx = store.write_tx()?;
    for (id, event, d, known) in &planned {
        // the sync task writes on its own connection: a step decided on a dossier that changed since
        // (a back-office step just pulled) is refused rather than recorded against a stale state
        if events_of_dossier(&tx, *id)? != *known {
            return Err(CoreError::Conflict(format!(
                "Hồ sơ {} vừa được cập nhật từ Cổng dịch vụ công trong lúc thao tác: hãy xem lại rồi làm lại (chưa ghi gì).",
                d.code
            )));
        }
        let event_id = crate::events::append(&tx, *id, &ctx, now, event)?;
        if let EventKind::HandedOver { batch, .. } = event {
            tx.prepare_cached("INSERT INTO handover_batches (batch, dossier_id, event_id) VALUES (?1, ?2, ?3)")?
                .execute(params![batch, id, event_id])?;
        }
        crate::projections::write_state(&tx, *id, d)?;
        crate::audit::record(&tx, now, &ctx.clerk_id, &format!("lifecycle.{}", event.name()), &d.code, &serde_json::Value::Null)?;
    }
    tx.commit()?;
    Ok(planned.into_iter().map(|(_, _, d, _)| d).collect())
}

fn events_of_dossier(conn: &rusqlite::Connection, id: i64) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT COUNT(*) FROM events WHERE dossier_id = ?1")?.query_row([id], |r| r.get(0))?)
}

/// The counts on the home screen and the lists behind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WorkList {
    /// Due today, not yet returned.
    DueToday,
    /// Past their appointment, still being processed.
    Overdue,
    /// Due within the next working day.
    DueSoon,
    WaitingSupplement,
    /// Results at the counter waiting for the citizen.
    ReadyToCollect,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WorkCounts {
    /// Guidance slips given today (Mẫu 02 at intake, no dossier code).
    pub guided_today: u32,
    /// Refusal slips given today (Mẫu 03 at intake, no dossier code).
    pub not_accepted_today: u32,
    pub due_today: u32,
    pub overdue: u32,
    pub due_soon: u32,
    pub waiting_supplement: u32,
    pub ready_to_collect: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct WorkItem {
    pub code: String,
    pub applicant_name: String,
    pub procedure_code: String,
    pub status: DossierStatus,
    pub due_at: String,
}

impl WorkList {
    /// The lists whose count is shown as an alert when not zero.
    pub const ALERTS: [WorkList; 2] = [WorkList::Overdue, WorkList::DueToday];
    pub const ALL: [WorkList; 5] = [WorkList::Overdue, WorkList::DueToday, WorkList::DueSoon, WorkList::WaitingSupplement, WorkList::ReadyToCollect];
    pub fn label(self) -> &'static str {
        match self {
            WorkList::Overdue => "Quá hạn",
            WorkList::DueToday => "Đến hạn hôm nay",
            WorkList::DueSoon => "Đến hạn trong 1 ngày làm việc",
            WorkList::WaitingSupplement => "Chờ bổ sung",
            WorkList::ReadyToCollect => "Chờ trả kết quả",
        }
    }
}

const PROCESSING: &str = "('received', 'in_process')";

fn bounds(store: &Store, list: WorkList) -> (String, String, String) {
    let now = store.clock().now();
    let day_start = now.date().and_hms_opt(0, 0, 0).expect("midnight");
    let next_day = day_start + chrono::Duration::days(1);
    let soon = add_working_minutes(store.calendar(), store.office_hours(), now, store.office_hours().day_minutes());
    let (where_status, lo, hi) = match list {
        WorkList::DueToday => (PROCESSING, day_start, next_day),
        WorkList::Overdue => (PROCESSING, NaiveDateTime::MIN, now),
        WorkList::DueSoon => (PROCESSING, now, soon),
        WorkList::WaitingSupplement => ("('waiting_supplement')", NaiveDateTime::MIN, NaiveDateTime::MAX),
        WorkList::ReadyToCollect => ("('result_ready')", NaiveDateTime::MIN, NaiveDateTime::MAX),
    };
    let fmt = |t: NaiveDateTime| if t == NaiveDateTime::MIN { String::new() } else if t == NaiveDateTime::MAX { "9999".into() } else { to_rfc3339(t) };
    (where_status.to_string(), fmt(lo), fmt(hi))
}

/// How many dossiers each work list holds now.
pub fn counts(store: &Store) -> Result<WorkCounts> {
    store.require(crate::accounts::Right::Read)?;
    let count = |list| -> Result<u32> {
        let (statuses, lo, hi) = bounds(store, list);
        Ok(store.conn().prepare_cached(&format!(
            "SELECT COUNT(*) FROM dossiers INDEXED BY dossiers_status_due WHERE status IN {statuses} AND due_at >= ?1 AND due_at < ?2"
        ))?.query_row([lo, hi], |r| r.get(0))?)
    };
    // contacts at intake today (guidance and refusal slips, no dossier code): counted, never listed
    let today = store.clock().now().date();
    let (lo, hi) = (format!("{today}T00:00"), format!("{}T00:00", today.succ_opt().unwrap_or(today)));
    let contacts = |status: DossierStatus| -> Result<u32> {
        Ok(store
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM dossiers WHERE status = ?1 AND received_at >= ?2 AND received_at < ?3")?
            .query_row(params![status.as_str(), lo, hi], |r| r.get(0))?)
    };
    Ok(WorkCounts {
        guided_today: contacts(DossierStatus::Guided)?,
        not_accepted_today: contacts(DossierStatus::NotAccepted)?,
        due_today: count(WorkList::DueToday)?,
        overdue: count(WorkList::Overdue)?,
        due_soon: count(WorkList::DueSoon)?,
        waiting_supplement: count(WorkList::WaitingSupplement)?,
        ready_to_collect: count(WorkList::ReadyToCollect)?,
    })
}

/// The dossiers of one work list, soonest appointment first. Both this and `counts` name their index:
/// the open dossiers are a few thousand among a million closed ones, and statistics gathered when the
/// file looked otherwise made SQLite scan the whole table for the overdue list (130 ms at 1M in the
/// bench instead of under 1 ms).
pub fn list(store: &Store, list: WorkList, limit: u32) -> Result<Vec<WorkItem>> {
    store.require(crate::accounts::Right::Read)?;
    let (statuses, lo, hi) = bounds(store, list);
    let mut st = store.conn().prepare_cached(&format!(
        "SELECT code, applicant_name, procedure_code, status, due_at FROM dossiers INDEXED BY dossiers_status_due
         WHERE status IN {statuses} AND due_at >= ?1 AND due_at < ?2 ORDER BY due_at LIMIT ?3"
    ))?;
    let rows = st.query_map(params![lo, hi, limit], |r| {
        let status: String = r.get(3)?;
        Ok(WorkItem {
            code: r.get(0)?,
            applicant_name: r.get(1)?,
            procedure_code: r.get(2)?,
            status: DossierStatus::parse(&status).unwrap_or(DossierStatus::Received),
            due_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests;
