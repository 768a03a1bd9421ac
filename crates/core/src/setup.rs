//! The first run of a counter (issue 17): the ward or commune on the 2025 map, the centre's names for
//! the forms, the agency code, this counter, its printer, the portal (or hub) or offline numbering, and
//! the first admin — in steps, each checked when it is saved, kept as a draft so that a set-up closed
//! midway resumes where it stopped. Nothing is set up until `finish` writes the agency, the counter,
//! the settings and the admin account in ONE transaction; with a portal the counter is then
//! `Enrolling` until the enrolment is saved (`sync::save_enrolment*` closes the set-up in the same
//! transaction), and until then nothing can take a dossier in (`Store::require_set_up`). The draft
//! never holds a secret: the password, PIN and enrolment code are given to `finish` only.
//! The demo agency (`Store::ensure_demo`) is a separate, explicit path (`--demo`).

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Problems, Result};
use crate::store::{InitParams, Store};
use crate::units::UnitView;

/// The settings row holding the stage ("draft", "enrolling", "done"); absent = set up by other
/// means (`motcua init`, the demo, a database from before issue 17) or not started.
pub(crate) const STAGE_KEY: &str = "setup_stage";
/// The settings row holding the draft (JSON of `SetupDraft`).
const DRAFT_KEY: &str = "setup_draft";

/// Where a counter stands in its first-run set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SetupStage {
    /// Steps being filled in; nothing set up yet.
    Draft,
    /// Agency, counter, settings and admin are written; the enrolment with the portal is not done.
    Enrolling,
    /// Ready to take dossiers in.
    Done,
}

impl SetupStage {
    fn as_str(self) -> &'static str {
        match self {
            SetupStage::Draft => "draft",
            SetupStage::Enrolling => "enrolling",
            SetupStage::Done => "done",
        }
    }
    fn parse(s: &str) -> Option<SetupStage> {
        [SetupStage::Draft, SetupStage::Enrolling, SetupStage::Done].into_iter().find(|x| x.as_str() == s)
    }
}

/// The steps of the set-up, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SetupStep {
    Unit,
    Centre,
    Counter,
    Printer,
    Connection,
    Admin,
}

impl SetupStep {
    pub const ALL: [SetupStep; 6] = [SetupStep::Unit, SetupStep::Centre, SetupStep::Counter, SetupStep::Printer, SetupStep::Connection, SetupStep::Admin];
    pub fn label(self) -> &'static str {
        match self {
            SetupStep::Unit => "Phường, xã",
            SetupStep::Centre => "Trung tâm và mã đơn vị",
            SetupStep::Counter => "Quầy",
            SetupStep::Printer => "Máy in",
            SetupStep::Connection => "Kết nối",
            SetupStep::Admin => "Tài khoản quản trị",
        }
    }
}

/// How the counter gets its official numbers and sends its dossiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionKind {
    /// The city portal or the office hub: enrolled with a one-time code, numbers leased.
    #[default]
    Portal,
    /// No network for now: official numbers from a block assigned to this counter.
    Offline,
}

impl ConnectionKind {
    pub fn label(self) -> &'static str {
        match self {
            ConnectionKind::Portal => "Cổng dịch vụ công hoặc máy chủ của trung tâm (hub)",
            ConnectionKind::Offline => "Chưa kết nối: dùng dải số mã hồ sơ được cấp",
        }
    }
}

/// What the set-up has collected so far (never a secret).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct SetupDraft {
    /// The ward or commune (code on the 2025 map).
    pub unit_code: String,
    /// "UBND phường Ba Đình": the agency as registered, printed on the forms.
    pub agency_name: String,
    /// The receiving unit: "Trung tâm Phục vụ hành chính công" (settings `unit_name`).
    pub centre_name: String,
    /// The forms' first header line, the parent ("UBND THÀNH PHỐ HÀ NỘI", settings `parent_agency`).
    pub parent_line: String,
    /// The place in the date line ("Ba Đình, ngày …").
    pub place_name: String,
    /// The agency's electronic identifier (Decision 20/2020/QĐ-TTg), e.g. 000.00.31.H26.
    pub agency_code: String,
    pub address: String,
    pub counter_id: String,
    pub counter_name: String,
    /// A printer queue; empty = the system's default printer.
    pub printer: String,
    pub connection: ConnectionKind,
    pub portal_url: String,
    /// The offline block of the daily official sequence.
    pub block_first: u32,
    pub block_last: u32,
    pub admin_id: String,
    pub admin_name: String,
    /// The steps saved so far.
    pub saved: Vec<SetupStep>,
}

