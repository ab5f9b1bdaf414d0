//! Pixel access shared by the detector, the check and the zone reader: RGB without a copy
//! when the decoder already produced it, a small area-averaged copy for the detector,
//! positions, bilinear sampling, and ink told from paper.

use std::borrow::Cow;

use image::{DynamicImage, GrayImage, RgbImage};

/// The image as 8-bit RGB, borrowed when it already is (every JPEG and most PNGs).
pub fn rgb(image: &DynamicImage) -> Cow<'_, RgbImage> {
    match image.as_rgb8() {
        Some(rgb) => Cow::Borrowed(rgb),
        None => Cow::Owned(image.to_rgb8()),
    }
}

/// Rec. 601 luma of an RGB pixel in thousandths (0–255 000), exact in integers: what the
/// statistics sum over hundreds of thousands of pixels.
pub fn luma_milli([r, g, b]: [u8; 3]) -> u32 {
    299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)
}

/// Rec. 601 luma (0–255) of an RGB pixel.
pub fn luma(pixel: [u8; 3]) -> f64 {
    f64::from(luma_milli(pixel)) / 1000.0
}

/// The pixels of row `y` of `rgb` from column `x` on, `width` of them, as RGB triples.
pub fn row_pixels(rgb: &RgbImage, y: u32, x: std::ops::Range<u32>) -> impl Iterator<Item = [u8; 3]> + '_ {
    let start = (y as usize * rgb.width() as usize + x.start as usize) * 3;
    let end = start + x.len() * 3;
    rgb.as_raw()[start..end].chunks_exact(3).map(|p| [p[0], p[1], p[2]])
}

/// The pixels of `rgb` within `radius` of `centre`, each with its luma; `None` when the disc
/// reaches past the picture's edge or is under two pixels across.
pub fn disc(rgb: &RgbImage, centre: Point, radius: f64) -> Option<Vec<(u32, u32, f64)>> {
    let (left, top, right, bottom) = (centre.x - radius, centre.y - radius, centre.x + radius, centre.y + radius);
    if radius < 1.0 || left < 0.0 || top < 0.0 || right >= f64::from(rgb.width()) || bottom >= f64::from(rgb.height()) {
        return None;
    }
    let pixels = (top as u32..=bottom as u32)
        .flat_map(|y| (left as u32..=right as u32).map(move |x| (x, y)))
        .filter(|&(x, y)| (f64::from(x) - centre.x).powi(2) + (f64::from(y) - centre.y).powi(2) <= radius * radius)
        .map(|(x, y)| (x, y, luma(rgb.get_pixel(x, y).0)))
        .collect();
    Some(pixels)
}

/// The luma of `rgb` in the `width` × `height` region at (`x`, `y`), resampled to `side` ×
/// `side` by area averaging (what the sharpness measure looks at).
pub fn grey_square(rgb: &RgbImage, (x, y): (u32, u32), (width, height): (u32, u32), side: u32) -> Vec<u8> {
    // Rounded to the nearest level: thousandths plus a half, truncated.
    let mut grey = Vec::with_capacity(width as usize * height as usize);
    for row in y..y + height {
        grey.extend(row_pixels(rgb, row, x..x + width).map(|pixel| ((luma_milli(pixel) + 500) / 1000) as u8));
    }
    area_average(&grey, 1, width, height, side, side)
}

/// The image in colour, shrunk (never enlarged) to fit in `side` × `side`, and the factor
/// from its coordinates back to the image's.
pub fn rgb_within(image: &DynamicImage, side: u32) -> (RgbImage, f64) {
    let rgb = rgb(image);
    let (width, height) = rgb.dimensions();
    let (to_width, to_height, scale) = fit_within(width, height, side);
    if scale == 1.0 {
        return (rgb.into_owned(), 1.0);
    }
    let shrunk = area_average(rgb.as_raw(), 3, width, height, to_width, to_height);
    (RgbImage::from_raw(to_width, to_height, shrunk).unwrap_or_default(), scale)
}

/// The size `width` × `height` takes to fit in `side` × `side` without being enlarged, and
/// the factor back.
fn fit_within(width: u32, height: u32, side: u32) -> (u32, u32, f64) {
    let longest = width.max(height);
    if longest <= side {
        return (width, height, 1.0);
    }
    let scale = f64::from(longest) / f64::from(side);
    let fit = |length: u32| ((f64::from(length) / scale).round() as u32).clamp(1, side);
    (fit(width), fit(height), scale)
}

/// A position in a picture, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn midpoint(self, other: Point) -> Point {
        Point { x: (self.x + other.x) / 2.0, y: (self.y + other.y) / 2.0 }
    }

    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// Fixed-point unit of a [`Span`]'s shares.
