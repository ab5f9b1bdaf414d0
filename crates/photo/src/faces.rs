//! Face detection with landmarks: MediaPipe's BlazeFace short-range model (the ONNX file of
//! `crates/photo/model/`, see its NOTICE), embedded in the binary and run through `rten` on
//! the calling thread's own single-threaded pool: requests already run in parallel, and
//! heavy work takes turns. Each face comes with its box and six landmarks (both eyes, the
//! nose tip, the mouth, both ear tragions) in the image's own pixel coordinates.
//!
//! The model sees the picture letterboxed into 128 × 128 (area-averaged, so nothing of it is
//! skipped). It is made for faces near a phone's camera: it finds faces from a quarter of the
//! picture's longer side (the LFW measure in the `faces` tests), which every selfie and
//! passport photo is; a crowd shot's small faces are not its business.

use crate::raster::{Point, rgb_within};
use image::DynamicImage;
use rten::{Model, RunOptions, ThreadPool};
use rten_tensor::NdTensor;
use rten_tensor::prelude::*;
use serde::Serialize;
use std::sync::{Arc, OnceLock};

static MODEL_FILE: &[u8] = include_bytes!("../model/face_detection_front_128x128_barracuda.onnx");
/// The model's input side.
const INPUT_SIDE: u32 = 128;
/// The model's two anchor grids: cells per row and anchors per cell (896 anchors in all).
const ANCHOR_GRIDS: [(usize, usize); 2] = [(16, 2), (8, 6)];
/// Numbers per anchor in the box outputs: the box (centre, size) and six landmarks.
const VALUES_PER_ANCHOR: usize = 16;
/// A detection counts from this confidence. Chosen on LFW's faces and non-faces (the
/// `faces` tests): LFW's faces score 0.54–0.93 at a quarter of the side, its face-free crops
/// up to 0.69 by the model alone, which the landmark geometry below then rules out.
const SCORE_THRESHOLD: f32 = 0.65;
/// Detections of one face overlap at least this much (intersection over union).
const SAME_FACE_OVERLAP: f32 = 0.3;

/// A face found in an image, in the image's own pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Face {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The model's confidence, 0–1.
    pub score: f64,
    pub landmarks: Landmarks,
}

impl Face {
    /// The same face in a picture whose origin is at (`dx`, `dy`) of this one's: its box and
    /// every landmark moved by (−`dx`, −`dy`); `None` when its box's centre falls outside
    /// the `width` × `height` picture.
    pub fn within(&self, dx: f64, dy: f64, width: u32, height: u32) -> Option<Face> {
        let by = |p: Point| Point { x: p.x - dx, y: p.y - dy };
        let m = &self.landmarks;
        let (left, top) = (f64::from(self.x) - dx, f64::from(self.y) - dy);
        let centre = Point { x: left + f64::from(self.width) / 2.0, y: top + f64::from(self.height) / 2.0 };
        let inside = (0.0..f64::from(width)).contains(&centre.x) && (0.0..f64::from(height)).contains(&centre.y);
        inside.then(|| Face {
            x: left.max(0.0) as u32,
            y: top.max(0.0) as u32,
            landmarks: Landmarks {
                right_eye: by(m.right_eye),
                left_eye: by(m.left_eye),
                nose_tip: by(m.nose_tip),
                mouth: by(m.mouth),
                right_ear: by(m.right_ear),
                left_ear: by(m.left_ear),
            },
            ..*self
        })
    }
}

/// The six points BlazeFace places. "Right" and "left" are the person's own: their right eye
/// is on the picture's left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Landmarks {
    pub right_eye: Point,
    pub left_eye: Point,
    pub nose_tip: Point,
    pub mouth: Point,
    pub right_ear: Point,
    pub left_ear: Point,
}

impl Landmarks {
    pub fn eye_midpoint(&self) -> Point {
        self.right_eye.midpoint(self.left_eye)
    }

    /// Distance between the eyes' centres.
    pub fn eye_distance(&self) -> f64 {
        self.right_eye.distance(self.left_eye)
    }

    /// The roll of the head in degrees: the eye line's angle, clockwise positive.
    pub fn roll_degrees(&self) -> f64 {
        (self.left_eye.y - self.right_eye.y).atan2(self.left_eye.x - self.right_eye.x).to_degrees()
    }

    /// `point` in the face's own frame: across along the eye line and down square to it, from
    /// the eye midpoint, in eye distances.
    pub fn in_face_frame(&self, point: Point) -> Point {
        let (mid, distance) = (self.eye_midpoint(), self.eye_distance().max(1.0));
        let angle = self.roll_degrees().to_radians();
        let (dx, dy) = (point.x - mid.x, point.y - mid.y);
        Point {
            x: (dx * angle.cos() + dy * angle.sin()) / distance,
            y: (-dx * angle.sin() + dy * angle.cos()) / distance,
        }
    }

