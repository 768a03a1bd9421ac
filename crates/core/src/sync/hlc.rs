//! Hybrid logical clock: `"<unix ms>-<counter>-<logical>"`. Each event carries one; it never goes
//! backwards on a counter even when the wall clock does, and it is pushed forward by every portal time
//! seen. The portal orders by its own sequence: the HLC is evidence, not the authority.

use std::cmp::Ordering;

/// A counter's wall clock more than this far behind the portal's last known time is refused.
pub const MAX_DRIFT_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hlc {
    pub ms: i64,
    pub counter: String,
    pub logical: u32,
}

impl Hlc {
    pub fn parse(s: &str) -> Option<Hlc> {
        let mut it = s.splitn(3, '-');
        let ms = it.next()?.parse().ok()?;
        let counter = it.next()?.to_string();
        let logical = it.next()?.parse().ok()?;
        Some(Hlc { ms, counter, logical })
    }

    /// The next stamp after `last` (this counter's previous one) given the wall clock and the latest
    /// portal time seen. Err(ms behind) when the wall clock is behind the portal by more than
    /// `MAX_DRIFT_MS`.
    pub fn next(counter: &str, wall_ms: i64, last: Option<&Hlc>, portal_ms: i64) -> Result<Hlc, i64> {
        if portal_ms > 0 && wall_ms + MAX_DRIFT_MS < portal_ms {
            return Err(portal_ms - wall_ms);
        }
        let floor = last.map_or(0, |l| l.ms).max(portal_ms);
        Ok(if wall_ms > floor {
            Hlc { ms: wall_ms, counter: counter.into(), logical: 0 }
        } else {
            let logical = match last {
                Some(l) if l.ms == floor => l.logical + 1,
                _ => 1,
            };
            Hlc { ms: floor, counter: counter.into(), logical }
        })
    }
}

impl std::fmt::Display for Hlc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{}", self.ms, self.counter, self.logical)
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ms, self.logical, &self.counter).cmp(&(other.ms, other.logical, &other.counter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_goes_backwards_when_the_wall_clock_does() {
        let a = Hlc::next("Q01", 1_000_000, None, 0).unwrap();
        assert_eq!(a.to_string(), "1000000-Q01-0");
        // wall clock set back 5 minutes: the stamp stays ahead, logical counts up
        let b = Hlc::next("Q01", 1_000_000 - 300_000, Some(&a), 0).unwrap();
        assert!(b > a);
        assert_eq!((b.ms, b.logical), (1_000_000, 1));
        let c = Hlc::next("Q01", 1_000_000 - 200_000, Some(&b), 0).unwrap();
        assert_eq!((c.ms, c.logical), (1_000_000, 2));
        assert_eq!(Hlc::parse(&c.to_string()), Some(c));
    }

    #[test]
    fn follows_the_portal_time_and_refuses_wild_drift() {
        // the portal said it is 2_000_000: a wall clock 1 minute behind is carried forward
        let a = Hlc::next("Q01", 1_940_000, None, 2_000_000).unwrap();
        assert_eq!((a.ms, a.logical), (2_000_000, 1));
        // more than 10 minutes behind the portal: refused, with how far behind
        assert_eq!(Hlc::next("Q01", 2_000_000 - MAX_DRIFT_MS - 1, None, 2_000_000), Err(MAX_DRIFT_MS + 1));
        // a clock ahead of the portal is not refused (ordering never relies on it)
        assert!(Hlc::next("Q01", 9_000_000, Some(&a), 2_000_000).is_ok());
    }
}
