//! Dossier codes (mã hồ sơ) in the one-stop format `<agency identifier>-<yyMMdd>-<NNNN>`
//! (Circular 01/2018/TT-VPCP art. 19 [S]; Circular 03/2025/TT-VPCP re-defines it, wording not found
//! here, so the template is a setting with this as the default).
//!
//! The official daily sequence belongs to the provincial system, yet a counter must issue codes with no
//! network and two counters must never issue the same one. Design (see docs/dossier-codes.md):
//! - a counter issues official numbers only from blocks it owns: standing blocks assigned by the admin
//!   (`init --code-block 1-4999`, disjoint per counter) or blocks leased per day by the portal;
//! - every number issued is recorded (`codes_issued`, primary key), so this counter never repeats one;
//! - when no block has a number left it issues a PROVISIONAL code, visibly marked `TAM-…` and unique by
//!   construction (agency + counter + day + local serial), which the portal maps to an official code on
//!   sync; both stay searchable.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::error::{CoreError, Result};

pub const DEFAULT_TEMPLATE: &str = "{agency}-{yyMMdd}-{seq}";

/// A code just issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub code: String,
    pub provisional: bool,
}

/// The serial's width in a template: `{seq}` is 4 digits; `{seq:N}` N digits (4–8), for structures
/// whose serial is longer (Circular 04/2025/TT-VPCP art. 23(2) for nationally centralised services,
/// "MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX", a serial of at least 4 characters — UNCONFIRMED, see
/// docs/dossier-codes.md).
fn seq_width(template: &str) -> Option<(String, usize)> {
    if template.contains("{seq}") {
        return Some(("{seq}".into(), 4));
    }
    let start = template.find("{seq:")?;
    let end = start + template[start..].find('}')?;
    let width: usize = template[start + 5..end].parse().ok().filter(|w| (4..=8).contains(w))?;
    Some((template[start..=end].to_string(), width))
}

pub fn format_official(template: &str, agency: &str, day: NaiveDate, seq: u32) -> String {
    let (placeholder, width) = seq_width(template).unwrap_or(("{seq}".into(), 4));
    template
        .replace("{agency}", agency)
        .replace("{yyMMdd}", &day.format("%y%m%d").to_string())
        .replace(&placeholder, &format!("{seq:0width$}"))
}

pub fn format_provisional(agency: &str, counter: &str, day: NaiveDate, seq: u32) -> String {
    format!("TAM-{agency}-{counter}-{}-{seq:04}", day.format("%y%m%d"))
}

/// True for a provisional code (printed as such on every form).
pub fn is_provisional(code: &str) -> bool {
    code.starts_with("TAM-")
}

/// The longest dossier code accepted from outside.
pub const MAX_CODE_LEN: usize = 64;

/// The format every dossier code has, official or provisional: 1–64 ASCII letters, digits, dots,
/// hyphens and underscores, starting and ending with a letter or digit, without `..` (agency codes
/// are letters, digits and dots; counters letters and digits; the template joins them with `-`).
/// Codes from other machines are checked with this before they are stored, shown, or used in a file
/// name.
pub fn check_code(code: &str) -> Result<()> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if code.len() > MAX_CODE_LEN || !code.chars().all(ok_char) || !edge(code.chars().next()) || !edge(code.chars().last()) || code.contains("..") {
        return Err(CoreError::validation("code", "Mã hồ sơ sai định dạng (chỉ gồm chữ, số, dấu chấm, gạch nối; tối đa 64 ký tự)"));
    }
    Ok(())
}

/// Checks a template: it must contain the three placeholders.
pub fn check_template(t: &str) -> Result<()> {
    for p in ["{agency}", "{yyMMdd}"] {
        if !t.contains(p) {
            return Err(CoreError::validation("code_template", format!("Mẫu mã hồ sơ phải chứa {p}")));
        }
    }
    if seq_width(t).is_none() {
        return Err(CoreError::validation("code_template", "Mẫu mã hồ sơ phải chứa {seq} hoặc {seq:N} với N từ 4 đến 8"));
    }
    // what remains around the placeholders must be what a code may hold, and the serial comes last
    // (the portal re-issues by replacing the last group)
    let (placeholder, _) = seq_width(t).expect("checked");
    let literal = t.replace("{agency}", "").replace("{yyMMdd}", "").replace(&placeholder, "");
    if !literal.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) || !t.ends_with(&placeholder) || t.len() > 40 {
        return Err(CoreError::validation("code_template", "Mẫu mã hồ sơ chỉ gồm chữ, số, dấu chấm, gạch nối quanh các chỗ thay thế, và kết thúc bằng {seq}"));
    }
    Ok(())
}

