//! Administration from the command line: set-up (init, catalog, calendar), accounts, backups, the
//! audit log, standing code blocks and settings. Thin over the core: each arm calls one core function
//! and prints its answer.

use motcua_core::settings::CounterSettings;
use motcua_core::store::InitParams;
use motcua_core::{codes, AppError, CoreError, Store};

use crate::args::*;
use crate::output::{print_json, read_file};
use crate::session::block_on;

/// Runs one command of this group.
pub fn run(mut store: Store, cmd: Cmd) -> Result<(), AppError> {
    match cmd {
        Cmd::Init(a) => {
            let blocks = a.code_blocks.iter().map(|b| codes::parse_block(b)).collect::<Result<Vec<_>, CoreError>>()?;
            let ctx = store.init(&InitParams {
                counter_name: a.counter_name.unwrap_or_else(|| format!("Quầy {}", a.counter)),
                agency_code: a.agency_code,
                agency_name: a.agency_name,
                agency_address: a.agency_address,
                counter_id: a.counter,
                clerk_id: a.clerk_id,
                clerk_name: a.clerk_name,
                code_blocks: blocks.clone(),
            })?;
            println!("initialised {} — {} at {}", ctx.agency_code, ctx.agency_name, store.path().display());
            if blocks.is_empty() {
                println!("note: no --code-block given: this counter issues provisional (TAM-…) codes until numbers are leased");
            }
        }
        Cmd::Catalog(CatalogCmd::Import { file }) => {
            let r = store.import_catalog(&read_file(&file)?)?;
            println!("catalog imported: {} added, {} updated, {} deactivated, {} in file", r.added, r.updated, r.deactivated, r.total);
        }
        Cmd::Catalog(CatalogCmd::List { json }) => {
            // every procedure with the terms of each case: the time limit promised and where it comes
            // from (law or province), and the fee's state (amount, exempt, not collected, unknown)
            let views: Vec<motcua_core::catalog::ProcedureView> = store.procedures().iter().map(motcua_core::catalog::ProcedureView::of).collect();
            if json {
                print_json(&views);
            } else {
                for v in &views {
                    for t in &v.terms {
                        let case = t.case_name.as_deref().map(|c| format!(" — {c}")).unwrap_or_default();
                        println!("{:<10} {:<24} {:<8} {:<22} {}{case}", v.procedure.code, t.time_limit_label, t.basis.short_label(), t.fee_label, v.procedure.name);
                    }
                }
            }
        }
        Cmd::Calendar(CalendarCmd::Import { file }) => {
            store.import_calendar(&read_file(&file)?)?;
            println!("calendar imported");
        }
        Cmd::Calendar(CalendarCmd::Show { year, json }) => {
            let cal = store.calendar();
            let days = cal.special_days(year);
            if json {
                let days: Vec<serde_json::Value> = days
                    .iter()
                    .map(|d| serde_json::json!({"date": d.date, "kind": if d.working { "working" } else { "off" }, "name": d.name}))
                    .collect();
                print_json(&serde_json::json!({"year": year, "decided": cal.year_decided(year), "days": days}));
            } else {
                if !cal.year_decided(year) {
                    println!("note: no complete government decision recorded for {year}: computed statutory days only");
                }
                for d in days {
                    println!("{}  {:<8} {}", d.date, if d.working { "working" } else { "off" }, d.name.as_deref().unwrap_or(""));
                }
            }
        }
        Cmd::Account(AccountCmd::CreateAdmin { id, name, password, pin }) => {
            let s = motcua_core::accounts::create_first_admin(&mut store, &id, &name, &password, pin.as_deref())?;
            println!("admin account {} ({}) created; from now on every action needs a login", s.clerk_id, s.clerk_name);
        }
        Cmd::Account(AccountCmd::Add { id, name, role, password, pin }) => {
            let role = motcua_core::accounts::Role::parse(&role).ok_or_else(|| CoreError::validation("role", format!("Vai trò: {}", motcua_core::accounts::Role::ALL.map(|r| format!("{} ({})", r.as_str(), r.label())).join(" | "))))?;
            let a = motcua_core::accounts::add_account(&mut store, &id, &name, role, &password, pin.as_deref())?;
            print_json(&a);
        }
        Cmd::Account(AccountCmd::Deactivate { id }) => {
            motcua_core::accounts::deactivate(&mut store, &id)?;
            println!("account {id} deactivated");
        }
        Cmd::Account(AccountCmd::List) => print_json(&motcua_core::accounts::list(&store)?),
        Cmd::Backup(BackupCmd::Create { dir: folder, keep }) => {
            let s = motcua_core::backup::BackupSettings::load(&store)?;
            let folder = folder.unwrap_or_else(|| s.folder(&store));
            let b = motcua_core::backup::create(&mut store, &folder, keep.unwrap_or(s.keep), "manual")?;
            println!("backup {} ({} bytes, {} dossiers, integrity {})", b.path, b.bytes, b.dossiers, b.integrity);
        }
        Cmd::Backup(BackupCmd::Verify { file }) => {
            let c = motcua_core::backup::verify_against_store(&file, Some(&store))?;
            print_json(&c);
            if !c.ok() {
                return Err(CoreError::Conflict(format!("backup {} fails its check", file.display())).into());
            }
        }
        Cmd::Backup(BackupCmd::Restore { .. }) => unreachable!("handled before the store is opened"),
        Cmd::Backup(BackupCmd::Config { dir: d, keep, every_hours }) => {
            let mut s = motcua_core::backup::BackupSettings::load(&store)?;
            if let Some(d) = d {
                s.dir = d;
            }
            if let Some(k) = keep {
                s.keep = k;
            }
            if let Some(h) = every_hours {
                s.every_hours = h;
            }
            s.save(&mut store)?;
            print_json(&s);
        }
        Cmd::Audit(AuditCmd::Verify { portal, json }) => {
            store.require(motcua_core::accounts::Right::Reports)?;
            let mut outside = Vec::new();
            let mut portal_refused = None;
            if portal {
                let e = motcua_core::sync::enrolment(&store)?.ok_or_else(|| CoreError::invalid("not enrolled with a portal"))?;
                let client = motcua_sync::PortalClient::new(&e.portal_url, Some(&e.token))?;
                let held = block_on(client.audit_anchor())?;
                if let Some((id, hash)) = held.audit_anchor.as_deref().and_then(motcua_core::audit::parse_anchor) {
                    outside.push(("the portal".to_string(), id, hash));
                }
                portal_refused = held.refused;
            }
            let mut report = motcua_core::audit::verify_store(&store, &outside)?;
            if let Some(why) = portal_refused {
                report.problems.push(format!("the portal refused a later audit head from this counter as a rewritten history: {why}"));
            }
            if json {
                print_json(&report);
            } else if report.ok() {
                println!("audit log intact: {} entries, {} anchors checked, head {}", report.entries, report.anchors_checked, report.head.as_deref().unwrap_or("-"));
            }
            if !report.ok() {
                return Err(CoreError::Conflict(format!("audit log BROKEN: {}", report.problems.join("; "))).into());
            }
        }
        Cmd::Audit(AuditCmd::List { limit }) => {
            for e in motcua_core::audit::list(&store, limit)? {
                println!("{:>7} {} {:<8} {:<26} {}", e.id, e.at, e.actor, e.action, e.subject);
            }
        }
        Cmd::CodeBlocks { drop } => {
            if drop {
                println!("{} standing blocks dropped: official numbers now come from the portal's leases", motcua_core::sync::codes::drop_standing_blocks(&mut store)?);
            } else {
                for b in motcua_core::sync::codes::standing_blocks(&store)? {
                    println!("{}-{}", b.first, b.last);
                }
            }
        }
        Cmd::Settings(SettingsCmd::Get) => print_json(&CounterSettings::load(&store)?),
        Cmd::Settings(SettingsCmd::Set { key, value }) => {
            let s = CounterSettings::set(&mut store, &key, &value)?;
            print_json(&s);
        }
        _ => unreachable!("dispatched by main"),
    }
    Ok(())
}

