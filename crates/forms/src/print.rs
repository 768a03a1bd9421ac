//! Handing a rendered PDF to a printer, from Rust (Tauri has no silent print and `window.print()` always
//! opens a dialog). One interface, `PrintBackend`, with:
//! - `Cups` (Linux, macOS): `lpstat` to find the queue and its state, `lp` to submit with the paper size
//!   as a job option. Tested here against a real cups-pdf queue.
//! - `WindowsSpooler` (Windows): most office printers do not take raw PDF, so the PDF is rasterised by a
//!   PDF program that prints through the spooler's driver: SumatraPDF (`-print-to`) when installed, else
//!   the shell's `PrintTo` verb of the registered PDF handler. NOT tested here (no Windows machine).

use std::path::Path;
use std::process::Command;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{FormsError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PrintErrorKind {
    /// No printer chosen and no system default.
    NoPrinter,
    /// The chosen printer does not exist (renamed, removed).
    NotFound,
    /// The printer exists but is stopped: paper out, jam, offline, paused.
    Stopped,
    /// The print system refused or lost the job.
    JobFailed,
    /// No print system on this machine.
    Unavailable,
}

impl PrintErrorKind {
    /// The stable reason the UI switches on (offer the printer settings, say the paper is out).
    pub fn reason(self) -> motcua_core::Reason {
        use motcua_core::Reason;
        match self {
            PrintErrorKind::NoPrinter => Reason::NoPrinter,
            PrintErrorKind::NotFound => Reason::PrinterNotFound,
            PrintErrorKind::Stopped => Reason::PrinterStopped,
            PrintErrorKind::JobFailed => Reason::PrintFailed,
            PrintErrorKind::Unavailable => Reason::PrintUnavailable,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PrinterInfo {
    pub name: String,
    pub is_default: bool,
    /// "idle", "printing", "stopped: hết giấy" ...
    pub state: String,
    pub ready: bool,
}

#[derive(Debug, Clone)]
pub struct PrintJob<'a> {
    /// None = the system default printer.
    pub printer: Option<&'a str>,
    pub copies: u32,
    /// "A4" or "A5".
    pub media: &'a str,
    pub landscape: bool,
    pub title: &'a str,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct JobTicket {
    pub printer: String,
    pub job_id: String,
}

pub trait PrintBackend: Send + Sync {
    fn printers(&self) -> Result<Vec<PrinterInfo>>;
    fn submit(&self, pdf: &Path, job: &PrintJob) -> Result<JobTicket>;
}

fn err(kind: PrintErrorKind, message: impl Into<String>) -> FormsError {
    FormsError::Print { kind, message: message.into() }
}

/// The print system of this OS.
pub fn system() -> Box<dyn PrintBackend> {
    #[cfg(windows)]
    {
        Box::new(WindowsSpooler)
    }
    #[cfg(not(windows))]
    {
        Box::new(Cups)
    }
}

/// CUPS through its command-line clients (present wherever CUPS is; no C library to link).
pub struct Cups;

fn run(cmd: &str, args: &[&str]) -> Result<std::process::Output> {
    Command::new(cmd).args(args).env("LC_ALL", "C").env("LANG", "C").output().map_err(|e| {
        err(PrintErrorKind::Unavailable, format!("Máy tính chưa cài hệ thống in CUPS ({cmd}: {e}). Hãy lưu PDF và in từ máy khác."))
    })
}

/// Turns CUPS' reasons into words a clerk understands.
pub fn explain_reason(reason: &str) -> String {
    let r = reason.to_ascii_lowercase();
    if r.contains("media-empty") || r.contains("media empty") || r.contains("out of paper") {
        "máy in hết giấy".into()
    } else if r.contains("media-jam") || r.contains("jam") {
        "máy in bị kẹt giấy".into()
    } else if r.contains("toner") || r.contains("marker-supply-empty") {
        "máy in hết mực".into()
    } else if r.contains("offline") || r.contains("connecting-to-device") || r.contains("unable to connect") {
        "không kết nối được với máy in (tắt nguồn hoặc mất mạng)".into()
    } else if r.contains("door-open") || r.contains("cover-open") {
        "nắp máy in đang mở".into()
    } else if r.contains("paused") || r.contains("disabled") || r.trim().is_empty() {
        "máy in đang bị tạm dừng".into()
    } else {
        format!("máy in báo lỗi: {}", reason.trim())
    }
}

impl Cups {
    fn default_printer(&self) -> Result<Option<String>> {
        let out = run("lpstat", &["-d"])?;
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.lines().find_map(|l| l.strip_prefix("system default destination:")).map(|s| s.trim().to_string()))
    }

    /// State of one queue: Ok(None) when it is ready, Ok(Some(reason)) when stopped.
    fn state(&self, name: &str) -> Result<Option<String>> {
        let out = run("lpstat", &["-l", "-p", name])?;
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || text.contains("Invalid destination") || text.contains("does not exist") || text.trim().is_empty() {
            return Err(err(PrintErrorKind::NotFound, format!("Không tìm thấy máy in \"{name}\". Hãy chọn lại máy in trong Thiết lập.")));
        }
        if text.contains(" disabled") {
            let reason = text
                .lines()
                .skip(1)
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("Description") && !l.starts_with("Location") && !l.starts_with("Connection") && !l.starts_with("Interface") && !l.starts_with("On fault") && !l.starts_with("After fault") && !l.starts_with("Users") && !l.starts_with("Forms") && !l.starts_with("Banner") && !l.starts_with("Charset") && !l.starts_with("Printer types") && !l.starts_with("Form mounted") && !l.starts_with("Content types"))
                .unwrap_or("")
                .to_string();
            return Ok(Some(reason));
        }
        if let Some(alerts) = text.lines().find_map(|l| l.trim().strip_prefix("Alerts:")) {
            let a = alerts.to_ascii_lowercase();
            if a.contains("media-empty") || a.contains("media-jam") || a.contains("offline") {
                return Ok(Some(alerts.trim().to_string()));
            }
        }
        Ok(None)
    }
}

impl PrintBackend for Cups {
    fn printers(&self) -> Result<Vec<PrinterInfo>> {
        let default = self.default_printer()?;
        let out = run("lpstat", &["-p"])?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let lines: Vec<&str> = text.lines().collect();
        let mut list = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line.strip_prefix("printer ") else { continue };
            let name = rest.split_whitespace().next().unwrap_or("").to_string();
            let ready = !rest.contains(" disabled");
            // A stopped queue's reason is on the next, indented line.
            let reason = lines.get(i + 1).filter(|l| l.starts_with(char::is_whitespace)).map(|l| l.trim()).unwrap_or("");
            let state = if !ready {
                format!("stopped: {}", explain_reason(reason))
            } else if rest.contains("now printing") {
                "printing".into()
            } else {
                "idle".into()
            };
            list.push(PrinterInfo { is_default: default.as_deref() == Some(name.as_str()), name, state, ready });
        }
        Ok(list)
    }

    fn submit(&self, pdf: &Path, job: &PrintJob) -> Result<JobTicket> {
        let printer = match job.printer.map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => p.to_string(),
            None => self.default_printer()?.ok_or_else(|| {
                err(PrintErrorKind::NoPrinter, "Chưa chọn máy in và máy tính chưa có máy in mặc định. Hãy chọn máy in trong Thiết lập.")
            })?,
        };
        if let Some(reason) = self.state(&printer)? {
            return Err(err(PrintErrorKind::Stopped, format!("Máy in \"{printer}\" không in được: {}.", explain_reason(&reason))));
        }
        let copies = job.copies.clamp(1, 99).to_string();
        let media = format!("media={}", job.media);
        let path = pdf.to_string_lossy().to_string();
        let mut args = vec!["-d", printer.as_str(), "-n", copies.as_str(), "-o", media.as_str(), "-t", job.title];
        if job.landscape {
            args.extend(["-o", "landscape"]);
        }
        args.extend(["--", path.as_str()]);
        let out = run("lp", &args)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(err(PrintErrorKind::JobFailed, format!("Máy in \"{printer}\" từ chối lệnh in: {msg}")));
        }
        // "request id is MotCua-PDF-12 (1 file(s))"
        let job_id = stdout.split_whitespace().skip_while(|w| *w != "is").nth(1).unwrap_or("").to_string();
        Ok(JobTicket { printer, job_id })
    }
}

