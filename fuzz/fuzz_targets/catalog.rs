//! A catalog file from outside (`motcua catalog import`, a portal `catalog` change): parsing any bytes
//! must give a catalog or a clear error, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(file) = motcua_core::catalog::parse_catalog(&text) {
        for p in &file.procedures {
            let _ = motcua_core::catalog::search(&file.procedures, &p.name);
        }
    }
});
