//! The printer's test page (first-run set-up, settings): the header as the forms will print it,
//! Vietnamese text in the embedded fonts, and the QR and Code 128 of a receipt, so that the clerk
//! sees on paper that the queue, the fonts and the scanner all work before the first citizen.
//! Its template is `assets/forms/test-page.json` (not a form of the circular).

use serde::Serialize;

use crate::error::{FormsError, Result};
use crate::layout::{render_extra, RenderOptions, Rendered};
use crate::print::{PrintBackend, PrintJob};
use crate::template::{FormTemplate, TemplateSet};

const TEMPLATE_JSON: &str = include_str!("../../../assets/forms/test-page.json");

/// Whose test page it is.
#[derive(Debug, Clone, Default)]
pub struct TestPageInfo {
    pub parent_line: String,
    pub agency_name: String,
    pub centre_name: String,
    pub place_name: String,
    pub counter: String,
    /// The queue; empty = the system default.
    pub printer: String,
    pub at: chrono::NaiveDateTime,
}

#[derive(Serialize)]
struct Header {
    parent: String,
    agency_upper: String,
    unit_upper: String,
    place_date: String,
}

#[derive(Serialize)]
struct Dossier {
    code: String,
}

#[derive(Serialize)]
struct Data {
    header: Header,
    printer: String,
    printed_at: String,
    counter: String,
    sample: &'static str,
    sample_upper: String,
    dossier: Dossier,
    lookup_url: String,
}

const SAMPLE: &str = "Đặng Hữu Phước, Nguyễn Thị Ánh Tuyết — phường Ba Đình, xã Ứng Hòa; ỹ ỵ ữ ặ ẫ ở ẻ.";

fn template() -> Result<FormTemplate> {
    serde_json::from_str(TEMPLATE_JSON).map_err(|e| FormsError::Template(format!("test page: {e}")))
}

/// The test page of the first-run set-up: the names saved in its draft, on `printer` (checked).
pub fn for_setup(store: &motcua_core::Store, printer: &str) -> Result<TestPageInfo> {
    let printer = motcua_core::setup::check_printer(printer)?;
    let st = motcua_core::setup::state(store)?;
    // before any account exists anyone at the machine sets it up; after that, printing is a right
    if st.stage != motcua_core::setup::SetupStage::Draft {
        store.require(motcua_core::accounts::Right::Print)?;
    }
    let d = st.draft;
    Ok(TestPageInfo {
        parent_line: d.parent_line,
        agency_name: d.agency_name,
        centre_name: d.centre_name,
        place_name: d.place_name,
        counter: d.counter_name,
        printer,
        at: store.clock().now(),
    })
}

/// The test page as PDF bytes.
pub fn render(info: &TestPageInfo) -> Result<Rendered> {
    let data = Data {
        header: Header {
            parent: info.parent_line.to_uppercase(),
            agency_upper: info.agency_name.to_uppercase(),
            unit_upper: info.centre_name.to_uppercase(),
            place_date: format!("{}, {}", info.place_name, motcua_core::dates::format_decree30_date(info.at.date())),
        },
        printer: if info.printer.is_empty() { "máy in mặc định của hệ thống".into() } else { info.printer.clone() },
        printed_at: motcua_core::dates::format_decree30_datetime(info.at),
        counter: info.counter.clone(),
        sample: SAMPLE,
        sample_upper: SAMPLE.to_uppercase(),
        dossier: Dossier { code: "000.00.00.H00-000000-0000".into() },
        lookup_url: "https://dichvucong.gov.vn/".into(),
    };
    let json = serde_json::to_value(&data).map_err(|e| FormsError::Template(e.to_string()))?;
    let opts = RenderOptions { receipt_paper: motcua_core::settings::Paper::A4, copies: 1, reprint_mark: None, compress: true };
    render_extra(TemplateSet::default_set(), &template()?, &json, &opts)
}

/// Renders the test page into `dir` and sends it to the printer; returns the printer's answer (the
/// queue and job) or its error in the clerk's words.
pub fn print(info: &TestPageInfo, dir: &std::path::Path, backend: &dyn PrintBackend) -> Result<crate::print::JobTicket> {
    let rendered = render(info)?;
    std::fs::create_dir_all(dir).map_err(|source| FormsError::Io { path: dir.display().to_string(), source })?;
    let path = dir.join("trang-in-thu.pdf");
    std::fs::write(&path, &rendered.pdf).map_err(|source| FormsError::Io { path: path.display().to_string(), source })?;
    let job = PrintJob { printer: (!info.printer.is_empty()).then_some(info.printer.as_str()), copies: 1, media: "A4", landscape: false, title: "Trang in thử" };
    backend.submit(&path, &job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_page_carries_the_names_the_vietnamese_sample_and_both_codes() {
        let info = TestPageInfo {
            parent_line: "UBND thành phố Hà Nội".into(),
            agency_name: "UBND phường Ba Đình".into(),
            centre_name: "Trung tâm Phục vụ hành chính công".into(),
            place_name: "Ba Đình".into(),
            counter: "Quầy 02".into(),
            printer: "Quay02".into(),
            at: motcua_core::clock::parse_local("2026-11-30T08:00").unwrap(),
        };
        let r = render(&info).unwrap();
        assert_eq!(r.pages, 1);
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("t.pdf");
        std::fs::write(&pdf, &r.pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
        let text = String::from_utf8_lossy(&out.stdout);
        for want in ["TRANG IN THỬ", "UBND PHƯỜNG BA ĐÌNH", "Quay02", "Đặng Hữu Phước", "Quầy 02", "000.00.00.H00-000000-0000"] {
            assert!(text.contains(want), "{want} missing in {text}");
        }
    }
}
