//! Shared by the documents tests and benchmark: the fixtures folder, and a page as a scanner gives it.

use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents").join(name)
}

/// The rendered text page (200 dpi gray A4) with a slightly gray paper and sensor noise (a fixed
/// pseudo-random sequence, so the size is the same every run).
pub fn scanned_text_page() -> image::DynamicImage {
    let clean = image::open(fixture("text-page-200dpi.png")).unwrap().to_luma8();
    let mut seed = 0x2545F491u32;
    image::DynamicImage::ImageLuma8(image::GrayImage::from_fn(clean.width(), clean.height(), |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let v = clean.get_pixel(x, y).0[0] as i32 * 235 / 255 + 12 + (seed % 9) as i32 - 4;
        image::Luma([v.clamp(0, 255) as u8])
    }))
}
