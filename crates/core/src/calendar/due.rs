//! The appointment date and time (ngày hẹn trả kết quả): a pure function of the time received, the
//! procedure's time limit, the office hours and the working-day calendar.
//!
//! Rule implemented: time limits in working days are counted in working hours inside office hours
//! (1 working day = one day's office hours, 8 h with the typical 07:00–11:30 / 13:30–17:00), keeping the
//! time of day, as real provincial one-stop systems do: received Friday 09:32 with 5 working days → due
//! the next Friday at 09:32. The clock starts at the next office-hours instant when a dossier is received
//! outside them. Calendar-day limits ("ngày") end on the same time of day N days later, moved to the next
//! working day when that is a day off (Civil Code 2015 art. 148, [R]). Same-day procedures: by the end of
//! office hours that day, or of the next working day when received after the cut-off (a per-procedure
//! rule from the procedure's published decision).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::WorkCalendar;
use crate::catalog::TimeLimit;
use crate::error::{CoreError, Result};

/// One office session, e.g. 07:00–11:30.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Session {
    #[ts(type = "string")]
    pub start: NaiveTime,
    #[ts(type = "string")]
    pub end: NaiveTime,
}

/// Office hours of the counter (a setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OfficeHours {
    pub sessions: Vec<Session>,
}

impl Default for OfficeHours {
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid");
        OfficeHours {
            sessions: vec![Session { start: t(7, 0), end: t(11, 30) }, Session { start: t(13, 30), end: t(17, 0) }],
        }
    }
}

impl OfficeHours {
    pub fn validate(&self) -> Result<()> {
        if self.sessions.is_empty() {
            return Err(CoreError::validation("office_hours", "Giờ làm việc phải có ít nhất một buổi"));
        }
        let mut prev_end: Option<NaiveTime> = None;
        for s in &self.sessions {
            if s.start >= s.end || prev_end.is_some_and(|p| s.start < p) {
                return Err(CoreError::validation("office_hours", "Các buổi làm việc phải tăng dần và không chồng nhau"));
            }
            prev_end = Some(s.end);
        }
        Ok(())
    }

    /// Minutes of work in one day.
    pub fn day_minutes(&self) -> i64 {
        self.sessions.iter().map(|s| (s.end - s.start).num_minutes()).sum()
    }

    fn opening(&self) -> NaiveTime {
        self.sessions[0].start
    }

    fn closing(&self) -> NaiveTime {
        self.sessions[self.sessions.len() - 1].end
    }
}

fn next_working_day(cal: &WorkCalendar, mut d: NaiveDate) -> NaiveDate {
    loop {
        d = d.succ_opt().expect("date in range");
        if cal.is_working_day(d) {
            return d;
        }
    }
}

/// Adds `minutes` of working time to `from`.
pub fn add_working_minutes(cal: &WorkCalendar, hours: &OfficeHours, from: NaiveDateTime, minutes: i64) -> NaiveDateTime {
    let mut remaining = minutes;
    let mut day = from.date();
    let mut t = from.time();
    if !cal.is_working_day(day) {
        day = next_working_day(cal, day);
        t = hours.opening();
    }
    loop {
        for s in &hours.sessions {
            if t < s.start {
                t = s.start;
            }
            if t >= s.end {
                continue;
            }
            let avail = (s.end - t).num_minutes();
            if remaining <= avail {
                return day.and_time(t) + Duration::minutes(remaining);
            }
            remaining -= avail;
            t = s.end;
        }
        day = next_working_day(cal, day);
        t = hours.opening();
    }
}

/// Working minutes between two instants (0 when `to` is not after `from`): the inverse of
/// `add_working_minutes`, used to stop the clock when a supplement is requested.
pub fn working_minutes_between(cal: &WorkCalendar, hours: &OfficeHours, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
    if to <= from {
        return 0;
    }
    let mut total = 0;
    let mut day = from.date();
    while day <= to.date() {
        if cal.is_working_day(day) {
            for s in &hours.sessions {
                let start = day.and_time(s.start).max(from);
                let end = day.and_time(s.end).min(to);
                if end > start {
                    total += (end - start).num_minutes();
                }
            }
        }
        day = day.succ_opt().expect("date in range");
    }
    total
}

/// Moves a time into office hours: the same instant if inside a session, else the next session start.
/// A day off moves to the next working day at the same time of day first.
fn clamp_forward(cal: &WorkCalendar, hours: &OfficeHours, at: NaiveDateTime) -> NaiveDateTime {
    let mut day = at.date();
    if !cal.is_working_day(day) {
        day = next_working_day(cal, day);
    }
    for s in &hours.sessions {
        if at.time() < s.end {
            return day.and_time(at.time().max(s.start));
        }
    }
    next_working_day(cal, day).and_time(hours.opening())
}

