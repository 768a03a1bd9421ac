//! "Gửi chẩn đoán" (issue 17) with the real `motcua` and `motcua-portal` processes on 127.0.0.1: the
//! counter's recent log and crash records reach the portal with anything that looks personal masked;
//! the route refuses a device without a token, a forged bundle and an oversized one, storing nothing.

use motcua_system_tests::*;

fn plant_log(c: &Counter) {
    let logs = c.dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("motcua-app.log.2026-11-30"),
        "2026-11-30T08:00:00Z INFO backup (close) ok\n2026-11-30T08:01:00Z WARN row 17 parked; stray id 001090012345 mail lan@example.vn\n",
    )
    .unwrap();
    let crashes = c.dir.join("crashes");
    std::fs::create_dir_all(&crashes).unwrap();
    std::fs::write(crashes.join("crash-20261130T080200.000-1.txt"), "Một Cửa 0.1.0\nlocation: src-tauri/src/main.rs:1\n").unwrap();
}

fn diag_list(portal: &Portal) -> serde_json::Value {
    let out = portal.cli(&["diagnostics", "list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_recent_log_and_crash_records_reach_the_portal_masked() {
    let (pd, cd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let portal = Portal::started(pd.path());
    let c = Counter::init(cd.path(), "Q01");
    c.enrol(&portal);
    plant_log(&c);
    // what would be sent can be read first
    let shown = c.ok(&["diagnostics", "show"]);
    assert!(shown.contains("row 17 parked") && !shown.contains("001090012345") && !shown.contains("lan@example.vn"), "{shown}");
    let said = c.ok(&["diagnostics", "send"]);
    let id: i64 = said.trim().rsplit(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{said}"));
    let list = diag_list(&portal);
    let entry = &list.as_array().unwrap()[0];
    assert_eq!(entry["id"], id);
    assert_eq!(entry["counter_id"], "Q01");
    assert_eq!(entry["agency_code"], AGENCY);
    let files: Vec<&str> = entry["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.contains(&"logs/motcua-app.log.2026-11-30") && files.contains(&"crashes/crash-20261130T080200.000-1.txt"), "{files:?}");
    let out = portal.cli(&["diagnostics", "show", &id.to_string()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("row 17 parked") && text.contains("############") && text.contains("<email>"), "{text}");
    assert!(!text.contains("001090012345") && !text.contains("lan@example.vn"), "{text}");
}

#[test]
fn a_counter_that_is_not_enrolled_is_told_so_and_sends_nothing() {
    let cd = tempfile::tempdir().unwrap();
    let c = Counter::init(cd.path(), "Q01");
    let out = c.cli(&["diagnostics", "send"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not_enrolled"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_route_refuses_no_token_a_forged_bundle_and_an_oversized_one() {
    let (pd, cd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let portal = Portal::started(pd.path());
    let c = Counter::init(cd.path(), "Q01");
    c.enrol(&portal);
    let token = c.token();
    let url = format!("{}/v1/diagnostics", portal.url());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let send = |body: serde_json::Value, token: Option<&str>| {
        rt.block_on(async {
            let mut rq = http.post(&url).json(&body);
            if let Some(t) = token {
                rq = rq.bearer_auth(t);
            }
            rq.send().await.unwrap().status().as_u16()
        })
    };
    let bundle = |files: serde_json::Value| serde_json::json!({"protocol": 1, "bundle": {"app_version": "0.1.0", "os": "linux", "created_at": "2026-11-30T08:00:00+07:00", "files": files}});
    assert_eq!(send(bundle(serde_json::json!([])), None), 401);
    assert_eq!(send(bundle(serde_json::json!([{"name": "../../etc/passwd", "text": "x"}])), Some(&token)), 400);
    assert_eq!(send(bundle(serde_json::json!([{"name": "logs/a", "text": "\u{1b}]0;pwned\u{7}"}])), Some(&token)), 400);
    let huge = "x".repeat(motcua_core::diagnostics::MAX_BUNDLE_BYTES * 3);
    assert_eq!(send(bundle(serde_json::json!([{"name": "logs/a", "text": huge}])), Some(&token)), 413);
    assert_eq!(diag_list(&portal).as_array().unwrap().len(), 0, "nothing refused was kept");
    // a good one is taken, and only the newest 20 per device are kept
    for _ in 0..22 {
        assert_eq!(send(bundle(serde_json::json!([{"name": "logs/a", "text": "ok"}])), Some(&token)), 200);
    }
    assert_eq!(diag_list(&portal).as_array().unwrap().len(), 20);
}
