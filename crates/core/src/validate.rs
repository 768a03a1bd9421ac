//! Field validation for intake. Every rule names the field it concerns and explains in Vietnamese
//! what to fix; invalid input writes nothing. Text is NFC-normalised and trimmed first.

use chrono::{Datelike, NaiveDate};

use crate::dossier::{Applicant, IdType, IdentityDetails};
use crate::error::{CoreError, Problems, Result};
use crate::limits;

/// Province codes that open a CCCD number (Circular 07/2016/TT-BCA, appendix; kept by Circular
/// 59/2021/TT-BCA) [S]. The 2025 province mergers did not renumber issued cards.
const CCCD_PROVINCES: &[(u16, &str)] = &[
    (1, "Hà Nội"), (2, "Hà Giang"), (4, "Cao Bằng"), (6, "Bắc Kạn"), (8, "Tuyên Quang"), (10, "Lào Cai"), (11, "Điện Biên"),
    (12, "Lai Châu"), (14, "Sơn La"), (15, "Yên Bái"), (17, "Hòa Bình"), (19, "Thái Nguyên"), (20, "Lạng Sơn"), (22, "Quảng Ninh"),
    (24, "Bắc Giang"), (25, "Phú Thọ"), (26, "Vĩnh Phúc"), (27, "Bắc Ninh"), (30, "Hải Dương"), (31, "Hải Phòng"), (33, "Hưng Yên"),
    (34, "Thái Bình"), (35, "Hà Nam"), (36, "Nam Định"), (37, "Ninh Bình"), (38, "Thanh Hóa"), (40, "Nghệ An"), (42, "Hà Tĩnh"),
    (44, "Quảng Bình"), (45, "Quảng Trị"), (46, "Thừa Thiên Huế"), (48, "Đà Nẵng"), (49, "Quảng Nam"), (51, "Quảng Ngãi"),
    (52, "Bình Định"), (54, "Phú Yên"), (56, "Khánh Hòa"), (58, "Ninh Thuận"), (60, "Bình Thuận"), (62, "Kon Tum"), (64, "Gia Lai"),
    (66, "Đắk Lắk"), (67, "Đắk Nông"), (68, "Lâm Đồng"), (70, "Bình Phước"), (72, "Tây Ninh"), (74, "Bình Dương"), (75, "Đồng Nai"),
    (77, "Bà Rịa - Vũng Tàu"), (79, "Hồ Chí Minh"), (80, "Long An"), (82, "Tiền Giang"), (83, "Bến Tre"), (84, "Trà Vinh"),
    (86, "Vĩnh Long"), (87, "Đồng Tháp"), (89, "An Giang"), (91, "Kiên Giang"), (92, "Cần Thơ"), (93, "Hậu Giang"), (94, "Sóc Trăng"),
    (95, "Bạc Liêu"), (96, "Cà Mau"),
];

