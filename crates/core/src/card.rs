//! The citizen's card read by a scanner: the QR code of a chip-based CCCD or a "thẻ căn cước"
//! carries one UTF-8 string of `|`-separated fields,
//! `Số CCCD|Số CMND cũ|Họ và tên|Ngày sinh ddMMyyyy|Giới tính|Nơi thường trú|Ngày cấp ddMMyyyy`,
//! and cards issued since 2024 have been seen with more (often empty) fields after these seven.
//!
//! `parse` is a pure function: it reads the string tolerantly (NFC, stray CR/LF/BOM, any case, extra
//! fields), cross-checks the ID number against the date of birth and gender (Circular 07/2016/TT-BCA
//! art. 7: province code in digits 1–3, century and gender in digit 4, birth year in digits 5–6), and
//! explains every mismatch in words. A keyboard-wedge (HID) scanner on many systems cannot type
//! Vietnamese letters: such a string is recognised (`letters_lost`) and its name and address are not
//! offered, while its digits (ID, dates) still are. The meaning of fields 8+ is not confirmed by any
//! published specification: they are kept as read, unnamed (docs/card-scanning.md).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

use crate::error::{CoreError, Result};
use crate::text;

/// The longest card string read (a real one is under 300 characters).
pub const CARD_TEXT: usize = 2000;
/// The seven fields every card has.
pub const CARD_FIELDS: usize = 7;

/// The holder's gender as the card states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// One cross-check of the card's ID number against what else the card says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CardCheck {
    pub ok: bool,
    /// In words, for the clerk ("Mã tỉnh 001 (Hà Nội)", "Năm sinh 1990 khớp với số CCCD" …).
    pub message: String,
}

/// What a card's QR says, read and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CardRead {
    pub id_number: String,
    /// The old 9-digit (or 12-digit) CMND; absent when the holder never had one.
    #[ts(optional)]
    pub old_id_number: Option<String>,
    /// The name in title case ("NGUYỄN VĂN AN" → "Nguyễn Văn An"), NFC; empty when letters were lost.
    pub full_name: String,
    /// The name exactly as the card has it (NFC).
    pub name_on_card: String,
    /// `YYYY-MM-DD`
    pub date_of_birth: String,
    /// As the form shows and a clerk types it ("05/03/1990").
    pub date_of_birth_shown: String,
    #[ts(optional)]
    pub gender: Option<Gender>,
    /// The permanent address as the card has it (it names the units before the 2025 reform); empty
    /// when letters were lost.
    pub address: String,
    /// `YYYY-MM-DD`
    #[ts(optional)]
    pub date_of_issue: Option<String>,
    #[ts(optional)]
    pub date_of_issue_shown: Option<String>,
    /// Fields after the seventh, as read (their meaning is not published).
    pub extra: Vec<String>,
    pub field_count: u32,
    pub checks: Vec<CardCheck>,
    /// The scanner typed the string as keystrokes and Vietnamese letters were dropped: name and
    /// address are not offered; set the scanner to its serial (USB COM) mode or type them.
    pub letters_lost: bool,
    /// Everything the clerk should look at, in words (mismatches, lost letters, unreadable fields).
    pub warnings: Vec<String>,
}

impl CardRead {
    /// True when every cross-check passed and no letters were lost.
    pub fn consistent(&self) -> bool {
        !self.letters_lost && self.checks.iter().all(|c| c.ok)
    }
}

fn bad(message: impl Into<String>) -> CoreError {
    CoreError::validation("card", message)
}

/// True when `s` looks like a card string at all (12 digits then `|`): how a scanner's output is told
/// from typing, anywhere on the intake screen.
pub fn looks_like_card(s: &str) -> bool {
    let s = s.trim_start_matches(['\u{feff}', ' ', '\r', '\n']);
    let b = s.as_bytes();
    b.len() > 13 && b[..12].iter().all(u8::is_ascii_digit) && b[12] == b'|'
}