const WHOLE: u32 = 1 << 16;

/// Which input samples one output sample of a shrink covers, and how much of each: `shares`
/// of the samples from `first` on, in 1/`WHOLE`ths of the output sample, summing to `WHOLE`.
struct Span {
    first: usize,
    shares: Vec<u32>,
}

/// How `to` output samples cover `from` input samples, each an equal stretch of the input.
fn spans(from: u32, to: u32) -> Vec<Span> {
    let stretch = f64::from(from) / f64::from(to);
    (0..to)
        .map(|out| {
            let (start, end) = (f64::from(out) * stretch, f64::from(out + 1) * stretch);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(from as usize);
            // Shares are differences of rounded positions within the stretch, so they add up
            // to exactly `WHOLE` whatever the rounding.
            let position = |at: f64| ((at.clamp(start, end) - start) / stretch * f64::from(WHOLE)).round() as u32;
            let shares = (first..last).map(|at| position(at as f64 + 1.0) - position(at as f64)).collect();
            Span { first, shares }
        })
        .collect()
}

/// `samples` (`width` × `height` pixels of `channels` interleaved samples, 1 to 4) shrunk to
/// `to_width` × `to_height`, each output sample the mean of the input area it covers: one
/// pass along the rows, one down the columns, in integers.
fn area_average(samples: &[u8], channels: usize, width: u32, height: u32, to_width: u32, to_height: u32) -> Vec<u8> {
    let size = (width, height, to_width, to_height);
    // One copy of the loops per pixel layout, so the channel loop unrolls.
    match channels {
        1 => shrink::<1>(samples, size),
        2 => shrink::<2>(samples, size),
        3 => shrink::<3>(samples, size),
        _ => shrink::<4>(samples, size),
    }
}

/// [`area_average`] for pixels of `C` samples.
fn shrink<const C: usize>(samples: &[u8], (width, height, to_width, to_height): (u32, u32, u32, u32)) -> Vec<u8> {
    let (across, down) = (spans(width, to_width), spans(height, to_height));
    let mut row_sums = Vec::with_capacity(height as usize * to_width as usize * C);
    for row in samples.chunks_exact(width as usize * C) {
        for span in &across {
            let covered = &row[span.first * C..(span.first + span.shares.len()) * C];
            let mut sums = [0u32; C];
            for (pixel, &share) in covered.chunks_exact(C).zip(&span.shares) {
                for c in 0..C {
                    sums[c] += u32::from(pixel[c]) * share;
                }
            }
            row_sums.extend_from_slice(&sums);
        }
    }
    let columns = to_width as usize * C;
    let mut column_sums = vec![0u64; columns];
    let mut out = Vec::with_capacity(columns * to_height as usize);
    for span in &down {
        column_sums.fill(0);
        let rows = row_sums[span.first * columns..].chunks_exact(columns);
        for (row, &share) in rows.zip(&span.shares) {
            for (sum, &v) in column_sums.iter_mut().zip(row) {
                *sum += u64::from(v) * u64::from(share);
            }
        }
        let unit = u64::from(WHOLE) * u64::from(WHOLE);
        out.extend(column_sums.iter().map(|&sum| ((sum + unit / 2) / unit) as u8));
    }
    out
}

/// `grey` at a fractional position `(x, y)`, by bilinear interpolation; `outside` beyond its
/// edges.
pub fn bilinear(grey: &GrayImage, (x, y): (f64, f64), outside: u8) -> u8 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let at = |dx: f64, dy: f64| {
        let (px, py) = (x0 + dx, y0 + dy);
        if px < 0.0 || py < 0.0 || px >= f64::from(grey.width()) || py >= f64::from(grey.height()) {
            f64::from(outside)
        } else {
            f64::from(grey.get_pixel(px as u32, py as u32).0[0])
        }
    };
    let top = at(0.0, 0.0) * (1.0 - fx) + at(1.0, 0.0) * fx;
    let bottom = at(0.0, 1.0) * (1.0 - fx) + at(1.0, 1.0) * fx;
    (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8
}

