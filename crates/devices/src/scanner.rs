//! A scanner on a serial port (USB CDC "virtual COM"): bytes arrive as the scanner reads, a scan ends
//! with CR and/or LF (the usual suffix) or, for a scanner set to send no suffix, with a short
//! silence. Each scan is decoded as UTF-8 (Vietnamese letters intact, unlike keyboard mode) and
//! handed on whole; an unplugged scanner is reopened until the listener stops.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::DeviceError;

/// The longest scan accepted (a card string is under 1 kB; the core bounds it again).
pub const MAX_SCAN_BYTES: usize = 8 * 1024;
/// Silence that ends a scan sent without a suffix.
pub const IDLE_END: Duration = Duration::from_millis(150);

/// Splits the byte stream into scans.
#[derive(Default)]
pub struct Framer {
    buf: Vec<u8>,
    overflow: bool,
    last: Option<Instant>,
}

impl Framer {
    /// Bytes received; returns the scans they complete.
    pub fn push(&mut self, bytes: &[u8], now: Instant) -> Vec<Result<String, DeviceError>> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\r' || b == b'\n' {
                if let Some(s) = self.take() {
                    out.push(s);
                }
            } else if self.buf.len() >= MAX_SCAN_BYTES {
                self.overflow = true;
            } else {
                self.buf.push(b);
            }
        }
        self.last = Some(now);
        out
    }

    /// A scan left without a suffix, once the line has been quiet for `IDLE_END`.
    pub fn idle(&mut self, now: Instant) -> Option<Result<String, DeviceError>> {
        match self.last {
            Some(t) if now.duration_since(t) >= IDLE_END => self.take(),
            _ => None,
        }
    }

    fn take(&mut self) -> Option<Result<String, DeviceError>> {
        let overflow = std::mem::take(&mut self.overflow);
        let bytes = std::mem::take(&mut self.buf);
        if overflow {
            return Some(Err(DeviceError::TooLong { max: MAX_SCAN_BYTES }));
        }
        if bytes.is_empty() {
            return None;
        }
        Some(String::from_utf8(bytes).map_err(|_| DeviceError::NotUtf8))
    }
}

/// Opens the scanner's port (9600 8N1; a CDC device ignores the speed).
pub fn open(port: &str) -> Result<Box<dyn serialport::SerialPort>, DeviceError> {
    serialport::new(port, 9600)
        .timeout(Duration::from_millis(50))
        .open()
        .map_err(|e| DeviceError::Open { port: port.to_string(), detail: e.to_string() })
}

/// A listener on a port; dropping it (or `stop`) ends the thread.
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    /// Listens on `port`, calling `on_scan` with each scan (or each problem, once per change).
    pub fn start(port: &str, mut on_scan: impl FnMut(Result<String, DeviceError>) + Send + 'static) -> Listener {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let port = port.to_string();
        let thread = std::thread::Builder::new()
            .name("scanner".into())
            .spawn(move || {
                let mut reported_open_error = false;
                while !flag.load(Ordering::Relaxed) {
                    let mut dev = match open(&port) {
                        Ok(d) => {
                            reported_open_error = false;
                            d
                        }
                        Err(e) => {
                            if !reported_open_error {
                                on_scan(Err(e));
                                reported_open_error = true;
                            }
                            sleep_unless(&flag, Duration::from_secs(2));
                            continue;
                        }
                    };
                    let mut framer = Framer::default();
                    let mut buf = [0u8; 512];
                    while !flag.load(Ordering::Relaxed) {
                        match dev.read(&mut buf) {
                            Ok(0) => {}
                            Ok(n) => {
                                for s in framer.push(&buf[..n], Instant::now()) {
                                    on_scan(s);
                                }
                            }
                            Err(e) if e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => {
                                tracing::warn!("scanner port lost: {e}");
                                on_scan(Err(DeviceError::Lost { port: port.clone() }));
                                break;
                            }
                        }
                        if let Some(s) = framer.idle(Instant::now()) {
                            on_scan(s);
                        }
                    }
                    sleep_unless(&flag, Duration::from_millis(500));
                }
            })
            .expect("spawn scanner thread");
        Listener { stop, thread: Some(thread) }
    }

    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop();
    }
}

fn sleep_unless(flag: &AtomicBool, d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end && !flag.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_end_at_cr_lf_or_silence() {
        let t0 = Instant::now();
        let mut f = Framer::default();
        let card = "001090012345||ĐẶNG HỮU PHƯỚC|05031990|Nam|Hà Nội|10082021";
        // a scan split across reads, ended by CR LF: one scan, no empty one for the LF
        let bytes = format!("{card}\r\n").into_bytes();
        let (a, b) = bytes.split_at(20);
        assert!(f.push(a, t0).is_empty());
        let got = f.push(b, t0);
        assert_eq!(got, vec![Ok(card.to_string())]);
        // a scanner with no suffix: the silence ends the scan
        assert!(f.push(b"8934567890123", t0).is_empty());
        assert_eq!(f.idle(t0 + Duration::from_millis(50)), None);
        assert_eq!(f.idle(t0 + IDLE_END), Some(Ok("8934567890123".into())));
        // invalid UTF-8 and an endless line are refused, and the next scan is read
        assert_eq!(f.push(b"\xff\xfe\n", t0), vec![Err(DeviceError::NotUtf8)]);
        let long = vec![b'1'; MAX_SCAN_BYTES + 10];
        assert_eq!(f.push(&long, t0), vec![]);
        assert_eq!(f.push(b"\nOK\n", t0), vec![Err(DeviceError::TooLong { max: MAX_SCAN_BYTES }), Ok("OK".into())]);
    }

    #[test]
    fn a_missing_port_is_said_in_words() {
        let e = open("/dev/motcua-no-such-port").unwrap_err();
        assert!(e.to_string().contains("/dev/motcua-no-such-port"), "{e}");
    }
}
