//! Time for the core. The core never reads the system clock directly: it takes a `Clock`, so tests
//! can put the counter in a Tết week. All counter times are Vietnam local time (UTC+07:00, no DST).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

pub trait Clock: Send + Sync {
    /// Now, in Vietnam local time.
    fn now(&self) -> NaiveDateTime;
}

pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Utc::now().with_timezone(&vn_offset()).naive_local()
    }
}

/// A clock that always says the same time (tests, and `MOTCUA_NOW` in the CLI for scripted runs).
pub struct FixedClock(pub NaiveDateTime);
impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        self.0
    }
}

/// The clock a program runs on: pinned to `pinned` (`--now` or `MOTCUA_NOW`, Vietnam time such as
/// `2026-02-12T10:30`) for scripted runs and tests, else the system clock. An empty value counts as
/// none; a value that is not a time is refused, never silently replaced by the system clock.
pub fn chosen(pinned: Option<&str>) -> crate::Result<std::sync::Arc<dyn Clock>> {
    match pinned.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(std::sync::Arc::new(SystemClock)),
        Some(s) => {
            let t = parse_local(s).ok_or_else(|| {
                let shown: String = s.chars().take(40).collect();
                crate::CoreError::validation("now", format!("Thời điểm cố định (--now / MOTCUA_NOW) \"{}\" không đọc được: dùng dạng 2026-02-12T10:30", crate::text::for_terminal(&shown)))
            })?;
            Ok(std::sync::Arc::new(FixedClock(t)))
        }
    }
}

/// Formats a local time as RFC 3339 with the +07:00 offset (how times are stored and exchanged).
pub fn to_rfc3339(t: NaiveDateTime) -> String {
    let dt: DateTime<FixedOffset> = t.and_local_timezone(vn_offset()).single().expect("fixed offset is unambiguous");
    dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses `2026-02-12T10:30`, `2026-02-12T10:30:00`, `2026-02-12 10:30` or full RFC 3339 (converted to VN time).
pub fn parse_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&vn_offset()).naive_local());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_and_formats_vietnam_time() {
        let t = parse_local("2026-02-12T10:30").unwrap();
        assert_eq!(to_rfc3339(t), "2026-02-12T10:30:00+07:00");
        let u = parse_local("2026-02-12T03:30:00Z").unwrap();
        assert_eq!(u, t);
        assert!(parse_local("12/02/2026").is_none());
        assert_eq!(chosen(Some("2026-02-12T10:30")).unwrap().now(), t);
        assert!(chosen(Some("  ")).is_ok() && chosen(None).is_ok());
        assert_eq!(chosen(Some("mai")).err().unwrap().to_app_error().field.as_deref(), Some("now"));
    }
}
