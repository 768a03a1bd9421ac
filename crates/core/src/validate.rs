//! Field validation for intake. Every rule names the field it concerns and explains in Vietnamese
//! what to fix; invalid input writes nothing. Text is NFC-normalised and trimmed first.

use chrono::{Datelike, NaiveDate};

use crate::dossier::{Applicant, IdType};
use crate::error::{CoreError, Result};
use crate::limits;

/// Province codes that open a CCCD number (Circular 07/2016/TT-BCA, appendix; kept by Circular
/// 59/2021/TT-BCA) [S]. The 2025 province mergers did not renumber issued cards.
const CCCD_PROVINCES: &[u16] = &[
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45, 46,
    48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93,
    94, 95, 96,
];

fn err(field: &str, msg: impl Into<String>) -> CoreError {
    CoreError::validation(field, msg)
}

/// A date as typed: the one parser (`dates::parse_typed_date`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    crate::dates::parse_typed_date(s)
}

/// Checks a CCCD number: 12 digits; the first 3 a province code; the 4th the century/sex digit and the
/// 5th–6th the last two digits of the birth year (Circular 07/2016/TT-BCA art. 7) [S].
pub fn check_cccd(number: &str, birth: Option<NaiveDate>) -> Result<()> {
    let f = "applicant.id_number";
    if number.len() != 12 || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(f, "Số CCCD phải gồm đúng 12 chữ số"));
    }
    let province: u16 = number[0..3].parse().expect("digits");
    if !CCCD_PROVINCES.contains(&province) {
        return Err(err(f, format!("Số CCCD bắt đầu bằng mã tỉnh {:03} không tồn tại", province)));
    }
    if let Some(b) = birth {
        let century_digit = number.as_bytes()[3] - b'0';
        let century = 1900 + 100 * (century_digit as i32 / 2);
        let year = century + number[4..6].parse::<i32>().expect("digits");
        if year != b.year() {
            return Err(err(f, format!("Số CCCD cho năm sinh {year}, không khớp với ngày sinh {}", crate::dates::format_date(b))));
        }
    }
    Ok(())
}

/// Normalises a Vietnamese phone number to its 0-prefixed digits (+84 accepted), or explains why not.
pub fn normalise_phone(s: &str) -> Result<String> {
    let mut digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    if let Some(rest) = digits.strip_prefix("+84") {
        digits = format!("0{rest}");
    } else if digits.starts_with("84") && digits.len() == 11 {
        digits = format!("0{}", &digits[2..]);
    }
    if !(digits.starts_with('0') && (10..=11).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())) {
        return Err(err("applicant.phone", "Số điện thoại phải có 10 chữ số bắt đầu bằng 0 (hoặc +84)"));
    }
    Ok(digits)
}

/// The authorised person filing on the applicant's behalf: a name and an ID number (any kind of
/// personal paper: 3–30 letters or digits); the phone is optional. All empty = no representative.
pub fn representative(r: &crate::dossier::Representative) -> Result<Option<crate::dossier::Representative>> {
    let full_name = limits::text("representative.full_name", "Họ và tên người được ủy quyền", &r.full_name, limits::NAME)?;
    let id_number: String = limits::text("representative.id_number", "Số giấy tờ của người được ủy quyền", &r.id_number, limits::ID_NUMBER)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    limits::length("representative.phone", "Số điện thoại người được ủy quyền", &r.phone, limits::PHONE)?;
    if full_name.is_empty() && id_number.is_empty() && r.phone.trim().is_empty() {
        return Ok(None);
    }
    if full_name.is_empty() {
        return Err(err("representative.full_name", "Cần họ và tên người được ủy quyền"));
    }
    if full_name.chars().any(|c| c.is_ascii_digit() || (!c.is_alphabetic() && !matches!(c, ' ' | '\'' | '-' | '.'))) {
        return Err(err("representative.full_name", "Họ và tên chỉ gồm chữ cái, dấu cách, dấu gạch nối"));
    }
    if !(3..=30).contains(&id_number.chars().count()) || !id_number.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(err("representative.id_number", "Số giấy tờ của người được ủy quyền gồm 3–30 chữ cái hoặc chữ số"));
    }
    let phone = if r.phone.trim().is_empty() { String::new() } else { normalise_phone(&r.phone).map_err(|_| err("representative.phone", "Số điện thoại người được ủy quyền không hợp lệ"))? };
    Ok(Some(crate::dossier::Representative { full_name, id_number, phone }))
}

