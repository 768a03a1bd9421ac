//! Issue 16: document files travel to the portal by their own resumable upload, with real `motcua`
//! and `motcua-portal` processes on 127.0.0.1 and SANE's real test scanner: scanned and attached
//! documents reach the portal with matching hashes and another counter fetches one; a damaged chunk is
//! refused and sent again; a full portal parks the files while the events keep flowing; a counter or a
//! portal killed mid-upload resumes without sending again a chunk the portal had confirmed.
#![cfg(unix)] // SANE is the Linux scanner backend (docs/windows.md)

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use motcua_system_tests::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/documents").join(name)
}

fn sane_config(dir: &Path) -> PathBuf {
    let cfg = dir.join("sane");
    motcua_devices::sane::write_test_config(&cfg, "Default").unwrap();
    cfg
}

fn sha_of(path: &Path) -> String {
    motcua_core::documents::blobs::sha256_hex(&std::fs::read(path).unwrap())
}

fn list(c: &Counter, code: &str) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(&c.ok(&["documents", "list", code, "--json"])).unwrap()
}

/// A PDF of `pages` pages of noise (JPEG cannot shrink noise): about 1.3 MB a page, so an upload
/// takes several chunks.
fn big_pdf(path: &Path, pages: usize) {
    let mut rng = fastrand::Rng::with_seed(pages as u64);
    let ps: Vec<_> = (0..pages)
        .map(|_| {
            let img = image::GrayImage::from_fn(1400, 1900, |_, _| image::Luma([rng.u8(..)]));
            motcua_documents::page::encode(&image::DynamicImage::ImageLuma8(img), motcua_devices::page_scan::ScanMode::Color, 200).unwrap()
        })
        .collect();
    std::fs::write(path, motcua_documents::pdf::build(&ps, &Default::default()).unwrap()).unwrap();
}

fn chunk_log(portal: &Portal) -> Vec<(String, i64, String)> {
    let c = rusqlite::Connection::open(portal.dir.join("portal.sqlite3")).unwrap();
    let mut st = c.prepare("SELECT sha256, offset, outcome FROM blob_chunk_log ORDER BY id").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
}

#[test]
fn scanned_and_attached_documents_reach_the_portal_and_another_counter_fetches_one() {
    let d = scratch();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    let q2 = Counter::init(&d.path().join("q2"), "Q02");
    q1.enrol(&portal);
    q2.enrol(&portal);
    let code = q1.intake_many(1).remove(0);
    // two pages from the scanner for the first item, a phone photo for the second
    let cfg = sane_config(d.path());
    let out = q1.command().env("MOTCUA_SANE_CONFIG", &cfg).args(["documents", "scan", &code, "--item", "1", "--pages", "2", "--device", "test:0"]).output().unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    q1.ok(&["documents", "attach", &code, "--item", "2", fixture("phone-photo.jpg").to_str().unwrap()]);
    let docs = list(&q1, &code);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["pages"], 2);
    assert!(docs.iter().all(|x| x["upload"]["state"] == "waiting"));
    q1.sync().unwrap();
    let docs = list(&q1, &code);
    assert!(docs.iter().all(|x| x["upload"]["state"] == "stored"), "{docs:?}");
    // the portal holds both, under their hashes, with matching bytes
    let stats = portal.stats();
    assert_eq!(stats["blobs"], 2, "{stats}");
    let total: u64 = docs.iter().map(|x| x["size"].as_u64().unwrap()).sum();
    assert_eq!(stats["blob_bytes"].as_u64().unwrap(), total);
    for x in &docs {
        let sha = x["sha256"].as_str().unwrap();
        assert_eq!(sha_of(&portal.dir.join("blobs").join(&sha[..2]).join(sha)), sha);
    }
    // a second round sends nothing again
    q1.sync().unwrap();
    assert_eq!(chunk_log(&portal).len(), 2, "one chunk per small file, once");
    // the return desk (another counter of the agency) gets the events, then the file on demand
    q2.sync().unwrap();
    let on_q2 = list(&q2, &code);
    assert_eq!(on_q2.len(), 2);
    assert_eq!(on_q2[0]["held"], false);
    let sha = on_q2[0]["sha256"].as_str().unwrap().to_string();
    let out_file = d.path().join("fetched.pdf");
    q2.ok(&["documents", "get", &sha, "--out", out_file.to_str().unwrap()]);
    assert_eq!(sha_of(&out_file), sha);
    assert_eq!(list(&q2, &code)[0]["held"], true);
    // opening it is in q2's audit log
    let audit = q2.ok(&["audit", "list"]);
    assert!(audit.contains("document.open"), "{audit}");
    // a counter of another agency: the portal neither serves the file nor says it exists
    let other = Counter { dir: d.path().join("x1"), id: "Q01".into() };
    other.ok(&["init", "--agency-code", "000.00.32.H26", "--agency-name", "UBND xã Khác", "--counter", "Q01", "--clerk-id", "CB-X"]);
    other.enrol_in(&portal, "000.00.32.H26");
    let rt = runtime();
    let client = motcua_sync::PortalClient::new(&portal.url(), Some(&other.token())).unwrap();
    match rt.block_on(client.blob_get(&sha)) {
        Err(motcua_sync::SyncError::Portal { status: 404, .. }) => {}
        other => panic!("another agency's counter must get 404, got {other:?}"),
    }
    let st = rt.block_on(client.blob_status(&sha)).unwrap();
    assert!(!st.stored && st.received == 0);
    // and without a token, nothing at all
    let anon = motcua_sync::PortalClient::new(&portal.url(), None).unwrap();
    assert!(matches!(rt.block_on(anon.blob_get(&sha)), Err(motcua_sync::SyncError::Unauthorised { .. })));
}

