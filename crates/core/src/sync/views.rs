//! What the clerk sees of the sync: the status badge, the conflicts to settle, and where one dossier
//! stands with the portal.

use super::*;

/// What the status bar and the sync panel show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub enrolled: bool,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal_url: Option<String>,
    /// The last round reached the portal.
    pub online: bool,
    /// Events waiting to be sent.
    #[ts(type = "number")]
    pub waiting: i64,
    /// Events the portal refused for good, parked for the clerk.
    #[ts(type = "number")]
    pub parked: i64,
    /// Steps that lost a conflict, waiting for a person.
    #[ts(type = "number")]
    pub conflicts: i64,
    /// Changes from the portal that could not be applied yet (retried every round).
    #[ts(type = "number")]
    pub failed_changes: i64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<String>,
    /// The last failure, in words a clerk understands (cleared by a successful round).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Official numbers this counter may still issue today (leased or standing blocks).
    #[ts(type = "number")]
    pub numbers_left_today: i64,
    /// Portal time minus this machine's time at the last sync, in minutes.
    #[ts(type = "number")]
    pub clock_offset_minutes: i64,
    /// What the status bar's badge shows (its state, words and tooltip), decided here.
    pub badge: SyncBadge,
    /// This machine's clock is off by `CLOCK_WARNING_MINUTES` or more: appointments and codes may be wrong.
    pub clock_warning: bool,
    /// Dossiers whose code the portal re-issued: their receipt must be printed again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<codes::ReprintItem>>", optional)]
    pub reprints: Vec<codes::ReprintItem>,
    /// Enrolled, but the portal's admin has not approved this machine yet: its own dossiers go up,
    /// nothing of the agency comes down ("chờ phê duyệt").
    pub approval_pending: bool,
    /// The portal refused this counter's audit head as a rewritten history (the reason): the audit
    /// log on this PC no longer extends what the portal holds. Run `audit verify --portal`.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_anchor_refused: Option<String>,
}

/// The status bar's sync badge.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SyncBadge {
    /// True when the portal answered at the last round (drawn green), else false (drawn as offline).
    pub online: bool,
    pub text: String,
    pub title: String,
}

impl SyncStatus {
    fn make_badge(&self) -> SyncBadge {
        let off = |text: String, title: String| SyncBadge { online: false, text, title };
        if !self.enrolled {
            return off(
                "● Chưa kết nối cổng — lưu trên máy".into(),
                "Máy chưa đăng ký với Cổng dịch vụ công: mọi hồ sơ được lưu trên máy (F9 để đăng ký).".into(),
            );
        }
        let last = match self.last_success_at.as_deref().and_then(crate::clock::parse_local) {
            Some(t) => format!("lần cuối {}", crate::dates::format_datetime(t)),
            None => "chưa đồng bộ lần nào".into(),
        };
        if self.online && self.approval_pending {
            return SyncBadge {
                online: true,
                text: "● Trực tuyến — chờ phê duyệt".into(),
                title: "Máy đã đăng ký, đang chờ quản trị Cổng dịch vụ công phê duyệt: hồ sơ của quầy vẫn được gửi lên, nhưng chưa nhận hồ sơ của quầy khác.".into(),
            };
        }
        if self.online {
            return SyncBadge {
                online: true,
                text: if self.waiting > 0 { format!("● Trực tuyến — {} chờ gửi", self.waiting) } else { "● Trực tuyến — đã đồng bộ".into() },
                title: format!("Đồng bộ với {}, {last}.", self.portal_url.as_deref().unwrap_or("")),
            };
        }
        off(
            format!("● Mất kết nối — {} chờ gửi", self.waiting),
            format!(
                "{} Hồ sơ vẫn được lưu trên máy và tự gửi khi có mạng ({last}).",
                self.last_error.as_deref().unwrap_or("Chưa kết nối được cổng.")
            ),
        )
    }
}

/// A clock this many minutes off the portal's is shown as a warning.
pub const CLOCK_WARNING_MINUTES: i64 = 5;

/// A step that lost a conflict: kept in the history, not applied.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConflictItem {
    pub event_uid: String,
    pub dossier_code: String,
    /// The step that lost (event kind) and who made it.
    pub kind: String,
    pub kind_label: String,
    pub counter_id: String,
    /// Who made the step, in words ("Quầy Q1", "Cổng / phòng chuyên môn").
    pub by_label: String,
    pub at: String,
    /// The dossier's status as decided by the portal's order.
    pub status_label: String,
    pub noted_at: String,
}

