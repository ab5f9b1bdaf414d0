//! Face detection with SeetaFace's frontal-face model (through `rustface`), embedded in the
//! binary.

use image::DynamicImage;
use rustface::{Detector, ImageData};

static MODEL: &[u8] = include_bytes!(env!("LINGSHI_SEETA_MODEL"));

/// Images are analysed at most this wide or high: detection cost grows with area, and the
/// faces that matter here (a passport photo, a selfie) fill a good part of the picture. The
/// model's window is 40 px, and faces from 60 px (15 % of the side) are found reliably.
const ANALYSIS_SIDE: u32 = 400;
/// The detector's settings, chosen on LFW's faces and non-faces (the `faces` tests): with
/// SeetaFace's example settings (pyramid 0.8, window step 4, score threshold 2) it finds 93
/// of 100 faces at 15 % of the side; with these, 92, in less than half the time (20 against
/// 47 ms for a 1-megapixel snapshot), no false alarm either way, and the suggested crop still
/// passes the framing rules at every print size the `check` tests try. Rejected: pyramid
/// 0.75 (the crop's top margin drifted out at two sizes); at pyramid 0.8, step 8 with
/// threshold 1 (90 faces) and step 6 with threshold 2 (89).
const PYRAMID_FACTOR: f32 = 0.7;
const WINDOW_STEP: u32 = 6;
const SCORE_THRESHOLD: f64 = 1.5;

/// A face found in an image, in the image's own pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub score: f64,
}

/// Why the detector could not run.
#[derive(Debug, thiserror::Error)]
#[error("the face model could not be loaded: {0}")]
pub struct ModelError(String);

/// A ready detector. Loading the model takes a few milliseconds; keep one per thread of use.
pub struct FaceDetector {
    detector: Box<dyn Detector>,
}

impl FaceDetector {
    pub fn new() -> Result<Self, ModelError> {
        let model = rustface::read_model(MODEL).map_err(|e| ModelError(e.to_string()))?;
        let mut detector = rustface::create_detector_with_model(model);
        // No minimum face size: rustface ignores it (its pyramid always starts at full size);
        // the analysis size is what bounds the smallest face.
        detector.set_score_thresh(SCORE_THRESHOLD);
        detector.set_pyramid_scale_factor(PYRAMID_FACTOR);
        detector.set_slide_window_step(WINDOW_STEP, WINDOW_STEP);
        Ok(Self { detector })
    }

    /// The faces in `image`, largest first.
    pub fn detect(&mut self, image: &DynamicImage) -> Vec<FaceBox> {
        let (grey, scale) = crate::raster::grey_within(image, ANALYSIS_SIDE);
        let data = ImageData::new(grey.as_raw(), grey.width(), grey.height());
        let mut faces: Vec<FaceBox> = self
            .detector
            .detect(&data)
            .into_iter()
            .map(|face| {
                let b = face.bbox();
                let to_image = |v: i32| (f64::from(v.max(0)) * scale) as u32;
                FaceBox {
                    x: to_image(b.x()),
                    y: to_image(b.y()),
                    width: (f64::from(b.width()) * scale) as u32,
                    height: (f64::from(b.height()) * scale) as u32,
                    score: face.score(),
                }
            })
            .collect();
        faces.sort_by_key(|f| std::cmp::Reverse(f.width * f.height));
        faces
    }
}

thread_local! {
    /// Parsing the model takes far longer than looking at a photo: one detector per thread.
    static DETECTOR: std::cell::RefCell<Option<FaceDetector>> = const { std::cell::RefCell::new(None) };
}

/// The faces in `image`, largest first, with this thread's detector (created on first use).
pub fn detect_faces(image: &DynamicImage) -> Result<Vec<FaceBox>, ModelError> {
    DETECTOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(FaceDetector::new()?);
        }
        Ok(slot.as_mut().map(|detector| detector.detect(image)).unwrap_or_default())
    })
}
