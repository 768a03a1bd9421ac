//! The counter PC's log: `logs/<name>.log.YYYY-MM-DD` in the data directory, a new file each day, the
//! last 14 kept, and the same lines on stderr. What is logged is operational (a sync round failed, a
//! backup was made, a row was parked) and never personal: dossier codes and row ids, not names, ID
//! numbers, addresses or free text a citizen gave (docs/SECURITY.md). Modules log with `tracing`.

use std::path::Path;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// How many daily files are kept.
pub const KEEP_DAYS: usize = 14;

/// Kept for the life of the program. Lines are written to the file as they are logged (no
/// background writer), so a crash or `exit` loses none.
pub struct LogGuard(());

fn filter() -> EnvFilter {
    EnvFilter::try_from_env("MOTCUA_LOG").unwrap_or_else(|_| EnvFilter::new("info"))
}

/// Logs to `<data_dir>/logs/<name>.log.*` and stderr. When the directory cannot be written, logs to
/// stderr only (and says so): the app still starts.
pub fn to_file(data_dir: &Path, name: &str) -> LogGuard {
    let dir = data_dir.join("logs");
    let appender = std::fs::create_dir_all(&dir).map_err(|e| e.to_string()).and_then(|_| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(format!("{name}.log"))
            .max_log_files(KEEP_DAYS)
            .build(&dir)
            .map_err(|e| e.to_string())
    });
    match appender {
        Ok(file) => {
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(fmt::layer().with_writer(file).with_ansi(false))
                .with(fmt::layer().with_writer(std::io::stderr).with_target(false))
                .try_init();
            LogGuard(())
        }
        Err(e) => {
            to_stderr();
            tracing::warn!("no log file in {}: {e}", dir.display());
            LogGuard(())
        }
    }
}

/// Logs to stderr only (the CLI, the portal).
pub fn to_stderr() {
    let _ = tracing_subscriber::registry().with(filter()).with(fmt::layer().with_writer(std::io::stderr).with_target(false)).try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_reaches_the_daily_file() {
        let dir = tempfile::tempdir().unwrap();
        let guard = super::to_file(dir.path(), "test");
        tracing::info!("row 42 parked");
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(dir.path().join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert!(files[0].file_name().unwrap().to_str().unwrap().starts_with("test.log."));
        assert!(std::fs::read_to_string(&files[0]).unwrap().contains("row 42 parked"));
    }
}
