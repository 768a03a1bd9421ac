//! Printing for real: `motcua print` sends the receipt to a real CUPS queue backed by cups-pdf
//! (scripts/cups-pdf-queue.sh, run by scripts/test.sh), and the test finds the printed PDF.
//!
//! cups-pdf prints through CUPS' PostScript filters, which drop the text layer (glyphs come back as
//! shapes without Unicode), so the printed output is checked as a person would look at it: its page
//! count and paper, the barcode and QR code decoded from it, and its pixels against our own rendering
//! (whose text is checked word by word in motcua-forms' tests) — closer to it than to another dossier's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn motcua(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.arg("--data-dir").arg(dir).args(args).env("MOTCUA_NOW", "2026-11-23T09:15").env_remove("MOTCUA_DATA_DIR");
    c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn printer() -> Option<(String, PathBuf)> {
    match (std::env::var("MOTCUA_TEST_PRINTER"), std::env::var("MOTCUA_TEST_PRINTER_OUT")) {
        (Ok(p), Ok(o)) if !p.is_empty() => Some((p, PathBuf::from(o))),
        _ => {
            eprintln!("SKIPPED: set MOTCUA_TEST_PRINTER and MOTCUA_TEST_PRINTER_OUT (scripts/test.sh does, via scripts/cups-pdf-queue.sh)");
            None
        }
    }
}

fn intake(dir: &Path, name: &str) -> String {
    intake_for(dir, "1.001193", name)
}

fn intake_for(dir: &Path, procedure: &str, name: &str) -> String {
    let req = serde_json::json!({
        "procedure_code": procedure,
        "applicant": {"full_name": name, "id_type": "cccd", "id_number": "001185001234", "date_of_birth": "12/05/1985",
                      "phone": "0987654321", "address": "Số 3 phố Đội Cấn, phường Ba Đình, Hà Nội"}
    });
    let out = ok(&motcua(dir, &["intake", "--json", "-"], Some(&req.to_string())));
    serde_json::from_str::<serde_json::Value>(&out).unwrap()["code"].as_str().unwrap().to_string()
}

