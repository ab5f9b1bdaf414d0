//! The passport-photo check against the overseas consular specification (SPEC §9): each
//! rule a named result (pass / fail / cannot tell) with the value measured, so that the
//! applicant reads why, and a crop that would fix the framing when one exists. Advisory
//! only (FAQ 5): nothing here blocks an application.
//!
//! The photo is measured as if printed at 33 × 48 mm, i.e. normalised to 390 × 567 px
//! (11.82 px/mm). Head outline from the face box: SeetaFace's box runs from the brows to the
//! chin, so the crown is estimated half a box above it; the box is about as wide as the head
//! (ears included).

use crate::faces::FaceBox;
use image::{DynamicImage, GenericImageView};
use serde::Serialize;

const NORMAL_WIDTH: f64 = 390.0;
const NORMAL_HEIGHT: f64 = 567.0;
const PX_PER_MM: f64 = NORMAL_HEIGHT / 48.0;
const CROWN_ABOVE_BOX: f64 = 0.5;
const CHIN_BELOW_BOX_TOP: f64 = 1.05;
const HEAD_WIDTH_PER_BOX: f64 = 1.0;
/// The eyes sit about a fifth of the way down SeetaFace's box (brows to chin).
const EYES_BELOW_BOX_TOP: f64 = 0.22;
/// At least this much below the chin (SPEC §9).
const CHIN_MARGIN_MIN_MM: f64 = 7.0;

/// One rule of the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    OneFace,
    Proportions,
    Resolution,
    HeadHeight,
    HeadWidth,
    HeadCentred,
    TopMargin,
    ChinMargin,
    BackgroundWhite,
    BackgroundUniform,
    Exposure,
    Sharpness,
    Colour,
}

impl Rule {
    pub const ALL: [Rule; 13] = [
        Rule::OneFace,
        Rule::Proportions,
        Rule::Resolution,
        Rule::HeadHeight,
        Rule::HeadWidth,
        Rule::HeadCentred,
        Rule::TopMargin,
        Rule::ChinMargin,
        Rule::BackgroundWhite,
        Rule::BackgroundUniform,
        Rule::Exposure,
        Rule::Sharpness,
        Rule::Colour,
    ];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.code() == code)
    }

    /// The measures a rule with a two-sided range accepts (in its result's unit), so that a
    /// failure can say which way it is off (a head too small, or too large).
    pub fn range(self) -> Option<std::ops::RangeInclusive<f64>> {
        match self {
            Rule::HeadHeight => Some(331.0..=390.0),
            Rule::HeadWidth => Some(177.0..=260.0),
            Rule::HeadCentred => Some(-2.0..=2.0),
            Rule::TopMargin => Some(3.0..=5.0),
            Rule::Exposure => Some(60.0..=215.0),
            _ => None,
        }
    }

    /// Whether `measured` is below (`Some(false)`) or above (`Some(true)`) the range.
    pub fn above_range(self, measured: f64) -> Option<bool> {
        let range = self.range()?;
        if measured < *range.start() {
            Some(false)
        } else if measured > *range.end() {
            Some(true)
        } else {
            None
        }
    }

    fn accepts(self, measured: f64) -> bool {
        self.range().is_some_and(|range| range.contains(&measured))
    }

    pub fn code(self) -> &'static str {
        match self {
            Rule::OneFace => "one_face",
            Rule::Proportions => "proportions",
            Rule::Resolution => "resolution",
            Rule::HeadHeight => "head_height",
            Rule::HeadWidth => "head_width",
            Rule::HeadCentred => "head_centred",
            Rule::TopMargin => "top_margin",
            Rule::ChinMargin => "chin_margin",
            Rule::BackgroundWhite => "background_white",
            Rule::BackgroundUniform => "background_uniform",
            Rule::Exposure => "exposure",
            Rule::Sharpness => "sharpness",
            Rule::Colour => "colour",
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    CannotTell,
}

