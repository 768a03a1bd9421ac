//! The counter's legal flows from the real `motcua` binary on a real SQLite file (issue 14): guidance and
//! refusal at intake without a code (Mẫu 02 / 03), the stop notice after a withdrawal (Mẫu 05), the
//! late-apology warning, and every procedure's time limit and fee state in `catalog list`. PDFs are
//! read back with pdftotext.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

mod common;
use common::{motcua, ok};

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils)");
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(dir: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

const NOW: &str = "2026-03-02T09:00";

fn init(dir: &Path) {
    ok(&motcua(dir, NOW, &["init", "--agency-code", "000.00.06.H56", "--agency-name", "UBND xã Quảng Phú", "--counter", "Q01", "--code-block", "1-4999"], None));
}

fn request(documents: Option<&[&str]>) -> String {
    let mut r = json!({
        "procedure_code": "1.001193",
        "applicant": {"full_name": "Nguyễn Thị Hồng Nhung", "id_type": "cccd", "id_number": "038085001234",
                      "date_of_birth": "12/05/1985", "phone": "0987654321", "address": "Thôn 3, xã Quảng Phú",
                      "email": "nhung@example.vn"}
    });
    if let Some(d) = documents {
        r["documents"] = json!(d);
    }
    r.to_string()
}

#[test]
fn guidance_and_refusal_from_the_cli_issue_no_code_and_are_found_by_search() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d);
    let file = d.join("req.json");
    std::fs::write(&file, request(Some(&["to-khai", "giay-to-tuy-than"]))).unwrap();
    // the plain intake refuses an incomplete dossier and writes nothing
    let o = motcua(d, NOW, &["intake", "--json", file.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert_eq!(count(d, "SELECT COUNT(*) FROM dossiers"), 0);

    let slip = d.join("huong-dan.pdf");
    let g: Value = serde_json::from_str(&ok(&motcua(d, NOW, &["intake", "--json", file.to_str().unwrap(), "--guidance", "--out", slip.to_str().unwrap()], None))).unwrap();
    let number = g["code"].as_str().unwrap().to_string();
    assert!(number.starts_with("HD-"), "{g}");
    assert_eq!(g["status"], "guided");
    let t = pdf_text(&slip);
    for w in ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mã hồ sơ (nếu có): ....", "Hồ sơ của: Nguyễn Thị Hồng Nhung", "Giấy chứng sinh", &number] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    assert_eq!(count(d, "SELECT COUNT(*) FROM codes_issued WHERE series LIKE 'O:%'"), 0, "no dossier number consumed");

    // refusal: needs --reason (clap), then prints Mẫu 03 signed by both
    assert!(!motcua(d, NOW, &["intake", "--json", file.to_str().unwrap(), "--refuse"], None).status.success());
    let slip = d.join("tu-choi.pdf");
    let r: Value = serde_json::from_str(&ok(&motcua(
        d,
        NOW,
        &["intake", "--json", file.to_str().unwrap(), "--refuse", "--reason", "Không thuộc thẩm quyền của UBND xã", "--out", slip.to_str().unwrap()],
        None,
    )))
    .unwrap();
    assert!(r["code"].as_str().unwrap().starts_with("TC-"));
    let t = pdf_text(&slip);
    for w in ["PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", "Không thuộc thẩm quyền của UBND xã", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "038085001234", "nhung@example.vn"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    // both are found by search (without diacritics) and show as what they are
    let found = ok(&motcua(d, NOW, &["search", "nguyen thi hong nhung", "--json"], None));
    assert!(found.contains(&number) && found.contains(r["code"].as_str().unwrap()), "{found}");
    // a receipt for a guidance record is refused
    let o = motcua(d, NOW, &["print", "receipt", &number, "--out", d.join("x.pdf").to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(!d.join("x.pdf").exists());
    // a complete dossier has nothing to guide on
    std::fs::write(&file, request(None)).unwrap();
    assert!(!motcua(d, NOW, &["intake", "--json", file.to_str().unwrap(), "--guidance", "--out", d.join("y.pdf").to_str().unwrap()], None).status.success());
}

#[test]
fn a_withdrawal_prints_the_stop_notice_on_the_citizens_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d);
    let dossier: Value = serde_json::from_str(&ok(&motcua(d, NOW, &["intake", "--json", "-"], Some(&request(None))))).unwrap();
    let code = dossier["code"].as_str().unwrap();
    ok(&motcua(d, NOW, &["withdraw", code], None));
    let pdf = d.join("stop.pdf");
    ok(&motcua(d, NOW, &["print", "stop", code, "--out", pdf.to_str().unwrap()], None));
    let t = pdf_text(&pdf);
    assert!(t.contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ") && t.contains("Theo đề nghị dừng giải quyết hồ sơ của Ông/Bà"), "{t}");
}

#[test]
fn a_late_apology_is_warned_and_a_second_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d);
    let r = json!({"procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "038085001234",
                      "date_of_birth": "12/05/1985", "phone": "0987654321", "address": "Thôn 3"}});
    let dossier: Value = serde_json::from_str(&ok(&motcua(d, NOW, &["intake", "--json", "-"], Some(&r.to_string())))).unwrap();
    let code = dossier["code"].as_str().unwrap();
    // due Thu 05/03 09:00: an apology on Thu 05/03 is later than one working day before
    let o = motcua(d, "2026-03-05T08:00", &["delay", code, "--new-date", "10/03/2026 10:00", "--reason", "Chờ xác minh"], None);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cảnh báo") && err.contains("Mẫu 04"), "{err}");
    let pdf = d.join("apology.pdf");
    ok(&motcua(d, "2026-03-05T08:05", &["print", "apology", code, "--out", pdf.to_str().unwrap()], None));
    let t = pdf_text(&pdf);
    for w in ["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ", "10 giờ 00 phút, ngày 10 tháng 3 năm 2026", "có thể gây phiền hà, tốn kém về chi phí, công sức", "Mong nhận được sự thông cảm", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "038085001234"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    let again = motcua(d, "2026-03-06T08:00", &["delay", code, "--new-date", "12/03/2026", "--reason", "Lần hai"], None);
    assert!(!again.status.success());
}

#[test]
fn catalog_list_gives_every_procedures_time_limit_basis_and_fee_state() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d);
    let list: Value = serde_json::from_str(&ok(&motcua(d, NOW, &["catalog", "list", "--json"], None))).unwrap();
    let list = list.as_array().unwrap();
    assert!(list.len() >= 35);
    for p in list {
        let terms = p["terms"].as_array().unwrap();
        assert!(!terms.is_empty(), "{p}");
        for t in terms {
            assert!(["law", "province"].contains(&t["basis"].as_str().unwrap()), "{t}");
            assert!(["amount", "exempt", "not_collected", "unknown"].contains(&t["fee_kind"].as_str().unwrap()), "{t}");
            assert!(!t["time_limit_label"].as_str().unwrap().is_empty() && !t["fee_label"].as_str().unwrap().is_empty());
        }
    }
    let by = |code: &str| list.iter().find(|p| p["code"] == code).unwrap().clone();
    assert_eq!(by("2.000913")["name"], "Chứng thực việc sửa đổi, bổ sung, hủy bỏ giao dịch");
    assert_eq!(by("2.000913")["terms"][0]["time_limit_label"], "02 ngày làm việc");
    assert!(by("2.001406")["name"].as_str().unwrap().starts_with("Chứng thực văn bản phân chia di sản"));
    assert_eq!(by("1.001612")["terms"][0]["time_limit_label"], "03 ngày làm việc");
    let closure: Vec<String> = by("1.001266")["terms"].as_array().unwrap().iter().map(|t| t["time_limit_label"].as_str().unwrap().to_string()).collect();
    assert_eq!(closure, ["05 ngày làm việc", "03 ngày làm việc"]);
    for code in ["1.014034", "1.014035", "1.001570", "2.000575"] {
        assert!(list.iter().any(|p| p["code"] == code), "{code} missing");
    }
    assert_eq!(by("1.004873")["terms"][0]["fee_kind"], "unknown");
    // the text listing names law or province for each line
    let text = ok(&motcua(d, NOW, &["catalog", "list"], None));
    assert!(text.lines().all(|l| l.contains(" luật ") || l.contains(" tỉnh ")), "{text}");
}

