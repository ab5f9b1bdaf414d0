//! What the rules measure on the pixels: brightness and colour statistics of a region,
//! sampled on a fixed grid, and the sharpness of the face.

use crate::faces::Face;

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

/// The face region is resampled to this side for sharpness, so that the measure does not
/// depend on the picture's resolution.
const SHARPNESS_SIDE: u32 = 128;

/// Variance of the Laplacian of the face region resampled to 128 × 128 (area average).
pub fn sharpness(rgb: &image::RgbImage, face: &Face) -> f64 {
    let (width, height) = (face.width.clamp(1, rgb.width() - face.x), face.height.clamp(1, rgb.height() - face.y));
    let grey = crate::raster::grey_square(rgb, (face.x, face.y), (width, height), SHARPNESS_SIDE);
    let side = SHARPNESS_SIDE as i32;
    let mut values = Vec::with_capacity(((side - 2) * (side - 2)) as usize);
    for y in 1..side - 1 {
        for x in 1..side - 1 {
            let at = |dx: i32, dy: i32| f64::from(grey[((y + dy) * side + x + dx) as usize]);
            values.push(at(-1, 0) + at(1, 0) + at(0, -1) + at(0, 1) - 4.0 * at(0, 0));
        }
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64
}
