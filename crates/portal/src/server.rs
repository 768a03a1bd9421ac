//! The HTTP side of the reference portal: the protocol's routes (axum), the version and token
//! checks, and an accept loop of our own so the fault switches (`faults`) can act on the connection
//! itself: refuse it, answer late, answer 5xx, drop it after the commit, or write the answer twice.
//!
//! It protects itself from the network (issue 12, finding 2): an accept error (out of file
//! descriptors) is logged and survived; at most `max_connections` connections are served at once
//! (the rest wait in the kernel's queue); headers must arrive within `header_timeout` (idle
//! keep-alive connections are closed after it too) and a whole request within `request_timeout`;
//! each route has a body limit, refused by Content-Length before the body is read (`request`), and
//! the large one of a push applies only once the device token is known.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use motcua_core::sync::protocol::*;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::db::{PortalDb, Refusal};
use crate::extract::Authed;
use crate::faults::Faults;
use crate::request::{self, ChangesQuery, PUSH_BODY, SMALL_BODY};

/// How the server protects itself; flags of `motcua-portal` (tests make the timeouts short).
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// A request's headers must arrive within this (slowloris); an idle keep-alive connection is
    /// closed after it.
    pub header_timeout: Duration,
    /// A whole request, body included, must be read and answered within this.
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits { header_timeout: Duration::from_secs(10), request_timeout: Duration::from_secs(120), max_connections: 512 }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Mutex<PortalDb>>,
    pub faults: Faults,
    /// Rate limits and lockouts on enrolment and failed token checks.
    pub limits: crate::limits::Limits,
    /// The key counters pinned: signs their identity challenges.
    pub identity: Arc<crate::identity::PortalIdentity>,
    /// Where document files live, and each agency's quota.
    pub blobs: Arc<crate::blobs::BlobConfig>,
}

/// Marks a response whose connection must be closed without sending it (drop_after_commit).
#[derive(Clone, Copy)]
struct DropConnection;

pub(crate) type Answer = Response<Body>;

pub(crate) fn refuse(r: &Refusal) -> Answer {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(r.body())).into_response_body()
}

trait IntoAnswer {
    fn into_response_body(self) -> Answer;
}
impl<T: axum::response::IntoResponse> IntoAnswer for T {
    fn into_response_body(self) -> Answer {
        self.into_response()
    }
}

#[allow(clippy::result_large_err)] // the Err is the ready answer; these run once per request
fn parsed<T>(r: Result<T, Refusal>) -> Result<T, Answer> {
    r.map_err(|e| refuse(&e))
}

fn committed(state: &AppState, mut resp: Answer) -> Answer {
    if state.faults.read().drop_after_commit {
        resp.extensions_mut().insert(DropConnection);
    }
    resp
}

/// The answer to a read: its JSON, or the refusal.
fn reply<T: serde::Serialize>(result: Result<T, Refusal>) -> Answer {
    match result {
        Ok(r) => Json(r).into_response_body(),
        Err(e) => refuse(&e),
    }
}

/// The answer to a write: its JSON (which the fault switch may drop after the commit), or the refusal.
fn reply_committed<T: serde::Serialize>(state: &AppState, result: Result<T, Refusal>) -> Answer {
    match result {
        Ok(r) => committed(state, Json(r).into_response_body()),
        Err(e) => refuse(&e),
    }
}