/// One step as the set-up shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SetupStepView {
    pub step: SetupStep,
    pub label: String,
    pub done: bool,
}

/// The set-up as the window draws it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SetupState {
    pub stage: SetupStage,
    /// The step to show: the first one not saved (the connection while enrolling).
    pub step: SetupStep,
    pub steps: Vec<SetupStepView>,
    pub draft: SetupDraft,
    /// The chosen unit as the map names it.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitView>,
    /// The connection choices with their words.
    pub connections: Vec<(ConnectionKind, String)>,
}

/// The stage as stored (`None`: never started through the window).
/// A value this version does not know (a newer version's, a damaged row) counts as not set up.
pub(crate) fn stored_stage(store: &Store) -> Result<Option<SetupStage>> {
    Ok(store.setting(STAGE_KEY)?.map(|s| SetupStage::parse(&s).unwrap_or(SetupStage::Draft)))
}

fn stage(store: &Store) -> Result<SetupStage> {
    Ok(match stored_stage(store)? {
        // set up by other means (`motcua init`, `--demo`) while a draft was open: the draft is moot
        Some(SetupStage::Draft) | None if store.is_initialised() => SetupStage::Done,
        Some(s) => s,
        None => SetupStage::Draft,
    })
}

fn draft(store: &Store) -> Result<SetupDraft> {
    Ok(store.setting(DRAFT_KEY)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

/// Where the set-up stands. Needs no session (it runs before any account exists); once done it
/// shows nothing of the draft.
pub fn state(store: &Store) -> Result<SetupState> {
    let stage = stage(store)?;
    let draft = if stage == SetupStage::Done { SetupDraft::default() } else { draft(store)? };
    Ok(view(store, stage, draft))
}

fn view(store: &Store, stage: SetupStage, draft: SetupDraft) -> SetupState {
    let step = match stage {
        SetupStage::Enrolling => SetupStep::Connection,
        _ => SetupStep::ALL.into_iter().find(|s| !draft.saved.contains(s)).unwrap_or(SetupStep::Admin),
    };
    let steps = SetupStep::ALL
        .into_iter()
        .map(|s| SetupStepView { step: s, label: s.label().into(), done: stage == SetupStage::Done || draft.saved.contains(&s) })
        .collect();
    let unit = (!draft.unit_code.is_empty()).then(|| crate::units::for_data_dir(store.data_dir()).unit(&draft.unit_code)).flatten();
    let connections = [ConnectionKind::Portal, ConnectionKind::Offline].into_iter().map(|k| (k, k.label().to_string())).collect();
    SetupState { stage, step, steps, draft, unit, connections }
}

/// The agency's electronic identifier: four groups, `NNN.NN.NN.XNN` — three digits (level 4), two
/// (level 3), two (level 2), then a capital letter and two digits (level 1, "H" for provinces), as
/// set out by Decision 20/2020/QĐ-TTg. UNCONFIRMED beyond that shape (the letter per kind of body is
/// not checked). Returns the code upper-cased.
pub fn check_agency_code(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    let groups: Vec<&str> = c.split('.').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let ok = groups.len() == 4
        && digits(groups[0], 3)
        && digits(groups[1], 2)
        && digits(groups[2], 2)
        && groups[3].len() == 3
        && groups[3].as_bytes()[0].is_ascii_uppercase()
        && digits(&groups[3][1..], 2);
    if !ok {
        return Err(CoreError::validation("agency_code", "Mã định danh đơn vị có dạng 000.00.00.H26 (3 số, 2 số, 2 số, một chữ cái và 2 số; theo Quyết định 20/2020/QĐ-TTg)"));
    }
    Ok(c)
}

/// "Phường Ba Đình" → "phường Ba Đình" (inside a sentence), "Ba Đình" (the place in the date line).
fn unit_words(name: &str) -> (String, String) {
    for prefix in ["Phường ", "Xã ", "Đặc khu ", "Thị trấn "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let lower = prefix.to_lowercase();
            return (format!("{lower}{rest}"), rest.to_string());
        }
    }
    (name.to_string(), name.to_string())
}

fn required(p: &mut Problems, field: &str, label: &str, value: &str, limit: usize) -> String {
    match crate::limits::text(field, label, value, limit) {
        Ok(v) if v.is_empty() => {
            p.push(CoreError::validation(field, format!("Chưa nhập {}", label.to_lowercase())));
            v
        }
        r => p.take(r).unwrap_or_default(),
    }
}

/// Checks one step's fields of `given` and copies them (cleaned) into `into`; every wrong field at
/// once.
fn check_step(store: &Store, step: SetupStep, given: &SetupDraft, into: &mut SetupDraft) -> Result<()> {
    use crate::limits as l;
    let mut p = Problems::default();
    match step {
        SetupStep::Unit => {
            let units = crate::units::for_data_dir(store.data_dir());
            let code = given.unit_code.trim();
            match units.unit(code).filter(|_| !code.is_empty() && code.len() <= l::CODE) {
                None => p.push(CoreError::validation("unit_code", "Chọn phường, xã trong danh sách đơn vị hành chính hiện hành")),
                Some(u) => {
                    if into.unit_code != u.code {
                        // a new unit: the names that follow from it are offered afresh
                        let (in_sentence, place) = unit_words(&u.name);
                        into.agency_name = format!("UBND {in_sentence}");
                        into.centre_name = "Trung tâm Phục vụ hành chính công".into();
                        into.parent_line = format!("UBND {}", u.province_name.to_uppercase());
                        into.place_name = place;
                        into.saved.retain(|s| *s != SetupStep::Centre);
                    }
                    into.unit_code = u.code;
                }
            }
        }
        SetupStep::Centre => {
            into.agency_name = required(&mut p, "agency_name", "Tên đơn vị", &given.agency_name, l::AGENCY_NAME);
            into.centre_name = required(&mut p, "centre_name", "Tên trung tâm", &given.centre_name, l::AGENCY_NAME);
            into.parent_line = required(&mut p, "parent_line", "Cơ quan chủ quản", &given.parent_line, l::AGENCY_NAME);
            into.place_name = required(&mut p, "place_name", "Địa danh", &given.place_name, l::AGENCY_NAME);
            into.address = p.take(l::text("address", "Địa chỉ", &given.address, l::ADDRESS)).unwrap_or_default();
            into.agency_code = p.take(check_agency_code(&given.agency_code)).unwrap_or_default();
        }
        SetupStep::Counter => {
            let id = given.counter_id.trim().to_ascii_uppercase();
            if id.is_empty() || id.len() > 16 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                p.push(CoreError::validation("counter_id", "Mã quầy gồm 1 đến 16 chữ và số (ví dụ Q01)"));
            }
            into.counter_id = id;
            into.counter_name = required(&mut p, "counter_name", "Tên quầy", &given.counter_name, l::AGENCY_NAME);
        }
        SetupStep::Printer => into.printer = p.take(check_printer(&given.printer)).unwrap_or_default(),
        SetupStep::Connection => {
            into.connection = given.connection;
            match given.connection {
                ConnectionKind::Portal => into.portal_url = p.take(check_portal_url(&given.portal_url)).unwrap_or_default(),
                ConnectionKind::Offline => {
                    let (a, b) = (given.block_first, given.block_last);
                    if a == 0 || b < a || b > 9999 {
                        p.push(CoreError::validation("block", "Dải số mã hồ sơ: từ 1 đến 9999, số đầu không lớn hơn số cuối"));
                    }
                    into.block_first = a;
                    into.block_last = b;
                }
            }
        }
        SetupStep::Admin => {
            let id = given.admin_id.trim().to_string();
            if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
                p.push(CoreError::validation("admin_id", "Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới"));
            }
            into.admin_id = id;
            into.admin_name = required(&mut p, "admin_name", "Họ tên", &given.admin_name, l::NAME);
        }
    }
    p.finish()
}

