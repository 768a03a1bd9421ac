//! Benchmark: a day's outage at a busy office — a backlog of BENCH_BACKLOG events (default 10,000)
//! pushed by `motcua sync` to the reference portal on 127.0.0.1. Reports the wall time of the round
//! and the client's peak resident memory (getrusage of the waited child). Targets: under 10 s and
//! under 50 MB (docs/BENCHMARKS.md). Smoke-sized in CI.

use std::process::Stdio;
use std::time::Instant;

use motcua_system_tests::*;

fn main() {
    let n: usize = std::env::var("BENCH_BACKLOG").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let d = tempfile::tempdir().unwrap();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let t = Instant::now();
    {
        let mut s = q1.store();
        let reqs: Vec<_> = (0..n).map(request).collect();
        for chunk in reqs.chunks(1000) {
            motcua_core::intake::submit_batch(&mut s, chunk).unwrap();
        }
    }
    println!("backlog: {n} events made in {:.1} s", t.elapsed().as_secs_f64());
    assert_eq!(q1.outbox_len(), n as i64);
    let t = Instant::now();
    let out = q1.command().arg("sync").stdout(Stdio::piped()).stderr(Stdio::inherit()).output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(out.status.success());
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    assert_eq!(q1.outbox_len(), 0);
    // the counter had no block: every dossier came with a provisional code, and the portal mapped each
    // to an official one on this push (one code_reissued event of its own per dossier)
    // (up to the counter's daily cap, which its own leases of the day share: the rest keep their
    // provisional codes, still unique)
    let mapped = portal.events_of(motcua_core::sync::protocol::BACK_OFFICE).len();
    assert!(mapped > 0 && mapped <= n.min(motcua_portal::codes::DEFAULT_LEASE_CAP as usize), "{mapped}");
    assert_eq!(portal.stats()["events"].as_i64(), Some((n + mapped) as i64));
    println!("push of {n} events: {secs:.2} s ({:.0} events/s); client peak RSS {peak_mb:.1} MB", n as f64 / secs);
    println!("targets: < 10 s for 10,000 events: {}; < 50 MB: {}", if n < 10_000 { "n/a (smoke size)" } else if secs < 10.0 { "met" } else { "NOT met" }, if peak_mb < 50.0 { "met" } else { "NOT met" });
}
