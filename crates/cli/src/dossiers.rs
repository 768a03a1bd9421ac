//! Dossiers from the command line: intake, show, search, appointments, work lists, the lifecycle
//! steps and printing. Thin over the core and motcua-forms.

use std::io::Read;

use motcua_core::catalog::TimeLimit;
use motcua_core::clock::to_rfc3339;
use motcua_core::dossier::ReturnTo;
use motcua_core::intake::contact::{ContactKind, ContactRequest};
use motcua_core::intake::{self, IntakeRequest};
use motcua_core::lifecycle::{self, Command, WorkList};
use motcua_core::{search, AppError, CoreError, Store};
use motcua_forms::data::FormInput;
use motcua_forms::service::{self, PrintRequest};
use motcua_forms::{print, FormKind};

use crate::args::*;
use crate::output::{print_json, read_file};

/// Runs one command of this group.
pub fn run(mut store: Store, cmd: Cmd) -> Result<(), AppError> {
    match cmd {
        Cmd::Intake { json, guidance, refuse, reason, missing, out } => {
            let text = if json == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| CoreError::Io { path: "stdin".into(), source: e })?;
                s
            } else {
                read_file(std::path::Path::new(&json))?
            };
            let req: IntakeRequest =
                serde_json::from_str(&text).map_err(|e| CoreError::invalid(format!("Intake JSON không hợp lệ: {e}")))?;
            if guidance || refuse {
                let kind = if refuse { ContactKind::Refusal } else { ContactKind::Guidance };
                let mut items = None;
                if !missing.is_empty() {
                    let mut all = intake::contact::missing_items(&store, &req)?;
                    all.extend(missing);
                    items = Some(all);
                }
                let c = ContactRequest { kind, request: req, missing: items, reason };
                let o = service::contact(&mut store, &c, out.clone(), out.is_none(), print::system().as_ref())?;
                let (d, outcome) = (o.record, o.print);
                eprintln!("{} {}: {} ({})", d.status_label, d.dossier.code, outcome.pdf_path, if outcome.printed { "đã gửi máy in" } else { "đã lưu PDF" });
                print_json(&d);
                if let Some(e) = outcome.error {
                    return Err(AppError { message: format!("{} PDF đã lưu tại {}", e.message, outcome.pdf_path), ..e });
                }
                return Ok(());
            }
            let d = intake::submit(&mut store, &req)?;
            print_json(&d);
        }
        Cmd::Show { code, json } => {
            let d = store.dossier_by_code(&code)?;
            let sync = motcua_core::sync::dossier_sync(&store, &code)?;
            if json {
                let mut v = serde_json::to_value(&d).expect("serialisable");
                v["sync"] = serde_json::to_value(&sync).expect("serialisable");
                print_json(&v);
            } else {
                println!("Mã hồ sơ:    {}{}", d.code, if d.provisional { " (mã tạm)" } else { "" });
                if !d.progress.previous_codes.is_empty() {
                    println!("Mã cũ:       {} (Cổng đã cấp mã mới: in lại giấy tiếp nhận)", d.progress.previous_codes.join(", "));
                }
                println!("Thủ tục:     {} {}", d.procedure_code, d.procedure_name);
                println!("Người nộp:   {} ({} {})", d.applicant.full_name, d.applicant.id_type.label(), d.applicant.id_number);
                println!("Tiếp nhận:   {}", d.received_at);
                println!("Hẹn trả:     {}", d.due_at);
                println!("Trạng thái:  {}", d.status.label());
                println!("Cổng DVC:    {}{}", sync.label, sync.reason.map(|r| format!(": {r}")).unwrap_or_default());
            }
        }
        Cmd::Search { query, json, cursor, limit } => {
            let page = search::search(&store, &query, cursor, limit)?;
            if json {
                print_json(&page);
            } else {
                if page.hits.is_empty() {
                    println!("Không tìm thấy hồ sơ nào");
                }
                for h in &page.hits {
                    println!("{:<30} {:<28} {:<12} hẹn {}", h.code, h.applicant_name, h.id_number, h.due_at);
                }
                if let Some(c) = page.next_cursor {
                    println!("… more: --cursor {c}");
                }
            }
        }
        Cmd::Due { procedure, case, days, received, json } => {
            let at = motcua_core::dates::read_datetime("received", &received, chrono::NaiveTime::MIN)?;
            let (limit, label) = match (procedure, days) {
                (Some(code), _) => {
                    // the same terms as intake: the case's, and the province's figure when it has one
                    let p = store.procedure(&code).ok_or_else(|| CoreError::NotFound(format!("Không có thủ tục mã {code}")))?;
                    let t = p.terms(case.as_deref())?;
                    (t.time_limit, t.time_limit_label)
                }
                (None, Some(n)) => {
                    let l = TimeLimit::WorkingDays { days: n };
                    let label = l.label();
                    (l, label)
                }
                (None, None) => unreachable!("clap requires one"),
            };
            let due = motcua_core::calendar::due::due_at(store.calendar(), store.office_hours(), at, &limit)?;
            if json {
                print_json(&serde_json::json!({"received_at": to_rfc3339(at), "time_limit": limit, "time_limit_label": label, "due_at": to_rfc3339(due)}));
            } else {
                println!("{}", to_rfc3339(due));
            }
        }
        Cmd::Print(a) => print_cmd(&mut store, a)?,
        Cmd::Printers { json } => {
            let list = print::system().printers()?;
            if json {
                print_json(&list);
            } else {
                if list.is_empty() {
                    println!("no printers");
                }
                for p in list {
                    println!("{}{:<24} {}", if p.is_default { "* " } else { "  " }, p.name, p.state);
                }
            }
        }
        Cmd::Handover { department, codes, out } => lifecycle_cmd(&mut store, &codes, Command::HandOver { department }, &out)?,
        Cmd::Transfer { code, department, out } => lifecycle_cmd(&mut store, &[code], Command::Transfer { to: department }, &out)?,
        Cmd::ReceiveResult { codes, out } => lifecycle_cmd(&mut store, &codes, Command::ReceiveResult, &out)?,
        Cmd::Supplement { code, missing, out } => lifecycle_cmd(&mut store, &[code], Command::RequestSupplement { missing }, &out)?,
        Cmd::Supplemented { code, out } => lifecycle_cmd(&mut store, &[code], Command::Supplemented, &out)?,
        Cmd::Refuse { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Refuse { reason }, &out)?,
        Cmd::Stop { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Stop { reason }, &out)?,
        Cmd::Delay { code, new_date, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Delay { new_due: new_date, reason }, &out)?,
        Cmd::Return { code, name, id, authorised, post, out } => {
            let to = match (name, post) {
                (Some(name), _) => {
                    let id_number = id.unwrap_or_default();
                    if authorised { ReturnTo::Authorised { name, id_number } } else { ReturnTo::Applicant { name, id_number } }
                }
                (None, Some(tracking)) => ReturnTo::Post { tracking },
                (None, None) => unreachable!("clap requires one"),
            };
            lifecycle_cmd(&mut store, &[code], Command::Return { to }, &out)?
        }
        Cmd::Withdraw { code, reason, out } => lifecycle_cmd(&mut store, &[code], Command::Withdraw { reason }, &out)?,
        Cmd::DueList { overdue, today, soon, supplement, ready, json } => {
            let which = if overdue {
                Some(WorkList::Overdue)
            } else if today {
                Some(WorkList::DueToday)
            } else if soon {
                Some(WorkList::DueSoon)
            } else if supplement {
                Some(WorkList::WaitingSupplement)
            } else if ready {
                Some(WorkList::ReadyToCollect)
            } else {
                None
            };
            match which {
                None if json => print_json(&lifecycle::counts(&store)?),
                None => {
                    let n = lifecycle::counts(&store)?;
                    let count = |l: WorkList| match l {
                        WorkList::Overdue => n.overdue,
                        WorkList::DueToday => n.due_today,
                        WorkList::DueSoon => n.due_soon,
                        WorkList::WaitingSupplement => n.waiting_supplement,
                        WorkList::ReadyToCollect => n.ready_to_collect,
                    };
                    println!("{}", WorkList::ALL.map(|l| format!("{} {}", l.label(), count(l))).join("  "));
                    for r in motcua_core::sync::codes::reprints(&store)? {
                        println!("in lại giấy tiếp nhận: {} (mã cũ {})", r.code, r.old_code);
                    }
                }
                Some(list) => {
                    let items = lifecycle::list(&store, list, 500)?;
                    if json {
                        print_json(&items);
                    } else {
                        for w in items {
                            println!("{:<30} {:<28} {:<10} {:<20} hẹn {}", w.code, w.applicant_name, w.procedure_code, w.status.label(), w.due_at);
                        }
                    }
                }
            }
        }
        _ => unreachable!("dispatched by main"),
    }
    Ok(())
}


