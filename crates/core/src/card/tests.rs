//! Table tests of the card parser: the shapes real cards and real scanners produce.

use super::*;
use unicode_normalization::UnicodeNormalization;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

const SEVEN: &str = "001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 1 phố Điện Biên Phủ, Phường Điện Biên, Quận Ba Đình, Hà Nội|10082021";

#[test]
fn seven_fields_read_and_checked() {
    let c = parse(SEVEN, today()).unwrap();
    assert_eq!(c.id_number, "001090012345");
    assert_eq!(c.old_id_number.as_deref(), Some("012345678"));
    assert_eq!(c.full_name, "Đặng Hữu Phước");
    assert_eq!(c.name_on_card, "ĐẶNG HỮU PHƯỚC");
    assert_eq!(c.date_of_birth, "1990-03-05");
    assert_eq!(c.gender, Some(Gender::Male));
    assert!(c.address.ends_with("Quận Ba Đình, Hà Nội"));
    assert_eq!(c.date_of_issue.as_deref(), Some("2021-08-10"));
    assert_eq!(c.field_count, 7);
    assert!(c.extra.is_empty());
    assert!(c.consistent(), "{:?}", c.warnings);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.checks[0].message.contains("Hà Nội"));
}

#[test]
fn eleven_fields_keep_the_extra_ones_unnamed() {
    let s = "079305001234||TRẦN THỊ MAI|14022005|Nữ|Ấp 3, Xã Tân Thạnh Đông, Huyện Củ Chi, TP Hồ Chí Minh|01072024|TRẦN VĂN BA|LÊ THỊ TƯ||";
    let c = parse(s, today()).unwrap();
    assert_eq!(c.field_count, 11);
    assert_eq!(c.old_id_number, None, "empty old ID (||) is no old ID");
    assert_eq!(c.extra, vec!["TRẦN VĂN BA", "LÊ THỊ TƯ", "", ""]);
    assert_eq!(c.gender, Some(Gender::Female));
    assert_eq!(c.full_name, "Trần Thị Mai");
    assert!(c.consistent(), "{:?}", c.warnings);
}

#[test]
fn case_nfd_and_scanner_noise_are_tolerated() {
    // lower case, NFD (decomposed accents), a BOM, a trailing CR LF
    let nfd: String = "\u{feff}001090012345||đặng hữu phước|05031990|nam|số 1, phường điện biên|10082021\r\n".nfd().collect();
    let c = parse(&nfd, today()).unwrap();
    assert_eq!(c.full_name, "Đặng Hữu Phước");
    assert!(c.full_name.nfc().eq(c.full_name.chars()), "NFC");
    assert_eq!(c.gender, Some(Gender::Male));
    assert!(c.address.nfc().eq(c.address.chars()));
    // a hyphenated name part is capitalised too
    assert_eq!(title_case("NGUYỄN THỊ MINH-KHAI"), "Nguyễn Thị Minh-Khai");
}

#[test]
fn truncated_strings_are_refused_with_the_reason() {
    for s in ["001090012345|012345678|ĐẶNG HỮU", "001090012345", "00109001|x|y|z|w|v|u", "001090012345|012345678|ĐẶNG HỮU PHƯỚC|0503"] {
        let e = parse(s, today()).unwrap_err().to_string();
        assert!(e.contains("cắt") || e.contains("12 chữ số") || e.contains("dấu |") || e.contains("Ngày sinh"), "{s}: {e}");
    }
    // six fields (the date of issue cut off) still read, with a warning
    let c = parse("001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Hà Nội", today()).unwrap();
    assert_eq!(c.date_of_issue, None);
    assert!(c.warnings.iter().any(|w| w.contains("ngày cấp")));
}