/// The province (as it was when the code was assigned, before the 2025 mergers) a CCCD number's
/// first three digits name.
pub fn cccd_province_name(code: u16) -> Option<&'static str> {
    CCCD_PROVINCES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

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
    if cccd_province_name(province).is_none() {
        return Err(err(f, format!("Số CCCD bắt đầu bằng mã tỉnh {:03} không tồn tại", province)));
    }
    if let Some(b) = birth {
        let year = crate::card::id_birth(number).year;
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
    let relation = limits::text("representative.relation", "Quan hệ với người nộp", &r.relation, limits::RELATION)?;
    let authorisation = limits::text("representative.authorisation", "Giấy ủy quyền", &r.authorisation, limits::MISSING_ITEM)?;
    if full_name.is_empty() && id_number.is_empty() && r.phone.trim().is_empty() && relation.is_empty() && authorisation.is_empty() {
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
    Ok(Some(crate::dossier::Representative { full_name, id_number, phone, relation, authorisation, card_read_at: None }))
}

/// Normalises and checks an applicant. `today` bounds the dates. Every wrong field is named at once
/// (`CoreError::Fields`), so the clerk fixes them in one pass.
pub fn applicant(a: &Applicant, today: NaiveDate) -> Result<Applicant> {
    let mut p = Problems::default();
    let full_name = p.take(person_name("applicant.full_name", "Họ và tên", &a.full_name, "Họ và tên người nộp không được để trống"));
    let dob = p.take(birth_date(&a.date_of_birth, today));
    let id_number = p.take(id_number(a.id_type, &a.id_number)).flatten();
    if let (Some(n), Some(b)) = (&id_number, dob) {
        if a.id_type == IdType::Cccd {
            p.take(check_cccd_birth(n, b));
        }
    }
    let phone = p.take(limits::length("applicant.phone", "Số điện thoại", &a.phone, limits::PHONE).and_then(|_| normalise_phone(&a.phone)));
    let address = p.take(limits::text("applicant.address", "Địa chỉ", &a.address, limits::ADDRESS).and_then(|a| {
        if a.is_empty() {
            Err(err("applicant.address", "Địa chỉ không được để trống"))
        } else {
            Ok(a)
        }
    }));
    let email = p.take(email(a.email.as_deref()));
    let identity = p.take(identity(&a.identity, dob, today));
    p.finish()?;
    let (Some(full_name), Some(dob), Some(id_number), Some(phone), Some(address), Some(email), Some(identity)) =
        (full_name, dob, id_number, phone, address, email, identity)
    else {
        unreachable!("every part checked")
    };
    Ok(Applicant {
        full_name,
        id_type: a.id_type,
        id_number,
        date_of_birth: dob.format("%Y-%m-%d").to_string(),
        phone,
        address,
        email,
        identity,
    })
}

/// A person's name: letters, spaces, hyphens, apostrophes and dots; `empty` when it is required.
fn person_name(field: &str, label: &str, value: &str, empty: &str) -> Result<String> {
    let name = limits::text(field, label, value, limits::NAME)?;
    if name.is_empty() {
        return Err(err(field, empty));
    }
    if name.chars().any(|c| c.is_ascii_digit() || (!c.is_alphabetic() && !matches!(c, ' ' | '\'' | '-' | '.'))) {
        return Err(err(field, format!("{label} chỉ gồm chữ cái, dấu cách, dấu gạch nối")));
    }
    Ok(name)
}

fn birth_date(value: &str, today: NaiveDate) -> Result<NaiveDate> {
    let f = "applicant.date_of_birth";
    limits::length(f, "Ngày sinh", value, limits::DATE_INPUT)?;
    if value.trim().is_empty() {
        return Err(err(f, "Ngày sinh không được để trống"));
    }
    let dob = crate::dates::read_birth_date(f, value, today)?;
    if dob > today {
        return Err(err(f, format!("Ngày sinh {} là ngày trong tương lai", crate::dates::format_date(dob))));
    }
    if dob.year() < 1900 {
        return Err(err(f, format!("Ngày sinh {} trước năm 1900: kiểm tra lại năm sinh", crate::dates::format_date(dob))));
    }
    Ok(dob)
}

/// The ID number by its kind (None never: `Option` keeps `take` uniform).
fn id_number(kind: IdType, value: &str) -> Result<Option<String>> {
    let id_number: String = limits::text("applicant.id_number", "Số giấy tờ", value, limits::ID_NUMBER)?.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if id_number.is_empty() {
        return Err(err("applicant.id_number", "Số giấy tờ tùy thân không được để trống"));
    }
    match kind {
        IdType::Cccd => check_cccd(&id_number, None)?,
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
    Ok(Some(id_number))
}

fn check_cccd_birth(number: &str, dob: NaiveDate) -> Result<()> {
    check_cccd(number, Some(dob))
}

fn email(value: Option<&str>) -> Result<Option<String>> {
    match value.map(|e| limits::text("applicant.email", "Địa chỉ email", e, limits::EMAIL)).transpose()? {
        None => Ok(None),
        Some(e) if e.is_empty() => Ok(None),
        Some(e) => {
            let ok = e.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
                && !e.contains(' ');
            if !ok {
                return Err(err("applicant.email", "Địa chỉ email không hợp lệ"));
            }
            Ok(Some(e.to_lowercase()))
        }
    }
}

/// Gender, old ID and date of issue as typed or read; the card's provenance is the core's to set
/// (`intake::card_provenance`), never the request's.
pub fn identity(d: &IdentityDetails, dob: Option<NaiveDate>, today: NaiveDate) -> Result<IdentityDetails> {
    let old_id_number = match d.old_id_number.as_deref().map(|o| limits::text("applicant.identity.old_id_number", "Số CMND cũ", o, limits::ID_NUMBER)).transpose()? {
        Some(o) if o.is_empty() => None,
        Some(o) => {
            let o: String = o.chars().filter(|c| !c.is_whitespace()).collect();
            if !((o.len() == 9 || o.len() == 12) && o.bytes().all(|b| b.is_ascii_digit())) {
                return Err(err("applicant.identity.old_id_number", "Số CMND cũ gồm 9 (hoặc 12) chữ số"));
            }
            Some(o)
        }
        None => None,
    };
    let id_issued_on = match d.id_issued_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => {
            let f = "applicant.identity.id_issued_on";
            limits::length(f, "Ngày cấp", v, limits::DATE_INPUT)?;
            let issued = crate::dates::read_date(f, v)?;
            if issued > today || dob.is_some_and(|b| issued < b) {
                return Err(err(f, format!("Ngày cấp {} phải sau ngày sinh và không sau hôm nay", crate::dates::format_date(issued))));
            }
            Some(issued.format("%Y-%m-%d").to_string())
        }
    };
    let unit_code = match d.unit_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => {
            // its shape here; that the map in use has it, in `intake::check_request` (it knows the store)
            limits::length("applicant.identity.unit_code", "Đơn vị hành chính", c, limits::CODE)?;
            if !(c.len() == 5 && c.bytes().all(|b| b.is_ascii_digit())) {
                return Err(err("applicant.identity.unit_code", format!("Mã đơn vị hành chính {c} phải gồm 5 chữ số")));
            }
            Some(c.to_string())
        }
    };
    let card_address = d
        .card_address
        .as_deref()
        .map(|a| limits::text("applicant.identity.card_address", "Địa chỉ trên thẻ", a, limits::ADDRESS))
        .transpose()?
        .filter(|a| !a.is_empty());
    Ok(IdentityDetails { gender: d.gender, old_id_number, id_issued_on, card_read_at: None, unit_code, card_address, from_card: Vec::new() })
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
            identity: Default::default(),
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
