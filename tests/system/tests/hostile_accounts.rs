//! Hostile tests of the counter's accounts (issue 12, findings 10 and 6), with the real `motcua`
//! process on a real data directory: weak passwords and PINs, guessing a password, probing for which
//! ids exist by timing, and reading personal data without logging in once an admin exists. Each
//! failed on the code before the fix (see docs/SECURITY.md, "Attacks tried").

use std::process::Output;
use std::time::Instant;

use motcua_system_tests::*;

const NAME: &str = "Đỗ Thị Hạnh Nguyên";
const CCCD: &str = "079188004321";
const PHONE: &str = "0987001122";
const ADMIN: [(&str, &str); 2] = [("MOTCUA_USER", "quantri"), ("MOTCUA_PASSWORD", "chia-khoa-quan-tri")];
const CLERK: [(&str, &str); 2] = [("MOTCUA_USER", "lan"), ("MOTCUA_PASSWORD", "chia-khoa-cua-lan")];

fn run(c: &Counter, args: &[&str], env: &[(&str, &str)], now: Option<&str>) -> Output {
    c.run_as(env, now, args)
}

fn text(o: &Output) -> String {
    output_text(o)
}

fn ok(c: &Counter, args: &[&str], env: &[(&str, &str)]) -> String {
    let o = run(c, args, env, None);
    assert!(o.status.success(), "motcua {args:?} failed: {}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Refused with `code` (exit status and `error [code]`); returns what was printed.
fn refused(o: &Output, code: &str, exit: i32) -> String {
    let all = text(o);
    assert_eq!(o.status.code(), Some(exit), "expected exit {exit} ({code}): {all}");
    assert!(all.contains(&format!("error [{code}]")), "{all}");
    all
}

/// A counter with one dossier of a citizen taken in during set-up, then an admin and a clerk.
fn counter_with_accounts(dir: &std::path::Path) -> (Counter, String) {
    let c = Counter::init(dir, "Q01");
    let req = serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": NAME, "id_type": "cccd", "id_number": CCCD, "date_of_birth": "1988-04-01", "phone": PHONE, "address": "Phường Bến Thành"}
    });
    let f = dir.join("intake.json");
    std::fs::write(&f, req.to_string()).unwrap();
    let d: serde_json::Value = serde_json::from_str(&ok(&c, &["intake", "--json", f.to_str().unwrap()], &[])).unwrap();
    let code = d["code"].as_str().unwrap().to_string();
    ok(&c, &["account", "create-admin", "--id", "quantri", "--name", "Lê Quản Trị", "--password", "chia-khoa-quan-tri"], &[]);
    ok(&c, &["account", "add", "--id", "lan", "--name", "Nguyễn Thị Lan", "--role", "clerk", "--password", "chia-khoa-cua-lan", "--pin", "2468"], &ADMIN);
    (c, code)
}

