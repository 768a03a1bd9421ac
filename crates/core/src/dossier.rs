//! The dossier (hồ sơ) and its event history. History is append-only: every change is an `Event`, and
//! a dossier's status is `fold_status` over its events, never edited in place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{DocumentForm, TimeLimit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IdType {
    /// Căn cước / căn cước công dân: 12 digits, the first 3 a province code.
    Cccd,
    Passport,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Applicant {
    pub full_name: String,
    pub id_type: IdType,
    pub id_number: String,
    /// `YYYY-MM-DD`
    pub date_of_birth: String,
    pub phone: String,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub email: Option<String>,
}

/// How the dossier came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    #[default]
    Counter,
    Postal,
    Online,
}

/// Where the result goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Delivery {
    #[default]
    Counter,
    Post { address: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceivedDocument {
    pub id: String,
    pub name: String,
    pub form: DocumentForm,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DossierStatus {
    /// Đã tiếp nhận
    Received,
}

impl DossierStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DossierStatus::Received => "received",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DossierStatus::Received => "Đã tiếp nhận",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "received" => Some(DossierStatus::Received),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dossier {
    pub uid: String,
    /// The code printed on every form: official, or provisional until the portal maps it.
    pub code: String,
    pub provisional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provisional_code: Option<String>,
    pub agency_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant: Applicant,
    pub documents: Vec<ReceivedDocument>,
    /// Fee collected, in đồng.
    #[ts(type = "number")]
    pub fee: i64,
    pub channel: Channel,
    pub delivery: Delivery,
    /// RFC 3339, Vietnam time.
    pub received_at: String,
    /// The appointment (ngày hẹn trả kết quả), RFC 3339.
    pub due_at: String,
    pub time_limit: TimeLimit,
    pub clerk_id: String,
    pub clerk_name: String,
    pub counter_id: String,
    pub status: DossierStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

/// What happened to a dossier. Stored as `kind` + JSON payload in the `events` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum EventKind {
    /// Tiếp nhận: the dossier as taken in.
    Received { dossier: Box<Dossier> },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Received { .. } => "received",
        }
    }
}

/// One entry of the append-only history, as shown and as synced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Event {
    pub uid: String,
    pub counter_id: String,
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub clerk_id: String,
    pub kind: String,
}

/// The status after a sequence of events (None before the first).
pub fn fold_status<'a>(events: impl IntoIterator<Item = &'a EventKind>) -> Option<DossierStatus> {
    events.into_iter().fold(None, |_, e| match e {
        EventKind::Received { .. } => Some(DossierStatus::Received),
    })
}
