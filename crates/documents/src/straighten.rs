//! Straightening a phone photo of a paper: when the photo shows a sheet on a darker background, taken
//! at an angle, the sheet's four corners are found and the sheet is mapped onto an upright rectangle
//! (a perspective transform), so the page shows the paper, not the table it lay on.
//!
//! The detection works on a copy at most `DETECT_SIDE` pixels a side: Otsu's threshold separates the
//! bright paper from the background, the largest bright region is the sheet, and its corners are the
//! region's extreme points along the two diagonals. A region that is not a plausible sheet (too small,
//! filling the photo, not four-cornered) leaves the photo as it is: straightening never makes a photo
//! worse than not straightening it. The transform is solved and sampled here (an 8×8 linear system
//! and bilinear sampling) rather than by imageproc, whose projective warp brings nalgebra into the
//! build of every counter for some eighty lines.

use image::GrayImage;

/// The side of the copy the sheet is looked for in.
pub const DETECT_SIDE: u32 = 400;
/// The sheet must cover at least this share of the photo...
const MIN_AREA: f64 = 0.15;
/// ... and its corners enclose at most this share (else the photo is the sheet already).
const MAX_AREA: f64 = 0.92;
/// The four corners must enclose at least this share of the bright region (a sheet is a quadrilateral).
const MIN_FILL: f64 = 0.85;

type Pt = (f64, f64);