    /// Whether the points stand as a face's do: the eyes apart and level within 45°, the
    /// nose below them and the mouth below the nose, the ears outside the eyes. The model's
    /// false alarms (a fold of cloth, a pattern) place them otherwise.
    fn plausible(&self) -> bool {
        let (nose, mouth) = (self.in_face_frame(self.nose_tip), self.in_face_frame(self.mouth));
        let (right_ear, left_ear) = (self.in_face_frame(self.right_ear), self.in_face_frame(self.left_ear));
        self.roll_degrees().abs() <= 45.0
            && (0.2..=1.2).contains(&nose.y)
            && mouth.y > nose.y
            && mouth.y <= 1.8
            && nose.x.abs() <= 0.6
            && right_ear.x < -0.5
            && left_ear.x > 0.5
    }
}

/// Why the detector could not run.
#[derive(Debug, thiserror::Error)]
#[error("the face model could not be run: {0}")]
pub struct ModelError(String);

/// The model, parsed once for the process (it is immutable and shared by every thread).
fn model() -> Result<&'static Model, ModelError> {
    static MODEL: OnceLock<Result<Model, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| Model::load_static_slice(MODEL_FILE).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ModelError(e.clone()))
}

thread_local! {
    /// One inference thread per calling thread: a detection never takes more than one core.
    static POOL: Arc<ThreadPool> = Arc::new(ThreadPool::with_num_threads(1));
}

/// Where the picture sits in the model's square input: its scale and offset.
struct Letterbox {
    /// Image pixels per input pixel.
    scale: f64,
    left: u32,
    top: u32,
}

impl Letterbox {
    /// An input position (in input pixels) in the image's pixels.
    fn to_image(&self, x: f32, y: f32) -> Point {
        Point {
            x: (f64::from(x) - f64::from(self.left)) * self.scale,
            y: (f64::from(y) - f64::from(self.top)) * self.scale,
        }
    }
}

/// The picture letterboxed into the model's input, scaled to [-1, 1], in NHWC order.
fn input_of(image: &DynamicImage) -> (NdTensor<f32, 4>, Letterbox) {
    let (rgb, scale) = rgb_within(image, INPUT_SIDE);
    let (left, top) = ((INPUT_SIDE - rgb.width()) / 2, (INPUT_SIDE - rgb.height()) / 2);
    let side = INPUT_SIDE as usize;
    let mut input = NdTensor::<f32, 4>::zeros([1, side, side, 3]);
    for (x, y, pixel) in rgb.enumerate_pixels() {
        for (channel, &value) in pixel.0.iter().enumerate() {
            input[[0, (y + top) as usize, (x + left) as usize, channel]] = f32::from(value) / 127.5 - 1.0;
        }
    }
    (input, Letterbox { scale, left, top })
}

/// One anchor's detection, in input pixels.
#[derive(Clone, Copy)]
struct Candidate {
    score: f32,
    /// Centre x, y, width, height, then the six landmarks' x, y.
    values: [f32; VALUES_PER_ANCHOR],
}

impl Candidate {
    fn overlap(&self, other: &Candidate) -> f32 {
        let edges = |c: &Candidate| {
            let [x, y, w, h, ..] = c.values;
            (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0)
        };
        let (a, b) = (edges(self), edges(other));
        let inner = (a.2.min(b.2) - a.0.max(b.0)).max(0.0) * (a.3.min(b.3) - a.1.max(b.1)).max(0.0);
        let area = |e: (f32, f32, f32, f32)| (e.2 - e.0) * (e.3 - e.1);
        inner / (area(a) + area(b) - inner).max(f32::EPSILON)
    }
}

/// The anchors above the threshold, decoded: each output is an offset from its anchor's
/// cell centre, in input pixels.
fn candidates(scores: [&[f32]; 2], boxes: [&[f32]; 2]) -> Vec<Candidate> {
    let side = INPUT_SIDE as f32;
    let mut found = Vec::new();
    for (layer, &(cells, per_cell)) in ANCHOR_GRIDS.iter().enumerate() {
        for anchor in 0..cells * cells * per_cell {
            let (Some(&raw), Some(raw_box)) = (
                scores[layer].get(anchor),
                boxes[layer].get(anchor * VALUES_PER_ANCHOR..(anchor + 1) * VALUES_PER_ANCHOR),
            ) else {
                continue;
            };
            let score = 1.0 / (1.0 + (-raw).exp());
            if score < SCORE_THRESHOLD {
                continue;
            }
            let cell = anchor / per_cell;
            let cell_side = side / cells as f32;
            let (centre_x, centre_y) =
                (((cell % cells) as f32 + 0.5) * cell_side, ((cell / cells) as f32 + 0.5) * cell_side);
            let mut values = [0.0; VALUES_PER_ANCHOR];
            for (i, (value, &raw)) in values.iter_mut().zip(raw_box).enumerate() {
                // Box sizes are absolute; every other value is an offset from the centre.
                *value = match i {
                    2 | 3 => raw,
                    _ if i % 2 == 0 => centre_x + raw,
                    _ => centre_y + raw,
                };
            }
            found.push(Candidate { score, values });
        }
    }
    found
}