/// Reads a card string. `today` bounds the dates. Refuses (with the reason) a string that is not a
/// card's, is cut short, or whose ID number or date of birth cannot be read.
pub fn parse(raw: &str, today: NaiveDate) -> Result<CardRead> {
    if raw.chars().count() > CARD_TEXT {
        return Err(bad(format!("Chuỗi đọc từ thẻ dài quá {CARD_TEXT} ký tự: không phải mã QR của thẻ căn cước")));
    }
    let s: String = raw.nfc().filter(|c| !matches!(c, '\u{feff}' | '\r' | '\n') && !text::is_hidden_format(*c)).collect();
    let s = s.trim();
    if s.is_empty() {
        return Err(bad("Chưa đọc được gì từ thẻ"));
    }
    if s.chars().any(char::is_control) {
        return Err(bad("Chuỗi đọc từ thẻ có ký tự điều khiển: không phải mã QR của thẻ căn cước"));
    }
    let fields: Vec<&str> = s.split('|').map(str::trim).collect();
    if fields.len() < 2 {
        return Err(bad("Không phải mã QR của thẻ căn cước (không có dấu | ngăn cách các trường)"));
    }
    let id_number = fields[0].to_string();
    if id_number.len() != 12 || !id_number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("Trường đầu của mã QR phải là số CCCD gồm 12 chữ số: không phải thẻ căn cước, hoặc quét chưa hết"));
    }
    if fields.len() < CARD_FIELDS - 1 {
        return Err(bad(format!(
            "Chuỗi đọc từ thẻ bị cắt: chỉ có {} trong {CARD_FIELDS} trường (quét lại, giữ thẻ yên)",
            fields.len()
        )));
    }
    let mut warnings = Vec::new();
    let old = fields[1];
    let old_id_number = match old {
        "" => None,
        o if (o.len() == 9 || o.len() == 12) && o.bytes().all(|b| b.is_ascii_digit()) => Some(o.to_string()),
        o => {
            warnings.push(format!("Số CMND cũ \"{}\" không phải 9 hoặc 12 chữ số: bỏ qua", shown(o)));
            None
        }
    };
    let name_on_card = text::clean(fields[2]);
    if name_on_card.is_empty() {
        return Err(bad("Mã QR không có họ và tên (trường thứ 3 trống)"));
    }
    if name_on_card.chars().count() > crate::limits::NAME {
        return Err(bad(format!("Họ và tên trên thẻ dài quá {} ký tự", crate::limits::NAME)));
    }
    let dob = card_date(fields[3]).ok_or_else(|| bad(format!("Ngày sinh trên thẻ \"{}\" không đọc được (cần ngàythángnăm, 8 chữ số)", shown(fields[3]))))?;
    if dob > today || dob.year() < 1900 {
        return Err(bad(format!("Ngày sinh trên thẻ {} không hợp lệ", crate::dates::format_date(dob))));
    }
    let gender_text = text::fold(fields[4]);
    let gender = match gender_text.as_str() {
        "nam" | "male" => Some(Gender::Male),
        "nu" | "female" => Some(Gender::Female),
        _ => None,
    };
    let address = text::clean(fields[5]);
    if address.chars().count() > crate::limits::ADDRESS {
        return Err(bad(format!("Địa chỉ trên thẻ dài quá {} ký tự", crate::limits::ADDRESS)));
    }
    let date_of_issue = match fields.get(6).copied().unwrap_or("") {
        "" => {
            warnings.push("Thẻ không có ngày cấp (chuỗi bị cắt ở trường cuối?)".to_string());
            None
        }
        d => match card_date(d) {
            Some(issued) if issued <= today && issued >= dob => Some(issued),
            Some(issued) => {
                warnings.push(format!("Ngày cấp {} không hợp lệ (trước ngày sinh hoặc sau hôm nay): bỏ qua", crate::dates::format_date(issued)));
                None
            }
            None => {
                warnings.push(format!("Ngày cấp \"{}\" không đọc được: bỏ qua", shown(d)));
                None
            }
        },
    };
    let extra: Vec<String> = fields.iter().skip(CARD_FIELDS).map(|f| text::clean(f)).collect();

    let letters_lost = letters_lost(&name_on_card, fields[4], &address);
    if letters_lost {
        warnings.push(
            "Máy quét gõ chuỗi như bàn phím và đã làm mất chữ có dấu (tiếng Việt): họ tên và địa chỉ không được điền. \
             Chuyển máy quét sang chế độ cổng COM (USB CDC/serial) hoặc gõ họ tên, địa chỉ."
                .to_string(),
        );
    } else if gender.is_none() {
        warnings.push(format!("Giới tính \"{}\" trên thẻ không đọc được", shown(fields[4])));
    }
    let checks = cross_check(&id_number, dob, gender);
    warnings.extend(checks.iter().filter(|c| !c.ok).map(|c| c.message.clone()));
    Ok(CardRead {
        full_name: if letters_lost { String::new() } else { title_case(&name_on_card) },
        name_on_card,
        id_number,
        old_id_number,
        date_of_birth: dob.format("%Y-%m-%d").to_string(),
        date_of_birth_shown: crate::dates::format_date(dob),
        gender: if letters_lost && gender.is_none() { None } else { gender },
        address: if letters_lost { String::new() } else { address },
        date_of_issue: date_of_issue.map(|d| d.format("%Y-%m-%d").to_string()),
        date_of_issue_shown: date_of_issue.map(crate::dates::format_date),
        extra,
        field_count: fields.len() as u32,
        checks,
        letters_lost,
        warnings,
    })
}

