//! The forms as the 2025 rules have them (issue 14), checked on real PDFs turned into text: the
//! guidance and refusal slips given at intake without a dossier code, the stop notice on the
//! citizen's request, the receipt's provisional-code and representative lines, the logbook's
//! columns, and the issuing unit taken from the settings.

mod common;
use common::*;

use motcua_core::intake::contact::{record, ContactKind, ContactRequest};
use motcua_core::intake::{submit, IntakeRequest};
use motcua_core::lifecycle::{self, Command};
use motcua_core::settings::CounterSettings;
use motcua_core::Store;
use motcua_forms::data::FormInput;
use motcua_forms::service::{produce, PrintRequest};
use motcua_forms::FormKind;
use serde_json::json;

fn request(procedure: &str, extra: serde_json::Value) -> IntakeRequest {
    let mut v = json!({
        "procedure_code": procedure,
        "applicant": {"full_name": "Phạm Thị Thu Hà", "id_type": "cccd", "id_number": "001185001234", "date_of_birth": "12/05/1985",
                      "phone": "0987654321", "address": "Số 5 ngõ 12 Đội Cấn, Ba Đình", "email": "ha.pham@example.vn"}
    });
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(v).unwrap()
}

fn pdf_text(s: &mut Store, dir: &std::path::Path, kind: FormKind, code: &str, input: FormInput) -> String {
    let out = dir.join(format!("{}-{}.pdf", kind.as_str(), code.replace('/', "_")));
    let req = PrintRequest { kind: Some(kind), code: Some(code.into()), input, out: Some(out.clone()), send: false, ..Default::default() };
    produce(s, &req, &Refuse).unwrap();
    assert_clean_pdf(&out);
    text_of(&out)
}

#[test]
fn an_incomplete_dossier_gets_mau_02_without_a_code_and_a_refused_one_mau_03_signed_by_both() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    // 1.001193 without the birth certificate: the guidance lists exactly what is missing
    let req = request("1.001193", json!({"documents": ["to-khai", "giay-to-tuy-than"]}));
    let g = record(&mut s, &ContactRequest { kind: ContactKind::Guidance, request: req.clone(), missing: None, reason: None }).unwrap();
    let t = pdf_text(&mut s, dir.path(), FormKind::Supplement, &g.code, FormInput::default());
    for w in ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mã hồ sơ (nếu có): ....", &format!("Số phiếu: {}", g.code), "Hồ sơ của: Phạm Thị Thu Hà",
              "hướng dẫn một lần", "1. Giấy chứng sinh", "NGƯỜI HƯỚNG DẪN", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    assert!(!t.contains("tiếp nhận hồ sơ của"), "a guidance slip must not say the dossier was accepted:\n{t}");
    // a guidance record prints nothing else: no receipt, no control slip
    let e = produce(&mut s, &PrintRequest { kind: Some(FormKind::Receipt), code: Some(g.code.clone()), out: Some(dir.path().join("x.pdf")), ..Default::default() }, &Refuse);
    assert!(e.is_err());

    let r = record(&mut s, &ContactRequest { kind: ContactKind::Refusal, request: req, missing: None, reason: Some("Không thuộc thẩm quyền của UBND cấp xã".into()) }).unwrap();
    let t = pdf_text(&mut s, dir.path(), FormKind::Refusal, &r.code, FormInput::default());
    for w in ["PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", "Mã hồ sơ (nếu có): ....", "Hồ sơ của: Phạm Thị Thu Hà", "001185001234",
              "Email: ha.pham@example.vn", "Không thuộc thẩm quyền của UBND cấp xã", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
}

#[test]
fn a_withdrawal_gets_the_stop_notice_on_the_citizens_request_without_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = submit(&mut s, &request("1.001193", json!({}))).unwrap().code;
    lifecycle::apply(&mut s, &code, &Command::Withdraw { reason: String::new() }).unwrap();
    let t = pdf_text(&mut s, dir.path(), FormKind::Stop, &code, FormInput::default());
    for w in ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Theo đề nghị dừng giải quyết hồ sơ của Ông/Bà", &code] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    assert!(!t.contains("Lý do:"), "{t}");
    // the agency's own stop still needs and prints its reason
    let other = submit(&mut s, &request("1.001193", json!({}))).unwrap().code;
    let missing = produce(&mut s, &PrintRequest { kind: Some(FormKind::Stop), code: Some(other.clone()), out: Some(dir.path().join("y.pdf")), ..Default::default() }, &Refuse);
    assert!(missing.is_err());
    let t = pdf_text(&mut s, dir.path(), FormKind::Stop, &other, FormInput { reason: Some("Cơ quan có thẩm quyền đề nghị".into()), ..Default::default() });
    assert!(t.contains("Lý do: Cơ quan có thẩm quyền đề nghị") && !t.contains("Theo đề nghị dừng"), "{t}");
}

