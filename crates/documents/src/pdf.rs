//! One PDF per checklist item, built with lopdf: each page an A4 sheet (landscape for a landscape
//! image) carrying its image at the scan's true size (scaled down only when larger than the sheet),
//! the JPEG bytes embedded as they are (DCTDecode) or 1-bit rows (FlateDecode); the document info names
//! the dossier and the item. And the check of a citizen's PDF: it parses, it is not encrypted, it has
//! pages.

use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use motcua_core::documents::files::{self, FileKind};
use motcua_core::error::{CoreError, Result};

use crate::page::{Encoding, Page, A4_MM};

const PT_PER_MM: f64 = 72.0 / 25.4;

/// What the document info says.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    /// The checklist item's (or result's) name: the PDF's title.
    pub title: String,
    /// The dossier's code: the PDF's subject.
    pub dossier_code: String,
    /// Local time, for CreationDate (`D:YYYYMMDDHHmmSS+07'00'`).
    pub created: Option<chrono::NaiveDateTime>,
}

/// A PDF text string: UTF-16BE with its byte-order mark (Vietnamese letters are not in PDFDocEncoding).
fn text(s: &str) -> Object {
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend(u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

/// Builds the item's PDF from its pages.
pub fn build(pages: &[Page], info: &DocInfo) -> Result<Vec<u8>> {
    if pages.is_empty() {
        return Err(CoreError::invalid("Chưa có trang nào để lưu"));
    }
    if pages.len() > files::MAX_PAGES as usize {
        return Err(CoreError::validation(
            "pages",
            format!("Quá {} trang cho một thành phần hồ sơ", files::MAX_PAGES),
        ));
    }
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for p in pages {
        let (color, bits, filter) = match p.encoding {
            Encoding::JpegGray => ("DeviceGray", 8, "DCTDecode"),
            Encoding::JpegColor => ("DeviceRGB", 8, "DCTDecode"),
            Encoding::Bilevel => ("DeviceGray", 1, "FlateDecode"),
        };
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image",
                "Width" => p.width as i64, "Height" => p.height as i64,
                "ColorSpace" => color, "BitsPerComponent" => bits, "Filter" => filter,
            },
            p.data.clone(),
        )
        .with_compression(false);
        let image_id = doc.add_object(image);
        // the sheet: A4, turned for a landscape image
        let (sw, sh) = if p.width > p.height {
            (A4_MM.1 * PT_PER_MM, A4_MM.0 * PT_PER_MM)
        } else {
            (A4_MM.0 * PT_PER_MM, A4_MM.1 * PT_PER_MM)
        };
        // the image's true size, scaled down to fit when larger; placed at the sheet's top left
        // (where a flatbed's origin is)
        let dpi = p.dpi.max(1) as f64;
        let (mut w, mut h) = (p.width as f64 / dpi * 72.0, p.height as f64 / dpi * 72.0);
        let k = (sw / w).min(sh / h).min(1.0);
        w *= k;
        h *= k;
        let content = format!("q {w:.3} 0 0 {h:.3} 0 {:.3} cm /Im0 Do Q", sh - h);
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(sw as f32), Object::Real(sh as f32)],
            "Contents" => content_id,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let mut info_dict = dictionary! {
        "Title" => text(&info.title),
        "Subject" => text(&format!("Hồ sơ {}", info.dossier_code)),
        "Keywords" => text(&info.dossier_code),
        "Creator" => text("Một Cửa"),
        "Producer" => text("Một Cửa (lopdf)"),
    };
    if let Some(t) = info.created {
        info_dict.set(
            "CreationDate",
            Object::string_literal(t.format("D:%Y%m%d%H%M%S+07'00'").to_string()),
        );
    }
    let info_id = doc.add_object(info_dict);
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| CoreError::Internal(format!("pdf: {e}")))?;
    Ok(out)
}

/// Checks a citizen's PDF: the page count, or the reason it cannot be taken, in words.
pub fn inspect(name: &str, bytes: &[u8]) -> Result<u32> {
    let shown = files::shown_name(name);
    if files::check_incoming(name, bytes)? != FileKind::Pdf {
        return Err(CoreError::validation(
            "file",
            format!("Tệp \"{shown}\" không phải PDF"),
        ));
    }
    let locked = || {
        CoreError::validation("file", format!("Tệp \"{shown}\" có mật khẩu (PDF được mã hóa): hãy nhờ công dân gửi bản không đặt mật khẩu"))
    };
    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) | Err(lopdf::Error::AlreadyEncrypted) => return Err(locked()),
        Err(_) => {
            return Err(CoreError::validation("file", format!("Tệp \"{shown}\" không phải PDF hợp lệ (bị hỏng hoặc chưa tải về hết): hãy chép hoặc gửi lại tệp")))
        }
    };
    if doc.is_encrypted() || doc.encryption_state.is_some() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(locked());
    }
    let pages = doc.get_pages().len() as u32;
    if pages == 0 {
        return Err(CoreError::validation(
            "file",
            format!("Tệp PDF \"{shown}\" không có trang nào"),
        ));
    }
    if pages > files::MAX_PAGES {
        return Err(CoreError::validation(
            "file",
            format!(
                "Tệp PDF \"{shown}\" có {pages} trang, quá {} trang cho một thành phần",
                files::MAX_PAGES
            ),
        ));
    }
    Ok(pages)
}
