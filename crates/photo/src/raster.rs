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
    let (width, height) = rgb.dimensions();
    let longest = width.max(height);
    if longest <= side {
        return (GrayImage::from_raw(width, height, grey).unwrap_or_default(), 1.0);
    }
    let scale = f64::from(longest) / f64::from(side);
    let fit = |length: u32| ((f64::from(length) / scale).round() as u32).max(1);
    (area_average(&grey, width, height, fit(width), fit(height)), scale)
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

/// `grey` (`width` × `height`) shrunk to `to_width` × `to_height`, each output pixel the mean
/// of the input area it covers: one pass along the rows, one down the columns, in integers.
fn area_average(grey: &[u8], width: u32, height: u32, to_width: u32, to_height: u32) -> GrayImage {
    let (across, down) = (spans(width, to_width), spans(height, to_height));
    let row_sums: Vec<u32> = grey
        .chunks_exact(width as usize)
        .flat_map(|row| {
            across.iter().map(move |span| {
                let covered = &row[span.first..span.first + span.shares.len()];
                covered.iter().zip(&span.shares).map(|(&v, &share)| u32::from(v) * share).sum::<u32>()
            })
        })
        .collect();
    let columns = to_width as usize;
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
    GrayImage::from_raw(to_width, to_height, out).unwrap_or_default()
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
        assert_eq!(area_average(&grey, 4, 2, 2, 1).into_raw(), vec![50, 228]);
        // 3 → 2 across: the middle pixel is shared half and half.
        assert_eq!(area_average(&[0, 90, 180], 3, 1, 2, 1).into_raw(), vec![30, 150]);
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
        let shrunk = area_average(&grey, 997, 611, 400, 245);
        assert_eq!(shrunk.dimensions(), (400, 245));
        assert!((mean(&grey) - mean(shrunk.as_raw())).abs() < 0.5, "{} vs {}", mean(&grey), mean(shrunk.as_raw()));
    }

    #[test]
    fn an_image_within_the_side_is_only_turned_grey() {
        let rgb = RgbImage::from_fn(30, 20, |x, _| image::Rgb([x as u8 * 8, 0, 0]));
        let (grey, scale) = grey_within(&DynamicImage::ImageRgb8(rgb), 40);
        assert_eq!((grey.dimensions(), scale), ((30, 20), 1.0));
        assert_eq!(grey.get_pixel(29, 0).0, [luma([232, 0, 0])]);
    }
}
