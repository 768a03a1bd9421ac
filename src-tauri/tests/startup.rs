//! The app binary's start-up, without a window: a counter database written by a newer version of the
//! software is refused with a message before anything opens, and the file is left byte for byte as it
//! was. (Building this test also builds the `motcua-app` binary that the end-to-end tests drive.)

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
}
