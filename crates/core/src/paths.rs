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

/// The one app instance allowed on a data directory: an exclusive OS lock on `motcua.lock`, held for
/// the life of the process (released by the OS even on a crash or power cut). A restore refuses to
/// run while it is held.
pub struct InstanceLock {
    _file: std::fs::File,
}

pub const LOCK_FILE: &str = "motcua.lock";

impl InstanceLock {
    /// Ok(lock), or Err(()) when another process holds it.
    pub fn try_acquire(dir: &std::path::Path) -> std::io::Result<Result<InstanceLock, ()>> {
        std::fs::create_dir_all(dir)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join(LOCK_FILE))?;
        match file.try_lock() {
            Ok(()) => Ok(Ok(InstanceLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(Err(())),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}
