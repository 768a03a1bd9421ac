//! The serial scanner with a real pseudo-terminal pair (socat) standing for the scanner: what is
//! written at one end arrives whole, UTF-8 intact, at the listener on the other.

use std::io::Write;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use motcua_devices::scanner::Listener;
use motcua_devices::DeviceError;

struct Pty {
    child: Child,
    app: String,
    scanner: String,
    _dir: tempfile::TempDir,
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pty_pair() -> Pty {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app").display().to_string();
    let scanner = dir.path().join("scanner").display().to_string();
    let child = Command::new("socat")
        .args([format!("pty,raw,echo=0,link={app}"), format!("pty,raw,echo=0,link={scanner}")])
        .spawn()
        .expect("socat is installed (scripts/setup.sh)");
    let t0 = Instant::now();
    while !(std::path::Path::new(&app).exists() && std::path::Path::new(&scanner).exists()) {
        assert!(t0.elapsed() < Duration::from_secs(10), "socat made no pty pair");
        std::thread::sleep(Duration::from_millis(20));
    }
    Pty { child, app, scanner, _dir: dir }
}

fn send(path: &str, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
}

#[test]
fn a_card_scanned_in_com_mode_arrives_whole_with_its_vietnamese_letters() {
    let pty = pty_pair();
    let (tx, rx) = mpsc::channel();
    let mut l = Listener::start(&pty.app, move |s| {
        let _ = tx.send(s);
    });
    std::thread::sleep(Duration::from_millis(300));
    let card = "001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 1, Phường Điện Biên, Quận Ba Đình, Hà Nội|10082021";
    // the scanner sends it in two bursts, with a CR suffix
    let bytes = format!("{card}\r").into_bytes();
    send(&pty.scanner, &bytes[..30]);
    std::thread::sleep(Duration::from_millis(40));
    send(&pty.scanner, &bytes[30..]);
    let got = rx.recv_timeout(Duration::from_secs(5)).expect("a scan");
    assert_eq!(got, Ok(card.to_string()));
    let parsed = motcua_core::card::parse(&got.unwrap(), chrono_today()).unwrap();
    assert_eq!(parsed.full_name, "Đặng Hữu Phước");
    assert!(!parsed.letters_lost);
    // a barcode with no suffix: ended by the silence
    send(&pty.scanner, b"000.00.31.H26-261130-0001");
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), Ok("000.00.31.H26-261130-0001".into()));
    // garbage is refused in words and the next scan still arrives
    send(&pty.scanner, b"\xff\xfe\xfd\n");
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), Err(DeviceError::NotUtf8));
    send(&pty.scanner, b"OK\n");
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), Ok("OK".into()));
    l.stop();
}

#[test]
fn an_unplugged_scanner_is_reported_and_the_listener_stops_cleanly() {
    let mut pty = pty_pair();
    let (tx, rx) = mpsc::channel();
    let mut l = Listener::start(&pty.app, move |s| {
        let _ = tx.send(s);
    });
    std::thread::sleep(Duration::from_millis(300));
    let _ = pty.child.kill();
    let _ = pty.child.wait();
    let got = rx.recv_timeout(Duration::from_secs(10)).expect("a report");
    assert!(matches!(got, Err(DeviceError::Lost { .. }) | Err(DeviceError::Open { .. })), "{got:?}");
    let t0 = Instant::now();
    l.stop();
    assert!(t0.elapsed() < Duration::from_secs(3), "stop does not hang");
}

#[test]
fn a_missing_port_is_reported_once() {
    let (tx, rx) = mpsc::channel();
    let mut l = Listener::start("/dev/motcua-no-such-scanner", move |s| {
        let _ = tx.send(s);
    });
    let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(matches!(got, Err(DeviceError::Open { .. })));
    assert!(rx.recv_timeout(Duration::from_millis(2500)).is_err(), "not repeated every retry");
    l.stop();
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}
