//! iPhone photos (HEIC, HEVC-coded HEIF) read through `heif-convert` (Debian's libheif-examples) as a
//! child process, the way scanning uses `scanimage`: no C library at build time, the app starts
//! without it, and a file that makes the decoder hang is killed after `TIMEOUT`. The photo is turned
//! into a JPEG in a private temporary folder (0700, removed at once) and then goes the way of every
//! phone photo (`page::from_photo`). libheif applies the photo's rotation and mirroring itself.
//!
//! Where `heif-convert` is missing (Windows, or a PC without the package) the clerk gets the way out
//! in words: ask for a JPEG, or scan the paper.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use motcua_core::documents::files;
use motcua_core::error::Result;

/// A phone photo decodes in well under a second here; a file that takes longer is not a photo.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The converter: `MOTCUA_HEIF_CONVERT` if set (IT staff, tests), else `heif-convert` on the PATH.
pub fn program() -> PathBuf {
    std::env::var_os("MOTCUA_HEIF_CONVERT").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("heif-convert"))
}

/// The largest image size an `ispe` (image spatial extents) property of the file declares: read
/// before anything is decoded, so a file claiming a gigapixel image is refused without letting the
/// decoder allocate for it.
pub fn declared_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut best: Option<(u32, u32)> = None;
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(4).position(|w| w == b"ispe").map(|i| i + at) {
        at = i + 4;
        // box: size (4 bytes, before the type), "ispe", version and flags (4), width (4), height (4)
        if i < 4 || i + 16 > bytes.len() {
            continue;
        }
        let size = u32::from_be_bytes(bytes[i - 4..i].try_into().expect("4 bytes"));
        if size != 20 {
            continue;
        }
        let w = u32::from_be_bytes(bytes[i + 8..i + 12].try_into().expect("4 bytes"));
        let h = u32::from_be_bytes(bytes[i + 12..i + 16].try_into().expect("4 bytes"));
        if best.is_none_or(|(bw, bh)| w.max(h) > bw.max(bh)) {
            best = Some((w, h));
        }
    }
    best
}

/// The photo as JPEG bytes, through `program`.
pub fn to_jpeg_with(program: &Path, name: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    match declared_size(bytes) {
        None => return Err(files::heic_unreadable(name, "bị hỏng hoặc không đọc được")),
        Some((w, h)) if w.max(h) > files::MAX_PIXELS_SIDE => {
            return Err(files::heic_unreadable(name, &format!("quá lớn ({w}×{h} điểm ảnh, tối đa {} mỗi chiều)", files::MAX_PIXELS_SIDE)));
        }
        Some(_) => {}
    }
    let dir = tempfile::Builder::new()
        .prefix("motcua-heic-")
        .tempdir()
        .map_err(|e| files::heic_unreadable(name, &format!("chưa đọc được (không tạo được thư mục tạm: {e})")))?;
    let (input, output) = (dir.path().join("in.heic"), dir.path().join("out.jpg"));
    std::fs::write(&input, bytes).map_err(|e| files::heic_unreadable(name, &format!("chưa đọc được (không ghi được tệp tạm: {e})")))?;
    let mut child = match Command::new(program)
        .args(["-q", "92"])
        .arg(&input)
        .arg(&output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(program = %program.display(), "HEIC photo refused: no heif-convert on this machine");
            return Err(files::heic_unreadable(name, "chưa đọc được trên máy này (thiếu bộ đọc HEIC)"));
        }
        Err(e) => return Err(files::heic_unreadable(name, &format!("chưa đọc được ({e})"))),
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!("HEIC conversion killed after {} s", TIMEOUT.as_secs());
                return Err(files::heic_unreadable(name, "đọc quá lâu (tệp lạ)"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(files::heic_unreadable(name, &format!("chưa đọc được ({e})"))),
        }
    };
    let jpeg = std::fs::read(&output).ok().filter(|_| status.success());
    match jpeg {
        Some(j) if files::sniff(&j) == files::FileKind::Jpeg => Ok(j),
        _ => {
            tracing::warn!(status = ?status.code(), "HEIC conversion failed");
            Err(files::heic_unreadable(name, "bị hỏng hoặc không đọc được"))
        }
    }
}

/// The photo as JPEG bytes, through the configured converter.
pub fn to_jpeg(name: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    to_jpeg_with(&program(), name, bytes)
}
