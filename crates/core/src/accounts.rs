//! Clerk accounts, roles and sessions. Passwords and PINs are hashed with argon2id (the `argon2`
//! crate, RustCrypto). Rights are enforced here, in the core (`Store::require`), not only hidden in
//! the UI: a clerk takes dossiers in and moves them; the head of unit also sees reports and settles
//! conflicts with correcting steps; the admin also changes settings, accounts, catalog, calendar and
//! backups. Before the first admin exists the counter is in set-up mode (the demo data): everything
//! is allowed, as the single clerk set at `init`.
//!
//! A session can be locked (idle time, or on demand): a short PIN unlocks it; after
//! `MAX_PIN_TRIES` wrong PINs only the password does. Every login, failed login, lock, unlock and
//! account change is in the audit log.
//!
//! Passwords and PINs must pass `policy`; wrong passwords lock the id for a while (`lockout`); and a
//! login for an id that does not exist checks the password against a dummy hash with the same
//! parameters, so the answer takes as long as for a real account (which ids exist does not leak).
//! Reading dossiers and other protected data needs `Right::Read` (`Store::require`), like writing.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Reason, Result};
use crate::store::Store;

pub const MAX_PIN_TRIES: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    /// Cán bộ tiếp nhận.
    Clerk,
    /// Lãnh đạo bộ phận: reports, correcting steps.
    Head,
    /// Quản trị: settings, accounts, catalog, calendar, backups.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Clerk, Role::Head, Role::Admin];
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "clerk" => Some(Role::Clerk),
            "head" => Some(Role::Head),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Head => "head",
            Role::Admin => "admin",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Clerk => "Cán bộ tiếp nhận",
            Role::Head => "Lãnh đạo bộ phận",
            Role::Admin => "Quản trị",
        }
    }
    pub fn can(self, right: Right) -> bool {
        use Right::*;
        match self {
            Role::Admin => true,
            Role::Head => !matches!(right, Settings | Accounts | Catalog | Backup | Portal),
            Role::Clerk => matches!(right, Read | Intake | Lifecycle | Print | Sync),
        }
    }
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Seeing dossiers at all (search, lists, previews): anyone logged in and unlocked.
    Read,
    Intake,
    Lifecycle,
    Print,
    Sync,
    /// Reports: the logbook, audit listings.
    Reports,
    /// Correcting steps: settling conflicts.
    Correct,
    Settings,
    Accounts,
    Catalog,
    Backup,
    /// Enrolling this counter with a portal, changing the portal's address: admins only (issue 12).
    Portal,
}

impl Right {
    fn label(self) -> &'static str {
        match self {
            Right::Read => "xem hồ sơ",
            Right::Intake => "tiếp nhận hồ sơ",
            Right::Lifecycle => "xử lý hồ sơ",
            Right::Print => "in biểu mẫu",
            Right::Sync => "đồng bộ",
            Right::Reports => "xem và in báo cáo",
            Right::Correct => "điều chỉnh, xử lý xung đột",
            Right::Settings => "thay đổi thiết lập",
            Right::Accounts => "quản lý tài khoản",
            Right::Catalog => "cập nhật danh mục, lịch",
            Right::Backup => "sao lưu, khôi phục",
            Right::Portal => "đăng ký máy với Cổng dịch vụ công, đổi địa chỉ cổng",
        }
    }
}

/// Who is at the counter.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub clerk_id: String,
    pub clerk_name: String,
    pub role: Role,
    pub locked: bool,
}

impl Session {
    /// The app's own background work (sync, scheduled backups): not a person.
    pub fn system() -> Session {
        Session { clerk_id: String::new(), clerk_name: "Hệ thống".into(), role: Role::Admin, locked: false }
    }
}

/// What the lock screen and the account list show (never a hash).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub has_pin: bool,
}

/// The state the window starts from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AuthState {
    /// False in set-up mode (no admin yet): everything is allowed as the counter's clerk.
    pub accounts_enabled: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Session>,
    /// The setting: minutes without a key or a click before the screen locks.
    pub lock_after_minutes: u32,
}

fn hash(secret: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("argon2: {e}")))
}

