//! Tauri's build step for the baseline window (no commands, no capabilities).
fn main() {
    tauri_build::build()
}
