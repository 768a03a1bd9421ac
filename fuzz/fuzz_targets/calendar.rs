//! A calendar file from outside: parse it, then ask it about every day of a few years (lunar
//! holidays, in-lieu days, swaps) and compute appointments with it.
#![no_main]
use motcua_core::calendar::{CalendarData, WorkCalendar};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(cal) = CalendarData::parse(&text) {
        let cal = WorkCalendar::new(cal);
        let mut d = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        for _ in 0..500 {
            let _ = cal.is_working_day(d);
            let _ = cal.day_name(d);
            d = d.succ_opt().unwrap();
        }
    }
});
