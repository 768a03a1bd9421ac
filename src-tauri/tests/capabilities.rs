//! The app's commands are declared once (src/command_list.rs). This ties every other place to that
//! list: the window's capability (generated from it by build.rs) allows exactly those commands plus
//! `core:default` and no plugin; main.rs registers the list itself; commands.rs defines each; and
//! ui/src/api.ts invokes exactly those. A command added in one place only fails here.

use std::collections::BTreeSet;

fn declared() -> BTreeSet<String> {
    let list = include_str!("../src/command_list.rs");
    let start = list.find("$m!(").expect("with_app_commands body") + 4;
    let end = start + list[start..].find(')').unwrap();
    list[start..end].split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

#[test]
fn the_window_may_call_exactly_the_declared_commands_and_no_plugin() {
    let declared = declared();
    assert!(declared.len() > 20, "{declared:?}");
    let cap: serde_json::Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let perms: BTreeSet<String> = cap["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let allowed: BTreeSet<String> = perms.iter().filter_map(|p| p.strip_prefix("allow-")).map(|c| c.replace('-', "_")).collect();
    assert_eq!(allowed, declared, "capabilities/default.json must allow exactly the declared commands");
    let others: Vec<&String> = perms.iter().filter(|p| !p.starts_with("allow-")).collect();
    assert_eq!(others, vec!["core:default"], "no plugin permission is open to the page");
    let conf: serde_json::Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    assert!(csp.contains("default-src 'self'") && !csp.contains("http:") && !csp.contains("https:"), "no remote content: {csp}");
}

#[test]
fn main_registers_the_list_and_commands_rs_defines_each() {
    let main = include_str!("../src/main.rs");
    assert!(main.contains("with_app_commands!(handler)"), "main.rs registers the declared list, not a copy");
    assert!(!main.contains("generate_handler![commands::"), "no second list in main.rs");
    // the command modules: commands.rs, the electronic dossier's documents.rs and the first-run
    // set-up's setup.rs (both re-exported by it)
    let commands = [include_str!("../src/commands.rs"), include_str!("../src/documents.rs"), include_str!("../src/setup.rs")].concat();
    assert!(include_str!("../src/commands.rs").contains("pub use crate::documents::*;"));
    assert!(include_str!("../src/commands.rs").contains("pub use crate::setup::*;"));
    for c in declared() {
        assert!(commands.contains(&format!("pub fn {c}(")), "commands.rs / documents.rs lack {c}");
    }
}

#[test]
fn the_ui_invokes_exactly_the_declared_commands() {
    let api = include_str!("../../ui/src/api.ts");
    let mut invoked = BTreeSet::new();
    for part in api.split("call<").skip(1) {
        // call<T>('name', …)
        let Some(open) = part.find('(') else { continue };
        if let Some(rest) = part[open + 1..].strip_prefix('\'') {
            invoked.insert(rest[..rest.find('\'').unwrap()].to_string());
        }
    }
    assert_eq!(invoked, declared(), "ui/src/api.ts must call exactly the declared commands");
}
