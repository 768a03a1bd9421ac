//! Pushes the dashboard (`motcua_core::dashboard`: header, counts, sync badge) to the window as the
//! `dashboard` event whenever it changes, instead of the UI polling. It is looked at when poked:
//! right after a command changed something, and after every sync round (the sync task pokes); and
//! once a minute, because the clock alone moves dossiers into "due today" and "overdue". Nothing is
//! sent, so nothing is redrawn, while nothing changes.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;

use motcua_core::Store;
use tauri::{AppHandle, Emitter, Manager};

/// How often the dashboard is looked at when nothing pokes it (the clock's own changes).
const LOOK_EVERY: Duration = Duration::from_secs(60);

pub const EVENT: &str = "dashboard";

/// Wakes the pusher at once (after a command, after a sync round).
pub struct Poke(Mutex<Sender<()>>);

impl Poke {
    pub fn now(&self) {
        let _ = self.0.lock().unwrap_or_else(|e| e.into_inner()).send(());
    }

    /// A sender for another thread (the sync task).
    pub fn sender(&self) -> Sender<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The poke (kept by the app and handed to the sync task) and what `spawn` listens on.
pub fn channel() -> (Poke, Receiver<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    (Poke(Mutex::new(tx)), rx)
}

pub fn spawn(app: AppHandle, rx: Receiver<()>) {
    std::thread::Builder::new()
        .name("motcua-push".into())
        .spawn(move || {
            let mut last: Option<motcua_core::dashboard::Dashboard> = None;
            loop {
                match rx.recv_timeout(LOOK_EVERY) {
                    Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                while rx.try_recv().is_ok() {}
                let board = {
                    let state = app.state::<Mutex<Store>>();
                    let mut store = state.lock().unwrap_or_else(|e| e.into_inner());
                    if let Err(e) = store.refresh_if_stale() {
                        tracing::warn!("refresh: {e}");
                    }
                    motcua_core::dashboard::now(&store)
                };
                match board {
                    Ok(b) if last.as_ref() != Some(&b) => {
                        if let Err(e) = app.emit(EVENT, &b) {
                            tracing::warn!("dashboard not pushed: {e}");
                        }
                        last = Some(b);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("dashboard: {:?}", e.reason()),
                }
            }
        })
        .expect("push thread");
}
