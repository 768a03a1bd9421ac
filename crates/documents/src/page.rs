//! One page as it goes into a document's PDF: the pixels already compressed the way the PDF will
//! carry them — a JPEG (grayscale or colour, DCTDecode) or, for black-and-white scans, 1-bit rows
//! compressed with Flate — plus its size in pixels and its resolution. Scanned pages keep their
//! resolution; citizens' photos are turned upright (their EXIF orientation), made gray and fitted to
//! an A4 page at 200 dpi.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, ImageDecoder, ImageReader};
use motcua_core::documents::files::{self, FileKind};
use motcua_core::error::{CoreError, Result};
use motcua_devices::page_scan::{ScanMode, ScannedPage};

/// JPEG quality of gray pages (mozjpeg's scale): about 125 kB for an A4 page of typed text at 200 dpi,
/// every character as legible as the scan (docs/BENCHMARKS.md "Document size").
pub const GRAY_QUALITY: u8 = 55;
/// JPEG quality of colour pages (photos of colour papers keep a little more).
pub const COLOR_QUALITY: u8 = 60;
/// Photos are fitted to A4 at this resolution.
pub const PHOTO_DPI: u32 = 200;
/// A4 in millimetres.
pub const A4_MM: (f64, f64) = (210.0, 297.0);

/// How a page's pixels are compressed in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JPEG, 8-bit gray.
    JpegGray,
    /// JPEG, 8-bit RGB.
    JpegColor,
    /// 1 bit per pixel (0 = black), rows padded to a byte, Flate-compressed.
    Bilevel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub data: Vec<u8>,
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
}

impl Page {
    /// A page from a scanner: kept at its resolution, compressed for the mode.
    pub fn from_scan(p: &ScannedPage, mode: ScanMode) -> Result<Page> {
        encode(&p.image, mode, p.dpi)
    }

    /// A small JPEG of the page for the screen (at most `max_side` pixels on its longer side).
    pub fn preview(&self, max_side: u32) -> Result<Vec<u8>> {
        let img = match self.encoding {
            Encoding::JpegGray | Encoding::JpegColor => image::load_from_memory_with_format(&self.data, image::ImageFormat::Jpeg).map_err(internal)?,
            Encoding::Bilevel => {
                let mut raw = Vec::new();
                use std::io::Read;
                flate2::read::ZlibDecoder::new(&self.data[..]).read_to_end(&mut raw).map_err(|e| CoreError::Internal(e.to_string()))?;
                let row = self.width.div_ceil(8) as usize;
                let img = image::GrayImage::from_fn(self.width, self.height, |x, y| {
                    let b = raw.get(y as usize * row + x as usize / 8).copied().unwrap_or(0xFF);
                    image::Luma([if b & (0x80 >> (x % 8)) != 0 { 255 } else { 0 }])
                });
                DynamicImage::ImageLuma8(img)
            }
        };
        let small = img.thumbnail(max_side, max_side);
        jpeg(&small.to_luma8().into(), 70)
    }
}

fn internal(e: image::ImageError) -> CoreError {
    CoreError::Internal(format!("image: {e}"))
}

/// JPEG bytes of a gray or RGB image (mozjpeg: trellis quantization, progressive, optimized Huffman).
/// libjpeg reports its errors by unwinding: caught here and turned into an error for this page only.
pub fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let (w, h) = img.dimensions();
    let (space, pixels) = match img {
        DynamicImage::ImageLuma8(g) => (mozjpeg::ColorSpace::JCS_GRAYSCALE, std::borrow::Cow::Borrowed(g.as_raw().as_slice())),
        other => (mozjpeg::ColorSpace::JCS_RGB, std::borrow::Cow::Owned(other.to_rgb8().into_raw())),
    };
    std::panic::catch_unwind(|| -> std::io::Result<Vec<u8>> {
        let mut c = mozjpeg::Compress::new(space);
        c.set_size(w as usize, h as usize);
        c.set_quality(quality as f32);
        c.set_progressive_mode();
        c.set_optimize_coding(true);
        // trying every scan layout saves another 10 % of bytes (109 → 123 kB a page of text) but costs
        // 75 ms a page on this machine (211 → 135 ms): the page-to-attached target (p50 < 300 ms) wins
        c.set_optimize_scans(false);
        let mut started = c.start_compress(Vec::with_capacity(256 * 1024))?;
        started.write_scanlines(&pixels)?;
        started.finish()
    })
    .map_err(|_| CoreError::Internal("jpeg: the encoder failed".into()))?
    .map_err(|e| CoreError::Internal(format!("jpeg: {e}")))
}

