//! Counter settings that the forms and printing read: paper, copies, printer, the portal's lookup URL
//! for the receipt's QR code, and the names that head the agency's documents. Stored as rows of the
//! `settings` table; a missing row means the default below.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::store::Store;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Paper {
    A4,
    A5,
}

impl Paper {
    pub const ALL: [Paper; 2] = [Paper::A5, Paper::A4];
    pub fn parse(s: &str) -> Option<Paper> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A4" => Some(Paper::A4),
            "A5" => Some(Paper::A5),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A5 => "A5",
        }
    }
}

/// Everything a counter may set about its documents and printer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CounterSettings {
    /// Paper of the receipt (the other forms are always A4).
    pub receipt_paper: Paper,
    /// Copies ("liên") of the receipt: 1 for the citizen, 2 kept with the dossier, ...
    pub receipt_copies: u32,
    /// Print the receipt as soon as an intake is confirmed.
    pub print_on_intake: bool,
    /// CUPS queue (or Windows printer) name; empty = the system default printer.
    pub printer: String,
    /// Status-lookup URL encoded in the receipt's QR code; `{code}` is replaced by the dossier code.
    pub lookup_url: String,
    /// The unit that receives dossiers and issues the one-stop forms: since 1/7/2025 a commune or
    /// ward has a "Trung tâm Phục vụ hành chính công" (Decree 118/2025); some still say "Bộ phận
    /// Một cửa". Printed in the forms' heading and text, never hard-coded.
    #[serde(default = "default_unit_name")]
    pub unit_name: String,
    /// First header line: the agency's parent ("cơ quan chủ quản"), e.g. "UBND THÀNH PHỐ HÀ NỘI".
    pub parent_agency: String,
    /// Place name in the date line: "Ba Đình, ngày ... tháng ... năm ...".
    pub place_name: String,
    /// Title and name of the head of the agency, who signs apologies and stop notices.
    pub head_title: String,
    pub head_name: String,
    /// Phone number printed on the supplement request for questions.
    pub counter_phone: String,
    /// After a supplement: "restart" (default: the time limit counts again from the start once the
    /// complete dossier is received — docs/lifecycle.md cites the evidence) or "resume" (the time
    /// already spent counts; the older practice).
    pub supplement_clock: String,
    /// How many times an apology may set a new appointment (provincial rules: at most once).
    pub max_delays: u32,
    /// The apology (Mẫu 04) is due at least this many working days before the appointment
    /// (provincial rules: 01); a later one is allowed but the counter warns.
    #[serde(default = "default_apology_days")]
    pub apology_days_before_due: u32,
    /// The departments dossiers are handed over to, separated by ";" (offered at the handover desk).
    /// Default: the specialist offices of a commune under Decree 150/2025/NĐ-CP (a ward has "Phòng
    /// Kinh tế, Hạ tầng và Đô thị" instead of "Phòng Kinh tế").
    pub departments: String,
    /// The official dossier code's structure: `{agency}`, `{yyMMdd}`, and the serial last as `{seq}`
    /// (4 digits) or `{seq:N}` (N digits, 4–8), with letters, digits, dots or hyphens around them
    /// (docs/dossier-codes.md).
    #[serde(default = "default_code_template")]
    pub code_template: String,
    /// Minutes without a key or a click before the screen locks itself (once accounts exist).
    #[serde(default = "default_lock_minutes")]
    pub lock_after_minutes: u32,
    /// The current commune/ward (2025 map code, `units`) this centre serves: an applicant living in
    /// another unit makes the dossier "phi địa giới". Empty until set.
    #[serde(default)]
    pub unit_code: String,
    /// The serial port of a card/barcode scanner in USB COM (CDC) mode (`/dev/ttyACM0`, `COM3`):
    /// it carries Vietnamese letters intact. Empty: the scanner types as a keyboard (HID).
    #[serde(default)]
    pub scanner_port: String,
    /// Keep this machine's copies of documents the portal has stored for this many days, then remove
    /// them (the reference stays; opening one fetches it again). 0 keeps them (issue 16).
    #[serde(default)]
    pub documents_keep_days: u32,
}

fn default_lock_minutes() -> u32 {
    5
}

fn default_code_template() -> String {
    crate::codes::DEFAULT_TEMPLATE.into()
}