/// Parses `first-last` (e.g. `1-4999`).
pub fn parse_block(s: &str) -> Result<(u32, u32)> {
    let err = || CoreError::validation("code_block", format!("Dải số '{s}' không hợp lệ: cần dạng ĐẦU-CUỐI trong 1..9999"));
    let (a, b) = s.split_once('-').ok_or_else(err)?;
    let a: u32 = a.trim().parse().map_err(|_| err())?;
    let b: u32 = b.trim().parse().map_err(|_| err())?;
    if a == 0 || b > 9999 || a > b {
        return Err(err());
    }
    Ok((a, b))
}

/// Issues the next code for `day` inside the caller's IMMEDIATE transaction.
pub fn issue(tx: &Transaction, template: &str, agency: &str, counter: &str, day: NaiveDate) -> Result<IssuedCode> {
    let series = format!("O:{}", day.format("%y%m%d"));
    let day_s = day.format("%Y-%m-%d").to_string();
    let blocks: Vec<(u32, u32)> = {
        let mut st = tx.prepare_cached("SELECT first, last FROM code_blocks WHERE day IS NULL OR day = ?1 ORDER BY first")?;
        let rows = st.query_map([&day_s], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (first, last) in blocks {
        let max: Option<u32> = tx
            .prepare_cached("SELECT MAX(seq) FROM codes_issued WHERE series = ?1 AND seq BETWEEN ?2 AND ?3")?
            .query_row(params![series, first, last], |r| r.get(0))?;
        let mut next = max.map_or(first, |m| m + 1);
        while next <= last {
            tx.prepare_cached("INSERT INTO codes_issued(series, seq) VALUES (?1, ?2)")?.execute(params![series, next])?;
            let code = format_official(template, agency, day, next);
            // a block set wrong by hand may overlap another counter's numbers: a code already held
            // here (pulled from that counter) is skipped, never issued a second time
            let held: bool = tx.prepare_cached("SELECT COUNT(*) FROM dossiers WHERE code = ?1")?.query_row([&code], |r| r.get::<_, i64>(0))? > 0;
            if !held {
                return Ok(IssuedCode { code, provisional: false });
            }
            next += 1;
        }
    }
    let pseries = format!("P:{}", day.format("%y%m%d"));
    let max: Option<u32> = tx
        .prepare_cached("SELECT MAX(seq) FROM codes_issued WHERE series = ?1")?
        .query_row([&pseries], |r| r.get(0))
        .optional()?
        .flatten();
    let next = max.map_or(1, |m| m + 1);
    tx.prepare_cached("INSERT INTO codes_issued(series, seq) VALUES (?1, ?2)")?.execute(params![pseries, next])?;
    Ok(IssuedCode { code: format_provisional(agency, counter, day, next), provisional: true })
}

/// Issues the number of a contact at intake that is not a dossier (a guidance slip `HD-…` or a
/// refusal slip `TC-…`): `<prefix>-<agency>-<counter>-<yyMMdd>-<NNNN>`, unique by construction like
/// a provisional code, never drawn from the official sequence (a citizen turned away consumes no
/// dossier number).
pub fn issue_contact(tx: &Transaction, prefix: &str, agency: &str, counter: &str, day: NaiveDate) -> Result<String> {
    let series = format!("{prefix}:{}", day.format("%y%m%d"));
    let max: Option<u32> = tx.prepare_cached("SELECT MAX(seq) FROM codes_issued WHERE series = ?1")?.query_row([&series], |r| r.get(0)).optional()?.flatten();
    let mut next = max.map_or(1, |m| m + 1);
    loop {
        tx.prepare_cached("INSERT INTO codes_issued(series, seq) VALUES (?1, ?2)")?.execute(params![series, next])?;
        let number = format!("{prefix}-{agency}-{counter}-{}-{next:04}", day.format("%y%m%d"));
        // a number already held here (restored from a backup and pulled back) is skipped, never reused
        let held: bool = tx.prepare_cached("SELECT COUNT(*) FROM dossiers WHERE code = ?1")?.query_row([&number], |r| r.get::<_, i64>(0))? > 0;
        if !held {
            return Ok(number);
        }
        next += 1;
    }
}

/// The prefixes of contact numbers (guidance, refusal at intake).
pub const CONTACT_PREFIXES: [&str; 2] = ["HD-", "TC-"];

/// True for the number of a guidance or refusal slip (not a dossier code).
pub fn is_contact_number(code: &str) -> bool {
    CONTACT_PREFIXES.iter().any(|p| code.starts_with(p))
}

/// The counter a provisional code or a contact number was issued by (`TAM-`, `HD-`, `TC-` codes
/// carry it: `<prefix>-<agency>-<counter>-<yyMMdd>-<NNNN>`); None for an official code.
pub fn issuing_counter(code: &str) -> Option<&str> {
    if !(is_provisional(code) || is_contact_number(code)) {
        return None;
    }
    let mut back = code.rsplitn(4, '-');
    let (_seq, _day, counter) = (back.next()?, back.next()?, back.next()?);
    Some(counter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn a_template_may_widen_the_serial_and_carry_letters_before_it() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 26).unwrap();
        assert_eq!(format_official(DEFAULT_TEMPLATE, "000.00.31.H26", day, 7), "000.00.31.H26-260126-0007");
        // the Circular 04/2025 shape with a 2-letter prefix and a 6-digit serial (UNCONFIRMED)
        let t = "{agency}-{yyMMdd}-TT{seq:6}";
        check_template(t).unwrap();
        assert_eq!(format_official(t, "H26.31", day, 42), "H26.31-260126-TT000042");
        for bad in ["{agency}-{seq}", "{agency}-{yyMMdd}-{seq:3}", "{agency}-{yyMMdd}-{seq:9}", "{agency}/{yyMMdd}-{seq}", "{seq}-{agency}-{yyMMdd}"] {
            assert!(check_template(bad).is_err(), "{bad}");
        }
    }

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(include_str!("../migrations/0001_init.sql")).unwrap();
        c
    }
    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn official_format_matches_the_real_example() {
        assert_eq!(format_official(DEFAULT_TEMPLATE, "000.00.06.H56", day(2023, 10, 27), 361), "000.00.06.H56-231027-0361");
    }

    #[test]
    fn sequence_restarts_daily_and_stays_in_the_block() {
        let mut c = db();
        c.execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, 5, 6, 'admin')", []).unwrap();
        let tx = c.transaction().unwrap();
        let a = issue(&tx, DEFAULT_TEMPLATE, "X.H26", "Q1", day(2026, 2, 12)).unwrap();
        let b = issue(&tx, DEFAULT_TEMPLATE, "X.H26", "Q1", day(2026, 2, 12)).unwrap();
        let p = issue(&tx, DEFAULT_TEMPLATE, "X.H26", "Q1", day(2026, 2, 12)).unwrap();
        let n = issue(&tx, DEFAULT_TEMPLATE, "X.H26", "Q1", day(2026, 2, 13)).unwrap();
        assert_eq!(a.code, "X.H26-260212-0005");
        assert_eq!(b.code, "X.H26-260212-0006");
        assert!(p.provisional && is_provisional(&p.code));
        assert_eq!(p.code, "TAM-X.H26-Q1-260212-0001");
        assert_eq!(n.code, "X.H26-260213-0005");
    }

    #[test]
    fn two_counters_with_disjoint_blocks_never_collide() {
        let mut issued = std::collections::HashSet::new();
        for (counter, block) in [("Q1", (1, 50)), ("Q2", (51, 100))] {
            let mut c = db();
            c.execute("INSERT INTO code_blocks(day, first, last, source) VALUES (NULL, ?1, ?2, 'admin')", params![block.0, block.1]).unwrap();
            let tx = c.transaction().unwrap();
            for _ in 0..60 {
                let code = issue(&tx, DEFAULT_TEMPLATE, "X.H26", counter, day(2026, 3, 2)).unwrap();
                assert!(issued.insert(code.code.clone()), "duplicate {}", code.code);
            }
        }
        assert_eq!(issued.len(), 120);
        assert_eq!(issued.iter().filter(|c| is_provisional(c)).count(), 20);
    }

    #[test]
    fn day_leases_are_used_only_on_their_day() {
        let mut c = db();
        c.execute("INSERT INTO code_blocks(day, first, last, source) VALUES ('2026-03-02', 100, 199, 'portal')", []).unwrap();
        let tx = c.transaction().unwrap();
        assert_eq!(issue(&tx, DEFAULT_TEMPLATE, "A", "Q", day(2026, 3, 2)).unwrap().code, "A-260302-0100");
        assert!(issue(&tx, DEFAULT_TEMPLATE, "A", "Q", day(2026, 3, 3)).unwrap().provisional);
    }

    #[test]
    fn blocks_and_templates_are_checked() {
        assert_eq!(parse_block("1-4999").unwrap(), (1, 4999));
        assert!(parse_block("0-10").is_err());
        assert!(parse_block("10-5").is_err());
        assert!(parse_block("1-10000").is_err());
        assert!(check_template("{agency}-{seq}").is_err());
        assert!(check_template(DEFAULT_TEMPLATE).is_ok());
    }

    #[test]
    fn codes_from_outside_must_have_the_code_format() {
        for ok in ["000.00.31.H26-261123-0001", "TAM-000.00.31.H26-Q1-261123-0001", "A"] {
            assert!(check_code(ok).is_ok(), "{ok}");
        }
        let long = "A".repeat(65);
        for bad in ["", "../../PWNED", "a/b", "a\\b", "..", "A..B", ".A", "A-", "A B", "Mã", "A\u{1b}[2J", long.as_str()] {
            assert!(check_code(bad).is_err(), "{bad:?}");
        }
        // every code this counter issues passes
        let d = day(2026, 11, 23);
        assert!(check_code(&format_official(DEFAULT_TEMPLATE, "000.00.31.H26", d, 9999)).is_ok());
        assert!(check_code(&format_provisional("000.00.31.H26", "Q01", d, 1)).is_ok());
    }
}
