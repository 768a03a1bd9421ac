//! The working-day calendar of a Vietnamese state office, as data.
//!
//! Rules in force (cited per rule in `assets/calendar/vn-calendar.json`):
//! - Weekly rest: Saturday and Sunday for state offices (Decision 188/1999/QĐ-TTg).
//! - Public holidays: Labour Code 2019 art. 112 (1/1; Tết 5 days; Hùng Kings 10/3 lunar; 30/4; 1/5;
//!   2/9 plus one adjacent day), and from 1/7/2026 24/11 (Resolution 28/2026/QH16, reported).
//!   Lunar dates are computed (Vietnamese calendar, UTC+7), never typed in by year.
//! - Art. 111(3): a holiday on a weekly rest day gives a day in lieu on the next working day.
//! - Each year's government decision for civil servants: extra days off, Saturdays worked in exchange
//!   ("làm bù", which ARE working days) and days the computed rules gave that the decision moved.
//!
//! Holidays change by law, so every rule carries validity dates and the whole thing is replaceable.

pub mod due;
pub mod lunar;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};

pub const DEFAULT_CALENDAR_JSON: &str = include_str!("../../../../assets/calendar/vn-calendar.json");

/// How a holiday rule finds its day in a given year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum HolidayDate {
    /// A fixed solar date.
    Solar { month: u32, day: u32 },
    /// A date of the Vietnamese lunar calendar (non-leap month).
    Lunar { month: u32, day: u32 },
    /// Tết: `before` days before lunar new year's day (the last days of the old year), the day itself
    /// and `after` days after it.
    LunarNewYear { before: u32, after: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HolidayRule {
    pub id: String,
    pub name: String,
    pub date: HolidayDate,
    /// Whether a day in lieu is given when it falls on a weekly rest day (art. 111(3)).
    #[serde(default = "yes")]
    pub in_lieu: bool,
    /// First day the rule applies (inclusive, `YYYY-MM-DD`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day the rule applies (inclusive).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    #[serde(default)]
    pub source: String,
}

fn yes() -> bool {
    true
}

/// One year's government decision for civil servants (days off and swapped working Saturdays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct YearDecision {
    pub year: i32,
    /// Days off beyond the computed statutory ones (e.g. a bridge day swapped with a Saturday).
    #[serde(default)]
    pub extra_days_off: Vec<NaiveDate>,
    /// Weekend days that are working days this year ("làm bù").
    #[serde(default)]
    pub working_days: Vec<NaiveDate>,
    /// Computed holidays or days in lieu that this decision moved elsewhere: working days after all.
    #[serde(default)]
    pub cancelled: Vec<NaiveDate>,
    /// Days of this entry that follow a precedent, not a published decision (shown as "tạm tính";
    /// replaced when the portal's calendar brings the decision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<NaiveDate>>", optional)]
    pub provisional: Vec<NaiveDate>,
    /// "decided", "partial" or "unconfirmed".
    pub status: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CalendarData {
    pub schema: String,
    pub version: String,
    pub rules: Vec<HolidayRule>,
    pub years: Vec<YearDecision>,
}

impl CalendarData {
    pub fn parse(json: &str) -> Result<Self> {
        let d: CalendarData = serde_json::from_str(json)
            .map_err(|e| CoreError::invalid(format!("Tệp lịch nghỉ không đúng định dạng: {e}")))?;
        if d.schema != "motcua.calendar/1" {
            return Err(CoreError::invalid(format!("Tệp lịch nghỉ có schema '{}' không được hỗ trợ", d.schema)));
        }
        for y in &d.years {
            for day in y.extra_days_off.iter().chain(&y.working_days).chain(&y.cancelled) {
                if day.year() != y.year {
                    return Err(CoreError::invalid(format!("Quyết định năm {}: ngày {day} không thuộc năm đó", y.year)));
                }
            }
        }
        Ok(d)
    }
}

/// A day's standing in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    Working,
    WeeklyRest,
    Holiday,
    /// A weekend day worked in exchange for a bridge day off.
    SwappedWorking,
}