/// A printer queue's name (empty: the system default printer).
pub fn check_printer(name: &str) -> Result<String> {
    let q = crate::limits::text("printer", "Máy in", name, crate::limits::CODE)?;
    let quoting = |c: char| matches!(c, '\'' | '"' | '`' | '$' | ';' | '|' | '&' | '<' | '>' | '#' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}');
    if q.chars().any(|c| quoting(c) || (c.is_whitespace() && c != ' ')) {
        return Err(CoreError::validation("printer", "Tên máy in không có dấu nháy, '#', '$', ';', '|', '&', '<', '>'"));
    }
    Ok(q)
}

/// A portal or hub address: http(s), a host, nothing after the path.
pub fn check_portal_url(url: &str) -> Result<String> {
    let u = url.trim().trim_end_matches('/');
    let bad = || CoreError::validation("portal_url", "Địa chỉ cổng có dạng https://ten-may hoặc http://192.168.1.10:8080");
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or("");
    if u.len() > 300 || host.is_empty() || u.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@')) {
        return Err(bad());
    }
    Ok(u.to_string())
}

fn write_draft(store: &mut Store, stage: SetupStage, draft: &SetupDraft, note: &str) -> Result<()> {
    let json = serde_json::to_string(draft).map_err(|e| CoreError::Internal(e.to_string()))?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    let now: Option<String> = tx.query_row("SELECT value FROM settings WHERE key = ?1", [STAGE_KEY], |r| r.get(0)).optional()?;
    let set_up: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM agency)", [], |r| r.get(0))?;
    if set_up || now.is_some_and(|v| v != SetupStage::Draft.as_str()) {
        return Err(CoreError::Conflict("Máy này vừa được thiết lập ở nơi khác (lệnh motcua init?): mở lại ứng dụng".into()));
    }
    set(&tx, STAGE_KEY, stage.as_str())?;
    set(&tx, DRAFT_KEY, &json)?;
    crate::audit::record(&tx, at, &actor, "setup.step", note, &serde_json::Value::Null)?;
    tx.commit()?;
    Ok(())
}

