//! What the rendering tests share: the tools a person checks a PDF with, a demo store with a fixed
//! clock, and a print backend that only saves.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use motcua_core::clock::{parse_local, FixedClock};
use motcua_core::Store;
use motcua_forms::print::{JobTicket, PrintBackend, PrintJob, PrinterInfo};

pub fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd} not runnable ({e}); scripts/setup.sh installs it"));
    assert!(out.status.success(), "{cmd} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

/// pdftotext, with all whitespace (line breaks from wrapping) collapsed to single spaces.
pub fn text_of(pdf: &Path) -> String {
    let t = tool("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn pages_of(pdf: &Path) -> u32 {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

pub fn assert_clean_pdf(pdf: &Path) {
    tool("qpdf", &["--check", pdf.to_str().unwrap()]);
    let fonts = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts in {}", pdf.display());
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [type…] encoding emb sub uni id gen
        let n = cols.len();
        assert_eq!((cols[n - 5], cols[n - 4], cols[n - 3]), ("yes", "yes", "yes"), "font not embedded+subset+unicode: {row}");
    }
}

pub fn store(dir: &Path) -> Store {
    let mut s = Store::open_dir(dir, Arc::new(FixedClock(parse_local("2026-11-23T09:15").unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    s
}

pub struct Refuse;
impl PrintBackend for Refuse {
    fn printers(&self) -> motcua_forms::Result<Vec<PrinterInfo>> {
        Ok(vec![])
    }
    fn submit(&self, _: &Path, _: &PrintJob) -> motcua_forms::Result<JobTicket> {
        unreachable!("these tests only save PDFs")
    }
}

