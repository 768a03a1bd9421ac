//! The portal from the command line: enrolment, a sync round, and the sync's lists (status, parked
//! events, changes not applied, conflicts).

use motcua_core::{AppError, Store};

use crate::args::*;
use crate::output::print_json;
use crate::session::block_on;

/// Runs one command of this group.
pub fn run(mut store: Store, cmd: Cmd) -> Result<(), AppError> {
    match cmd {
        Cmd::Enrol { portal, code } => {
            let resp = block_on(motcua_sync::enrol(&mut store, &portal, &code))?;
            println!("enrolled with {} as device {} (portal {})", portal, resp.device_id, resp.portal_id);
            if motcua_core::sync::identity::pinned_key(&store)?.is_none() {
                println!("note: this portal gave no identity key; it is pinned after the first successful sync");
            }
            println!("the portal's admin approves this machine (motcua-portal device approve) before it receives the agency's dossiers");
        }
        Cmd::Diagnostics { what: DiagnosticsCmd::Show } => print_json(&motcua_core::diagnostics::collect(&store)?),
        Cmd::Diagnostics { what: DiagnosticsCmd::Send } => {
            let id = block_on(motcua_sync::send_diagnostics(&store))?;
            println!("diagnostics sent: the portal keeps them as number {id}");
        }
        Cmd::Sync { portal, json, what: None } => {
            let report = block_on(motcua_sync::run_round(&mut store, portal.as_deref()))?;
            if json {
                print_json(&report);
            } else {
                let (p, q) = (&report.pushed, &report.pulled);
                println!(
                    "sent {} (already held {}, refused {}), received {} changes ({} conflicts), {} online dossiers",
                    p.stored, p.duplicate, p.rejected, q.events + q.catalogs + q.calendars + q.online_dossiers, q.conflicts, q.online_dossiers
                );
                let st = motcua_core::sync::status(&store)?;
                println!("waiting {}  parked {}  numbers left today {}", st.waiting, st.parked, st.numbers_left_today);
                if report.approval_pending {
                    println!("{} (pending approval)", motcua_core::sync::identity::PENDING_APPROVAL);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Status { json }), .. } => {
            let st = motcua_core::sync::status(&store)?;
            if json {
                print_json(&st);
            } else {
                println!(
                    "{}  portal {}  waiting {}  parked {}  conflicts {}  numbers left today {}",
                    if !st.enrolled { "not enrolled" } else if st.online { "online" } else { "offline" },
                    st.portal_url.as_deref().unwrap_or("-"),
                    st.waiting,
                    st.parked,
                    st.conflicts,
                    st.numbers_left_today
                );
                println!("last success {}  last error {}", st.last_success_at.as_deref().unwrap_or("-"), st.last_error.as_deref().unwrap_or("-"));
                for r in &st.reprints {
                    println!("in lại giấy tiếp nhận: {} (mã cũ {}): {}", r.code, r.old_code, r.reason);
                }
                if st.approval_pending {
                    println!("{} (pending approval)", motcua_core::sync::identity::PENDING_APPROVAL);
                }
                if let Some(why) = &st.audit_anchor_refused {
                    println!("AUDIT ANCHOR REFUSED by the portal (history rewritten on this PC?): {why}");
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Parked { retry, json }), .. } => {
            if retry {
                println!("{} events back in the queue", motcua_core::sync::retry_parked(&mut store)?);
            }
            let items = motcua_core::sync::parked(&store)?;
            if json {
                print_json(&items);
            } else {
                for p in items {
                    println!("{:<30} {:<22} {} [{}] {}", p.dossier_code, p.kind_label, p.parked_at, p.code, p.reason);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Failed { json }), .. } => {
            let items = motcua_core::sync::failed_changes(&store)?;
            if json {
                print_json(&items);
            } else {
                for f in items {
                    println!("{:>8} {:<16} {} × {}  {}", f.portal_seq, f.kind, f.first_at, f.attempts, f.error);
                }
            }
        }
        Cmd::Sync { what: Some(SyncCmd::Conflicts { settle, json }), .. } => {
            if let Some(uid) = settle {
                motcua_core::sync::settle_conflict(&mut store, &uid)?;
            }
            let items = motcua_core::sync::conflicts(&store)?;
            if json {
                print_json(&items);
            } else {
                for c in items {
                    println!("{:<30} {:<22} {} {} → {} ({})", c.dossier_code, c.kind_label, c.by_label, c.at, c.status_label, c.event_uid);
                }
            }
        }
        _ => unreachable!("dispatched by main"),
    }
    Ok(())
}

