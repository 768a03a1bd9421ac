//! The portal's identity key (issue 12, finding 6): an Ed25519 keypair made on first start in the data
//! directory (`portal-identity.key`, the 32-byte secret in hex, readable by the owner only). Counters
//! pin the public key at enrolment; before a counter sends its token or events to an address, it sends
//! a fresh challenge to `POST /v1/identity` and checks the signature of
//! `identity_message(portal_id, counter, challenge)` against the pinned key. A server that only echoes
//! the portal's id cannot sign. (A server that relays the challenge to the real portal can; HTTPS is
//! what stops a relay on the path.)

use std::io::Write;
use std::path::Path;

use ed25519_dalek::{Signer, SigningKey};
use motcua_core::sync::protocol::{identity_message, IdentityRequest, IdentityResponse, PROTOCOL_VERSION};

use crate::db::Refusal;

pub const KEY_FILE: &str = "portal-identity.key";

pub struct PortalIdentity {
    key: SigningKey,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn read_key(path: &Path) -> Result<SigningKey, Refusal> {
    let text = std::fs::read_to_string(path).map_err(|e| Refusal::new(500, "io", format!("{}: {e}", path.display())))?;
    let t = text.trim();
    let mut seed = [0u8; 32];
    if t.len() != 64 || !t.is_ascii() {
        return Err(Refusal::new(500, "identity", format!("{} is not a 32-byte hex key", path.display())));
    }
    for (i, b) in seed.iter_mut().enumerate() {
        *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|_| Refusal::new(500, "identity", format!("{} is not hex", path.display())))?;
    }
    Ok(SigningKey::from_bytes(&seed))
}

impl PortalIdentity {
    /// The key in `dir`, made on first use (never replaced: counters have pinned it).
    pub fn load_or_create(dir: &Path) -> Result<PortalIdentity, Refusal> {
        let path = dir.join(KEY_FILE);
        if !path.exists() {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).expect("system randomness");
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            match opts.open(&path) {
                Ok(mut f) => {
                    f.write_all(hex(&seed).as_bytes()).and_then(|_| f.sync_all()).map_err(|e| Refusal::new(500, "io", format!("{}: {e}", path.display())))?;
                }
                // another process made it first: use that one
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Refusal::new(500, "io", format!("{}: {e}", path.display()))),
            }
        }
        Ok(PortalIdentity { key: read_key(&path)? })
    }

    /// The public key, hex: what counters pin.
    pub fn public_hex(&self) -> String {
        hex(&self.key.verifying_key().to_bytes())
    }

    /// Signs a counter's challenge.
    pub fn answer(&self, portal_id: &str, req: &IdentityRequest) -> Result<IdentityResponse, Refusal> {
        let challenge = req.challenge.trim();
        if challenge.len() != 64 || !challenge.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Refusal::new(400, "invalid", "challenge: 32 random bytes in hex"));
        }
        let counter = req.counter.trim();
        if counter.is_empty() || counter.len() > 200 || !counter.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '/') {
            return Err(Refusal::new(400, "invalid", "counter: agency_code/counter_id"));
        }
        let sig = self.key.sign(&identity_message(portal_id, counter, challenge));
        Ok(IdentityResponse { protocol: PROTOCOL_VERSION, portal_id: portal_id.into(), portal_key: self.public_hex(), signature: hex(&sig.to_bytes()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_private_and_its_answers_verify() {
        let d = tempfile::tempdir().unwrap();
        let a = PortalIdentity::load_or_create(d.path()).unwrap();
        let b = PortalIdentity::load_or_create(d.path()).unwrap();
        assert_eq!(a.public_hex(), b.public_hex(), "the same key at every start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(d.path().join(KEY_FILE)).unwrap().permissions().mode() & 0o077, 0);
        }
        let challenge = motcua_core::sync::identity::new_challenge();
        let r = a.answer("portal-1", &IdentityRequest { protocol: 1, counter: "A.1/Q01".into(), challenge: challenge.clone() }).unwrap();
        motcua_core::sync::identity::verify_signature(&r.portal_key, "portal-1", "A.1/Q01", &challenge, &r.signature).unwrap();
        assert!(a.answer("portal-1", &IdentityRequest { protocol: 1, counter: "A/Q01".into(), challenge: "00".into() }).is_err());
    }
}
