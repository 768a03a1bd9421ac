//! Who may point this counter at a portal, and how the counter knows a portal is the one it enrolled
//! with (issue 12, finding 6). Everything here runs before any network call:
//!
//! - Rights: a sync round needs `Right::Sync` (clerks, and the app's own task); enrolling and changing
//!   the portal's address need `Right::Portal` (admins). `plan_round` and `enrol_request` check them
//!   first, so a refused person never reaches the network.
//! - Identity: the portal has an Ed25519 key. The counter pins its public key at enrolment (trust on
//!   first use; a counter enrolled before keys existed pins it after its next successful round at the
//!   saved address). Before it sends a token or events to a new address, the counter sends a fresh
//!   random challenge and the portal signs `identity_message(portal_id, counter, challenge)`; a server
//!   that merely echoes the portal's id cannot. Only a `VerifiedPortal` (made here, after the check)
//!   can change the saved address or the pinned key.
//! - Approval: a newly enrolled device may push, but the portal withholds the agency's data until its
//!   admin approves it; the counter keeps that state to show "chờ phê duyệt".
//!
//! The pinned key and the approval state are kept in the `settings` table (keys `portal_key`,
//! `portal_approval`), written in the same transaction as the enrolment they belong to.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::params;

use super::protocol::{identity_message, EnrolRequest, IdentityResponse, PROTOCOL_VERSION};
use super::{enrolment, Enrolment};
use crate::accounts::Right;
use crate::error::{CoreError, Result};
use crate::store::Store;

const KEY_SETTING: &str = "portal_key";
const APPROVAL_SETTING: &str = "portal_approval";

/// Why a server was not accepted as this counter's portal. Nothing was sent to it but the challenge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("{url} là một cổng khác ({found}, máy đã đăng ký với {expected}): đăng ký lại với cổng đó (motcua enrol) trước khi đồng bộ")]
    OtherPortal { url: String, found: String, expected: String },
    #[error("{url} không chứng minh được là Cổng dịch vụ công mà máy đã đăng ký ({reason}): không gửi mã thiết bị và hồ sơ tới địa chỉ này")]
    BadProof { url: String, reason: String },
}

impl IdentityError {
    /// The stable code (as the portal's codes): `other_portal`, `portal_identity`.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::OtherPortal { .. } => "other_portal",
            IdentityError::BadProof { .. } => "portal_identity",
        }
    }
}

/// A portal that proved its identity at `url` (or was trusted on first use there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPortal {
    pub url: String,
    pub portal_id: String,
    /// The portal's public key, hex.
    pub key: String,
    _proved: (),
}

/// One identity check: the challenge sent, and what the answer must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCheck {
    /// `agency_code/counter_id`: what the portal signs for.
    pub counter: String,
    pub challenge: String,
    /// The portal id the answer must carry (None at enrolment: not known yet).
    pub portal_id: Option<String>,
    /// The key pinned at enrolment; None: trust on first use (enrolment, or a counter enrolled before
    /// keys existed syncing with its saved address).
    pub pinned: Option<String>,
}

/// What one round needs, decided (and permitted) before the network is touched.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundPlan {
    pub enrolment: Enrolment,
    /// The address this round talks to.
    pub url: String,
    /// The address changes this round (allowed only after `check` passes against the pinned key).
    pub switching: bool,
    /// Ask the portal to prove itself first: always when switching; when no key is pinned yet, to pin
    /// one after a successful round (trust on first use at the saved address).
    pub check: Option<IdentityCheck>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// 32 fresh random bytes, hex.
pub fn new_challenge() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex(&b)
}

fn counter_name(store: &Store) -> Result<String> {
    let c = store.context()?;
    Ok(format!("{}/{}", c.agency_code, c.counter_id))
}

/// Checks a signature of the identity message with a public key (both hex).
pub fn verify_signature(key: &str, portal_id: &str, counter: &str, challenge: &str, signature: &str) -> std::result::Result<(), String> {
    let key = unhex::<32>(key).ok_or("khóa của cổng không đúng dạng")?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| "khóa của cổng không hợp lệ")?;
    let sig = unhex::<64>(signature).ok_or("chữ ký không đúng dạng")?;
    key.verify_strict(&identity_message(portal_id, counter, challenge), &Signature::from_bytes(&sig))
        .map_err(|_| "chữ ký không khớp với khóa đã ghi nhận khi đăng ký".to_string())
}

