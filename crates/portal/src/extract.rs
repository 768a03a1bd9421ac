//! The one extractor of the device routes: `Authed<T>` checks the device token and reads the
//! route's input (`request`: the protocol version first, then the type), each refusal answered with
//! its status and error body. A new device route implements `DeviceInput` for what it reads and takes
//! `Authed(device, input): Authed<ItsInput>`.
//!
//! When the token is checked depends on where the input comes from (`Source`), as the protocol's
//! answers fix it: a query's version is refused before the token is looked at; a small body is read
//! first (up to the route's limit layer); a push's large body only once the token is known.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use motcua_core::sync::protocol::{LeaseRequest, PushRequest};

use crate::db::{Device, Refusal};
use crate::request::{self, ChangesQuery, PUSH_BODY};
use crate::server::{refuse, Answer, AppState};

/// A request of an enrolled device: who it is, and what it sent.
pub struct Authed<T>(pub Device, pub T);

/// Where a device route's input comes from, and so when its token is checked.
pub enum Source {
    /// The query string, read and version-checked before the token.
    Query,
    /// The body, read (up to the route's body limit layer) before the token is checked.
    Body,
    /// The body, read only once the token is known, up to this many bytes: only an enrolled device
    /// gets this limit (a push's; the refusal over it says so).
    BodyAfterToken(usize),
}

/// What a device route reads from its request.
pub trait DeviceInput: Sized {
    const SOURCE: Source;
    /// Parses the query string or the body.
    fn parse(raw: &[u8]) -> Result<Self, Refusal>;
}

impl DeviceInput for PushRequest {
    const SOURCE: Source = Source::BodyAfterToken(PUSH_BODY);
    fn parse(raw: &[u8]) -> Result<Self, Refusal> {
        request::parse_push(raw)
    }
}

impl DeviceInput for LeaseRequest {
    const SOURCE: Source = Source::Body;
    fn parse(raw: &[u8]) -> Result<Self, Refusal> {
        request::parse_lease(raw)
    }
}

impl DeviceInput for ChangesQuery {
    const SOURCE: Source = Source::Query;
    fn parse(raw: &[u8]) -> Result<Self, Refusal> {
        request::parse_changes_query(&String::from_utf8_lossy(raw))
    }
}

impl<T: DeviceInput + Send> FromRequest<AppState> for Authed<T> {
    type Rejection = Answer;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Answer> {
        let parsed = |raw: &[u8]| T::parse(raw).map_err(|e| refuse(&e));
        match T::SOURCE {
            Source::Query => {
                let input = parsed(req.uri().query().unwrap_or("").as_bytes())?;
                Ok(Authed(authenticate(state, req.headers())?, input))
            }
            Source::Body => {
                let headers = req.headers().clone();
                // axum's own reading of a body, its refusals included
                let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
                let device = authenticate(state, &headers)?;
                Ok(Authed(device, parsed(&body)?))
            }
            Source::BodyAfterToken(limit) => {
                let device = authenticate(state, req.headers())?;
                let body = read_body(req.into_body(), limit).await.map_err(|e| refuse(&e))?;
                Ok(Authed(device, parsed(&body)?))
            }
        }
    }
}

#[allow(clippy::result_large_err)] // the Err is the ready answer; this runs once per request
pub(crate) fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Device, Answer> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| refuse(&Refusal::new(401, "unauthorised", "missing bearer token")))?;
    state.db.lock().unwrap().device_by_token(token.trim()).map_err(|r| refuse(&r))
}

pub(crate) async fn read_body(body: Body, limit: usize) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, limit).await.map_err(|e| match too_large(&e) {
        true => Refusal::new(413, "too_large", format!("a push is at most {limit} bytes")),
        false => Refusal::new(400, "invalid", format!("body not read: {e}")),
    })
}

/// Whether reading a body failed on a length limit (somewhere in its chain of causes).
fn too_large(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = c.source();
    }
    false
}
