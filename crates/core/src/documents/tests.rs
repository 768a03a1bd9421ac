//! Documents in the core: a real SQLite file and a real blob folder.

use super::*;
use crate::test_fixtures::{demo, intake};

const NOW: &str = "2026-11-30T09:00:00";

fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% test document {tag}\n%%EOF\n").into_bytes()
}

fn first_item(s: &Store, code: &str) -> String {
    s.dossier_by_code(code).unwrap().documents[0].id.clone()
}

#[test]
fn a_document_is_attached_listed_opened_and_audited() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let b = blobs_of(&s).put(&pdf("a")).unwrap();
    let doc = NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: b.sha256.clone(), pages: 2, source: DocSource::Scanner, name: None };
    let d = attach(&mut s, &code, &doc).unwrap();
    assert_eq!(d.progress.documents.len(), 1);
    let (_, views) = list(&s, &code).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].slot_label, "Thành phần 1");
    assert!(views[0].held);
    assert_eq!(views[0].upload.as_ref().unwrap().state, uploads::UploadState::Waiting);
    assert_eq!(views[0].document.document.size, b.size);
    // the fold from the events gives the same
    assert_eq!(s.dossier_by_code(&code).unwrap().progress.documents, d.progress.documents);
    assert_eq!(open(&mut s, &code, &b.sha256).unwrap(), pdf("a"));
    let actions: Vec<String> = crate::audit::list(&s, 10).unwrap().into_iter().map(|r| r.action).collect();
    assert!(actions.contains(&"document.attach".to_string()) && actions.contains(&"document.open".to_string()), "{actions:?}");
    // a second scan of the same item replaces what the dossier shows; the upload queue holds both
    let b2 = blobs_of(&s).put(&pdf("b")).unwrap();
    let d = attach(&mut s, &code, &NewDocument { sha256: b2.sha256.clone(), ..doc }).unwrap();
    assert_eq!(d.progress.documents.len(), 1);
    assert_eq!(d.progress.documents[0].document.sha256, b2.sha256);
    assert_eq!(uploads::all(&s).unwrap().len(), 2);
    assert_eq!(uploads::summary(&s).unwrap().waiting, 2);
}

#[test]
fn bad_documents_change_nothing() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let events = |s: &Store| s.events_of(&code).unwrap().len();
    let before = events(&s);
    let good = blobs_of(&s).put(&pdf("x")).unwrap();
    let not_pdf = blobs_of(&s).put(b"\xFF\xD8\xFF\xE0 a jpeg").unwrap();
    let cases: Vec<(NewDocument, &str)> = vec![
        (NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: "../../etc/passwd".into(), pages: 1, source: DocSource::File, name: None }, "Mã băm"),
        (NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: "a".repeat(64), pages: 1, source: DocSource::File, name: None }, "chưa được lưu"),
        (NewDocument { slot: DocSlot::Item { id: "no-such".into() }, sha256: good.sha256.clone(), pages: 1, source: DocSource::File, name: None }, "không có thành phần"),
        (NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: good.sha256.clone(), pages: 0, source: DocSource::File, name: None }, "Số trang"),
        (NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: not_pdf.sha256.clone(), pages: 1, source: DocSource::File, name: None }, "PDF"),
        // no result yet
        (NewDocument { slot: DocSlot::Result, sha256: good.sha256.clone(), pages: 1, source: DocSource::Scanner, name: None }, "chưa nhận kết quả"),
    ];
    for (doc, words) in cases {
        let e = attach(&mut s, &code, &doc).unwrap_err().to_string();
        assert!(e.contains(words), "{words}: {e}");
    }
    // a file changed on disk after it was stored is refused
    std::fs::write(blobs_of(&s).path(&good.sha256), b"%PDF-1.7 forged!!!!!!!!!!!!!!!!!!!").unwrap();
    let e = attach(&mut s, &code, &NewDocument { slot: DocSlot::Item { id: item }, sha256: good.sha256, pages: 1, source: DocSource::File, name: None }).unwrap_err();
    assert!(e.to_string().contains("không khớp"), "{e}");
    assert_eq!(events(&s), before);
    assert_eq!(uploads::all(&s).unwrap().len(), 0);
}

#[test]
fn documents_go_in_with_the_dossier_in_one_transaction() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let items: Vec<String> = s.dossier_by_code(&code).unwrap().documents.iter().map(|d| d.id.clone()).collect();
    let b = blobs_of(&s).put(&pdf("intake")).unwrap();
    let mut req: crate::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Lê Thị Hoa", "id_type": "cccd", "id_number": "001190012346",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap();
    req.attachments = vec![NewDocument { slot: DocSlot::Item { id: items[0].clone() }, sha256: b.sha256.clone(), pages: 3, source: DocSource::Scanner, name: None }];
    let d = crate::intake::submit(&mut s, &req).unwrap();
    assert_eq!(d.progress.documents.len(), 1);
    assert_eq!(s.dossier_by_code(&d.code).unwrap().progress.documents, d.progress.documents);
    let kinds: Vec<String> = s.events_of(&d.code).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["received", "document_attached"]);
    // two files for one item, or a missing file: nothing is taken in at all
    let dossiers = s.conn().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get::<_, i64>(0)).unwrap();
    let mut twice = req.clone();
    twice.attachments.push(twice.attachments[0].clone());
    assert!(crate::intake::submit(&mut s, &twice).unwrap_err().to_string().contains("hai tệp"));
    let mut missing = req.clone();
    missing.attachments[0].sha256 = "b".repeat(64);
    assert!(crate::intake::submit(&mut s, &missing).is_err());
    assert_eq!(s.conn().query_row("SELECT COUNT(*) FROM dossiers", [], |r| r.get::<_, i64>(0)).unwrap(), dossiers);
}

