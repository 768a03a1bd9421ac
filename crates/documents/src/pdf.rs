//! One PDF per checklist item, built with lopdf: each page an A4 sheet (landscape for a landscape
//! image) carrying its image at the scan's true size (scaled down only when larger than the sheet),
//! the JPEG bytes embedded as they are (DCTDecode) or 1-bit rows (FlateDecode); the document info names
//! the dossier and the item. And the check of a citizen's PDF: it parses, it is not encrypted, it has
//! pages.
//!
//! The PDFs are written to PDF/A-2b (ISO 19005-2, level B, for long-term archiving): images in
//! CIE-based colour spaces (CalGray, CalRGB with sRGB's primaries) so no output intent is needed, an
//! XMP metadata stream that claims the part and level and repeats the document info exactly, a file
//! identifier, no encryption, no transparency, no fonts (image-only pages). UNCONFIRMED: no PDF/A
//! validator (veraPDF) runs on this machine; the tests check each of these requirements one by one.

use lopdf::{dictionary, Document, Object, Stream, StringFormat};
use sha2::Digest;
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

/// D65's white point (sRGB's), in CIE XYZ.
const WHITE_D65: [f32; 3] = [0.9505, 1.0, 1.089];

/// The image colour spaces: CIE-based, so a PDF/A file needs no output intent profile.
fn cal_gray() -> Object {
    Object::Array(vec![
        "CalGray".into(),
        Object::Dictionary(dictionary! { "WhitePoint" => WHITE_D65.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(), "Gamma" => Object::Real(2.2) }),
    ])
}

fn cal_rgb() -> Object {
    // sRGB's primaries (IEC 61966-2-1) in XYZ, columns R, G, B; a 2.2 gamma approximates its curve
    let matrix = [0.4124f32, 0.2126, 0.0193, 0.3576, 0.7152, 0.1192, 0.1805, 0.0722, 0.9505];
    Object::Array(vec![
        "CalRGB".into(),
        Object::Dictionary(dictionary! {
            "WhitePoint" => WHITE_D65.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
            "Gamma" => vec![Object::Real(2.2), Object::Real(2.2), Object::Real(2.2)],
            "Matrix" => matrix.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>(),
        }),
    ])
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The XMP packet of a PDF/A-2b file: the same facts as the document info, word for word.
fn xmp(title: &str, subject: &str, keywords: &str, created: Option<chrono::NaiveDateTime>) -> String {
    let created = created.map(|t| format!("\n   <xmp:CreateDate>{}</xmp:CreateDate>", t.format("%Y-%m-%dT%H:%M:%S+07:00"))).unwrap_or_default();
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>2</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt></dc:description>
   <pdf:Keywords>{}</pdf:Keywords>
   <pdf:Producer>{PRODUCER}</pdf:Producer>
   <xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>{created}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        xml_escape(title),
        xml_escape(subject),
        xml_escape(keywords),
        bom = '\u{feff}',
    )
}

const CREATOR: &str = "Một Cửa";
const PRODUCER: &str = "Một Cửa (lopdf)";

/// Builds the item's PDF from its pages.
pub fn build(pages: &[Page], info: &DocInfo) -> Result<Vec<u8>> {
    if pages.is_empty() {
        return Err(CoreError::invalid("Chưa có trang nào để lưu"));
    }
    if pages.len() > files::MAX_PAGES as usize {
        return Err(CoreError::validation("pages", format!("Quá {} trang cho một thành phần hồ sơ", files::MAX_PAGES)));
    }
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for p in pages {
        let (color, bits, filter) = match p.encoding {
            Encoding::JpegGray => (cal_gray(), 8, "DCTDecode"),
            Encoding::JpegColor => (cal_rgb(), 8, "DCTDecode"),
            Encoding::Bilevel => (cal_gray(), 1, "FlateDecode"),
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
        let (sw, sh) = if p.width > p.height { (A4_MM.1 * PT_PER_MM, A4_MM.0 * PT_PER_MM) } else { (A4_MM.0 * PT_PER_MM, A4_MM.1 * PT_PER_MM) };
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
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }));
    let subject = format!("Hồ sơ {}", info.dossier_code);
    let metadata = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(&info.title, &subject, &info.dossier_code, info.created).into_bytes(),
    )
    .with_compression(false);
    let metadata_id = doc.add_object(metadata);
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Metadata" => metadata_id });
    let mut info_dict = dictionary! {
        "Title" => text(&info.title),
        "Subject" => text(&subject),
        "Keywords" => text(&info.dossier_code),
        "Creator" => text(CREATOR),
        "Producer" => text(PRODUCER),
    };
    if let Some(t) = info.created {
        info_dict.set("CreationDate", Object::string_literal(t.format("D:%Y%m%d%H%M%S+07'00'").to_string()));
    }
    let info_id = doc.add_object(info_dict);
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    // the file identifier PDF/A asks for: from the content (the same pages and info, the same id)
    let mut h = sha2::Sha256::new();
    for p in pages {
        h.update((p.data.len() as u64).to_be_bytes());
        h.update(&p.data);
    }
    h.update(info.title.as_bytes());
    h.update(info.dossier_code.as_bytes());
    let id = h.finalize()[..16].to_vec();
    doc.trailer.set("ID", vec![Object::String(id.clone(), StringFormat::Hexadecimal), Object::String(id, StringFormat::Hexadecimal)]);
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| CoreError::Internal(format!("pdf: {e}")))?;
    Ok(out)
}

/// Checks a citizen's PDF: the page count, or the reason it cannot be taken, in words.
pub fn inspect(name: &str, bytes: &[u8]) -> Result<u32> {
    let shown = files::shown_name(name);
    if files::check_incoming(name, bytes)? != FileKind::Pdf {
        return Err(CoreError::validation("file", format!("Tệp \"{shown}\" không phải PDF")));
    }
    let locked = || CoreError::validation("file", format!("Tệp \"{shown}\" có mật khẩu (PDF được mã hóa): hãy nhờ công dân gửi bản không đặt mật khẩu"));
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
        return Err(CoreError::validation("file", format!("Tệp PDF \"{shown}\" không có trang nào")));
    }
    if pages > files::MAX_PAGES {
        return Err(CoreError::validation("file", format!("Tệp PDF \"{shown}\" có {pages} trang, quá {} trang cho một thành phần", files::MAX_PAGES)));
    }
    Ok(pages)
}
