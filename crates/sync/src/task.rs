//! The background sync: a thread of its own with a single-threaded tokio runtime and its own SQLite
//! connection (WAL lets intake and printing write meanwhile; every sync write is a short IMMEDIATE
//! transaction). It runs a round, then waits: the normal interval after a success, an exponential
//! backoff with jitter after a failure (capped, so sync restarts by itself soon after the network
//! returns), or until "sync now" wakes it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use motcua_core::clock::Clock;
use motcua_core::Store;
use tokio::sync::Notify;

use crate::{run_round, SyncError};

/// Retry delays: base × 2^failures, capped, with ±50 % jitter so counters do not retry in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Backoff { base, cap, failures: 0 }
    }
    pub fn reset(&mut self) {
        self.failures = 0;
    }
    /// The delay before the next try after one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.failures.min(16));
        self.failures = self.failures.saturating_add(1);
        let d = exp.min(self.cap);
        let half = d / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Settings of the background task.
#[derive(Debug, Clone)]
pub struct TaskConfig {
    /// Between rounds while everything works.
    pub interval: Duration,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Before the first round (a "sync now" ends it at once): the window paints first (issue 17).
    pub first_delay: Duration,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig { interval: Duration::from_secs(30), backoff_base: Duration::from_secs(2), backoff_cap: Duration::from_secs(60), first_delay: Duration::from_secs(3) }
    }
}

impl TaskConfig {
    /// The defaults, with `MOTCUA_SYNC_INTERVAL_MS` / `MOTCUA_SYNC_BACKOFF_CAP_MS` /
    /// `MOTCUA_SYNC_FIRST_DELAY_MS` for tests and admins.
    pub fn from_env() -> Self {
        let ms = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok()).map(Duration::from_millis);
        let mut c = TaskConfig::default();
        if let Some(d) = ms("MOTCUA_SYNC_INTERVAL_MS") {
            c.interval = d;
        }
        if let Some(d) = ms("MOTCUA_SYNC_FIRST_DELAY_MS") {
            c.first_delay = d;
        }
        if let Some(d) = ms("MOTCUA_SYNC_BACKOFF_CAP_MS") {
            c.backoff_cap = d;
            c.backoff_base = c.backoff_base.min(d);
        }
        c
    }
}

/// Wakes the background task ("sync now", or right after a clerk's write).
#[derive(Clone)]
pub struct SyncHandle {
    wake: Arc<Notify>,
}

impl SyncHandle {
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Starts the task on its own thread, with its own connection to the database at `db_path`.
    pub fn spawn(db_path: PathBuf, clock: Arc<dyn Clock>, config: TaskConfig) -> SyncHandle {
        Self::spawn_with(db_path, clock, config, || {})
    }

    /// The same, calling `after_round` after every round that reached the portal or failed (the
    /// window's dashboard is pushed then, instead of being polled).
    pub fn spawn_with(db_path: PathBuf, clock: Arc<dyn Clock>, config: TaskConfig, after_round: impl Fn() + Send + 'static) -> SyncHandle {
        let wake = Arc::new(Notify::new());
        let handle = SyncHandle { wake: wake.clone() };
        std::thread::Builder::new()
            .name("motcua-sync".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
                rt.block_on(run(db_path, clock, config, wake, after_round));
            })
            .expect("sync thread");
        handle
    }
}

async fn run(db_path: PathBuf, clock: Arc<dyn Clock>, config: TaskConfig, wake: Arc<Notify>, after_round: impl Fn()) {
    let mut backoff = Backoff::new(config.backoff_base, config.backoff_cap);
    let mut store: Option<Store> = None;
    tokio::select! {
        _ = tokio::time::sleep(config.first_delay) => {}
        _ = wake.notified() => {}
    }
    loop {
        if store.is_none() {
            match Store::open(&db_path, clock.clone()) {
                Ok(mut s) => {
                    // the app's own work, not a clerk's: pulled online dossiers, catalog updates
                    s.act_as_system();
                    store = Some(s)
                }
                Err(e) => tracing::error!("sync: cannot open {}: {e}", db_path.display()),
            }
        }
        let delay = match store.as_mut() {
            None => backoff.next_delay(),
            Some(s) => match run_round(s, None).await {
                Ok(_) => {
                    backoff.reset();
                    after_round();
                    config.interval
                }
                Err(SyncError::NotEnrolled) => config.interval,
                Err(e) => {
                    let d = backoff.next_delay();
                    // the reason only: a message may quote a dossier's data (the status keeps the words)
                    tracing::warn!("sync round failed: {:?} (next try in {} ms)", e.reason(), d.as_millis());
                    after_round();
                    d
                }
            },
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.notified() => backoff.reset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        for (i, d) in delays.iter().enumerate() {
            let full = Duration::from_secs(2).saturating_mul(1 << i).min(Duration::from_secs(60));
            assert!(*d >= full / 2 && *d <= full, "try {i}: {d:?} not within [{:?}, {full:?}]", full / 2);
        }
        assert!(delays[9] >= Duration::from_secs(30), "capped at 60 s, never above");
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(2));
    }
}
