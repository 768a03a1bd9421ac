//! Fault switches for tests, read from `faults.json` in the data directory on every connection and
//! request (so a test, or `motcua-portal faults`, flips them while the server runs, even when the
//! server refuses every connection). Absent file = no faults.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub const FILE: &str = "faults.json";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultSwitches {
    /// Close every connection as soon as it is accepted.
    pub refuse: bool,
    /// Wait this long before handling a request.
    pub delay_ms: u64,
    /// Answer every request 503 without doing anything.
    pub status_5xx: bool,
    /// Commit the push (or enrolment, lease), then close the connection without answering.
    pub drop_after_commit: bool,
    /// Send the answer, then send the same bytes again.
    pub answer_twice: bool,
    /// Damage this many of the next document chunks received (one byte flipped before the check),
    /// as a bad line would (issue 16).
    pub corrupt_chunks: u32,
    /// Answer every document upload as if the disk were full (507 `disk_full`).
    pub blob_disk_full: bool,
}

#[derive(Clone)]
pub struct Faults {
    path: Option<Arc<PathBuf>>,
}

impl Faults {
    /// Switches read from `dir/faults.json` (enabled with `--faults`); `None` = never any fault.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Faults { path: dir.map(|d| Arc::new(d.join(FILE))) }
    }

    pub fn read(&self) -> FaultSwitches {
        let Some(p) = &self.path else { return FaultSwitches::default() };
        match std::fs::read(p.as_ref()) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("portal: {} unreadable ({e}); no faults", p.display());
                FaultSwitches::default()
            }),
            Err(_) => FaultSwitches::default(),
        }
    }

    /// Whether to damage the chunk just received (counts `corrupt_chunks` down).
    pub fn take_corrupt_chunk(&self) -> bool {
        let mut f = self.read();
        match (&self.path, f.corrupt_chunks) {
            (Some(p), n) if n > 0 => {
                f.corrupt_chunks = n - 1;
                let _ = p.parent().map(|dir| Self::write(dir, &f));
                true
            }
            _ => false,
        }
    }

    /// Writes the switches atomically (rename), for the `faults` subcommand and tests.
    pub fn write(dir: &std::path::Path, f: &FaultSwitches) -> std::io::Result<()> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec(f).expect("serialisable"))?;
        std::fs::rename(tmp, dir.join(FILE))
    }
}
