//! QR codes drawn here, no outside service: as SVG for the pages (the download page's poster
//! code, a payment's code URL) and as PNG for mail (the payment notice's codes), which mail
//! programs show where many do not show SVG.

use crate::error::AppError;

/// `text` as a QR code in SVG, at least 256 px.
pub fn svg(text: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(AppError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// Pixels per module of a PNG code, and the quiet zone around it in modules.
const PNG_SCALE: u32 = 6;
const QUIET_ZONE: u32 = 4;

/// `text` as a QR code in a greyscale PNG.
pub fn png(text: &str) -> Result<Vec<u8>, AppError> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(AppError::internal)?;
    let width = u32::try_from(code.width()).map_err(AppError::internal)?;
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_ZONE) * PNG_SCALE;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (column, row) = (x / PNG_SCALE, y / PNG_SCALE);
        let inside =
            (QUIET_ZONE..QUIET_ZONE + width).contains(&column) && (QUIET_ZONE..QUIET_ZONE + width).contains(&row);
        let dark =
            inside && colors[((row - QUIET_ZONE) * width + (column - QUIET_ZONE)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).map_err(AppError::internal)?;
    Ok(bytes.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_png_code_is_a_png_with_a_quiet_zone() {
        let png = super::png("https://consular.example/orders/1/pay?provider=alipay").expect("png");
        let image = image::load_from_memory(&png).expect("decodes").to_luma8();
        assert_eq!(image.width(), image.height());
        assert_eq!(image.get_pixel(0, 0).0, [255], "the quiet zone is light");
        let first_module = super::QUIET_ZONE * super::PNG_SCALE;
        assert_eq!(image.get_pixel(first_module, first_module).0, [0], "a finder pattern starts dark");
    }
}
