//! The limits of every text a person types (or a file brings in), defined once, and the one rule for
//! text that is printed on the official forms. Every intake field, every lifecycle step's free text,
//! every setting, account name and catalog text goes through `text()` (or the checks below) in the
//! core, so a value the forms cannot print, or one long enough to stall the sync, is refused at the
//! door with a Vietnamese message naming the field. docs/limits.md lists them.
//!
//! The event size bound follows from these: the largest event the core can make (`MAX_EVENT_JSON`,
//! checked by `events::encode_payload` and by a test that builds the worst case) is far below what
//! decoding accepts (`DECODE_CAP`), so nothing the core writes can ever be unreadable to it.

use crate::error::{CoreError, Result};
use crate::text as normalise;

/// Length limits, in characters (Unicode scalar values after NFC and whitespace collapsing).
pub const NAME: usize = 100;
pub const ID_NUMBER: usize = 30;
/// The phone number as typed (spaces, dots, +84 included), before it is normalised.
pub const PHONE: usize = 20;
/// A relation ("con", "vợ") or another short qualifier.
pub const RELATION: usize = 100;
/// What the request is about when it concerns another person ("Đăng ký khai sinh cho cháu …").
pub const SUBJECT: usize = 300;
pub const ADDRESS: usize = 300;
/// RFC 5321: a forward path is at most 256 octets including the angle brackets.
pub const EMAIL: usize = 254;
pub const NOTE: usize = 1000;
/// Reasons of a refusal, stop, withdrawal or delay.
pub const REASON: usize = 1000;
pub const DEPARTMENT: usize = 200;
/// One item of a supplement request, and how many items one request may list.
pub const MISSING_ITEM: usize = 300;
pub const MISSING_ITEMS: usize = 30;
/// A postal tracking number (số hiệu bưu gửi).
pub const TRACKING: usize = 50;
pub const REQUEST_ID: usize = 64;
/// Procedure codes, checklist item ids, dossier codes typed in a command.
pub const CODE: usize = 64;
/// A date or appointment typed by hand ("05/03/1990", "12/12/2026 14:00").
pub const DATE_INPUT: usize = 40;
/// Ordinary settings (header lines, place, head's title and name, printer, phone).
pub const SETTING: usize = 200;
pub const LOOKUP_URL: usize = 500;
/// The list of departments, ";"-separated (each one at most `DEPARTMENT`).
pub const DEPARTMENTS: usize = 2000;
/// Agency and counter names and addresses at set-up.
pub const AGENCY_NAME: usize = 200;
/// Catalog texts (a procedure's and a document's name, the result, the field) and sizes.
pub const CATALOG_TEXT: usize = 500;
/// A catalog entry's notes and sources (legal basis, fee note, evidence): shown, never printed on a form.
pub const CATALOG_NOTE: usize = 2000;
pub const CATALOG_DOCUMENTS: usize = 50;

/// The largest event payload (JSON bytes) the core writes. The worst case the limits above allow
/// (every text at its limit, every character a 6-byte JSON escape) is ~190 kB: see the test
/// `worst_case_event_fits`. `events::encode_payload` refuses anything larger, so one odd event can
/// never be made that the decoder or the portal would not take.
pub const MAX_EVENT_JSON: usize = 256 * 1024;
/// What decoding accepts (the decompressed size), far above `MAX_EVENT_JSON`: it also reads events
/// written before these limits existed (a 1.1 MB note), and still bounds a corrupted frame.
pub const DECODE_CAP: usize = 16 * 1024 * 1024;

/// Characters the embedded fonts (Liberation Serif) print and the official forms may carry: Latin
/// letters with every Vietnamese and Western-European diacritic, digits, ordinary punctuation and
/// symbols, a few typographic marks. No control characters, no other scripts, no emoji.
pub fn printable(c: char) -> bool {
    matches!(c,
        ' '..='~'                       // ASCII letters, digits, punctuation
        | '\u{00A0}'..='\u{00FF}'        // Latin-1: à á â ã è é ê ì í ò ó ô õ ù ú ý, º, «», ×, ·
        | '\u{0100}'..='\u{017F}'        // Latin Extended-A: Đ đ Ĩ ĩ Ũ ũ ...
        | '\u{01A0}' | '\u{01A1}' | '\u{01AF}' | '\u{01B0}' // Ơ ơ Ư ư
        | '\u{1EA0}'..='\u{1EF9}'        // Latin Extended Additional: ạ ả ấ ... ỹ (all Vietnamese tones)
        | '\u{2013}' | '\u{2014}' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '\u{2026}' | '\u{2022}' | '\u{2116}')
}

/// The printable rule on a whole text: the first character the forms cannot print, if any.
pub fn first_unprintable(s: &str) -> Option<char> {
    s.chars().find(|c| !printable(*c))
}

fn describe(c: char) -> String {
    if c.is_control() {
        format!("ký tự điều khiển U+{:04X}", c as u32)
    } else {
        format!("ký tự \"{c}\" (U+{:04X})", c as u32)
    }
}

/// Cleans a text field (NFC, trimmed, inner whitespace collapsed) and checks it: at most `max`
/// characters, and only characters the forms can print. `label` names the field for the clerk
/// ("Ghi chú"); `field` is its path in the request (`note`). An empty result is returned as is: the
/// caller decides whether the field is required.
pub fn text(field: &str, label: &str, value: &str, max: usize) -> Result<String> {
    // a huge input is refused before any work proportional to it beyond one pass
    let chars = value.chars().count();
    if chars > max * 4 + 64 {
        return Err(too_long(field, label, max, chars));
    }
    let v = normalise::clean(value);
    let n = v.chars().count();
    if n > max {
        return Err(too_long(field, label, max, n));
    }
    if let Some(c) = first_unprintable(&v) {
        return Err(CoreError::validation(
            field,
            format!(
                "{label} có {} không in được trên biểu mẫu: chỉ dùng chữ cái tiếng Việt hoặc Latin, chữ số và dấu câu thông thường",
                describe(c)
            ),
        ));
    }
    Ok(v)
}

/// `text`, and empty refused with "Cần nhập <label>".
pub fn required(field: &str, label: &str, value: &str, max: usize) -> Result<String> {
    let v = text(field, label, value, max)?;
    if v.is_empty() {
        return Err(CoreError::validation(field, format!("Cần nhập {}", label.to_lowercase())));
    }
    Ok(v)
}

/// Only a length check (texts that are never printed and may hold any script: a request id).
pub fn length(field: &str, label: &str, value: &str, max: usize) -> Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(too_long(field, label, max, n));
    }
    Ok(())
}

fn too_long(field: &str, label: &str, max: usize, n: usize) -> CoreError {
    CoreError::validation(field, format!("{label} quá dài: tối đa {max} ký tự, đã nhập {n} ký tự"))
}

#[cfg(test)]
mod tests;