fn parse_day(s: &Option<String>, field: &str) -> Result<Option<chrono::NaiveDate>, CoreError> {
    s.as_deref().map(|v| motcua_core::dates::read_date(field, v)).transpose()
}

pub fn print_cmd(store: &mut Store, a: PrintArgs) -> Result<(), AppError> {
    let kind = FormKind::parse(&a.form).ok_or_else(|| {
        let known: Vec<&str> = FormKind::ALL.iter().map(|k| k.as_str()).collect();
        CoreError::validation("form", format!("Không có mẫu '{}': {}", a.form, known.join(" | ")))
    })?;
    let send = a.out.is_none() || a.printer.is_some();
    let req = PrintRequest {
        kind: Some(kind),
        code: a.code,
        from: parse_day(&a.from, "from")?,
        to: parse_day(&a.to, "to")?,
        input: FormInput { reason: a.reason, missing: a.missing, new_due: a.new_date, department: a.department, batch: a.batch, ..Default::default() },
        printer: a.printer,
        copies: a.copies,
        out: a.out,
        send,
    };
    let outcome = service::produce(store, &req, print::system().as_ref())?;
    if a.json {
        print_json(&outcome);
    } else {
        println!("{} {} page(s){}: {}", kind.as_str(), outcome.pages, if outcome.reprint { " (reprint)" } else { "" }, outcome.pdf_path);
        if outcome.printed {
            println!("sent to {} as {}", outcome.printer.as_deref().unwrap_or(""), outcome.job_id.as_deref().unwrap_or(""));
        }
    }
    if let Some(e) = outcome.error {
        return Err(AppError { message: format!("{} PDF đã lưu tại {}", e.message, outcome.pdf_path), ..e });
    }
    Ok(())
}