#[test]
fn letters_lost_in_hid_mode_are_detected_and_not_offered() {
    // what a keyboard-wedge scanner types on a US layout: every accented letter dropped
    let s = "001090012345|012345678|NGUYN VN AN|05031990|Nam|S 1, Phng in Bin, Qun Ba nh, H Ni|10082021";
    let c = parse(s, today()).unwrap();
    assert!(c.letters_lost);
    assert_eq!(c.full_name, "");
    assert_eq!(c.address, "");
    assert_eq!(c.id_number, "001090012345", "digits survive");
    assert_eq!(c.date_of_birth, "1990-03-05");
    assert!(c.warnings.iter().any(|w| w.contains("cổng COM")), "{:?}", c.warnings);
    assert!(!c.consistent());
    // accents stripped (not dropped) and a gender cut to "N" are caught as well
    let stripped = parse("001190012345||LE THI HOA|05031990|N|So 1, Phuong Dien Bien, Ha Noi|10082021", today()).unwrap();
    assert!(stripped.letters_lost);
    let question = parse("001090012345||NGUY?N V?N AN|05031990|Nam|S? 1|10082021", today()).unwrap();
    assert!(question.letters_lost);
}

#[test]
fn mismatches_are_explained_in_words() {
    // digit 4 = 0 (male, 1900s) but the card says Nữ
    let g = parse("001090012345||LÊ THỊ HOA|05031990|Nữ|Phường Điện Biên, Hà Nội|10082021", today()).unwrap();
    assert!(g.warnings.iter().any(|w| w.contains("chỉ giới tính Nam") && w.contains("thẻ ghi Nữ")), "{:?}", g.warnings);
    // digits 5–6 say 1991
    let y = parse("001091012345||LÊ VĂN HOÀ|05031990|Nam|Hà Nội|10082021", today()).unwrap();
    assert!(y.warnings.iter().any(|w| w.contains("năm sinh 1991")), "{:?}", y.warnings);
    // digit 4 = 2 (2000s) for someone born in 1990
    let c = parse("001290012345||LÊ VĂN HOÀ|05031990|Nam|Hà Nội|10082021", today()).unwrap();
    assert!(c.warnings.iter().any(|w| w.contains("từ năm 2000 đến 2099")), "{:?}", c.warnings);
    // a province code that does not exist
    let p = parse("003090012345||LÊ VĂN HOÀ|05031990|Nam|Hà Nội|10082021", today()).unwrap();
    assert!(p.warnings.iter().any(|w| w.contains("003")), "{:?}", p.warnings);
    // a bad old ID and a date of issue before birth are dropped with a word each
    let o = parse("001090012345|12AB|LÊ VĂN HOÀ|05031990|Nam|Hà Nội|01011980", today()).unwrap();
    assert_eq!((o.old_id_number.as_deref(), o.date_of_issue.as_deref()), (None, None));
    assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
}

#[test]
fn hostile_strings_never_panic_and_are_bounded() {
    assert!(parse(&"1".repeat(CARD_TEXT + 1), today()).is_err());
    assert!(parse("", today()).is_err());
    assert!(parse("001090012345|\u{7}|A|05031990|Nam|X|10082021", today()).is_err(), "control characters");
    assert!(parse(&format!("001090012345||{}|05031990|Nam|X|10082021", "A".repeat(200)), today()).is_err());
    assert!(parse("001090012345||LÊ VĂN HOÀ|31022000|Nam|Hà Nội|", today()).is_err(), "31/02 does not exist");
    assert!(parse("001090012345||LÊ VĂN HOÀ|05032090|Nam|Hà Nội|", today()).is_err(), "born in the future");
    for s in ["||||||", "|", "€€€€€€€€€€€€|", "001090012345||||||||||||||||||||||||"] {
        let _ = parse(s, today());
    }
}

#[test]
fn a_scan_is_told_from_typing() {
    assert!(looks_like_card(SEVEN));
    assert!(looks_like_card("\u{feff}001090012345||x"));
    assert!(!looks_like_card("001090012345"));
    assert!(!looks_like_card("Nguyễn Văn A"));
}