#[test]
fn upload_states_move_and_a_parked_file_waits_its_turn() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let b = blobs_of(&s).put(&pdf("u")).unwrap();
    attach(&mut s, &code, &NewDocument { slot: DocSlot::Item { id: item }, sha256: b.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap();
    assert_eq!(uploads::due(&s, 0, 10).unwrap().len(), 1);
    uploads::progress(&s, &b.sha256, 10).unwrap();
    let u = &uploads::due(&s, 0, 10).unwrap()[0];
    assert_eq!((u.state, u.sent), (uploads::UploadState::Sending, 10));
    assert!(u.label.starts_with("Đang gửi"), "{}", u.label);
    uploads::parked(&s, &b.sha256, "quota", 5_000).unwrap();
    assert!(uploads::due(&s, 4_999, 10).unwrap().is_empty());
    assert_eq!(uploads::due(&s, 5_000, 10).unwrap()[0].reason.as_deref(), Some("quota"));
    uploads::stored(&s, &b.sha256).unwrap();
    assert!(uploads::due(&s, i64::MAX, 10).unwrap().is_empty());
    let sum = uploads::summary(&s).unwrap();
    assert_eq!((sum.stored, sum.bytes_pending), (1, 0));
}

#[test]
fn orphans_are_collected_and_referenced_files_kept() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let kept = blobs_of(&s).put(&pdf("kept")).unwrap();
    let orphan = blobs_of(&s).put(&pdf("never confirmed")).unwrap();
    attach(&mut s, &code, &NewDocument { slot: DocSlot::Item { id: item }, sha256: kept.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap();
    let (files, _) = collect_orphans(&s, std::time::Duration::ZERO).unwrap();
    assert_eq!(files, 1);
    assert!(blobs_of(&s).has(&kept.sha256) && !blobs_of(&s).has(&orphan.sha256));
}

#[test]
fn audit_verify_names_a_document_file_changed_on_disk() {
    let (_dir, mut s) = demo(NOW);
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let b = blobs_of(&s).put(&pdf("audited")).unwrap();
    attach(&mut s, &code, &NewDocument { slot: DocSlot::Item { id: item }, sha256: b.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap();
    assert!(crate::audit::verify_store(&s, &[]).unwrap().ok());
    std::fs::write(blobs_of(&s).path(&b.sha256), b"%PDF-1.7 audited but changed").unwrap();
    let r = crate::audit::verify_store(&s, &[]).unwrap();
    assert!(r.problems.iter().any(|p| p.contains("changed on disk")), "{:?}", r.problems);
    std::fs::remove_file(blobs_of(&s).path(&b.sha256)).unwrap();
    let r = crate::audit::verify_store(&s, &[]).unwrap();
    assert!(r.problems.iter().any(|p| p.contains("missing")), "{:?}", r.problems);
}

#[test]
fn retention_removes_only_copies_the_portal_stores_after_the_set_days() {
    let (dir, mut s, hands) = crate::test_fixtures::demo_with_hands("2026-11-01T09:00", "");
    let code = intake(&mut s);
    let item = first_item(&s, &code);
    let stored = blobs_of(&s).put(&pdf("stored")).unwrap();
    attach(&mut s, &code, &NewDocument { slot: DocSlot::Item { id: item.clone() }, sha256: stored.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap();
    let waiting = blobs_of(&s).put(&pdf("waiting")).unwrap();
    attach(&mut s, &code, &NewDocument { slot: DocSlot::Result, sha256: waiting.sha256.clone(), pages: 1, source: DocSource::File, name: None }).unwrap_err();
    crate::lifecycle::apply(&mut s, &code, &crate::lifecycle::Command::HandOver { department: "Phòng Tư pháp".into() }).ok();
    uploads::stored(&s, &stored.sha256).unwrap();
    crate::settings::CounterSettings::set(&mut s, "documents_keep_days", "30").unwrap();
    assert!(crate::settings::CounterSettings::set(&mut s, "documents_keep_days", "-1").is_err());
    hands.advance(10 * 86_400);
    assert_eq!(prune_on_schedule(&mut s).unwrap().0, 0, "too young");
    hands.advance(30 * 86_400);
    assert_eq!(prune_on_schedule(&mut s).unwrap().0, 1);
    assert!(!blobs_of(&s).has(&stored.sha256));
    // the reference stays; a fetched copy is taken back only if it hashes to the name
    let (_, views) = list(&s, &code).unwrap();
    assert!(!views[0].held);
    assert!(store_fetched(&s, &stored.sha256, b"%PDF-1.7 not it").is_err());
    store_fetched(&s, &stored.sha256, &pdf("stored")).unwrap();
    assert!(list(&s, &code).unwrap().1[0].held);
    drop(dir);
}