#[test]
fn weak_passwords_and_pins_are_refused_by_the_real_cli() {
    let d = tempfile::tempdir().unwrap();
    let c = Counter::init(&d.path().join("q1"), "Q01");
    for (pw, pin, why) in [
        ("12345678", None, "ít nhất 10"),
        ("aaaaaaaa", None, "ít nhất 10"),
        ("        ", None, "khoảng trắng"),
        ("aaaaaaaaaaaa", None, "một ký tự"),
        ("1234567890", None, "liên tiếp"),
        ("matkhau123", None, "phổ biến"),
        ("Motcua@2026", None, "phổ biến"),
        ("quantri.vien", None, "tên đăng nhập"),
        ("chia-khoa-quan-tri", Some("0000"), "một chữ số"),
        ("chia-khoa-quan-tri", Some("1234"), "liên tiếp"),
        ("chia-khoa-quan-tri", Some("9876"), "liên tiếp"),
    ] {
        let mut args = vec!["account", "create-admin", "--id", "quantri.vien", "--name", "Lê Quản Trị", "--password", pw];
        if let Some(p) = pin {
            args.extend(["--pin", p]);
        }
        let all = refused(&run(&c, &args, &[], None), "validation", 2);
        assert!(all.contains(why), "{pw:?} {pin:?}: {all}");
    }
    // nothing was created: still set-up mode, no account listed
    assert_eq!(ok(&c, &["account", "list"], &[]).trim(), "[]");
    ok(&c, &["account", "create-admin", "--id", "quantri.vien", "--name", "Lê Quản Trị", "--password", "chia-khoa-quan-tri", "--pin", "2468"], &[]);
    let admin = [("MOTCUA_USER", "quantri.vien"), ("MOTCUA_PASSWORD", "chia-khoa-quan-tri")];
    // the admin adding a clerk meets the same rules
    let o = run(&c, &["account", "add", "--id", "lan", "--name", "Nguyễn Thị Lan", "--role", "clerk", "--password", "password123"], &admin, None);
    assert!(refused(&o, "validation", 2).contains("phổ biến"));
    let o = run(&c, &["account", "add", "--id", "lan", "--name", "Nguyễn Thị Lan", "--role", "clerk", "--password", "chia-khoa-cua-lan", "--pin", "1111"], &admin, None);
    refused(&o, "validation", 2);
}