fn verify(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// An argon2id hash made once with the parameters of `hash` (`Argon2::default()`), of a secret
/// nobody knows. A login for an id without a password is checked against it, so that it costs
/// what a real check costs. A test keeps its parameters equal to the ones `hash` uses.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$fL9o8nVTLi+k41nAvGoStw$xugLlny+fwtiHarLYXViD0LGFKGJNqHlFcLG+NNjZCY";

/// Checks a password against the account's hash, or against `DUMMY_HASH` when there is none: the
/// same work either way. True only for a real hash that matches.
fn verify_or_dummy(secret: &str, phc: Option<&str>) -> bool {
    match phc {
        Some(h) => verify(secret, h),
        None => {
            let _ = verify(secret, DUMMY_HASH);
            false
        }
    }
}

pub fn accounts_enabled(store: &Store) -> Result<bool> {
    Ok(store.conn().query_row("SELECT EXISTS(SELECT 1 FROM clerks WHERE password_hash IS NOT NULL AND active = 1)", [], |r| r.get(0))?)
}

pub fn state(store: &Store) -> Result<AuthState> {
    Ok(AuthState {
        accounts_enabled: accounts_enabled(store)?,
        session: store.session().cloned(),
        lock_after_minutes: crate::settings::CounterSettings::load_unchecked(store)?.lock_after_minutes,
    })
}

fn audit(store: &mut Store, actor: &str, action: &str, subject: &str) -> Result<()> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    crate::audit::record(&tx, at, actor, action, subject, &serde_json::Value::Null)?;
    tx.commit()?;
    Ok(())
}

/// An account checked and its secrets hashed, ready to be written (hashing is slow: it is done
/// before any write transaction opens).
pub(crate) struct NewAccount {
    id: String,
    name: String,
    role: Role,
    password_hash: String,
    pin_hash: Option<String>,
}

pub(crate) fn prepare(id: &str, name: &str, role: Role, password: &str, pin: Option<&str>) -> Result<NewAccount> {
    let id = id.trim().to_string();
    crate::limits::length("id", "Tên đăng nhập", &id, crate::limits::CODE)?;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
        return Err(CoreError::validation("id", "Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch dưới"));
    }
    let name = crate::limits::text("name", "Họ tên", name, crate::limits::NAME)?;
    if name.is_empty() {
        return Err(CoreError::validation("name", "Họ tên không được để trống"));
    }
    if id.chars().count() > 64 {
        return Err(CoreError::validation("id", "Tên đăng nhập dài tối đa 64 ký tự"));
    }
    policy::check_password(&id, &name, password)?;
    if let Some(p) = pin {
        policy::check_pin(p)?;
    }
    Ok(NewAccount { id, name, role, password_hash: hash(password)?, pin_hash: pin.map(hash).transpose()? })
}

/// Writes a prepared account (insert, or reset an existing one) with its audit entry, in the caller's
/// transaction.
pub(crate) fn write_account(tx: &rusqlite::Transaction, a: &NewAccount, at: chrono::NaiveDateTime, actor: &str, action: &str) -> Result<Account> {
    tx.execute(
        "INSERT INTO clerks(id, name, role, password_hash, pin_hash, failed_pins, active) VALUES (?1, ?2, ?3, ?4, ?5, 0, 1)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, password_hash = excluded.password_hash,
           pin_hash = excluded.pin_hash, failed_pins = 0, active = 1",
        params![a.id, a.name, a.role.as_str(), a.password_hash, a.pin_hash],
    )?;
    crate::audit::record(tx, at, actor, action, &a.id, &serde_json::json!({ "role": a.role.as_str() }))?;
    // a new password ends a lock from wrong ones
    lockout::succeeded(tx, &a.id)?;
    Ok(Account { id: a.id.clone(), name: a.name.clone(), role: a.role, active: true, has_pin: a.pin_hash.is_some() })
}

fn upsert(store: &mut Store, id: &str, name: &str, role: Role, password: &str, pin: Option<&str>, action: &str) -> Result<Account> {
    let account = prepare(id, name, role, password, pin)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    let out = write_account(&tx, &account, at, &actor, action)?;
    tx.commit()?;
    Ok(out)
}

/// First run: the admin account (refused once any account exists). Logs the admin in.
pub fn create_first_admin(store: &mut Store, id: &str, name: &str, password: &str, pin: Option<&str>) -> Result<Session> {
    // during the window's first-run set-up the admin is made by its last step, with the counter
    if !store.is_initialised() && crate::setup::stored_stage(store)?.is_some() {
        return Err(CoreError::Conflict("Đang thiết lập quầy lần đầu: tài khoản quản trị được tạo ở bước cuối của phần thiết lập".into()));
    }
    if accounts_enabled(store)? {
        return Err(CoreError::Conflict("Đã có tài khoản quản trị: đăng nhập bằng tài khoản đó để thêm tài khoản".into()));
    }
    upsert(store, id, name, Role::Admin, password, pin, "account.create_admin")?;
    login(store, id, password)
}

