//! `motcua documents …`: the electronic dossier from the command line, for IT staff and tests — scan
//! an item through SANE, attach citizens' files, list a dossier's documents with their upload state,
//! get one by hash (from the portal when not held here, hash checked), collect orphans, prune copies
//! the portal holds. Every rule is the core's (`motcua_core::documents`) or motcua-documents'.

use std::path::PathBuf;

use motcua_core::documents::{self, files, DocSlot, DocSource, NewDocument};
use motcua_core::{AppError, CoreError, Store};
use motcua_devices::page_scan::{ScanMode, ScanSettings, ScanSource};
use motcua_documents::{DocInfo, ItemContent};

use crate::args::{DocumentsCmd, SlotArgs};
use crate::output::print_json;
use crate::session::block_on;

fn slot_of(store: &Store, code: &str, slot: &SlotArgs) -> Result<(DocSlot, String, String), CoreError> {
    let d = store.dossier_by_code(code)?;
    match (slot.item, slot.result) {
        (Some(n), false) => {
            let r = d.documents.get(n.wrapping_sub(1)).ok_or_else(|| {
                CoreError::validation("item", format!("Hồ sơ {} có {} thành phần: --item phải từ 1 đến {}", d.code, d.documents.len(), d.documents.len()))
            })?;
            Ok((DocSlot::Item { id: r.id.clone() }, r.name.clone(), d.code))
        }
        (None, true) => Ok((DocSlot::Result, motcua_documents::items::RESULT_TITLE.into(), d.code)),
        _ => Err(CoreError::invalid("Chọn một thành phần: --item N (từ 1) hoặc --result")),
    }
}

fn scanner() -> Box<dyn motcua_devices::page_scan::PageScanner> {
    motcua_devices::system_scanner()
}

fn save(store: &mut Store, code: &str, slot: DocSlot, title: String, name: Option<String>, content: ItemContent, source: DocSource) -> Result<(), AppError> {
    let info = DocInfo { title, dossier_code: code.to_string(), created: Some(store.clock().now()) };
    let (mut doc, blob): (NewDocument, _) = motcua_documents::save_item(store, slot, &content, source, &info)?;
    if name.is_some() {
        doc.name = name;
    }
    documents::attach(store, code, &doc)?;
    println!("{} {} page(s), {} bytes, sha256 {}", code, doc.pages, blob.size, blob.sha256);
    Ok(())
}

pub fn run(mut store: Store, cmd: DocumentsCmd) -> Result<(), AppError> {
    match cmd {
        DocumentsCmd::Scan { code, slot, device, pages, dpi, mode, feeder } => {
            let name = slot.name.clone();
            let (slot, title, code) = slot_of(&store, &code, &slot)?;
            store.require(motcua_core::accounts::Right::Intake).or_else(|_| store.require(motcua_core::accounts::Right::Lifecycle))?;
            let mode = match mode.as_deref().unwrap_or("gray") {
                "gray" => ScanMode::Gray,
                "color" => ScanMode::Color,
                "lineart" => ScanMode::Lineart,
                other => return Err(CoreError::validation("mode", format!("--mode {other}: gray | color | lineart")).into()),
            };
            let settings = ScanSettings {
                dpi,
                mode,
                source: if feeder { ScanSource::Feeder } else { ScanSource::Flatbed },
                max_pages: if feeder { pages.max(1) } else { 1 },
            };
            let mut all = Vec::new();
            let rounds = if feeder { 1 } else { pages.max(1) };
            for i in 0..rounds {
                let (got, err) = motcua_documents::scan(scanner().as_ref(), device.as_deref(), &settings);
                all.extend(got);
                if let Some(e) = err {
                    // pages already scanned are not thrown away: saved with a note, then the error
                    if !all.is_empty() {
                        eprintln!("scanner stopped after {} page(s) (round {}); saving them", all.len(), i + 1);
                        save(&mut store, &code, slot, title, name, ItemContent::Pages(all), DocSource::Scanner)?;
                    }
                    return Err(e.into());
                }
            }
            save(&mut store, &code, slot, title, name, ItemContent::Pages(all), DocSource::Scanner)
        }
        DocumentsCmd::Attach { code, slot: args, files: paths } => {
            let name = args.name.clone();
            let (slot, title, code) = slot_of(&store, &code, &args)?;
            if paths.is_empty() {
                return Err(CoreError::invalid("Cho biết ít nhất một tệp").into());
            }
            let mut staging = motcua_documents::staging::Staging::default();
            for p in &paths {
                let shown = files::shown_name(&p.to_string_lossy());
                let meta = std::fs::metadata(p).map_err(|e| CoreError::Io { path: p.display().to_string(), source: e })?;
                files::check_size(&shown, meta.len())?;
                let bytes = std::fs::read(p).map_err(|e| CoreError::Io { path: p.display().to_string(), source: e })?;
                staging.add_file("cli", &p.to_string_lossy(), &bytes)?;
            }
            let (content, source) = staging.content("cli")?;
            save(&mut store, &code, slot, title, name, content, source)
        }
        DocumentsCmd::List { code, json } => {
            let (d, views) = documents::list(&store, &code)?;
            if json {
                print_json(&views);
                return Ok(());
            }
            println!("{}: {} document(s)", d.code, views.len());
            for v in views {
                let doc = &v.document.document;
                let state = v.upload.as_ref().map_or("—".to_string(), |u| u.label.clone());
                println!(
                    "{}  {}  {} page(s)  {} bytes  {}  {}{}",
                    v.slot_label,
                    doc.sha256,
                    doc.pages,
                    doc.size,
                    state,
                    doc.name,
                    if v.held { "" } else { "  (not on this machine)" }
                );
            }
            Ok(())
        }
        DocumentsCmd::Get { sha256, out } => {
            if !documents::blobs_of(&store).has(&sha256) {
                block_on(motcua_sync::blobs::fetch(&mut store, &sha256))?;
            }
            let bytes = documents::read_any(&mut store, &sha256)?;
            write_out(&out, &bytes)?;
            println!("{} bytes, sha256 checked, written to {}", bytes.len(), out.display());
            Ok(())
        }
        DocumentsCmd::Gc { min_age_hours } => {
            let (n, bytes) = documents::collect_orphans(&store, std::time::Duration::from_secs(min_age_hours * 3600))?;
            println!("removed {n} file(s) no dossier refers to ({bytes} bytes)");
            Ok(())
        }
        DocumentsCmd::Prune { older_than_days } => {
            let (n, bytes) = documents::prune(&mut store, older_than_days)?;
            println!("removed the local copies of {n} file(s) the portal holds ({bytes} bytes); they are fetched again when opened");
            Ok(())
        }
        DocumentsCmd::Retry => {
            let n = documents::uploads::retry_now(&mut store)?;
            println!("{n} file(s) will be sent again at the next sync round");
            Ok(())
        }
        DocumentsCmd::Uploads { json } => {
            let all = documents::uploads::all(&store)?;
            if json {
                print_json(&all);
            } else {
                let s = documents::uploads::summary(&store)?;
                println!("waiting {}, sending {}, stored {}, parked {}, refused {}", s.waiting, s.sending, s.stored, s.parked, s.refused);
                for u in all.iter().filter(|u| u.reason.is_some()) {
                    println!("{}  {}: {}", u.sha256, u.label, u.reason.as_deref().unwrap_or(""));
                }
            }
            Ok(())
        }
    }
}

fn write_out(out: &PathBuf, bytes: &[u8]) -> Result<(), CoreError> {
    std::fs::write(out, bytes).map_err(|e| CoreError::Io { path: out.display().to_string(), source: e })
}
