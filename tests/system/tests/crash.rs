//! Crash safety: a process taking dossiers in is killed with SIGKILL 50 times at random moments
//! (mid-transaction, mid-fsync, between intakes). After each restart SQLite's integrity check is
//! "ok", and every dossier whose intake returned success (its code was printed) is in the database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use motcua_system_tests::*;

#[test]
fn kill_9_fifty_times_during_intake_loses_no_confirmed_dossier() {
    let rounds: usize = std::env::var("CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("q1");
    let c = init_in_process(&dir, "Q01");
    let mut rng = fastrand::Rng::with_seed(11);
    let mut confirmed: Vec<String> = Vec::new();
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_intake-loop"))
            .arg(&dir)
            .arg((round * 10_000).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        // let it run a random while (sometimes before its first intake), then SIGKILL
        let wait = Duration::from_millis(rng.u64(20..400));
        let start = Instant::now();
        while start.elapsed() < wait {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        confirmed.extend(reader.join().unwrap());
        // restart: the file opens, passes the integrity check, and holds every confirmed dossier
        let conn = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
        let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        drop(conn);
        let s = c.store();
        for code in &confirmed {
            assert!(s.dossier_by_code(code).is_ok(), "round {round}: confirmed dossier {code} is missing");
        }
        let sql = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
        let n: i64 = sql.query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get(0)).unwrap();
        assert!(n as usize >= confirmed.len());
        // events, outbox and audit agree with the dossiers (nothing half-written)
        let events: i64 = sql.query_row("SELECT COUNT(*) FROM events WHERE kind = 'received'", [], |r| r.get(0)).unwrap();
        let audit: i64 = sql.query_row("SELECT COUNT(*) FROM audit_log WHERE action = 'intake'", [], |r| r.get(0)).unwrap();
        assert_eq!((events, audit), (n, n), "round {round}");
        assert!(motcua_core::audit::verify_store(&s, &[]).unwrap().ok(), "round {round}: audit chain");
    }
    assert!(confirmed.len() > rounds, "dossiers were confirmed between the kills: {}", confirmed.len());
    println!("crash: {rounds} kills, {} confirmed dossiers, all present", confirmed.len());
}