#[test]
fn due_follows_the_case_and_the_code_template_is_an_admin_setting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    init(d);
    // Mon 02/03/2026 09:00: re-issue 01 working day, new-format certificate 03
    let one = ok(&motcua(d, NOW, &["due", "--procedure", "2.000575", "--case", "cap-lai", "--received", "2026-03-02T09:00"], None));
    let three = ok(&motcua(d, NOW, &["due", "--procedure", "2.000575", "--case", "cap-doi-mau-moi", "--received", "2026-03-02T09:00"], None));
    assert!(one.starts_with("2026-03-03T09:00"), "{one}");
    assert!(three.starts_with("2026-03-05T09:00"), "{three}");
    assert!(!motcua(d, NOW, &["due", "--procedure", "2.000575", "--received", "2026-03-02T09:00"], None).status.success(), "a procedure with cases needs one");

    // the Circular 04/2025 shape: refused when malformed, used for the next code when valid
    for bad in ["{agency}-{seq}", "{agency}-{yyMMdd}-{seq:3}", "{seq}-{agency}-{yyMMdd}"] {
        assert!(!motcua(d, NOW, &["settings", "set", "code_template", bad], None).status.success(), "{bad}");
    }
    ok(&motcua(d, NOW, &["settings", "set", "code_template", "{agency}-{yyMMdd}-TT{seq:6}"], None));
    let dossier: Value = serde_json::from_str(&ok(&motcua(d, NOW, &["intake", "--json", "-"], Some(&request(None))))).unwrap();
    assert_eq!(dossier["code"], "000.00.06.H56-260302-TT000001");
}
