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

/// Invisible characters that change how text is shown (bidirectional overrides and isolates,
/// zero-width marks, soft hyphen, byte-order mark).
pub fn is_hidden_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// True for a character that must never reach a terminal as it is: a control character (ESC, BEL,
/// CSI, a newline inside a value) or a hidden formatting one.
pub fn unsafe_for_terminal(c: char) -> bool {
    c.is_control() || is_hidden_format(c)
}

/// One line of text for a terminal: every character `unsafe_for_terminal` becomes U+FFFD, so data
/// from anywhere (another counter, the portal, a file) can neither drive the terminal nor forge lines.
pub fn for_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(unsafe_for_terminal) {
        s.chars().map(|c| if unsafe_for_terminal(c) { '\u{FFFD}' } else { c }).collect::<String>().into()
    } else {
        s.into()
    }
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
    fn terminal_output_carries_no_control_characters() {
        let evil = "Trần\u{1b}]0;pwn\u{7}\u{1b}[2J\nFAKE\u{202e}\u{9b}";
        let safe = for_terminal(evil);
        assert!(!safe.chars().any(unsafe_for_terminal), "{safe:?}");
        assert!(safe.starts_with("Trần\u{FFFD}]0;pwn"));
        assert_eq!(for_terminal("Đặng Hữu Phước"), "Đặng Hữu Phước");
    }
    #[test]
    fn words_split_on_punctuation() {
        assert_eq!(fold_words("Lê-Thị  Hoa, 0912"), vec!["le", "thi", "hoa", "0912"]);
    }
}

/// An amount of đồng as forms and screens print it: "50.000 đồng" (dots group thousands).
pub fn money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}{out} đồng", if amount < 0 { "-" } else { "" })
}
