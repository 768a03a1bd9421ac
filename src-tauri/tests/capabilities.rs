//! The web view's permissions: exactly the commands the shell registers (`generate_handler!` in
//! main.rs, `COMMANDS` in build.rs), plus `core:default`; no plugin (file system, shell, HTTP ...) at
//! all. A command added without thought, or a plugin permission slipped in, fails here.

use std::collections::BTreeSet;

fn registered() -> BTreeSet<String> {
    let main = include_str!("../src/main.rs");
    let start = main.find("generate_handler![").expect("generate_handler in main.rs");
    let end = start + main[start..].find(']').unwrap();
    main[start..end].split("commands::").skip(1).map(|s| s.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap().to_string()).collect()
}

#[test]
fn the_window_may_call_exactly_the_registered_commands_and_no_plugin() {
    let cap: serde_json::Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let perms: BTreeSet<String> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let allowed: BTreeSet<String> = perms.iter().filter_map(|p| p.strip_prefix("allow-")).map(|c| c.replace('-', "_")).collect();
    assert_eq!(allowed, registered(), "capabilities/default.json must allow exactly the registered commands");
    let others: Vec<&String> = perms.iter().filter(|p| !p.starts_with("allow-")).collect();
    assert_eq!(others, vec!["core:default"], "no plugin permission is open to the page");
    let build = include_str!("../build.rs");
    for c in registered() {
        assert!(build.contains(&format!("\"{c}\"")), "build.rs COMMANDS lacks {c}");
    }
    let conf: serde_json::Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    assert!(csp.contains("default-src 'self'") && !csp.contains("http:") && !csp.contains("https:"), "no remote content: {csp}");
}
