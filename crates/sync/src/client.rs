//! The portal's HTTP API as the counter calls it: JSON bodies with the protocol version, the device
//! token as a bearer credential, timeouts, and every failure mapped to a `SyncError` that keeps the
//! portal's own reason.

use std::time::Duration;

use motcua_core::sync::protocol::*;
use serde::de::DeserializeOwned;

use crate::SyncError;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A whole document (up to 40 MB) may take longer than a JSON request on a slow line.
pub const BLOB_TIMEOUT: Duration = Duration::from_secs(300);

pub struct PortalClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl PortalClient {
    pub fn new(base: &str, token: Option<&str>) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::BadAnswer(format!("http client: {e}")))?;
        Ok(PortalClient { http, base: base.trim_end_matches('/').to_string(), token: token.map(str::to_string) })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse, SyncError> {
        self.send(self.http.post(self.url("/v1/enrol")).json(req)).await
    }

    pub async fn push(&self, req: &PushRequest) -> Result<PushResponse, SyncError> {
        self.send(self.auth(self.http.post(self.url("/v1/events"))).json(req)).await
    }

    /// `own`: include this counter's own events (recovering after a re-enrolment).
    pub async fn changes(&self, cursor: i64, limit: u32, own: bool) -> Result<ChangesResponse, SyncError> {
        let url = format!("{}?protocol={PROTOCOL_VERSION}&cursor={cursor}&limit={limit}&own={}", self.url("/v1/changes"), own as u8);
        self.send(self.auth(self.http.get(url))).await
    }

    pub async fn lease(&self, req: &LeaseRequest) -> Result<LeaseResponse, SyncError> {
        self.send(self.auth(self.http.post(self.url("/v1/leases"))).json(req)).await
    }

    pub async fn audit_anchor(&self) -> Result<AnchorResponse, SyncError> {
        let url = format!("{}?protocol={PROTOCOL_VERSION}", self.url("/v1/audit-anchor"));
        self.send(self.auth(self.http.get(url))).await
    }

    /// `GET /v1/units`: the published administrative map, when the portal's differs from `have`.
    pub async fn units(&self, have: &str) -> Result<motcua_core::sync::protocol::UnitsResponse, SyncError> {
        let have: String = have.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).take(200).collect();
        let url = format!("{}?protocol={PROTOCOL_VERSION}&have={have}", self.url("/v1/units"));
        self.send(self.auth(self.http.get(url))).await
    }

    /// `POST /v1/diagnostics`: the counter's recent log and crash records ("Gửi chẩn đoán").
    pub async fn diagnostics(&self, req: &motcua_core::sync::protocol::DiagnosticsRequest) -> Result<motcua_core::sync::protocol::DiagnosticsResponse, SyncError> {
        self.send(self.auth(self.http.post(self.url("/v1/diagnostics"))).json(req)).await
    }

    /// The portal's identity (`GET /v1/health`), to tell one portal from another at the same address.
    pub async fn portal_id(&self) -> Result<String, SyncError> {
        let v: serde_json::Value = self.send(self.http.get(self.url("/v1/health"))).await?;
        Ok(v["portal_id"].as_str().unwrap_or_default().to_string())
    }

    /// `POST /v1/identity`: the portal signs our challenge. Never carries the token.
    pub async fn identity(&self, req: &IdentityRequest) -> Result<IdentityResponse, SyncError> {
        self.send(self.http.post(self.url("/v1/identity")).json(req)).await
    }

    /// `GET /v1/blobs/{sha}/status`: how much of a file's upload the portal holds.
    pub async fn blob_status(&self, sha256: &str) -> Result<BlobStatus, SyncError> {
        let url = format!("{}?protocol={PROTOCOL_VERSION}", self.url(&format!("/v1/blobs/{sha256}/status")));
        self.send(self.auth(self.http.get(url))).await
    }

    /// `PUT /v1/blobs/{sha}?offset=&total=`: one chunk, with its own hash in a header.
    pub async fn blob_put(&self, sha256: &str, offset: u64, total: u64, chunk: Vec<u8>) -> Result<BlobStatus, SyncError> {
        let chunk_sha = motcua_core::documents::blobs::sha256_hex(&chunk);
        let url = format!("{}?protocol={PROTOCOL_VERSION}&offset={offset}&total={total}", self.url(&format!("/v1/blobs/{sha256}")));
        self.send(self.auth(self.http.put(url)).header(CHUNK_SHA_HEADER, chunk_sha).header("content-type", "application/octet-stream").body(chunk)).await
    }

    /// `GET /v1/blobs/{sha}`: the file's bytes (checked against its hash by the caller).
    pub async fn blob_get(&self, sha256: &str) -> Result<Vec<u8>, SyncError> {
        let url = format!("{}?protocol={PROTOCOL_VERSION}", self.url(&format!("/v1/blobs/{sha256}")));
        let resp = self.auth(self.http.get(url)).timeout(BLOB_TIMEOUT).send().await.map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        if status == 200 {
            let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
            return Ok(bytes.to_vec());
        }
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        let (code, message) = body.map(|b| (b.code, b.message)).unwrap_or_else(|| ("http".into(), String::new()));
        Err(match status {
            401 => SyncError::Unauthorised { message },
            _ => SyncError::Portal { status, code, message },
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self, b: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => b.bearer_auth(t),
            None => b,
        }
    }

    async fn send<T: DeserializeOwned>(&self, b: reqwest::RequestBuilder) -> Result<T, SyncError> {
        let resp = b.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        let raw: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
        if !(200..300).contains(&status) {
            let body: Option<ErrorBody> = raw.and_then(|v| serde_json::from_value(v).ok());
            let (code, message) = match body {
                Some(b) => (b.code, b.message),
                None => ("http".to_string(), String::from_utf8_lossy(&bytes).chars().take(200).collect()),
            };
            return Err(match (status, code.as_str()) {
                (401, _) => SyncError::Unauthorised { message },
                (_, "protocol_version") => SyncError::ProtocolVersion { message },
                _ => SyncError::Portal { status, code, message },
            });
        }
        let raw = raw.ok_or_else(|| SyncError::BadAnswer(format!("HTTP {status}, not JSON")))?;
        check_version(&raw).map_err(|b| SyncError::ProtocolVersion { message: b.message })?;
        serde_json::from_value(raw).map_err(|e| SyncError::BadAnswer(e.to_string()))
    }

    fn transport(&self, e: reqwest::Error) -> SyncError {
        if e.is_timeout() && !e.is_connect() {
            SyncError::Timeout { seconds: REQUEST_TIMEOUT.as_secs() }
        } else {
            let mut detail = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                detail.push_str(": ");
                detail.push_str(&s.to_string());
                src = s.source();
            }
            SyncError::Unreachable { url: self.base.clone(), detail }
        }
    }
}
