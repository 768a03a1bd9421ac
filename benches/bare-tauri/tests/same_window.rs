//! The baseline is only a baseline if its window is the app's window: same size, same Tauri. (Being
//! an integration test also makes `cargo test --workspace` build target/debug/bare-tauri, which
//! scripts/bench-startup.sh --smoke starts in CI.)

fn window(conf: &str) -> (u64, u64) {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(conf).unwrap()).unwrap();
    let w = &v["app"]["windows"][0];
    (w["width"].as_u64().unwrap(), w["height"].as_u64().unwrap())
}

#[test]
fn the_baseline_window_has_the_size_of_the_counter_window() {
    let here = env!("CARGO_MANIFEST_DIR");
    assert_eq!(window(&format!("{here}/tauri.conf.json")), window(&format!("{here}/../../tauri.conf.json")));
}

#[test]
fn the_baseline_is_built_with_the_tauri_the_app_uses() {
    let lock = std::fs::read_to_string(format!("{}/../../Cargo.lock", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let versions: Vec<&str> = lock.split("[[package]]").filter(|p| p.contains("\nname = \"tauri\"\n")).collect();
    assert_eq!(versions.len(), 1, "one tauri version in the workspace, shared by the app and the baseline");
}
