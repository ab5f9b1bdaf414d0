//! Finding the machine-readable zone on a photographed passport data page: the page's skew
//! measured and undone, the zone's two lines located as the bottom-most pair of long, even
//! text lines, and the zone cut out upright at the size an OCR engine reads best.
//!
//! The work is done on a grey copy at most 1,200 pixels on its longest side: ink is what is clearly darker
//! than its neighbourhood (so a dark table around the page is not ink, its edge is); the skew is the angle (±8°, in quarter degrees) whose rotated rows make the
//! sharpest profile of ink (text lines are dense rows between empty ones); the rows of that
//! profile give the text lines, each with its left and right ends. The zone is cut from the
//! full-resolution picture, rotated back by sampling, so no detail is lost to the search.

use image::{DynamicImage, GrayImage, Luma};

/// The longest side of the copy the search works on.
const WORK_SIDE: u32 = 1200;
/// Ink dots the skew is measured on, at most (a sample of them on a busy picture).
const SKEW_DOTS: usize = 200_000;
/// Half the side of the neighbourhood ink is told from paper in, on the work copy (about a
/// zone character's height).
const SEARCH_RADIUS: u32 = 15;
/// Share of a line's box that ink may cover: more is a solid bar (a page's edge, a shadow),
/// not text.
const MAX_TEXT_DENSITY: f64 = 0.6;
/// Skew angles tried, in quarter degrees either way.
const MAX_SKEW_QUARTERS: i32 = 32;
/// Height the zone's text lines are scaled to for the OCR engine, in pixels.
const LINE_HEIGHT: f64 = 36.0;
/// A zone line holds 44 characters, each about two thirds of its height wide: anything
/// shorter than this many heights is not one.
const MIN_WIDTH_IN_HEIGHTS: f64 = 18.0;

/// The page's ink: positions of the dark pixels of the work copy, and its size.
struct Ink {
    dots: Vec<(f64, f64)>,
    width: u32,
    height: u32,
}

/// A text line's box: in the levelled frame of the work copy while searching, in the zone's
/// own pixels once cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextLine {
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

impl TextLine {
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }

    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// This box seen from `area`'s corner, enlarged by `zoom`.
    fn within(&self, area: &TextLine, zoom: f64) -> TextLine {
        TextLine {
            top: (self.top - area.top) * zoom,
            bottom: (self.bottom - area.top) * zoom,
            left: (self.left - area.left) * zoom,
            right: (self.right - area.left) * zoom,
        }
    }
}

/// The zone cut from a page: upright, its lines about [`LINE_HEIGHT`] tall.
pub struct Zone {
    pub image: GrayImage,
    /// Its two text lines, top first; empty when no zone-like pair was found and the page's
    /// bottom third was cut instead.
    pub lines: Vec<TextLine>,
}

/// The zone of `page`, upright and scaled for OCR; where no zone-like pair of lines is
/// found, the page's bottom third (the zone's place on every TD3 page), upright.
pub fn cut_zone(page: &DynamicImage) -> Zone {
    let grey = page.to_luma8();
    let longest = grey.width().max(grey.height()).max(1);
    let scale = (f64::from(WORK_SIDE) / f64::from(longest)).min(1.0);
    let work = image::imageops::resize(
        &grey,
        ((f64::from(grey.width()) * scale).round() as u32).max(1),
        ((f64::from(grey.height()) * scale).round() as u32).max(1),
        image::imageops::FilterType::Triangle,
    );
    let ink = ink(&work);
    let angle = skew(&ink);
    let lines = text_lines(&ink, angle);
    match zone_pair(&lines) {
        Some((first, second)) => {
            let area = TextLine {
                top: first.top - 0.7 * first.height(),
                bottom: second.bottom + 0.7 * second.height(),
                left: first.left.min(second.left) - first.height(),
                right: first.right.max(second.right) + first.height(),
            };
            let zoom = LINE_HEIGHT / first.height().max(second.height()).max(1.0);
            let image = upright(&grey, area, angle, scale, zoom);
            Zone { image, lines: vec![first.within(&area, zoom), second.within(&area, zoom)] }
        }
        None => {
            let (width, height) = (f64::from(ink.width), f64::from(ink.height));
            let area = TextLine { top: height * 2.0 / 3.0, bottom: height, left: 0.0, right: width };
            Zone {
                image: upright(&grey, area, angle, scale, LINE_HEIGHT / (height / 24.0).max(1.0)),
                lines: Vec::new(),
            }
        }
    }
}

