//! Where the head is, from the detector's landmarks and the picture itself: the eye line,
//! the roll (eye line) and the turn (yaw, from the nose tip and the ears), the chin
//! (estimated from the eyes and the mouth, then refined on the jaw's edge) and the crown
//! (the first row of background above the hair when the background is plain, else
//! estimated from the landmarks).
//!
//! Proportions used, in eye distances (IOD) along the face's own vertical: the mouth sits
//! about 1 IOD below the eye line and the chin about 1.8 (anthropometric means, checked on
//! the annotated portraits of the `landmarks` tests); the crown about 2 above it.

use crate::faces::{Face, Landmarks};
use crate::raster::{Point, disc, luma};
use image::RgbImage;

/// The chin's estimate: this many mouth depths below the eye line.
const CHIN_PER_MOUTH_DEPTH: f64 = 1.8;
/// The crown's estimate when the background cannot be told from the hair.
const CROWN_ABOVE_EYES_IOD: f64 = 2.0;
/// Where the jaw's edge is looked for around the estimate, in IOD.
const CHIN_SEARCH_IOD: f64 = 0.3;
/// The least fall in brightness (0–255) that counts as the jaw's edge.
const CHIN_EDGE_MIN: f64 = 12.0;
/// The eye points stand about this much in front of the ears (a head's half-width being 1).
const EYES_FORWARD: f64 = 0.9;
/// The nose tip stands about this far in front of the eyes, in IOD.
const NOSE_DEPTH_IOD: f64 = 0.5;

/// The head as the framing rules measure it, in the picture's pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Head {
    pub crown: f64,
    pub chin: f64,
    pub eyes: Point,
    pub width: f64,
    pub roll_degrees: f64,
    pub yaw_degrees: f64,
    /// Whether the crown was found on the picture (a plain background) or estimated.
    pub crown_found: bool,
}

/// The head of `face` before looking at the background: the crown estimated.
pub fn estimate(rgb: &RgbImage, face: &Face) -> Head {
    let marks = &refined_eyes(rgb, &face.landmarks);
    let eyes = marks.eye_midpoint();
    let iod = marks.eye_distance().max(1.0);
    let mouth_depth = marks.in_face_frame(marks.mouth).y.max(0.5);
    let estimated_chin = eyes.y + CHIN_PER_MOUTH_DEPTH * mouth_depth * iod;
    Head {
        crown: eyes.y - CROWN_ABOVE_EYES_IOD * iod,
        chin: refine_chin(rgb, marks, estimated_chin),
        eyes,
        width: marks.right_ear.distance(marks.left_ear) * 1.1,
        roll_degrees: marks.roll_degrees(),
        // The turn from the detector's own points, which agree with each other.
        yaw_degrees: yaw_degrees(&face.landmarks),
        crown_found: false,
    }
}

/// `marks` with each eye moved onto its pupil: the detector's eye points stray by a few
/// pixels (enough to tilt the eye line by several degrees), so each is replaced by the
/// centre of the darkest pixels (the darkest sixth, weighted by how dark) within a fifth of
/// the eye distance of it. An eye too near the edge keeps the detector's point.
pub fn refined_eyes(rgb: &RgbImage, marks: &Landmarks) -> Landmarks {
    let radius = 0.2 * marks.eye_distance();
    let refine = |eye: Point| -> Point {
        let Some(pixels) = disc(rgb, eye, radius).filter(|_| radius >= 2.0) else { return eye };
        let mut lumas: Vec<f64> = pixels.iter().map(|p| p.2).collect();
        lumas.sort_by(f64::total_cmp);
        let Some(&threshold) = lumas.get(lumas.len() / 6) else { return eye };
        let (mut sum_x, mut sum_y, mut weight) = (0.0, 0.0, 0.0);
        for &(x, y, value) in pixels.iter().filter(|p| p.2 <= threshold) {
            let w = threshold - value + 1.0;
            (sum_x, sum_y, weight) = (sum_x + f64::from(x) * w, sum_y + f64::from(y) * w, weight + w);
        }
        if weight > 0.0 { Point { x: sum_x / weight, y: sum_y / weight } } else { eye }
    };
    Landmarks { right_eye: refine(marks.right_eye), left_eye: refine(marks.left_eye), ..*marks }
}

/// `head` with its crown found on the picture: going up from the eyes through the middle of
/// the head, the first row that is background across the head's width (background being
/// within `tolerance` of `background`, the mean colour of the plain border). The crown is
/// the row below it; a head that reaches the top edge has its crown at 0.
pub fn find_crown(rgb: &RgbImage, head: Head, iod: f64, background: [f64; 3], tolerance: f64) -> Head {
    let half = (0.6 * iod).max(2.0);
    let columns = (head.eyes.x - half).max(0.0) as u32..((head.eyes.x + half) as u32).min(rgb.width());
    if columns.is_empty() {
        return head;
    }
    let is_background = |pixel: &image::Rgb<u8>| {
        let d: f64 = pixel.0.iter().zip(background).map(|(&v, b)| (f64::from(v) - b).powi(2)).sum();
        d.sqrt() <= tolerance
    };
    let start = (head.eyes.y - 0.5 * iod).max(0.0) as u32;
    let crown = (0..=start.min(rgb.height().saturating_sub(1)))
        .rev()
        .find(|&y| {
            let plain = columns.clone().filter(|&x| is_background(rgb.get_pixel(x, y))).count();
            plain * 100 >= columns.len() * 95
        })
        .map_or(0.0, |y| f64::from(y) + 1.0);
    Head { crown, crown_found: true, ..head }
}

