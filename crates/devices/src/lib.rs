//! The counter's devices, outside the core and the window so they are tested with real parts:
//! - `scanner`: a card/barcode scanner in USB COM (CDC, serial) mode, which carries UTF-8 intact
//!   (tested with a socat pseudo-terminal pair standing for the scanner);
//! - `qr_image`: a QR code in a picture of the card (a file, or a paste), decoded;
//! - `page_scan` and `sane`: document scanners (SANE's `scanimage` on Linux, `cfg(unix)`; on Windows
//!   none yet: `system_scanner` says so, and files are attached instead — docs/windows.md).
//!
//! What was read goes to `motcua_core::card::parse`; nothing here decides what a card says.

pub mod page_scan;
pub mod qr_image;
#[cfg(unix)]
pub mod sane;
pub mod scanner;

/// The document scanners of this system: SANE (`scanimage`; `$MOTCUA_SANE_CONFIG` names a SANE
/// configuration folder of its own, for training and tests) on Linux; on Windows, until WIA or eSCL
/// is written (docs/windows.md), an answer that scanning is not available here.
pub fn system_scanner() -> Box<dyn page_scan::PageScanner> {
    #[cfg(unix)]
    {
        Box::new(sane::Sane::new("scanimage", std::env::var_os("MOTCUA_SANE_CONFIG").map(Into::into)))
    }
    #[cfg(not(unix))]
    {
        Box::new(page_scan::UnavailableHere)
    }
}

/// A device problem, in words for the clerk.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DeviceError {
    #[error("Không mở được cổng máy quét {port}: {detail}. Kiểm tra máy quét đã cắm và đúng cổng trong Thiết lập (F4).")]
    Open { port: String, detail: String },
    #[error("Mất kết nối với máy quét ở cổng {port} (rút cáp?): đang thử kết nối lại.")]
    Lost { port: String },
    #[error("Máy quét gửi dữ liệu không phải UTF-8: đặt máy quét ở chế độ USB COM, bảng mã UTF-8.")]
    NotUtf8,
    #[error("Máy quét gửi một chuỗi dài quá {max} byte: bỏ qua.")]
    TooLong { max: usize },
    #[error("Ảnh không đọc được ({detail}): dùng ảnh PNG hoặc JPEG.")]
    Image { detail: String },
    #[error("Không tìm thấy mã QR trong ảnh: chụp rõ, thẳng, đủ sáng mặt có mã QR của thẻ.")]
    NoQr,
}
