//! Dates as a clerk types them, and as a clerk reads them: the one parser behind every typed date
//! (a birth date at intake, a new appointment, a report's period in the CLI or the UI) and the one
//! Vietnamese display format (forms, messages). The UI sends what was typed; the core reads it here.
//!
//! Accepted: `dd/mm/yyyy` (also `d/m/yyyy`), with `-` or `.` instead of `/`, `ddmmyyyy`, and ISO
//! `yyyy-mm-dd`; a time may follow after a space as `HH:MM` (or `HHhMM`). Anything else, or a day
//! that does not exist (31/02), is refused.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::error::{CoreError, Result};

/// Weekday names, Monday first (`chrono`'s `num_days_from_monday`).
pub const WEEKDAYS: [&str; 7] = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"];

/// Parses a typed date (see the module's list). None when it is not a real date.
pub fn parse_typed_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    if s.len() > 10 || s.is_empty() {
        return None;
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return (s.len() == 10).then_some(d);
    }
    let (d, m, y) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[0..2], &s[2..4], &s[4..8])
    } else {
        let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
        let mut parts = s.split(sep);
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 || y.len() != 4 {
            return None;
        }
        (d, m, y)
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(d) && all_digits(m) && all_digits(y)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Parses a typed date with an optional time (`dd/mm/yyyy HH:MM`); a date alone takes `default_time`.
/// Full ISO date-times (`2026-02-12T10:30`, RFC 3339) are accepted too.
pub fn parse_typed_datetime(input: &str, default_time: NaiveTime) -> Option<NaiveDateTime> {
    let s = input.trim();
    if s.len() > 40 {
        return None;
    }
    if let Some(t) = crate::clock::parse_local(s) {
        return Some(t);
    }
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let d = parse_typed_date(date)?;
    let t = match time {
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M").or_else(|_| NaiveTime::parse_from_str(t, "%Hh%M")).ok()?,
        None => default_time,
    };
    Some(d.and_time(t))
}

fn shown(value: &str) -> String {
    let v: String = value.trim().chars().take(crate::limits::DATE_INPUT).collect();
    crate::text::for_terminal(&v).into_owned()
}

/// A typed date for `field`, or the clerk's message saying what is expected.
pub fn read_date(field: &str, value: &str) -> Result<NaiveDate> {
    parse_typed_date(value)
        .ok_or_else(|| CoreError::validation(field, format!("Ngày \"{}\" không đúng dạng ngày/tháng/năm (ví dụ 05/03/2026)", shown(value))))
}

/// A date of birth as typed: every form `parse_typed_date` reads, and also a two-digit year where
/// only one century gives an age of 0–100 on `today` ("1/2/90" → 01/02/1990; "1/2/05" → 2005). A
/// two-digit year both centuries allow ("26" in 2026: 1926 or 2026) is refused, saying so.
pub fn read_birth_date(field: &str, value: &str, today: NaiveDate) -> Result<NaiveDate> {
    if let Some(d) = parse_typed_date(value) {
        return Ok(d);
    }
    let s = value.trim();
    let two_digit = s.find(['/', '-', '.']).and_then(|_| {
        let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
        let parts: Vec<&str> = s.split(sep).collect();
        let ok = parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| (parts[0].parse::<u32>().ok(), parts[1].parse::<u32>().ok(), parts[2].len() == 2, parts[2].parse::<i32>().ok()))
    });
    if let Some((Some(d), Some(m), true, Some(yy))) = two_digit {
        let fits = |y: i32| NaiveDate::from_ymd_opt(y, m, d).filter(|b| *b <= today && today.year() - b.year() <= 100);
        return match (fits(1900 + yy), fits(2000 + yy)) {
            (Some(b), None) | (None, Some(b)) => Ok(b),
            (Some(_), Some(_)) => Err(CoreError::validation(
                field,
                format!("Năm sinh \"{yy:02}\" có thể là 19{yy:02} hoặc 20{yy:02}: gõ đủ 4 chữ số của năm (ví dụ {d:02}/{m:02}/20{yy:02})"),
            )),
            (None, None) => Err(CoreError::validation(field, format!("Ngày sinh \"{}\" không có thật", shown(value)))),
        };
    }
    Err(CoreError::validation(
        field,
        format!("Ngày sinh \"{}\" không đúng dạng: gõ ngày/tháng/năm, ví dụ 05/03/1990, 5/3/90 hoặc 05031990", shown(value)),
    ))
}

/// A typed date and time for `field` (a date alone takes `default_time`), or the clerk's message.
pub fn read_datetime(field: &str, value: &str, default_time: NaiveTime) -> Result<NaiveDateTime> {
    parse_typed_datetime(value, default_time).ok_or_else(|| {
        CoreError::validation(field, format!("Thời điểm \"{}\" không đúng dạng ngày/tháng/năm giờ:phút (ví dụ 12/02/2026 10:30)", shown(value)))
    })
}

