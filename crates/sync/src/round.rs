//! One sync round, the same from the CLI (`motcua sync`) and the background task: top up today's
//! official numbers, push the outbox oldest first in batches of at most 500, then pull the portal's
//! changes from the stored cursor. Each step commits before the next request, so a round cut off
//! anywhere resumes from the database.

use motcua_core::sync::protocol::*;
use motcua_core::sync::{self, identity, PullOutcome, PushOutcome};
use motcua_core::Store;
use serde::Serialize;

use crate::{PortalClient, SyncError};

#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundReport {
    pub pushed: PushOutcome,
    pub pulled: PullOutcome,
    pub batches: u32,
    /// Numbers leased this round for today, as `first..=last`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leased: Option<(u32, u32)>,
    /// Numbers leased ahead for the next working days, as (day, first, last).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leased_ahead: Vec<(String, u32, u32)>,
    /// A lease the portal refused (the round goes on: provisional codes cover it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_error: Option<String>,
    pub held_through_seq: i64,
    /// The portal withholds the agency's changes until its admin approves this machine.
    pub approval_pending: bool,
    /// The administrative map's version taken from the portal this round (issue 15).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// Document files sent this round (issue 16).
    pub blobs: crate::blobs::BlobReport,
}

/// Enrols this counter with a portal and keeps the credential. The admin's right is checked before
/// any network call; then the portal proves it holds its key (the key is pinned with the credential),
/// and only then is the enrolment code sent.
pub async fn enrol(store: &mut Store, portal_url: &str, code: &str) -> Result<EnrolResponse, SyncError> {
    let (req, check) = identity::enrol_request(store, code)?;
    let client = PortalClient::new(portal_url, None)?;
    let verified = match prove(&client, &check).await {
        Ok(v) => Some(v),
        // a portal from before identity keys: enrol, and pin its key later if it ever has one
        Err(SyncError::Portal { status: 404 | 405, .. }) => None,
        Err(e) => return Err(e),
    };
    let resp = client.enrol(&req).await?;
    sync::save_enrolment_verified(store, client.base(), &resp, verified.as_ref())?;
    Ok(resp)
}

/// "Gửi chẩn đoán": this counter's diagnostics bundle (recent log, crash records; nothing personal) to
/// the portal or hub it is enrolled with. Returns the portal's number for it.
pub async fn send_diagnostics(store: &Store) -> Result<i64, SyncError> {
    let bundle = motcua_core::diagnostics::collect(store)?;
    let e = sync::enrolment(store)?.ok_or(SyncError::NotEnrolled)?;
    let client = PortalClient::new(&e.portal_url, Some(&e.token))?;
    let req = motcua_core::sync::protocol::DiagnosticsRequest { protocol: PROTOCOL_VERSION, bundle };
    Ok(client.diagnostics(&req).await?.id)
}

/// Sends the challenge and checks the answer (nothing else goes to the server before this passes).
async fn prove(client: &PortalClient, check: &identity::IdentityCheck) -> Result<identity::VerifiedPortal, SyncError> {
    let answer = client.identity(&IdentityRequest { protocol: PROTOCOL_VERSION, counter: check.counter.clone(), challenge: check.challenge.clone() }).await?;
    Ok(check.verify(client.base(), &answer)?)
}

/// Runs one round and records its outcome (online, last success, last error in words) in the store.
/// `portal_url` overrides (and replaces) the stored address, e.g. to switch to the office hub: an
/// admin's step, and only to a server that proves it is the enrolled portal (its pinned key).
pub async fn run_round(store: &mut Store, portal_url: Option<&str>) -> Result<RoundReport, SyncError> {
    store.refresh_if_stale()?;
    // rights first: nothing goes on the network for a person who may not do this
    let plan = identity::plan_round(store, portal_url)?.ok_or(SyncError::NotEnrolled)?;
    let mut first_use = None;
    if let Some(check) = &plan.check {
        let probe = PortalClient::new(&plan.url, None)?;
        match prove(&probe, check).await {
            Ok(v) if plan.switching => identity::switch_portal_url(store, &v)?,
            Ok(v) => first_use = Some(v),
            Err(e) if plan.switching => return Err(e),
            // the saved address, no key pinned yet: a portal without a key is still served as before
            Err(SyncError::Portal { status: 404 | 405, .. }) => {}
            Err(e) => {
                sync::record_round(store, Some(&e.to_string()))?;
                return Err(e);
            }
        }
    }
    let client = PortalClient::new(&plan.url, Some(&plan.enrolment.token))?;
    let result = round(store, &client, &plan.enrolment.device_id).await;
    let message = result.as_ref().err().map(|e| e.to_string());
    sync::record_round(store, message.as_deref())?;
    // the portal that took our token at the saved address proved itself: pin its key (trust on first use)
    if let (Ok(_), Some(v)) = (&result, &first_use) {
        identity::pin_key(store, v)?;
    }
    result
}

