//! The receipt's machine-readable marks, drawn as vector rectangles (sharp at any printer resolution):
//! a QR code of the portal's status-lookup URL (qrcode crate) and a Code 128 barcode of the dossier code
//! (barcoders crate), which the counter's handheld scanner reads at handover and return.

use barcoders::sym::code128::Code128;
use qrcode::{Color, EcLevel, QrCode};

/// A filled rectangle in points, measured from the symbol's top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// The dark modules of a QR code of `payload`, `size` points square (quiet zone not included).
pub fn qr(payload: &str, size: f32) -> Result<Vec<Bar>, String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).map_err(|e| format!("QR: {e}"))?;
    let n = code.width();
    let m = size / n as f32;
    let colors = code.to_colors();
    let mut bars = Vec::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == Color::Dark {
                    col += 1;
                }
                bars.push(Bar { x: start as f32 * m, y: row as f32 * m, w: (col - start) as f32 * m, h: m });
            } else {
                col += 1;
            }
        }
    }
    Ok(bars)
}

/// The bars of a Code 128 (character set B) barcode of `data`, `module` points per module and `height`
/// points tall; returns the bars and the total width (quiet zones not included).
pub fn code128(data: &str, module: f32, height: f32) -> Result<(Vec<Bar>, f32), String> {
    if !data.chars().all(|c| (' '..='~').contains(&c)) {
        return Err(format!("Code 128: \"{data}\" has characters outside ASCII"));
    }
    let bc = Code128::new(format!("Ɓ{data}")).map_err(|e| format!("Code 128: {e}"))?;
    let modules = bc.encode();
    let mut bars = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] == 1 {
            let start = i;
            while i < modules.len() && modules[i] == 1 {
                i += 1;
            }
            bars.push(Bar { x: start as f32 * module, y: 0.0, w: (i - start) as f32 * module, h: height });
        } else {
            i += 1;
        }
    }
    Ok((bars, modules.len() as f32 * module))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_fits_its_square_and_has_finder_patterns() {
        let bars = qr("https://dichvucong.example/tra-cuu?ma=000.00.31.H26-261123-0001", 60.0).unwrap();
        assert!(bars.iter().all(|b| b.x >= 0.0 && b.x + b.w <= 60.01 && b.y + b.h <= 60.01));
        // The top-left finder pattern starts with a run of 7 dark modules.
        let first = bars[0];
        assert_eq!(first.x, 0.0);
        assert!(first.w > 6.0 * first.h - 0.01);
    }

    #[test]
    fn code128_width_follows_the_data_and_refuses_non_ascii() {
        let (_, w1) = code128("000.00.31.H26-261123-0001", 1.0, 30.0).unwrap();
        // start + 25 symbols + checksum = 27 × 11 modules, + stop (13 modules).
        assert_eq!(w1, (27 * 11 + 13) as f32);
        assert!(code128("HỒ-SƠ", 1.0, 30.0).is_err());
    }
}
