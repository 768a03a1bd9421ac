//! A picture of the card's QR code, made with a real QR encoder and a real PNG/JPEG codec, decoded.

use motcua_devices::{qr_image, DeviceError};

const CARD: &str = "001090012345|012345678|ĐẶNG HỮU PHƯỚC|05031990|Nam|Số 1, Phường Điện Biên, Quận Ba Đình, Hà Nội|10082021";

fn picture(text: &str, format: image::ImageFormat) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let module = 6u32;
    let w = code.width() as u32;
    let side = (w + 8) * module;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (cx, cy) = ((x / module) as i64 - 4, (y / module) as i64 - 4);
        let dark = cx >= 0 && cy >= 0 && cx < w as i64 && cy < w as i64 && code[(cx as usize, cy as usize)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageLuma8(img).write_to(&mut out, format).unwrap();
    out.into_inner()
}

#[test]
fn png_and_jpeg_pictures_of_the_card_are_read() {
    for f in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
        let got = qr_image::decode(&picture(CARD, f)).unwrap();
        assert_eq!(got, vec![CARD.to_string()], "{f:?}");
    }
}

#[test]
fn forged_and_empty_pictures_are_refused_in_words() {
    assert!(matches!(qr_image::decode(b"not an image"), Err(DeviceError::Image { .. })));
    let blank = {
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(200, 200, image::Luma([255]))).write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    assert_eq!(qr_image::decode(&blank), Err(DeviceError::NoQr));
    assert!(matches!(qr_image::decode(&vec![0u8; qr_image::MAX_IMAGE_BYTES + 1]), Err(DeviceError::Image { .. })));
    // a PNG header claiming a 100000×100000 picture: refused by the limits, not allocated
    let mut huge = picture("x", image::ImageFormat::Png);
    huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert!(qr_image::decode(&huge).is_err());
}
