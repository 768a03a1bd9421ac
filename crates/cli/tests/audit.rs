//! The audit log seen from outside: `motcua audit verify` on a real file, after someone edits a row
//! with the sqlite3 shell (dropping the append-only trigger first).

use std::path::Path;
use std::process::Command;

fn motcua(dir: &Path, args: &[&str], input: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("MOTCUA_NOW", "2026-03-02T09:00")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.unwrap_or("").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn verify_names_the_row_edited_with_the_sqlite3_shell() {
    let d = tempfile::tempdir().unwrap();
    let ok = motcua(d.path(), &["init", "--agency-code", "000.00.06.H56", "--agency-name", "UBND xã Quảng Phú", "--counter", "Q01", "--code-block", "1-999"], None);
    assert!(ok.status.success());
    let req = r#"{"procedure_code":"1.004873","fee":0,"applicant":{"full_name":"Lê Văn Tám","id_type":"cccd","id_number":"038085001234","date_of_birth":"1985-05-12","phone":"0987654321","address":"Quảng Phú"}}"#;
    for _ in 0..3 {
        assert!(motcua(d.path(), &["intake", "--json", "-"], Some(req)).status.success());
    }
    let good = motcua(d.path(), &["audit", "verify"], None);
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    let said = String::from_utf8_lossy(&good.stdout).to_string();
    assert!(said.contains("audit log intact:"), "{said}");
    // the three intakes are in it, each with its dossier code
    let list = motcua(d.path(), &["audit", "list"], None);
    assert_eq!(String::from_utf8_lossy(&list.stdout).matches(" intake ").count(), 3);

    let db = d.path().join("motcua.sqlite3");
    let sql = "DROP TRIGGER audit_append_only_update; UPDATE audit_log SET actor = 'CB99' WHERE id = 2;";
    let edit = Command::new("sqlite3").arg(&db).arg(sql).output().expect("the sqlite3 shell (apt install sqlite3)");
    assert!(edit.status.success(), "{}", String::from_utf8_lossy(&edit.stderr));

    let bad = motcua(d.path(), &["audit", "verify"], None);
    assert_eq!(bad.status.code(), Some(4));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("audit log BROKEN") && err.contains("entry 2"), "{err}");
}