/// The appointment for a dossier received at `received` with time limit `limit`.
pub fn due_at(cal: &WorkCalendar, hours: &OfficeHours, received: NaiveDateTime, limit: &TimeLimit) -> Result<NaiveDateTime> {
    match limit {
        TimeLimit::WorkingDays { days } => {
            if !(*days > 0.0) {
                return Err(CoreError::invalid("Thời hạn giải quyết phải lớn hơn 0"));
            }
            let minutes = (days * hours.day_minutes() as f64).round() as i64;
            Ok(add_working_minutes(cal, hours, received, minutes))
        }
        TimeLimit::CalendarDays { days } => {
            let target = received + Duration::days(*days as i64);
            Ok(clamp_forward(cal, hours, target))
        }
        TimeLimit::SameDay { cutoff } => {
            let cutoff = NaiveTime::parse_from_str(cutoff, "%H:%M")
                .map_err(|_| CoreError::invalid(format!("Giờ cut-off '{cutoff}' không hợp lệ")))?;
            let d = received.date();
            let day = if cal.is_working_day(d) && received.time() <= cutoff { d } else { next_working_day(cal, d) };
            Ok(day.and_time(hours.closing()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_between_inverts_adding_them_across_tet() {
        let (c, h) = (cal(), OfficeHours::default());
        let from = NaiveDate::from_ymd_opt(2026, 2, 12).unwrap().and_hms_opt(10, 30, 0).unwrap();
        for m in [0, 1, 60, 479, 480, 481, 2400, 9000] {
            let to = add_working_minutes(&c, &h, from, m);
            assert_eq!(working_minutes_between(&c, &h, from, to), m, "{m} minutes from {from} -> {to}");
        }
        assert_eq!(working_minutes_between(&c, &h, from, from - Duration::hours(1)), 0);
    }
    use crate::calendar::{CalendarData, DEFAULT_CALENDAR_JSON};

    fn cal() -> WorkCalendar {
        WorkCalendar::with_years(CalendarData::parse(DEFAULT_CALENDAR_JSON).unwrap(), 2023, 2028)
    }
    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn wd(days: f64) -> TimeLimit {
        TimeLimit::WorkingDays { days }
    }
    fn due(received: &str, limit: TimeLimit) -> NaiveDateTime {
        due_at(&cal(), &OfficeHours::default(), at(received), &limit).unwrap()
    }

    #[test]
    fn five_working_days_from_friday_morning_is_next_friday_same_time() {
        // the example real systems print: received Fri 27/10/2023 09:32, 5 working days
        assert_eq!(due("2023-10-27 09:32", wd(5.0)), at("2023-11-03 09:32"));
    }

    #[test]
    fn lunch_break_evening_and_weekend_receipt_start_the_clock_at_next_session() {
        // received in the lunch break: counted from 13:30
        assert_eq!(due("2023-10-25 12:10", wd(0.5)), at("2023-10-26 07:30"));
        // received after closing on Friday: counted from Monday 07:00
        assert_eq!(due("2023-10-27 17:45", wd(1.0)), at("2023-10-30 17:00"));
        // received on a Sunday (online dossier)
        assert_eq!(due("2023-10-29 10:00", wd(2.0)), at("2023-10-31 17:00"));
    }

    #[test]
    fn half_day_limits_end_inside_office_hours() {
        assert_eq!(due("2023-10-25 08:00", wd(0.5)), at("2023-10-25 14:00"));
        // exactly at a session end: stays at the end, does not jump to the next session
        assert_eq!(due("2023-10-25 07:00", wd(0.5)), at("2023-10-25 11:00"));
        assert_eq!(due("2023-10-25 07:30", wd(0.5)), at("2023-10-25 11:30"));
    }

    #[test]
    fn tet_2026_is_skipped() {
        // Tết Bính Ngọ: off Sat 14/2 – Sun 22/2/2026. Received Thu 12/2 10:30 with 3 working days
        // (1440 min): Thu 270 min, Fri 13/2 480, Mon 23/2 480, Tue 24/2 the last 210 → 10:30.
        assert_eq!(due("2026-02-12 10:30", wd(3.0)), at("2026-02-24 10:30"));
    }

    #[test]
    fn tet_2025_with_swapped_days() {
        // Tết Ất Tỵ: off Sat 25/1 – Sun 2/2/2025; Mon 3/2 is a working day.
        assert_eq!(due("2025-01-24 16:00", wd(1.0)), at("2025-02-03 16:00"));
    }

    #[test]
    fn swapped_working_saturday_counts() {
        // 2024: Mon 29/4 off (swapped), Sat 4/5/2024 worked; 30/4, 1/5 holidays.
        // Received Fri 26/4 07:00 with 2 working days: Fri 26/4, then Thu 2/5.
        assert_eq!(due("2024-04-26 07:00", wd(2.0)), at("2024-05-02 17:00"));
        // received Fri 3/5 07:00 with 2 working days: Fri 3/5, Sat 4/5 (làm bù) → Sat 17:00
        assert_eq!(due("2024-05-03 07:00", wd(2.0)), at("2024-05-04 17:00"));
        // 2026: Sat 10/1 worked in exchange for Fri 2/1
        assert_eq!(due("2026-01-09 07:00", wd(2.0)), at("2026-01-10 17:00"));
        assert_eq!(due("2025-12-31 17:00", wd(1.0)), at("2026-01-05 17:00"));
    }

    #[test]
    fn same_day_with_cutoff() {
        let sd = || TimeLimit::SameDay { cutoff: "15:00".into() };
        assert_eq!(due("2026-11-20 14:59", sd()), at("2026-11-20 17:00"));
        // after 15:00 on Friday → Monday
        assert_eq!(due("2026-11-20 15:01", sd()), at("2026-11-23 17:00"));
        // Monday 23/11 after cut-off → Wednesday, as 24/11/2026 is the new Vietnamese Culture Day off
        assert_eq!(due("2026-11-23 16:00", sd()), at("2026-11-25 17:00"));
    }

    #[test]
    fn culture_day_24_11_only_from_2026() {
        assert_eq!(due("2025-11-24 07:00", wd(1.0)), at("2025-11-24 17:00"));
        assert_eq!(due("2026-11-23 07:00", wd(2.0)), at("2026-11-25 17:00"));
    }

    #[test]
    fn calendar_days_move_past_days_off() {
        // 10 calendar days from Mon 20/4/2026 10:00 → Thu 30/4 (holiday) → Mon 4/5? 1/5 Fri holiday,
        // 2/5-3/5 weekend → Mon 4/5 10:00
        assert_eq!(due("2026-04-20 10:00", TimeLimit::CalendarDays { days: 10 }), at("2026-05-04 10:00"));
        assert_eq!(due("2026-04-20 10:00", TimeLimit::CalendarDays { days: 2 }), at("2026-04-22 10:00"));
    }

    #[test]
    fn bad_office_hours_are_refused() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let oh = OfficeHours { sessions: vec![Session { start: t(13), end: t(17) }, Session { start: t(7), end: t(11) }] };
        assert!(oh.validate().is_err());
        assert_eq!(OfficeHours::default().day_minutes(), 480);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Counts working minutes in [from, to) one minute at a time: slow, obviously right.
        fn working_minutes_between(cal: &WorkCalendar, hours: &OfficeHours, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
            let mut t = from;
            let mut n = 0;
            while t < to {
                let inside = cal.is_working_day(t.date()) && hours.sessions.iter().any(|s| t.time() >= s.start && t.time() < s.end);
                if inside {
                    n += 1;
                }
                t += Duration::minutes(1);
            }
            n
        }

        fn received() -> impl Strategy<Value = NaiveDateTime> {
            // any minute from 2023-12-20 to 2027-03-01 (covers three Tết weeks and the swaps)
            (0i64..(1167 * 24 * 60)).prop_map(|m| at("2023-12-20 00:00") + Duration::minutes(m))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn the_appointment_is_exactly_the_limit_in_working_time(r in received(), half_days in 1u32..=10) {
                let c = cal();
                let oh = OfficeHours::default();
                let days = half_days as f64 / 2.0;
                let due = due_at(&c, &oh, r, &TimeLimit::WorkingDays { days }).unwrap();
                prop_assert!(due > r);
                prop_assert!(c.is_working_day(due.date()), "due on a day off: {due}");
                prop_assert!(oh.sessions.iter().any(|s| due.time() > s.start && due.time() <= s.end), "due outside office hours: {due}");
                prop_assert_eq!(working_minutes_between(&c, &oh, r, due), (days * 480.0) as i64);
            }

            #[test]
            fn a_longer_limit_never_gives_an_earlier_date(r in received(), a in 1u32..=20, b in 1u32..=20) {
                let c = cal();
                let oh = OfficeHours::default();
                let da = due_at(&c, &oh, r, &TimeLimit::WorkingDays { days: a as f64 }).unwrap();
                let db = due_at(&c, &oh, r, &TimeLimit::WorkingDays { days: b as f64 }).unwrap();
                prop_assert_eq!(a.cmp(&b), da.cmp(&db));
            }

            #[test]
            fn same_day_and_calendar_days_land_on_working_days(r in received(), n in 1u32..=30) {
                let c = cal();
                let oh = OfficeHours::default();
                let sd = due_at(&c, &oh, r, &TimeLimit::SameDay { cutoff: "15:00".into() }).unwrap();
                prop_assert!(c.is_working_day(sd.date()) && sd >= r && sd.time() == oh.sessions[1].end);
                let cd = due_at(&c, &oh, r, &TimeLimit::CalendarDays { days: n }).unwrap();
                prop_assert!(c.is_working_day(cd.date()) && cd >= r + Duration::days(n as i64));
            }
        }
    }
}
