//! CLI lifecycle: the real `motcua` binary on a real SQLite file, from intake to return, with the
//! refusals that must change nothing, the work lists, and the handover list printed to PDF.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

mod common;
use common::{motcua, ok};

fn json_of(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap()
}

fn events(dir: &Path) -> i64 {
    let c = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
    c.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0)).unwrap()
}

/// A counter with two dossiers of a 3-working-day procedure taken in on Thu 12/2/2026 10:30 (before Tết).
fn setup(dir: &Path) -> (String, String) {
    ok(&motcua(dir, "2026-02-12T10:30", &["init", "--agency-code", "000.00.06.H56", "--agency-name", "UBND xã Quảng Phú", "--counter", "Q01", "--code-block", "1-4999"], None));
    let mut codes = Vec::new();
    for name in ["Nguyễn Thị Hồng Nhung", "Trần Văn Bình"] {
        let r = json!({
            "procedure_code": "1.004873", "fee": 0,
            "applicant": {"full_name": name, "id_type": "cccd", "id_number": "038085001234",
                          "date_of_birth": "12/05/1985", "phone": "0987654321", "address": "Thôn 3, xã Quảng Phú"}
        });
        let d = json_of(&motcua(dir, "2026-02-12T10:30", &["intake", "--json", "-"], Some(&r.to_string())));
        codes.push(d["code"].as_str().unwrap().to_string());
    }
    (codes[0].clone(), codes[1].clone())
}