/// Adds (or resets) an account: admins only.
pub fn add_account(store: &mut Store, id: &str, name: &str, role: Role, password: &str, pin: Option<&str>) -> Result<Account> {
    store.require(Right::Accounts)?;
    upsert(store, id, name, role, password, pin, "account.set")
}

/// Disables an account (it stays in the history): admins only.
pub fn deactivate(store: &mut Store, id: &str) -> Result<()> {
    store.require(Right::Accounts)?;
    if store.session().is_some_and(|s| s.clerk_id == id.trim()) {
        return Err(CoreError::Conflict("Không tự khóa tài khoản đang đăng nhập".into()));
    }
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    let n = tx.execute("UPDATE clerks SET active = 0 WHERE id = ?1", [id.trim()])?;
    if n == 0 {
        return Err(CoreError::NotFound(format!("Không có tài khoản {id}")));
    }
    crate::audit::record(&tx, at, &actor, "account.deactivate", id.trim(), &serde_json::Value::Null)?;
    tx.commit()?;
    Ok(())
}

/// The accounts (names and roles; never a hash): for anyone logged in.
pub fn list(store: &Store) -> Result<Vec<Account>> {
    store.require(Right::Read)?;
    let mut st = store.conn().prepare("SELECT id, name, role, active, pin_hash IS NOT NULL FROM clerks WHERE password_hash IS NOT NULL ORDER BY id")?;
    let rows = st.query_map([], |r| {
        let role: String = r.get(2)?;
        Ok(Account { id: r.get(0)?, name: r.get(1)?, role: Role::parse(&role).unwrap_or(Role::Clerk), active: r.get::<_, i64>(3)? == 1, has_pin: r.get(4)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

type Row = (String, String, Option<String>, Option<String>, u32);

fn account_row(store: &Store, id: &str) -> Result<Option<Row>> {
    Ok(store
        .conn()
        .query_row("SELECT name, role, password_hash, pin_hash, failed_pins FROM clerks WHERE id = ?1 AND active = 1", [id.trim()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?)
}

/// Logs a clerk in with the password (also switches clerk at a shared counter). A failure is
/// recorded in the audit log and counted (`lockout`); it changes nothing else. An unknown id, an
/// inactive account and a wrong password get the same answer, after the same work.
pub fn login(store: &mut Store, id: &str, password: &str) -> Result<Session> {
    lockout::refuse_if_locked(store, id)?;
    let row = account_row(store, id)?;
    let ok = verify_or_dummy(password, row.as_ref().and_then(|r| r.2.as_deref()));
    let Some((name, role, ..)) = row.filter(|_| ok) else {
        return Err(lockout::failed(store, id, "login_failed", "Tên đăng nhập hoặc mật khẩu không đúng")?);
    };
    let id = id.trim();
    let session = Session { clerk_id: id.into(), clerk_name: name, role: Role::parse(&role).unwrap_or(Role::Clerk), locked: false };
    let at = store.clock().now();
    let tx = store.write_tx()?;
    tx.execute("UPDATE clerks SET failed_pins = 0 WHERE id = ?1", [id])?;
    lockout::succeeded(&tx, id)?;
    crate::audit::record(&tx, at, id, "login", id, &serde_json::Value::Null)?;
    tx.commit()?;
    store.set_session(Some(session.clone()));
    Ok(session)
}

pub fn logout(store: &mut Store) -> Result<()> {
    if let Some(s) = store.session().cloned() {
        audit(store, &s.clerk_id, "logout", &s.clerk_id)?;
    }
    store.set_session(None);
    Ok(())
}

/// Locks the screen (idle time, or on demand). Nothing personal is shown until it is unlocked.
pub fn lock(store: &mut Store) -> Result<()> {
    let Some(mut s) = store.session().cloned() else { return Ok(()) };
    if !s.locked {
        s.locked = true;
        store.set_session(Some(s.clone()));
        audit(store, &s.clerk_id, "lock", &s.clerk_id)?;
    }
    Ok(())
}

/// Unlocks with the PIN; after `MAX_PIN_TRIES` wrong PINs only the password unlocks.
pub fn unlock_with_pin(store: &mut Store, pin: &str) -> Result<Session> {
    let s = store.session().cloned().ok_or_else(|| CoreError::forbidden(Reason::NotLoggedIn, "Chưa đăng nhập"))?;
    let (_, _, _, pin_hash, failed) = account_row(store, &s.clerk_id)?.ok_or_else(|| CoreError::forbidden(Reason::AccountInactive, "Tài khoản đã bị khóa"))?;
    let Some(pin_hash) = pin_hash else {
        return Err(CoreError::forbidden(Reason::NoPin, "Tài khoản chưa có mã PIN: mở khóa bằng mật khẩu"));
    };
    if failed >= MAX_PIN_TRIES {
        return Err(CoreError::forbidden(Reason::PinLocked, format!("Đã nhập sai PIN {MAX_PIN_TRIES} lần: mở khóa bằng mật khẩu")));
    }
    if !verify(pin, &pin_hash) {
        // the count and its audit entry in one transaction
        let at = store.clock().now();
        let tx = store.write_tx()?;
        tx.execute("UPDATE clerks SET failed_pins = failed_pins + 1 WHERE id = ?1", [&s.clerk_id])?;
        crate::audit::record(&tx, at, &s.clerk_id, "unlock_failed", &s.clerk_id, &serde_json::Value::Null)?;
        tx.commit()?;
        let left = MAX_PIN_TRIES.saturating_sub(failed + 1);
        return Err(if left == 0 {
            CoreError::forbidden(Reason::PinLocked, format!("Mã PIN không đúng. Đã sai {MAX_PIN_TRIES} lần: mở khóa bằng mật khẩu"))
        } else {
            CoreError::forbidden(Reason::BadCredentials, format!("Mã PIN không đúng (còn {left} lần thử)"))
        });
    }
    unlocked(store, s)
}

/// Unlocks with the password (resets the PIN tries). Wrong passwords count towards the same lock
/// as wrong logins: a locked screen is no way round it.
pub fn unlock_with_password(store: &mut Store, password: &str) -> Result<Session> {
    let s = store.session().cloned().ok_or_else(|| CoreError::forbidden(Reason::NotLoggedIn, "Chưa đăng nhập"))?;
    lockout::refuse_if_locked(store, &s.clerk_id)?;
    let row = account_row(store, &s.clerk_id)?;
    if !verify_or_dummy(password, row.as_ref().and_then(|r| r.2.as_deref())) {
        return Err(lockout::failed(store, &s.clerk_id, "unlock_failed", "Mật khẩu không đúng")?);
    }
    unlocked(store, s)
}

fn unlocked(store: &mut Store, mut s: Session) -> Result<Session> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    tx.execute("UPDATE clerks SET failed_pins = 0 WHERE id = ?1", [&s.clerk_id])?;
    lockout::succeeded(&tx, &s.clerk_id)?;
    crate::audit::record(&tx, at, &s.clerk_id, "unlock", &s.clerk_id, &serde_json::Value::Null)?;
    tx.commit()?;
    s.locked = false;
    store.set_session(Some(s.clone()));
    Ok(s)
}

/// The app's session on another connection to the same file (a thread making a slow network call,
/// such as the enrolment from F9). The session belongs to the app, not to a connection, so it is
/// passed explicitly; the account is read again from the file, so a deactivated account or a changed
/// role is not carried over. `None` opens it logged out.
pub fn resume(store: &mut Store, session: Option<&Session>) -> Result<()> {
    let resumed = match session {
        None => None,
        Some(s) if *s == Session::system() => Some(Session::system()),
        Some(s) => {
            let (name, role, ..) =
                account_row(store, &s.clerk_id)?.ok_or_else(|| CoreError::forbidden(Reason::AccountInactive, format!("Tài khoản {} không còn hoạt động: đăng nhập lại", s.clerk_id)))?;
            Some(Session { clerk_id: s.clerk_id.clone(), clerk_name: name, role: Role::parse(&role).unwrap_or(Role::Clerk), locked: s.locked })
        }
    };
    store.set_session(resumed);
    Ok(())
}

impl Store {
    /// Refuses an action the person at the counter may not take (or any action while locked or
    /// logged out, once accounts exist). In set-up mode (no admin yet) everything is allowed.
    pub fn require(&self, right: Right) -> Result<()> {
        if !accounts_enabled(self)? {
            return Ok(());
        }
        match self.session() {
            None => Err(CoreError::forbidden(Reason::NotLoggedIn, "Cần đăng nhập trước khi thao tác")),
            Some(s) if s.locked => Err(CoreError::forbidden(Reason::Locked, "Màn hình đang khóa: mở khóa trước khi thao tác")),
            Some(s) if !s.role.can(right) => Err(CoreError::forbidden(Reason::NoRight, format!(
                "Tài khoản {} ({}) không có quyền {}",
                s.clerk_id,
                s.role.label(),
                right.label()
            ))),
            Some(_) => Ok(()),
        }
    }
}

pub mod lockout;
pub mod policy;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_login;
#[cfg(test)]
mod tests_reads;
