//! The wire format of the counter ↔ portal protocol, version 1 (docs/sync-protocol.md,
//! docs/sync-openapi.yaml). Shared by the client and the reference portal so both sides agree by
//! construction. Every body carries `protocol`; a side that gets a version it does not know refuses it.

use serde::{Deserialize, Serialize};

pub const PROTOCOL_VERSION: u32 = 1;
/// The portal's own device id: the events its back office authors (departments' steps, code re-issues).
pub const BACK_OFFICE: &str = "CONG";
/// At most this many events per push.
pub const MAX_BATCH: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub protocol: u32,
    pub enrolment_code: String,
    pub agency_code: String,
    pub counter_id: String,
    pub counter_name: String,
    pub app_version: String,
    /// The standing blocks of the daily sequence set at this counter (`init --code-block`): the
    /// portal registers them for the agency, refuses blocks that overlap another counter's, and
    /// never leases their numbers (docs/dossier-codes.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standing_blocks: Vec<CodeBlock>,
}

/// A block `first..=last` of an agency's official daily sequence (1..=9999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeBlock {
    pub first: u32,
    pub last: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub protocol: u32,
    pub device_id: String,
    /// Shown once; the portal keeps only its hash.
    pub token: String,
    pub portal_id: String,
    /// Unix ms.
    pub server_time: i64,
    /// The highest seq of this counter the portal already holds (a counter enrolling again on a new
    /// or restored machine continues above it, and pulls its own events back).
    #[serde(default)]
    pub last_seq: i64,
    /// The standing blocks the portal registered for this counter (the counter keeps using them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standing_blocks: Vec<CodeBlock>,
}

/// One event as it travels: frozen once queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEvent {
    pub uid: String,
    pub counter_id: String,
    pub seq: i64,
    pub dossier_uid: String,
    pub dossier_code: String,
    pub kind: String,
    /// Local time of the counter, RFC 3339 (for people; never used for ordering across machines).
    pub at: String,
    #[serde(default)]
    pub hlc: String,
    pub clerk_id: String,
    /// The event (`dossier::EventKind`) as JSON.
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub device_id: String,
    pub events: Vec<WireEvent>,
    /// The sender's latest audit hash, kept by the portal as an outside anchor (issue 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<String>,
    /// The audit entries after the anchor the portal holds up to `audit_anchor`, as digests (hashes
    /// only, no personal data), so the portal can check the new head extends the one it holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_links: Vec<AuditLink>,
}

/// One audit entry after the portal's anchor: its id and the digest of its fields (schema 8 on), or
/// for an entry written before, its hash (accepted only until the portal has seen a digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLink {
    pub id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushStatus {
    /// Newly stored.
    Stored,
    /// Already held with the same content (a resend): as good as stored.
    Duplicate,
    /// Never to be taken as it is: parked at the counter with the reason.
    Rejected,
    /// Stored, but its official code was already another dossier's: the portal gave it a new code
    /// (`reissue` carries the portal's `code_reissued` event, which the counter applies at once).
    Recoded,
}

/// The new code the portal issued for a dossier whose code was taken, as its own event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reissue {
    pub new_code: String,
    pub portal_seq: i64,
    pub event: WireEvent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub uid: String,
    pub status: PushStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reissue: Option<Reissue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub protocol: u32,
    pub server_time: i64,
    /// The highest seq of this counter below which the portal has handled every event.
    pub held_through_seq: i64,
    pub results: Vec<PushResult>,
    /// Set when the portal refused the audit head sent (it does not extend the one the portal holds:
    /// a rewritten history); the events were still handled. The reason, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor_refused: Option<String>,
}

/// One thing the portal has for a counter, in the portal's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub portal_seq: i64,
    #[serde(flatten)]
    pub body: ChangeBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeBody {
    /// A new procedure catalog (`motcua.catalog/1`), replacing the counter's.
    Catalog { data: serde_json::Value },
    /// A new working-day calendar (`motcua.calendar/1`).
    Calendar { data: serde_json::Value },
    /// A back-office step, or another counter's event on a dossier of the agency.
    Event { event: WireEvent },
    /// A dossier submitted online that this counter takes in (and later hands out).
    OnlineDossier { request_id: String, intake: serde_json::Value },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesResponse {
    pub protocol: u32,
    pub server_time: i64,
    pub changes: Vec<Change>,
    pub next_cursor: i64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub protocol: u32,
    /// YYYY-MM-DD.
    pub day: String,
    pub want: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseResponse {
    pub protocol: u32,
    pub server_time: i64,
    pub day: String,
    pub first: u32,
    pub last: u32,
}

/// `GET /v1/units?have=VERSION`: the administrative map the portal publishes (issue 15). `data` is
/// the whole file (docs/units.md) when the portal's version differs from the counter's, else absent.
/// A separate route rather than a pulled change, so counters that predate it are not affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitsResponse {
    pub protocol: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// `POST /v1/diagnostics` ("Gửi chẩn đoán"): the counter's recent log and crash records, for the IT
/// officer (nothing personal: `diagnostics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticsRequest {
    pub protocol: u32,
    pub bundle: crate::diagnostics::DiagnosticBundle,
}

/// The portal's receipt of a diagnostics bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticsResponse {
    pub protocol: u32,
    pub id: i64,
}

