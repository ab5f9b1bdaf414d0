//! The passport-photo check against the overseas consular specification (SPEC §9): each
//! rule a named result (pass / fail / cannot tell) with the value measured, so that the
//! applicant reads why, and a crop that would fix the framing when one exists. Advisory
//! only (FAQ 5): nothing here blocks an application.
//!
//! The photo is measured as if printed at 33 × 48 mm, i.e. normalised to 390 × 567 px
//! (11.82 px/mm). The head comes from the detector's landmarks and the picture ([`head`]):
//! eye line, roll and turn from the points, the chin refined on the jaw's edge, the crown
//! found on a plain background.

use crate::faces::Face;
use crate::head::{self, Head};
use crate::measure::{Stats, sharpness, survey};
use crate::raster::Point;
pub use crate::rules::Rule;
use image::{DynamicImage, GenericImageView};
use serde::Serialize;

const NORMAL_WIDTH: f64 = 390.0;
const NORMAL_HEIGHT: f64 = 567.0;
const PX_PER_MM: f64 = NORMAL_HEIGHT / 48.0;
/// At least this much below the chin (SPEC §9).
const CHIN_MARGIN_MIN_MM: f64 = 7.0;
/// An open eye's patch (a fifth of the eye distance around its centre) spans at least this
/// much brightness between its darker and lighter tenth (iris and pupil against the white
/// and the lids); sunglasses, a hand or hair over the eye span far less.
const EYE_CONTRAST_MIN: f64 = 40.0;

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
    /// The detector's landmarks: eyes, nose tip, mouth, ears.
    pub landmarks: crate::faces::Landmarks,
    /// The crown, eye and chin lines (y); whether the crown was found on the picture.
    pub crown: f64,
    pub crown_found: bool,
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

