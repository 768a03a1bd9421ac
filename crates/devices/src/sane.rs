//! Document scanners through SANE, by running `scanimage` (Debian's sane-utils) as a child process
//! rather than linking libsane: a faulty or hanging backend (USB or network drivers from vendors)
//! cannot crash or freeze the app — the child is killed after `SCAN_TIMEOUT` — the app builds and
//! starts on machines without SANE (the scan key then says to install it), and no C library is needed
//! at build time. The cost is a process start per scan (a few ms) and reading the device's options
//! from `scanimage --help` text, which is stable across SANE 1.0–1.2.
//!
//! Each backend names its modes and sources its own way ("Gray", "Grayscale", "True Gray"; "ADF",
//! "Automatic Document Feeder"): the device's option list is read once and the clerk's choice matched
//! to it. SANE status codes come back as scanimage's exit status (SANE_STATUS_*: 3 busy, 6 jammed,
//! 7 no documents, 8 cover open), and are turned into the core's scanner reasons.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use motcua_core::error::{CoreError, Reason, Result};

use crate::page_scan::{scanner_error, PageScanner, ScanFailure, ScanMode, ScanSettings, ScanSource, ScannedPage, ScannerInfo, SCAN_TIMEOUT};

/// How long a scanner that already reported an error may take to let go of the device.
const ERROR_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// SANE through the `scanimage` program.
#[derive(Debug, Clone)]
pub struct Sane {
    program: PathBuf,
    /// SANE's configuration folder (`SANE_CONFIG_DIR`), when not the system's.
    config_dir: Option<PathBuf>,
}

impl Default for Sane {
    fn default() -> Self {
        Sane { program: "scanimage".into(), config_dir: None }
    }
}

/// The options of one device that matter here, read from `scanimage -d DEV --help`.
#[derive(Debug, Default, PartialEq)]
pub struct DeviceOptions {
    pub modes: Vec<String>,
    pub sources: Vec<String>,
    /// The largest scan area (mm), when the device has geometry options.
    pub max_x: Option<f64>,
    pub max_y: Option<f64>,
}

impl Sane {
    pub fn new(program: impl Into<PathBuf>, config_dir: Option<PathBuf>) -> Sane {
        Sane { program: program.into(), config_dir }
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        if let Some(d) = &self.config_dir {
            c.env("SANE_CONFIG_DIR", d);
        }
        c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    }

    /// Runs scanimage with `args`, killing it after the timeout: (exit code, stdout, stderr).
    fn run(&self, args: &[String]) -> Result<(i32, Vec<u8>, String)> {
        let mut child = self.command().args(args).spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => scanner_error(Reason::ScanUnavailable, ""),
            _ => scanner_error(Reason::ScanFailed, &e.to_string()),
        })?;
        let mut out = child.stdout.take().expect("piped");
        let err = child.stderr.take().expect("piped");
        // stdout as it arrives: a backend that sent its whole page and then hangs is not waited for
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let got_w = got.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got_w.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(&buf[..n]);
            }
        });
        // stderr line by line: a backend that reported its error and then hangs while closing the
        // device (SANE's test backend does, under load; some vendors' too) is not waited for
        let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let said_w = said.clone();
        let err_reader = std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(err).lines().map_while(std::result::Result::ok) {
                let mut s = said_w.lock().unwrap_or_else(|e| e.into_inner());
                if s.len() < 64 * 1024 {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let start = Instant::now();
        let mut failed_at: Option<Instant> = None;
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if start.elapsed() > SCAN_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(scanner_error(Reason::ScanFailed, "quá thời gian chờ máy quét"));
                }
                Ok(None) => {
                    let reported = { said.lock().unwrap_or_else(|e| e.into_inner()).contains("scanimage: sane_") };
                    let whole_page = { pnm_complete(&got.lock().unwrap_or_else(|e| e.into_inner())) };
                    if reported || whole_page {
                        let since = *failed_at.get_or_insert_with(Instant::now);
                        if since.elapsed() > ERROR_GRACE {
                            let _ = child.kill();
                            let _ = child.wait();
                            break None;
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(e) => return Err(scanner_error(Reason::ScanFailed, &e.to_string())),
            }
        };
        let _ = reader.join();
        let _ = err_reader.join();
        let stdout = std::mem::take(&mut *got.lock().unwrap_or_else(|e| e.into_inner()));
        let stderr = said.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let code = match status {
            Some(s) => s.code().unwrap_or(-1),
            // killed after it sent a whole page and said nothing wrong: the page is good
            None if !stderr.contains("scanimage: sane_") && pnm_complete(&stdout) => 0,
            // killed after it said what went wrong: the words decide (no exit status to read)
            None => -1,
        };
        Ok((code, stdout, stderr))
    }

    /// Reads a device's modes, sources and scan area.
    pub fn options(&self, device: &str) -> Result<DeviceOptions> {
        let (code, out, err) = self.run(&["-d".into(), device.into(), "--help".into()])?;
        if code != 0 {
            return Err(status_error(code, &err));
        }
        Ok(parse_options(&String::from_utf8_lossy(&out)))
    }
}