impl IdentityCheck {
    /// Checks the answer of the server at `url`: the portal id, then the signature of our challenge
    /// under the pinned key (or, trusting on first use, under the key it gives).
    pub fn verify(&self, url: &str, answer: &IdentityResponse) -> std::result::Result<VerifiedPortal, IdentityError> {
        if let Some(expected) = &self.portal_id {
            if &answer.portal_id != expected {
                return Err(IdentityError::OtherPortal { url: url.into(), found: answer.portal_id.clone(), expected: expected.clone() });
            }
        }
        let key = self.pinned.clone().unwrap_or_else(|| answer.portal_key.trim().to_ascii_lowercase());
        if answer.portal_key.trim().to_ascii_lowercase() != key {
            return Err(IdentityError::BadProof { url: url.into(), reason: "cổng dùng một khóa khác với khóa đã ghi nhận khi đăng ký".into() });
        }
        verify_signature(&key, &answer.portal_id, &self.counter, &self.challenge, &answer.signature)
            .map_err(|reason| IdentityError::BadProof { url: url.into(), reason })?;
        Ok(VerifiedPortal { url: url.trim_end_matches('/').into(), portal_id: answer.portal_id.clone(), key, _proved: () })
    }
}

/// The portal key this counter pinned (hex), if any.
pub fn pinned_key(store: &Store) -> Result<Option<String>> {
    store.setting(KEY_SETTING)
}

/// Decides a round before any network call: the clerk's right to sync, and for a new address the
/// admin's right to change it and a pinned key to check the new address against.
/// `Ok(None)`: not enrolled.
pub fn plan_round(store: &Store, portal_url: Option<&str>) -> Result<Option<RoundPlan>> {
    store.require(Right::Sync)?;
    let Some(enrolment) = enrolment(store)? else { return Ok(None) };
    let pinned = pinned_key(store)?;
    let url = portal_url.map(|u| u.trim().trim_end_matches('/').to_string()).filter(|u| !u.is_empty());
    let switching = url.as_ref().is_some_and(|u| *u != enrolment.portal_url);
    if switching {
        store.require(Right::Portal)?;
        if pinned.is_none() {
            return Err(CoreError::Conflict(format!(
                "Chưa ghi nhận khóa của Cổng dịch vụ công nên chưa đổi được địa chỉ cổng: đồng bộ một lần với địa chỉ đã lưu ({}) rồi thử lại",
                enrolment.portal_url
            )));
        }
    }
    let check = (switching || pinned.is_none()).then(|| -> Result<IdentityCheck> {
        Ok(IdentityCheck { counter: counter_name(store)?, challenge: new_challenge(), portal_id: Some(enrolment.portal_id.clone()), pinned: pinned.clone() })
    });
    let check = check.transpose()?;
    let url = if switching { url.unwrap_or_default() } else { enrolment.portal_url.clone() };
    Ok(Some(RoundPlan { enrolment, url, switching, check }))
}

/// The enrolment request and the identity check to run first, after the admin's right is checked
/// (before any network call).
pub fn enrol_request(store: &Store, code: &str) -> Result<(EnrolRequest, IdentityCheck)> {
    store.require(Right::Portal)?;
    let ctx = store.context()?.clone();
    let code = code.trim();
    if code.is_empty() {
        return Err(CoreError::validation("code", "Nhập mã đăng ký do quản trị Cổng dịch vụ công cấp cho quầy này"));
    }
    let check = IdentityCheck { counter: counter_name(store)?, challenge: new_challenge(), portal_id: None, pinned: None };
    let req = EnrolRequest {
        protocol: PROTOCOL_VERSION,
        enrolment_code: code.to_string(),
        agency_code: ctx.agency_code,
        counter_id: ctx.counter_id,
        counter_name: ctx.counter_name,
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        standing_blocks: super::codes::standing_blocks(store)?,
    };
    Ok((req, check))
}

/// Saves a new portal address after the portal there proved it is the enrolled one (admins only).
pub fn switch_portal_url(store: &mut Store, verified: &VerifiedPortal) -> Result<()> {
    store.require(Right::Portal)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let tx = store.write_tx()?;
    tx.execute("UPDATE sync_state SET portal_url = ?1 WHERE id = 1", [&verified.url])?;
    crate::audit::record(&tx, at, &actor, "sync.portal_url", &verified.portal_id, &serde_json::json!({ "portal": verified.url }))?;
    tx.commit()?;
    Ok(())
}

