//! The repair build.rs makes on a Windows checkout where src-tauri's symlinks (tauri.conf.json,
//! icons/icon.png) came out as text files holding their targets (docs/windows.md).

include!("../config_link.rs");

#[test]
fn a_symlink_checked_out_as_text_is_replaced_by_a_copy_of_its_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("tauri.conf.json"), "{\"productName\": \"Một Cửa\"}").unwrap();
    let link = dir.path().join("src/tauri.conf.json");
    std::fs::write(&link, "../tauri.conf.json").unwrap();
    assert!(repair_symlink(&link, "../tauri.conf.json").unwrap());
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "{\"productName\": \"Một Cửa\"}");
    // a real file (the copy, or an edited config) is left alone
    std::fs::write(&link, "{\"x\": 1}").unwrap();
    assert!(!repair_symlink(&link, "../tauri.conf.json").unwrap());
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "{\"x\": 1}");
    // a missing one is made
    std::fs::remove_file(&link).unwrap();
    assert!(repair_symlink(&link, "../tauri.conf.json").unwrap());
}

#[cfg(unix)]
#[test]
fn the_repository_symlinks_are_left_as_they_are() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (link, target) in LINKS {
        let path = here.join(link);
        assert!(std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink(), "{link}");
        assert!(!repair_symlink(&path, target).unwrap());
        assert!(std::fs::metadata(&path).is_ok(), "{link} points at {target}");
    }
}