/// The calendar resolved into days: built once from `CalendarData`, then a pure lookup.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    /// Non-weekend days off, per year (holidays, days in lieu, extra days off).
    off: BTreeMap<i32, BTreeSet<NaiveDate>>,
    /// Weekend days that are worked.
    worked: BTreeSet<NaiveDate>,
    names: BTreeMap<NaiveDate, String>,
    first_year: i32,
    last_year: i32,
    data: CalendarData,
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl WorkCalendar {
    /// Resolves the rules for the years `first_year..=last_year` (dates outside count weekends only).
    pub fn new(data: CalendarData) -> Self {
        Self::with_years(data, 2000, 2100)
    }

    pub fn with_years(data: CalendarData, first_year: i32, last_year: i32) -> Self {
        let mut cal = WorkCalendar {
            off: BTreeMap::new(),
            worked: BTreeSet::new(),
            names: BTreeMap::new(),
            first_year,
            last_year,
            data,
        };
        for year in first_year..=last_year {
            cal.resolve_year(year);
        }
        cal
    }

    pub fn data(&self) -> &CalendarData {
        &self.data
    }

    fn resolve_year(&mut self, year: i32) {
        // 1. statutory holidays computed from the rules valid on each date
        let mut holidays: BTreeMap<NaiveDate, (String, bool)> = BTreeMap::new();
        for rule in &self.data.rules {
            for d in rule_dates(&rule.date, year) {
                let valid = rule.valid_from.is_none_or(|f| d >= f) && rule.valid_to.is_none_or(|t| d <= t);
                if valid {
                    holidays.entry(d).or_insert((rule.name.clone(), rule.in_lieu));
                }
            }
        }
        // 2. days in lieu for holidays on weekly rest days: the next working day not already off
        let mut off: BTreeSet<NaiveDate> = holidays.keys().copied().filter(|d| !is_weekend(*d)).collect();
        for (d, (name, in_lieu)) in &holidays {
            if is_weekend(*d) && *in_lieu {
                let mut n = d.succ_opt().expect("date in range");
                while is_weekend(n) || off.contains(&n) || holidays.contains_key(&n) {
                    n = n.succ_opt().expect("date in range");
                }
                off.insert(n);
                self.names.insert(n, format!("Nghỉ bù {name}"));
            }
        }
        for (d, (name, _)) in &holidays {
            self.names.entry(*d).or_insert_with(|| name.clone());
        }
        // 3. the year's decision: cancel moved days, add extra days off, add worked weekend days
        for dec in self.data.years.iter().filter(|y| y.year == year) {
            for c in &dec.cancelled {
                off.remove(c);
                self.names.remove(c);
            }
            for e in &dec.extra_days_off {
                if !is_weekend(*e) {
                    off.insert(*e);
                }
                let name = if dec.provisional.contains(e) {
                    "Nghỉ (tạm tính theo tiền lệ, chờ quyết định của Chính phủ)"
                } else {
                    "Nghỉ theo quyết định của Chính phủ"
                };
                self.names.entry(*e).or_insert_with(|| name.to_string());
            }
            for w in &dec.working_days {
                self.worked.insert(*w);
                self.names.insert(*w, "Làm bù".to_string());
            }
        }
        self.off.insert(year, off);
    }

    pub fn day_kind(&self, d: NaiveDate) -> DayKind {
        if self.worked.contains(&d) {
            return DayKind::SwappedWorking;
        }
        if self.off.get(&d.year()).is_some_and(|s| s.contains(&d)) {
            return DayKind::Holiday;
        }
        if is_weekend(d) {
            // a holiday on a weekend is still a day off; report it as a holiday for display
            if self.names.contains_key(&d) {
                return DayKind::Holiday;
            }
            return DayKind::WeeklyRest;
        }
        DayKind::Working
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        matches!(self.day_kind(d), DayKind::Working | DayKind::SwappedWorking)
    }

    /// Why a day is special ("Tết Nguyên đán", "Nghỉ bù …", "Làm bù"), if it is.
    pub fn day_name(&self, d: NaiveDate) -> Option<&str> {
        self.names.get(&d).map(String::as_str)
    }

    /// True when the year has a government decision recorded as fully decided.
    pub fn year_decided(&self, year: i32) -> bool {
        self.data.years.iter().any(|y| y.year == year && y.status == "decided")
    }

    pub fn covers(&self, year: i32) -> bool {
        (self.first_year..=self.last_year).contains(&year)
    }

    /// The days of a year that differ from the plain Monday–Friday week: weekdays off (holidays,
    /// days in lieu, bridge days) and weekend days worked, with their names, in date order.
    pub fn special_days(&self, year: i32) -> Vec<SpecialDay> {
        let Some(start) = NaiveDate::from_ymd_opt(year, 1, 1) else { return vec![] };
        start
            .iter_days()
            .take_while(|d| d.year() == year)
            .filter_map(|d| {
                let working = match self.day_kind(d) {
                    DayKind::Holiday => false,
                    DayKind::SwappedWorking => true,
                    _ if !is_weekend(d) && !self.is_working_day(d) => false,
                    _ => return None,
                };
                let provisional = self.data.years.iter().any(|y| y.year == year && y.provisional.contains(&d));
                Some(SpecialDay { date: d.to_string(), working, name: self.day_name(d).map(str::to_string), provisional })
            })
            .collect()
    }
}

/// A day that is not as the plain week would have it (`WorkCalendar::special_days`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecialDay {
    /// YYYY-MM-DD
    pub date: String,
    /// True for a weekend day worked, false for a weekday off.
    pub working: bool,
    pub name: Option<String>,
    /// Follows a precedent, not a published decision yet.
    pub provisional: bool,
}

/// The dates a rule gives in a (solar) year.
fn rule_dates(date: &HolidayDate, year: i32) -> Vec<NaiveDate> {
    match *date {
        HolidayDate::Solar { month, day } => NaiveDate::from_ymd_opt(year, month, day).into_iter().collect(),
        HolidayDate::Lunar { month, day } => lunar::lunar_to_solar(year, month, day).into_iter().collect(),
        HolidayDate::LunarNewYear { before, after } => match lunar::lunar_to_solar(year, 1, 1) {
            Some(ny) => (-(before as i64)..=after as i64).map(|k| ny + chrono::Duration::days(k)).collect(),
            None => vec![],
        },
    }
}

#[cfg(test)]
mod tests;
