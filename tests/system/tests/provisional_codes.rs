//! Issue 14, point 7: a provisional code printed to a citizen is mapped to an official one by the
//! portal on first sync; the counter keeps both and lists the receipt for a reprint; the citizen's
//! lookup answers for either code. Guidance and refusal contacts (HD-/TC-) travel but are never mapped.
//! Real `motcua` and `motcua-portal` processes on 127.0.0.1.

use motcua_system_tests::*;

fn lookup(rt: &tokio::runtime::Runtime, portal: &Portal, code: &str) -> (u16, serde_json::Value) {
    rt.block_on(async {
        let r = reqwest::get(format!("{}/v1/lookup/{code}", portal.url())).await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    })
}

#[test]
fn a_provisional_code_gets_an_official_one_on_first_sync_and_both_are_looked_up() {
    let d = scratch();
    let portal = Portal::started(&d.path().join("portal"));
    // no standing block, not enrolled: the counter can only issue provisional codes
    let c = Counter::init(&d.path().join("q1"), "Q01");
    let tam = c.intake_many(2);
    assert!(tam.iter().all(|t| t.starts_with("TAM-")), "{tam:?}");
    // a guidance contact on the same day: its own number, never a dossier code
    let req = d.path().join("req.json");
    std::fs::write(&req, serde_json::to_string(&request(7)).unwrap().replace("\"documents\":null", "\"documents\":[]")).unwrap();
    let slip = d.path().join("hd.pdf");
    let g: serde_json::Value = serde_json::from_str(&c.ok(&["intake", "--json", req.to_str().unwrap(), "--guidance", "--out", slip.to_str().unwrap()])).unwrap();
    let hd = g["code"].as_str().unwrap().to_string();
    assert!(hd.starts_with("HD-"), "{g}");

    c.enrol(&portal);
    c.sync().unwrap();
    c.sync().unwrap();
    let status = c.status();
    assert_eq!(status["parked"], 0, "{status}");
    let reprints: Vec<String> = status["reprints"].as_array().cloned().unwrap_or_default().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(reprints.len(), 2, "both provisional receipts listed for a reprint: {status}");
    assert!(reprints.iter().all(|r| !r.starts_with("TAM-") && r.contains(&format!("{AGENCY}-"))), "{reprints:?}");

    // the counter shows both codes and finds the dossier by either
    for (old, new) in tam.iter().zip(&reprints) {
        let shown: serde_json::Value = serde_json::from_str(&c.ok(&["show", new, "--json"])).unwrap();
        assert_eq!(shown["provisional"], false);
        assert_eq!(shown["provisional_code"], old.as_str());
        let found = c.ok(&["search", old, "--json"]);
        assert!(found.contains(new.as_str()), "search by {old}: {found}");
    }
    // the guidance record kept its number at the counter and at the portal
    assert!(c.ok(&["search", &hd, "--json"]).contains(&hd));
    let portal_hd: i64 = rusqlite::Connection::open(portal.dir.join("portal.sqlite3"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM dossiers WHERE code = ?1 AND status = 'guided'", [&hd], |r| r.get(0))
        .unwrap();
    assert_eq!(portal_hd, 1, "the guidance record reached the portal with its own number");
    // a slip is not a dossier the citizen follows: the lookup does not answer for it
    let rt = runtime();
    assert_eq!(lookup(&rt, &portal, &hd).0, 400);

    // the citizen's lookup: the provisional code and the official one give the same dossier
    for (old, new) in tam.iter().zip(&reprints) {
        let (s1, by_old) = lookup(&rt, &portal, old);
        let (s2, by_new) = lookup(&rt, &portal, new);
        assert_eq!((s1, s2), (200, 200), "{by_old} {by_new}");
        assert_eq!(by_old["code"], new.as_str());
        assert_eq!(by_new["code"], new.as_str());
        assert_eq!(by_old["status"], "received");
        // nothing personal in the answer
        let text = by_old.to_string();
        assert!(!text.contains("Nguyễn") && !text.contains("Trần") && !text.contains("0010900") && !text.contains("Ba Đình"), "{text}");
    }
    // hostile lookups: unknown, traversal, huge
    assert_eq!(lookup(&rt, &portal, "000.00.31.H26-991231-9999").0, 404);
    assert_eq!(lookup(&rt, &portal, "..%2F..%2Fetc").0, 400);
    assert_eq!(lookup(&rt, &portal, &"A".repeat(5000)).0, 400);

    // the receipt is printed again with the official code, then no longer listed
    let pdf = d.path().join("receipt.pdf");
    c.ok(&["print", "receipt", &reprints[0], "--out", pdf.to_str().unwrap()]);
    let left = c.status()["reprints"].as_array().cloned().unwrap_or_default();
    assert_eq!(left.len(), 1, "{left:?}");
}