#[test]
fn thirty_wrong_passwords_then_the_right_one_is_refused_while_locked_and_audited() {
    let d = tempfile::tempdir().unwrap();
    let (c, _) = counter_with_accounts(&d.path().join("q1"));
    let t0 = "2026-03-02T09:00:00";
    let wrong = [("MOTCUA_USER", "lan"), ("MOTCUA_PASSWORD", "doan-thu-mat-khau")];
    let started = Instant::now();
    for i in 1..=30 {
        let all = refused(&run(&c, &["account", "list"], &wrong, Some(t0)), "forbidden", 7);
        if i >= 5 {
            assert!(all.contains("tạm khóa"), "try {i}: {all}");
        }
        assert!(!all.contains("Nguyễn Thị Lan"), "nothing listed: {all}");
    }
    // the right password, still inside the minute: refused, with the time left
    let all = refused(&run(&c, &["account", "list"], &CLERK, Some("2026-03-02T09:00:20")), "forbidden", 7);
    assert!(all.contains("tạm khóa") && all.contains("thử lại sau 40 giây"), "{all}");
    // probing an id that does not exist is locked the same way
    let probe = [("MOTCUA_USER", "khong.co.ai"), ("MOTCUA_PASSWORD", "doan-thu-mat-khau")];
    let answers: Vec<String> = (0..6).map(|_| refused(&run(&c, &["account", "list"], &probe, Some(t0)), "forbidden", 7)).collect();
    assert!(answers[4].contains("tạm khóa 1 phút") && answers[5].contains("thử lại sau"), "{answers:?}");
    // the minute is over: the right password works, and the count starts again
    assert!(run(&c, &["account", "list"], &CLERK, Some("2026-03-02T09:01:01")).status.success());
    let all = refused(&run(&c, &["account", "list"], &wrong, Some("2026-03-02T09:01:02")), "forbidden", 7);
    assert!(all.contains("còn 4"), "{all}");
    assert!(started.elapsed().as_secs() < 60, "bounded in time: {:?}", started.elapsed());

    // audited: the lock, the refusals and the failures, with the id and counts only
    let audit = ok(&c, &["audit", "list", "--limit", "100"], &ADMIN);
    assert!(audit.lines().any(|l| l.contains(" login_locked ") && l.trim_end().ends_with(" lan")), "{audit}");
    assert!(audit.lines().any(|l| l.contains(" login_locked ") && l.trim_end().ends_with(" khong.co.ai")), "{audit}");
    assert!(audit.lines().filter(|l| l.contains(" login_refused_locked ")).count() >= 26, "{audit}");
    let c2 = c.sql();
    let details: Vec<String> = c2.prepare("SELECT detail FROM audit_log").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(details.iter().all(|d| !d.contains("doan-thu") && !d.contains("chia-khoa")), "no password in the audit log");
    ok(&c, &["audit", "verify"], &ADMIN);
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[test]
fn an_unknown_user_answers_as_slowly_as_a_known_one() {
    let d = tempfile::tempdir().unwrap();
    let (c, _) = counter_with_accounts(&d.path().join("q1"));
    let known = [("MOTCUA_USER", "lan"), ("MOTCUA_PASSWORD", "doan-thu-mat-khau")];
    let unknown = [("MOTCUA_USER", "khong.co.ai"), ("MOTCUA_PASSWORD", "doan-thu-mat-khau")];
    let (mut k, mut u) = (vec![], vec![]);
    for i in 0..15 {
        // 31 minutes apart: past any lock, so every try is checked in full
        let now = format!("2026-03-02T{:02}:{:02}:00", 1 + i * 31 / 60, i * 31 % 60);
        for (env, out) in [(&unknown, &mut u), (&known, &mut k)] {
            let t = Instant::now();
            let o = run(&c, &["account", "list"], env, Some(&now));
            out.push(t.elapsed().as_secs_f64() * 1e3);
            let all = refused(&o, "forbidden", 7);
            assert!(all.contains("không đúng"), "{all}");
        }
    }
    let (mu, mk) = (median(u), median(k));
    let ratio = mu / mk;
    println!("login timing: unknown {mu:.1} ms, known with a wrong password {mk:.1} ms (medians of 15), ratio {ratio:.2}");
    assert!((0.7..=1.4).contains(&ratio), "unknown {mu:.1} ms vs known {mk:.1} ms: ratio {ratio:.2}");
}

#[test]
fn nothing_personal_is_read_without_a_login_once_an_admin_exists() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("q1");
    let (c, code) = counter_with_accounts(&dir);
    let pdf = d.path().join("receipt.pdf");
    let pdf_s = pdf.to_str().unwrap();
    let reads: Vec<Vec<&str>> = vec![
        vec!["show", &code],
        vec!["show", &code, "--json"],
        vec!["search", "Nguyên"],
        vec!["search", CCCD],
        vec!["search", PHONE],
        vec!["account", "list"],
        vec!["settings", "get"],
        vec!["due-list"],
        vec!["due-list", "--soon", "--json"],
        vec!["print", "receipt", &code, "--out", pdf_s],
        vec!["sync", "parked"],
        vec!["sync", "conflicts"],
        vec!["audit", "list"],
    ];
    for args in &reads {
        let all = refused(&run(&c, args, &[], None), "forbidden", 7);
        for secret in [NAME, "Nguyên", CCCD, PHONE, "Nguyễn Thị Lan", "Lê Quản Trị"] {
            assert!(!all.contains(secret), "motcua {args:?} without a login printed {secret}: {all}");
        }
    }
    assert!(!pdf.exists(), "no receipt was written");
    // a wrong password is no way in either
    let bad = [("MOTCUA_USER", "lan"), ("MOTCUA_PASSWORD", "khong-phai-mat-khau")];
    refused(&run(&c, &["show", &code], &bad, None), "forbidden", 7);

    // a clerk reads them all (but the audit listing, a report)
    assert!(ok(&c, &["show", &code], &CLERK).contains(NAME));
    assert!(ok(&c, &["search", "Nguyên"], &CLERK).contains(CCCD));
    assert!(ok(&c, &["search", PHONE], &CLERK).contains(&code));
    assert!(ok(&c, &["account", "list"], &CLERK).contains("Nguyễn Thị Lan"));
    assert!(ok(&c, &["settings", "get"], &CLERK).contains("receipt_paper"));
    ok(&c, &["due-list"], &CLERK);
    ok(&c, &["print", "receipt", &code, "--out", pdf_s], &CLERK);
    assert!(pdf.exists());
    ok(&c, &["sync", "parked"], &CLERK);
    refused(&run(&c, &["audit", "list"], &CLERK, None), "forbidden", 7);
    assert!(ok(&c, &["audit", "list"], &ADMIN).contains(" login "));
}
