//! Render, save, log and print a form in one call: what `motcua print` and the app's print buttons do.
//! The PDF is always saved under the data directory first (so "open PDF" works whatever the printer
//! does), the print log gets a row before the printer is touched, and a printer failure is returned as
//! part of the outcome, never as a failure of the dossier.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use motcua_core::settings::{CounterSettings, Paper};
use motcua_core::{AppError, Store};

use crate::data::{self, FormInput};
use crate::error::{FormsError, Result};
use crate::layout::{render, RenderOptions, Rendered};
use crate::print::{PrintBackend, PrintJob};
use crate::template::{FormKind, TemplateSet};

#[derive(Debug, Clone, Default)]
pub struct PrintRequest {
    pub kind: Option<FormKind>,
    /// The dossier, for every form but the logbook.
    pub code: Option<String>,
    /// The logbook's date range.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub input: FormInput,
    /// Overrides the counter's printer.
    pub printer: Option<String>,
    /// Receipt: copies ("liên") drawn; other forms: copies the printer makes. None = the setting / 1.
    pub copies: Option<u32>,
    /// Where to write the PDF; None = `<data dir>/prints/`.
    pub out: Option<PathBuf>,
    /// Send to the printer (false = only save the PDF).
    pub send: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PrintOutcome {
    pub form: FormKind,
    pub dossier_code: Option<String>,
    pub pdf_path: String,
    pub pages: u32,
    pub reprint: bool,
    /// True when the job reached the printer's queue.
    pub printed: bool,
    pub printer: Option<String>,
    pub job_id: Option<String>,
    /// The printer's failure, in words for the clerk, when `printed` is false after a send.
    pub error: Option<AppError>,
    #[ts(type = "number")]
    pub log_id: i64,
}

/// A contact recorded at intake (guidance or refusal, no dossier code) and what became of its slip.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ContactOutcome {
    pub record: motcua_core::lifecycle::DossierView,
    pub print: PrintOutcome,
}

/// Guidance or refusal at intake without taking the dossier in: records the contact and produces
/// its slip (Mẫu 02 / Mẫu 03) — to `out` when given, else to the printer when `send`. A printer
/// failure comes back in the outcome; the record stays.
pub fn contact(store: &mut Store, c: &motcua_core::intake::contact::ContactRequest, out: Option<PathBuf>, send: bool, backend: &dyn PrintBackend) -> Result<ContactOutcome> {
    let d = motcua_core::intake::contact::record(store, c)?;
    let req = PrintRequest { kind: Some(c.kind.form()), code: Some(d.code.clone()), out, send, ..Default::default() };
    let print = produce(store, &req, backend)?;
    Ok(ContactOutcome { record: motcua_core::lifecycle::DossierView::read(store, d)?, print })
}

/// Renders a form's PDF without saving or logging anything (previews, benchmarks).
pub fn render_form(store: &Store, req: &PrintRequest) -> Result<(Rendered, FormKind)> {
    let (kind, data) = build(store, req)?;
    let settings = CounterSettings::load(store)?;
    let opts = RenderOptions { receipt_paper: settings.receipt_paper, copies: receipt_copies(kind, req, &settings), reprint_mark: None, compress: kind != FormKind::Receipt };
    Ok((render(TemplateSet::default_set(), kind, &data, &opts)?, kind))
}

fn receipt_copies(kind: FormKind, req: &PrintRequest, settings: &CounterSettings) -> u32 {
    if kind == FormKind::Receipt {
        req.copies.unwrap_or(settings.receipt_copies).clamp(1, 5)
    } else {
        1
    }
}

