//! The QR code of an `otpauth://` URI as a PNG image, for CreateVirtualMFADevice's `QRCodePNG`
//! (the aws CLI writes it to a file with `--bootstrap-method QRCodePNG`). Black modules on white,
//! eight pixels a module, with the four-module quiet zone scanners need.

use qrcode::{Color, QrCode};

const SCALE: usize = 8;
const QUIET: usize = 4;

/// The PNG bytes of `text`'s QR code.
pub fn qr_png(text: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| e.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (row, col) = (i / modules + QUIET, i % modules + QUIET);
        for y in row * SCALE..(row + 1) * SCALE {
            let start = y * side + col * SCALE;
            pixels[start..start + SCALE].fill(0);
        }
    }
    let side = u32::try_from(side).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&pixels).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_is_a_square_png_with_dark_and_light_pixels() {
        let png_bytes = qr_png("otpauth://totp/Gatehouse:alice@acme?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(&png_bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(png_bytes.as_slice());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, info.height);
        assert_eq!(info.width as usize % SCALE, 0);
        let pixels = &buf[..info.buffer_size()];
        assert!(pixels.contains(&0) && pixels.contains(&255));
        // The quiet zone is white all round.
        assert!(pixels[..info.width as usize * QUIET * SCALE]
            .iter()
            .all(|p| *p == 255));
    }
}