/// Leases numbers for each planned day; a portal's refusal is reported, not fatal to the round.
async fn lease_days(
    store: &mut Store,
    client: &PortalClient,
    plan: Vec<(chrono::NaiveDate, u32)>,
    today: chrono::NaiveDate,
    report: &mut RoundReport,
) -> Result<(), SyncError> {
    for (day, want) in plan {
        let req = LeaseRequest { protocol: PROTOCOL_VERSION, day: day.format("%Y-%m-%d").to_string(), want };
        match client.lease(&req).await {
            Ok(lease) => {
                sync::add_lease(store, &lease)?;
                if day == today {
                    report.leased = Some((lease.first, lease.last));
                } else {
                    report.leased_ahead.push((lease.day.clone(), lease.first, lease.last));
                }
            }
            Err(e @ SyncError::Portal { .. }) => report.lease_error = Some(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn round(store: &mut Store, client: &PortalClient, device_id: &str) -> Result<RoundReport, SyncError> {
    let mut report = RoundReport::default();
    // 1. numbers for today, before anything else: the next citizen gets an official code
    let today = store.clock().now().date();
    sync::codes::expire_leases(store)?;
    let (now, ahead): (Vec<_>, Vec<_>) = sync::codes::lease_plan(store)?.into_iter().partition(|(day, _)| *day == today);
    lease_days(store, client, now, today, &mut report).await?;
    // 2. push: oldest first; each answer is recorded before the next batch is read
    push_all(store, client, device_id, &mut report).await?;
    // 2b. numbers for the next working days, so an outage that starts before tomorrow's first sync
    //     still gives official codes (docs/dossier-codes.md); after the push: less urgent than the data
    lease_days(store, client, ahead, today, &mut report).await?;
    // 3. pull from the stored cursor (what could not be applied before is tried again first)
    sync::retry_failed_changes(store)?;
    let own = sync::recovering_own(store)?;
    loop {
        let page = match client.changes(sync::cursor(store)?, 500, own).await {
            // enrolled, not approved yet by the portal's admin: our pushes went up, nothing comes down
            Err(SyncError::Portal { status: 403, code, .. }) if code == "device_not_approved" => {
                identity::record_approval(store, true)?;
                report.approval_pending = true;
                break;
            }
            other => other?,
        };
        identity::record_approval(store, false)?;
        let out = sync::apply_changes(store, &page)?;
        let p = &mut report.pulled;
        p.events += out.events;
        p.already_held += out.already_held;
        p.conflicts += out.conflicts;
        p.catalogs += out.catalogs;
        p.calendars += out.calendars;
        p.online_dossiers += out.online_dossiers;
        p.skipped += out.skipped;
        if !page.more {
            if own {
                sync::finish_recovery(store)?;
            }
            break;
        }
    }
    // 4. dossiers submitted online were just taken in here: their intake goes up in the same round
    if report.pulled.online_dossiers > 0 {
        push_all(store, client, device_id, &mut report).await?;
    }
    // 5. the administrative map, when the portal publishes another (a portal without the route, or a
    //    bad file, changes nothing and never fails the round)
    units_update(store, client, &mut report).await;
    // 6. document files: after the events, within a budget, new events pushed between two files
    report.blobs = crate::blobs::upload(store, client, blob_budget(), Some(device_id)).await?;
    Ok(report)
}

/// The time a round gives to files (`MOTCUA_BLOB_BUDGET_MS` for tests and slow lines).
fn blob_budget() -> std::time::Duration {
    std::env::var("MOTCUA_BLOB_BUDGET_MS").ok().and_then(|v| v.parse().ok()).map(std::time::Duration::from_millis).unwrap_or(crate::blobs::ROUND_BUDGET)
}

/// Pushes whatever the outbox holds (events taken in while files were being sent).
pub(crate) async fn push_pending(store: &mut Store, client: &PortalClient, device_id: &str) -> Result<(), SyncError> {
    let mut scratch = RoundReport::default();
    push_all(store, client, device_id, &mut scratch).await
}

async fn units_update(store: &Store, client: &PortalClient, report: &mut RoundReport) {
    let dir = store.data_dir().to_path_buf();
    let have = motcua_core::units::for_data_dir(&dir).data().version.clone();
    match client.units(&have).await {
        Ok(r) => {
            if let Some(data) = r.data {
                match motcua_core::units::import(&dir, &data.to_string()) {
                    Ok(u) => report.units = Some(u.data().version.clone()),
                    Err(e) => tracing::warn!("published unit list refused: {e}"),
                }
            }
        }
        Err(e) => tracing::debug!("unit list not fetched: {e}"),
    }
}

async fn push_all(store: &mut Store, client: &PortalClient, device_id: &str, report: &mut RoundReport) -> Result<(), SyncError> {
    let mut size = MAX_BATCH;
    // the head the portal holds: the new head goes with the entries since it, so the portal can check
    // that it extends it (issue 12)
    let mut held: Option<i64> = None;
    let mut asked = false;
    loop {
        let batch = sync::outbox_batch(store, size)?;
        if batch.is_empty() {
            return Ok(());
        }
        if !asked {
            held = client.audit_anchor().await?.audit_anchor.as_deref().and_then(motcua_core::audit::parse_anchor).map(|a| a.0);
            asked = true;
        }
        // the audit log's head goes along: the portal keeps it outside this PC (issue 6)
        let anchor = motcua_core::audit::anchor_of(store)?;
        let links = match (held, anchor.as_deref().and_then(motcua_core::audit::parse_anchor)) {
            (Some(h), Some((id, _))) if id > h => motcua_core::audit::links_after(store, h)?,
            _ => Vec::new(),
        };
        let req = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device_id.to_string(),
            events: batch.iter().map(|(_, w)| w.clone()).collect(),
            audit_anchor: anchor.clone(),
            audit_links: links,
        };
        let resp = match client.push(&req).await {
            // too large for the portal, or a request it cannot read: send it in halves rather than
            // stall on it for ever...
            Err(SyncError::Portal { status: 413 | 400, .. }) if batch.len() > 1 => {
                size = batch.len() / 2;
                continue;
            }
            // ...down to the one event it refuses even alone: parked with the portal's words, and the
            // rest flow (no single event may block the outbox)
            Err(SyncError::Portal { status: status @ (413 | 400), code, message }) => {
                let reason = format!("Cổng không nhận sự kiện này kể cả khi gửi riêng (HTTP {status}): {message}");
                sync::park_event(store, batch[0].0, &code, &reason)?;
                report.pushed.rejected += 1;
                size = MAX_BATCH;
                continue;
            }
            other => other?,
        };
        drop(req);
        let out = sync::record_push(store, &batch, &resp)?;
        match (&resp.audit_anchor_refused, anchor.as_deref().and_then(motcua_core::audit::parse_anchor)) {
            (Some(reason), _) => {
                tracing::error!("sync: the portal refused this counter's audit head: {reason}");
                sync::record_anchor_refusal(store, reason)?;
            }
            (None, Some((id, hash))) => {
                sync::record_portal_anchor(store, id, &hash)?;
                held = Some(id);
            }
            (None, None) => {}
        }
        report.batches += 1;
        report.held_through_seq = resp.held_through_seq;
        report.pushed.stored += out.stored;
        report.pushed.duplicate += out.duplicate;
        report.pushed.rejected += out.rejected;
        report.pushed.unanswered += out.unanswered;
        if out.stored + out.duplicate + out.rejected == 0 {
            return Err(SyncError::BadAnswer(format!("the portal answered none of the {} events sent", batch.len())));
        }
    }
}
