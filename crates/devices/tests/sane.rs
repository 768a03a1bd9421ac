//! Document scanning with SANE's real `test` backend (Debian sane-utils), through `scanimage`: the
//! scanner list, a grayscale and a colour page, the feeder, and the scanner's own failures (jammed,
//! cover open) set in the backend's configuration.
#![cfg(unix)] // SANE is the Linux scanner backend (docs/windows.md)

use motcua_core::error::Reason;
use motcua_devices::page_scan::{PageScanner, ScanMode, ScanSettings, ScanSource};
use motcua_devices::sane::{write_test_config, Sane};

fn sane(status: &str) -> (tempfile::TempDir, Sane) {
    let dir = tempfile::tempdir().unwrap();
    write_test_config(dir.path(), status).unwrap();
    let s = Sane::new("scanimage", Some(dir.path().to_path_buf()));
    (dir, s)
}

#[test]
fn lists_the_test_scanners_and_scans_a_gray_page_at_200_dpi() {
    let (_d, s) = sane("Default");
    let list = s.list().expect("scanimage is installed (scripts/setup.sh)");
    assert_eq!(list.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(), ["test:0", "test:1"]);
    assert!(list[0].label.contains("Noname"), "{:?}", list[0]);
    let pages = s.scan(Some("test:0"), &ScanSettings::default()).unwrap_or_else(|f| panic!("{}", f.error));
    assert_eq!(pages.len(), 1);
    let img = &pages[0].image;
    // the test device reaches 200 mm: 200 mm at 200 dpi is about 1575 px
    assert!((1570..=1576).contains(&img.width()) && img.width() == img.height(), "{}x{}", img.width(), img.height());
    assert_eq!(img.color(), image::ColorType::L8);
    let color = s.scan(None, &ScanSettings { mode: ScanMode::Color, dpi: 150, ..Default::default() }).unwrap_or_else(|f| panic!("{}", f.error));
    assert_eq!(color[0].image.color(), image::ColorType::Rgb8);
    assert_eq!(color[0].dpi, 150);
}

#[test]
fn the_feeder_gives_every_page_up_to_the_limit() {
    let (_d, s) = sane("Default");
    let pages = s
        .scan(Some("test:0"), &ScanSettings { source: ScanSource::Feeder, max_pages: 3, dpi: 150, ..Default::default() })
        .unwrap_or_else(|f| panic!("{}", f.error));
    assert_eq!(pages.len(), 3);
}

#[test]
fn scanner_failures_come_back_with_their_reasons_in_words() {
    for (status, reason, words) in [
        ("SANE_STATUS_JAMMED", Reason::ScannerJammed, "kẹt giấy"),
        ("SANE_STATUS_COVER_OPEN", Reason::ScannerCoverOpen, "Nắp máy quét"),
        ("SANE_STATUS_DEVICE_BUSY", Reason::ScannerBusy, "đang bận"),
    ] {
        let (_d, s) = sane(status);
        let f = s.scan(Some("test:0"), &ScanSettings::default()).err().expect("fails");
        assert_eq!(f.error.reason(), reason, "{status}: {}", f.error);
        assert!(f.error.to_string().contains(words), "{}", f.error);
    }
    let (_d, s) = sane("Default");
    let e = s.scan(Some("nosuch:0"), &ScanSettings::default()).err().unwrap().error;
    assert_eq!(e.reason(), Reason::NoScanner, "{e}");
    // hostile device names and settings never reach the command line
    for bad in ["--help", "", "a\nb"] {
        assert!(s.scan(Some(bad), &ScanSettings::default()).is_err());
    }
    assert!(s.scan(Some("test:0"), &ScanSettings { dpi: 5000, ..Default::default() }).err().unwrap().error.to_string().contains("dpi"));
}

/// A backend that reports its error and then never lets go of the device (SANE's test backend does
/// this now and then under load; some vendors' backends too): the clerk gets the error within seconds,
/// not after the three-minute timeout. A stand-in `scanimage` that behaves that way.
#[test]
fn a_backend_that_hangs_after_its_error_is_not_waited_for() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let fake = d.path().join("scanimage");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \"$*\" in *--help*) printf \"Options specific to device \\`x:0':\\n    --mode Gray|Color [Gray]\\n\"; exit 0;; esac\necho 'scanimage: sane_read: Document feeder jammed' >&2\nexec sleep 600\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = Sane::new(&fake, None);
    let t = std::time::Instant::now();
    let e = s.scan(Some("x:0"), &ScanSettings::default()).err().expect("fails").error;
    assert_eq!(e.reason(), Reason::ScannerJammed, "{e}");
    assert!(t.elapsed() < std::time::Duration::from_secs(20), "waited {:?}", t.elapsed());
}

/// SANE's test backend, asked for its "Grid" picture at 200 dpi, sends the whole page and then never
/// exits (seen on Debian 12's sane-backends 1.2.1): the page is taken, the process is not waited for.
#[test]
fn a_backend_that_hangs_after_a_whole_page_gives_the_page() {
    let d = tempfile::tempdir().unwrap();
    write_test_config(d.path(), "Default").unwrap();
    let conf = std::fs::read_to_string(d.path().join("test.conf")).unwrap().replace("\"Color pattern\"", "\"Grid\"");
    std::fs::write(d.path().join("test.conf"), conf).unwrap();
    let s = Sane::new("scanimage", Some(d.path().to_path_buf()));
    let t = std::time::Instant::now();
    let pages = s.scan(Some("test:0"), &ScanSettings::default()).unwrap_or_else(|f| panic!("{}", f.error));
    assert_eq!(pages.len(), 1);
    assert!(pages[0].image.width() > 1500);
    assert!(t.elapsed() < std::time::Duration::from_secs(30), "waited {:?}", t.elapsed());
}
