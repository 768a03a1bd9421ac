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
        let mut err = child.stderr.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = out.read_to_end(&mut b);
            b
        });
        let err_reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if start.elapsed() > SCAN_TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(scanner_error(Reason::ScanFailed, "quá thời gian chờ máy quét"));
                }
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
                Err(e) => return Err(scanner_error(Reason::ScanFailed, &e.to_string())),
            }
        };
        let stdout = reader.join().unwrap_or_default();
        let stderr = err_reader.join().unwrap_or_default();
        Ok((status.code().unwrap_or(-1), stdout, stderr))
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
