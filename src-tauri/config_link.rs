// The one tauri.conf.json lives at the repository root and the icon under assets/;
// src-tauri/tauri.conf.json and src-tauri/icons/icon.png are symlinks to them, because tauri-build
// reads both beside Cargo.toml. A Windows checkout without `core.symlinks` turns a symlink into a
// small text file holding its target ("../tauri.conf.json"): the build step then puts a copy of the
// real file in its place (included by build.rs and by a test; docs/windows.md).

/// The symlinks of src-tauri: (the link, its target relative to the link's folder).
pub const LINKS: &[(&str, &str)] = &[("tauri.conf.json", "../tauri.conf.json"), ("icons/icon.png", "../../assets/icons/icon.png")];

/// Makes `link` a copy of its target when it is a symlink checked out as a text file holding
/// `target` (or is missing); leaves a working symlink or a real file alone. Returns whether it wrote.
pub fn repair_symlink(link: &std::path::Path, target: &str) -> std::io::Result<bool> {
    let real = link.parent().unwrap_or(std::path::Path::new(".")).join(target);
    match std::fs::symlink_metadata(link) {
        Ok(m) if m.file_type().is_symlink() => return Ok(false),
        Ok(m) if m.len() > 512 => return Ok(false),
        Ok(_) => {
            let text = std::fs::read(link)?;
            if String::from_utf8_lossy(&text).trim() != target {
                return Ok(false);
            }
        }
        Err(_) => {}
    }
    let bytes = std::fs::read(&real)?;
    let _ = std::fs::remove_file(link);
    std::fs::write(link, bytes)?;
    Ok(true)
}