/// Prints each dossier's state after a lifecycle command.
fn show_states(ds: &[motcua_core::dossier::Dossier]) {
    for d in ds {
        let extra = match (&d.progress.department, d.progress.timeliness) {
            (_, Some(t)) => format!(" ({})", t.label()),
            (Some(dep), None) => format!(" — {dep}"),
            _ => String::new(),
        };
        println!("{}  {}{}  hẹn {}", d.code, d.status.label(), extra, d.due_at);
    }
}

pub fn lifecycle_cmd(store: &mut Store, codes: &[String], cmd: Command, out: &Out) -> Result<(), AppError> {
    // an apology later than the rule allows is still made, with the counter's warning
    if let (Command::Delay { .. }, [code]) = (&cmd, codes) {
        if let Ok(d) = store.dossier_by_code(code) {
            for w in lifecycle::DossierView::read(store, d)?.warnings {
                eprintln!("cảnh báo: {w}");
            }
        }
    }
    let ds = lifecycle::apply_many(store, codes, &cmd)?;
    if out.json {
        print_json(&ds);
        return Ok(());
    }
    if let (Command::HandOver { .. }, Some(batch)) = (&cmd, ds[0].progress.movements.last().and_then(|m| m.batch.clone())) {
        println!("đợt bàn giao {batch} ({} hồ sơ); in danh sách: motcua print handover --batch {batch}", ds.len());
    }
    show_states(&ds);
    Ok(())
}
