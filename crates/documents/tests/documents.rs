//! Documents with real parts: SANE's test scanner, real JPEG/PNG/PDF files (tests/fixtures/documents),
//! poppler's pdfinfo/pdftoppm reading the PDFs made here, a real SQLite store and blob folder.
#![cfg(unix)] // SANE is the Linux scanner backend (docs/windows.md)

mod support;

use support::{fixture, scanned_text_page};
use std::process::Command;

use motcua_core::documents::{self, DocSlot, DocSource};
use motcua_devices::page_scan::{ScanMode, ScanSettings};
use motcua_devices::sane::{write_test_config, Sane};
use motcua_documents::{import_file, page, pdf, save_item, DocInfo, Imported, ItemContent, Page};

fn pdfinfo(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, bytes).unwrap();
    let out = Command::new("pdfinfo").arg(&p).output().expect("poppler-utils (scripts/setup.sh)");
    assert!(out.status.success(), "pdfinfo: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn two_scanned_pages_make_one_a4_pdf_named_for_the_dossier_and_item() {
    let cfg = tempfile::tempdir().unwrap();
    write_test_config(cfg.path(), "Default").unwrap();
    let sane = Sane::new("scanimage", Some(cfg.path().to_path_buf()));
    let mut pages = Vec::new();
    for _ in 0..2 {
        let (p, err) = motcua_documents::scan(&sane, Some("test:0"), &ScanSettings::default());
        assert!(err.is_none(), "{err:?}");
        pages.extend(p);
    }
    let info = DocInfo { title: "Tờ khai đăng ký khai sinh".into(), dossier_code: "000.00.31.H26-261130-0001".into(), created: None };
    let bytes = pdf::build(&pages, &info).unwrap();
    let text = pdfinfo(&bytes);
    assert!(text.contains("Pages:           2"), "{text}");
    assert!(text.contains("Title:           Tờ khai đăng ký khai sinh"), "{text}");
    assert!(text.contains("Subject:         Hồ sơ 000.00.31.H26-261130-0001"), "{text}");
    assert!(text.contains("595.276 x 841.89 pts (A4)") || text.contains("595.28 x 841.89 pts (A4)"), "{text}");
    assert_eq!(pdf::inspect("x.pdf", &bytes).unwrap(), 2);
}

#[test]
fn the_pdf_is_written_to_pdf_a_2b_with_metadata_equal_to_the_info() {
    let img = scanned_text_page();
    let pages: Vec<Page> = [ScanMode::Gray, ScanMode::Color, ScanMode::Lineart]
        .into_iter()
        .map(|m| page::encode(&img, m, 200).unwrap())
        .collect();
    let info = DocInfo {
        title: "Giấy tờ A & B <bản sao>".into(),
        dossier_code: "000.00.31.H26-261130-0002".into(),
        created: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_opt(9, 5, 0).unwrap()),
    };
    let bytes = pdf::build(&pages, &info).unwrap();
    // a binary comment right after the header (at least 4 bytes above 127)
    let second = bytes.split(|b| *b == b'\n').nth(1).unwrap();
    assert!(second.starts_with(b"%") && second.iter().filter(|b| **b > 127).count() >= 4);
    // no device colour space (they would need an output intent); CIE-based ones instead
    let raw = String::from_utf8_lossy(&bytes);
    assert!(!raw.contains("/DeviceGray") && !raw.contains("/DeviceRGB"), "device colour space left");
    assert!(raw.contains("/CalGray") && raw.contains("/CalRGB"));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2);
    assert_eq!(id[0].as_str().unwrap().len(), 16);
    assert!(doc.trailer.get(b"Encrypt").is_err());
    // the XMP packet claims PDF/A-2b and says what the info says, escaped
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("pdfinfo").arg("-meta").arg(&path).output().unwrap();
    let meta = String::from_utf8(out.stdout).unwrap();
    for want in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<rdf:li xml:lang=\"x-default\">Giấy tờ A &amp; B &lt;bản sao&gt;</rdf:li>",
        "<rdf:li xml:lang=\"x-default\">Hồ sơ 000.00.31.H26-261130-0002</rdf:li>",
        "<pdf:Keywords>000.00.31.H26-261130-0002</pdf:Keywords>",
        "<xmp:CreateDate>2026-11-30T09:05:00+07:00</xmp:CreateDate>",
        "<pdf:Producer>Một Cửa (lopdf)</pdf:Producer>",
        "<xmp:CreatorTool>Một Cửa</xmp:CreatorTool>",
    ] {
        assert!(meta.contains(want), "{want} missing from {meta}");
    }
    let info_text = pdfinfo(&bytes);
    assert!(info_text.contains("Title:           Giấy tờ A & B <bản sao>"), "{info_text}");
    assert!(info_text.contains("CreationDate:") && info_text.contains("Pages:           3"), "{info_text}");
    // a well-formed file that still renders with ink on each page
    let check = Command::new("qpdf").arg("--check").arg(&path).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let png = dir.path().join("p");
    let r = Command::new("pdftoppm").args(["-r", "20", "-gray"]).arg(&path).arg(&png).status().unwrap();
    assert!(r.success());
    for n in 1..=3 {
        let page = image::open(dir.path().join(format!("p-{n}.pgm"))).unwrap().to_luma8();
        let dark = page.pixels().filter(|p| p.0[0] < 160).count();
        assert!(dark > 50, "page {n} has no ink ({dark})");
    }
}