async fn enrol(State(state): State<AppState>, body: axum::body::Bytes) -> Answer {
    let req: EnrolRequest = match parsed(request::parse_enrol(&body)) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let result = state.db.lock().unwrap().enrol(&req);
    if let Err(e) = &result {
        if e.code == "enrolment_refused" {
            // guessing the code costs time
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
    reply_committed(&state, result)
}

/// A push: the token is checked before the body is read, so only an enrolled device gets the large
/// body limit (`Source::BodyAfterToken`).
async fn events(State(state): State<AppState>, Authed(device, req): Authed<PushRequest>) -> Answer {
    let result = state.db.lock().unwrap().push(&device, &req);
    reply_committed(&state, result)
}

async fn changes(State(state): State<AppState>, Authed(device, q): Authed<ChangesQuery>) -> Answer {
    // a new device pushes its own work, but gets nothing of the agency until the admin approves it
    let approved = crate::enrolment::is_approved(&state.db.lock().unwrap(), &device.device_id);
    match approved {
        Ok(true) => {}
        Ok(false) => {
            return refuse(&Refusal::new(
                403,
                "device_not_approved",
                format!("Máy {} đã đăng ký nhưng quản trị Cổng dịch vụ công chưa phê duyệt (motcua-portal device approve): chưa nhận được dữ liệu của đơn vị", device.device_id),
            ))
        }
        Err(e) => return refuse(&e),
    }
    let result = state.db.lock().unwrap().changes(&device, q.cursor, q.limit.unwrap_or(500), q.own == 1);
    reply(result)
}

/// Takes the pull's query (its version is checked), though it needs none of it.
async fn audit_anchor(State(state): State<AppState>, Authed(device, _): Authed<ChangesQuery>) -> Answer {
    let result = state.db.lock().unwrap().audit_anchor(&device);
    reply(result)
}

/// The published administrative map, when the counter holds another version (issue 15).
async fn units(State(state): State<AppState>, Authed(_device, q): Authed<ChangesQuery>) -> Answer {
    let result = state.db.lock().unwrap().units_for(q.have.as_deref());
    reply(result)
}

/// A counter's diagnostics bundle ("Gửi chẩn đoán"), kept for the IT officer.
async fn diagnostics(State(state): State<AppState>, Authed(device, req): Authed<motcua_core::sync::protocol::DiagnosticsRequest>) -> Answer {
    let result = crate::diagnostics::store(&mut state.db.lock().unwrap(), &device, &req, &crate::db::now_text());
    reply(result)
}

async fn leases(State(state): State<AppState>, Authed(device, req): Authed<LeaseRequest>) -> Answer {
    let result = state.db.lock().unwrap().lease(&device, &req);
    reply_committed(&state, result)
}

/// A counter's identity challenge, signed with the portal's key (no token: nothing secret is asked).
async fn identity(State(state): State<AppState>, body: axum::body::Bytes) -> Answer {
    let req: IdentityRequest = match parsed(request::parse(&body)) {
        Ok(r) => r,
        Err(a) => return a,
    };
    let id = state.db.lock().unwrap().meta("portal_id").ok().flatten().unwrap_or_default();
    reply(state.identity.answer(&id, &req))
}

/// The citizen's lookup by any code printed for the dossier (no token: it says nothing personal).
async fn lookup(State(state): State<AppState>, axum::extract::Path(code): axum::extract::Path<String>) -> Answer {
    let result = state.db.lock().unwrap().lookup(&code);
    reply(result)
}

async fn health(State(state): State<AppState>) -> Answer {
    let id = state.db.lock().unwrap().meta("portal_id").ok().flatten().unwrap_or_default();
    Json(serde_json::json!({ "protocol": PROTOCOL_VERSION, "portal_id": id, "server_time": crate::db::now_ms() })).into_response_body()
}

/// Delay and 5xx switches, before any route runs.
async fn fault_layer(State(state): State<AppState>, req: Request<Body>, next: axum::middleware::Next) -> Answer {
    let f = state.faults.read();
    if f.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(f.delay_ms)).await;
    }
    if f.status_5xx {
        return refuse(&Refusal::new(503, "unavailable", "Cổng dịch vụ công tạm thời không phục vụ (lỗi giả lập để kiểm thử)"));
    }
    next.run(req).await
}

