//! Issue 15: the administrative map is updated through the portal like the catalog: the portal's
//! admin publishes a file, every counter takes it on its next round; a forged file is refused by the
//! portal and changes nothing. Real `motcua` and `motcua-portal` processes on 127.0.0.1.

use motcua_system_tests::*;

#[test]
fn a_published_unit_list_reaches_the_counter_and_a_forged_one_is_refused() {
    let d = scratch();
    let portal = Portal::started(&d.path().join("portal"));
    let c = Counter::init(&d.path().join("q1"), "Q01");
    c.enrol(&portal);
    portal.approve("Q01");
    let shipped = c.ok(&["units", "info"]);
    assert!(shipped.contains("dvhcvn/20250701"), "{shipped}");
    // the portal's admin publishes a newer list (here: the shipped one with a new version and a renamed ward)
    let mut data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/units/units-2025.json")).unwrap()).unwrap();
    data["version"] = serde_json::json!("test-2026-12-01");
    let units = data["units"].as_array_mut().unwrap();
    let ba_dinh = units.iter_mut().find(|u| u["code"] == "00004").unwrap();
    ba_dinh["name"] = serde_json::json!("Phường Ba Đình Mới");
    let file = d.path().join("units.json");
    std::fs::write(&file, serde_json::to_string(&data).unwrap()).unwrap();
    let out = portal.cli(&["publish", "--units", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    c.sync().unwrap();
    assert!(c.ok(&["units", "info"]).contains("test-2026-12-01"));
    assert!(c.ok(&["units", "search", "00004"]).contains("Phường Ba Đình Mới"));
    // a second round fetches nothing new and keeps it
    c.sync().unwrap();
    assert!(c.ok(&["units", "info"]).contains("test-2026-12-01"));
    // a forged list (a target that does not exist) is refused by the portal: counters keep theirs
    data["old_units"][0]["new"] = serde_json::json!(["99999"]);
    data["version"] = serde_json::json!("forged");
    std::fs::write(&file, serde_json::to_string(&data).unwrap()).unwrap();
    assert!(!portal.cli(&["publish", "--units", file.to_str().unwrap()]).status.success());
    c.sync().unwrap();
    assert!(c.ok(&["units", "info"]).contains("test-2026-12-01"));
}
