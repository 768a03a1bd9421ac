//! The document files themselves, content-addressed under `<data dir>/documents/`: a file is named by
//! the SHA-256 of its bytes (`documents/ab/abcd…`), written to a temporary file, fsync'd, renamed into
//! place and its directory fsync'd — and only then may an event refer to it. A crash at any point
//! leaves either no file under its name or the complete file; temporary leftovers and files no event
//! refers to are collected by `collect_orphans`. SQLite never holds the bytes.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{CoreError, Result};

/// The folder under the data directory.
pub const DIR: &str = "documents";
const TMP: &str = "tmp";

/// A stored file: its hash (64 lowercase hex digits) and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
}

/// The content-addressed store of one data directory.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

fn io(path: &Path, source: std::io::Error) -> CoreError {
    CoreError::Io { path: path.display().to_string(), source }
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` is a well-formed hash name (64 lowercase hex digits): anything else is refused before
/// it can become a path.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn check_hash(s: &str) -> Result<&str> {
    if is_hash(s) {
        Ok(s)
    } else {
        Err(CoreError::validation("sha256", "Mã băm tài liệu không hợp lệ (cần 64 chữ số hệ 16)"))
    }
}

/// Flushes a directory's entry table (the rename of a file into it) to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(dir, e))?;
    }
    #[cfg(not(unix))]
    {
        // Windows has no directory handle to flush: NTFS journals the rename itself.
        let _ = dir;
    }
    Ok(())
}

impl Blobs {
    /// The store of a data directory (created on first write).
    pub fn at(data_dir: &Path) -> Blobs {
        Blobs { root: data_dir.join(DIR) }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file of `sha256` lives (whether or not it is there).
    pub fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(sha256)
    }

    /// Stores `bytes` and returns their reference; storing the same bytes again is a no-op. Durable
    /// when it returns: the file and its directory entry are on disk.
    pub fn put(&self, bytes: &[u8]) -> Result<BlobRef> {
        let sha256 = sha256_hex(bytes);
        let size = bytes.len() as u64;
        let dest = self.path(&sha256);
        if self.verify(&sha256, size).is_ok() {
            return Ok(BlobRef { sha256, size });
        }
        let tmp_dir = self.root.join(TMP);
        fs::create_dir_all(&tmp_dir).map_err(|e| io(&tmp_dir, e))?;
        let shard = dest.parent().expect("sharded").to_path_buf();
        let new_shard = !shard.exists();
        fs::create_dir_all(&shard).map_err(|e| io(&shard, e))?;
        if new_shard {
            sync_dir(&self.root)?;
        }
        let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        let written = (|| -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(io(&tmp, e));
        }
        if let Err(e) = fs::rename(&tmp, &dest) {
            let _ = fs::remove_file(&tmp);
            return Err(io(&dest, e));
        }
        sync_dir(&shard)?;
        Ok(BlobRef { sha256, size })
    }

    /// Whether the file of `sha256` is here (not checked).
    pub fn has(&self, sha256: &str) -> bool {
        is_hash(sha256) && self.path(sha256).is_file()
    }

    /// Reads the file of `sha256`, checking its hash (a file changed on disk is an error, never served).
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        check_hash(sha256)?;
        let path = self.path(sha256);
        let bytes = fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CoreError::NotFound(format!("Tài liệu {} không có trên máy này", short(sha256))),
            _ => io(&path, e),
        })?;
        if sha256_hex(&bytes) != sha256 {
            return Err(CoreError::Conflict(format!("Tệp tài liệu {} trên máy đã bị thay đổi (mã băm không khớp): không dùng được", short(sha256))));
        }
        Ok(bytes)
    }

    /// Checks that the file of `sha256` is here, complete (`size`) and unchanged (its hash), reading it
    /// in pieces.
    pub fn verify(&self, sha256: &str, size: u64) -> Result<()> {
        check_hash(sha256)?;
        let path = self.path(sha256);
        let mut f = File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CoreError::NotFound(format!("Tài liệu {} không có trên máy này", short(sha256))),
            _ => io(&path, e),
        })?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut n = 0u64;
        loop {
            let k = f.read(&mut buf).map_err(|e| io(&path, e))?;
            if k == 0 {
                break;
            }
            n += k as u64;
            h.update(&buf[..k]);
        }
        if n != size || hex(&h.finalize()) != sha256 {
            return Err(CoreError::Conflict(format!("Tệp tài liệu {} trên máy không khớp mã băm hoặc kích thước", short(sha256))));
        }
        Ok(())
    }

    /// Removes the local file of `sha256` (retention, orphans). Missing is fine.
    pub fn remove(&self, sha256: &str) -> Result<()> {
        check_hash(sha256)?;
        let path = self.path(sha256);
        match fs::remove_file(&path) {
            Ok(()) => sync_dir(path.parent().expect("sharded")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&path, e)),
        }
    }

    /// Every stored file: (hash, size). Names that are not hashes are skipped (never touched).
    pub fn list(&self) -> Result<Vec<BlobRef>> {
        let mut out = Vec::new();
        let Ok(shards) = fs::read_dir(&self.root) else { return Ok(out) };
        for shard in shards.flatten() {
            let name = shard.file_name().to_string_lossy().to_string();
            if name.len() != 2 || !shard.path().is_dir() {
                continue;
            }
            for f in fs::read_dir(shard.path()).map_err(|e| io(&shard.path(), e))?.flatten() {
                let n = f.file_name().to_string_lossy().to_string();
                if is_hash(&n) && n.starts_with(&name) {
                    let size = f.metadata().map_err(|e| io(&f.path(), e))?.len();
                    out.push(BlobRef { sha256: n, size });
                }
            }
        }
        out.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        Ok(out)
    }

    /// Removes temporary leftovers of interrupted writes older than `min_age`, and stored files not in
    /// `keep` older than `min_age` (a file written for a dossier being confirmed right now is young and
    /// is kept). Returns (files removed, bytes freed).
    pub fn collect_orphans(&self, keep: &HashSet<String>, min_age: std::time::Duration) -> Result<(u64, u64)> {
        let old = |p: &Path| -> bool {
            fs::metadata(p).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age >= min_age)
        };
        let (mut files, mut bytes) = (0u64, 0u64);
        if let Ok(tmp) = fs::read_dir(self.root.join(TMP)) {
            for f in tmp.flatten() {
                if old(&f.path()) {
                    bytes += f.metadata().map(|m| m.len()).unwrap_or(0);
                    fs::remove_file(f.path()).map_err(|e| io(&f.path(), e))?;
                    files += 1;
                }
            }
        }
        for b in self.list()? {
            if !keep.contains(&b.sha256) && old(&self.path(&b.sha256)) {
                self.remove(&b.sha256)?;
                files += 1;
                bytes += b.size;
            }
        }
        Ok((files, bytes))
    }
}

/// The first 12 digits of a hash, for messages.
pub fn short(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_is_content_addressed_durable_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::at(dir.path());
        let a = blobs.put(b"%PDF-1.7 one").unwrap();
        assert_eq!(a.sha256, sha256_hex(b"%PDF-1.7 one"));
        assert_eq!(a.size, 12);
        assert!(blobs.path(&a.sha256).starts_with(dir.path().join("documents").join(&a.sha256[..2])));
        let again = blobs.put(b"%PDF-1.7 one").unwrap();
        assert_eq!(again, a);
        assert_eq!(blobs.read(&a.sha256).unwrap(), b"%PDF-1.7 one");
        assert_eq!(blobs.list().unwrap(), vec![a.clone()]);
        // no temporary file is left behind
        assert_eq!(fs::read_dir(blobs.root().join(TMP)).unwrap().count(), 0);
    }

    #[test]
    fn a_changed_file_is_never_served_and_a_rewrite_repairs_it() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::at(dir.path());
        let a = blobs.put(b"genuine bytes").unwrap();
        fs::write(blobs.path(&a.sha256), b"forged bytes!").unwrap();
        assert!(matches!(blobs.read(&a.sha256), Err(CoreError::Conflict(_))));
        assert!(blobs.verify(&a.sha256, a.size).is_err());
        blobs.put(b"genuine bytes").unwrap();
        assert_eq!(blobs.read(&a.sha256).unwrap(), b"genuine bytes");
    }

    #[test]
    fn hostile_hash_names_never_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::at(dir.path());
        for bad in ["../../etc/passwd", "", "ABCDEF", &"g".repeat(64), &"A".repeat(64)] {
            assert!(blobs.read(bad).is_err(), "{bad}");
            assert!(!blobs.has(bad));
            assert!(blobs.remove(bad).is_err());
        }
    }

    #[test]
    fn orphans_and_leftovers_are_collected_but_kept_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::at(dir.path());
        let keep = blobs.put(b"kept").unwrap();
        let orphan = blobs.put(b"orphan").unwrap();
        fs::write(blobs.root().join(TMP).join("x.part"), b"half").unwrap();
        let keep_set: HashSet<String> = [keep.sha256.clone()].into();
        // young files are left alone (a dossier may be being confirmed)
        assert_eq!(blobs.collect_orphans(&keep_set, std::time::Duration::from_secs(3600)).unwrap(), (0, 0));
        let (files, bytes) = blobs.collect_orphans(&keep_set, std::time::Duration::ZERO).unwrap();
        assert_eq!((files, bytes), (2, 6 + 4));
        assert!(blobs.has(&keep.sha256) && !blobs.has(&orphan.sha256));
    }
}
