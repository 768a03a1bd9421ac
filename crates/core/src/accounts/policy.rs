//! What a password and a PIN must be (issue 12, finding 10). A password: 10 to 256 characters, not
//! only spaces, not one character or one short group repeated, not a straight run (0123456789,
//! abcdefghij), not the account's id or the person's name, and not a common password. The common
//! passwords are `assets/passwords/common.txt` (built by `scripts/common-passwords.py`), embedded in
//! the binary and compared without case or accents, also once the digits and signs people put
//! around a word are taken off ("Matkhau@2024" is "matkhau"). A PIN only unlocks a locked screen, and
//! after `MAX_PIN_TRIES` wrong ones only the password does: 4 to 8 digits, not one digit repeated,
//! not a group repeated (1212), not a straight run (1234, 0123, 9876, 7890).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::error::{CoreError, Result};
use crate::text;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

const COMMON_TXT: &str = include_str!("../../../../assets/passwords/common.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_TXT.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
}

/// How many common passwords are shipped.
pub fn common_count() -> usize {
    common().len()
}

/// Lower case, no accents, no spaces: how a password is compared with the list, the id and the name.
fn key(s: &str) -> String {
    text::fold(s).chars().filter(|c| !c.is_whitespace()).collect()
}

/// The same few characters over and over (one character is the shortest group).
fn repeats_a_group(chars: &[char]) -> bool {
    let n = chars.len();
    (1..=n / 2).any(|p| n % p == 0 && chars.chunks(p).all(|c| c == &chars[..p]))
}

/// Each character one after the other, up or down (digits wrap: 7890, 0987).
fn straight_run(chars: &[char]) -> bool {
    let step = |a: char, b: char| -> Option<i32> {
        if a.is_ascii_digit() && b.is_ascii_digit() {
            let d = (b as i32 - a as i32).rem_euclid(10);
            return Some(if d == 9 { -1 } else { d });
        }
        (a.is_ascii_alphabetic() && b.is_ascii_alphabetic()).then(|| b.to_ascii_lowercase() as i32 - a.to_ascii_lowercase() as i32)
    };
    let steps: Option<Vec<i32>> = chars.windows(2).map(|w| step(w[0], w[1])).collect();
    matches!(steps, Some(s) if !s.is_empty() && (s.iter().all(|&d| d == 1) || s.iter().all(|&d| d == -1)))
}

/// True when the password is on the list, or is a listed word with digits and signs around it.
fn is_common(k: &str) -> bool {
    let list = common();
    if list.contains(k) {
        return true;
    }
    let stem = k.trim_matches(|c: char| !c.is_alphabetic());
    stem.chars().count() >= 3 && list.contains(stem)
}

/// Refuses a weak password, with the reason in Vietnamese. `id` and `name` are the account's.
pub fn check_password(id: &str, name: &str, password: &str) -> Result<()> {
    let bad = |m: &str| Err(CoreError::validation("password", m));
    let n = password.chars().count();
    if password.trim().is_empty() {
        return bad("Mật khẩu không được chỉ gồm khoảng trắng");
    }
    if n < PASSWORD_MIN_CHARS {
        return bad(&format!("Mật khẩu cần ít nhất {PASSWORD_MIN_CHARS} ký tự"));
    }
    if n > PASSWORD_MAX_CHARS {
        return bad(&format!("Mật khẩu dài tối đa {PASSWORD_MAX_CHARS} ký tự"));
    }
    let k = key(password);
    let chars: Vec<char> = k.chars().collect();
    if chars.iter().all(|&c| c == chars[0]) {
        return bad("Mật khẩu không được chỉ lặp lại một ký tự");
    }
    if repeats_a_group(&chars) {
        return bad("Mật khẩu không được lặp lại một nhóm ký tự (như abcabcabc)");
    }
    if straight_run(&chars) {
        return bad("Mật khẩu không được là dãy ký tự liên tiếp (như 0123456789, abcdefghij)");
    }
    if !id.trim().is_empty() && (k == key(id) || k.trim_matches(|c: char| !c.is_alphabetic()) == key(id)) {
        return bad("Mật khẩu không được trùng với tên đăng nhập");
    }
    if !name.trim().is_empty() && k == key(name) {
        return bad("Mật khẩu không được trùng với họ tên");
    }
    if is_common(&k) {
        return bad("Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác (ví dụ một câu ngắn dễ nhớ)");
    }
    Ok(())
}