/// The routes, each with its body limit (refused with 413 by Content-Length before the body is read,
/// or as soon as a chunked body passes it), and the whole-request timeout (408).
pub fn router(state: AppState, limits: &ServerLimits) -> Router {
    let small = || RequestBodyLimitLayer::new(SMALL_BODY);
    Router::new()
        .route("/v1/health", get(health).layer(small()))
        .route("/v1/lookup/{code}", get(lookup).layer(small()))
        .route("/v1/enrol", post(enrol).layer(small()))
        // the push reads its body itself, after the token check, up to PUSH_BODY
        .route("/v1/events", post(events).layer(RequestBodyLimitLayer::new(PUSH_BODY)))
        .route("/v1/changes", get(changes).layer(small()))
        .route("/v1/leases", post(leases).layer(small()))
        .route("/v1/audit-anchor", get(audit_anchor).layer(small()))
        .route("/v1/units", get(units).layer(small()))
        .route("/v1/identity", post(identity).layer(small()))
        .route("/v1/diagnostics", post(diagnostics).layer(RequestBodyLimitLayer::new(crate::diagnostics::BODY_LIMIT)))
        // a chunk's body is read by the route itself, after the token check, up to BLOB_CHUNK
        .route("/v1/blobs/{sha}", axum::routing::put(crate::blobs::put).get(crate::blobs::get).layer(RequestBodyLimitLayer::new(BLOB_CHUNK + 1024)))
        .route("/v1/blobs/{sha}/status", get(crate::blobs::get_status).layer(small()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), fault_layer))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::limits::layer))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
        .with_state(state)
}

#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped after commit (fault switch)")
    }
}
impl std::error::Error for Dropped {}

/// Serves until the process ends. One task per connection, at most `max_connections` at once.
pub async fn serve(listener: TcpListener, state: AppState, limits: ServerLimits) -> std::io::Result<()> {
    let app = router(state.clone(), &limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut accept_errors = AcceptErrors::default();
    loop {
        // at the cap, stop accepting: further connections wait in the kernel's listen queue
        let slot = slots.clone().acquire_owned().await.expect("the semaphore is never closed");
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                accept_errors.survive(&e).await;
                continue;
            }
        };
        let faults = state.faults.read();
        if faults.refuse {
            #[allow(deprecated)] // zero linger: the drop sends a reset at once and never blocks
            let _ = stream.set_linger(Some(std::time::Duration::ZERO));
            drop(stream); // reset: the client sees the connection refused/reset
            continue;
        }
        let app = app.clone();
        tokio::spawn(async move {
            let _slot = slot; // freed when the connection ends
            let io = TokioIo::new(Twice::new(stream, faults.answer_twice));
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let app = app.clone();
                async move {
                    let mut req = req.map(Body::new);
                    req.extensions_mut().insert(crate::limits::Peer(peer.ip()));
                    let resp = app.oneshot(req).await.unwrap_or_else(|e| match e {});
                    if resp.extensions().get::<DropConnection>().is_some() {
                        return Err(Dropped);
                    }
                    Ok(resp)
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.keep_alive(!faults.answer_twice).timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
            let _ = builder.serve_connection(io, svc).await;
        });
    }
}

/// What an accept error does: never end the server. Out of file descriptors (EMFILE, ENFILE) or
/// memory, it waits a little so connections can close, instead of spinning; logged at most once a
/// second.
#[derive(Default)]
struct AcceptErrors {
    last_logged: Option<Instant>,
    since_logged: u64,
}

impl AcceptErrors {
    async fn survive(&mut self, e: &std::io::Error) {
        use std::io::ErrorKind::*;
        self.since_logged += 1;
        if self.last_logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            tracing::warn!("portal: accept failed ({e}; {} time(s) since the last note); still serving", self.since_logged);
            self.last_logged = Some(Instant::now());
            self.since_logged = 0;
        }
        // a connection that went away before it was accepted: just take the next one
        if !matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A socket that, when `answer_twice` is on, writes everything it sent once more before closing.
struct Twice {
    inner: tokio::net::TcpStream,
    on: bool,
    sent: Vec<u8>,
    replayed: usize,
}

impl Twice {
    fn new(inner: tokio::net::TcpStream, on: bool) -> Self {
        Twice { inner, on, sent: Vec::new(), replayed: 0 }
    }
}

impl AsyncRead for Twice {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Twice {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let (true, Poll::Ready(Ok(n))) = (this.on, &r) {
            this.sent.extend_from_slice(&buf[..*n]);
        }
        r
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        while this.on && this.replayed < this.sent.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &this.sent[this.replayed..]) {
                Poll::Ready(Ok(0)) => break,
                Poll::Ready(Ok(n)) => this.replayed += n,
                Poll::Ready(Err(_)) => break,
                Poll::Pending => return Poll::Pending,
            }
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
