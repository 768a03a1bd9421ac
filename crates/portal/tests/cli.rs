//! The `motcua-portal` binary's admin commands on a real data directory (the server itself is
//! exercised by tests/system with the counters).

use std::process::Command;

fn portal(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_motcua-portal")).args(args).arg("--data-dir").arg(dir).output().unwrap()
}

#[test]
fn stats_of_a_new_portal_and_fault_switches_written_and_cleared() {
    let d = tempfile::tempdir().unwrap();
    let out = portal(d.path(), &["stats", "--json"]);
    assert!(out.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((stats["events"].as_i64(), stats["dossiers"].as_i64()), (Some(0), Some(0)));
    assert!(stats["portal_id"].as_str().unwrap().starts_with("portal-"));
    let out = portal(d.path(), &["faults", "--status-5xx", "--delay-ms", "40"]);
    assert!(out.status.success());
    let f: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path().join("faults.json")).unwrap()).unwrap();
    assert_eq!((f["status_5xx"].as_bool(), f["delay_ms"].as_u64(), f["refuse"].as_bool()), (Some(true), Some(40), Some(false)));
    portal(d.path(), &["faults"]);
    let f: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path().join("faults.json")).unwrap()).unwrap();
    assert_eq!(f["status_5xx"], false);
}

#[test]
fn back_office_on_an_unknown_dossier_and_a_bad_calendar_are_refused_in_words() {
    let d = tempfile::tempdir().unwrap();
    let out = portal(d.path(), &["back-office", "--agency", "000.00.31.H26", "--dossier", "000.00.31.H26-261123-0001", "--refuse", "x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no dossier"));
    let bad = d.path().join("cal.json");
    std::fs::write(&bad, r#"{"schema":"motcua.calendar/1","rules":"nope"}"#).unwrap();
    let out = portal(d.path(), &["publish", "--calendar", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stats: serde_json::Value = serde_json::from_slice(&portal(d.path(), &["stats", "--json"]).stdout).unwrap();
    assert_eq!(stats["events"], 0);
}
