//! The baseline of scripts/bench-startup.sh: the smallest Tauri 2 app with the same window as the
//! counter app (1366×768, same title style), a static page and nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("bare tauri window");
}
