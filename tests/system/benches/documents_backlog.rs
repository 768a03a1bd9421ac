//! Benchmark (issue 16): a day's outage of documents — BENCH_DOC_DOSSIERS dossiers (default 300) with
//! one 4-page document each (≈ 1,200 pages of typed text at 200 dpi gray) pushed by `motcua sync` to the
//! reference portal on 127.0.0.1 with the events. Reports the wall time, MB/s and the client's peak
//! resident memory; the floor in the same run is a plain copy (read, write, fsync) of the same files.
//! Targets: under 60 s, client RSS under 100 MB.

use std::process::Stdio;
use std::time::Instant;

use motcua_core::documents::{self, DocSlot, DocSource, NewDocument};
use motcua_system_tests::*;

fn main() {
    let n: usize = std::env::var("BENCH_DOC_DOSSIERS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let d = tempfile::tempdir().unwrap();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    // one 4-page document of text pages, made unique per dossier by a trailing comment
    let clean = image::open(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/documents/text-page-200dpi.png")).unwrap();
    let page = motcua_documents::page::encode(&clean, motcua_devices::page_scan::ScanMode::Gray, 200).unwrap();
    let base = motcua_documents::pdf::build(&[page.clone(), page.clone(), page.clone(), page], &Default::default()).unwrap();
    let t = Instant::now();
    let mut total = 0u64;
    {
        let mut s = q1.store();
        let reqs: Vec<_> = (0..n).map(request).collect();
        let ds = motcua_core::intake::submit_batch(&mut s, &reqs).unwrap();
        for (i, dossier) in ds.iter().enumerate() {
            let mut pdf = base.clone();
            pdf.extend(format!("% copy {i}\n").as_bytes());
            total += pdf.len() as u64;
            let blob = documents::store_file(&s, &pdf).unwrap();
            let doc = NewDocument { slot: DocSlot::Item { id: dossier.documents[0].id.clone() }, sha256: blob.sha256, pages: 4, source: DocSource::Scanner, name: None };
            documents::attach(&mut s, &dossier.code, &doc).unwrap();
        }
    }
    println!("documents backlog: {n} dossiers × 4 pages, {:.1} MB, made in {:.1} s", total as f64 / 1e6, t.elapsed().as_secs_f64());
    // the floor: copy the same files (read, write, fsync) in this run
    let src = q1.dir.join("documents");
    let dst = d.path().join("copy");
    let t = Instant::now();
    for shard in std::fs::read_dir(&src).unwrap().flatten().filter(|e| e.file_name().len() == 2) {
        for f in std::fs::read_dir(shard.path()).unwrap().flatten() {
            let bytes = std::fs::read(f.path()).unwrap();
            let to = dst.join(f.file_name());
            std::fs::create_dir_all(&dst).unwrap();
            use std::io::Write;
            let mut w = std::fs::File::create(&to).unwrap();
            w.write_all(&bytes).unwrap();
            w.sync_all().unwrap();
        }
    }
    let floor = t.elapsed().as_secs_f64();
    // the push: events and files, as many rounds as the time budget per round needs
    let t = Instant::now();
    let mut rounds = 0;
    loop {
        rounds += 1;
        let out = q1.command().arg("sync").env("MOTCUA_BLOB_BUDGET_MS", "600000").stdout(Stdio::null()).stderr(Stdio::inherit()).output().unwrap();
        assert!(out.status.success());
        let waiting: i64 = q1.sql().query_row("SELECT COUNT(*) FROM blob_uploads WHERE state != 'stored'", [], |r| r.get(0)).unwrap();
        if waiting == 0 || rounds > 20 {
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    assert_eq!(portal.stats()["blobs"].as_u64(), Some(n as u64));
    assert_eq!(q1.outbox_len(), 0);
    println!(
        "push of {n} documents ({:.1} MB) with their events: {secs:.2} s in {rounds} round(s), {:.1} MB/s; plain copy of the same files {floor:.2} s ({:.1} MB/s); ratio {:.1}x; client peak RSS {peak_mb:.1} MB",
        total as f64 / 1e6,
        total as f64 / 1e6 / secs,
        total as f64 / 1e6 / floor.max(1e-6),
        secs / floor.max(1e-6)
    );
    println!("targets: < 60 s for 300 × 4 pages: {}; < 100 MB: {}", if n < 300 { "n/a (smoke size)" } else if secs < 60.0 { "met" } else { "NOT met" }, if peak_mb < 100.0 { "met" } else { "NOT met" });
}
