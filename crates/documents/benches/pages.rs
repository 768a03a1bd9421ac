//! Benchmark (issue 16): a scanned page, from the scanner's last byte to "attached" — compress
//! (whiten + mozjpeg), build the item's PDF, hash, write and fsync the file and its directory, record
//! the event in SQLite — BENCH_PAGES times (default 200; smoke-sized in CI) on a 200 dpi gray A4 page of
//! typed text with scanner noise. Floor in the same run: writing and fsyncing the same PDF bytes to a
//! file. Also the size of one page in each mode. Targets: p50 < 300 ms, p99 < 800 ms, < 150 kB a page.

use std::time::Instant;

#[path = "../tests/support/mod.rs"]
mod support;
use support::scanned_text_page;

use motcua_core::documents::{self, DocSlot, DocSource, NewDocument};
use motcua_devices::page_scan::ScanMode;
use motcua_documents::{page, pdf, DocInfo};

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n: usize = std::env::var("BENCH_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let (mut store, d) = support::demo_with_dossier(dir.path());
    let item = d.documents[0].clone();
    let img = scanned_text_page();
    let (mut attach_ms, mut floor_ms) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut size = 0;
    for i in 0..n {
        // a different page each time (one pixel), so every file is new
        let mut img = img.clone();
        if let image::DynamicImage::ImageLuma8(g) = &mut img {
            g.put_pixel((i % 1000) as u32, 5, image::Luma([0]));
        }
        let t = Instant::now();
        let p = page::encode(&img, ScanMode::Gray, 200).unwrap();
        let bytes = pdf::build(std::slice::from_ref(&p), &DocInfo { title: item.name.clone(), dossier_code: d.code.clone(), created: None }).unwrap();
        let blob = documents::store_file(&store, &bytes).unwrap();
        documents::attach(&mut store, &d.code, &NewDocument { slot: DocSlot::Item { id: item.id.clone() }, sha256: blob.sha256, pages: 1, source: DocSource::Scanner, name: None }).unwrap();
        attach_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        size = bytes.len();
        // the floor: the same bytes written and fsync'd
        let t = Instant::now();
        let f = dir.path().join("floor.pdf");
        {
            use std::io::Write;
            let mut w = std::fs::File::create(&f).unwrap();
            w.write_all(&bytes).unwrap();
            w.sync_all().unwrap();
        }
        floor_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    attach_ms.sort_by(f64::total_cmp);
    floor_ms.sort_by(f64::total_cmp);
    let (p50, p99) = (pct(&attach_ms, 0.5), pct(&attach_ms, 0.99));
    println!("page to attached, {n} pages at 200 dpi gray A4: p50 {p50:.0} ms, p99 {p99:.0} ms; floor (write + fsync the same PDF) p50 {:.1} ms; ratio p50 {:.0}x", pct(&floor_ms, 0.5), p50 / pct(&floor_ms, 0.5).max(0.001));
    println!("size of one page of text: {:.0} kB (PDF)", size as f64 / 1024.0);
    for (mode, label) in [(ScanMode::Gray, "gray"), (ScanMode::Color, "colour"), (ScanMode::Lineart, "black and white")] {
        let p = page::encode(&img, mode, 200).unwrap();
        let b = pdf::build(std::slice::from_ref(&p), &DocInfo::default()).unwrap();
        println!("  {label}: {:.0} kB a page", b.len() as f64 / 1024.0);
    }
    let met = |ok: bool| if n < 100 { "n/a (smoke size)" } else if ok { "met" } else { "NOT met" };
    println!("targets: p50 < 300 ms: {}; p99 < 800 ms: {}; < 150 kB: {}", met(p50 < 300.0), met(p99 < 800.0), if size < 150 * 1024 { "met" } else { "NOT met" });
}