/// Which pixels of `grey` are ink: clearly (a fifth) darker than the mean of the square of
/// side `2 * radius + 1` around them, where the mean of a square three times as wide is
/// paper-light (at least 72 % of the picture's light level, its 90th percentile: a table's
/// pixel by a page's edge sees at most half paper).
/// Uniform areas hold none, nor does the dark side of a page's edge against a table. Means
/// come from an integral image.
pub fn local_ink(grey: &GrayImage, radius: u32) -> Vec<bool> {
    let (width, height) = (grey.width() as usize, grey.height() as usize);
    let mut levels = grey.as_raw().clone();
    let light_rank = levels.len() * 9 / 10;
    let paper = if levels.is_empty() { 255 } else { u64::from(*levels.select_nth_unstable(light_rank).1) };
    let mut integral = vec![0u64; (width + 1) * (height + 1)];
    for y in 0..height {
        let mut row = 0u64;
        for x in 0..width {
            row += u64::from(grey.as_raw()[y * width + x]);
            integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
        }
    }
    // The sum and pixel count of the square of side `2 * r + 1` around (x, y), cut at the edges.
    let square = |x: usize, y: usize, r: usize| {
        let (top, bottom) = (y.saturating_sub(r), (y + r + 1).min(height));
        let (left, right) = (x.saturating_sub(r), (x + r + 1).min(width));
        let sum = integral[bottom * (width + 1) + right] + integral[top * (width + 1) + left]
            - integral[top * (width + 1) + right]
            - integral[bottom * (width + 1) + left];
        (sum, ((bottom - top) * (right - left)) as u64)
    };
    let radius = radius as usize;
    let mut ink = vec![false; width * height];
    for y in 0..height {
        for x in 0..width {
            let level = u64::from(grey.as_raw()[y * width + x]);
            let (near, near_area) = square(x, y, radius);
            if level * near_area * 5 >= near * 4 {
                continue;
            }
            let (around, around_area) = square(x, y, radius * 3);
            ink[y * width + x] = around * 25 >= paper * around_area * 18;
        }
    }
    ink
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_of_each_output_sample_add_up_and_cover_the_input() {
        for (from, to) in [(1024, 400), (1207, 400), (401, 400), (5000, 7), (3, 2), (8000, 400), (7999, 399)] {
            let spans = spans(from, to);
            assert_eq!(spans.len(), to as usize);
            assert!(spans.iter().all(|s| s.shares.iter().sum::<u32>() == WHOLE), "{from} -> {to}");
            let reach = spans.last().map(|s| s.first + s.shares.len());
            assert_eq!(reach, Some(from as usize), "{from} -> {to}");
        }
    }

    #[test]
    fn each_output_pixel_is_the_mean_of_the_area_it_covers() {
        // 4 × 2 → 2 × 1: left half 0 and 100, right half 200 and 255.
        let grey = [0, 0, 200, 200, 100, 100, 255, 255];
        assert_eq!(area_average(&grey, 1, 4, 2, 2, 1), vec![50, 228]);
        // 3 → 2 across: the middle pixel is shared half and half.
        assert_eq!(area_average(&[0, 90, 180], 1, 3, 1, 2, 1), vec![30, 150]);
        // The same in colour: each channel on its own.
        let rgb = [0, 10, 20, 90, 100, 110, 180, 190, 200];
        assert_eq!(area_average(&rgb, 3, 3, 1, 2, 1), vec![30, 40, 50, 150, 160, 170]);
    }

    #[test]
    fn shrinking_keeps_the_mean_brightness() {
        // A noisy 997 × 611 picture (a linear congruential sequence): every input pixel counts
        // as much as any other, so the mean survives the shrink to within rounding.
        let mut seed = 12345u32;
        let grey: Vec<u8> = (0..997 * 611)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (seed >> 16) as u8
            })
            .collect();
        let mean = |pixels: &[u8]| pixels.iter().map(|&v| f64::from(v)).sum::<f64>() / pixels.len() as f64;
        let shrunk = area_average(&grey, 1, 997, 611, 400, 245);
        assert_eq!(shrunk.len(), 400 * 245);
        assert!((mean(&grey) - mean(&shrunk)).abs() < 0.5, "{} vs {}", mean(&grey), mean(&shrunk));
    }

    #[test]
    fn an_image_within_the_side_is_kept_and_a_larger_one_shrunk_to_it() {
        let rgb = RgbImage::from_fn(30, 20, |x, _| image::Rgb([x as u8 * 8, 0, 0]));
        let (kept, scale) = rgb_within(&DynamicImage::ImageRgb8(rgb.clone()), 40);
        assert_eq!((kept.dimensions(), scale), ((30, 20), 1.0));
        assert_eq!(kept.get_pixel(29, 0).0, [232, 0, 0]);
        let (shrunk, scale) = rgb_within(&DynamicImage::ImageRgb8(rgb), 15);
        assert_eq!((shrunk.dimensions(), scale), ((15, 10), 2.0));
        assert_eq!(shrunk.get_pixel(14, 0).0, [228, 0, 0], "the mean of 224 and 232");
    }
}