#[test]
fn a_damaged_chunk_is_refused_and_sent_again() {
    let d = scratch();
    let portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let code = q1.intake_many(1).remove(0);
    let pdf = d.path().join("big.pdf");
    big_pdf(&pdf, 2);
    q1.ok(&["documents", "attach", &code, "--item", "1", pdf.to_str().unwrap()]);
    portal.faults(FaultSwitches { corrupt_chunks: 1, ..Default::default() });
    q1.sync().unwrap();
    let docs = list(&q1, &code);
    assert_eq!(docs[0]["upload"]["state"], "stored", "{docs:?}");
    let sha = docs[0]["sha256"].as_str().unwrap();
    assert_eq!(sha_of(&portal.dir.join("blobs").join(&sha[..2]).join(sha)), sha);
    let log = chunk_log(&portal);
    assert_eq!(log[0].2, "chunk_hash", "{log:?}");
    assert_eq!(log[1].1, 0, "the damaged chunk is sent again from its own offset: {log:?}");
}

#[test]
fn a_full_portal_parks_the_files_and_the_events_keep_flowing() {
    let d = scratch();
    let mut portal = Portal::new(&d.path().join("portal"));
    portal.args = vec!["--blob-quota-mb".into(), "0".into()];
    portal.start();
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let code = q1.intake_many(1).remove(0);
    q1.ok(&["documents", "attach", &code, "--item", "1", fixture("citizen.pdf").to_str().unwrap()]);
    q1.sync().unwrap();
    let docs = list(&q1, &code);
    assert_eq!(docs[0]["upload"]["state"], "parked", "{docs:?}");
    assert!(docs[0]["upload"]["reason"].as_str().unwrap().contains("quota"), "{docs:?}");
    // new dossiers still go up at once
    let more = q1.intake_many(3);
    q1.sync().unwrap();
    assert_eq!(q1.outbox_len(), 0);
    assert!(portal.statuses().len() >= 1 + more.len());
    // the disk is full now (fault switch), then freed: the file goes up when retried
    portal.kill();
    portal.args.clear();
    portal.start();
    portal.faults(FaultSwitches { blob_disk_full: true, ..Default::default() });
    q1.ok(&["documents", "retry"]);
    q1.sync().unwrap();
    let docs = list(&q1, &code);
    assert_eq!(docs[0]["upload"]["state"], "parked");
    assert!(docs[0]["upload"]["reason"].as_str().unwrap().contains("đầy"), "{docs:?}");
    portal.clear_faults();
    q1.ok(&["documents", "retry"]);
    q1.sync().unwrap();
    assert_eq!(list(&q1, &code)[0]["upload"]["state"], "stored");
    assert_eq!(portal.stats()["blobs"], 1);
}

/// Offsets the portal accepted, per file: each once, contiguous from 0, and no refused re-send of a
/// confirmed chunk (409 `offset`).
fn assert_each_chunk_once(portal: &Portal) {
    let log = chunk_log(portal);
    assert!(!log.iter().any(|(_, _, o)| o == "offset"), "a confirmed chunk was sent again: {log:?}");
    let mut accepted: Vec<(String, i64)> = log.iter().filter(|(_, _, o)| o == "appended" || o == "stored").map(|(s, off, _)| (s.clone(), *off)).collect();
    let n = accepted.len();
    accepted.sort();
    accepted.dedup();
    assert_eq!(accepted.len(), n, "an offset accepted twice: {log:?}");
}

#[test]
fn a_counter_or_a_portal_killed_mid_upload_resumes_without_resending_confirmed_chunks() {
    let d = scratch();
    let mut portal = Portal::started(&d.path().join("portal"));
    let q1 = Counter::init(&d.path().join("q1"), "Q01");
    q1.enrol(&portal);
    let code = q1.intake_many(1).remove(0);
    let pdf = d.path().join("big.pdf");
    big_pdf(&pdf, 4);
    q1.ok(&["documents", "attach", &code, "--item", "1", pdf.to_str().unwrap()]);
    let sha = list(&q1, &code)[0]["sha256"].as_str().unwrap().to_string();
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size > 3 * 1024 * 1024, "several chunks: {size}");
    let partial = portal.dir.join("blobs").join("partial").join(format!("{sha}.{AGENCY}"));
    let held = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    // 1. the counter is killed once the portal holds part of the file
    portal.faults(FaultSwitches { delay_ms: 400, ..Default::default() });
    let mut child = q1.command().args(["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    assert!(eventually(Duration::from_secs(60), || held(&partial) >= 1024 * 1024), "the upload started");
    child.kill().unwrap();
    child.wait().unwrap();
    let confirmed = held(&partial);
    assert!(confirmed < size);
    // 2. the portal is killed mid-upload too
    let mut child = q1.command().args(["sync"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    assert!(eventually(Duration::from_secs(60), || held(&partial) > confirmed), "the upload resumed");
    portal.kill();
    let _ = child.wait();
    portal.clear_faults();
    portal.start();
    // 3. the next round finishes it
    q1.sync().unwrap();
    assert_eq!(list(&q1, &code)[0]["upload"]["state"], "stored");
    assert_eq!(sha_of(&portal.dir.join("blobs").join(&sha[..2]).join(&sha)), sha);
    assert_each_chunk_once(&portal);
    // the events were never held back: the dossier and its document event are at the portal
    assert_eq!(q1.outbox_len(), 0);
}