/// Otsu's threshold of a histogram.
fn otsu(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist.iter().enumerate().map(|(i, n)| i as f64 * *n as f64).sum();
    let (mut w0, mut sum0, mut best, mut at) = (0f64, 0f64, -1f64, 128u8);
    for (t, n) in hist.iter().enumerate() {
        w0 += *n as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total as f64 - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * *n as f64;
        let (m0, m1) = (sum0 / w0, (sum - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            at = t as u8;
        }
    }
    at
}

/// Twice the signed area of a polygon.
fn area2(p: &[Pt]) -> f64 {
    (0..p.len()).map(|i| {
        let (a, b) = (p[i], p[(i + 1) % p.len()]);
        a.0 * b.1 - b.0 * a.1
    }).sum()
}

fn dist(a: Pt, b: Pt) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// The sheet's corners in `img` (top left, top right, bottom right, bottom left), if it shows one.
pub fn find_sheet(img: &GrayImage) -> Option<[Pt; 4]> {
    let (w, h) = img.dimensions();
    let k = (DETECT_SIDE as f64 / w.max(h) as f64).min(1.0);
    let (sw, sh) = (((w as f64 * k).round() as u32).max(1), ((h as f64 * k).round() as u32).max(1));
    let small = image::imageops::resize(img, sw, sh, image::imageops::FilterType::Triangle);
    let mut hist = [0u64; 256];
    for p in small.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let t = otsu(&hist);
    // the largest 4-connected bright region
    let (sw_, sh_) = (sw as usize, sh as usize);
    let bright: Vec<bool> = small.pixels().map(|p| p.0[0] > t).collect();
    let mut label = vec![0u32; sw_ * sh_];
    let (mut best, mut best_n, mut next) = (0u32, 0usize, 0u32);
    let mut stack = Vec::new();
    for start in 0..bright.len() {
        if !bright[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        let mut n = 0;
        label[start] = next;
        stack.push(start);
        while let Some(i) = stack.pop() {
            n += 1;
            let (x, y) = (i % sw_, i / sw_);
            let mut visit = |j: usize| {
                if bright[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < sw_ {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - sw_);
            }
            if y + 1 < sh_ {
                visit(i + sw_);
            }
        }
        if n > best_n {
            (best, best_n) = (next, n);
        }
    }
    if (best_n as f64) < MIN_AREA * (sw_ * sh_) as f64 {
        return None;
    }
    // corners: the extremes along the diagonals
    let (mut tl, mut tr, mut br, mut bl) = ((0, f64::MAX), (0, f64::MIN), (0, f64::MIN), (0, f64::MAX));
    for (i, l) in label.iter().enumerate() {
        if *l != best {
            continue;
        }
        let (x, y) = ((i % sw_) as f64, (i / sw_) as f64);
        if x + y < tl.1 {
            tl = (i, x + y);
        }
        if x + y > br.1 {
            br = (i, x + y);
        }
        if x - y > tr.1 {
            tr = (i, x - y);
        }
        if x - y < bl.1 {
            bl = (i, x - y);
        }
    }
    let at = |i: usize| -> Pt { (((i % sw_) as f64 + 0.5) / k, ((i / sw_) as f64 + 0.5) / k) };
    let quad = [at(tl.0), at(tr.0), at(br.0), at(bl.0)];
    // a quadrilateral (clockwise on screen: positive area with y down) that holds the region
    let a = area2(&quad) / 2.0;
    let region = best_n as f64 / (k * k);
    let convex = (0..4).all(|i| {
        let (p, q, r) = (quad[i], quad[(i + 1) % 4], quad[(i + 2) % 4]);
        (q.0 - p.0) * (r.1 - q.1) - (q.1 - p.1) * (r.0 - q.0) > 0.0
    });
    if !convex || a <= 0.0 || region / a < MIN_FILL || a / region < MIN_FILL || a > MAX_AREA * (w as f64 * h as f64) {
        return None;
    }
    Some(quad)
}

/// The homography taking the unit rectangle (0,0) (1,0) (1,1) (0,1) scaled to `w`×`h` to `quad`:
/// eight coefficients, solved by Gaussian elimination with partial pivoting.
fn homography(w: f64, h: f64, quad: &[Pt; 4]) -> Option<[f64; 8]> {
    let src = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let mut m = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (src[i], quad[i]);
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for c in 0..8 {
        let p = (c..8).max_by(|a, b| m[*a][c].abs().total_cmp(&m[*b][c].abs()))?;
        if m[p][c].abs() < 1e-12 {
            return None;
        }
        m.swap(c, p);
        for r in 0..8 {
            if r != c {
                let f = m[r][c] / m[c][c];
                for k in c..9 {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
    }
    let mut out = [0f64; 8];
    for i in 0..8 {
        out[i] = m[i][8] / m[i][i];
    }
    Some(out)
}

/// `img`'s region `quad` mapped onto an upright `w`×`h` image (bilinear sampling; outside is white).
pub fn warp(img: &GrayImage, quad: &[Pt; 4], w: u32, h: u32) -> Option<GrayImage> {
    let hm = homography(w as f64, h as f64, quad)?;
    let (iw, ih) = img.dimensions();
    Some(GrayImage::from_fn(w, h, |x, y| {
        let (x, y) = (x as f64 + 0.5, y as f64 + 0.5);
        let d = hm[6] * x + hm[7] * y + 1.0;
        let (u, v) = ((hm[0] * x + hm[1] * y + hm[2]) / d - 0.5, (hm[3] * x + hm[4] * y + hm[5]) / d - 0.5);
        if !(0.0..(iw - 1) as f64).contains(&u) || !(0.0..(ih - 1) as f64).contains(&v) {
            return image::Luma([255]);
        }
        let (x0, y0) = (u.floor() as u32, v.floor() as u32);
        let (fx, fy) = (u - x0 as f64, v - y0 as f64);
        let p = |x, y| img.get_pixel(x, y).0[0] as f64;
        let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
        let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
        image::Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    }))
}

/// The sheet in the photo, upright, at the photo's own resolution along the sheet (an A4-like
/// sheet gets A4's proportions exactly); None when the photo does not show a sheet on a background.
pub fn straighten(img: &GrayImage) -> Option<GrayImage> {
    let q = find_sheet(img)?;
    let width = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2.0;
    let height = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2.0;
    let ratio = height.max(width) / height.min(width);
    let a4 = 297.0 / 210.0;
    let (mut w, mut h) = (width, height);
    if (ratio - a4).abs() < 0.12 {
        // an A4 sheet seen at an angle: its true proportions
        if h >= w {
            h = w * a4;
        } else {
            w = h * a4;
        }
    }
    // never larger than an A4 page at 200 dpi (what the page is fitted to next)
    let cap = if w > h { (2339.0, 1654.0) } else { (1654.0, 2339.0) };
    let k = (cap.0 / w).min(cap.1 / h).min(1.0);
    warp(img, &q, (w * k).round().max(1.0) as u32, (h * k).round().max(1.0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet (white, with a dark bar near its top) photographed on a dark table at an angle.
    fn photo_of_sheet(corners: [Pt; 4]) -> (GrayImage, GrayImage) {
        let sheet = GrayImage::from_fn(420, 594, |x, y| image::Luma([if (40..80).contains(&y) && (40..380).contains(&x) { 20 } else { 235 }]));
        let hm = homography(420.0, 594.0, &corners).unwrap();
        // render: for each photo pixel, where on the sheet it falls (inverse by search is costly, so
        // forward-map the sheet densely)
        let mut photo = GrayImage::from_pixel(800, 900, image::Luma([50]));
        for sy in 0..594 * 2 {
            for sx in 0..420 * 2 {
                let (x, y) = (sx as f64 / 2.0, sy as f64 / 2.0);
                let d = hm[6] * x + hm[7] * y + 1.0;
                let (u, v) = ((hm[0] * x + hm[1] * y + hm[2]) / d, (hm[3] * x + hm[4] * y + hm[5]) / d);
                if (0.0..800.0).contains(&u) && (0.0..900.0).contains(&v) {
                    photo.put_pixel(u as u32, v as u32, *sheet.get_pixel((x as u32).min(419), (y as u32).min(593)));
                }
            }
        }
        (photo, sheet)
    }

    #[test]
    fn a_sheet_taken_at_an_angle_is_found_and_made_upright() {
        let corners = [(180.0, 90.0), (610.0, 140.0), (680.0, 820.0), (120.0, 760.0)];
        let (photo, sheet) = photo_of_sheet(corners);
        let q = find_sheet(&photo).expect("the sheet is found");
        for (f, c) in q.iter().zip(corners) {
            assert!(dist(*f, c) < 12.0, "corner {f:?} far from {c:?}");
        }
        let out = straighten(&photo).unwrap();
        let ratio = out.height() as f64 / out.width() as f64;
        assert!((ratio - 297.0 / 210.0).abs() < 0.01, "{}x{}", out.width(), out.height());
        // the result looks like the sheet: compare both at the same small size
        let a = image::imageops::resize(&out, 42, 59, image::imageops::FilterType::Triangle);
        let b = image::imageops::resize(&sheet, 42, 59, image::imageops::FilterType::Triangle);
        let diff: f64 = a.pixels().zip(b.pixels()).map(|(p, q)| (p.0[0] as f64 - q.0[0] as f64).abs()).sum::<f64>() / (42.0 * 59.0);
        assert!(diff < 20.0, "mean difference {diff}");
        // the background is gone: the borders are paper
        let border: f64 = (0..out.width()).map(|x| out.get_pixel(x, 3).0[0] as f64).sum::<f64>() / out.width() as f64;
        assert!(border > 200.0, "top border {border}");
    }

    #[test]
    fn a_phone_photo_of_a_typed_page_at_an_angle_becomes_an_upright_a4_page() {
        // the typed page fixture, "photographed" on a dark table at an angle, as a phone JPEG
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/documents/text-page-200dpi.png");
        let page = image::open(dir).unwrap().to_luma8();
        let page = image::imageops::resize(&page, 827, 1170, image::imageops::FilterType::Triangle);
        let corners = [(300.0, 160.0), (1150.0, 260.0), (1260.0, 1500.0), (190.0, 1420.0)];
        let hm = homography(827.0, 1170.0, &corners).unwrap();
        let mut photo = image::RgbImage::from_pixel(1500, 1700, image::Rgb([70, 55, 40]));
        for sy in 0..1170 * 2 {
            for sx in 0..827 * 2 {
                let (x, y) = (sx as f64 / 2.0, sy as f64 / 2.0);
                let d = hm[6] * x + hm[7] * y + 1.0;
                let (u, v) = ((hm[0] * x + hm[1] * y + hm[2]) / d, (hm[3] * x + hm[4] * y + hm[5]) / d);
                let g = page.get_pixel((x as u32).min(826), (y as u32).min(1169)).0[0];
                photo.put_pixel(u as u32, v as u32, image::Rgb([g, g, g.saturating_sub(8)]));
            }
        }
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgb8(photo)
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85))
            .unwrap();
        let out = crate::page::from_photo("IMG_0420.jpg", &jpeg).unwrap();
        // A4 proportions, and the page's own top line is at the top (the table is gone)
        let ratio = out.height as f64 / out.width as f64;
        assert!((ratio - 297.0 / 210.0).abs() < 0.01, "{}x{}", out.width, out.height);
        let shown = image::load_from_memory(&out.preview(600).unwrap()).unwrap().to_luma8();
        let dark_border = (0..shown.width()).filter(|x| shown.get_pixel(*x, 2).0[0] < 120).count();
        assert!(dark_border < shown.width() as usize / 20, "the table shows along the top: {dark_border}");
        let reference = image::imageops::resize(&page, shown.width(), shown.height(), image::imageops::FilterType::Triangle);
        let diff: f64 = shown.pixels().zip(reference.pixels()).map(|(p, q)| (p.0[0] as f64 - q.0[0] as f64).abs()).sum::<f64>() / (shown.width() * shown.height()) as f64;
        assert!(diff < 25.0, "mean difference from the page {diff}");
        if let Ok(d) = std::env::var("MOTCUA_KEEP_STRAIGHTENED") {
            shown.save(std::path::Path::new(&d).join("straightened.png")).unwrap();
        }
    }

    #[test]
    fn a_photo_that_is_all_paper_or_has_no_sheet_is_left_alone() {
        let paper = GrayImage::from_fn(600, 800, |x, y| image::Luma([if (x / 20 + y / 30) % 7 == 0 { 30 } else { 230 }]));
        assert!(straighten(&paper).is_none());
        let noise = GrayImage::from_fn(600, 800, |x, y| image::Luma([((x * 7919 + y * 104729) % 251) as u8]));
        assert!(straighten(&noise).is_none());
        let small_note = GrayImage::from_fn(600, 800, |x, y| image::Luma([if (280..320).contains(&x) && (380..420).contains(&y) { 240 } else { 40 }]));
        assert!(straighten(&small_note).is_none(), "a sheet under 15% of the photo is not taken for the page");
    }

    #[test]
    fn the_homography_maps_the_corners() {
        let q = [(10.0, 20.0), (300.0, 5.0), (320.0, 400.0), (0.0, 380.0)];
        let hm = homography(100.0, 200.0, &q).unwrap();
        for ((x, y), c) in [(0.0, 0.0), (100.0, 0.0), (100.0, 200.0), (0.0, 200.0)].into_iter().zip(q) {
            let d = hm[6] * x + hm[7] * y + 1.0;
            let (u, v) = ((hm[0] * x + hm[1] * y + hm[2]) / d, (hm[3] * x + hm[4] * y + hm[5]) / d);
            assert!(dist((u, v), c) < 1e-6);
        }
    }
}