/// The rules a crop claims to fix.
pub const FRAMING: [Rule; 6] =
    [Rule::HeadHeight, Rule::HeadCentred, Rule::TopMargin, Rule::ChinMargin, Rule::EyeLine, Rule::Proportions];

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
pub fn check(image: &DynamicImage, faces: &[Face]) -> Report {
    let (width, height) = image.dimensions();
    let (w, h) = (f64::from(width), f64::from(height));
    let mut results = vec![judged(Rule::OneFace, faces.len() as f64, "faces", faces.len() == 1)];
    let aspect = w / h;
    results.push(judged(Rule::Proportions, aspect, "width/height", (aspect / (33.0 / 48.0) - 1.0).abs() <= 0.04));
    results.push(judged(Rule::Resolution, h, "px", height >= NORMAL_HEIGHT as u32 && width >= NORMAL_WIDTH as u32));
    let rgb = crate::raster::rgb(image);
    let mut whole = Stats::default();

    let [face] = faces else {
        survey(&rgb, |_, _, pixel| whole.add(pixel));
        results.push(colour(&whole));
        let geometry = [
            (Rule::HeadHeight, "px"),
            (Rule::HeadWidth, "px"),
            (Rule::HeadCentred, "mm"),
            (Rule::TopMargin, "mm"),
            (Rule::ChinMargin, "mm"),
            (Rule::EyeLine, "percent"),
            (Rule::HeadTilt, "degrees"),
            (Rule::FaceTurned, "degrees"),
            (Rule::EyesVisible, "contrast"),
            (Rule::BackgroundWhite, "luma"),
            (Rule::BackgroundUniform, "luma"),
            (Rule::Exposure, "luma"),
            (Rule::Sharpness, "variance"),
        ];
        results.extend(geometry.map(|(rule, unit)| unknown(rule, unit)));
        return Report { results, suggested_crop: None, outline: None };
    };
    let estimated = head::estimate(&rgb, face);

    // The border: a strip along the top and down both sides above the chin, away from the
    // head; the face: the detector's box. Both measured in the same pass as the whole.
    let (band_x, band_y) = ((w * 0.08) as u32, (h * 0.05) as u32);
    let (head_left, head_right) =
        (estimated.eyes.x - 0.65 * estimated.width, estimated.eyes.x + 0.65 * estimated.width);
    let chin = estimated.chin;
    let in_border = |x: u32, y: u32| {
        let beside = (x < band_x || x >= width - band_x) && f64::from(y) < chin;
        y < band_y || (beside && (f64::from(x) < head_left || f64::from(x) > head_right))
    };
    let in_face = |x: u32, y: u32| x >= face.x && x < face.x + face.width && y >= face.y && y < face.y + face.height;
    let (mut border, mut face_stats) = (Stats::default(), Stats::default());
    survey(&rgb, |x, y, pixel| {
        whole.add(pixel);
        if in_border(x, y) {
            border.add(pixel);
        }
        if in_face(x, y) {
            face_stats.add(pixel);
        }
    });
    results.push(colour(&whole));
    let white = border.mean() >= 200.0 && border.mean_chroma() <= 25.0;
    let uniform = border.std_dev() <= 15.0;
    // On a plain light background the crown is where the background starts above the hair.
    let head = if white && uniform {
        let tolerance = (3.0 * border.std_dev()).max(24.0);
        head::find_crown(&rgb, estimated, face.landmarks.eye_distance(), border.mean_colour(), tolerance)
    } else {
        estimated
    };

    let (x_scale, y_scale) = (NORMAL_WIDTH / w, NORMAL_HEIGHT / h);
    let head_height = (head.chin - head.crown) * y_scale;
    let head_width = head.width * x_scale;
    let centre_offset = (head.eyes.x - w / 2.0) * x_scale / PX_PER_MM;
    let top_margin = head.crown * y_scale / PX_PER_MM;
    let chin_margin = (h - head.chin) * y_scale / PX_PER_MM;
    let eye_line = (h - head.eyes.y) / h * 100.0;
    results.push(judged(Rule::HeadHeight, head_height, "px", Rule::HeadHeight.accepts(head_height)));
    results.push(judged(Rule::HeadWidth, head_width, "px", Rule::HeadWidth.accepts(head_width)));
    results.push(judged(Rule::HeadCentred, centre_offset, "mm", Rule::HeadCentred.accepts(centre_offset)));
    results.push(judged(Rule::TopMargin, top_margin, "mm", Rule::TopMargin.accepts(top_margin)));
    results.push(judged(Rule::ChinMargin, chin_margin, "mm", chin_margin >= CHIN_MARGIN_MIN_MM));
    results.push(judged(Rule::EyeLine, eye_line, "percent", Rule::EyeLine.accepts(eye_line)));
    results.push(judged(Rule::HeadTilt, head.roll_degrees, "degrees", Rule::HeadTilt.accepts(head.roll_degrees)));
    results.push(judged(Rule::FaceTurned, head.yaw_degrees, "degrees", Rule::FaceTurned.accepts(head.yaw_degrees)));
    results.push(eyes_visible(&rgb, face));
    results.push(judged(Rule::BackgroundWhite, border.mean(), "luma", white));
    results.push(judged(Rule::BackgroundUniform, border.std_dev(), "luma", uniform));

    let exposure_ok = Rule::Exposure.accepts(face_stats.mean()) && face_stats.clipped() <= 0.05 * face_stats.count();
    results.push(judged(Rule::Exposure, face_stats.mean(), "luma", exposure_ok));
    let sharp = sharpness(&rgb, face);
    results.push(judged(Rule::Sharpness, sharp, "variance", sharp >= 40.0));

    let framed = FRAMING.iter().all(|rule| results.iter().any(|r| r.rule == *rule && r.verdict == Verdict::Pass));
    let suggested_crop = if framed { None } else { crop_for(&head, width, height) };
    let outline = outline_of(face, &head, (w, h));
    Report { results, suggested_crop, outline: Some(outline) }
}

/// Whether the picture is in colour: its mean chroma.
fn colour(whole: &Stats) -> RuleResult {
    judged(Rule::Colour, whole.mean_chroma(), "chroma", whole.mean_chroma() >= 6.0)
}

