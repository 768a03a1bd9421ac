//! `motcua card parse` and `motcua units`: the card reader and the 2025 map from the command line,
//! for IT staff setting up scanners. A string it cannot read exits non-zero with the reason.

mod common;
use common::{motcua, ok};

const CARD: &str = "001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 5 ngõ 12, Phường Quán Thánh, Quận Ba Đình, Hà Nội|10082021";

#[test]
fn card_parse_prints_fields_checks_and_the_current_address() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&motcua(dir.path(), "2026-11-30T09:00", &["card", "parse", CARD], None));
    for w in ["Đặng Hữu Phước", "001090012345", "012345678", "1990-03-05", "Nam", "[đúng] Năm sinh 1990 khớp", "Phường Ba Đình, Thành phố Hà Nội"] {
        assert!(out.contains(w), "{w:?} not in:\n{out}");
    }
    let json: serde_json::Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-11-30T09:00", &["card", "parse", CARD, "--json"], None))).unwrap();
    assert_eq!(json["card"]["full_name"], "Đặng Hữu Phước");
    assert_eq!(json["address"]["candidates"][0]["unit"]["code"], "00004");
    // a mismatch is printed in words, not refused
    let wrong = ok(&motcua(dir.path(), "2026-11-30T09:00", &["card", "parse", &CARD.replace("|Nam|", "|Nữ|")], None));
    assert!(wrong.contains("[SAI]") && wrong.contains("thẻ ghi Nữ"), "{wrong}");
}

#[test]
fn card_parse_refuses_what_it_cannot_read_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, why) in [("001090012345|012345678|ĐẶNG", "bị cắt"), ("xin chào", "phải mã QR"), ("", "Chưa đọc")] {
        let o = motcua(dir.path(), "2026-11-30T09:00", &["card", "parse", bad], None);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(why), "{bad:?}: {err}");
    }
    // a control sequence in the string never reaches the terminal
    let o = motcua(dir.path(), "2026-11-30T09:00", &["card", "parse", "001090012345|x|\u{1b}[2J|05031990|Nam|X|"], None);
    assert!(!String::from_utf8_lossy(&o.stderr).contains('\u{1b}') && !String::from_utf8_lossy(&o.stdout).contains('\u{1b}'));
}

#[test]
fn units_search_map_and_a_guarded_import() {
    let dir = tempfile::tempdir().unwrap();
    let now = "2026-11-30T09:00";
    assert!(ok(&motcua(dir.path(), now, &["units", "search", "ba dinh ha noi"], None)).contains("00004  Phường Ba Đình"));
    let m = ok(&motcua(dir.path(), now, &["units", "map", "Số 1, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh"], None));
    assert!(m.contains("Phường Sài Gòn"), "{m}");
    assert_eq!(motcua(dir.path(), now, &["units", "map", "Nơi không có"], None).status.code(), Some(3));
    // a forged file changes nothing
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"version":"x","source":"","licence":"","effective":"","provinces":[{"code":"01","name":"A","short":"A"}],"units":[{"code":"1","name":"B","province":"01"}],"old_units":[{"code":"2","name":"C","district":"D","province":"A","new":["999"]}]}"#).unwrap();
    ok(&motcua(dir.path(), now, &["init", "--agency-code", "000.00.31.H26", "--agency-name", "UBND phường Ba Đình", "--counter", "Q01"], None));
    assert_ne!(motcua(dir.path(), now, &["units", "import", bad.to_str().unwrap()], None).status.code(), Some(0));
    assert!(ok(&motcua(dir.path(), now, &["units", "info"], None)).contains("3321 xã/phường/đặc khu"));
}
