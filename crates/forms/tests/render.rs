//! Rendering tests on real PDFs: a real store (SQLite file), the real renderer, and the tools a person
//! would check a PDF with — pdftotext (every word back exactly), pdffonts (all embedded), qpdf --check,
//! pdftoppm + zbarimg (QR and Code 128 decode), pdfinfo (pages, size).

use std::path::{Path, PathBuf};
use std::process::Command;

use motcua_core::catalog::DEFAULT_CATALOG_JSON;
use motcua_core::intake::{submit, IntakeRequest};
use motcua_core::settings::CounterSettings;
use motcua_core::{ErrorCode, Store};
use motcua_forms::data::FormInput;
use motcua_forms::service::{produce, PrintRequest};
use motcua_forms::FormKind;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

const NAME: &str = "Lưu Thị Ỷ Ngọc Hưởng";
const ADDRESS: &str = "Xóm Ỷ La, thôn Đoài, ngõ 5 Nguyễn Trãi, phường Thượng Đình, thành phố Hà Nội (gần Trường Tiểu học Nhân Chính, đối diện chợ Ứng Hòa cũ)";

mod common;
use common::*;

/// An intake whose text arrives in NFD (decomposed), as some keyboards and scanners send it.
fn intake(s: &mut Store, procedure: &str, name: &str) -> String {
    let req: IntakeRequest = serde_json::from_value(json!({
        "procedure_code": procedure,
        "applicant": {
            "full_name": name.nfd().collect::<String>(),
            "id_type": "cccd", "id_number": "001185001234", "date_of_birth": "12/05/1985",
            "phone": "0987654321", "address": ADDRESS.nfd().collect::<String>(),
            "email": "huong.luu@example.vn"
        }
    }))
    .unwrap();
    submit(s, &req).unwrap().code
}

fn save(s: &mut Store, kind: FormKind, code: &str, input: FormInput, out: &Path) -> motcua_forms::service::PrintOutcome {
    let req = PrintRequest { kind: Some(kind), code: Some(code.into()), input, out: Some(out.to_path_buf()), send: false, ..Default::default() };
    produce(s, &req, &Refuse).unwrap()
}

