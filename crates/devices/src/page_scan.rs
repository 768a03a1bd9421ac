//! Document scanners (flatbed or sheet feeder): the one trait the counter scans through, whatever the
//! platform — SANE here (`sane`), WIA or eSCL on Windows (docs/windows-scanning.md: not built here) —
//! with the settings a clerk picks and the errors they can see. A scanner's problem becomes a core
//! error with its own `Reason` (jammed, cover open, busy, none found), worded for the clerk; pages
//! already scanned are kept by the caller, so nothing is lost.

use std::time::Duration;

use motcua_core::error::{CoreError, Reason};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The colour mode of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ScanMode {
    /// Grayscale, 8 bits: the default for papers (Circular 01/2023's 200 dpi minimum).
    #[default]
    Gray,
    Color,
    /// Black and white (1 bit): the smallest files for plain typed text.
    Lineart,
}

/// Where the paper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ScanSource {
    #[default]
    Flatbed,
    /// The automatic document feeder: every sheet in it, one page each.
    Feeder,
}

/// What the clerk chose (defaults: 200 dpi grayscale, flatbed, A4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScanSettings {
    pub dpi: u32,
    pub mode: ScanMode,
    pub source: ScanSource,
    /// At most this many pages from the feeder (ignored on the flatbed).
    pub max_pages: u32,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings { dpi: 200, mode: ScanMode::Gray, source: ScanSource::Flatbed, max_pages: 50 }
    }
}

/// The resolutions offered (others are refused: too coarse to read, or files too large).
pub const DPI_CHOICES: [u32; 4] = [150, 200, 300, 600];

impl ScanSettings {
    pub fn check(&self) -> motcua_core::error::Result<()> {
        if !DPI_CHOICES.contains(&self.dpi) {
            return Err(CoreError::validation("dpi", format!("Độ phân giải {} dpi không dùng được: chọn 150, 200, 300 hoặc 600", self.dpi)));
        }
        if self.max_pages == 0 || self.max_pages > motcua_core::documents::files::MAX_PAGES {
            return Err(CoreError::validation("max_pages", "Số trang tối đa mỗi lần quét không hợp lệ"));
        }
        Ok(())
    }
}

/// A scanner the system sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ScannerInfo {
    /// The system's name for it (SANE: `backend:device`), what `--device` takes.
    pub name: String,
    /// Maker and model, for the list.
    pub label: String,
}

/// One scanned page, decoded.
pub struct ScannedPage {
    pub image: image::DynamicImage,
    pub dpi: u32,
}

/// A document scanner.
pub trait PageScanner: Send + Sync {
    /// The scanners connected now.
    fn list(&self) -> motcua_core::error::Result<Vec<ScannerInfo>>;
    /// Scans with `settings` on `device` (the first scanner when None). A feeder scan returns every
    /// page it read; a failure after some pages returns those pages with the error (`partial`).
    fn scan(&self, device: Option<&str>, settings: &ScanSettings) -> Result<Vec<ScannedPage>, ScanFailure>;
}

/// The scanner of a system without a scanning backend yet (Windows, docs/windows.md): lists none and
/// answers a scan with `ScanUnavailable` and the way out (attach the file the scanner's program saved).
pub struct UnavailableHere;

impl PageScanner for UnavailableHere {
    fn list(&self) -> motcua_core::error::Result<Vec<ScannerInfo>> {
        Ok(Vec::new())
    }
    fn scan(&self, _device: Option<&str>, _settings: &ScanSettings) -> Result<Vec<ScannedPage>, ScanFailure> {
        Err(CoreError::Device(
            motcua_core::Reason::ScanUnavailable,
            "Máy này chưa quét trực tiếp được (Windows: chưa hỗ trợ WIA/eSCL). Quét bằng phần mềm của máy quét rồi đính kèm tệp (Alt+T).".into(),
        )
        .into())
    }
}

/// A scan that stopped: why, and the pages read before it stopped (kept, never lost).
pub struct ScanFailure {
    pub error: CoreError,
    pub partial: Vec<ScannedPage>,
}

impl From<CoreError> for ScanFailure {
    fn from(error: CoreError) -> Self {
        ScanFailure { error, partial: Vec::new() }
    }
}

/// The clerk's words for each scanner problem.
pub fn scanner_error(reason: Reason, detail: &str) -> CoreError {
    let message = match reason {
        Reason::NoScanner => "Không tìm thấy máy quét: kiểm tra máy quét đã bật, đã cắm cáp USB (hoặc cùng mạng), rồi quét lại".to_string(),
        Reason::ScannerJammed => "Máy quét bị kẹt giấy: mở nắp, gỡ tờ giấy bị kẹt rồi quét lại trang này (các trang đã quét vẫn giữ)".to_string(),
        Reason::ScannerCoverOpen => "Nắp máy quét (hoặc khay nạp giấy) đang mở: đóng lại rồi quét lại".to_string(),
        Reason::ScannerBusy => "Máy quét đang bận (máy khác hoặc chương trình khác đang dùng): chờ một lát rồi quét lại".to_string(),
        Reason::ScannerNoPaper => "Khay nạp giấy của máy quét trống: đặt giấy vào rồi quét lại".to_string(),
        Reason::ScanUnavailable => "Máy này chưa cài phần mềm máy quét (SANE): báo quản trị cài gói sane-utils".to_string(),
        _ => format!("Máy quét báo lỗi{}: thử quét lại; nếu vẫn lỗi, tắt và bật lại máy quét", if detail.is_empty() { String::new() } else { format!(" ({detail})") }),
    };
    CoreError::Device(reason, message)
}

/// How long one scan may take before it is given up (a slow A4 colour scan takes about a minute).
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(180);
