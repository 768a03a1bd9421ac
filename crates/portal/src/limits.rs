//! Rate limits on what an unauthenticated caller can try (issue 12, finding 9): enrolment attempts and
//! failed token checks.
//!
//! - Globally, enrolment codes are checked at most `ENROL_PER_SEC` a second (token bucket, burst
//!   `ENROL_BURST`); failed token checks likewise (`AUTH_FAIL_PER_SEC`). Over the limit: 429 with
//!   `Retry-After`, and the code is not even looked at.
//! - Per source address (IPv4, or an IPv6 /64): after `lockout_after` failures (a refused code or a
//!   401) within `WINDOW`, the address is locked out for `lockout` (429 with `Retry-After`). A request
//!   with a valid token still goes through from a locked address (a whole office may share one NAT
//!   address with the attacker); a wrong one gets 429 instead of 401.
//! - A wrong code also costs its sender half a second (`tokio::time::sleep` in the handler: no thread
//!   is held).
//!
//! The state is in memory and starts empty when the portal restarts. All waiting is async.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use crate::db::Refusal;
use crate::server::AppState;

pub const ENROL_PER_SEC: f64 = 5.0;
pub const ENROL_BURST: f64 = 10.0;
pub const AUTH_FAIL_PER_SEC: f64 = 20.0;
pub const AUTH_FAIL_BURST: f64 = 40.0;
/// The citizen's lookup (no token): at most this many a second over all addresses, so a flood
/// cannot hold the database away from the counters' pushes; an unknown code counts as a failure of
/// the address (enumerating codes locks it out like wrong tokens do).
pub const LOOKUP_PER_SEC: f64 = 20.0;
pub const LOOKUP_BURST: f64 = 40.0;
/// Failures from one address are counted over this window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// At most this many addresses are remembered (the oldest quiet ones are forgotten first).
const MAX_ADDRESSES: usize = 10_000;

/// The source address of a request, set by the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub IpAddr);

#[derive(Debug, Clone)]
pub struct LimitConfig {
    pub lockout_after: u32,
    pub lockout: Duration,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig { lockout_after: 10, lockout: Duration::from_secs(15 * 60) }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(burst: f64, now: Instant) -> Bucket {
        Bucket { tokens: burst, at: now }
    }
    /// Takes one token, or says how long until one is there.
    fn take(&mut self, now: Instant, rate: f64, burst: f64) -> Result<(), Duration> {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

#[derive(Debug)]
struct Address {
    failures: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    enrol: Bucket,
    auth_fail: Bucket,
    lookup: Bucket,
    addresses: HashMap<u128, Address>,
}

#[derive(Clone)]
pub struct Limits {
    config: Arc<LimitConfig>,
    inner: Arc<Mutex<Inner>>,
}

/// IPv4 as is; IPv6 by its /64 (one host usually has a whole /64).
fn key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4) as u128,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => u32::from(v4) as u128,
            None => u128::from(v6) & !((1u128 << 64) - 1),
        },
    }
}

impl Limits {
    pub fn new(config: LimitConfig) -> Limits {
        let now = Instant::now();
        Limits {
            config: Arc::new(config),
            inner: Arc::new(Mutex::new(Inner {
                enrol: Bucket::full(ENROL_BURST, now),
                auth_fail: Bucket::full(AUTH_FAIL_BURST, now),
                lookup: Bucket::full(LOOKUP_BURST, now),
                addresses: HashMap::new(),
            })),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long the address is still locked out, if it is.
    pub fn locked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let g = self.inner();
        g.addresses.get(&key(ip)).and_then(|a| a.locked_until).and_then(|t| t.checked_duration_since(now)).filter(|d| !d.is_zero())
    }

    /// One enrolment code may be checked now (global limit), or not before the duration given.
    pub fn take_enrol(&self, now: Instant) -> Result<(), Duration> {
        self.inner().enrol.take(now, ENROL_PER_SEC, ENROL_BURST)
    }

    /// One lookup may be answered now (global limit).
    pub fn take_lookup(&self, now: Instant) -> Result<(), Duration> {
        self.inner().lookup.take(now, LOOKUP_PER_SEC, LOOKUP_BURST)
    }

    /// One failed token check may be answered as such now (global limit).
    pub fn take_auth_failure(&self, now: Instant) -> Result<(), Duration> {
        self.inner().auth_fail.take(now, AUTH_FAIL_PER_SEC, AUTH_FAIL_BURST)
    }

    /// Counts a failure from the address; returns the lockout if this one started it.
    pub fn failure(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let (after, lockout) = (self.config.lockout_after.max(1), self.config.lockout);
        let mut g = self.inner();
        if g.addresses.len() >= MAX_ADDRESSES {
            g.addresses.retain(|_, a| a.locked_until.is_some_and(|t| t > now) || now.saturating_duration_since(a.since) < WINDOW);
            if g.addresses.len() >= MAX_ADDRESSES {
                g.addresses.clear();
            }
        }
        let a = g.addresses.entry(key(ip)).or_insert(Address { failures: 0, since: now, locked_until: None });
        if a.locked_until.is_some_and(|t| t <= now) || now.saturating_duration_since(a.since) >= WINDOW {
            *a = Address { failures: 0, since: now, locked_until: None };
        }
        a.failures += 1;
        if a.failures >= after && a.locked_until.is_none() {
            a.locked_until = Some(now + lockout);
            return Some(lockout);
        }
        None
    }
}

/// 429 with `Retry-After` (whole seconds, at least 1).
pub fn too_many(wait: Duration, message: &str) -> axum::response::Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let secs = secs.max(1);
    let body = Refusal::new(429, "rate_limited", format!("{message}: thử lại sau {secs} giây")).body();
    let mut resp = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    resp.headers_mut().insert("retry-after", secs.into());
    resp
}

