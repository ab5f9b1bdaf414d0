//! The platform's own face verifier: a capture stands as the applicant's face when the photo
//! crate's detector finds exactly one face in it, its eyes open to view (as the photo check's
//! eyes-visible rule judges them). Detection is heavy work and takes its turn.

use async_trait::async_trait;
use lingshi_integrations::face::{FaceOutcome, FaceVerifier};
use lingshi_photo::{IntakeLimits, detect_faces, eyes_in_view, take_image};

use crate::service::heavy_work;

/// Captures reach the verifier after the platform's intake; re-encoding may have made them
/// larger than the upload, so only the decoding limits apply here.
const ALREADY_CLEAN: IntakeLimits = IntakeLimits::PHOTO.with_max_bytes(usize::MAX);

/// Looks for faces with the photo crate's detector and accepts a capture with exactly one,
/// both eyes in view.
pub struct DetectingVerifier;

#[async_trait]
impl FaceVerifier for DetectingVerifier {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome {
        let capture = capture.to_vec();
        let judged = heavy_work::run(move || {
            let Ok(image) = take_image(&capture, ALREADY_CLEAN) else {
                return FaceOutcome::NotAnImage;
            };
            let Ok(faces) = detect_faces(&image.pixels) else {
                return FaceOutcome::Unavailable;
            };
            match faces.as_slice() {
                [] => FaceOutcome::NoFace,
                [face] if eyes_in_view(&image.pixels, face) => FaceOutcome::Accepted,
                [_] => FaceOutcome::EyesHidden,
                _ => FaceOutcome::SeveralFaces,
            }
        });
        judged.await.unwrap_or(FaceOutcome::Unavailable)
    }
}
