//! Vietnamese lunar dates, computed (not tabled) with the `amlich-core` crate, which implements
//! Hồ Ngọc Đức's astronomical algorithm for the UTC+7 meridian. The Chinese calendar (UTC+8) differs
//! in some years (e.g. Tết 2007), so a Chinese-calendar crate would be wrong here.

use chrono::NaiveDate;

const VN_TIME_ZONE: f64 = 7.0;

/// The solar date of lunar `day`/`month` (non-leap month) of the lunar year that starts in solar `year`.
pub fn lunar_to_solar(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let (d, m, y) = amlich_core::lunar::convert_lunar_to_solar(day as i32, month as i32, year, false, VN_TIME_ZONE);
    if d == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m as u32, d as u32)
}

/// The lunar (day, month, year, leap) of a solar date.
pub fn solar_to_lunar(date: NaiveDate) -> (u32, u32, i32, bool) {
    use chrono::Datelike;
    let l = amlich_core::lunar::convert_solar_to_lunar(date.day() as i32, date.month() as i32, date.year(), VN_TIME_ZONE);
    (l.day as u32, l.month as u32, l.year, l.is_leap)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }
    #[test]
    fn tet_dates_match_the_vietnamese_calendar() {
        // mùng 1 Tết, as published in Vietnam
        for (y, date) in [(2024, d(2024, 2, 10)), (2025, d(2025, 1, 29)), (2026, d(2026, 2, 17)), (2027, d(2027, 2, 6)), (2028, d(2028, 1, 26))] {
            assert_eq!(lunar_to_solar(y, 1, 1), Some(date), "Tết {y}");
        }
        // 2007: Vietnam 17/2, China 18/2 — the UTC+7 meridian matters
        assert_eq!(lunar_to_solar(2007, 1, 1), Some(d(2007, 2, 17)));
    }
    #[test]
    fn hung_kings_day() {
        assert_eq!(lunar_to_solar(2024, 3, 10), Some(d(2024, 4, 18)));
        assert_eq!(lunar_to_solar(2025, 3, 10), Some(d(2025, 4, 7)));
        assert_eq!(lunar_to_solar(2026, 3, 10), Some(d(2026, 4, 26)));
        assert_eq!(lunar_to_solar(2027, 3, 10), Some(d(2027, 4, 16)));
    }
    #[test]
    fn round_trip() {
        assert_eq!(solar_to_lunar(d(2026, 2, 17)), (1, 1, 2026, false));
        assert_eq!(solar_to_lunar(d(2026, 2, 16)).1, 12);
    }
}