fn default_unit_name() -> String {
    "Trung tâm Phục vụ hành chính công".into()
}

fn default_apology_days() -> u32 {
    1
}

impl Default for CounterSettings {
    fn default() -> Self {
        CounterSettings {
            receipt_paper: Paper::A5,
            receipt_copies: 2,
            print_on_intake: true,
            printer: String::new(),
            // UNCONFIRMED: the real portal's lookup address is a per-city setting; this is a placeholder.
            lookup_url: "https://dichvucong.hanoi.gov.vn/tra-cuu-ho-so?ma={code}".into(),
            unit_name: default_unit_name(),
            parent_agency: "UBND THÀNH PHỐ HÀ NỘI".into(),
            place_name: "Ba Đình".into(),
            head_title: "CHỦ TỊCH".into(),
            head_name: String::new(),
            counter_phone: String::new(),
            supplement_clock: "restart".into(),
            max_delays: 1,
            apology_days_before_due: default_apology_days(),
            departments: "Văn phòng HĐND và UBND; Phòng Kinh tế; Phòng Văn hóa - Xã hội".into(),
            lock_after_minutes: 5,
            code_template: default_code_template(),
            unit_code: String::new(),
            scanner_port: String::new(),
            documents_keep_days: 0,
        }
    }
}

const KEYS: &[&str] = &[
    "receipt_paper",
    "receipt_copies",
    "print_on_intake",
    "printer",
    "lookup_url",
    "unit_name",
    "parent_agency",
    "place_name",
    "head_title",
    "head_name",
    "counter_phone",
    "supplement_clock",
    "max_delays",
    "apology_days_before_due",
    "departments",
    "lock_after_minutes",
    "code_template",
    "unit_code",
    "scanner_port",
    "documents_keep_days",
];

impl CounterSettings {
    /// The departments offered at the handover desk, in the order set.
    pub fn department_list(&self) -> Vec<String> {
        self.departments.split(';').map(text::clean).filter(|d| !d.is_empty()).collect()
    }