#[test]
fn the_receipt_says_a_provisional_code_in_words_and_names_the_representative_and_the_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    CounterSettings::set(&mut s, "unit_name", "Bộ phận Một cửa phường Ba Đình").unwrap();
    let d = submit(&mut s, &request("1.001193", json!({"representative": {"full_name": "Lê Văn Nam", "id_number": "001090001111"}}))).unwrap();
    let t = pdf_text(&mut s, dir.path(), FormKind::Receipt, &d.code, FormInput::default());
    for w in ["Trường hợp ủy quyền: người được ủy quyền nộp hồ sơ Lê Văn Nam", "001090001111", "BỘ PHẬN MỘT CỬA PHƯỜNG BA ĐÌNH", "Phí, lệ phí: Miễn lệ phí"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    assert_eq!(d.provisional, motcua_core::codes::is_provisional(&d.code));
    if !d.provisional {
        assert!(!t.contains("Mã hồ sơ TẠM"), "{t}");
    }
}

#[test]
fn a_receipt_with_a_provisional_code_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), std::sync::Arc::new(motcua_core::clock::FixedClock(motcua_core::clock::parse_local("2026-11-23T09:15").unwrap()))).unwrap();
    s.init(&motcua_core::store::InitParams {
        agency_code: "000.00.31.H26".into(),
        agency_name: "UBND phường Ba Đình".into(),
        agency_address: String::new(),
        counter_id: "Q09".into(),
        counter_name: "Quầy 9".into(),
        clerk_id: "CB09".into(),
        clerk_name: "Đỗ Minh Châu".into(),
        code_blocks: vec![], // no block: the code is provisional
    })
    .unwrap();
    let d = submit(&mut s, &request("1.001193", json!({}))).unwrap();
    assert!(d.provisional);
    let t = pdf_text(&mut s, dir.path(), FormKind::Receipt, &d.code, FormInput::default());
    assert!(t.contains("Mã hồ sơ TẠM") && t.contains("Cổng sẽ cấp mã chính thức"), "{t}");
}

#[test]
fn the_logbook_has_the_delivery_column_no_contacts_and_the_audit_anchor_in_a_footer() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let d = submit(&mut s, &request("1.001193", json!({}))).unwrap();
    let g = record(&mut s, &ContactRequest { kind: ContactKind::Guidance, request: request("1.001193", json!({"documents": []})), missing: None, reason: None }).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let out = dir.path().join("logbook.pdf");
    produce(&mut s, &PrintRequest { kind: Some(FormKind::Logbook), from: Some(day), to: Some(day), out: Some(out.clone()), ..Default::default() }, &Refuse).unwrap();
    let t = text_of(&out);
    for w in ["SỔ THEO DÕI HỒ SƠ", "(Theo từng lĩnh vực hoặc nhóm lĩnh vực)", "Phương", "thức nhận", "Nhận trực tiếp", &d.code, "Ngoài mẫu, do phần mềm Một Cửa ghi"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
    assert!(!t.contains(&g.code), "a guidance contact is not a dossier of the logbook:\n{t}");
    assert!(t.contains("— 1 hồ sơ"), "{t}");
}

/// Issue 15: an applicant whose card was read needs no photocopy of it; the receipt says so, names the
/// identity paper as read from the card, and prints the representative's relation and the request's subject.
#[test]
fn receipt_of_a_card_read_intake() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let card = "001185001234||PHẠM THỊ THU HÀ|12051985|Nữ|Số 5 ngõ 12 Đội Cấn, Phường Đội Cấn, Quận Ba Đình, Hà Nội|10082021";
    let d = submit(
        &mut s,
        &request(
            "1.001193",
            json!({ "card": { "text": card }, "subject": "Đăng ký khai sinh cho cháu Đặng Thị Bống",
                    "representative": { "full_name": "Lê Văn Cha", "id_number": "001085001234", "relation": "ông nội", "authorisation": "Giấy ủy quyền số 7" } }),
        ),
    )
    .unwrap();
    assert!(d.applicant.identity.card_read_at.is_some());
    assert!(d.documents.iter().any(|x| x.read_from_card), "the identity item is marked");
    let t = pdf_text(&mut s, dir.path(), FormKind::Receipt, &d.code, FormInput::default()).split_whitespace().collect::<Vec<_>>().join(" ");
    for w in ["đã đọc từ thẻ căn cước lúc", "không phải nộp bản sao", "đọc từ thẻ căn cước, không nộp bản sao", "quan hệ với người nộp: ông nội", "Đặng Thị Bống"] {
        assert!(t.contains(w), "{w:?} not in:\n{t}");
    }
}
