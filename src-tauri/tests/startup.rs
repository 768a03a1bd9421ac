//! The app binary's start-up, without a window: a counter database written by a newer version of the
//! software is refused with a message before anything opens, and the file is left byte for byte as it
//! was, and the reason is in the log file; a pinned clock (`MOTCUA_NOW`) that does not read is refused.
//! (Building this test also builds the `motcua-app` binary that the end-to-end tests drive.)

use std::process::Command;

#[test]
fn a_newer_database_stops_the_app_before_the_window_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("motcua.sqlite3");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 999;").unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_motcua-app"))
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the counter database") && err.contains("999"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the newer database was modified");
    assert!(!dir.path().join("motcua.sqlite3-wal").exists());
    // the same line is in the counter PC's log file, in the data directory
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert!(std::fs::read_to_string(&logs[0]).unwrap().contains("cannot open the counter database"));
}

#[test]
fn a_pinned_clock_that_is_not_a_time_is_refused_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_motcua-app"))
        .arg("--data-dir")
        .arg(dir.path())
        .env("MOTCUA_NOW", "mai lúc 9 giờ")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MOTCUA_NOW"));
    assert!(!dir.path().join("motcua.sqlite3").exists(), "nothing was created");
}
