//! The serial scanner, when the counter set a port (settings `scanner_port`): each scan is pushed
//! to the window as the `scan` event, `{ text }` or `{ error }` (the device's words). Reopened when
//! the setting changes. Keyboard-mode (HID) scanners need none of this: they type into the window.

use std::sync::Mutex;

use motcua_devices::scanner::Listener;
use serde::Serialize;
use tauri::{AppHandle, Emitter};

#[derive(Clone, Serialize)]
struct Scan {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The listener and the port it listens on.
#[derive(Default)]
pub struct Scanner(Mutex<Option<(String, Listener)>>);

impl Scanner {
    /// Listens on `port` (nothing when empty), replacing the listener of another port.
    pub fn listen(&self, app: &AppHandle, port: &str) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if g.as_ref().is_some_and(|(p, _)| p == port) {
            return;
        }
        *g = None; // drops (stops) the old listener
        if port.is_empty() {
            return;
        }
        let app = app.clone();
        let listener = Listener::start(port, move |r| {
            let scan = match r {
                Ok(text) => Scan { text: Some(text), error: None },
                Err(e) => {
                    tracing::warn!("scanner: {e}");
                    Scan { text: None, error: Some(e.to_string()) }
                }
            };
            let _ = app.emit("scan", scan);
        });
        tracing::info!("scanner listening on its serial port");
        *g = Some((port.to_string(), listener));
    }
}