/// Whether `b` holds a whole binary PNM image (P4, P5 or P6: its header's size of pixel data is there).
pub fn pnm_complete(b: &[u8]) -> bool {
    let Some(kind) = b.get(..2) else { return false };
    let bpp = match kind {
        b"P4" => 0,
        b"P5" => 1,
        b"P6" => 3,
        _ => return false,
    };
    // the header: magic, width, height (and maxval except for P4), separated by whitespace, comments skipped
    let (mut fields, mut i) = (Vec::new(), 2);
    let want = if bpp == 0 { 2 } else { 3 };
    while fields.len() < want {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'#') {
            if b[i] == b'#' {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if start == i || i >= b.len() {
            return false;
        }
        let Ok(v) = std::str::from_utf8(&b[start..i]).unwrap_or("").parse::<u64>() else { return false };
        fields.push(v);
    }
    let data = i + 1; // one whitespace byte ends the header
    let (w, h) = (fields[0], fields[1]);
    let bytes_per_sample = if bpp > 0 && fields[2] > 255 { 2 } else { 1 };
    let need = if bpp == 0 { w.div_ceil(8) * h } else { w * h * bpp * bytes_per_sample };
    (b.len() as u64) >= data as u64 + need
}

/// Parses the device-specific part of `scanimage --help`.
pub fn parse_options(help: &str) -> DeviceOptions {
    let mut o = DeviceOptions::default();
    let device_part = help.split_once("Options specific to device").map_or(help, |(_, rest)| rest);
    for line in device_part.lines() {
        let t = line.trim_start();
        let values = |rest: &str| -> Vec<String> {
            let v = rest.trim_start();
            let v = v.split(" [").next().unwrap_or(v).trim();
            v.split('|').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        };
        let range_max = |rest: &str| -> Option<f64> {
            let v = rest.trim_start().split(" [").next()?.trim();
            let (_, hi) = v.split_once("..")?;
            hi.trim_end_matches("mm").split(|c: char| !(c.is_ascii_digit() || c == '.')).next()?.parse().ok()
        };
        if let Some(rest) = t.strip_prefix("--mode ") {
            o.modes = values(rest);
        } else if let Some(rest) = t.strip_prefix("--source ") {
            o.sources = values(rest);
        } else if let Some(rest) = t.strip_prefix("-x ") {
            o.max_x = range_max(rest);
        } else if let Some(rest) = t.strip_prefix("-y ") {
            o.max_y = range_max(rest);
        }
    }
    o
}

/// The device's own name for a mode (None: the device has no such mode or no mode option).
pub fn pick_mode(modes: &[String], mode: ScanMode) -> Option<String> {
    let wanted: &[&str] = match mode {
        ScanMode::Gray => &["gray", "grey", "true gray"],
        ScanMode::Color => &["color", "colour", "24bit color"],
        ScanMode::Lineart => &["lineart", "binary", "black & white", "halftone"],
    };
    modes.iter().find(|m| wanted.iter().any(|w| m.to_lowercase().starts_with(w))).cloned()
}

/// The device's name for its feeder (or flatbed).
pub fn pick_source(sources: &[String], source: ScanSource) -> Option<String> {
    sources
        .iter()
        .find(|s| {
            let l = s.to_lowercase();
            match source {
                ScanSource::Feeder => (l.contains("adf") || l.contains("feeder")) && !l.contains("duplex") && !l.contains("back"),
                ScanSource::Flatbed => l.contains("flatbed") || l == "normal",
            }
        })
        .cloned()
}

/// The error for a scanimage exit status and its message.
pub fn status_error(code: i32, stderr: &str) -> CoreError {
    let e = stderr.to_lowercase();
    let reason = match code {
        3 => Reason::ScannerBusy,
        6 => Reason::ScannerJammed,
        7 => Reason::ScannerNoPaper,
        8 => Reason::ScannerCoverOpen,
        _ if e.contains("no sane devices") || e.contains("open of device") || e.contains("no such device") => Reason::NoScanner,
        _ if e.contains("busy") => Reason::ScannerBusy,
        _ if e.contains("jammed") => Reason::ScannerJammed,
        _ if e.contains("cover") => Reason::ScannerCoverOpen,
        _ if e.contains("out of documents") || e.contains("no documents") => Reason::ScannerNoPaper,
        _ => Reason::ScanFailed,
    };
    // only the tool's own words (never a path or page content): the last line, shortened
    let detail: String = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").chars().take(120).collect();
    scanner_error(reason, detail.trim())
}

fn decode(bytes: &[u8], dpi: u32) -> Result<ScannedPage> {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Pnm)
        .map_err(|e| scanner_error(Reason::ScanFailed, &format!("ảnh từ máy quét không đọc được: {e}")))?;
    Ok(ScannedPage { image: img, dpi })
}

