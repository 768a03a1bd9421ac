//! A QR code in a picture of the card (a file chosen or an image pasted): decoded with `rqrr` (pure
//! Rust, no system library) from a PNG or JPEG read by `image`, bounded in size so a hostile file
//! cannot exhaust memory.

use crate::DeviceError;

/// The largest image file accepted.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// Pictures larger than this on a side are scaled down before searching for the code.
const WORK_SIDE: u32 = 1600;

/// Every QR code's text in the image, in the order found.
pub fn decode(bytes: &[u8]) -> Result<Vec<String>, DeviceError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(DeviceError::Image { detail: format!("tệp lớn quá {} MB", MAX_IMAGE_BYTES / 1024 / 1024) });
    }
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DeviceError::Image { detail: e.to_string() })?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| DeviceError::Image { detail: e.to_string() })?;
    let mut gray = img.to_luma8();
    if gray.width().max(gray.height()) > WORK_SIDE {
        let scale = WORK_SIDE as f32 / gray.width().max(gray.height()) as f32;
        let (w, h) = (((gray.width() as f32) * scale) as u32, ((gray.height() as f32) * scale) as u32);
        gray = image::imageops::resize(&gray, w.max(1), h.max(1), image::imageops::FilterType::Triangle);
    }
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    let found: Vec<String> = prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect();
    if found.is_empty() {
        return Err(DeviceError::NoQr);
    }
    Ok(found)
}