fn out(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[test]
fn every_dossier_form_gives_back_every_word_exactly_with_fonts_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", NAME);
    let procedure = s.procedure("1.001193").unwrap().name.clone();
    let cases = [
        (FormKind::Receipt, FormInput::default(), vec!["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Liên 1", "Liên 2", "Số: 0001/TNHS", "Phí, lệ phí: Miễn lệ phí"]),
        (
            FormKind::Supplement,
            FormInput { missing: vec!["Giấy chứng sinh bản chính".nfd().collect(), "Văn bản ủy quyền có chứng thực".into()], reason: Some("Thiếu giấy tờ".into()), ..Default::default() },
            vec!["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Hồ sơ của:", "Mã hồ sơ (nếu có):", "1. Giấy chứng sinh bản chính", "2. Văn bản ủy quyền có chứng thực"],
        ),
        (FormKind::Refusal, FormInput { reason: Some("Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường".into()), ..Default::default() }, vec!["PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", "không thuộc thẩm quyền", "Hồ sơ của:", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Email: huong.luu@example.vn", "001185001234"]),
        (
            FormKind::Apology,
            FormInput { reason: Some("Cần xác minh thông tin hộ tịch".into()), new_due: Some("30/11/2026".into()), ..Default::default() },
            vec!["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ", "xin lỗi Ông/Bà", "17 giờ 00 phút, ngày 30 tháng 11 năm 2026", "có thể gây phiền hà, tốn kém về chi phí, công sức", "Mong nhận được sự thông cảm", "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "Số định danh cá nhân/CCCD / Căn cước: 001185001234", "(Ký, ghi rõ họ tên và đóng dấu)"],
        ),
        (FormKind::Stop, FormInput { reason: Some("Người yêu cầu rút hồ sơ".into()), ..Default::default() }, vec!["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Người yêu cầu rút hồ sơ"]),
        (FormKind::Control, FormInput { department: Some("Công chức Tư pháp - Hộ tịch".into()), ..Default::default() }, vec!["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "TÊN CƠ QUAN", "1. Giao: Trung tâm Phục vụ hành chính công", "Ngày nhận hồ sơ:", "bên nhận hồ sơ ghi kết quả giải quyết", "Cơ quan (bộ phận) giải quyết hồ sơ: Công chức Tư pháp - Hộ tịch"]),
    ];
    for (kind, input, expected) in cases {
        let pdf = out(dir.path(), &format!("{}.pdf", kind.as_str()));
        save(&mut s, kind, &code, input, &pdf);
        assert_clean_pdf(&pdf);
        let text = text_of(&pdf);
        let mut words: Vec<&str> = vec![NAME, &code, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Ba Đình, ngày 23 tháng 11 năm 2026"];
        if kind != FormKind::Control {
            words.push(&procedure);
        }
        if matches!(kind, FormKind::Receipt | FormKind::Supplement | FormKind::Refusal) {
            words.push(ADDRESS);
        }
        words.extend(expected.iter().copied());
        for w in words {
            assert!(text.contains(w), "{}: {w:?} not found in:\n{text}", kind.as_str());
        }
        let number = format!("Mẫu số 0{}", FormKind::ALL.iter().position(|k| *k == kind).unwrap() + 1);
        assert!(text.contains(&number), "{}: {number} missing", kind.as_str());
    }
}

fn decode(pdf: &Path, page: u32) -> Vec<String> {
    let prefix = pdf.with_extension("");
    tool("pdftoppm", &["-r", "300", "-gray", "-png", "-f", &page.to_string(), "-l", &page.to_string(), "-singlefile", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let png = prefix.with_extension("png");
    let out = Command::new("zbarimg").args(["-q", png.to_str().unwrap()]).output().expect("zbarimg (zbar-tools)");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn receipt_qr_and_barcode_decode_on_a5_and_a4() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", NAME);
    for paper in ["A5", "A4"] {
        CounterSettings::set(&mut s, "receipt_paper", paper).unwrap();
        let pdf = out(dir.path(), &format!("receipt-{paper}.pdf"));
        save(&mut s, FormKind::Receipt, &code, FormInput::default(), &pdf);
        let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
        let size = if paper == "A5" { "419.528 x 595.276" } else { "595.276 x 841.89" };
        assert!(info.contains(size), "{paper}: {info}");
        let symbols = decode(&pdf, 1);
        assert!(symbols.contains(&format!("CODE-128:{code}")), "{paper}: {symbols:?}");
        assert!(symbols.contains(&format!("QR-Code:https://dichvucong.hanoi.gov.vn/tra-cuu-ho-so?ma={code}")), "{paper}: {symbols:?}");
    }
}

#[test]
fn receipt_copies_and_reprints_are_marked_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", "Trần Văn Bình");
    CounterSettings::set(&mut s, "receipt_paper", "A4").unwrap();
    let first = out(dir.path(), "first.pdf");
    let o1 = save(&mut s, FormKind::Receipt, &code, FormInput::default(), &first);
    assert!(!o1.reprint);
    let t1 = text_of(&first);
    assert!(t1.contains("(Liên 1: giao người nộp hồ sơ)") && t1.contains("(Liên 2: lưu tại Trung tâm Phục vụ hành chính công)"), "{t1}");
    assert!(!t1.contains("BẢN IN LẠI"));
    assert_eq!(pages_of(&first), 2, "one A4 page per copy");

    let again = out(dir.path(), "again.pdf");
    let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some(code.clone()), copies: Some(1), out: Some(again.clone()), ..Default::default() };
    let o2 = produce(&mut s, &req, &Refuse).unwrap();
    assert!(o2.reprint);
    let t2 = text_of(&again);
    assert!(t2.contains("BẢN IN LẠI lần 2 – 09:15 23/11/2026"), "{t2}");
    assert_eq!(pages_of(&again), 1);
    let log = s.prints_of(&code).unwrap();
    assert_eq!(log.iter().map(|e| (e.reprint, e.outcome.as_str())).collect::<Vec<_>>(), [(false, "saved"), (true, "saved")]);
}

#[test]
fn a_forty_document_checklist_flows_onto_a_second_page_with_every_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let mut catalog: serde_json::Value = serde_json::from_str(DEFAULT_CATALOG_JSON).unwrap();
    let mut long = catalog["procedures"][0].clone();
    long["code"] = json!("9.999999");
    long["name"] = json!("Thủ tục thử nghiệm có bốn mươi thành phần hồ sơ, tên dài để kiểm tra việc xuống dòng");
    long["documents"] = json!((1..=40)
        .map(|i| json!({"id": format!("gt-{i}"), "name": format!("Giấy tờ số {i}: bản khai chi tiết về nhân thân, nơi cư trú và quá trình công tác"), "form": "copy", "count": 1, "mandatory": true}))
        .collect::<Vec<_>>());
    catalog["procedures"].as_array_mut().unwrap().push(long);
    s.import_catalog(&catalog.to_string()).unwrap();
    let code = intake(&mut s, "9.999999", NAME);
    for paper in ["A4", "A5"] {
        CounterSettings::set(&mut s, "receipt_paper", paper).unwrap();
        let pdf = out(dir.path(), &format!("long-{paper}.pdf"));
        let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some(code.clone()), copies: Some(1), out: Some(pdf.clone()), ..Default::default() };
        let o = produce(&mut s, &req, &Refuse).unwrap();
        let text = text_of(&pdf);
        for i in 1..=40 {
            let item = format!("{i}) Giấy tờ số {i}: bản khai chi tiết về nhân thân, nơi cư trú và quá trình công tác (Bản sao: 1)");
            assert!(text.contains(&item), "{paper}: item {i} missing");
        }
        assert!(o.pages >= 2 && o.pages <= 6, "{paper}: {} pages", o.pages);
        assert!(text.contains(&format!("Trang 1/{}", o.pages)) && text.contains(&format!("Trang {}/{}", o.pages, o.pages)), "{paper}: page numbers");
        // The signature block is kept whole on the last page.
        assert!(text.contains("NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên)"), "{paper}");
        assert_clean_pdf(&pdf);
    }
}

#[test]
fn a_long_logbook_repeats_its_header_and_numbers_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let names = ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Phạm Quốc Việt", "Đoàn Thị Ỷ Lan", "Hoàng Đức Thưởng"];
    let codes: Vec<String> = (0..260).map(|i| intake(&mut s, "1.001193", names[i % names.len()])).collect();
    let pdf = out(dir.path(), "logbook.pdf");
    let req = PrintRequest {
        kind: Some(FormKind::Logbook),
        from: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
        to: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
        out: Some(pdf.clone()),
        ..Default::default()
    };
    let o = produce(&mut s, &req, &Refuse).unwrap();
    let pages = pages_of(&pdf);
    assert_eq!(o.pages, pages);
    assert!(pages >= 5, "260 rows on {pages} pages");
    let text = text_of(&pdf);
    assert_eq!(text.matches("Tên thủ tục hành chính").count() as u32, pages, "header on every page");
    assert!(text.contains(&format!("Trang {pages}/{pages}")));
    assert!(text.contains("SỔ THEO DÕI HỒ SƠ") && text.contains("Từ ngày 01/11/2026 đến ngày 30/11/2026 — 260 hồ sơ"));
    for c in [&codes[0], &codes[130], &codes[259]] {
        assert!(text.contains(c.as_str()), "{c} missing");
    }
    assert!(tool("pdfinfo", &[pdf.to_str().unwrap()]).contains("841.89 x 595.276"), "landscape A4");
    assert_clean_pdf(&pdf);
}

#[test]
fn missing_particulars_are_refused_and_nothing_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", NAME);
    let bad = [
        (FormKind::Refusal, FormInput::default(), "reason"),
        (FormKind::Stop, FormInput { reason: Some("   ".into()), ..Default::default() }, "reason"),
        (FormKind::Apology, FormInput { reason: Some("Chậm".into()), ..Default::default() }, "new_due"),
        (FormKind::Apology, FormInput { reason: Some("Chậm".into()), new_due: Some("20/11/2026".into()), ..Default::default() }, "new_due"),
        (FormKind::Apology, FormInput { reason: Some("Chậm".into()), new_due: Some("31/02/2027".into()), ..Default::default() }, "new_due"),
    ];
    for (kind, input, field) in bad {
        let req = PrintRequest { kind: Some(kind), code: Some(code.clone()), input, out: Some(out(dir.path(), "x.pdf")), ..Default::default() };
        let err: motcua_core::AppError = produce(&mut s, &req, &Refuse).unwrap_err().into();
        assert_eq!((err.code, err.field.as_deref()), (ErrorCode::Validation, Some(field)), "{}: {}", kind.as_str(), err.message);
    }
    let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some("000.00.31.H26-261123-9999".into()), send: false, ..Default::default() };
    let err: motcua_core::AppError = produce(&mut s, &req, &Refuse).unwrap_err().into();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(s.prints_of(&code).unwrap().is_empty());
    assert!(!out(dir.path(), "x.pdf").exists());
}

#[test]
fn a_printer_failure_keeps_the_pdf_and_logs_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", NAME);
    let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some(code.clone()), printer: Some("Khong-Co-May-In-Nay".into()), send: true, ..Default::default() };
    let o = produce(&mut s, &req, motcua_forms::print::system().as_ref()).unwrap();
    assert!(!o.printed);
    let err = o.error.expect("a printer error");
    assert_eq!(err.code, ErrorCode::Printer);
    assert!(err.message.contains("Khong-Co-May-In-Nay") || err.message.contains("CUPS"), "{}", err.message);
    assert!(Path::new(&o.pdf_path).exists(), "the PDF is saved under the data dir for 'open PDF'");
    assert!(o.pdf_path.starts_with(dir.path().to_str().unwrap()));
    let log = s.prints_of(&code).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, "failed");
    // The dossier is untouched by the failed print.
    assert_eq!(s.dossier_by_code(&code).unwrap().applicant.full_name, NAME);
}

#[test]
fn saved_pdfs_older_than_the_limit_are_pruned_and_recent_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let code = intake(&mut s, "1.001193", NAME);
    let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some(code.clone()), ..Default::default() };
    let old = produce(&mut s, &req, &Refuse).unwrap().pdf_path;
    let recent = produce(&mut s, &req, &Refuse).unwrap().pdf_path;
    tool("touch", &["-d", "100 days ago", &old]);
    assert_eq!(motcua_forms::service::prune_saved_pdfs(&s, 90), 1);
    assert!(!Path::new(&old).exists() && Path::new(&recent).exists());
    // The print log still has both prints.
    assert_eq!(s.prints_of(&code).unwrap().len(), 2);
}
