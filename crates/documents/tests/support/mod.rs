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

/// A demo counter in `dir` (real SQLite file, system clock) with one dossier taken in.
pub fn demo_with_dossier(dir: &Path) -> (motcua_core::Store, motcua_core::dossier::Dossier) {
    let mut store = motcua_core::Store::open_dir(dir, std::sync::Arc::new(motcua_core::clock::SystemClock)).unwrap();
    store.ensure_demo().unwrap();
    let req: motcua_core::intake::IntakeRequest = serde_json::from_value(serde_json::json!({
        "procedure_code": "1.004873", "fee": 0,
        "applicant": {"full_name": "Trần Văn Bình", "id_type": "cccd", "id_number": "001090012345",
                      "date_of_birth": "1990-03-05", "phone": "0912345678", "address": "Ba Đình"}
    }))
    .unwrap();
    let d = motcua_core::intake::submit(&mut store, &req).unwrap();
    (store, d)
}
