//! What a file brought by a citizen is, decided from its first bytes — never from its name (an
//! executable renamed `.pdf` is still an executable) — and the limits every document file meets
//! before any work is done on it. The image and PDF work itself is in `motcua-documents`.

use crate::error::{CoreError, Result};

/// A file larger than this is refused before it is read further (a 50-page dossier scanned at 200 dpi
/// is about 7 MB; phones' photos are 3–8 MB each).
pub const MAX_FILE_BYTES: u64 = 40 * 1024 * 1024;
/// At most this many pages in one checklist item's PDF.
pub const MAX_PAGES: u32 = 300;
/// A page image larger than this many pixels (either side) is refused as not a page (a decompression
/// bomb); 600 dpi A3 is 7016 px.
pub const MAX_PIXELS_SIDE: u32 = 12_000;
/// A document's name as shown (the checklist item or the result's description).
pub const NAME: usize = 300;

/// The kinds a file can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// A phone's HEIC/HEIF photo (not decoded here: see docs/documents.md).
    Heic,
    /// A program (Windows PE, ELF, Mach-O, a script) whatever its name says.
    Executable,
    /// A ZIP-based office file or archive (DOCX, XLSX, ZIP).
    Archive,
    Unknown,
}

/// Decides a file's kind from its first bytes.
pub fn sniff(bytes: &[u8]) -> FileKind {
    let b = bytes;
    if b.starts_with(b"%PDF-") {
        FileKind::Pdf
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileKind::Jpeg
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        FileKind::Png
    } else if b.len() >= 12 && &b[4..8] == b"ftyp" && matches!(&b[8..12], b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"hevc") {
        FileKind::Heic
    } else if b.starts_with(b"MZ")
        || b.starts_with(&[0x7F, b'E', b'L', b'F'])
        || b.starts_with(&[0xCF, 0xFA, 0xED, 0xFE])
        || b.starts_with(&[0xCA, 0xFE, 0xBA, 0xBE])
        || b.starts_with(b"#!")
    {
        FileKind::Executable
    } else if b.starts_with(b"PK\x03\x04") {
        FileKind::Archive
    } else {
        FileKind::Unknown
    }
}

/// A file's name as it may appear in a message: its last path part, control characters dropped,
/// at most 80 characters.
pub fn shown_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(80).collect();
    if clean.is_empty() {
        "(không tên)".into()
    } else {
        clean
    }
}

/// Why an iPhone photo (HEIC) was not taken: this machine has no HEIC reader (`heif-convert`, Debian's
/// libheif-examples), or the file did not decode. The way out is the same either way.
pub fn heic_unreadable(name: &str, why: &str) -> CoreError {
    CoreError::validation(
        "file",
        format!(
            "Ảnh \"{}\" ở dạng HEIC (iPhone) {why}: hãy nhờ công dân gửi lại ảnh dạng JPEG (Cài đặt → Camera → Định dạng → Tương thích nhất) hoặc chụp lại bằng máy quét",
            shown_name(name)
        ),
    )
}

/// Checks a file's size and kind before anything is done with it: the kind, or the reason it cannot
/// be taken, in words a clerk can repeat to the citizen.
pub fn check_incoming(name: &str, bytes: &[u8]) -> Result<FileKind> {
    let shown = shown_name(name);
    if bytes.is_empty() {
        return Err(CoreError::validation("file", format!("Tệp \"{shown}\" rỗng (0 byte): hãy chép lại tệp từ máy của công dân")));
    }
    check_size(&shown, bytes.len() as u64)?;
    match sniff(bytes) {
        k @ (FileKind::Pdf | FileKind::Jpeg | FileKind::Png | FileKind::Heic) => Ok(k),
        FileKind::Executable => Err(CoreError::validation(
            "file",
            format!("Tệp \"{shown}\" là một chương trình, không phải tài liệu (dù tên của nó là gì): không nhận tệp này"),
        )),
        FileKind::Archive => Err(CoreError::validation(
            "file",
            format!("Tệp \"{shown}\" là tệp nén hoặc văn bản Word/Excel: hãy nhận bản PDF hoặc ảnh chụp của giấy tờ"),
        )),
        FileKind::Unknown => Err(CoreError::validation("file", format!("Tệp \"{shown}\" không phải PDF, ảnh JPEG hay PNG: không nhận được"))),
    }
}

/// Refuses a file over `MAX_FILE_BYTES` (before reading it, where the size is known first).
pub fn check_size(shown: &str, size: u64) -> Result<()> {
    if size > MAX_FILE_BYTES {
        return Err(CoreError::validation(
            "file",
            format!(
                "Tệp \"{shown}\" quá lớn ({} MB, tối đa {} MB): hãy quét lại ở độ phân giải thấp hơn hoặc tách thành nhiều tệp",
                size.div_ceil(1024 * 1024),
                MAX_FILE_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7\n"), FileKind::Pdf);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), FileKind::Jpeg);
        assert_eq!(sniff(b"MZ\x90\x00"), FileKind::Executable);
        assert_eq!(sniff(b"\x7FELF\x02"), FileKind::Executable);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0"), FileKind::Heic);
        assert_eq!(sniff(b"PK\x03\x04"), FileKind::Archive);
        let e = check_incoming("C:\\Users\\x\\giay-to.pdf", b"MZ\x90\x00rest").unwrap_err().to_string();
        assert!(e.contains("giay-to.pdf") && e.contains("chương trình"), "{e}");
        assert!(check_incoming("a.pdf", b"").unwrap_err().to_string().contains("rỗng"));
        assert!(check_incoming("a.txt", b"hello").unwrap_err().to_string().contains("không phải PDF"));
    }

    #[test]
    fn hostile_names_are_trimmed_in_messages() {
        let name = format!("{}\u{7}\u{1b}[31m.pdf", "a".repeat(500));
        let shown = shown_name(&name);
        assert!(shown.chars().count() <= 80 && !shown.chars().any(char::is_control));
        assert!(check_size("x", MAX_FILE_BYTES + 1).unwrap_err().to_string().contains("quá lớn"));
        assert!(check_size("x", MAX_FILE_BYTES).is_ok());
    }
}