fn ink(work: &GrayImage) -> Ink {
    let dark = crate::raster::local_ink(work, SEARCH_RADIUS);
    let dots = (0..work.height())
        .flat_map(|y| (0..work.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| dark[(y * work.width() + x) as usize])
        .map(|(x, y)| (f64::from(x), f64::from(y)))
        .collect();
    Ink { dots, width: work.width(), height: work.height() }
}

/// `(x, y)` in the frame rotated by `-angle` (the page made level).
fn level((x, y): (f64, f64), (sin, cos): (f64, f64)) -> (f64, f64) {
    (x * cos + y * sin, -x * sin + y * cos)
}

/// The page's skew in radians: the angle whose row profile is sharpest.
fn skew(ink: &Ink) -> f64 {
    let step = ink.dots.len().div_ceil(SKEW_DOTS).max(1);
    let sample = Ink { dots: ink.dots.iter().step_by(step).copied().collect(), width: ink.width, height: ink.height };
    let sharpness = |angle: f64| rows(&sample, angle).iter().map(|r| f64::from(r.count).powi(2)).sum::<f64>();
    (-MAX_SKEW_QUARTERS..=MAX_SKEW_QUARTERS)
        .map(|quarter| f64::from(quarter) * 0.25_f64.to_radians())
        .map(|angle| (angle, sharpness(angle)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0.0, |(angle, _)| angle)
}

/// A row of the levelled page: how much ink it holds and how far that ink reaches.
#[derive(Debug, Clone, Copy)]
struct Row {
    count: u32,
    left: f64,
    right: f64,
}

/// The rows of the levelled frame, offset by the page's height (turning may move ink above
/// row 0).
fn rows(ink: &Ink, angle: f64) -> Vec<Row> {
    let offset = f64::from(ink.height);
    let mut rows = vec![Row { count: 0, left: f64::MAX, right: f64::MIN }; ink.height as usize * 3];
    let turn = angle.sin_cos();
    for &dot in &ink.dots {
        let (x, y) = level(dot, turn);
        if let Some(row) = rows.get_mut((y + offset).max(0.0) as usize) {
            (row.count, row.left, row.right) = (row.count + 1, row.left.min(x), row.right.max(x));
        }
    }
    rows
}

/// The text lines of the levelled page, top to bottom: runs of rows holding more than a
/// trace of ink, each with the horizontal reach of its ink; solid bars are left out.
fn text_lines(ink: &Ink, angle: f64) -> Vec<TextLine> {
    let rows = rows(ink, angle);
    let floor = (ink.width / 100).max(2);
    let offset = f64::from(ink.height);
    let mut runs = Vec::new();
    let mut start = None;
    for (row, count) in rows.iter().map(|r| r.count).enumerate().chain(std::iter::once((rows.len(), 0))) {
        match (start, count > floor) {
            (None, true) => start = Some(row),
            (Some(first), false) => {
                start = None;
                if row - first >= 4 {
                    runs.push(first..row);
                }
            }
            _ => {}
        }
    }
    runs.into_iter()
        .filter_map(|run| {
            let (top, bottom) = (run.start as f64 - offset, run.end as f64 - offset);
            let within = &rows[run];
            let dots: u32 = within.iter().map(|r| r.count).sum();
            let left = within.iter().map(|r| r.left).fold(f64::MAX, f64::min);
            let right = within.iter().map(|r| r.right).fold(f64::MIN, f64::max);
            let line = TextLine { top, bottom, left, right };
            (f64::from(dots) <= MAX_TEXT_DENSITY * line.width().max(1.0) * line.height()).then_some(line)
        })
        .collect()
}

/// The bottom-most pair of consecutive lines shaped like a zone: each long for its height,
/// of like heights and lengths, close together.
fn zone_pair(lines: &[TextLine]) -> Option<(TextLine, TextLine)> {
    lines.windows(2).rev().map(|pair| (pair[0], pair[1])).find(|(first, second)| {
        let (h1, h2) = (first.height(), second.height());
        let alike = |a: f64, b: f64, ratio: f64| a.min(b) >= a.max(b) * ratio;
        first.width() >= MIN_WIDTH_IN_HEIGHTS * h1
            && second.width() >= MIN_WIDTH_IN_HEIGHTS * h2
            && alike(h1, h2, 0.6)
            && alike(first.width(), second.width(), 0.8)
            && second.top - first.bottom <= 2.5 * h1.max(h2)
    })
}

/// `area` (in the levelled frame of the work copy, `scale` of `grey`) cut from `grey`,
/// levelled and enlarged by `zoom`, sampled bilinearly; outside the picture is paper.
fn upright(grey: &GrayImage, area: TextLine, angle: f64, scale: f64, zoom: f64) -> GrayImage {
    let (sin, cos) = angle.sin_cos();
    let per_pixel = 1.0 / (scale * zoom);
    let width = ((area.width() * zoom).round() as u32).clamp(1, 4000);
    let height = ((area.height() * zoom).round() as u32).clamp(1, 1000);
    GrayImage::from_fn(width, height, |u, v| {
        // A point of the levelled frame, in the original picture's pixels…
        let xr = area.left / scale + (f64::from(u) + 0.5) * per_pixel;
        let yr = area.top / scale + (f64::from(v) + 0.5) * per_pixel;
        // …turned back to where it lies on the skewed page.
        let (x, y) = (xr * cos - yr * sin, xr * sin + yr * cos);
        Luma([crate::raster::bilinear(grey, (x - 0.5, y - 0.5), 255)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skew_of_ruled_lines_is_measured() {
        let angle = 3.0_f64.to_radians();
        let page = GrayImage::from_fn(1000, 600, |x, y| {
            let levelled = -f64::from(x) * angle.sin() + f64::from(y) * angle.cos();
            Luma([if levelled.rem_euclid(60.0) < 6.0 { 20 } else { 240 }])
        });
        let measured = skew(&ink(&page)).to_degrees();
        assert!((measured - 3.0).abs() <= 0.25, "{measured}");
    }
}