fn build(store: &Store, req: &PrintRequest) -> Result<(FormKind, data::FormData)> {
    let kind = req.kind.ok_or_else(|| motcua_core::CoreError::invalid("Chưa chọn mẫu cần in"))?;
    let data = if kind == FormKind::Logbook {
        let (from, to) = match (req.from, req.to) {
            (Some(f), Some(t)) => (f, t),
            _ => return Err(motcua_core::CoreError::invalid("Sổ theo dõi hồ sơ cần ngày bắt đầu và ngày kết thúc").into()),
        };
        data::logbook(store, from, to)?
    } else if kind == FormKind::Handover {
        data::handover_list(store, req.input.batch.as_deref().unwrap_or(""))?
    } else {
        let code = req.code.as_deref().ok_or_else(|| motcua_core::CoreError::invalid("Chưa nhập mã hồ sơ"))?;
        data::for_dossier(store, kind, code, &req.input)?
    };
    Ok((kind, data))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| FormsError::Io { path: path.display().to_string(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// One part of a saved PDF's file name: only `[A-Za-z0-9._-]` (anything else becomes `_`), at most 80
/// characters. Dossier codes are checked when they come in; this is the second lock.
pub fn file_name_part(s: &str) -> String {
    s.chars().take(80).map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// `<dir>/<stem>-<form>-<log id>.pdf`, built from sanitised parts, and refused unless it is a file
/// directly inside `dir`.
pub fn saved_pdf_path(dir: &Path, stem: &str, form: &str, log_id: i64) -> Result<PathBuf> {
    let stem = file_name_part(stem);
    // never a hidden file, never "." or ".." (a code like ../../x has become .._.._x)
    let stem = if stem.starts_with('.') { format!("_{stem}") } else { stem };
    let name = format!("{stem}-{}-{log_id}.pdf", file_name_part(form));
    let path = dir.join(&name);
    let inside = path.parent() == Some(dir) && path.file_name().is_some_and(|n| n == name.as_str()) && !name.starts_with('.');
    if !inside {
        return Err(motcua_core::CoreError::invalid(format!("Tên tệp PDF không hợp lệ: {name}")).into());
    }
    Ok(path)
}

/// Renders, saves, logs and (if asked) prints. Validation errors return Err and log nothing; a printer
/// failure returns Ok with `printed: false` and the reason in `error`.
pub fn produce(store: &mut Store, req: &PrintRequest, backend: &dyn PrintBackend) -> Result<PrintOutcome> {
    let (kind, data) = build(store, req)?;
    let settings = CounterSettings::load(store)?;
    let set = TemplateSet::default_set();
    let code = data.dossier.as_ref().map(|d| d.code.clone());
    let copies = receipt_copies(kind, req, &settings);
    let printer = req.printer.clone().or_else(|| Some(settings.printer.clone()).filter(|p| !p.is_empty()));
    let job_copies = if kind == FormKind::Receipt { 1 } else { req.copies.unwrap_or(1).clamp(1, 99) };

    let before = match &code {
        Some(c) => store.times_printed(c, kind.as_str())?,
        None => 0,
    };
    let (log_id, reprint) = store.begin_print(&motcua_core::printlog::NewPrint {
        dossier_code: code.as_deref(),
        form: kind.as_str(),
        printer: if req.send { printer.as_deref() } else { None },
        copies: copies.max(job_copies),
        template: &set.version,
    })?;
    let reprint_mark = reprint.then(|| {
        format!("BẢN IN LẠI lần {} – {}", before + 1, motcua_core::dates::format_time_date(store.clock().now()))
    });
    let opts = RenderOptions { receipt_paper: settings.receipt_paper, copies, reprint_mark, compress: kind != FormKind::Receipt };
    let rendered = match render(set, kind, &data, &opts) {
        Ok(r) => r,
        Err(e) => {
            store.finish_print(log_id, "failed", None, Some(&e.to_string()))?;
            return Err(e);
        }
    };
    let path = match &req.out {
        Some(p) => p.clone(),
        None => {
            let dir = store.path().parent().map(Path::to_path_buf).unwrap_or_default().join("prints");
            let stem = code.clone().unwrap_or_else(|| format!("so-theo-doi-{}-{}", data.from.replace('/', ""), data.to.replace('/', "")));
            match saved_pdf_path(&dir, &stem, kind.as_str(), log_id) {
                Ok(p) => p,
                Err(e) => {
                    store.finish_print(log_id, "failed", None, Some(&e.to_string()))?;
                    return Err(e);
                }
            }
        }
    };
    if let Err(e) = write_atomic(&path, &rendered.pdf) {
        store.finish_print(log_id, "failed", None, Some(&e.to_string()))?;
        return Err(e);
    }
    let pdf_path = path.display().to_string();
    // the logbook carries the audit head on paper: remember that this hash is now outside the PC
    if kind == FormKind::Logbook {
        if let Some((id, hash)) = motcua_core::audit::parse_anchor(&data.audit_anchor) {
            motcua_core::audit::note_anchor(store, id, &hash, "report")?;
        }
    }
    let mut outcome = PrintOutcome {
        form: kind,
        dossier_code: code,
        pdf_path: pdf_path.clone(),
        pages: rendered.pages as u32,
        reprint,
        printed: false,
        printer: printer.clone(),
        job_id: None,
        error: None,
        log_id,
    };
    if !req.send {
        store.finish_print(log_id, "saved", Some(&pdf_path), None)?;
        return Ok(outcome);
    }
    let media = match rendered.paper.as_str() {
        "A5" => Paper::A5.as_str(),
        _ => Paper::A4.as_str(),
    };
    let title = format!("{} {}", kind.as_str(), outcome.dossier_code.as_deref().unwrap_or(""));
    let job = PrintJob { printer: printer.as_deref(), copies: job_copies, media, landscape: rendered.paper == "A4-landscape", title: &title };
    match backend.submit(&path, &job) {
        Ok(ticket) => {
            store.finish_print(log_id, "printed", Some(&pdf_path), Some(&format!("{} {}", ticket.printer, ticket.job_id)))?;
            outcome.printed = true;
            outcome.printer = Some(ticket.printer);
            outcome.job_id = Some(ticket.job_id);
        }
        Err(e) => {
            store.finish_print(log_id, "failed", Some(&pdf_path), Some(&e.to_string()))?;
            outcome.error = Some(e.into());
        }
    }
    Ok(outcome)
}

/// Deletes saved PDFs older than `keep_days` from `<data dir>/prints/`. They are copies: any form can be
/// rendered again from the dossier, and the print log keeps the record. Returns how many were removed.
pub fn prune_saved_pdfs(store: &Store, keep_days: u64) -> usize {
    let Some(dir) = store.path().parent().map(|d| d.join("prints")) else { return 0 };
    let Ok(entries) = std::fs::read_dir(&dir) else { return 0 };
    let limit = std::time::Duration::from_secs(keep_days * 86_400);
    let mut removed = 0;
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > limit);
        if old && e.path().extension().is_some_and(|x| x == "pdf") && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod file_name_tests {
    use super::*;

    #[test]
    fn saved_pdfs_stay_in_the_prints_directory() {
        let dir = Path::new("/data/prints");
        let p = saved_pdf_path(dir, "000.00.31.H26-261123-0001", "receipt", 7).unwrap();
        assert_eq!(p, dir.join("000.00.31.H26-261123-0001-receipt-7.pdf"));
        for evil in ["../../PWNED", "/etc/passwd", "..\\..\\x", "a/../../b", "\u{1b}]0;pwn\u{7}"] {
            let p = saved_pdf_path(dir, evil, "receipt", 1).unwrap();
            assert_eq!(p.parent(), Some(dir), "{evil:?} -> {}", p.display());
            assert!(p.file_name().unwrap().to_str().unwrap().chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
        }
        assert_eq!(file_name_part("../../PWNED"), ".._.._PWNED");
        assert_eq!(saved_pdf_path(dir, "so-theo-doi-01112026-30112026", "logbook", 3).unwrap(), dir.join("so-theo-doi-01112026-30112026-logbook-3.pdf"));
    }
}