/// Where one dossier stands with the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// Not enrolled with a portal: nothing to send to.
    Local,
    Waiting,
    Sent,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DossierSync {
    pub state: SyncState,
    pub label: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub fn status(store: &Store) -> Result<SyncStatus> {
    let c = store.conn();
    let waiting: i64 = c.query_row("SELECT COUNT(*) FROM outbox WHERE parked_code IS NULL", [], |r| r.get(0))?;
    let parked: i64 = c.query_row("SELECT COUNT(*) FROM outbox WHERE parked_code IS NOT NULL", [], |r| r.get(0))?;
    let conflicts: i64 = c.query_row("SELECT COUNT(*) FROM sync_conflicts WHERE settled_at IS NULL", [], |r| r.get(0))?;
    let failed_changes: i64 = c.query_row("SELECT COUNT(*) FROM sync_failed", [], |r| r.get(0))?;
    let numbers_left_today = numbers_left(store, store.clock().now().date())?;
    let row = c
        .query_row(
            "SELECT portal_url, online, last_success_at, last_attempt_at, last_error, clock_offset_ms, anchor_refused FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)? == 1,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?;
    let mut status = match row {
        None => SyncStatus {
            enrolled: false,
            portal_url: None,
            online: false,
            waiting,
            parked,
            conflicts,
            failed_changes,
            last_success_at: None,
            last_attempt_at: None,
            last_error: None,
            numbers_left_today,
            clock_offset_minutes: 0,
            clock_warning: false,
            badge: SyncBadge { online: false, text: String::new(), title: String::new() },
            reprints: codes::reprints(store)?,
            approval_pending: false,
            audit_anchor_refused: None,
        },
        Some((url, online, ok_at, at, err, offset, refused)) => SyncStatus {
            enrolled: true,
            portal_url: Some(url),
            online,
            waiting,
            parked,
            conflicts,
            failed_changes,
            last_success_at: ok_at,
            last_attempt_at: at,
            last_error: err,
            numbers_left_today,
            clock_offset_minutes: offset / 60_000,
            clock_warning: (offset / 60_000).abs() >= CLOCK_WARNING_MINUTES,
            badge: SyncBadge { online: false, text: String::new(), title: String::new() },
            reprints: codes::reprints(store)?,
            approval_pending: identity::approval_pending(store)?,
            audit_anchor_refused: refused,
        },
    };
    status.badge = status.make_badge();
    Ok(status)
}

pub fn conflicts(store: &Store) -> Result<Vec<ConflictItem>> {
    store.require(crate::accounts::Right::Read)?;
    let mut st = store.conn().prepare(
        "SELECT e.uid, d.code, e.kind, e.counter_id, e.at, d.status, s.noted_at
         FROM sync_conflicts s JOIN events e ON e.id = s.event_id JOIN dossiers d ON d.id = s.dossier_id
         WHERE s.settled_at IS NULL ORDER BY s.event_id",
    )?;
    let rows = st.query_map([], |r| {
        let uid: [u8; 16] = r.get(0)?;
        let status: String = r.get(5)?;
        let (kind, counter_id): (String, String) = (r.get(2)?, r.get(3)?);
        Ok(ConflictItem {
            event_uid: uuid::Uuid::from_bytes(uid).to_string(),
            dossier_code: r.get(1)?,
            kind_label: crate::dossier::EventKind::label_of(&kind).into(),
            kind,
            by_label: if counter_id == protocol::BACK_OFFICE { "Cổng / phòng chuyên môn".into() } else { format!("Quầy {counter_id}") },
            counter_id,
            at: r.get(4)?,
            status_label: crate::dossier::DossierStatus::parse(&status).map(|s| s.label().to_string()).unwrap_or(status),
            noted_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A person looked at a conflict and settled it (by a correcting step where one was needed).
pub fn settle_conflict(store: &mut Store, event_uid: &str) -> Result<()> {
    store.require(crate::accounts::Right::Correct)?;
    let uid = parse_uid(event_uid)?;
    let (at, actor) = (store.clock().now(), store.actor());
    let now = to_rfc3339(at);
    let tx = store.write_tx()?;
    let n = tx.execute(
        "UPDATE sync_conflicts SET settled_at = ?2 WHERE settled_at IS NULL AND event_id = (SELECT id FROM events WHERE uid = ?1)",
        params![uid.as_bytes().as_slice(), now],
    )?;
    if n == 0 {
        return Err(CoreError::NotFound(format!("Không có xung đột đang chờ xử lý cho bước {event_uid}")));
    }
    crate::audit::record(&tx, at, &actor, "sync.settle_conflict", event_uid, &serde_json::Value::Null)?;
    tx.commit()?;
    Ok(())
}

/// Where one dossier stands with the portal (shown in its view and in search results).
pub fn dossier_sync(store: &Store, code: &str) -> Result<DossierSync> {
    let (id, _) = store.dossier_with_id(code)?;
    let enrolled = enrolment(store)?.is_some();
    let (waiting, reason): (i64, Option<String>) = store.conn().query_row(
        "SELECT COUNT(*), MAX(o.parked_reason) FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.dossier_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(match (reason, waiting) {
        (Some(reason), _) => DossierSync { state: SyncState::Rejected, label: "Cổng từ chối".into(), reason: Some(reason) },
        (None, 0) if enrolled => DossierSync { state: SyncState::Sent, label: "Đã gửi lên cổng".into(), reason: None },
        (None, _) if enrolled => DossierSync { state: SyncState::Waiting, label: "Chờ gửi lên cổng".into(), reason: None },
        _ => DossierSync { state: SyncState::Local, label: "Chưa kết nối cổng".into(), reason: None },
    })
}