/// Normalises and checks an applicant. `today` bounds the date of birth.
pub fn applicant(a: &Applicant, today: NaiveDate) -> Result<Applicant> {
    let full_name = limits::text("applicant.full_name", "Họ và tên", &a.full_name, limits::NAME)?;
    if full_name.is_empty() {
        return Err(err("applicant.full_name", "Họ và tên người nộp không được để trống"));
    }
    if full_name.chars().any(|c| c.is_ascii_digit() || (!c.is_alphabetic() && !matches!(c, ' ' | '\'' | '-' | '.'))) {
        return Err(err("applicant.full_name", "Họ và tên chỉ gồm chữ cái, dấu cách, dấu gạch nối"));
    }
    limits::length("applicant.date_of_birth", "Ngày sinh", &a.date_of_birth, limits::DATE_INPUT)?;
    let dob_raw = a.date_of_birth.trim();
    if dob_raw.is_empty() {
        return Err(err("applicant.date_of_birth", "Ngày sinh không được để trống"));
    }
    let dob = parse_date(dob_raw)
        .ok_or_else(|| err("applicant.date_of_birth", "Ngày sinh không hợp lệ (nhập dạng ngày/tháng/năm, ví dụ 05/03/1990)"))?;
    if dob > today || dob.year() < 1900 {
        return Err(err("applicant.date_of_birth", "Ngày sinh phải trước ngày hôm nay và sau năm 1900"));
    }
    let id_number: String = limits::text("applicant.id_number", "Số giấy tờ", &a.id_number, limits::ID_NUMBER)?.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if id_number.is_empty() {
        return Err(err("applicant.id_number", "Số giấy tờ tùy thân không được để trống"));
    }
    match a.id_type {
        IdType::Cccd => check_cccd(&id_number, Some(dob))?,
        IdType::Passport => {
            if !(6..=12).contains(&id_number.len()) || !id_number.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(err("applicant.id_number", "Số hộ chiếu gồm 6–12 chữ cái hoặc chữ số"));
            }
        }
        IdType::Other => {
            if !(3..=30).contains(&id_number.chars().count()) {
                return Err(err("applicant.id_number", "Số giấy tờ phải dài 3–30 ký tự"));
            }
        }
    }
    limits::length("applicant.phone", "Số điện thoại", &a.phone, limits::PHONE)?;
    let phone = normalise_phone(&a.phone)?;
    let address = limits::text("applicant.address", "Địa chỉ", &a.address, limits::ADDRESS)?;
    if address.is_empty() {
        return Err(err("applicant.address", "Địa chỉ không được để trống"));
    }
    let email = match a.email.as_deref().map(|e| limits::text("applicant.email", "Địa chỉ email", e, limits::EMAIL)).transpose()? {
        None => None,
        Some(e) if e.is_empty() => None,
        Some(e) => {
            let ok = e.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
                && !e.contains(' ');
            if !ok {
                return Err(err("applicant.email", "Địa chỉ email không hợp lệ"));
            }
            Some(e.to_lowercase())
        }
    };
    Ok(Applicant {
        full_name,
        id_type: a.id_type,
        id_number,
        date_of_birth: dob.format("%Y-%m-%d").to_string(),
        phone,
        address,
        email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Applicant {
        Applicant {
            full_name: "  Đặng   Hữu Phước ".into(),
            id_type: IdType::Cccd,
            id_number: "001090012345".into(),
            date_of_birth: "05/03/1990".into(),
            phone: "+84 912 345 678".into(),
            address: "Số 1 phố Điện Biên Phủ, phường Ba Đình, Hà Nội".into(),
            email: Some("".into()),
        }
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }
    fn field_of(a: Applicant) -> String {
        match applicant(&a, today()).unwrap_err() {
            CoreError::Validation { field, .. } => field.unwrap(),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn normalises_a_good_applicant() {
        let a = applicant(&good(), today()).unwrap();
        assert_eq!(a.full_name, "Đặng Hữu Phước");
        assert_eq!(a.date_of_birth, "1990-03-05");
        assert_eq!(a.phone, "0912345678");
        assert_eq!(a.email, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(Applicant { full_name: " ".into(), ..good() }), "applicant.full_name");
        assert_eq!(field_of(Applicant { full_name: "Nguyen Van 3".into(), ..good() }), "applicant.full_name");
        assert_eq!(field_of(Applicant { id_number: "00109001234".into(), ..good() }), "applicant.id_number");
        // province code 003 does not exist
        assert_eq!(field_of(Applicant { id_number: "003090012345".into(), ..good() }), "applicant.id_number");
        // birth year digits (90) do not match 1991
        assert_eq!(field_of(Applicant { date_of_birth: "1991-03-05".into(), ..good() }), "applicant.id_number");
        assert_eq!(field_of(Applicant { date_of_birth: "31/02/1990".into(), ..good() }), "applicant.date_of_birth");
        assert_eq!(field_of(Applicant { date_of_birth: "2030-01-01".into(), ..good() }), "applicant.date_of_birth");
        assert_eq!(field_of(Applicant { phone: "12345".into(), ..good() }), "applicant.phone");
        assert_eq!(field_of(Applicant { address: "".into(), ..good() }), "applicant.address");
        assert_eq!(field_of(Applicant { email: Some("a@b".into()), ..good() }), "applicant.email");
        assert_eq!(field_of(Applicant { email: Some(format!("{}@example.vn", "a".repeat(250))), ..good() }), "applicant.email");
        assert_eq!(field_of(Applicant { address: "Số 1 ".repeat(100), ..good() }), "applicant.address");
        assert_eq!(field_of(Applicant { full_name: "محمد علي".into(), ..good() }), "applicant.full_name");
        assert_eq!(field_of(Applicant { address: "北京市".into(), ..good() }), "applicant.address");
        assert_eq!(field_of(Applicant { phone: "0".repeat(21), ..good() }), "applicant.phone");
    }

    #[test]
    fn cccd_of_someone_born_in_the_21st_century() {
        // 4th digit 2 or 3: born 2000–2099
        assert!(check_cccd("079205001234", NaiveDate::from_ymd_opt(2005, 1, 1)).is_ok());
        assert!(check_cccd("079305001234", NaiveDate::from_ymd_opt(2005, 1, 1)).is_ok());
        assert!(check_cccd("079105001234", NaiveDate::from_ymd_opt(2005, 1, 1)).is_err());
    }

    #[test]
    fn passport_and_other_ids() {
        let a = applicant(&Applicant { id_type: IdType::Passport, id_number: "c1234567".into(), ..good() }, today()).unwrap();
        assert_eq!(a.id_number, "C1234567");
        assert_eq!(field_of(Applicant { id_type: IdType::Passport, id_number: "C12".into(), ..good() }), "applicant.id_number");
    }
}
