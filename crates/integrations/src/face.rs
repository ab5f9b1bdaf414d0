//! The face step of real-name verification. A [`FaceVerifier`] decides whether a live
//! capture can stand as the applicant's face; a national identity service can be plugged
//! in behind the same trait.

use async_trait::async_trait;
use lingshi_photo::{IntakeLimits, detect_faces, take_image};

/// What a verifier concluded about one capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceOutcome {
    Accepted,
    /// Not a JPEG or PNG image.
    NotAnImage,
    NoFace,
    SeveralFaces,
    /// The verifier could not judge (its model or service failed); the applicant may retry
    /// or skip.
    Unavailable,
}

impl FaceOutcome {
    /// Stable code for refused captures, translated by the web layer.
    pub fn code(self) -> &'static str {
        match self {
            FaceOutcome::Accepted => "face_accepted",
            FaceOutcome::NotAnImage => "face_not_an_image",
            FaceOutcome::NoFace => "face_none_found",
            FaceOutcome::SeveralFaces => "face_several_found",
            FaceOutcome::Unavailable => "face_check_unavailable",
        }
    }
}

/// Judges a live face capture.
#[async_trait]
pub trait FaceVerifier: Send + Sync {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome;
}

/// Captures reach the verifier after the platform's intake; re-encoding may have made them
/// larger than the upload, so only the decoding limits apply here.
const ALREADY_CLEAN: IntakeLimits = IntakeLimits::PHOTO.with_max_bytes(usize::MAX);

/// Looks for faces with the photo crate's detector and accepts a capture with exactly one.
pub struct DetectingVerifier;

#[async_trait]
impl FaceVerifier for DetectingVerifier {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome {
        let capture = capture.to_vec();
        let judged = tokio::task::spawn_blocking(move || {
            let Ok(image) = take_image(&capture, ALREADY_CLEAN) else {
                return FaceOutcome::NotAnImage;
            };
            let Ok(faces) = detect_faces(&image.pixels) else {
                return FaceOutcome::Unavailable;
            };
            match faces.len() {
                0 => FaceOutcome::NoFace,
                1 => FaceOutcome::Accepted,
                _ => FaceOutcome::SeveralFaces,
            }
        });
        judged.await.unwrap_or(FaceOutcome::Unavailable)
    }
}