/// Overlapping detections merged into one face each, best first: each face is the
/// score-weighted mean of the detections that overlap its best one (MediaPipe's blending),
/// with that best score.
fn merge(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut merged = Vec::new();
    while let Some(best) = candidates.first().copied() {
        let (same, rest): (Vec<Candidate>, Vec<Candidate>) =
            candidates.into_iter().partition(|c| c.overlap(&best) >= SAME_FACE_OVERLAP);
        let weight: f32 = same.iter().map(|c| c.score).sum();
        let mut values = [0.0; VALUES_PER_ANCHOR];
        for c in &same {
            for (sum, value) in values.iter_mut().zip(c.values) {
                *sum += value * c.score / weight;
            }
        }
        merged.push(Candidate { score: best.score, values });
        candidates = rest;
    }
    merged
}

/// The face a merged detection describes, in the image's pixels; `None` if it lies outside
/// the picture (in the letterbox's padding).
fn face_of(candidate: &Candidate, letterbox: &Letterbox, (width, height): (u32, u32)) -> Option<Face> {
    let v = candidate.values;
    let point = |i: usize| letterbox.to_image(v[4 + 2 * i], v[5 + 2 * i]);
    let landmarks = Landmarks {
        right_eye: point(0),
        left_eye: point(1),
        nose_tip: point(2),
        mouth: point(3),
        right_ear: point(4),
        left_ear: point(5),
    };
    let (w, h) = (f64::from(width), f64::from(height));
    let centre = letterbox.to_image(v[0], v[1]);
    if !(0.0..w).contains(&centre.x) || !(0.0..h).contains(&centre.y) {
        return None;
    }
    let (box_w, box_h) = (f64::from(v[2]) * letterbox.scale, f64::from(v[3]) * letterbox.scale);
    let (left, top) = ((centre.x - box_w / 2.0).clamp(0.0, w), (centre.y - box_h / 2.0).clamp(0.0, h));
    let (right, bottom) = ((centre.x + box_w / 2.0).clamp(0.0, w), (centre.y + box_h / 2.0).clamp(0.0, h));
    Some(Face {
        x: left as u32,
        y: top as u32,
        width: (right - left) as u32,
        height: (bottom - top) as u32,
        score: f64::from(candidate.score),
        landmarks,
    })
}

/// The faces in `image`, largest first.
pub fn detect_faces(image: &DynamicImage) -> Result<Vec<Face>, ModelError> {
    let model = model()?;
    let (input, letterbox) = input_of(image);
    let [input_id] = model.input_ids() else { return Err(ModelError("the model has not one input".into())) };
    let outputs = ["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"]
        .map(|name| model.node_id(name).map_err(|e| ModelError(e.to_string())));
    let outputs = outputs.into_iter().collect::<Result<Vec<_>, _>>()?;
    let options = POOL.with(|pool| RunOptions::default().with_thread_pool(Some(Arc::clone(pool))));
    let values = model
        .run(vec![(*input_id, input.view().into())], &outputs, Some(options))
        .map_err(|e| ModelError(e.to_string()))?;
    let tensors = values
        .into_iter()
        .map(|value| value.into_tensor::<f32>().map(|t| t.to_vec()).ok_or_else(|| ModelError("not f32".into())))
        .collect::<Result<Vec<_>, _>>()?;
    let [scores_16, scores_8, boxes_16, boxes_8] = tensors.as_slice() else {
        return Err(ModelError("the model gave other outputs".into()));
    };
    let found = candidates([scores_16, scores_8], [boxes_16, boxes_8]);
    let mut faces: Vec<Face> = merge(found)
        .iter()
        .filter_map(|candidate| face_of(candidate, &letterbox, (image.width(), image.height())))
        .filter(|face| face.landmarks.plausible())
        .collect();
    faces.sort_by_key(|f| std::cmp::Reverse(f.width * f.height));
    Ok(faces)
}
