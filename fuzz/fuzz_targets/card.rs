//! A card's QR string from a scanner (either mode, or a picture): parsed, cross-checked, and its
//! address mapped to the 2025 units. Never panics; what it accepts is bounded and NFC.
#![no_main]
use unicode_normalization::UnicodeNormalization;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let _ = motcua_core::card::looks_like_card(&text);
    if let Ok(c) = motcua_core::card::parse(&text, today) {
        assert_eq!(c.id_number.len(), 12);
        assert!(c.full_name.chars().count() <= motcua_core::limits::NAME);
        assert!(c.full_name.nfc().eq(c.full_name.chars()), "NFC");
        assert!(!c.letters_lost || (c.full_name.is_empty() && c.address.is_empty()));
        let m = motcua_core::units::shipped().map_address(&c.address);
        for cand in m.candidates {
            assert!(!cand.address.is_empty());
        }
    }
});