/// A field as a message may quote it: short, one line.
fn shown(s: &str) -> String {
    let t: String = s.chars().take(30).collect();
    text::for_terminal(&t).into_owned()
}

/// `ddMMyyyy` as cards write dates.
fn card_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(s[4..8].parse().ok()?, s[2..4].parse().ok()?, s[0..2].parse().ok()?)
}

/// "NGUYỄN VĂN AN" → "Nguyễn Văn An" (NFC; each word and each hyphenated part capitalised).
pub fn title_case(s: &str) -> String {
    let lower: String = text::clean(s).to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut start = true;
    for c in lower.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.push(c);
            if matches!(c, ' ' | '-') {
                start = true;
            }
        }
    }
    out.nfc().collect()
}

/// A name word with letters but no vowel cannot be Vietnamese ("NGUYN", "VN"): its accented vowel
/// was dropped. Any `?` where a letter was, a gender reduced to "N", or a whole string without one
/// accented letter (no real name-and-address pair is) tell the same.
fn letters_lost(name: &str, gender: &str, address: &str) -> bool {
    let vowelless = name.split([' ', '-']).any(|w| {
        let f = text::fold(w);
        f.chars().any(char::is_alphabetic) && !f.chars().any(|c| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y'))
    });
    let question = name.contains('?') || address.contains('?') || gender.contains('?');
    let gender_cut = matches!(gender.trim(), "N" | "n");
    let all_ascii = name.is_ascii() && address.is_ascii() && !address.is_empty();
    vowelless || question || gender_cut || all_ascii
}

/// What digits 4–6 of a 12-digit CCCD number say (Circular 07/2016/TT-BCA art. 7).
pub(crate) struct IdBirth {
    /// Digit 4: the century (0/1 1900s, 2/3 2000s, …) and gender (even male, odd female).
    pub digit: u8,
    pub century: i32,
    /// The birth year digits 5–6 give in that century.
    pub year: i32,
    pub gender: Gender,
}

/// Digits 4–6 of a 12-digit number (the caller has checked it is 12 ASCII digits).
pub(crate) fn id_birth(id: &str) -> IdBirth {
    let digit = id.as_bytes()[3] - b'0';
    let century = 1900 + 100 * (digit as i32 / 2);
    IdBirth { digit, century, year: century + id[4..6].parse::<i32>().unwrap_or(0), gender: if digit % 2 == 0 { Gender::Male } else { Gender::Female } }
}

/// The ID number against the date of birth and gender, each result in words.
pub fn cross_check(id: &str, dob: NaiveDate, gender: Option<Gender>) -> Vec<CardCheck> {
    let mut out = Vec::new();
    let province: u16 = id[0..3].parse().unwrap_or(0);
    out.push(match crate::validate::cccd_province_name(province) {
        Some(name) => CardCheck { ok: true, message: format!("Mã nơi đăng ký khai sinh {:03}: {name}", province) },
        None => CardCheck { ok: false, message: format!("Số CCCD bắt đầu bằng {:03}: không phải mã tỉnh nào", province) },
    });
    let IdBirth { digit, century, year, gender: id_gender } = id_birth(id);
    out.push(if year == dob.year() {
        CardCheck { ok: true, message: format!("Năm sinh {year} khớp với số CCCD") }
    } else if century != (dob.year() / 100) * 100 {
        CardCheck {
            ok: false,
            message: format!(
                "Chữ số thứ 4 của số CCCD ({digit}) chỉ người sinh từ năm {century} đến {}, nhưng ngày sinh là {}",
                century + 99,
                crate::dates::format_date(dob)
            ),
        }
    } else {
        CardCheck {
            ok: false,
            message: format!("Chữ số 5–6 của số CCCD ({}) chỉ năm sinh {year}, nhưng ngày sinh là {}", &id[4..6], crate::dates::format_date(dob)),
        }
    });
    out.push(match gender {
        Some(g) if g == id_gender => CardCheck { ok: true, message: format!("Giới tính {} khớp với số CCCD", g.label()) },
        Some(g) => CardCheck {
            ok: false,
            message: format!("Chữ số thứ 4 của số CCCD ({digit}) chỉ giới tính {}, nhưng thẻ ghi {}", id_gender.label(), g.label()),
        },
        None => CardCheck { ok: true, message: format!("Giới tính theo số CCCD: {}", id_gender.label()) },
    });
    out
}

#[cfg(test)]
#[path = "card/tests.rs"]
mod tests;
