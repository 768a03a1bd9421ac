//! A card's QR string from a scanner (either mode, or a picture): parsed, cross-checked, and its
//! address mapped to the 2025 units. Never panics; what it accepts is bounded and NFC.
#![no_main]
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// A small map (parsing the shipped 1.5 MB list in an unoptimised ASan build would take the whole
/// time budget): the mapping code is the same.
fn units() -> &'static motcua_core::units::Units {
    static U: OnceLock<motcua_core::units::Units> = OnceLock::new();
    U.get_or_init(|| {
        motcua_core::units::Units::from_json(r#"{"version":"fuzz","source":"","licence":"","effective":"2025-07-01",
          "provinces":[{"code":"01","name":"Thành phố Hà Nội","short":"Hà Nội"}],
          "units":[{"code":"00004","name":"Phường Ba Đình","province":"01"},{"code":"00097","name":"Phường Hồng Hà","province":"01"}],
          "old_units":[{"code":"00001","name":"Phường Phúc Xá","district":"Quận Ba Đình","province":"Thành phố Hà Nội","new":["00097"]},
                       {"code":"00010","name":"Phường Quán Thánh","district":"Quận Ba Đình","province":"Thành phố Hà Nội","new":["00004","00097"]}]}"#)
        .expect("valid")
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let _ = motcua_core::card::looks_like_card(&text);
    if let Ok(c) = motcua_core::card::parse(&text, today) {
        assert_eq!(c.id_number.len(), 12);
        assert!(c.full_name.chars().count() <= motcua_core::limits::NAME);
        assert!(c.full_name.nfc().eq(c.full_name.chars()), "NFC");
        assert!(!c.letters_lost || (c.full_name.is_empty() && c.address.is_empty()));
        let m = units().map_address(&c.address);
        for cand in m.candidates {
            assert!(!cand.address.is_empty());
        }
    }
});
