//! Vietnamese text handling: NFC normalisation of input, and the accent-free "fold" used by search
//! ("dang huu phuoc" finds "Đặng Hữu Phước"; đ/Đ is a letter of its own, folded to d explicitly).

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises, trims and collapses inner whitespace runs to one space.
pub fn clean(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-case, accent-free form for search. Combining marks are dropped after NFD; đ, Đ (and the
/// look-alike Ð/ð often typed for them) become d.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        match c {
            '\u{0300}'..='\u{036f}' => {}
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Folded words of a text (letters and digits), for search tokens.
pub fn fold_words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn folds_vietnamese_including_d_stroke() {
        assert_eq!(fold("Đặng Hữu Phước"), "dang huu phuoc");
        assert_eq!(fold("NGUYỄN VĂN A"), "nguyen van a");
        assert_eq!(fold("Trần Thị Ánh Tuyết"), "tran thi anh tuyet");
        // NFD input folds the same as NFC input
        let nfd: String = "Đặng Hữu Phước".nfd().collect();
        assert_eq!(fold(&nfd), "dang huu phuoc");
    }
    #[test]
    fn clean_normalises_to_nfc_and_trims() {
        let nfd: String = "  Nguyễn   Văn  A ".nfd().collect();
        let c = clean(&nfd);
        assert_eq!(c, "Nguyễn Văn A");
        assert!(unicode_normalization::is_nfc(&c));
    }
    #[test]
    fn words_split_on_punctuation() {
        assert_eq!(fold_words("Lê-Thị  Hoa, 0912"), vec!["le", "thi", "hoa", "0912"]);
    }
}