fn set(tx: &rusqlite::Transaction, key: &str, value: &str) -> Result<()> {
    tx.execute("INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
    Ok(())
}

fn refuse_when_done(stage: SetupStage) -> Result<()> {
    if stage == SetupStage::Done {
        return Err(CoreError::Conflict("Máy này đã thiết lập xong; sửa thông tin trong Thiết lập (F4)".into()));
    }
    Ok(())
}

/// Saves one step (the fields of that step in `given`; the others are ignored) after checking it.
/// While enrolling only the connection may change.
pub fn save_step(store: &mut Store, step: SetupStep, given: &SetupDraft) -> Result<SetupState> {
    let stage = stage(store)?;
    refuse_when_done(stage)?;
    if stage == SetupStage::Enrolling {
        return Err(CoreError::Conflict("Đơn vị và quầy đã được ghi; chỉ còn kết nối với cổng (hoặc chọn làm việc không kết nối)".into()));
    }
    let mut d = draft(store)?;
    check_step(store, step, given, &mut d)?;
    if !d.saved.contains(&step) {
        d.saved.push(step);
    }
    write_draft(store, SetupStage::Draft, &d, step_name(step))?;
    Ok(view(store, SetupStage::Draft, d))
}

fn step_name(step: SetupStep) -> &'static str {
    match step {
        SetupStep::Unit => "unit",
        SetupStep::Centre => "centre",
        SetupStep::Counter => "counter",
        SetupStep::Printer => "printer",
        SetupStep::Connection => "connection",
        SetupStep::Admin => "admin",
    }
}

