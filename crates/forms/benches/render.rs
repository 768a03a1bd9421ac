//! Forms benchmark (docs/BENCHMARKS.md): receipt render latency (fonts parsed once), a 1,000-row
//! logbook, and intake-to-CUPS (confirm → dossier committed → receipt rendered, saved, logged and
//! handed to `lp`). Full size: `cargo bench -p motcua-forms --bench render`; smoke size in CI through
//! `cargo test --bench render` with BENCH_RECEIPTS / BENCH_LOGBOOK / BENCH_PRINTS small.
//! BENCH_PRINTER names the CUPS queue for the intake-to-CUPS part (skipped when unset).

use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_core::clock::{parse_local, FixedClock};
use motcua_core::intake::{submit, IntakeRequest};
use motcua_core::Store;
use motcua_forms::data;
use motcua_forms::layout::{render, RenderOptions};
use motcua_forms::print;
use motcua_forms::service::{produce, PrintRequest};
use motcua_forms::{FormKind, TemplateSet};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn request(i: usize) -> IntakeRequest {
    let names = ["Nguyễn Thị Ngọc Ánh", "Trương Đặng Quỳnh Hương", "Lưu Thị Ỷ Lan", "Phạm Đức Thưởng", "Hoàng Văn Ưng"];
    serde_json::from_value(serde_json::json!({
        "procedure_code": "1.001193",
        "applicant": {"full_name": names[i % names.len()], "id_type": "cccd", "id_number": "001185001234",
            "date_of_birth": "12/05/1985", "phone": "0987654321", "address": format!("Số {i} phố Đội Cấn, phường Ba Đình, Hà Nội")}
    }))
    .unwrap()
}

fn main() {
    let receipts = env("BENCH_RECEIPTS", 2000);
    let logbook_rows = env("BENCH_LOGBOOK", 1000);
    let prints = env("BENCH_PRINTS", 100);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path(), Arc::new(FixedClock(parse_local("2026-11-23T09:15").unwrap()))).unwrap();
    store.ensure_demo().unwrap();
    for i in 0..logbook_rows.max(1) {
        submit(&mut store, &request(i)).unwrap();
    }
    let code = store.dossiers_received_between(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap()[0].code.clone();
    let set = TemplateSet::default_set();

    // Fonts are parsed on first use: time that once, apart.
    let t = Instant::now();
    let _ = motcua_forms::fonts::Fonts::get();
    println!("fonts parsed once: {:.2} ms", t.elapsed().as_secs_f64() * 1e3);

    use motcua_core::settings::Paper::{A4, A5};
    for (paper, copies, compress) in [(A5, 1, false), (A5, 2, false), (A4, 2, false), (A5, 2, true)] {
        let opts = RenderOptions { receipt_paper: paper, copies, reprint_mark: None, compress };
        let form = data::for_dossier(&store, FormKind::Receipt, &code, &Default::default()).unwrap();
        let mut pure = Vec::with_capacity(receipts);
        let mut with_read = Vec::with_capacity(receipts);
        let mut bytes = 0;
        for _ in 0..receipts {
            let t = Instant::now();
            let r = render(set, FormKind::Receipt, &form, &opts).unwrap();
            pure.push(t.elapsed());
            bytes = r.pdf.len();
            let t = Instant::now();
            let d = data::for_dossier(&store, FormKind::Receipt, &code, &Default::default()).unwrap();
            let _ = render(set, FormKind::Receipt, &d, &opts).unwrap();
            with_read.push(t.elapsed());
        }
        pure.sort();
        with_read.sort();
        println!(
            "receipt {} x{copies}{} ({receipts} runs, {bytes} bytes): render p50 {:.2} ms p99 {:.2} ms | read dossier + render p50 {:.2} ms p99 {:.2} ms",
            paper.as_str(), if compress { " deflated" } else { "" }, pct(&pure, 0.5), pct(&pure, 0.99), pct(&with_read, 0.5), pct(&with_read, 0.99)
        );
    }

    let t = Instant::now();
    let lb = data::logbook(&store, chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).unwrap();
    let read = t.elapsed();
    let t = Instant::now();
    let r = render(set, FormKind::Logbook, &lb, &RenderOptions::default()).unwrap();
    println!(
        "logbook {} rows: read {:.0} ms + render {:.0} ms = {:.0} ms, {} pages, {} bytes",
        lb.rows.len(), read.as_secs_f64() * 1e3, t.elapsed().as_secs_f64() * 1e3, (read + t.elapsed()).as_secs_f64() * 1e3, r.pages, r.pdf.len()
    );

    match std::env::var("BENCH_PRINTER") {
        Ok(queue) if !queue.is_empty() => {
            motcua_core::settings::CounterSettings::set(&mut store, "printer", &queue).unwrap();
            let backend = print::system();
            let mut times = Vec::with_capacity(prints);
            for i in 0..prints {
                let t = Instant::now();
                let d = submit(&mut store, &request(100_000 + i)).unwrap();
                let req = PrintRequest { kind: Some(FormKind::Receipt), code: Some(d.code), send: true, ..Default::default() };
                let o = produce(&mut store, &req, backend.as_ref()).unwrap();
                assert!(o.printed, "{:?}", o.error);
                times.push(t.elapsed());
            }
            times.sort();
            println!("intake confirm -> receipt handed to CUPS ({prints} runs, queue {queue}): p50 {:.1} ms p99 {:.1} ms max {:.1} ms", pct(&times, 0.5), pct(&times, 0.99), pct(&times, 1.0));
        }
        _ => println!("intake -> CUPS: skipped (set BENCH_PRINTER to a CUPS queue)"),
    }
}