/// Refuses a weak PIN, with the reason in Vietnamese.
pub fn check_pin(pin: &str) -> Result<()> {
    let bad = |m: &str| Err(CoreError::validation("pin", m));
    if !PIN_DIGITS.contains(&pin.chars().count()) || !pin.chars().all(|c| c.is_ascii_digit()) {
        return bad("Mã PIN gồm 4 đến 8 chữ số");
    }
    let chars: Vec<char> = pin.chars().collect();
    if chars.iter().all(|&c| c == chars[0]) {
        return bad("Mã PIN không được chỉ lặp lại một chữ số (như 0000)");
    }
    if repeats_a_group(&chars) {
        return bad("Mã PIN không được lặp lại một nhóm số (như 1212)");
    }
    if straight_run(&chars) {
        return bad("Mã PIN không được là dãy số liên tiếp (như 1234, 9876)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(r: Result<()>) -> String {
        match r {
            Err(CoreError::Validation { message, .. }) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        for (p, why) in [
            ("12345678", "ít nhất 10"),
            ("aaaaaaaa", "ít nhất 10"),
            ("        ", "khoảng trắng"),
            ("            ", "khoảng trắng"),
            ("aaaaaaaaaaaa", "một ký tự"),
            ("AaAaAaAaAaAa", "một ký tự"),
            ("abcabcabcabc", "nhóm"),
            ("0123456789", "liên tiếp"),
            ("9876543210", "liên tiếp"),
            ("abcdefghijk", "liên tiếp"),
            ("1234567890", "liên tiếp"),
            ("qwertyuiop", "phổ biến"),
            ("Matkhau123", "phổ biến"),
            ("MẬT KHẨU 123", "phổ biến"),
            ("matkhau@2024!", "phổ biến"),
            ("motcua123456", "phổ biến"),
            ("iloveyou2025", "phổ biến"),
            ("password1234", "phổ biến"),
            ("anhyeuem1990", "phổ biến"),
            ("nguyenvanlan.2024", "tên đăng nhập"),
            ("Nguyễn Thị Lan", "họ tên"),
        ] {
            let m = refused(check_password("nguyenvanlan", "Nguyễn Thị Lan", p));
            assert!(m.contains(why), "{p:?}: {m}");
        }
        assert!(refused(check_password("x", "X", &"ab1".repeat(100))).contains("tối đa"));
    }

    #[test]
    fn reasonable_passwords_pass() {
        for p in ["mat-khau-rat-dai", "Hoa sen nở sớm 7 giờ", "tra-da-via-he-42", "k9#Lm2!xQ7pz", "chiều thứ sáu mưa"] {
            check_password("lan", "Nguyễn Thị Lan", p).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }

    #[test]
    fn weak_pins_are_refused() {
        for (p, why) in [
            ("0000", "một chữ số"),
            ("999999", "một chữ số"),
            ("1234", "liên tiếp"),
            ("0123", "liên tiếp"),
            ("9876", "liên tiếp"),
            ("7890", "liên tiếp"),
            ("12345678", "liên tiếp"),
            ("1212", "nhóm"),
            ("123123", "nhóm"),
            ("123", "4 đến 8"),
            ("123456789", "4 đến 8"),
            ("12a4", "4 đến 8"),
            ("١٢٣٤", "4 đến 8"),
        ] {
            let m = refused(check_pin(p));
            assert!(m.contains(why), "{p:?}: {m}");
        }
        for p in ["2468", "1357", "8264", "50917", "13572468"] {
            check_pin(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }

    #[test]
    fn the_common_list_is_shipped_and_has_the_vietnamese_favourites() {
        assert!(common_count() > 3000, "{} entries", common_count());
        for p in ["matkhau", "123456789", "motcua", "anhyeuem", "qwerty", "password", "iloveyou"] {
            assert!(common().contains(p), "{p} is on the list");
        }
        // the file is as the core compares: folded, one per line
        assert!(COMMON_TXT.lines().all(|l| l == key(l)), "entries are lower case without accents or spaces");
    }
}