/// Waits for cups-pdf to write the job's PDF (its name carries the job title and id).
pub fn wait_for_printed(out_dir: &Path, must_contain: &[&str]) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(entries) = std::fs::read_dir(out_dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if name.ends_with(".pdf") && must_contain.iter().all(|m| name.contains(m)) {
                    // cups-pdf writes then closes; wait until the size settles.
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    std::thread::sleep(Duration::from_millis(300));
                    if size > 0 && e.metadata().map(|m| m.len()).unwrap_or(0) == size {
                        return e.path();
                    }
                }
            }
        }
        assert!(Instant::now() < deadline, "no printed PDF with {must_contain:?} in {} (is cupsd running? see /var/log/cups)", out_dir.display());
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(out.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Page 1 as a small greyscale bitmap of fixed size.
fn thumbnail(pdf: &Path, work: &Path) -> Vec<u8> {
    let prefix = work.join("thumb");
    tool("pdftoppm", &["-gray", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", "210", "-scale-to-y", "297", pdf.to_str().unwrap(), prefix.to_str().unwrap()]);
    let bytes = std::fs::read(work.join("thumb.pgm")).unwrap();
    // P5\n<w> <h>\n255\n<data>
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    bytes[i + 1..].to_vec()
}

/// Mean absolute grey difference of two 210×297 thumbnails, at the best shift of up to ±4 px (the
/// printed page may sit a point or two off: cups-pdf's A5 is 421 × 595 pt, ours 419.5 × 595.3).
fn distance(a: &[u8], b: &[u8]) -> f64 {
    const W: i32 = 210;
    const H: i32 = 297;
    assert_eq!(a.len(), (W * H) as usize);
    assert_eq!(b.len(), (W * H) as usize);
    let mut best = f64::MAX;
    for dy in -4..=4 {
        for dx in -4..=4 {
            let (mut sum, mut n) = (0f64, 0f64);
            for y in 4..H - 4 {
                for x in 4..W - 4 {
                    let pa = a[(y * W + x) as usize] as f64;
                    let pb = b[((y + dy) * W + x + dx) as usize] as f64;
                    sum += (pa - pb).abs();
                    n += 1.0;
                }
            }
            best = best.min(sum / n);
        }
    }
    best
}

#[test]
fn the_cli_prints_a_receipt_on_a_real_cups_printer() {
    let Some((queue, out_dir)) = printer() else { return };
    let dir = tempfile::tempdir().unwrap();
    ok(&motcua(dir.path(), &["init", "--agency-code", "000.00.31.H26", "--agency-name", "UBND phường Ba Đình", "--counter", "Q01", "--code-block", "1-4999"], None));
    let code = intake(dir.path(), "Phạm Thị Ỷ Lan");
    // Another dossier, of another procedure: a page laid out differently.
    let other = intake_for(dir.path(), "2.000815", "Hoàng Văn Thưởng");

    let printed = ok(&motcua(dir.path(), &["print", "receipt", &code, "--printer", &queue, "--json"], None));
    let outcome: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(outcome["printed"], true, "{printed}");
    let job = outcome["job_id"].as_str().unwrap().to_string();
    let job_no = job.rsplit('-').next().unwrap();
    let ours = PathBuf::from(outcome["pdf_path"].as_str().unwrap());

    let found = wait_for_printed(&out_dir, &[&code, &format!("job_{job_no}")]);
    let info = tool("pdfinfo", &[found.to_str().unwrap()]);
    let pages = outcome["pages"].as_u64().unwrap();
    assert!(pages >= 2, "two copies of the receipt");
    assert!(info.contains(&format!("Pages:           {pages}")), "every page printed: {info}");
    assert!(info.contains("(A5)"), "A5 as the job option asked: {info}");

    let prefix = dir.path().join("scan");
    tool("pdftoppm", &["-r", "300", "-gray", "-png", "-f", "1", "-l", "1", "-singlefile", found.to_str().unwrap(), prefix.to_str().unwrap()]);
    let symbols = tool("zbarimg", &["-q", dir.path().join("scan.png").to_str().unwrap()]);
    assert!(symbols.contains(&format!("CODE-128:{code}")), "{symbols}");
    assert!(symbols.contains(&format!("ma={code}")), "{symbols}");

    // The printed page looks like our receipt, and clearly less like another dossier's.
    let other_pdf = dir.path().join("other.pdf");
    ok(&motcua(dir.path(), &["print", "receipt", &other, "--out", other_pdf.to_str().unwrap()], None));
    let printed_px = thumbnail(&found, dir.path());
    let same = distance(&printed_px, &thumbnail(&ours, dir.path()));
    let different = distance(&printed_px, &thumbnail(&other_pdf, dir.path()));
    eprintln!("pixel distance to its own receipt {same:.2}, to another dossier's {different:.2}");
    assert!(same < different, "printed page is not closer to its own receipt: {same:.2} vs {different:.2}");
    assert!(same < different * 0.8, "printed page is not clearly its own receipt: {same:.2} vs {different:.2}");

    // The print is in the log, with the queue and the job.
    let log = ok(&motcua(dir.path(), &["print", "receipt", &code, "--out", dir.path().join("again.pdf").to_str().unwrap(), "--json"], None));
    assert_eq!(serde_json::from_str::<serde_json::Value>(&log).unwrap()["reprint"], true);
}

#[test]
fn printing_to_a_missing_printer_fails_clearly_and_keeps_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    ok(&motcua(dir.path(), &["init", "--agency-code", "000.00.31.H26", "--agency-name", "UBND phường Ba Đình", "--counter", "Q01", "--code-block", "1-4999"], None));
    let code = intake(dir.path(), "Phạm Thị Ỷ Lan");
    let o = motcua(dir.path(), &["print", "receipt", &code, "--printer", "May-In-Khong-Ton-Tai"], None);
    assert_eq!(o.status.code(), Some(5), "printer errors exit 5");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error [printer]") && err.contains("PDF đã lưu tại"), "{err}");
    let path = err.rsplit("PDF đã lưu tại ").next().unwrap().trim();
    assert!(Path::new(path).exists(), "{path}");
    // The dossier is still there and still printable to a file.
    ok(&motcua(dir.path(), &["show", &code], None));
}

#[test]
fn print_arguments_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    ok(&motcua(dir.path(), &["init", "--agency-code", "000.00.31.H26", "--agency-name", "UBND phường Ba Đình", "--counter", "Q01", "--code-block", "1-4999"], None));
    let code = intake(dir.path(), "Phạm Thị Ỷ Lan");
    let out = dir.path().join("x.pdf");
    let o = motcua(dir.path(), &["print", "invoice", &code, "--out", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let o = motcua(dir.path(), &["print", "refusal", &code, "--out", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("lý do"));
    let o = motcua(dir.path(), &["print", "logbook", "--from", "30/11/2026", "--to", "01/11/2026", "--out", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    ok(&motcua(dir.path(), &["print", "logbook", "--from", "01/11/2026", "--to", "30/11/2026", "--out", out.to_str().unwrap()], None));
    assert!(out.exists());
}

#[test]
fn a_stopped_printer_is_reported_in_words_and_the_job_is_not_sent() {
    let Ok(queue) = std::env::var("MOTCUA_TEST_STOPPED_PRINTER") else {
        eprintln!("SKIPPED: set MOTCUA_TEST_STOPPED_PRINTER (scripts/cups-pdf-queue.sh makes one)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    ok(&motcua(dir.path(), &["init", "--agency-code", "000.00.31.H26", "--agency-name", "UBND phường Ba Đình", "--counter", "Q01", "--code-block", "1-4999"], None));
    let code = intake(dir.path(), "Phạm Thị Ỷ Lan");
    let o = motcua(dir.path(), &["print", "receipt", &code, "--printer", &queue], None);
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("Máy in \"{queue}\" không in được: máy in hết giấy.")), "{err}");
    let listed = ok(&motcua(dir.path(), &["printers", "--json"], None));
    let printers: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let stopped = printers.as_array().unwrap().iter().find(|p| p["name"] == queue.as_str()).expect("listed");
    assert_eq!(stopped["ready"], false);
    assert_eq!(stopped["state"], "stopped: máy in hết giấy");
}
