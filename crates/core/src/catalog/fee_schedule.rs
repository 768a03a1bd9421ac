//! Fees that depend on what the citizen brings: a certified copy is charged by the page (Thông tư
//! 226/2016/TT-BTC Điều 4: 2.000 đ/trang for the first two pages, 1.000 đ/trang from the third, at
//! most 200.000 đ per copy), a signature or a contract by the case. The clerk types the pages and
//! copies (or the number of cases); the core computes the fee. The figures are catalog data.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};

/// How a fee grows with what is brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum FeeSchedule {
    /// Per page of the original, per copy: per copy = min(max_per_copy, first_rate × min(pages,
    /// first_pages) + next_rate × max(0, pages − first_pages)); total = per copy × copies.
    PerPage {
        first_pages: u32,
        #[ts(type = "number")]
        first_rate: i64,
        #[ts(type = "number")]
        next_rate: i64,
        #[ts(type = "number")]
        max_per_copy: i64,
    },
    /// The fee's amount per unit ("trường hợp", "hợp đồng", "bản").
    PerUnit { unit: String },
}

/// What the clerk counted for a scheduled fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FeeUnits {
    /// Pages of the original (per page), or units (per unit).
    pub count: u32,
    /// Copies wanted (per page); 1 when absent.
    #[serde(default)]
    #[ts(optional)]
    pub copies: Option<u32>,
}

/// The most pages, copies or units one dossier may count.
pub const MAX_UNITS: u32 = 10_000;

impl FeeSchedule {
    /// The fee for what was counted, in đồng; `amount` is the catalog's amount (per unit).
    pub fn fee(&self, amount: i64, units: FeeUnits) -> Result<i64> {
        let copies = units.copies.unwrap_or(1);
        if units.count == 0 || units.count > MAX_UNITS {
            return Err(CoreError::validation("fee_units.count", format!("{} phải từ 1 đến {MAX_UNITS}", self.count_label())));
        }
        if copies == 0 || copies > MAX_UNITS {
            return Err(CoreError::validation("fee_units.copies", format!("Số bản phải từ 1 đến {MAX_UNITS}")));
        }
        Ok(match self {
            FeeSchedule::PerPage { first_pages, first_rate, next_rate, max_per_copy } => {
                let pages = i64::from(units.count);
                let first = pages.min(i64::from(*first_pages));
                let per_copy = (first_rate * first + next_rate * (pages - first)).min(*max_per_copy);
                per_copy * i64::from(copies)
            }
            FeeSchedule::PerUnit { .. } => amount * i64::from(units.count),
        })
    }

    /// What the clerk is asked to count, in words.
    pub fn count_label(&self) -> String {
        match self {
            FeeSchedule::PerPage { .. } => "Số trang bản chính".into(),
            FeeSchedule::PerUnit { unit } => format!("Số {unit}"),
        }
    }

    /// Whether copies are asked for too.
    pub fn asks_copies(&self) -> bool {
        matches!(self, FeeSchedule::PerPage { .. })
    }

    pub(crate) fn check(&self) -> std::result::Result<(), String> {
        match self {
            FeeSchedule::PerPage { first_pages, first_rate, next_rate, max_per_copy } => {
                let ok = *first_pages <= 100 && [*first_rate, *next_rate, *max_per_copy].iter().all(|v| (0..=100_000_000).contains(v));
                if ok { Ok(()) } else { Err("biểu phí theo trang không hợp lệ".into()) }
            }
            FeeSchedule::PerUnit { unit } => {
                if unit.trim().is_empty() || unit.chars().count() > 30 || crate::limits::first_unprintable(unit).is_some() {
                    Err("đơn vị tính phí không hợp lệ".into())
                } else {
                    Ok(())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy() -> FeeSchedule {
        FeeSchedule::PerPage { first_pages: 2, first_rate: 2000, next_rate: 1000, max_per_copy: 200_000 }
    }

    #[test]
    fn certified_copies_by_page_and_copy() {
        let f = |pages, copies| copy().fee(2000, FeeUnits { count: pages, copies: Some(copies) }).unwrap();
        assert_eq!(f(1, 1), 2_000);
        assert_eq!(f(2, 1), 4_000);
        assert_eq!(f(3, 1), 5_000);
        assert_eq!(f(5, 3), 3 * 7_000);
        assert_eq!(f(500, 1), 200_000, "capped per copy");
        assert_eq!(f(500, 2), 400_000);
        assert_eq!(copy().fee(2000, FeeUnits { count: 2, copies: None }).unwrap(), 4_000, "one copy by default");
        assert!(copy().fee(2000, FeeUnits { count: 0, copies: Some(1) }).is_err());
        assert!(copy().fee(2000, FeeUnits { count: 1, copies: Some(MAX_UNITS + 1) }).is_err());
    }

    #[test]
    fn per_unit() {
        let s = FeeSchedule::PerUnit { unit: "trường hợp".into() };
        assert_eq!(s.fee(10_000, FeeUnits { count: 3, copies: None }).unwrap(), 30_000);
        assert_eq!(s.count_label(), "Số trường hợp");
    }
}