impl PageScanner for Sane {
    fn list(&self) -> Result<Vec<ScannerInfo>> {
        // `-f` prints one line per device in a fixed format: name TAB vendor model
        let (code, out, err) = self.run(&["-f".into(), "%d\t%v %m%n".into()])?;
        if code != 0 {
            return Err(status_error(code, &err));
        }
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(name, label)| ScannerInfo { name: name.trim().into(), label: label.trim().chars().take(100).collect() })
            .filter(|s| !s.name.is_empty())
            .collect())
    }

    fn scan(&self, device: Option<&str>, settings: &ScanSettings) -> std::result::Result<Vec<ScannedPage>, ScanFailure> {
        settings.check()?;
        let device = match device {
            Some(d) => d.to_string(),
            None => self.list()?.into_iter().next().ok_or_else(|| scanner_error(Reason::NoScanner, ""))?.name,
        };
        if device.is_empty() || device.len() > 200 || device.starts_with('-') || device.chars().any(char::is_control) {
            return Err(CoreError::validation("device", "Tên máy quét không hợp lệ").into());
        }
        let opts = self.options(&device)?;
        let mut args: Vec<String> = vec!["-d".into(), device.clone(), "--resolution".into(), settings.dpi.to_string()];
        if !opts.modes.is_empty() {
            let m = pick_mode(&opts.modes, settings.mode)
                .ok_or_else(|| CoreError::validation("mode", format!("Máy quét này không có chế độ {}", mode_label(settings.mode))))?;
            args.extend(["--mode".into(), m]);
        }
        if settings.source == ScanSource::Feeder || !opts.sources.is_empty() {
            match pick_source(&opts.sources, settings.source) {
                Some(s) => args.extend(["--source".into(), s]),
                None if settings.source == ScanSource::Feeder => {
                    return Err(CoreError::validation("source", "Máy quét này không có khay nạp giấy tự động: quét từng trang trên mặt kính").into())
                }
                None => {}
            }
        }
        // A4 (210 × 297 mm), within what the device can reach
        if let Some(x) = opts.max_x {
            args.extend(["-x".into(), format!("{}", x.min(210.0))]);
        }
        if let Some(y) = opts.max_y {
            args.extend(["-y".into(), format!("{}", y.min(297.0))]);
        }
        match settings.source {
            ScanSource::Flatbed => {
                args.push("--format=pnm".into());
                let (code, out, err) = self.run(&args)?;
                if code != 0 {
                    return Err(status_error(code, &err).into());
                }
                Ok(vec![decode(&out, settings.dpi)?])
            }
            ScanSource::Feeder => {
                let dir = tempfile::tempdir().map_err(|e| scanner_error(Reason::ScanFailed, &e.to_string()))?;
                args.push("--format=pnm".into());
                args.push(format!("--batch={}", dir.path().join("p%04d.pnm").display()));
                args.push(format!("--batch-count={}", settings.max_pages));
                let (code, _, err) = self.run(&args)?;
                let mut pages = Vec::new();
                for i in 1..=settings.max_pages {
                    let p = dir.path().join(format!("p{i:04}.pnm"));
                    let Ok(bytes) = std::fs::read(&p) else { break };
                    match decode(&bytes, settings.dpi) {
                        Ok(page) => pages.push(page),
                        // the page being read when the feeder stopped is incomplete: not kept
                        Err(_) => break,
                    }
                }
                // an empty feeder after some pages is the normal end of a batch
                if code == 0 || (code == 7 && !pages.is_empty()) {
                    if pages.is_empty() {
                        return Err(scanner_error(Reason::ScannerNoPaper, "").into());
                    }
                    Ok(pages)
                } else {
                    Err(ScanFailure { error: status_error(code, &err), partial: pages })
                }
            }
        }
    }
}

