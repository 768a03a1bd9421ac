//! CLI integration tests: the real `motcua` binary on a temp data dir (a real SQLite file).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn motcua(dir: &Path, now: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.arg("--data-dir").arg(dir).args(args).env("MOTCUA_NOW", now).env_remove("MOTCUA_DATA_DIR");
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        let mut si = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            si.write_all(s.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn init(dir: &Path) {
    ok(&motcua(
        dir,
        "2026-02-12T10:30",
        &["init", "--agency-code", "000.00.06.H56", "--agency-name", "UBND xã Quảng Phú", "--counter", "Q01", "--code-block", "1-4999"],
        None,
    ));
}

fn request() -> Value {
    json!({
        "procedure_code": "1.001193",
        "applicant": {"full_name": "Nguyễn Văn A", "id_type": "cccd", "id_number": "038085001234",
                      "date_of_birth": "12/05/1985", "phone": "0987654321", "address": "Thôn 3, xã Quảng Phú, Thanh Hóa"}
    })
}

#[test]
fn init_intake_show_search_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let out = ok(&motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", "-"], Some(&request().to_string())));
    let d: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["code"], "000.00.06.H56-260212-0001");
    assert_eq!(d["due_at"], "2026-02-12T17:00:00+07:00");
    assert_eq!(d["applicant"]["date_of_birth"], "1985-05-12");

    let mut shown: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T11:00", &["show", "000.00.06.H56-260212-0001", "--json"], None))).unwrap();
    // a counter not enrolled with a portal: the dossier is only on this machine
    assert_eq!(shown["sync"]["state"], "local");
    shown.as_object_mut().unwrap().remove("sync");
    assert_eq!(shown, d);

    let page: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T11:00", &["search", "nguyen van a", "--json"], None))).unwrap();
    assert_eq!(page["hits"][0]["code"], "000.00.06.H56-260212-0001");
    let page: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T11:00", &["search", "0987654321", "--json"], None))).unwrap();
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
}

#[test]
fn intake_from_a_file_with_request_id_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut r = request();
    r["request_id"] = json!("retry-1");
    let f = dir.path().join("req.json");
    std::fs::write(&f, r.to_string()).unwrap();
    let a = ok(&motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", f.to_str().unwrap()], None));
    let b = ok(&motcua(dir.path(), "2026-02-12T10:31", &["intake", "--json", f.to_str().unwrap()], None));
    assert_eq!(a, b);
    let page: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T11:00", &["search", "nguyen", "--json"], None))).unwrap();
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_input_fails_with_a_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut r = request();
    r["applicant"]["id_number"] = json!("123");
    let o = motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", "-"], Some(&r.to_string()));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("applicant.id_number") && err.contains("12 chữ số"), "{err}");
    let o = motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", "-"], Some("{not json"));
    assert_eq!(o.status.code(), Some(2));
    // nothing was stored: the next good intake still gets sequence 0001
    let d: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", "-"], Some(&request().to_string())))).unwrap();
    assert_eq!(d["code"], "000.00.06.H56-260212-0001");
    let o = motcua(dir.path(), "2026-02-12T10:30", &["show", "NOPE-1"], None);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn intake_before_init_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let o = motcua(dir.path(), "2026-02-12T10:30", &["intake", "--json", "-"], Some(&request().to_string()));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("motcua init"));
}

#[test]
fn due_for_days_and_for_a_procedure() {
    let dir = tempfile::tempdir().unwrap();
    // Thu 12/2/2026 10:30 + 3 working days across Tết (off 14–22/2) → Tue 24/2 10:30
    let out = ok(&motcua(dir.path(), "2026-02-12T10:30", &["due", "--days", "3", "--received", "2026-02-12T10:30"], None));
    assert_eq!(out.trim(), "2026-02-24T10:30:00+07:00");
    let v: Value = serde_json::from_str(&ok(&motcua(
        dir.path(),
        "2026-02-12T10:30",
        &["due", "--procedure", "1.001193", "--received", "2026-02-13T16:00", "--json"],
        None,
    )))
    .unwrap();
    // same-day procedure received Friday 13/2 after 15:00: next working day is Mon 23/2 (after Tết)
    assert_eq!(v["due_at"], "2026-02-23T17:00:00+07:00");
    let o = motcua(dir.path(), "2026-02-12T10:30", &["due", "--days", "3", "--received", "hôm qua"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn catalog_list_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let list: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T10:30", &["catalog", "list", "--json"], None))).unwrap();
    let n = list.as_array().unwrap().len();
    assert!(n >= 3);
    assert!(list.as_array().unwrap().iter().all(|p| p["code"].is_string()));
    let mut first = list[0].clone();
    first["name"] = json!("Tên đã sửa");
    let f = dir.path().join("cat.json");
    std::fs::write(&f, json!({"schema": "motcua.catalog/1", "procedures": [first]}).to_string()).unwrap();
    let out = ok(&motcua(dir.path(), "2026-02-12T10:30", &["catalog", "import", f.to_str().unwrap()], None));
    assert!(out.contains("1 updated"), "{out}");
    let list: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T10:30", &["catalog", "list", "--json"], None))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Tên đã sửa");
    std::fs::write(&f, "{\"schema\":\"other\"}").unwrap();
    let o = motcua(dir.path(), "2026-02-12T10:30", &["catalog", "import", f.to_str().unwrap()], None);
    assert!(!o.status.success());
}

#[test]
fn calendar_show_lists_swaps() {
    let dir = tempfile::tempdir().unwrap();
    let v: Value = serde_json::from_str(&ok(&motcua(dir.path(), "2026-02-12T10:30", &["calendar", "show", "--year", "2026", "--json"], None))).unwrap();
    let days = v["days"].as_array().unwrap();
    assert!(days.iter().any(|d| d["date"] == "2026-01-10" && d["kind"] == "working"));
    assert!(days.iter().any(|d| d["date"] == "2026-11-24" && d["kind"] == "off"));
    assert_eq!(v["decided"], true);
}

#[test]
fn an_intake_killed_midway_leaves_all_or_nothing_and_every_confirmed_dossier() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let body = request().to_string();
    let mut confirmed = Vec::new();
    for i in 0..24u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["intake", "--json", "-"])
            .env("MOTCUA_NOW", "2026-02-12T10:30")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
        // kill some runs at varying points of their work (SIGKILL: no clean-up runs)
        std::thread::sleep(std::time::Duration::from_millis(i % 8 * 3));
        if i % 3 != 0 {
            let _ = child.kill();
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            let d: Value = serde_json::from_slice(&out.stdout).unwrap();
            confirmed.push(d["code"].as_str().unwrap().to_string());
        }
    }
    assert!(confirmed.len() >= 8, "the runs that were not killed confirmed their dossiers");
    let db = rusqlite::Connection::open(dir.path().join("motcua.sqlite3")).unwrap();
    let ok: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let n = count("SELECT COUNT(*) FROM dossiers");
    assert_eq!(count("SELECT COUNT(*) FROM events"), n, "every dossier has exactly its event");
    assert_eq!(count("SELECT COUNT(*) FROM outbox"), n, "every event is queued for the portal");
    assert_eq!(count("SELECT COUNT(*) FROM codes_issued"), n, "no code issued without its dossier");
    for code in &confirmed {
        let shown = motcua(dir.path(), "2026-02-12T11:00", &["show", code, "--json"], None);
        assert!(shown.status.success(), "confirmed dossier {code} is lost");
    }
}