/// The jaw's edge near `estimate`: going down the search window below the mouth, across a
/// band under it, the first row where brightness falls clearly (the lit chin above, the
/// throat in its shadow below) and falls most among its neighbours. A collar or a neckline
/// further down makes a stronger edge, which is why the first is taken and not the
/// strongest. The estimate itself when the window leaves the picture or shows no edge.
fn refine_chin(rgb: &RgbImage, marks: &Landmarks, estimate: f64) -> f64 {
    let iod = marks.eye_distance().max(1.0);
    let (centre, half) = (marks.mouth.x, (0.35 * iod).max(2.0));
    let (left, right) = ((centre - half).max(0.0) as u32, ((centre + half) as u32).min(rgb.width()));
    let reach = CHIN_SEARCH_IOD * iod;
    let (top, bottom) = ((estimate - reach).max(marks.mouth.y + 0.3 * iod), estimate + reach);
    let step = 2;
    if left >= right || bottom + 4.0 >= f64::from(rgb.height()) || top < 4.0 {
        return estimate;
    }
    let row_luma = |y: u32| {
        let sum: f64 = (left..right).map(|x| luma(rgb.get_pixel(x, y).0)).sum();
        sum / f64::from(right - left)
    };
    let fall = |y: u32| row_luma(y - step) - row_luma(y + step);
    (top as u32..=bottom as u32)
        .find(|&y| fall(y) >= CHIN_EDGE_MIN && fall(y) >= fall(y - 1) && fall(y) >= fall(y + 1))
        .map_or(estimate, f64::from)
}

/// How far the face is turned, in degrees (positive: towards the picture's right), from two
/// estimates averaged: the nose tip's offset from the eye midpoint, taken as standing
/// [`NOSE_DEPTH_IOD`] in front of the eyes; and the ears' distances from the eye midpoint,
/// taken as points at the side of a round head whose eyes stand [`EYES_FORWARD`] forward.
pub fn yaw_degrees(marks: &Landmarks) -> f64 {
    let nose = marks.in_face_frame(marks.nose_tip).x;
    let by_nose = (nose / NOSE_DEPTH_IOD).clamp(-1.0, 1.0).asin().to_degrees();
    let (right, left) = (-marks.in_face_frame(marks.right_ear).x, marks.in_face_frame(marks.left_ear).x);
    let by_ears = ((right - left) / ((right + left).max(0.1) * EYES_FORWARD)).atan().to_degrees();
    (by_nose + by_ears) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The six points of a head of radius 1 turned by `yaw` degrees and seen from the front
    /// (an orthographic view): eyes 0.42 either side of the middle (0.84 apart), the nose
    /// tip [`NOSE_DEPTH_IOD`] eye distances in front of the eyes, the ears at the sides.
    fn turned_head(yaw: f64) -> Landmarks {
        let turn = yaw.to_radians();
        let scale = 100.0;
        let at = |angle_degrees: f64, forward: f64, down: f64| {
            let angle = angle_degrees.to_radians() + turn;
            Point { x: 500.0 + scale * forward * angle.sin(), y: 500.0 + scale * down }
        };
        let eye_angle = (0.42f64).asin().to_degrees();
        Landmarks {
            right_eye: at(-eye_angle, 1.0, 0.0),
            left_eye: at(eye_angle, 1.0, 0.0),
            nose_tip: at(0.0, eye_angle.to_radians().cos() + NOSE_DEPTH_IOD * 0.84, 0.45),
            mouth: at(0.0, 1.0, 0.84),
            right_ear: at(-90.0, 1.0, 0.1),
            left_ear: at(90.0, 1.0, 0.1),
        }
    }

    #[test]
    fn a_frontal_head_is_not_turned_and_a_turned_one_is_measured_within_a_few_degrees() {
        assert!(yaw_degrees(&turned_head(0.0)).abs() < 0.5);
        for yaw in [-20.0, -10.0, 5.0, 15.0, 25.0] {
            let measured = yaw_degrees(&turned_head(yaw));
            assert!((measured - yaw).abs() <= 4.0, "turned {yaw}°, measured {measured:.1}°");
        }
    }

    #[test]
    fn the_crown_is_the_first_background_row_above_the_hair() {
        // White picture, a dark head from row 40 down; eyes at row 100, 40 px apart.
        let rgb =
            RgbImage::from_fn(200, 300, |_, y| if y >= 40 { image::Rgb([60, 40, 30]) } else { image::Rgb([250; 3]) });
        let head = Head {
            crown: 20.0,
            chin: 200.0,
            eyes: Point { x: 100.0, y: 100.0 },
            width: 90.0,
            roll_degrees: 0.0,
            yaw_degrees: 0.0,
            crown_found: false,
        };
        let found = find_crown(&rgb, head, 40.0, [250.0; 3], 30.0);
        assert_eq!((found.crown, found.crown_found), (40.0, true));
        let to_the_top = RgbImage::from_pixel(200, 300, image::Rgb([60, 40, 30]));
        assert_eq!(find_crown(&to_the_top, head, 40.0, [250.0; 3], 30.0).crown, 0.0);
    }
}