fn mode_label(mode: ScanMode) -> &'static str {
    match mode {
        ScanMode::Gray => "thang xám",
        ScanMode::Color => "màu",
        ScanMode::Lineart => "đen trắng",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: &str = "Usage: scanimage [OPTION]...\n\nOptions specific to device `test:0':\n  Scan Mode:\n    --mode Gray|Color [Gray]\n        Selects the scan mode.\n    --resolution 1..1200dpi (in steps of 1) [50]\n    --source Flatbed|Automatic Document Feeder [Flatbed]\n  Geometry:\n    -l 0..200mm (in steps of 1) [0]\n    -x 0..200mm (in steps of 1) [80]\n    -y 0..200mm (in steps of 1) [100]\n";

    #[test]
    fn device_options_are_read_from_the_help_text() {
        let o = parse_options(HELP);
        assert_eq!(o.modes, ["Gray", "Color"]);
        assert_eq!(o.sources, ["Flatbed", "Automatic Document Feeder"]);
        assert_eq!((o.max_x, o.max_y), (Some(200.0), Some(200.0)));
        assert_eq!(pick_mode(&o.modes, ScanMode::Gray).as_deref(), Some("Gray"));
        assert_eq!(pick_mode(&o.modes, ScanMode::Lineart), None);
        assert_eq!(pick_source(&o.sources, ScanSource::Feeder).as_deref(), Some("Automatic Document Feeder"));
        let brother = ["Black & White".to_string(), "Gray[Error Diffusion]".into(), "True Gray".into(), "24bit Color".into()];
        assert_eq!(pick_mode(&brother, ScanMode::Gray).as_deref(), Some("Gray[Error Diffusion]"));
        assert_eq!(pick_mode(&brother, ScanMode::Color).as_deref(), Some("24bit Color"));
        assert_eq!(pick_mode(&brother, ScanMode::Lineart).as_deref(), Some("Black & White"));
        assert_eq!(pick_source(&["FlatBed".into(), "ADF Front".into(), "ADF Duplex".into()], ScanSource::Feeder).as_deref(), Some("ADF Front"));
    }

    #[test]
    fn a_whole_pnm_page_is_recognised() {
        let mut p = b"P5\n# made by test\n4 2\n255\n".to_vec();
        assert!(!pnm_complete(&p));
        p.extend([0u8; 7]);
        assert!(!pnm_complete(&p));
        p.push(0);
        assert!(pnm_complete(&p));
        assert!(pnm_complete(b"P4 9 2\n\0\0\0\0"));
        assert!(!pnm_complete(b"P6 1 1 255\n\0\0"));
        assert!(!pnm_complete(b"GIF89a"));
    }

    #[test]
    fn sane_statuses_become_the_clerks_reasons() {
        assert_eq!(status_error(6, "scanimage: sane_read: Document feeder jammed").reason(), Reason::ScannerJammed);
        assert_eq!(status_error(8, "scanimage: sane_read: Scanner cover is open").reason(), Reason::ScannerCoverOpen);
        assert_eq!(status_error(3, "").reason(), Reason::ScannerBusy);
        assert_eq!(status_error(7, "").reason(), Reason::ScannerNoPaper);
        assert_eq!(status_error(1, "scanimage: open of device nosuch:0 failed: Invalid argument").reason(), Reason::NoScanner);
        assert_eq!(status_error(9, "scanimage: sane_read: Error during device I/O").reason(), Reason::ScanFailed);
        let missing = Sane::new("/nonexistent/scanimage", None).list().unwrap_err();
        assert_eq!(missing.reason(), Reason::ScanUnavailable);
        assert!(missing.to_string().contains("sane-utils"));
    }
}

/// A SANE configuration folder whose only backend is SANE's own `test` device (a real backend that
/// scans a generated picture), for tests, demos and training: `read_status` makes every read end with
/// that SANE status ("SANE_STATUS_JAMMED", "SANE_STATUS_COVER_OPEN", … or "Default").
pub fn write_test_config(dir: &std::path::Path, read_status: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("dll.conf"), "test\n")?;
    std::fs::write(
        dir.join("test.conf"),
        format!(
            "number_of_devices 2\nmode Gray\ndepth 8\nresolution 200.0\ntest-picture \"Color pattern\"\nread-status-code \"{read_status}\"\ngeometry_min 0.0\ngeometry_max 200.0\ngeometry_quant 1.0\nbr_x 200.0\nbr_y 200.0\n"
        ),
    )
}