#[test]
fn a_200_dpi_gray_page_of_text_is_under_150_kb_and_still_reads() {
    let page = page::encode(&scanned_text_page(), ScanMode::Gray, 200).unwrap();
    let bytes = pdf::build(std::slice::from_ref(&page), &DocInfo { title: "Phiếu".into(), dossier_code: "X".into(), created: None }).unwrap();
    eprintln!("one 200 dpi gray page of text: {} bytes of PDF", bytes.len());
    assert!(bytes.len() < 150 * 1024, "{} bytes", bytes.len());
    // the PDF renders, and what it shows is the page (dark text where the page has text)
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.pdf");
    std::fs::write(&p, &bytes).unwrap();
    let st = Command::new("pdftoppm").args(["-gray", "-r", "50", "-png"]).arg(&p).arg(dir.path().join("r")).status().unwrap();
    assert!(st.success());
    let shown = image::open(dir.path().join("r-1.png")).unwrap().to_luma8();
    let dark = shown.pixels().filter(|p| p.0[0] < 100).count();
    assert!(dark > 500, "text visible: {dark} dark pixels");
}

#[test]
fn a_phone_photo_and_a_citizens_pdf_are_taken_and_bad_files_are_refused_in_words() {
    let photo = std::fs::read(fixture("phone-photo.jpg")).unwrap();
    let Imported::Page(p) = import_file("IMG_2024.jpg", &photo).unwrap() else { panic!("a photo is a page") };
    assert!(p.width <= 1654 && p.height <= 2339);
    let png = std::fs::read(fixture("text-page-200dpi.png")).unwrap();
    assert!(matches!(import_file("scan.png", &png).unwrap(), Imported::Page(_)));
    let citizen = std::fs::read(fixture("citizen.pdf")).unwrap();
    let Imported::Pdf { pages, bytes } = import_file("giay-to.pdf", &citizen).unwrap() else { panic!("a pdf stays a pdf") };
    assert_eq!((pages, bytes.len()), (1, citizen.len()));

    let locked = std::fs::read(fixture("citizen-password.pdf")).unwrap();
    let exe = {
        let mut b = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
        b.extend(vec![0u8; 4096]);
        b
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("rong.pdf", Vec::new(), "rỗng"),
        ("mat-khau.pdf", locked, "mật khẩu"),
        ("anh-cat.jpg", photo[..photo.len() / 2].to_vec(), "không trọn vẹn"),
        ("chuong-trinh.pdf", exe, "chương trình"),
        ("cut.pdf", citizen[..citizen.len() / 3].to_vec(), "không phải PDF hợp lệ"),
        ("fake.pdf", b"%PDF-1.7\nnot really a pdf".to_vec(), "không phải PDF hợp lệ"),
    ];
    for (name, bytes, words) in cases {
        let e = import_file(name, &bytes).err().unwrap_or_else(|| panic!("{name} accepted"));
        assert!(e.to_string().contains(words), "{name}: {e}");
        assert!(e.to_string().contains(name), "{name}: the message names the file: {e}");
    }
    // an iPhone photo (HEIC) goes through heif-convert and becomes a page like any photo
    let heic = std::fs::read(fixture("phone-photo.heic")).unwrap();
    let Imported::Page(h) = import_file("IMG_0001.HEIC", &heic).unwrap() else {
        panic!("a HEIC photo is a page")
    };
    assert!(h.width <= 1654 && h.height <= 2339 && h.width > 500 && h.height > h.width, "{}x{}", h.width, h.height);
    // ... a cut one is refused in words, and so is any HEIC where the converter is missing
    let e = import_file("IMG_0002.HEIC", &heic[..heic.len() / 2]).err().expect("a cut HEIC");
    assert!(e.to_string().contains("HEIC") && e.to_string().contains("IMG_0002.HEIC"), "{e}");
    // a file claiming a 60,000-pixel image is refused before the decoder allocates for it
    let mut bomb = heic.clone();
    let i = bomb.windows(4).position(|w| w == b"ispe").unwrap();
    bomb[i + 8..i + 12].copy_from_slice(&60_000u32.to_be_bytes());
    let e = import_file("IMG_BOMB.HEIC", &bomb).err().expect("a HEIC bomb");
    assert!(e.to_string().contains("quá lớn") && e.to_string().contains("60000"), "{e}");
    let e = motcua_documents::heic::to_jpeg_with(std::path::Path::new("/nonexistent/heif-convert"), "IMG_0003.HEIC", &heic).unwrap_err();
    assert!(e.to_string().contains("thiếu bộ đọc HEIC") && e.to_string().contains("JPEG"), "{e}");
    // a 200 MB file is refused from its size alone, before it is read
    let e = motcua_core::documents::files::check_size("phim.mp4", 200 * 1024 * 1024).unwrap_err();
    assert!(e.to_string().contains("quá lớn"), "{e}");
}

#[test]
fn an_item_saved_is_durable_in_the_store_and_attachable() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, d) = support::demo_with_dossier(dir.path());
    let item = d.documents[0].clone();
    let pages: Vec<Page> = (0..2).map(|_| page::encode(&scanned_text_page(), ScanMode::Gray, 200).unwrap()).collect();
    let info = DocInfo { title: item.name.clone(), dossier_code: d.code.clone(), created: None };
    let (doc, blob) = save_item(&store, DocSlot::Item { id: item.id.clone() }, &ItemContent::Pages(pages), DocSource::Scanner, &info).unwrap();
    assert!(documents::blobs_of(&store).verify(&blob.sha256, blob.size).is_ok());
    let after = documents::attach(&mut store, &d.code, &doc).unwrap();
    assert_eq!(after.progress.documents[0].document.pages, 2);
    assert_eq!(after.progress.documents[0].document.name, item.name);
}
