//! The text limits and the printable rule (motcua_core::limits) against the real renderer (issue 12,
//! finding 11): every character the core lets through has a glyph in the embedded fonts; Vietnamese
//! names with every tone come back exactly from pdftotext, other scripts are refused at intake; and
//! the longest values the limits allow keep each form to a few pages (a 1 MB e-mail once made a
//! 586-page receipt).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use motcua_core::clock::{parse_local, FixedClock};
use motcua_core::intake::{submit, IntakeRequest};
use motcua_core::limits;
use motcua_core::settings::CounterSettings;
use motcua_core::{CoreError, Store};
use motcua_forms::data::FormInput;
use motcua_forms::fonts::{Fonts, Style};
use motcua_forms::print::{JobTicket, PrintBackend, PrintJob, PrinterInfo};
use motcua_forms::service::{produce, PrintRequest};
use motcua_forms::FormKind;
use serde_json::json;

fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd} not runnable ({e}); scripts/setup.sh installs it"));
    assert!(out.status.success(), "{cmd} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn text_of(pdf: &Path) -> String {
    tool("pdftotext", &[pdf.to_str().unwrap(), "-"]).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages_of(pdf: &Path) -> u32 {
    tool("pdfinfo", &[pdf.to_str().unwrap()]).lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

struct Refuse;
impl PrintBackend for Refuse {
    fn printers(&self) -> motcua_forms::Result<Vec<PrinterInfo>> {
        Ok(vec![])
    }
    fn submit(&self, _: &Path, _: &PrintJob) -> motcua_forms::Result<JobTicket> {
        unreachable!("these tests only save PDFs")
    }
}

fn store(dir: &Path) -> Store {
    let mut s = Store::open_dir(dir, Arc::new(FixedClock(parse_local("2026-11-23T09:15").unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    s
}

fn request(name: &str) -> serde_json::Value {
    json!({"procedure_code": "1.001193",
           "applicant": {"full_name": name, "id_type": "cccd", "id_number": "001185001234", "date_of_birth": "12/05/1985",
                         "phone": "0987654321", "address": "Số 25 phố Liễu Giai, phường Ba Đình, Hà Nội"}})
}

fn save(s: &mut Store, kind: FormKind, code: &str, input: FormInput, out: &Path) {
    let req = PrintRequest { kind: Some(kind), code: Some(code.into()), input, out: Some(out.to_path_buf()), send: false, ..Default::default() };
    produce(s, &req, &Refuse).unwrap();
}

#[test]
fn every_character_the_core_accepts_has_a_glyph_in_every_style() {
    let fonts = Fonts::get();
    let accepted: Vec<char> = (0u32..0x3000).filter_map(char::from_u32).filter(|c| limits::printable(*c)).collect();
    assert!(accepted.len() > 400);
    for style in [Style::Regular, Style::Bold, Style::Italic] {
        let missing: String = accepted.iter().filter(|c| !fonts.face(style).has_glyph(**c)).collect();
        assert!(missing.is_empty(), "{style:?} cannot print {missing:?}, which the core accepts");
    }
}

#[test]
fn vietnamese_names_print_back_exactly_and_other_scripts_are_refused_at_intake() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    for (i, name) in ["Nguyễn Thị Ngọc Ánh", "Đặng Hữu Phước", "Ưng Ỷ", "Lương Thế Vinh Ỹ Ẵ Ợ Ữ"].iter().enumerate() {
        let req: IntakeRequest = serde_json::from_value(request(name)).unwrap();
        let code = submit(&mut s, &req).unwrap().code;
        let pdf = dir.path().join(format!("r{i}.pdf"));
        save(&mut s, FormKind::Receipt, &code, FormInput::default(), &pdf);
        let text = text_of(&pdf);
        assert!(text.contains(name), "{name:?} not printed back:\n{text}");
        assert!(!text.contains('?'), "a character printed as '?':\n{text}");
    }
    for name in ["محمد عبد الله", "王小明", "Nguyễn 😀", "Иван Петров"] {
        let req: IntakeRequest = serde_json::from_value(request(name)).unwrap();
        match submit(&mut s, &req).unwrap_err() {
            CoreError::Validation { field, message } => {
                assert_eq!(field.as_deref(), Some("applicant.full_name"));
                assert!(message.contains("không in được"), "{message}");
            }
            e => panic!("{name}: {e:?}"),
        }
    }
    // what a clerk types on a form is held to the same rule
    let code = s.dossiers_received_between(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
        .unwrap()[0]
        .code
        .clone();
    let req = PrintRequest {
        kind: Some(FormKind::Refusal),
        code: Some(code),
        input: FormInput { reason: Some("x".repeat(limits::REASON + 1)), ..Default::default() },
        out: Some(dir.path().join("no.pdf")),
        send: false,
        ..Default::default()
    };
    assert!(produce(&mut s, &req, &Refuse).is_err());
    assert!(!dir.path().join("no.pdf").exists());
}

/// `n` characters of Vietnamese words (wrapping like real text), cut at exactly `n`.
fn words(n: usize) -> String {
    let w = "Nguyễn Thị Ngọc Ánh Đặng Hữu Phước Trường Tiểu học Nhân Chính đối diện chợ Ứng Hòa ";
    w.repeat(n / w.chars().count() + 1).chars().take(n).collect::<String>().trim_end().to_string() + "z"
}

#[test]
fn the_longest_allowed_values_keep_every_form_to_a_few_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    let mut req = request(&words(limits::NAME - 1));
    req["applicant"]["address"] = json!(words(limits::ADDRESS - 1));
    req["applicant"]["email"] = json!(format!("{}@example.vn", "a".repeat(limits::EMAIL - 11)));
    req["note"] = json!(words(limits::NOTE - 1));
    req["delivery"] = json!({"kind": "post", "address": words(limits::ADDRESS - 1)});
    let req: IntakeRequest = serde_json::from_value(req).unwrap();
    let d = submit(&mut s, &req).unwrap();
    assert!(d.applicant.full_name.chars().count() >= limits::NAME - 2);
    assert!(d.note.as_ref().unwrap().chars().count() >= limits::NOTE - 2);
    let reason = Some(words(limits::REASON - 1));
    let missing: Vec<String> = (0..limits::MISSING_ITEMS).map(|_| words(limits::MISSING_ITEM - 1)).collect();
    for paper in ["A5", "A4"] {
        CounterSettings::set(&mut s, "receipt_paper", paper).unwrap();
        let pdf = dir.path().join(format!("receipt-{paper}.pdf"));
        save(&mut s, FormKind::Receipt, &d.code, FormInput::default(), &pdf);
        // two copies ("liên"), at most two pages each
        let pages = pages_of(&pdf);
        assert!(pages <= 4, "{paper} receipt: {pages} pages");
        assert!(text_of(&pdf).contains(&words(40)[..20]));
    }
    let cases = [
        (FormKind::Refusal, FormInput { reason: reason.clone(), ..Default::default() }, 2),
        (FormKind::Stop, FormInput { reason: reason.clone(), ..Default::default() }, 2),
        (FormKind::Apology, FormInput { reason: reason.clone(), new_due: Some("30/12/2026".into()), ..Default::default() }, 2),
        (FormKind::Supplement, FormInput { missing, reason, ..Default::default() }, 4),
    ];
    for (kind, input, bound) in cases {
        let pdf = dir.path().join(format!("{}.pdf", kind.as_str()));
        save(&mut s, kind, &d.code, input, &pdf);
        let pages = pages_of(&pdf);
        assert!(pages <= bound, "{}: {pages} pages (bound {bound})", kind.as_str());
    }
}