/// One rule's result and what was measured (in `unit`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RuleResult {
    pub rule: Rule,
    pub verdict: Verdict,
    pub measured: Option<f64>,
    pub unit: &'static str,
}

/// A crop of the original image, in its pixels, that would meet the framing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CropBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Where the check found the head and where the rules want it, in the picture's own pixels:
/// what the framing measures are made of, for an officer to see drawn over the photo.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadOutline {
    pub width: u32,
    pub height: u32,
    /// The detector's face box.
    pub face: CropBox,
    /// The crown, eye and chin lines (y).
    pub crown: f64,
    pub eyes: f64,
    pub chin: f64,
    /// Where the crown may be (top margin 3–5 mm), from y to y.
    pub crown_band: (f64, f64),
    /// Where the chin may be (a head 28–33 mm tall from the crown found, 7 mm above the
    /// bottom), from y to y; empty when no place fits.
    pub chin_band: (f64, f64),
    /// Where the head's centre may be (within 2 mm of the middle), from x to x.
    pub centre_band: (f64, f64),
}

/// Every rule's result, and a crop when the framing is wrong but fixable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub results: Vec<RuleResult>,
    pub suggested_crop: Option<CropBox>,
    /// Where the head is, when exactly one face was found.
    pub outline: Option<HeadOutline>,
}

impl Report {
    pub fn result(&self, rule: Rule) -> Option<&RuleResult> {
        self.results.iter().find(|r| r.rule == rule)
    }

    pub fn passes(&self) -> bool {
        self.results.iter().all(|r| r.verdict == Verdict::Pass)
    }
}

fn judged(rule: Rule, measured: f64, unit: &'static str, ok: bool) -> RuleResult {
    RuleResult { rule, verdict: if ok { Verdict::Pass } else { Verdict::Fail }, measured: Some(measured), unit }
}

fn unknown(rule: Rule, unit: &'static str) -> RuleResult {
    RuleResult { rule, verdict: Verdict::CannotTell, measured: None, unit }
}

/// Luminance and chroma statistics of a set of pixels.
#[derive(Default)]
struct Stats {
    n: f64,
    sum: f64,
    sum_sq: f64,
    chroma: f64,
    clipped: f64,
}

impl Stats {
    fn add(&mut self, [r, g, b]: [u8; 3]) {
        let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        self.n += 1.0;
        self.sum += luma;
        self.sum_sq += luma * luma;
        self.chroma += f64::from(r.max(g).max(b) - r.min(g).min(b));
        if luma >= 250.0 || luma <= 5.0 {
            self.clipped += 1.0;
        }
    }
    fn mean(&self) -> f64 {
        self.sum / self.n.max(1.0)
    }
    fn std_dev(&self) -> f64 {
        (self.sum_sq / self.n.max(1.0) - self.mean().powi(2)).max(0.0).sqrt()
    }
    fn mean_chroma(&self) -> f64 {
        self.chroma / self.n.max(1.0)
    }
}

/// Which pixels [`stats`] reads: those in `x` × `y` for which `keep(x, y)` holds.
struct Region<F> {
    x: std::ops::Range<u32>,
    y: std::ops::Range<u32>,
    keep: F,
}