#[test]
fn intake_handover_result_return_with_states_printed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b) = setup(d);
    let due: Value = json_of(&motcua(d, "2026-02-12T11:00", &["show", &a, "--json"], None));
    assert_eq!(due["status"], "received");

    // hand both over in one batch; the text says the batch and each new state
    let out = ok(&motcua(d, "2026-02-12T14:00", &["handover", "--to", "Phòng Văn hóa - Xã hội", &a, &b], None));
    assert!(out.contains("đợt bàn giao BG-260212140000-Q01 (2 hồ sơ)"), "{out}");
    assert!(out.contains(&format!("{a}  Đang giải quyết — Phòng Văn hóa - Xã hội")), "{out}");

    // the handover list of that batch, as a PDF with both codes and the department
    let pdf = d.join("list.pdf");
    ok(&motcua(d, "2026-02-12T14:01", &["print", "handover", "--batch", "BG-260212140000-Q01", "--out", pdf.to_str().unwrap()], None));
    let text = Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for w in ["DANH SÁCH BÀN GIAO HỒ SƠ", "BG-260212140000-Q01", "Phòng Văn hóa - Xã hội", &a, &b, "Trần Văn Bình", "NGƯỜI NHẬN"] {
        assert!(text.contains(w), "{w:?} not in handover list:\n{text}");
    }

    // handing over again is refused and changes nothing
    let before = events(d);
    let o = motcua(d, "2026-02-12T14:05", &["handover", "--to", "Phòng Kinh tế", &a], None);
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Không thể bàn giao"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(events(d), before);

    // result back on Mon 23/2 (after Tết, before the appointment), returned with --json
    let r = json_of(&motcua(d, "2026-02-23T09:00", &["receive-result", &a, "--json"], None));
    assert_eq!(r[0]["status"], "result_ready");
    let ready: Value = json_of(&motcua(d, "2026-02-23T09:05", &["due-list", "--ready", "--json"], None));
    assert_eq!(ready.as_array().unwrap().len(), 1);
    assert_eq!(ready[0]["code"], a.as_str());

    let r = json_of(&motcua(d, "2026-02-23T10:00", &["return", &a, "--to", "Nguyễn Thị Hồng Nhung", "--id", "038085001234", "--json"], None));
    assert_eq!(r[0]["status"], "returned");
    assert_eq!(r[0]["progress"]["returned_to"]["kind"], "applicant");
    assert_ne!(r[0]["progress"]["timeliness"], "late");

    // returning twice is refused and changes nothing
    let before = events(d);
    let o = motcua(d, "2026-02-23T10:01", &["return", &a, "--post", "EMS123"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("không trả lần thứ hai"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(events(d), before);
}

#[test]
fn supplement_delay_refuse_withdraw_and_the_work_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (a, b) = setup(d);
    ok(&motcua(d, "2026-02-12T14:00", &["handover", "--to", "Phòng Kinh tế", &a, &b], None));

    // supplement: the clock stops; the dossier shows in the supplement list, not in the overdue one
    let s = json_of(&motcua(d, "2026-02-13T09:00", &["supplement", &a, "--missing", "Bản sao giấy khai sinh", "--missing", "Tờ khai có chữ ký", "--json"], None));
    assert_eq!(s[0]["status"], "waiting_supplement");
    assert_eq!(s[0]["progress"]["missing"], json!(["Bản sao giấy khai sinh", "Tờ khai có chữ ký"]));
    let counts = json_of(&motcua(d, "2026-03-02T09:00", &["due-list", "--json"], None));
    assert_eq!(counts["waiting_supplement"], 1);
    assert_eq!(counts["overdue"], 1, "{counts}"); // b is past its appointment by 2/3
    let overdue = json_of(&motcua(d, "2026-03-02T09:00", &["due-list", "--overdue", "--json"], None));
    assert_eq!(overdue[0]["code"], b.as_str());

    // the supplement arrives: the clock runs again from where it stopped, the appointment moves on
    let s = json_of(&motcua(d, "2026-03-02T09:00", &["supplemented", &a, "--json"], None));
    assert_eq!(s[0]["status"], "in_process");
    assert!(s[0]["due_at"].as_str().unwrap() > "2026-03-02", "{}", s[0]["due_at"]);

    // delay: once, to a later date; a second apology is refused
    let s = json_of(&motcua(d, "2026-03-02T10:00", &["delay", &b, "--new-date", "10/03/2026", "--reason", "Cần xác minh thêm", "--json"], None));
    assert_eq!(s[0]["due_at"], "2026-03-10T17:00:00+07:00");
    assert_eq!(s[0]["progress"]["delays"], 1);
    let o = motcua(d, "2026-03-02T10:05", &["delay", &b, "--new-date", "20/03/2026", "--reason", "Lần nữa"], None);
    assert!(String::from_utf8_lossy(&o.stderr).contains("đã được hẹn lại 1 lần"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = motcua(d, "2026-03-02T10:05", &["delay", &a, "--new-date", "31/02/2026", "--reason", "x"], None);
    assert_eq!(o.status.code(), Some(2));

    // a result on a delayed dossier is late whatever the date
    ok(&motcua(d, "2026-03-03T09:00", &["receive-result", &b], None));
    let r = json_of(&motcua(d, "2026-03-03T10:00", &["return", &b, "--post", "EA123456789VN", "--json"], None));
    assert_eq!(r[0]["progress"]["timeliness"], "late");

    // refuse needs a reason; withdraw closes; nothing can follow
    let o = motcua(d, "2026-03-03T10:00", &["refuse", &a, "--reason", "  "], None);
    assert_eq!(o.status.code(), Some(2));
    let w = json_of(&motcua(d, "2026-03-03T10:10", &["withdraw", &a, "--json"], None));
    assert_eq!(w[0]["status"], "withdrawn");
    let o = motcua(d, "2026-03-03T10:20", &["receive-result", &a], None);
    assert!(String::from_utf8_lossy(&o.stderr).contains("Công dân đã rút hồ sơ"), "{}", String::from_utf8_lossy(&o.stderr));
    let counts = json_of(&motcua(d, "2026-03-03T10:30", &["due-list", "--json"], None));
    assert_eq!(counts, json!({"guided_today": 0, "not_accepted_today": 0, "due_today": 0, "overdue": 0, "due_soon": 0, "waiting_supplement": 0, "ready_to_collect": 0}));
}
