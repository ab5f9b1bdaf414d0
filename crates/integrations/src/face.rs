//! The face step of real-name verification. A [`FaceVerifier`] decides whether a live
//! capture can stand as the applicant's face: the platform's own detector
//! (`lingshi_web::service::detecting_verifier`), or a national identity service plugged in
//! behind the same trait.

use async_trait::async_trait;

/// What a verifier concluded about one capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceOutcome {
    Accepted,
    /// Not a JPEG or PNG image.
    NotAnImage,
    NoFace,
    SeveralFaces,
    /// One face, but its eyes are closed or hidden (dark glasses, hair, a hand).
    EyesHidden,
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
            FaceOutcome::EyesHidden => "face_eyes_hidden",
            FaceOutcome::Unavailable => "face_check_unavailable",
        }
    }
}

/// Judges a live face capture.
#[async_trait]
pub trait FaceVerifier: Send + Sync {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome;
}