const LOCKED: &str = "Quá nhiều lần thử sai từ địa chỉ này, tạm thời bị từ chối";

/// The limits around every route: refused before the route runs when over a limit, and failures
/// counted after it answered.
pub async fn layer(State(state): State<AppState>, req: Request<Body>, next: axum::middleware::Next) -> axum::response::Response {
    let limits = &state.limits;
    let peer = req.extensions().get::<Peer>().map(|p| p.0);
    let enrol = req.uri().path() == "/v1/enrol";
    let lookup = req.uri().path().starts_with("/v1/lookup/");
    let now = Instant::now();
    let locked = peer.and_then(|ip| limits.locked(ip, now));
    if lookup {
        if let Some(wait) = locked {
            return too_many(wait, LOCKED);
        }
        if let Err(wait) = limits.take_lookup(now) {
            return too_many(wait, "Cổng đang nhận quá nhiều yêu cầu tra cứu");
        }
    }
    if enrol {
        if let Some(wait) = locked {
            return too_many(wait, LOCKED);
        }
        if let Err(wait) = limits.take_enrol(now) {
            return too_many(wait, "Cổng đang nhận quá nhiều yêu cầu đăng ký");
        }
    }
    let resp = next.run(req).await;
    let status = resp.status();
    let failed = status == StatusCode::UNAUTHORIZED || (enrol && status == StatusCode::FORBIDDEN) || (lookup && status == StatusCode::NOT_FOUND);
    if !failed {
        return resp;
    }
    let now = Instant::now();
    let started = peer.and_then(|ip| limits.failure(ip, now));
    if status == StatusCode::UNAUTHORIZED {
        if let Some(wait) = locked.or(started) {
            return too_many(wait, LOCKED);
        }
        if let Err(wait) = limits.take_auth_failure(now) {
            return too_many(wait, "Cổng đang nhận quá nhiều yêu cầu sai mã thiết bị");
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_bucket_lets_a_burst_through_then_the_rate() {
        let l = Limits::new(LimitConfig::default());
        let t0 = Instant::now();
        let ok = (0..100).filter(|_| l.take_enrol(t0).is_ok()).count();
        assert_eq!(ok, ENROL_BURST as usize);
        let wait = l.take_enrol(t0).unwrap_err();
        assert!(wait <= Duration::from_millis(201) && wait > Duration::ZERO, "{wait:?}");
        // one second later: the rate's worth again
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!((0..100).filter(|_| l.take_enrol(t1).is_ok()).count(), ENROL_PER_SEC as usize);
    }

    #[test]
    fn an_address_is_locked_out_after_n_failures_and_released_after_the_lockout() {
        let l = Limits::new(LimitConfig { lockout_after: 3, lockout: Duration::from_secs(60) });
        let (a, b): (IpAddr, IpAddr) = ("127.0.0.2".parse().unwrap(), "127.0.0.3".parse().unwrap());
        let t0 = Instant::now();
        assert_eq!(l.failure(a, t0), None);
        assert_eq!(l.failure(a, t0), None);
        assert_eq!(l.failure(a, t0), Some(Duration::from_secs(60)));
        assert!(l.locked(a, t0 + Duration::from_secs(59)).is_some());
        assert!(l.locked(b, t0).is_none(), "another address is not locked");
        assert!(l.locked(a, t0 + Duration::from_secs(60)).is_none());
        // after the lockout, counting starts again
        assert_eq!(l.failure(a, t0 + Duration::from_secs(61)), None);
        // an IPv6 host is one /64
        let (v1, v2): (IpAddr, IpAddr) = ("2001:db8::1".parse().unwrap(), "2001:db8::ffff".parse().unwrap());
        l.failure(v1, t0);
        l.failure(v2, t0);
        assert!(l.failure(v1, t0).is_some());
        assert!(l.locked(v2, t0).is_some());
    }
}