    pub fn keys() -> &'static [&'static str] {
        KEYS
    }

    /// The settings, for someone logged in (`Right::Read`): what the settings screen and
    /// `motcua settings get` show, and what forms and steps are built from.
    pub fn load(store: &Store) -> Result<CounterSettings> {
        store.require(crate::accounts::Right::Read)?;
        CounterSettings::load_unchecked(store)
    }

    /// The settings without a session check: only for what the window needs before anyone logs in
    /// (the idle-lock minutes in `accounts::state`).
    pub(crate) fn load_unchecked(store: &Store) -> Result<CounterSettings> {
        let mut s = CounterSettings::default();
        for key in KEYS {
            if let Some(v) = store.setting(key)? {
                // A stored value was validated when it was written; a bad one falls back to the default.
                let _ = s.apply(key, &v);
            }
        }
        Ok(s)
    }

    /// The scanner's serial port, without a session: the shell opens the device before anyone logs in
    /// (a device path, not personal data).
    pub fn scanner_port(store: &Store) -> Result<String> {
        Ok(CounterSettings::load_unchecked(store)?.scanner_port)
    }

    /// Sets one field from text, with a Vietnamese message when the value does not fit.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<()> {
        let max = match key {
            "lookup_url" => crate::limits::LOOKUP_URL,
            "departments" => crate::limits::DEPARTMENTS,
            _ => crate::limits::SETTING,
        };
        let value = crate::limits::text(key, &format!("Thiết lập {key}"), value, max)?;
        let bad = |msg: &str| CoreError::validation(key, msg);
        match key {
            "receipt_paper" => self.receipt_paper = Paper::parse(&value).ok_or_else(|| bad("Khổ giấy phải là A4 hoặc A5"))?,
            "receipt_copies" => {
                let n: u32 = value.parse().map_err(|_| bad("Số liên phải là số từ 1 đến 5"))?;
                if !(1..=5).contains(&n) {
                    return Err(bad("Số liên phải là số từ 1 đến 5"));
                }
                self.receipt_copies = n;
            }
            "print_on_intake" => {
                self.print_on_intake = match value.to_lowercase().as_str() {
                    "1" | "true" | "yes" | "co" | "có" => true,
                    "0" | "false" | "no" | "khong" | "không" => false,
                    _ => return Err(bad("Giá trị phải là có/không (true/false)")),
                }
            }
            "printer" => self.printer = value,
            "lookup_url" => {
                if !(value.starts_with("https://") || value.starts_with("http://")) || !value.contains("{code}") {
                    return Err(bad("Địa chỉ tra cứu phải bắt đầu bằng http(s):// và chứa {code}"));
                }
                self.lookup_url = value;
            }
            "unit_name" => {
                if value.is_empty() {
                    return Err(bad("Cần tên đơn vị tiếp nhận (ví dụ: Trung tâm Phục vụ hành chính công)"));
                }
                self.unit_name = value
            }
            "parent_agency" => self.parent_agency = value,
            "place_name" => self.place_name = value,
            "head_title" => self.head_title = value,
            "head_name" => self.head_name = value,
            "counter_phone" => self.counter_phone = value,
            "supplement_clock" => {
                if value != "resume" && value != "restart" {
                    return Err(bad("Cách tính thời hạn sau bổ sung phải là resume hoặc restart"));
                }
                self.supplement_clock = value;
            }
            "max_delays" => {
                self.max_delays = value.parse().ok().filter(|n| (0..=10).contains(n)).ok_or_else(|| bad("Số lần hẹn lại phải là số từ 0 đến 10"))?;
            }
            "apology_days_before_due" => {
                self.apology_days_before_due = value
                    .parse()
                    .ok()
                    .filter(|n| (0..=10).contains(n))
                    .ok_or_else(|| bad("Số ngày làm việc trước hạn để gửi văn bản xin lỗi phải từ 0 đến 10"))?;
            }
            "departments" => {
                let list: Vec<String> = value.split(';').map(text::clean).filter(|d| !d.is_empty()).collect();
                if list.is_empty() {
                    return Err(bad("Cần ít nhất một phòng ban, cách nhau bằng dấu ;"));
                }
                if let Some(d) = list.iter().find(|d| d.chars().count() > crate::limits::DEPARTMENT) {
                    return Err(bad(&format!("Tên phòng ban quá dài (tối đa {} ký tự): {}…", crate::limits::DEPARTMENT, d.chars().take(40).collect::<String>())));
                }
                self.departments = list.join("; ");
            }
            "code_template" => {
                crate::codes::check_template(&value)?;
                self.code_template = value;
            }
            "lock_after_minutes" => {
                self.lock_after_minutes =
                    value.parse().ok().filter(|n| (1..=120).contains(n)).ok_or_else(|| bad("Thời gian tự khóa phải từ 1 đến 120 phút"))?;
            }
            "unit_code" => {
                // the shape here (loading settings parses nothing); that the unit exists in the map in
                // use is checked when it is set (`check_unit`)
                if !value.is_empty() && !(value.len() == 5 && value.bytes().all(|b| b.is_ascii_digit())) {
                    return Err(bad("Mã đơn vị hành chính gồm 5 chữ số (ví dụ 00004 = Phường Ba Đình)"));
                }
                self.unit_code = value;
            }
            "scanner_port" => {
                let ok = value.is_empty()
                    || ((value.starts_with('/') && !value.contains("..")) || value.to_ascii_uppercase().starts_with("COM") || value.starts_with(r"\\.\"))
                        && !value.chars().any(|c| c.is_whitespace());
                if !ok {
                    return Err(bad("Cổng máy quét phải là đường dẫn thiết bị /dev/tty… (Linux) hoặc COMn (Windows), hoặc để trống khi máy quét gõ như bàn phím"));
                }
                self.scanner_port = value;
            }
            "documents_keep_days" => {
                self.documents_keep_days =
                    value.parse().ok().filter(|n| *n <= 3650).ok_or_else(|| bad("Số ngày giữ bản sao tài liệu trên máy phải từ 0 (giữ mãi) đến 3650"))?;
            }
            _ => return Err(CoreError::validation(key, format!("Không có thiết lập tên {key}"))),
        }
        Ok(())
    }

    fn value_of(&self, key: &str) -> String {
        match key {
            "receipt_paper" => self.receipt_paper.as_str().into(),
            "receipt_copies" => self.receipt_copies.to_string(),
            "print_on_intake" => self.print_on_intake.to_string(),
            "printer" => self.printer.clone(),
            "lookup_url" => self.lookup_url.clone(),
            "unit_name" => self.unit_name.clone(),
            "parent_agency" => self.parent_agency.clone(),
            "place_name" => self.place_name.clone(),
            "head_title" => self.head_title.clone(),
            "head_name" => self.head_name.clone(),
            "counter_phone" => self.counter_phone.clone(),
            "supplement_clock" => self.supplement_clock.clone(),
            "max_delays" => self.max_delays.to_string(),
            "apology_days_before_due" => self.apology_days_before_due.to_string(),
            "departments" => self.departments.clone(),
            "lock_after_minutes" => self.lock_after_minutes.to_string(),
            "code_template" => self.code_template.clone(),
            "unit_code" => self.unit_code.clone(),
            "scanner_port" => self.scanner_port.clone(),
            "documents_keep_days" => self.documents_keep_days.to_string(),
            _ => String::new(),
        }
    }

    /// A unit code set must name a unit of the map in use (shipped or imported).
    fn check_unit(&self, store: &Store) -> Result<()> {
        if !self.unit_code.is_empty() && crate::units::for_data_dir(store.data_dir()).unit(&self.unit_code).is_none() {
            return Err(CoreError::validation("unit_code", "Mã đơn vị hành chính không có trong danh mục 2025 (ví dụ 00004 = Phường Ba Đình)"));
        }
        Ok(())
    }

    /// Validates and stores one setting; a bad value changes nothing.
    pub fn set(store: &mut Store, key: &str, value: &str) -> Result<CounterSettings> {
        store.require(crate::accounts::Right::Settings)?;
        let mut s = CounterSettings::load(store)?;
        s.apply(key, value)?;
        s.check_unit(store)?;
        let (now, actor) = (store.clock().now(), store.actor());
        let tx = store.write_tx()?;
        tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, &s.value_of(key)],
        )?;
        crate::audit::record(&tx, now, &actor, "settings", key, &serde_json::json!({ "value": s.value_of(key) }))?;
        tx.commit()?;
        if key == "code_template" {
            store.reload()?; // the store issues codes with the template it holds
        }
        Ok(s)
    }

    /// Saves every field (the settings screen saves the whole form at once).
    pub fn save(&self, store: &mut Store) -> Result<()> {
        store.require(crate::accounts::Right::Settings)?;
        // Validate through `apply` so the UI cannot store what the CLI would refuse.
        let mut check = CounterSettings::default();
        for key in KEYS {
            check.apply(key, &self.value_of(key))?;
        }
        check.check_unit(store)?;
        let (now, actor) = (store.clock().now(), store.actor());
        let tx = store.write_tx()?;
        crate::audit::record(&tx, now, &actor, "settings", "*", &serde_json::to_value(&check).expect("serialisable"))?;
        for key in KEYS {
            tx.execute(
                "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [*key, &check.value_of(key)],
            )?;
        }
        tx.commit()?;
        store.reload() // the code template is held by the store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use std::sync::Arc;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock(crate::clock::parse_local("2026-11-23T08:00").unwrap()));
        let s = Store::open_dir(dir.path(), clock).unwrap();
        (dir, s)
    }

    #[test]
    fn defaults_then_set_and_reload() {
        let (_d, mut s) = store();
        assert_eq!(CounterSettings::load(&s).unwrap(), CounterSettings::default());
        CounterSettings::set(&mut s, "receipt_paper", "a4").unwrap();
        CounterSettings::set(&mut s, "printer", "  MotCua-PDF ").unwrap();
        let got = CounterSettings::load(&s).unwrap();
        assert_eq!(got.receipt_paper, Paper::A4);
        assert_eq!(got.printer, "MotCua-PDF");
    }

    #[test]
    fn bad_values_are_refused_and_change_nothing() {
        let (_d, mut s) = store();
        let long = "A".repeat(crate::limits::SETTING + 1);
        for (k, v) in [("receipt_paper", "A3"), ("receipt_copies", "0"), ("receipt_copies", "hai"), ("lookup_url", "ftp://x"), ("nope", "1"),
                       ("head_name", long.as_str()), ("parent_agency", "UBND 北京"), ("place_name", "Ba Đình\u{7}")] {
            let err = CounterSettings::set(&mut s, k, v).unwrap_err();
            assert!(matches!(err, CoreError::Validation { .. }), "{k}={v}: {err:?}");
        }
        assert_eq!(CounterSettings::load(&s).unwrap(), CounterSettings::default());
    }
}