/// Sets the paper to white: the brightest common level of the page (the paper, with its texture and
/// the sensor's noise) becomes the white point, and the levels below it are stretched. Text and
/// stamps keep their contrast (they are far below the paper); the paper's grain, which costs JPEG most
/// of its bytes and helps nobody read, becomes flat white — what document-scanning software does.
pub fn whiten(mut gray: image::GrayImage) -> image::GrayImage {
    let mut hist = [0u64; 256];
    for p in gray.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    // the paper: the most common level in the bright half (a page with little paper keeps its levels)
    let (paper, count) = (128..256).map(|v| (v, hist[v])).max_by_key(|&(_, n)| n).unwrap_or((255, 0));
    let total = (gray.width() as u64 * gray.height() as u64).max(1);
    if count * 20 < total {
        return gray;
    }
    let white = paper.saturating_sub(14).max(140) as u32;
    let mut lut = [0u8; 256];
    for (v, out) in lut.iter_mut().enumerate() {
        *out = ((v as u32 * 255) / white).min(255) as u8;
    }
    for p in gray.pixels_mut() {
        p.0[0] = lut[p.0[0] as usize];
    }
    gray
}

/// Compresses an image for a mode.
pub fn encode(img: &DynamicImage, mode: ScanMode, dpi: u32) -> Result<Page> {
    let (width, height) = img.dimensions();
    let (data, encoding) = match mode {
        ScanMode::Gray => (jpeg(&DynamicImage::ImageLuma8(whiten(img.to_luma8())), GRAY_QUALITY)?, Encoding::JpegGray),
        ScanMode::Color => (jpeg(&DynamicImage::ImageRgb8(img.to_rgb8()), COLOR_QUALITY)?, Encoding::JpegColor),
        ScanMode::Lineart => {
            let gray = img.to_luma8();
            let row = width.div_ceil(8) as usize;
            let mut bits = vec![0u8; row * height as usize];
            for (x, y, p) in gray.enumerate_pixels() {
                if p.0[0] >= 128 {
                    bits[y as usize * row + x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
            use std::io::Write;
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(&bits).map_err(|e| CoreError::Internal(e.to_string()))?;
            (z.finish().map_err(|e| CoreError::Internal(e.to_string()))?, Encoding::Bilevel)
        }
    };
    Ok(Page { data, encoding, width, height, dpi })
}

/// Checks that a JPEG file is whole (its last marker is the end of image): a photo cut short in
/// transfer would otherwise decode with a gray band where the rest of the paper was.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    let end = tail.iter().rposition(|&b| b != 0 && b != 0xFF && b != b'\n' && b != b'\r');
    tail.windows(2).rposition(|w| w == [0xFF, 0xD9]).is_some_and(|eoi| end.is_none_or(|e| e <= eoi + 1))
}

/// A citizen's photo (JPEG or PNG) as an A4 page: decoded within limits, turned upright by its EXIF
/// orientation, the sheet straightened when it was taken at an angle on a background (`straighten`),
/// made gray and fitted to A4 at 200 dpi (a landscape photo on a landscape page).
pub fn from_photo(name: &str, bytes: &[u8]) -> Result<Page> {
    let shown = files::shown_name(name);
    let kind = files::check_incoming(name, bytes)?;
    let unreadable = || CoreError::validation("file", format!("Ảnh \"{shown}\" bị hỏng hoặc không trọn vẹn (tải về chưa xong?): hãy chép hoặc gửi lại ảnh"));
    if kind == FileKind::Jpeg && !jpeg_is_whole(bytes) {
        return Err(unreadable());
    }
    if !matches!(kind, FileKind::Jpeg | FileKind::Png) {
        return Err(CoreError::validation("file", format!("Tệp \"{shown}\" không phải ảnh JPEG hay PNG")));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| unreadable())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(files::MAX_PIXELS_SIDE);
    limits.max_image_height = Some(files::MAX_PIXELS_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| too_big_or(e, &shown, unreadable()))?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| too_big_or(e, &shown, unreadable()))?;
    img.apply_orientation(orientation);
    // a sheet photographed on a table at an angle: the sheet alone, upright
    if let Some(sheet) = crate::straighten::straighten(&img.to_luma8()) {
        img = DynamicImage::ImageLuma8(sheet);
    }
    let (w, h) = img.dimensions();
    if w < 200 || h < 200 {
        return Err(CoreError::validation("file", format!("Ảnh \"{shown}\" quá nhỏ ({w}×{h} điểm ảnh) để đọc được giấy tờ: hãy chụp lại gần hơn")));
    }
    // A4 at 200 dpi, portrait or landscape like the photo
    let (pw, ph) = if w > h { (2339, 1654) } else { (1654, 2339) };
    let img = if w > pw || h > ph { img.resize(pw, ph, image::imageops::FilterType::Triangle) } else { img };
    let (w, h) = img.dimensions();
    // the resolution at which the photo fills the page's width or height
    let dpi = ((w as f64 / (if w > h { A4_MM.1 } else { A4_MM.0 }) * 25.4).max(h as f64 / (if w > h { A4_MM.0 } else { A4_MM.1 }) * 25.4)).ceil() as u32;
    encode(&img, ScanMode::Gray, dpi.max(72))
}

fn too_big_or(e: image::ImageError, shown: &str, otherwise: CoreError) -> CoreError {
    match e {
        image::ImageError::Limits(_) => CoreError::validation("file", format!("Ảnh \"{shown}\" quá lớn (hơn {} điểm ảnh mỗi chiều)", files::MAX_PIXELS_SIDE)),
        _ => otherwise,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)).unwrap();
        out
    }

    #[test]
    fn a_photo_becomes_a_gray_a4_page() {
        let p = from_photo("IMG_0001.jpg", &photo(3000, 4000)).unwrap();
        assert_eq!(p.encoding, Encoding::JpegGray);
        assert!(p.width <= 1654 && p.height <= 2339, "{}x{}", p.width, p.height);
        assert!((195..=205).contains(&p.dpi), "{}", p.dpi);
        let land = from_photo("x.jpg", &photo(4000, 3000)).unwrap();
        assert!(land.width > land.height);
        assert!(!p.preview(300).unwrap().is_empty());
    }

    #[test]
    fn cut_short_or_tiny_photos_are_refused_in_words() {
        let whole = photo(800, 1000);
        let cut = &whole[..whole.len() * 2 / 3];
        let e = from_photo("cut.jpg", cut).unwrap_err().to_string();
        assert!(e.contains("không trọn vẹn"), "{e}");
        assert!(from_photo("tiny.jpg", &photo(100, 100)).unwrap_err().to_string().contains("quá nhỏ"));
        // trailing padding after the end marker is fine
        let mut padded = whole.clone();
        padded.extend([0u8; 16]);
        assert!(from_photo("p.jpg", &padded).is_ok());
    }

    #[test]
    fn lineart_is_one_bit_and_round_trips() {
        let img = DynamicImage::ImageLuma8(image::GrayImage::from_fn(100, 50, |x, _| image::Luma([if x < 50 { 0 } else { 255 }])));
        let p = encode(&img, ScanMode::Lineart, 200).unwrap();
        assert_eq!(p.encoding, Encoding::Bilevel);
        let back = image::load_from_memory(&p.preview(100).unwrap()).unwrap().to_luma8();
        assert_eq!(back.dimensions(), (100, 50));
        assert!(back.get_pixel(10, 10).0[0] < 60 && back.get_pixel(90, 10).0[0] > 200);
    }
}