/// Pins the key of the enrolled portal (trust on first use after a successful round at the saved
/// address). Never replaces a pinned key: only a new enrolment does.
pub fn pin_key(store: &mut Store, verified: &VerifiedPortal) -> Result<()> {
    let at = store.clock().now();
    let tx = store.write_tx()?;
    let n = tx.execute("INSERT OR IGNORE INTO settings(key, value) VALUES (?1, ?2)", params![KEY_SETTING, verified.key])?;
    if n > 0 {
        crate::audit::record(&tx, at, "", "sync.pin_key", &verified.portal_id, &serde_json::json!({ "key": verified.key }))?;
    }
    tx.commit()?;
    Ok(())
}

/// Keeps the key of a new enrolment (or forgets the old portal's, if the new one gave none).
pub(crate) fn replace_key(tx: &rusqlite::Transaction, key: Option<&str>) -> Result<()> {
    match key {
        Some(k) => tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![KEY_SETTING, k],
        )?,
        None => tx.execute("DELETE FROM settings WHERE key = ?1", [KEY_SETTING])?,
    };
    tx.execute("DELETE FROM settings WHERE key = ?1", [APPROVAL_SETTING])?;
    Ok(())
}

/// Whether the portal is still waiting for its admin to approve this machine.
pub fn approval_pending(store: &Store) -> Result<bool> {
    Ok(store.setting(APPROVAL_SETTING)?.as_deref() == Some("pending"))
}

/// Records what the last pull said: withheld until approval (`true`), or delivered (`false`).
pub fn record_approval(store: &mut Store, pending: bool) -> Result<()> {
    if approval_pending(store)? == pending {
        return Ok(());
    }
    let at = store.clock().now();
    let tx = store.write_tx()?;
    if pending {
        tx.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?1, 'pending')", [APPROVAL_SETTING])?;
    } else {
        tx.execute("DELETE FROM settings WHERE key = ?1", [APPROVAL_SETTING])?;
        crate::audit::record(&tx, at, "", "sync.approved", "", &serde_json::Value::Null)?;
    }
    tx.commit()?;
    Ok(())
}

