//! Soak: 3 counters × SOAK_DOSSIERS dossiers (default 2,000) taken in, handed over, returned (also
//! each other's), while the portal's fault switches flip at random, the portal is killed and
//! restarted, and the counters "restart" (their store reopened). Bounded in time. At the end: the
//! portal holds exactly every counter's events, none twice, and every counter sees every dossier of
//! the agency as the portal does, conflicts included (settled by the same rule on every side).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use motcua_core::dossier::ReturnTo;
use motcua_core::lifecycle::{self, Command};
use motcua_core::Store;
use motcua_system_tests::*;

const LIMIT: Duration = Duration::from_secs(600);

fn codes_with_status(s: &Store, status: &str, n: usize) -> Vec<String> {
    let sql = rusqlite::Connection::open(s.path()).unwrap();
    let mut st = sql.prepare("SELECT code FROM dossiers WHERE status = ?1 ORDER BY random() LIMIT ?2").unwrap();
    st.query_map(rusqlite::params![status, n as i64], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
}

/// One counter's working day: intake in small groups, steps on its own and others' dossiers, a
/// sync round after each group (failures are normal here), and a restart now and then.
fn work(c: &Counter, total: usize, seed: u64, stop: &AtomicBool) -> (usize, usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let rt = runtime();
    let mut store = c.store();
    let (mut done, mut failed_rounds) = (0, 0);
    let mut i = 0;
    while done < total && !stop.load(Ordering::Relaxed) {
        let n = rng.usize(1..=25).min(total - done);
        let reqs: Vec<_> = (0..n).map(|k| request(seed as usize * 100_000 + done + k)).collect();
        motcua_core::intake::submit_batch(&mut store, &reqs).unwrap();
        done += n;
        let received = codes_with_status(&store, "received", rng.usize(0..6));
        if !received.is_empty() {
            lifecycle::apply_many(&mut store, &received, &Command::HandOver { department: "Phòng Tư pháp".into() }).unwrap();
        }
        for code in codes_with_status(&store, "in_process", rng.usize(0..5)) {
            let cmd = if rng.u8(0..10) == 0 { Command::Refuse { reason: "Không đủ điều kiện".into() } } else { Command::ReceiveResult };
            lifecycle::apply(&mut store, &code, &cmd).unwrap();
        }
        // results are collected at any counter, including other counters' dossiers
        for code in codes_with_status(&store, "result_ready", rng.usize(0..4)) {
            lifecycle::apply(&mut store, &code, &Command::Return { to: ReturnTo::Post { tracking: format!("EB{i}VN") } }).unwrap();
        }
        if rt.block_on(motcua_sync::run_round(&mut store, None)).is_err() {
            failed_rounds += 1;
        }
        i += 1;
        if rng.u8(0..15) == 0 {
            drop(store); // the counter restarts: everything it needs is in the file
            store = c.store();
        }
    }
    (done, failed_rounds)
}

#[test]
fn three_counters_with_random_faults_and_restarts_lose_nothing_and_double_nothing() {
    let total: usize = std::env::var("SOAK_DOSSIERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let d = tempfile::tempdir().unwrap();
    let mut portal = Portal::started(&d.path().join("portal"));
    let counters: Vec<Arc<Counter>> = ["Q01", "Q02", "Q03"]
        .iter()
        .map(|id| {
            let c = init_in_process(&d.path().join(id), id);
            c.enrol(&portal);
            Arc::new(c)
        })
        .collect();
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = counters
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let (c, stop) = (c.clone(), stop.clone());
            std::thread::spawn(move || work(&c, total, k as u64 + 1, &stop))
        })
        .collect();
    // the weather: a fault for a while, then another; the portal killed and restarted now and then
    let mut rng = fastrand::Rng::with_seed(7);
    let (mut faults_set, mut portal_restarts) = (0, 0);
    while !workers.iter().all(|w| w.is_finished()) {
        if start.elapsed() > LIMIT {
            stop.store(true, Ordering::Relaxed);
        }
        let f = match rng.u8(0..8) {
            0 => FaultSwitches { refuse: true, ..Default::default() },
            1 => FaultSwitches { status_5xx: true, ..Default::default() },
            2 => FaultSwitches { drop_after_commit: true, ..Default::default() },
            3 => FaultSwitches { answer_twice: true, ..Default::default() },
            4 => FaultSwitches { delay_ms: 150, ..Default::default() },
            _ => FaultSwitches::default(),
        };
        portal.faults(f);
        faults_set += 1;
        if faults_set % 5 == 0 {
            portal.restart();
            portal_restarts += 1;
        }
        std::thread::sleep(Duration::from_millis(rng.u64(200..700)));
    }
    let made: Vec<(usize, usize)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(!stop.load(Ordering::Relaxed), "the soak did not finish within {LIMIT:?}");
    assert!(made.iter().all(|m| m.0 == total));
    // calm weather: every counter empties its queue, then everyone pulls everything
    portal.clear_faults();
    let rt = runtime();
    for _ in 0..2 {
        for c in &counters {
            let mut s = c.store();
            rt.block_on(motcua_sync::run_round(&mut s, None)).unwrap();
        }
    }
    let refs: Vec<&Counter> = counters.iter().map(|c| c.as_ref()).collect();
    assert_consistent(&portal, &refs);
    let stats = portal.stats();
    println!(
        "soak: {} dossiers, {} events at the portal, {} superseded by conflicts, {} fault changes, {} portal restarts, failed rounds {:?}, {:.0} s",
        stats["dossiers"],
        stats["events"],
        stats["superseded"],
        faults_set,
        portal_restarts,
        made.iter().map(|m| m.1).collect::<Vec<_>>(),
        start.elapsed().as_secs_f64()
    );
    assert_eq!(stats["dossiers"].as_u64(), Some(3 * total as u64));
    assert!(portal_restarts + faults_set > 3, "faults happened");
}
