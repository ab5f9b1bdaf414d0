//! Pixel access shared by the detector and the check: RGB without a copy when the decoder
//! already produced it, and a small grey image for analysis.

use std::borrow::Cow;

use image::{DynamicImage, GrayImage, RgbImage};

/// The image as 8-bit RGB, borrowed when it already is (every JPEG and most PNGs).
pub fn rgb(image: &DynamicImage) -> Cow<'_, RgbImage> {
    match image.as_rgb8() {
        Some(rgb) => Cow::Borrowed(rgb),
        None => Cow::Owned(image.to_rgb8()),
    }
}

/// Rec. 601 luma in integer arithmetic.
fn luma([r, g, b]: [u8; 3]) -> u8 {
    ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8) as u8
}

/// The image in grey, shrunk (never enlarged) to fit in `side` × `side`, and the factor from
/// its coordinates back to the image's.
pub fn grey_within(image: &DynamicImage, side: u32) -> (GrayImage, f64) {
    let rgb = rgb(image);
    let grey: Vec<u8> = rgb.as_raw().chunks_exact(3).map(|p| luma([p[0], p[1], p[2]])).collect();
    let grey = GrayImage::from_raw(rgb.width(), rgb.height(), grey).unwrap_or_default();
    let longest = grey.width().max(grey.height());
    if longest <= side {
        return (grey, 1.0);
    }
    let scale = f64::from(longest) / f64::from(side);
    let fit = |length: u32| ((f64::from(length) / scale).round() as u32).max(1);
    let shrunk = image::imageops::thumbnail(&grey, fit(grey.width()), fit(grey.height()));
    (shrunk, scale)
}