/// The last step: checks every step again, then writes the agency, the counter, the settings the
/// forms print and the admin account in one transaction and logs the admin in. Offline, the counter
/// is ready; with a portal it is `Enrolling` until the enrolment is saved.
pub fn finish(store: &mut Store, password: &str, pin: &str) -> Result<SetupState> {
    let stage = stage(store)?;
    refuse_when_done(stage)?;
    if stage == SetupStage::Enrolling {
        return Err(CoreError::Conflict("Đã ghi đơn vị, quầy và tài khoản quản trị; còn kết nối với cổng".into()));
    }
    let d = draft(store)?;
    let mut p = Problems::default();
    let mut checked = d.clone();
    for step in SetupStep::ALL {
        if !d.saved.contains(&step) {
            p.push(CoreError::validation(step_name(step), format!("Chưa xong bước \"{}\"", step.label())));
        } else if let Err(e) = check_step(store, step, &d, &mut checked) {
            p.push(e);
        }
    }
    p.finish()?;
    if pin.is_empty() {
        return Err(CoreError::validation("pin", "Nhập mã PIN (4 đến 8 chữ số) để mở khóa nhanh"));
    }
    let d = checked;
    let admin = crate::accounts::prepare(&d.admin_id, &d.admin_name, crate::accounts::Role::Admin, password, Some(pin))?;
    let blocks = if d.connection == ConnectionKind::Offline { vec![(d.block_first, d.block_last)] } else { vec![] };
    let init = store.check_init(&InitParams {
        agency_code: d.agency_code.clone(),
        agency_name: d.agency_name.clone(),
        agency_address: d.address.clone(),
        counter_id: d.counter_id.clone(),
        counter_name: d.counter_name.clone(),
        clerk_id: d.admin_id.clone(),
        clerk_name: d.admin_name.clone(),
        code_blocks: blocks,
    })?;
    let next = if d.connection == ConnectionKind::Offline { SetupStage::Done } else { SetupStage::Enrolling };
    let at = store.clock().now();
    let tx = store.write_tx()?;
    Store::write_init(&tx, &init, at)?;
    for (key, value) in [
        ("unit_name", d.centre_name.as_str()),
        ("parent_agency", d.parent_line.as_str()),
        ("place_name", d.place_name.as_str()),
        ("printer", d.printer.as_str()),
        ("unit_code", d.unit_code.as_str()),
    ] {
        set(&tx, key, value)?;
    }
    crate::accounts::write_account(&tx, &admin, at, &d.admin_id, "account.create_admin")?;
    // `write_init` ended any set-up in progress; this one goes on while it enrolls
    set(&tx, STAGE_KEY, next.as_str())?;
    set(&tx, DRAFT_KEY, &serde_json::to_string(&d).map_err(|e| CoreError::Internal(e.to_string()))?)?;
    crate::audit::record(&tx, at, &d.admin_id, "setup.finish", next.as_str(), &serde_json::Value::Null)?;
    tx.commit()?;
    store.reload()?;
    crate::accounts::login(store, &d.admin_id, password)?;
    state(store)
}

/// While enrolling: give up the portal for now and number from an offline block (admins).
pub fn choose_offline(store: &mut Store, first: u32, last: u32) -> Result<SetupState> {
    store.require(crate::accounts::Right::Portal)?;
    if stage(store)? != SetupStage::Enrolling {
        return Err(CoreError::Conflict("Chỉ dùng khi đang chờ kết nối cổng trong lúc thiết lập".into()));
    }
    if first == 0 || last < first || last > 9999 {
        return Err(CoreError::validation("block", "Dải số mã hồ sơ: từ 1 đến 9999, số đầu không lớn hơn số cuối"));
    }
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    // checked again inside the transaction: an enrolment finishing meanwhile wins
    if tx.execute("UPDATE settings SET value = 'done' WHERE key = ?1 AND value = 'enrolling'", [STAGE_KEY])? != 1 {
        return Err(CoreError::Conflict("Máy này vừa được kết nối với cổng: không cần dải số nữa".into()));
    }
    tx.execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, ?1, ?2, 'admin')", rusqlite::params![first, last])?;
    crate::audit::record(&tx, at, &actor, "setup.offline", &format!("{first}-{last}"), &serde_json::Value::Null)?;
    tx.commit()?;
    store.reload()?;
    state(store)
}

/// While enrolling: another portal or hub address (a typo, a hub that moved), for the admin.
pub fn set_portal_url(store: &mut Store, url: &str) -> Result<SetupState> {
    store.require(crate::accounts::Right::Portal)?;
    if stage(store)? != SetupStage::Enrolling {
        return Err(CoreError::Conflict("Chỉ dùng khi đang chờ kết nối cổng trong lúc thiết lập".into()));
    }
    let url = check_portal_url(url)?;
    let mut d = draft(store)?;
    d.portal_url = url;
    let json = serde_json::to_string(&d).map_err(|e| CoreError::Internal(e.to_string()))?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    set(&tx, DRAFT_KEY, &json)?;
    crate::audit::record(&tx, at, &actor, "setup.portal", &d.portal_url, &serde_json::Value::Null)?;
    tx.commit()?;
    state(store)
}

/// In the enrolment's transaction: an enrolling set-up is done.
pub(crate) fn enrolled(tx: &rusqlite::Transaction) -> Result<()> {
    tx.execute("UPDATE settings SET value = 'done' WHERE key = ?1 AND value = 'enrolling'", [STAGE_KEY])?;
    Ok(())
}

#[cfg(test)]
mod tests;