/// Whether both of `face`'s eyes are in `image` and open to view, as [`Rule::EyesVisible`]
/// judges them: what the face step asks of a capture besides one face.
pub fn eyes_in_view(image: &DynamicImage, face: &Face) -> bool {
    eyes_visible(&crate::raster::rgb(image), face).verdict == Verdict::Pass
}

/// Both eyes in the picture and open to view: the darker and lighter tenth of each eye's
/// patch apart by [`EYE_CONTRAST_MIN`] at least; the measure is the lesser eye's spread.
fn eyes_visible(rgb: &image::RgbImage, face: &Face) -> RuleResult {
    let marks = &face.landmarks;
    let radius = (0.1 * marks.eye_distance()).max(2.0);
    let spread = |eye: Point| -> Option<f64> {
        let mut lumas: Vec<f64> = crate::raster::disc(rgb, eye, radius)?.into_iter().map(|(_, _, luma)| luma).collect();
        lumas.sort_by(f64::total_cmp);
        let at = |share: usize| lumas[(lumas.len() - 1) * share / 10];
        Some(at(9) - at(1))
    };
    match (spread(marks.right_eye), spread(marks.left_eye)) {
        (Some(right), Some(left)) => {
            let least = right.min(left);
            judged(Rule::EyesVisible, least, "contrast", least >= EYE_CONTRAST_MIN)
        }
        _ => judged(Rule::EyesVisible, 0.0, "contrast", false),
    }
}

/// The head's lines and the bands the framing rules allow, in the picture's pixels, from the
/// same ranges the rules judge by.
fn outline_of(face: &Face, head: &Head, (w, h): (f64, f64)) -> HeadOutline {
    let band = |rule: Rule, per: f64, origin: f64| {
        rule.range().map_or((0.0, 0.0), |range| (origin + range.start() * per, origin + range.end() * per))
    };
    // Picture pixels per millimetre (printed at 33 × 48 mm) and per normalised pixel.
    let (mm_x, mm_y) = (w / 33.0, h / 48.0);
    let per_normal_y = h / NORMAL_HEIGHT;
    let (lowest, highest) = band(Rule::HeadHeight, per_normal_y, head.crown);
    let chin_band = (lowest, highest.min(h - CHIN_MARGIN_MIN_MM * mm_y));
    HeadOutline {
        width: w as u32,
        height: h as u32,
        face: CropBox { x: face.x, y: face.y, width: face.width, height: face.height },
        landmarks: face.landmarks,
        crown: head.crown,
        crown_found: head.crown_found,
        eyes: head.eyes.y,
        chin: head.chin,
        crown_band: band(Rule::TopMargin, mm_y, 0.0),
        chin_band: (chin_band.0, chin_band.1.max(chin_band.0)),
        centre_band: band(Rule::HeadCentred, mm_x, w / 2.0),
    }
}

/// The 33:48 crop in which the head is 360 px of 567 tall, centred on the eyes, with a top
/// margin of 4 mm (down to 3 mm when the head is near the top of the picture); `None` if no
/// such crop fits inside the image or it would be smaller than the print size (390 × 567):
/// enlarging a crop cannot add the detail a print needs.
fn crop_for(head: &Head, width: u32, height: u32) -> Option<CropBox> {
    let (crown, chin) = (head.crown, head.chin);
    let crop_h = (chin - crown) * NORMAL_HEIGHT / 360.0;
    let crop_w = crop_h * 33.0 / 48.0;
    let mm = PX_PER_MM * crop_h / NORMAL_HEIGHT;
    let top = (crown - 4.0 * mm).max(0.0);
    let left = head.eyes.x - crop_w / 2.0;
    let fits = crown - top >= 3.0 * mm
        && crop_w >= NORMAL_WIDTH
        && crop_h >= NORMAL_HEIGHT
        && left >= 0.0
        && left + crop_w <= f64::from(width)
        && top + crop_h <= f64::from(height);
    fits.then_some(CropBox { x: left as u32, y: top as u32, width: crop_w as u32, height: crop_h as u32 })
}
