//! Logins under attack (issue 12, finding 10), on a real SQLite file: weak secrets are refused, wrong
//! passwords lock the id with back-off (kept in the database), and an unknown id costs what a known
//! one costs.

use std::sync::Arc;
use std::time::Instant;

use super::*;
use crate::clock::parse_local;

use crate::test_fixtures::Hands;

fn store() -> (tempfile::TempDir, Store, Hands) {
    let (dir, mut s, hands) = crate::test_fixtures::demo_with_hands("2026-03-02T09:00", "");
    create_first_admin(&mut s, "admin", "Quản Trị Viên", "mat-khau-rat-dai", None).unwrap();
    add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "mat-khau-cua-lan", Some("1357")).unwrap();
    logout(&mut s).unwrap();
    (dir, s, hands)
}

fn forbidden<T: std::fmt::Debug>(r: Result<T>) -> String {
    match r {
        Err(CoreError::Forbidden(_, m)) => m,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

fn audit_rows(s: &Store) -> Vec<(String, String, String, String)> {
    let mut st = s.conn().prepare("SELECT actor, action, subject, detail FROM audit_log ORDER BY id").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn weak_passwords_and_pins_are_refused_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_dir(dir.path(), Arc::new(crate::clock::FixedClock(parse_local("2026-03-02T09:00").unwrap()))).unwrap();
    s.ensure_demo().unwrap();
    for (pw, pin) in [("12345678", None), ("aaaaaaaa", None), ("        ", None), ("matkhau123", None), ("quantri.vien", None), ("mat-khau-rat-dai", Some("0000")), ("mat-khau-rat-dai", Some("1234"))] {
        let e = create_first_admin(&mut s, "quantri.vien", "Quản Trị Viên", pw, pin).unwrap_err();
        assert!(matches!(e, CoreError::Validation { .. }), "{pw:?} {pin:?}: {e:?}");
    }
    assert!(!accounts_enabled(&s).unwrap(), "no account was made");
    create_first_admin(&mut s, "quantri.vien", "Quản Trị Viên", "mat-khau-rat-dai", Some("2468")).unwrap();
}

#[test]
fn thirty_wrong_passwords_lock_the_account_with_back_off_and_the_lock_outlives_the_connection() {
    let (dir, mut s, hands) = store();
    for i in 1..=4 {
        let m = forbidden(login(&mut s, "lan", "sai-mat-khau"));
        assert!(m.contains("không đúng") && m.contains(&format!("còn {}", 5 - i)), "{m}");
    }
    assert!(forbidden(login(&mut s, "lan", "sai-mat-khau")).contains("tạm khóa 1 phút"));
    for _ in 6..=30 {
        assert!(forbidden(login(&mut s, "lan", "sai-mat-khau")).contains("thử lại sau"));
    }
    // the right password is refused while locked, with the time left
    let m = forbidden(login(&mut s, "lan", "mat-khau-cua-lan"));
    assert!(m.contains("tạm khóa") && m.contains("thử lại sau 1 phút"), "{m}");
    // a new connection (the app restarted, the next CLI run) sees the same lock
    let mut again = Store::open_dir(dir.path(), Arc::new(hands.clone())).unwrap();
    hands.advance(30);
    assert!(forbidden(login(&mut again, "lan", "mat-khau-cua-lan")).contains("thử lại sau 30 giây"));

    // the lock ends; the next wrong one locks for twice as long, and so on up to 30 minutes
    hands.advance(31);
    assert!(forbidden(login(&mut s, "lan", "sai")).contains("tạm khóa 2 phút"));
    for want in ["4 phút", "8 phút", "16 phút", "30 phút", "30 phút"] {
        hands.advance(31 * 60);
        let m = forbidden(login(&mut s, "lan", "sai"));
        assert!(m.contains(&format!("tạm khóa {want}")), "{want}: {m}");
    }
    // a clock moved back does not make a lock longer than it was set
    hands.advance(-24 * 3600);
    assert!(forbidden(login(&mut s, "lan", "mat-khau-cua-lan")).contains("thử lại sau 30 phút"));
    hands.advance(24 * 3600 + 31 * 60);

    // a success clears the count
    login(&mut s, "lan", "mat-khau-cua-lan").unwrap();
    logout(&mut s).unwrap();
    assert!(forbidden(login(&mut s, "lan", "sai")).contains("còn 4"));

    // audited: each failure, the locks and the refusals, with the id and counts only
    let rows = audit_rows(&s);
    let locks: Vec<_> = rows.iter().filter(|r| r.1 == "login_locked").collect();
    assert_eq!(locks.len(), 7, "{locks:?}");
    assert_eq!((locks[0].0.as_str(), locks[0].2.as_str()), ("lan", "lan"));
    assert!(locks[0].3.contains("\"failures\":5") && locks[0].3.contains("\"seconds\":60"), "{}", locks[0].3);
    assert_eq!(rows.iter().filter(|r| r.1 == "login_refused_locked").count(), 28);
    assert!(rows.iter().all(|r| !r.3.contains("sai") && !r.3.contains("mat-khau")), "no password in the audit log");
    assert!(crate::audit::verify(s.conn(), &[]).unwrap().ok());
}

#[test]
fn unknown_ids_are_locked_like_known_ones_and_an_admin_reset_ends_a_lock() {
    let (_d, mut s, _hands) = store();
    let known: Vec<String> = (0..6).map(|_| forbidden(login(&mut s, "lan", "sai-mat-khau"))).collect();
    let unknown: Vec<String> = (0..6).map(|_| forbidden(login(&mut s, "khong.co.ai", "sai-mat-khau"))).collect();
    assert_eq!(known, unknown, "the answers do not tell which id exists");
    // a deactivated account answers like an unknown one
    login(&mut s, "admin", "mat-khau-rat-dai").unwrap();
    add_account(&mut s, "hung", "Trần Văn Hùng", Role::Head, "mat-khau-cua-hung", None).unwrap();
    deactivate(&mut s, "hung").unwrap();
    assert!(forbidden(login(&mut s, "hung", "mat-khau-cua-hung")).contains("còn 4"));
    // the admin sets a new password: the lock is over
    login(&mut s, "admin", "mat-khau-rat-dai").unwrap();
    add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "mat-khau-moi-cua-lan", None).unwrap();
    login(&mut s, "lan", "mat-khau-moi-cua-lan").unwrap();
}

#[test]
fn wrong_passwords_at_the_lock_screen_count_towards_the_same_lock() {
    let (_d, mut s, _hands) = store();
    login(&mut s, "lan", "mat-khau-cua-lan").unwrap();
    lock(&mut s).unwrap();
    for _ in 0..5 {
        forbidden(unlock_with_password(&mut s, "sai-mat-khau"));
    }
    assert!(forbidden(unlock_with_password(&mut s, "mat-khau-cua-lan")).contains("thử lại sau"));
    assert!(forbidden(login(&mut s, "lan", "mat-khau-cua-lan")).contains("thử lại sau"));
}

#[test]
fn the_dummy_hash_has_the_parameters_new_hashes_get() {
    let dummy = PasswordHash::new(DUMMY_HASH).unwrap();
    let real_phc = hash("mat-khau-rat-dai").unwrap();
    let real = PasswordHash::new(&real_phc).unwrap();
    assert_eq!(dummy.algorithm, real.algorithm);
    assert_eq!(dummy.version, real.version);
    assert_eq!(dummy.params, real.params);
    assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
    assert!(!verify_or_dummy("mat-khau-rat-dai", None), "the dummy never lets anyone in");
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[test]
fn an_unknown_id_answers_as_slowly_as_a_known_one() {
    let (_d, mut s, hands) = store();
    let (mut unknown, mut known) = (vec![], vec![]);
    for _ in 0..15 {
        // past any lock, so that every try is checked in full
        hands.advance(31 * 60);
        let t = Instant::now();
        forbidden(login(&mut s, "khong.co.ai", "sai-mat-khau"));
        unknown.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        forbidden(login(&mut s, "lan", "sai-mat-khau"));
        known.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (u, k) = (median_ms(unknown), median_ms(known));
    let ratio = u / k;
    assert!((0.7..=1.4).contains(&ratio), "median unknown {u:.1} ms, known {k:.1} ms, ratio {ratio:.2}");
}
