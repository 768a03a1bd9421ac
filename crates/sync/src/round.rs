//! One sync round, the same from the CLI (`motcua sync`) and the background task: top up today's
//! official numbers, push the outbox oldest first in batches of at most 500, then pull the portal's
//! changes from the stored cursor. Each step commits before the next request, so a round cut off
//! anywhere resumes from the database.

use motcua_core::sync::protocol::*;
use motcua_core::sync::{self, PullOutcome, PushOutcome, LEASE_LOW_WATER, LEASE_SIZE};
use motcua_core::Store;
use serde::Serialize;

use crate::{PortalClient, SyncError};

#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundReport {
    pub pushed: PushOutcome,
    pub pulled: PullOutcome,
    pub batches: u32,
    /// Numbers leased this round, as `first..=last`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leased: Option<(u32, u32)>,
    /// A lease the portal refused (the round goes on: provisional codes cover it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_error: Option<String>,
    pub held_through_seq: i64,
}

/// Enrols this counter with a portal and keeps the credential.
pub async fn enrol(store: &mut Store, portal_url: &str, code: &str) -> Result<EnrolResponse, SyncError> {
    let ctx = store.context()?.clone();
    let client = PortalClient::new(portal_url, None)?;
    let resp = client
        .enrol(&EnrolRequest {
            protocol: PROTOCOL_VERSION,
            enrolment_code: code.trim().to_string(),
            agency_code: ctx.agency_code,
            counter_id: ctx.counter_id,
            counter_name: ctx.counter_name,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
        })
        .await?;
    sync::save_enrolment(store, client.base(), &resp)?;
    Ok(resp)
}

/// Runs one round and records its outcome (online, last success, last error in words) in the store.
/// `portal_url` overrides (and replaces) the stored address, e.g. to switch to the office hub.
pub async fn run_round(store: &mut Store, portal_url: Option<&str>) -> Result<RoundReport, SyncError> {
    store.refresh_if_stale()?;
    let mut enrolment = sync::enrolment(store)?.ok_or(SyncError::NotEnrolled)?;
    if let Some(url) = portal_url {
        let url = url.trim_end_matches('/');
        if url != enrolment.portal_url {
            let id = PortalClient::new(url, None)?.portal_id().await?;
            if id != enrolment.portal_id {
                return Err(SyncError::Portal {
                    status: 409,
                    code: "other_portal".into(),
                    message: format!(
                        "{url} là một cổng khác ({id}, máy đã đăng ký với {}): đăng ký lại với cổng đó (motcua enrol) trước khi đồng bộ",
                        enrolment.portal_id
                    ),
                });
            }
            store.conn().execute("UPDATE sync_state SET portal_url = ?1 WHERE id = 1", [url]).map_err(motcua_core::CoreError::from)?;
            enrolment.portal_url = url.to_string();
        }
    }
    let client = PortalClient::new(&enrolment.portal_url, Some(&enrolment.token))?;
    let result = round(store, &client, &enrolment.device_id).await;
    let message = result.as_ref().err().map(|e| e.to_string());
    sync::record_round(store, message.as_deref())?;
    result
}

async fn round(store: &mut Store, client: &PortalClient, device_id: &str) -> Result<RoundReport, SyncError> {
    let mut report = RoundReport::default();
    // 1. numbers for today, before anything else: the next citizen gets an official code
    let today = store.clock().now().date();
    if sync::numbers_left(store, today)? < LEASE_LOW_WATER {
        let req = LeaseRequest { protocol: PROTOCOL_VERSION, day: today.format("%Y-%m-%d").to_string(), want: LEASE_SIZE };
        match client.lease(&req).await {
            Ok(lease) => {
                sync::add_lease(store, &lease)?;
                report.leased = Some((lease.first, lease.last));
            }
            Err(e @ SyncError::Portal { .. }) => report.lease_error = Some(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    // 2. push: oldest first; each answer is recorded before the next batch is read
    push_all(store, client, device_id, &mut report).await?;
    // 3. pull from the stored cursor (what could not be applied before is tried again first)
    sync::retry_failed_changes(store)?;
    let own = sync::recovering_own(store)?;
    loop {
        let page = client.changes(sync::cursor(store)?, 500, own).await?;
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
    Ok(report)
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
        let anchor = motcua_core::audit::head_anchor(store.conn())?;
        let links = match (held, anchor.as_deref().and_then(motcua_core::audit::parse_anchor)) {
            (Some(h), Some((id, _))) if id > h => motcua_core::audit::links_since(store.conn(), h)?,
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
            // too large for the portal: send it in halves rather than stall on it for ever
            Err(SyncError::Portal { status: 413, .. }) if size > 1 => {
                size /= 2;
                continue;
            }
            other => other?,
        };
        drop(req);
        let out = sync::record_push(store, &batch, &resp)?;
        match (&resp.audit_anchor_refused, anchor.as_deref().and_then(motcua_core::audit::parse_anchor)) {
            (Some(reason), _) => {
                eprintln!("sync: the portal refused this counter's audit head: {reason}");
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