/// What the counter shows while the portal withholds the agency's data.
pub const PENDING_APPROVAL: &str = "Máy đã đăng ký, đang chờ quản trị Cổng dịch vụ công phê duyệt: hồ sơ của quầy vẫn được gửi lên, \
                                    nhưng chưa nhận hồ sơ của quầy khác và của phòng chuyên môn";

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    fn answer(sk: &SigningKey, portal_id: &str, counter: &str, challenge: &str) -> IdentityResponse {
        IdentityResponse {
            protocol: 1,
            portal_id: portal_id.into(),
            portal_key: hex(&sk.verifying_key().to_bytes()),
            signature: hex(&sk.sign(&identity_message(portal_id, counter, challenge)).to_bytes()),
        }
    }

    #[test]
    fn a_signed_challenge_under_the_pinned_key_passes_and_an_echo_does_not() {
        let real = SigningKey::from_bytes(&[7u8; 32]);
        let fake = SigningKey::from_bytes(&[9u8; 32]);
        let check = IdentityCheck {
            counter: "A/Q01".into(),
            challenge: new_challenge(),
            portal_id: Some("portal-1".into()),
            pinned: Some(hex(&real.verifying_key().to_bytes())),
        };
        assert!(check.verify("http://x", &answer(&real, "portal-1", "A/Q01", &check.challenge)).is_ok());
        // the fake echoes the portal id and signs with its own key
        let e = check.verify("http://x", &answer(&fake, "portal-1", "A/Q01", &check.challenge)).unwrap_err();
        assert_eq!(e.code(), "portal_identity");
        // it replays the real portal's key and an old signature (another challenge)
        let mut replay = answer(&real, "portal-1", "A/Q01", &new_challenge());
        assert_eq!(check.verify("http://x", &replay).unwrap_err().code(), "portal_identity");
        // a signature made for another counter
        replay = answer(&real, "portal-1", "A/Q77", &check.challenge);
        assert_eq!(check.verify("http://x", &replay).unwrap_err().code(), "portal_identity");
        // garbage
        replay.signature = "zz".into();
        assert_eq!(check.verify("http://x", &replay).unwrap_err().code(), "portal_identity");
        // another portal
        assert_eq!(check.verify("http://x", &answer(&real, "portal-2", "A/Q01", &check.challenge)).unwrap_err().code(), "other_portal");
    }

    fn forbidden<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(CoreError::Forbidden(_, m)) => m,
            other => panic!("expected Forbidden, got {other:?}"),
        }
    }

    #[test]
    fn enrolling_and_changing_the_address_need_an_admin_before_any_network_call() {
        use crate::accounts::{add_account, create_first_admin, login, Role};
        let dir = tempfile::tempdir().unwrap();
        let clock = std::sync::Arc::new(crate::clock::SystemClock);
        let mut s = Store::open_dir(dir.path(), clock.clone()).unwrap();
        s.ensure_demo().unwrap();
        let resp = super::super::protocol::EnrolResponse {
            protocol: 1,
            standing_blocks: vec![],
            device_id: "000.00.31.H26/Q01".into(),
            token: "t".into(),
            portal_id: "p".into(),
            server_time: 0,
            last_seq: 0,
        };
        super::super::save_enrolment(&mut s, "http://127.0.0.1:1", &resp).unwrap();
        create_first_admin(&mut s, "admin", "Quản Trị", "Kx7#mQ2v-quan-tri", None).unwrap();
        add_account(&mut s, "lan", "Nguyễn Thị Lan", Role::Clerk, "Lp4!zR8w-can-bo", None).unwrap();
        // the admin: the address may change, but only against a pinned key
        assert!(plan_round(&s, Some("http://hub:1")).unwrap_err().to_string().contains("Chưa ghi nhận khóa"));
        assert!(enrol_request(&s, "CODE").is_ok());
        login(&mut s, "lan", "Lp4!zR8w-can-bo").unwrap();
        let plan = plan_round(&s, None).unwrap().unwrap();
        assert_eq!((plan.url.as_str(), plan.switching), ("http://127.0.0.1:1", false));
        assert!(plan.check.is_some(), "no key pinned yet: the portal is asked for it (trust on first use)");
        assert!(forbidden(plan_round(&s, Some("http://fake:1"))).contains("không có quyền đăng ký máy"));
        assert!(forbidden(enrol_request(&s, "CODE")).contains("không có quyền đăng ký máy"));
        assert!(forbidden(super::super::save_enrolment(&mut s, "http://fake:1", &resp)).contains("không có quyền"));

        // a fresh connection has no session; the app's session is passed explicitly
        let path = s.path().to_path_buf();
        let fresh = Store::open(&path, clock.clone()).unwrap();
        assert!(forbidden(plan_round(&fresh, None)).contains("Cần đăng nhập"));
        let as_clerk = Store::open_as(&path, clock.clone(), s.session()).unwrap();
        assert!(plan_round(&as_clerk, None).is_ok());
        assert!(forbidden(enrol_request(&as_clerk, "CODE")).contains("không có quyền"));
        login(&mut s, "admin", "Kx7#mQ2v-quan-tri").unwrap();
        let as_admin = Store::open_as(&path, clock.clone(), s.session()).unwrap();
        assert!(enrol_request(&as_admin, "CODE").is_ok());
        // a session claiming a role the account does not have gets the account's role
        let mut forged = s.session().cloned().unwrap();
        forged.clerk_id = "lan".into();
        let as_forged = Store::open_as(&path, clock.clone(), Some(&forged)).unwrap();
        assert!(forbidden(enrol_request(&as_forged, "CODE")).contains("không có quyền"));
        forged.clerk_id = "nobody".into();
        assert!(matches!(Store::open_as(&path, clock, Some(&forged)), Err(CoreError::Forbidden(..))));
    }

    #[test]
    fn trust_on_first_use_takes_the_given_key_but_still_needs_its_signature() {
        let real = SigningKey::from_bytes(&[7u8; 32]);
        let check = IdentityCheck { counter: "A/Q01".into(), challenge: new_challenge(), portal_id: None, pinned: None };
        let v = check.verify("http://x/", &answer(&real, "portal-1", "A/Q01", &check.challenge)).unwrap();
        assert_eq!((v.url.as_str(), v.key.as_str()), ("http://x", hex(&real.verifying_key().to_bytes()).as_str()));
        let mut bad = answer(&real, "portal-1", "A/Q01", &check.challenge);
        bad.portal_key = hex(&SigningKey::from_bytes(&[1u8; 32]).verifying_key().to_bytes());
        assert!(check.verify("http://x", &bad).is_err());
    }
}