/// Windows: see the module notes. Untested here.
pub struct WindowsSpooler;

impl WindowsSpooler {
    fn sumatra() -> Option<std::path::PathBuf> {
        let mut candidates = Vec::new();
        for var in ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"] {
            if let Some(dir) = std::env::var_os(var) {
                candidates.push(Path::new(&dir).join("SumatraPDF").join("SumatraPDF.exe"));
            }
        }
        candidates.into_iter().find(|p| p.exists())
    }
}

impl PrintBackend for WindowsSpooler {
    fn printers(&self) -> Result<Vec<PrinterInfo>> {
        let out = Command::new("powershell")
            .args(["-NoProfile", "-Command", "Get-Printer | ForEach-Object { \"$($_.Name)`t$($_.PrinterStatus)\" }"])
            .output()
            .map_err(|e| err(PrintErrorKind::Unavailable, format!("Không đọc được danh sách máy in: {e}")))?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, s)| PrinterInfo { name: n.to_string(), is_default: false, state: s.to_string(), ready: s == "Normal" })
            .collect())
    }

    fn submit(&self, pdf: &Path, job: &PrintJob) -> Result<JobTicket> {
        let printer = job.printer.unwrap_or("").to_string();
        let status = if let Some(sumatra) = Self::sumatra() {
            let settings = format!("{}x,paper={}{}", job.copies.max(1), job.media, if job.landscape { ",landscape" } else { "" });
            let mut cmd = Command::new(sumatra);
            if printer.is_empty() {
                cmd.arg("-print-to-default");
            } else {
                cmd.args(["-print-to", &printer]);
            }
            cmd.args(["-print-settings", &settings, "-silent"]).arg(pdf).status()
        } else {
            // the file and the printer reach PowerShell as environment variables, never as script text
            // (a printer name with a typographic quote would otherwise end a string and run code)
            let script = "Start-Process -FilePath $env:MOTCUA_PDF -Verb PrintTo -ArgumentList ('\"' + $env:MOTCUA_PRINTER + '\"') -Wait";
            Command::new("powershell").args(["-NoProfile", "-Command", script]).env("MOTCUA_PDF", pdf).env("MOTCUA_PRINTER", &printer).status()
        };
        match status {
            Ok(s) if s.success() => Ok(JobTicket { printer, job_id: String::new() }),
            Ok(s) => Err(err(PrintErrorKind::JobFailed, format!("Lệnh in thất bại (mã {s}). Hãy mở PDF và in thủ công."))),
            Err(e) => Err(err(PrintErrorKind::Unavailable, format!("Không gọi được chương trình in: {e}. Hãy cài SumatraPDF hoặc mở PDF và in thủ công."))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_explained_in_vietnamese() {
        assert_eq!(explain_reason("media-empty-error"), "máy in hết giấy");
        assert_eq!(explain_reason("Paused"), "máy in đang bị tạm dừng");
        assert!(explain_reason("weird-thing").contains("weird-thing"));
    }
}
