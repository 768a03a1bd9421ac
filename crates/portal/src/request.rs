//! Reading what a client sends, before anything touches the database: the body limits of each route,
//! the protocol version (checked first, refused clearly), the typed body, and the query of the pull.
//! The routes (`server`) and the fuzz target `portal_request` go through these same functions; the
//! fields of each pushed event are then checked by `motcua_core::sync::pulled::validate_pulled_event`
//! in `db::store_event`.

use motcua_core::sync::protocol::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::db::Refusal;

/// Body limit of the routes anyone can reach (enrolment) and of the small authenticated ones (leases,
/// and the GET routes, which have no body): an enrolment is a few hundred bytes.
pub const SMALL_BODY: usize = 16 * 1024;
/// Body limit of a push, read only once the device token is known: a batch of `MAX_BATCH` intakes
/// with long checklists is a few MB.
pub const PUSH_BODY: usize = 64 * 1024 * 1024;

/// Only the version, read without building the rest of the body in memory.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    protocol: Option<serde_json::Value>,
}

/// Reads a JSON body: the protocol version first (refused clearly when unknown), then the type.
/// Parses straight into the type: no intermediate JSON tree of the whole body.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    let probe: VersionProbe = serde_json::from_slice(bytes).map_err(|e| Refusal::new(400, "invalid_json", e.to_string()))?;
    check_version(&serde_json::json!({ "protocol": probe.protocol })).map_err(|b| Refusal { status: 400, code: b.code, message: b.message })?;
    serde_json::from_slice(bytes).map_err(|e| Refusal::new(400, "invalid", e.to_string()))
}

pub fn parse_enrol(bytes: &[u8]) -> Result<EnrolRequest, Refusal> {
    parse(bytes)
}

pub fn parse_lease(bytes: &[u8]) -> Result<LeaseRequest, Refusal> {
    parse(bytes)
}

/// A push: its size in events is checked here, each event's fields when it is stored.
pub fn parse_push(bytes: &[u8]) -> Result<PushRequest, Refusal> {
    let req: PushRequest = parse(bytes)?;
    if req.events.len() > MAX_BATCH {
        return Err(Refusal::new(413, "batch_too_large", format!("at most {MAX_BATCH} events per push")));
    }
    Ok(req)
}

/// The query of `GET /v1/changes` and `GET /v1/audit-anchor`.
#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    pub protocol: Option<u32>,
    #[serde(default)]
    pub cursor: i64,
    pub limit: Option<u32>,
    #[serde(default)]
    pub own: u8,
    /// `GET /v1/units`: the version of the map the counter holds.
    #[serde(default)]
    pub have: Option<String>,
    /// `PUT /v1/blobs/{sha}`: where this chunk starts, and the whole file's size.
    #[serde(default)]
    pub offset: Option<u64>,
    #[serde(default)]
    pub total: Option<u64>,
}

pub fn parse_changes_query(query: &str) -> Result<ChangesQuery, Refusal> {
    let q: ChangesQuery = query_of(query)?;
    check_version(&serde_json::json!({ "protocol": q.protocol })).map_err(|b| Refusal { status: 400, code: b.code, message: b.message })?;
    Ok(q)
}

fn query_of(query: &str) -> Result<ChangesQuery, Refusal> {
    let uri: axum::http::Uri = format!("/?{query}").parse().map_err(|_| Refusal::new(400, "invalid", "the query is not a valid URI query"))?;
    axum::extract::Query::<ChangesQuery>::try_from_uri(&uri).map(|q| q.0).map_err(|e| Refusal::new(400, "invalid", e.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_comes_first_and_bad_bodies_are_refused_in_words() {
        assert_eq!(parse_enrol(b"{").unwrap_err().code, "invalid_json");
        assert_eq!(parse_enrol(br#"{"protocol": 9}"#).unwrap_err().code, "protocol_version");
        assert_eq!(parse_enrol(br#"{"agency_code": "x"}"#).unwrap_err().code, "protocol_version");
        assert_eq!(parse_enrol(br#"{"protocol": 1}"#).unwrap_err().code, "invalid");
        let ok = parse_enrol(br#"{"protocol":1,"enrolment_code":"c","agency_code":"A","counter_id":"Q1","counter_name":"n","app_version":"1"}"#);
        assert_eq!(ok.unwrap().counter_id, "Q1");
        assert_eq!(parse_changes_query("protocol=1&cursor=5").unwrap().cursor, 5);
        assert_eq!(parse_changes_query("cursor=5").unwrap_err().code, "protocol_version");
        assert_eq!(parse_changes_query("protocol=1&cursor=x").unwrap_err().code, "invalid");
    }

    #[test]
    fn a_push_of_more_than_a_batch_is_refused() {
        let ev = r#"{"uid":"u","counter_id":"Q","seq":1,"dossier_uid":"d","dossier_code":"c","kind":"k","at":"t","clerk_id":"c","payload":null}"#;
        let body = format!(r#"{{"protocol":1,"device_id":"d","events":[{}]}}"#, vec![ev; MAX_BATCH + 1].join(","));
        assert_eq!(parse_push(body.as_bytes()).unwrap_err().code, "batch_too_large");
    }
}
