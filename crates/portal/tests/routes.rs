//! The device routes through the router (no socket), for what their one extractor (`extract::Authed`)
//! decides: the token checked before or after the input as each route always did (a pull's version
//! first, a body read before a lease's token and after a push's), and each refusal's status and code.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use motcua_core::sync::protocol::{EnrolRequest, PROTOCOL_VERSION};
use motcua_portal::db::PortalDb;
use motcua_portal::enrolment;
use motcua_portal::faults::Faults;
use motcua_portal::identity::PortalIdentity;
use motcua_portal::limits::{LimitConfig, Limits};
use motcua_portal::server::{router, AppState, ServerLimits};
use tower::ServiceExt;

struct Portal {
    app: axum::Router,
    db: Arc<Mutex<PortalDb>>,
    token: String,
    _dir: tempfile::TempDir,
}

fn portal() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let mut db = PortalDb::open(dir.path()).unwrap();
    let code = enrolment::issue(&mut db, "A", "Q01", 60).unwrap().code;
    let enrol = EnrolRequest {
        protocol: PROTOCOL_VERSION,
        enrolment_code: code,
        agency_code: "A".into(),
        counter_id: "Q01".into(),
        counter_name: "Quầy 1".into(),
        app_version: "t".into(),
        standing_blocks: vec![],
    };
    let token = db.enrol(&enrol).unwrap().token;
    let db = Arc::new(Mutex::new(db));
    let state = AppState {
        db: db.clone(),
        faults: Faults::new(None),
        limits: Limits::new(LimitConfig::default()),
        identity: Arc::new(PortalIdentity::load_or_create(dir.path()).unwrap()),
        blobs: Arc::new(motcua_portal::blobs::BlobConfig::at(dir.path(), None)),
    };
    Portal { app: router(state, &ServerLimits::default()), db, token, _dir: dir }
}

impl Portal {
    /// Status, error code (empty for an answer that is not a refusal) and the body.
    async fn call(&self, method: &str, uri: &str, token: Option<&str>, body: &str) -> (u16, String, serde_json::Value) {
        let mut req = Request::builder().method(method).uri(uri).header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let resp = self.app.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, json["code"].as_str().unwrap_or_default().to_string(), json)
    }
}

#[tokio::test]
async fn a_pull_checks_its_version_before_the_token_then_the_approval() {
    let p = portal();
    let t = Some(p.token.as_str());
    assert_eq!(p.call("GET", "/v1/changes?cursor=0", None, "").await.1, "protocol_version");
    let (status, code, body) = p.call("GET", "/v1/changes?protocol=1", None, "").await;
    assert_eq!((status, code.as_str(), body["message"].as_str()), (401, "unauthorised", Some("missing bearer token")));
    assert_eq!(p.call("GET", "/v1/changes?protocol=1", Some("not-a-token"), "").await.1, "unauthorised");
    assert_eq!(p.call("GET", "/v1/changes?protocol=1&cursor=x", t, "").await.1, "invalid");
    let (status, code, _) = p.call("GET", "/v1/changes?protocol=1", t, "").await;
    assert_eq!((status, code.as_str()), (403, "device_not_approved"));
    enrolment::approve(&mut p.db.lock().unwrap(), "A", "Q01").unwrap();
    let (status, _, body) = p.call("GET", "/v1/changes?protocol=1&limit=5", t, "").await;
    assert_eq!((status, body["more"].as_bool()), (200, Some(false)));
    // the anchor route reads the same query, version first
    assert_eq!(p.call("GET", "/v1/audit-anchor", None, "").await.1, "protocol_version");
    let (status, _, body) = p.call("GET", "/v1/audit-anchor?protocol=1", t, "").await;
    assert_eq!((status, body["refused"].is_null()), (200, true));
}

#[tokio::test]
async fn a_lease_and_a_push_check_the_token_before_parsing_their_body() {
    let p = portal();
    let t = Some(p.token.as_str());
    for path in ["/v1/leases", "/v1/events"] {
        let (status, code, _) = p.call("POST", path, None, "{").await;
        assert_eq!((status, code.as_str()), (401, "unauthorised"), "{path}");
        assert_eq!(p.call("POST", path, t, "{").await.1, "invalid_json", "{path}");
        let (status, code, body) = p.call("POST", path, t, r#"{"protocol": 9}"#).await;
        assert_eq!((status, code.as_str(), body["supported"].clone()), (400, "protocol_version", serde_json::json!([1])), "{path}");
        assert_eq!(p.call("POST", path, t, r#"{"protocol": 1}"#).await.1, "invalid", "{path}");
    }
    let (status, _, body) = p.call("POST", "/v1/events", t, r#"{"protocol":1,"device_id":"A/Q01","events":[]}"#).await;
    assert_eq!((status, body["held_through_seq"].as_i64()), (200, Some(0)));
    let (status, code, _) = p.call("POST", "/v1/events", t, r#"{"protocol":1,"device_id":"A/Q02","events":[]}"#).await;
    assert_eq!((status, code.as_str()), (401, "unauthorised"));
}
