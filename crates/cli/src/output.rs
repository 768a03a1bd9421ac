//! Output of the command line: JSON made safe for a terminal, and files read with the core's error.

use motcua_core::CoreError;

pub fn read_file(path: &std::path::Path) -> Result<String, CoreError> {
    std::fs::read_to_string(path).map_err(|e| CoreError::Io { path: path.display().to_string(), source: e })
}

/// Pretty JSON with every character `unsafe_for_terminal` inside a string escaped as `\uXXXX` (the
/// same JSON value; serde_json already escapes C0 controls but not DEL, C1 or bidi overrides).
pub fn print_json<T: serde::Serialize>(v: &T) {
    let json = serde_json::to_string_pretty(v).expect("serialisable");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        // a raw newline in serde_json's output is always layout: inside strings it is escaped
        if c != '\n' && motcua_core::text::unsafe_for_terminal(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    ::std::println!("{out}");
}
