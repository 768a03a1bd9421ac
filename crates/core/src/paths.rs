//! Where the counter's data lives: `--data-dir` if given, else `$MOTCUA_DATA_DIR`, else the OS data
//! directory (`directories`: ~/.local/share/motcua on Linux, %APPDATA%\MotCua\motcua\data on Windows).

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "MOTCUA_DATA_DIR";

pub fn data_dir(cli: Option<PathBuf>) -> PathBuf {
    if let Some(d) = cli {
        return d;
    }
    if let Some(d) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("vn", "MotCua", "motcua")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("motcua-data"))
}