/// `GET /v1/audit-anchor`: the latest audit head this device pushed ("id:hash"), as the portal keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnchorResponse {
    pub protocol: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_anchor: Option<String>,
    /// The portal refused a later head from this device as a rewritten history (the latest reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// `POST /v1/identity` (no token): the counter asks the portal to prove it is the portal it pinned at
/// enrolment, before it sends a token or events to an address (docs/sync-protocol.md, "Portal identity").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityRequest {
    pub protocol: u32,
    /// The counter as it names itself: `agency_code/counter_id`.
    pub counter: String,
    /// 32 random bytes, hex, fresh for every request.
    pub challenge: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityResponse {
    pub protocol: u32,
    pub portal_id: String,
    /// The portal's Ed25519 public key, hex (32 bytes).
    pub portal_key: String,
    /// Ed25519 signature, hex (64 bytes), over `identity_message(portal_id, counter, challenge)`.
    pub signature: String,
}

/// The bytes a portal signs to prove its identity: a fixed domain, its id, the asking counter and the
/// counter's fresh challenge. Nothing else can be made to sign these bytes.
pub fn identity_message(portal_id: &str, counter: &str, challenge: &str) -> Vec<u8> {
    format!("motcua-portal-identity/1\n{portal_id}\n{counter}\n{challenge}").into_bytes()
}

/// Any refusal: a stable code and the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub protocol: u32,
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported: Vec<u32>,
}

/// Checks the `protocol` field of a raw JSON body before anything else is read from it.
pub fn check_version(body: &serde_json::Value) -> Result<(), ErrorBody> {
    match body.get("protocol").and_then(|v| v.as_u64()) {
        Some(v) if v == PROTOCOL_VERSION as u64 => Ok(()),
        Some(v) => Err(ErrorBody {
            protocol: PROTOCOL_VERSION,
            code: "protocol_version".into(),
            message: format!("protocol version {v} is not supported (this side speaks {PROTOCOL_VERSION})"),
            supported: vec![PROTOCOL_VERSION],
        }),
        None => Err(ErrorBody {
            protocol: PROTOCOL_VERSION,
            code: "protocol_version".into(),
            message: "the body has no protocol version".into(),
            supported: vec![PROTOCOL_VERSION],
        }),
    }
}

// ---- Document files (issue 16): a separate, idempotent, resumable upload by content hash ----------
//
// `PUT /v1/blobs/{sha256}?offset=N&total=T` with a chunk of at most `BLOB_CHUNK` bytes as the body and
// the chunk's own SHA-256 in the `x-chunk-sha256` header. The portal appends the chunk when `offset`
// equals what it holds of that upload (else 409 with its `BlobStatus`, and the client resumes from
// `received`); a chunk whose hash does not match is refused (422 `chunk_hash`) and nothing is kept of
// it. When `received == total` the portal checks the whole file's hash (422 `hash_mismatch`: the
// partial file is dropped and the client starts again) and stores it. A file the same agency already
// has answers `stored: true` at once ("already have"), without the body. `GET /v1/blobs/{sha256}/status`
// tells how much of an upload the portal holds; `GET /v1/blobs/{sha256}` serves the file to an enrolled
// counter of an agency that holds it (404 otherwise: another agency's files are not even confirmed to
// exist). Full disk or quota: 507 with `disk_full` / `quota`; the counter parks that file, not the events.

/// The largest chunk of one `PUT /v1/blobs/…` request.
pub const BLOB_CHUNK: usize = 1024 * 1024;
/// The largest file the portal takes (the counter refuses larger ones first: `documents::files`).
pub const MAX_BLOB: u64 = 64 * 1024 * 1024;
/// The header carrying a chunk's SHA-256 (lowercase hex).
pub const CHUNK_SHA_HEADER: &str = "x-chunk-sha256";

/// What the portal holds of one file's upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStatus {
    pub protocol: u32,
    pub sha256: String,
    /// The whole file's size as the upload announced it (0 when nothing is known yet).
    pub size: u64,
    /// Bytes received so far, in order from the start.
    pub received: u64,
    /// The whole file is stored, its hash checked.
    pub stored: bool,
}

/// Why the portal refused a file or a chunk (`ErrorBody.error` carries the same words).
pub mod blob_refusal {
    /// The chunk's bytes do not hash to its header: re-send the chunk.
    pub const CHUNK_HASH: &str = "chunk_hash";
    /// The complete file does not hash to its name: dropped, start again.
    pub const HASH_MISMATCH: &str = "hash_mismatch";
    /// The agency's space on the portal is used up: parked.
    pub const QUOTA: &str = "quota";
    /// The portal's disk is full: parked.
    pub const DISK_FULL: &str = "disk_full";
    /// Larger than `MAX_BLOB`: refused for good.
    pub const TOO_LARGE: &str = "too_large";
}