/// Statistics over the pixels of `rgb` in `region`, sampled on a grid of about 250 000
/// points over the whole image (the same grid whatever the region).
fn stats(rgb: &image::RgbImage, region: Region<impl Fn(u32, u32) -> bool>) -> Stats {
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
fn sharpness(rgb: &image::RgbImage, face: &FaceBox) -> f64 {
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

/// The rules a crop claims to fix.
pub const FRAMING: [Rule; 5] =
    [Rule::HeadHeight, Rule::HeadCentred, Rule::TopMargin, Rule::ChinMargin, Rule::Proportions];

/// Whether `after` (the cropped picture's report) makes good the crop `before` suggested:
/// every framing rule that failed now passes, and no rule that passed now fails.
pub fn crop_delivers(before: &Report, after: &Report) -> bool {
    let verdict = |report: &Report, rule| report.result(rule).map(|r| r.verdict);
    before.results.iter().all(|was| match was.verdict {
        Verdict::Pass => verdict(after, was.rule) == Some(Verdict::Pass),
        Verdict::Fail if FRAMING.contains(&was.rule) => verdict(after, was.rule) == Some(Verdict::Pass),
        Verdict::Fail | Verdict::CannotTell => true,
    })
}

/// Checks `image` given the faces found in it.
pub fn check(image: &DynamicImage, faces: &[FaceBox]) -> Report {
    let (width, height) = image.dimensions();
    let (w, h) = (f64::from(width), f64::from(height));
    let mut results = vec![judged(Rule::OneFace, faces.len() as f64, "faces", faces.len() == 1)];
    let aspect = w / h;
    results.push(judged(Rule::Proportions, aspect, "width/height", (aspect / (33.0 / 48.0) - 1.0).abs() <= 0.04));
    results.push(judged(Rule::Resolution, h, "px", height >= NORMAL_HEIGHT as u32 && width >= NORMAL_WIDTH as u32));
    let rgb = crate::raster::rgb(image);
    let whole = stats(&rgb, Region { x: 0..width, y: 0..height, keep: |_, _| true });
    results.push(judged(Rule::Colour, whole.mean_chroma(), "chroma", whole.mean_chroma() >= 6.0));

    let [face] = faces else {
        let geometry = [
            (Rule::HeadHeight, "px"),
            (Rule::HeadWidth, "px"),
            (Rule::HeadCentred, "mm"),
            (Rule::TopMargin, "mm"),
            (Rule::ChinMargin, "mm"),
            (Rule::BackgroundWhite, "luma"),
            (Rule::BackgroundUniform, "luma"),
            (Rule::Exposure, "luma"),
            (Rule::Sharpness, "variance"),
        ];
        results.extend(geometry.map(|(rule, unit)| unknown(rule, unit)));
        return Report { results, suggested_crop: None, outline: None };
    };
    let (x_scale, y_scale) = (NORMAL_WIDTH / w, NORMAL_HEIGHT / h);
    let box_h = f64::from(face.height);
    let crown = f64::from(face.y) - CROWN_ABOVE_BOX * box_h;
    let chin = f64::from(face.y) + CHIN_BELOW_BOX_TOP * box_h;
    let head_height = (chin - crown) * y_scale;
    let head_width = f64::from(face.width) * HEAD_WIDTH_PER_BOX * x_scale;
    let centre_offset = ((f64::from(face.x) + f64::from(face.width) / 2.0) - w / 2.0) * x_scale / PX_PER_MM;
    let top_margin = crown * y_scale / PX_PER_MM;
    let chin_margin = (h - chin) * y_scale / PX_PER_MM;
    results.push(judged(Rule::HeadHeight, head_height, "px", Rule::HeadHeight.accepts(head_height)));
    results.push(judged(Rule::HeadWidth, head_width, "px", Rule::HeadWidth.accepts(head_width)));
    results.push(judged(Rule::HeadCentred, centre_offset, "mm", Rule::HeadCentred.accepts(centre_offset)));
    results.push(judged(Rule::TopMargin, top_margin, "mm", Rule::TopMargin.accepts(top_margin)));
    results.push(judged(Rule::ChinMargin, chin_margin, "mm", chin_margin >= CHIN_MARGIN_MIN_MM));

    // The border: a strip along the top and down both sides above the chin, away from the head.
    let (band_x, band_y) = ((w * 0.08) as u32, (h * 0.05) as u32);
    let (head_left, head_right) =
        (f64::from(face.x) - 0.2 * f64::from(face.width), f64::from(face.x) + 1.2 * f64::from(face.width));
    let above_chin = 0..(chin.max(0.0).ceil() as u32).max(band_y);
    let border = stats(
        &rgb,
        Region {
            x: 0..width,
            y: above_chin,
            keep: |x, y| {
                let in_band = y < band_y || ((x < band_x || x >= width - band_x) && f64::from(y) < chin);
                in_band && (y < band_y || f64::from(x) < head_left || f64::from(x) > head_right)
            },
        },
    );
    results.push(judged(
        Rule::BackgroundWhite,
        border.mean(),
        "luma",
        border.mean() >= 200.0 && border.mean_chroma() <= 25.0,
    ));
    results.push(judged(Rule::BackgroundUniform, border.std_dev(), "luma", border.std_dev() <= 15.0));

    let face_area = Region { x: face.x..face.x + face.width, y: face.y..face.y + face.height, keep: |_, _| true };
    let face_stats = stats(&rgb, face_area);
    let exposure_ok = Rule::Exposure.accepts(face_stats.mean()) && face_stats.clipped <= 0.05 * face_stats.n;
    results.push(judged(Rule::Exposure, face_stats.mean(), "luma", exposure_ok));
    let sharp = sharpness(&rgb, face);
    results.push(judged(Rule::Sharpness, sharp, "variance", sharp >= 40.0));

    let framed = FRAMING.iter().all(|rule| results.iter().any(|r| r.rule == *rule && r.verdict == Verdict::Pass));
    let suggested_crop = if framed { None } else { crop_for(face, crown, chin, width, height) };
    let outline = outline_of(face, crown, chin, (w, h));
    Report { results, suggested_crop, outline: Some(outline) }
}

/// The head's lines and the bands the framing rules allow, in the picture's pixels, from the
/// same ranges the rules judge by.
fn outline_of(face: &FaceBox, crown: f64, chin: f64, (w, h): (f64, f64)) -> HeadOutline {
    let band = |rule: Rule, per: f64, origin: f64| {
        rule.range().map_or((0.0, 0.0), |range| (origin + range.start() * per, origin + range.end() * per))
    };
    // Picture pixels per millimetre (printed at 33 × 48 mm) and per normalised pixel.
    let (mm_x, mm_y) = (w / 33.0, h / 48.0);
    let per_normal_y = h / NORMAL_HEIGHT;
    let (lowest, highest) = band(Rule::HeadHeight, per_normal_y, crown);
    let chin_band = (lowest, highest.min(h - CHIN_MARGIN_MIN_MM * mm_y));
    HeadOutline {
        width: w as u32,
        height: h as u32,
        face: CropBox { x: face.x, y: face.y, width: face.width, height: face.height },
        crown,
        eyes: f64::from(face.y) + EYES_BELOW_BOX_TOP * f64::from(face.height),
        chin,
        crown_band: band(Rule::TopMargin, mm_y, 0.0),
        chin_band: (chin_band.0, chin_band.1.max(chin_band.0)),
        centre_band: band(Rule::HeadCentred, mm_x, w / 2.0),
    }
}

/// The 33:48 crop in which the head is 360 px of 567 tall, centred on the face, with a top
/// margin of 4 mm (down to 3 mm when the head is near the top of the picture); `None` if no
/// such crop fits inside the image or it would be smaller than the print size (390 × 567):
/// enlarging a crop cannot add the detail a print needs.
fn crop_for(face: &FaceBox, crown: f64, chin: f64, width: u32, height: u32) -> Option<CropBox> {
    let crop_h = (chin - crown) * NORMAL_HEIGHT / 360.0;
    let crop_w = crop_h * 33.0 / 48.0;
    let mm = PX_PER_MM * crop_h / NORMAL_HEIGHT;
    let top = (crown - 4.0 * mm).max(0.0);
    let left = f64::from(face.x) + f64::from(face.width) / 2.0 - crop_w / 2.0;
    let fits = crown - top >= 3.0 * mm
        && crop_w >= NORMAL_WIDTH
        && crop_h >= NORMAL_HEIGHT
        && left >= 0.0
        && left + crop_w <= f64::from(width)
        && top + crop_h <= f64::from(height);
    fits.then_some(CropBox { x: left as u32, y: top as u32, width: crop_w as u32, height: crop_h as u32 })
}
