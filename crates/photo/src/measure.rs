//! What the rules measure on the pixels: brightness and colour statistics of a region,
//! sampled on a fixed grid, and the sharpness of the face.

use crate::faces::Face;

/// Luminance and chroma statistics of a set of pixels, summed exactly in integers (luma in
/// thousandths, [`crate::raster::luma_milli`]).
#[derive(Default)]
pub struct Stats {
    count: u64,
    sum: u64,
    sum_sq: u64,
    chroma: u64,
    colour: [u64; 3],
    clipped: u64,
}

/// Luma at or beyond these (in thousandths) is clipped: blown out or crushed.
const CLIPPED_ABOVE: u32 = 250_000;
const CLIPPED_BELOW: u32 = 5_000;

impl Stats {
    pub fn add(&mut self, [r, g, b]: [u8; 3]) {
        let luma = crate::raster::luma_milli([r, g, b]);
        self.count += 1;
        self.sum += u64::from(luma);
        self.sum_sq += u64::from(luma) * u64::from(luma);
        self.chroma += u64::from(r.max(g).max(b) - r.min(g).min(b));
        for (sum, value) in self.colour.iter_mut().zip([r, g, b]) {
            *sum += u64::from(value);
        }
        self.clipped += u64::from(luma >= CLIPPED_ABOVE || luma <= CLIPPED_BELOW);
    }
    fn per_pixel(&self, sum: u64) -> f64 {
        sum as f64 / self.count.max(1) as f64
    }
    /// How many pixels were measured.
    pub fn count(&self) -> f64 {
        self.count as f64
    }
    /// How many of them were clipped (luma ≥ 250 or ≤ 5).
    pub fn clipped(&self) -> f64 {
        self.clipped as f64
    }
    pub fn mean(&self) -> f64 {
        self.per_pixel(self.sum) / 1000.0
    }
    pub fn std_dev(&self) -> f64 {
        (self.per_pixel(self.sum_sq) / 1e6 - self.mean().powi(2)).max(0.0).sqrt()
    }
    pub fn mean_chroma(&self) -> f64 {
        self.per_pixel(self.chroma)
    }
    /// The mean red, green and blue.
    pub fn mean_colour(&self) -> [f64; 3] {
        self.colour.map(|sum| self.per_pixel(sum))
    }
}

/// How many points [`survey`] visits, about: a mean or a spread over a region of a tenth of
/// the picture is then taken from some 6 000 pixels, within a fraction of a level.
const SURVEY_POINTS: f64 = 62_500.0;

/// Visits the pixels of `rgb` on a grid of about [`SURVEY_POINTS`] over the whole image, with
/// their position: one pass in which each rule's statistics take the points of their region.
pub fn survey(rgb: &image::RgbImage, mut visit: impl FnMut(u32, u32, [u8; 3])) {
    let step = ((rgb.width() * rgb.height()) as f64 / SURVEY_POINTS).sqrt().max(1.0) as usize;
    let (raw, width) = (rgb.as_raw(), rgb.width() as usize);
    for y in (0..rgb.height() as usize).step_by(step) {
        let row = &raw[y * width * 3..(y + 1) * width * 3];
        for (x, pixel) in row.chunks_exact(3).enumerate().step_by(step) {
            visit(x as u32, y as u32, [pixel[0], pixel[1], pixel[2]]);
        }
    }
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
