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

/// Issue 16: a process attaching documents (file written, fsync'd, renamed, then the event) is killed
/// with SIGKILL at random moments. After each restart every attached file whose hash was printed is
/// referenced and complete, every referenced file is complete (never a reference to half a file), and
/// what is left over (a file written but never referenced, a temporary part) is collected.
#[test]
fn kill_9_during_document_attach_leaves_no_reference_to_a_partial_file() {
    let rounds: usize = std::env::var("CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50).min(30);
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("q1");
    let c = init_in_process(&dir, "Q01");
    let code = c.intake_many(1).remove(0);
    let mut rng = fastrand::Rng::with_seed(16);
    let mut confirmed: Vec<String> = Vec::new();
    for round in 0..rounds {
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_attach-loop")).arg(&dir).arg(&code).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        std::thread::sleep(Duration::from_millis(rng.u64(20..300)));
        child.kill().unwrap();
        child.wait().unwrap();
        confirmed.extend(reader.join().unwrap());
        let s = c.store();
        let blobs = motcua_core::documents::blobs_of(&s);
        let sql = rusqlite::Connection::open(dir.join("motcua.sqlite3")).unwrap();
        let integrity: String = sql.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        let referenced: Vec<(String, i64)> =
            sql.prepare("SELECT sha256, size FROM dossier_documents").unwrap().query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect();
        for (sha, size) in &referenced {
            blobs.verify(sha, *size as u64).unwrap_or_else(|e| panic!("round {round}: referenced file {sha} is not whole: {e}"));
        }
        for sha in &confirmed {
            assert!(referenced.iter().any(|(s, _)| s == sha), "round {round}: confirmed document {sha} lost");
        }
        // events, references, upload queue and audit agree
        let events: i64 = sql.query_row("SELECT COUNT(*) FROM events WHERE kind = 'document_attached'", [], |r| r.get(0)).unwrap();
        let queued: i64 = sql.query_row("SELECT COUNT(*) FROM blob_uploads", [], |r| r.get(0)).unwrap();
        assert_eq!((events, queued), (referenced.len() as i64, referenced.len() as i64), "round {round}");
        assert!(motcua_core::audit::verify_store(&s, &[]).unwrap().ok(), "round {round}: audit chain");
    }
    assert!(confirmed.len() > rounds / 2, "documents were confirmed between the kills: {}", confirmed.len());
    // leftovers are collected; every referenced file stays
    let s = c.store();
    let before = motcua_core::documents::blobs_of(&s).list().unwrap().len();
    let (removed, _) = motcua_core::documents::collect_orphans(&s, Duration::ZERO).unwrap();
    let after = motcua_core::documents::blobs_of(&s).list().unwrap();
    let referenced = motcua_core::documents::referenced(&s).unwrap();
    assert_eq!(after.len(), referenced.len(), "only referenced files remain ({before} before, {removed} removed)");
    assert!(std::fs::read_dir(dir.join("documents").join("tmp")).map(|d| d.count()).unwrap_or(0) == 0, "temporary parts collected");
    println!("crash (documents): {rounds} kills, {} confirmed documents, all whole; {removed} leftovers collected", confirmed.len());
}
