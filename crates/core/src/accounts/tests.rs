//! Rights are enforced in the core: the same functions the app and the CLI call, called as each role.


use super::*;
use crate::lifecycle::{apply, Command};
use crate::settings::CounterSettings;

fn store() -> (tempfile::TempDir, Store) {
    crate::test_fixtures::demo("2026-03-02T09:00")
}

fn intake(s: &mut Store) -> Result<String> {
    let req: crate::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap();
    crate::intake::submit(s, &req).map(|d| d.code)
}

fn forbidden<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(CoreError::Forbidden(_, m)) => m,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

#[test]
fn each_role_may_do_what_it_should_and_nothing_more() {
    let (_d, mut s) = store();
    // set-up mode: the demo clerk may do everything
    assert!(!accounts_enabled(&s).unwrap());
    intake(&mut s).unwrap();
    let admin = create_first_admin(&mut s, "admin", "Quản Trị Viên", "mat-khau-rat-dai", Some("2468")).unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert!(create_first_admin(&mut s, "admin2", "X", "mat-khau-rat-dai", None).is_err(), "only one first admin");
    add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "mat-khau-cua-lan", Some("1357")).unwrap();
    add_account(&mut s, "hung", "Trần Văn Hùng", Role::Head, "mat-khau-cua-hung", None).unwrap();
    assert!(add_account(&mut s, "x", "X", Role::Clerk, "ngan", None).is_err(), "a password of 8 characters at least");

    // a clerk: intake and steps, not settings, accounts, catalog, backups or corrections
    login(&mut s, "lan", "mat-khau-cua-lan").unwrap();
    let code = intake(&mut s).unwrap();
    apply(&mut s, &code, &Command::HandOver { department: "Phòng Tư pháp".into() }).unwrap();
    let by: String = s.conn().query_row("SELECT clerk_id FROM events ORDER BY id DESC LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(by, "lan", "every event records the clerk who did it");
    assert!(forbidden(CounterSettings::set(&mut s, "receipt_copies", "1")).contains("không có quyền thay đổi thiết lập"));
    forbidden(add_account(&mut s, "y", "Y", Role::Admin, "mat-khau-rat-dai", None));
    forbidden(s.import_calendar(crate::calendar::DEFAULT_CALENDAR_JSON));
    forbidden(crate::sync::settle_conflict(&mut s, "00000000-0000-0000-0000-000000000000"));
    forbidden(crate::backup::create(&mut s, &std::env::temp_dir(), 1, "test"));
    forbidden(s.require(Right::Reports));

    // the head of unit: reports and corrections, not settings
    login(&mut s, "hung", "mat-khau-cua-hung").unwrap();
    s.require(Right::Reports).unwrap();
    s.require(Right::Correct).unwrap();
    intake(&mut s).unwrap();
    forbidden(CounterSettings::set(&mut s, "receipt_copies", "1"));

    // the admin: everything
    login(&mut s, "admin", "mat-khau-rat-dai").unwrap();
    CounterSettings::set(&mut s, "receipt_copies", "1").unwrap();
    // the idle time before the screen locks is a setting the window reads with the session
    assert!(CounterSettings::set(&mut s, "lock_after_minutes", "0").is_err());
    CounterSettings::set(&mut s, "lock_after_minutes", "10").unwrap();
    assert_eq!(state(&s).unwrap().lock_after_minutes, 10);
    deactivate(&mut s, "hung").unwrap();
    assert!(login(&mut s, "hung", "mat-khau-cua-hung").is_err(), "a deactivated account cannot log in");

    // nobody logged in: nothing
    logout(&mut s).unwrap();
    forbidden(intake(&mut s));
    let audit: Vec<String> = s.conn().prepare("SELECT action FROM audit_log").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    for a in ["account.create_admin", "account.set", "login", "login_failed", "account.deactivate", "logout"] {
        assert!(audit.iter().any(|x| x == a), "{a} is audited: {audit:?}");
    }
    let stored: String = s.conn().query_row("SELECT password_hash FROM clerks WHERE id = 'lan'", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("mat-khau"));
}

#[test]
fn a_locked_session_shows_nothing_and_the_pin_gives_way_to_the_password() {
    let (_d, mut s) = store();
    create_first_admin(&mut s, "admin", "Quản Trị Viên", "mat-khau-rat-dai", None).unwrap();
    add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "mat-khau-cua-lan", Some("1357")).unwrap();
    login(&mut s, "lan", "mat-khau-cua-lan").unwrap();
    lock(&mut s).unwrap();
    assert!(forbidden(intake(&mut s)).contains("đang khóa"));
    assert!(forbidden(unlock_with_pin(&mut s, "0000")).contains("còn 2"));
    forbidden(unlock_with_pin(&mut s, "0001"));
    assert!(forbidden(unlock_with_pin(&mut s, "0002")).contains("mở khóa bằng mật khẩu"));
    // three wrong PINs: even the right PIN no longer works
    assert!(forbidden(unlock_with_pin(&mut s, "1357")).contains("mật khẩu"));
    let back = unlock_with_password(&mut s, "mat-khau-cua-lan").unwrap();
    assert!(!back.locked);
    intake(&mut s).unwrap();
    // the password reset the tries: the PIN works again next time
    lock(&mut s).unwrap();
    unlock_with_pin(&mut s, "1357").unwrap();
}
