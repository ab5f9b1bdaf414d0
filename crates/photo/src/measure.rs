//! What the rules measure on the pixels: brightness and colour statistics of a region,
//! sampled on a fixed grid, and the sharpness of the face.

use crate::faces::Face;
use image::{DynamicImage, GenericImageView};

/// Luminance and chroma statistics of a set of pixels.
#[derive(Default)]
pub struct Stats {
    pub n: f64,
    sum: f64,
    sum_sq: f64,
    chroma: f64,
    colour: [f64; 3],
    pub clipped: f64,
}

impl Stats {
    fn add(&mut self, [r, g, b]: [u8; 3]) {
        let luma = crate::raster::luma([r, g, b]);
        self.n += 1.0;
        self.sum += luma;
        self.sum_sq += luma * luma;
        self.chroma += f64::from(r.max(g).max(b) - r.min(g).min(b));
        for (sum, value) in self.colour.iter_mut().zip([r, g, b]) {
            *sum += f64::from(value);
        }
        if luma >= 250.0 || luma <= 5.0 {
            self.clipped += 1.0;
        }
    }
    pub fn mean(&self) -> f64 {
        self.sum / self.n.max(1.0)
    }
    pub fn std_dev(&self) -> f64 {
        (self.sum_sq / self.n.max(1.0) - self.mean().powi(2)).max(0.0).sqrt()
    }
    pub fn mean_chroma(&self) -> f64 {
        self.chroma / self.n.max(1.0)
    }
    /// The mean red, green and blue.
    pub fn mean_colour(&self) -> [f64; 3] {
        self.colour.map(|sum| sum / self.n.max(1.0))
    }
}

/// Which pixels [`stats`] reads: those in `x` × `y` for which `keep(x, y)` holds.
pub struct Region<F> {
    pub x: std::ops::Range<u32>,
    pub y: std::ops::Range<u32>,
    pub keep: F,
}

/// Statistics over the pixels of `rgb` in `region`, sampled on a grid of about 250 000
/// points over the whole image (the same grid whatever the region).
pub fn stats(rgb: &image::RgbImage, region: Region<impl Fn(u32, u32) -> bool>) -> Stats {
    let step = ((rgb.width() * rgb.height()) as f64 / 250_000.0).sqrt().max(1.0) as u32;
    let on_grid = |range: std::ops::Range<u32>, limit: u32| range.start.div_ceil(step) * step..range.end.min(limit);
    let mut s = Stats::default();
    for y in on_grid(region.y, rgb.height()).step_by(step as usize) {
        for x in on_grid(region.x.clone(), rgb.width()).step_by(step as usize) {
            if (region.keep)(x, y) {
                s.add(rgb.get_pixel(x, y).0);
            }
        }
    }
    s
}

/// Variance of the Laplacian of the face region resampled to 128 px wide.
pub fn sharpness(rgb: &image::RgbImage, face: &Face) -> f64 {
    let region = rgb.view(face.x, face.y, face.width.max(1), face.height.max(1));
    let resized = image::imageops::resize(&*region, 128, 128, image::imageops::FilterType::Triangle);
    let gray = DynamicImage::ImageRgb8(resized).to_luma8();
    let mut values = Vec::with_capacity(126 * 126);
    for y in 1..127 {
        for x in 1..127 {
            let at = |dx: i32, dy: i32| f64::from(gray.get_pixel((x + dx) as u32, (y + dy) as u32).0[0]);
            values.push(at(-1, 0) + at(1, 0) + at(0, -1) + at(0, 1) - 4.0 * at(0, 0));
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64
}