/// "12/02/2026"
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "17:00 12/02/2026" (printed forms)
pub fn format_time_date(t: NaiveDateTime) -> String {
    format!("{:02}:{:02} {}", t.hour(), t.minute(), format_date(t.date()))
}

/// "ngày 05 tháng 02 năm 2026" (Decree 30/2020 on administrative documents: days below 10 and
/// months below 3 take a leading zero).
pub fn format_decree30_date(d: NaiveDate) -> String {
    let month = if d.month() < 3 { format!("{:02}", d.month()) } else { d.month().to_string() };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// "17 giờ 00 phút, ngày 12 tháng 02 năm 2026"
pub fn format_decree30_datetime(t: NaiveDateTime) -> String {
    format!("{:02} giờ {:02} phút, {}", t.hour(), t.minute(), format_decree30_date(t.date()))
}

/// "17:00 thứ Năm, 12/02/2026"
pub fn format_datetime(t: NaiveDateTime) -> String {
    format!("{:02}:{:02} {}, {}", t.hour(), t.minute(), WEEKDAYS[t.weekday().num_days_from_monday() as usize], format_date(t.date()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn typed_dates_table() {
        let table: &[(&str, Option<NaiveDate>)] = &[
            ("05/03/1990", ymd(1990, 3, 5)),
            ("5/3/1990", ymd(1990, 3, 5)),
            (" 05-03-1990 ", ymd(1990, 3, 5)),
            ("05.03.1990", ymd(1990, 3, 5)),
            ("05031990", ymd(1990, 3, 5)),
            ("1990-03-05", ymd(1990, 3, 5)),
            ("29/02/2024", ymd(2024, 2, 29)),
            ("29/02/2023", None),
            ("31/04/2026", None),
            ("00/01/2026", None),
            ("01/13/2026", None),
            ("1/1/26", None),
            ("05/03-1990", None),
            ("05/03/1990/1", None),
            ("aa/bb/cccc", None),
            ("+5/3/1990", None),
            ("1990-3-5", None),
            ("", None),
            ("05 03 1990", None),
            ("٠٥/٠٣/١٩٩٠", None),
            ("12345678901234567890", None),
        ];
        for (input, want) in table {
            assert_eq!(parse_typed_date(input), *want, "{input:?}");
        }
    }

    #[test]
    fn typed_datetimes_table() {
        let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
        let at = |y, m, d, h, mi| ymd(y, m, d).map(|d| d.and_hms_opt(h, mi, 0).unwrap());
        let table: &[(&str, Option<NaiveDateTime>)] = &[
            ("12/02/2026", at(2026, 2, 12, 17, 0)),
            ("12/02/2026 09:30", at(2026, 2, 12, 9, 30)),
            ("12-02-2026 9h30", at(2026, 2, 12, 9, 30)),
            ("2026-02-12T10:30", at(2026, 2, 12, 10, 30)),
            ("2026-02-12T03:30:00Z", at(2026, 2, 12, 10, 30)),
            ("12/02/2026 25:00", None),
            ("12/02/2026 sáng", None),
            ("mai", None),
        ];
        for (input, want) in table {
            assert_eq!(parse_typed_datetime(input, five), *want, "{input:?}");
        }
    }

    #[test]
    fn a_bad_date_names_its_field_in_vietnamese() {
        let e = read_date("from", "31/02/2026").unwrap_err().to_app_error();
        assert_eq!(e.field.as_deref(), Some("from"));
        assert!(e.message.contains("ngày/tháng/năm"), "{}", e.message);
        let long = "9".repeat(10_000);
        assert!(read_date("to", &long).unwrap_err().to_string().len() < 200);
        assert!(read_datetime("received", "12/02/2026 10:30", NaiveTime::MIN).is_ok());
    }

    #[test]
    fn displays_in_vietnamese() {
        let t = NaiveDate::from_ymd_opt(2026, 2, 12).unwrap().and_hms_opt(17, 0, 0).unwrap();
        assert_eq!(format_datetime(t), "17:00 thứ Năm, 12/02/2026");
        assert_eq!(format_date(t.date()), "12/02/2026");
        assert_eq!(format_time_date(t), "17:00 12/02/2026");
        assert_eq!(format_decree30_datetime(t), "17 giờ 00 phút, ngày 12 tháng 02 năm 2026");
        assert_eq!(format_decree30_date(NaiveDate::from_ymd_opt(2026, 11, 5).unwrap()), "ngày 05 tháng 11 năm 2026");
        let sun = NaiveDate::from_ymd_opt(2026, 2, 15).unwrap().and_hms_opt(8, 5, 0).unwrap();
        assert_eq!(format_datetime(sun), "08:05 Chủ nhật, 15/02/2026");
    }
}
