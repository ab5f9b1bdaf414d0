//! The face step of real-name verification. A [`FaceVerifier`] decides whether a live
//! capture can stand as the applicant's face; a national identity service can be plugged
//! in behind the same trait.

use async_trait::async_trait;

/// What a verifier concluded about one capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceOutcome {
    Accepted,
    /// Not a JPEG or PNG image.
    NotAnImage,
    NoFace,
    SeveralFaces,
}

impl FaceOutcome {
    /// Stable code for refused captures, translated by the web layer.
    pub fn code(self) -> &'static str {
        match self {
            FaceOutcome::Accepted => "face_accepted",
            FaceOutcome::NotAnImage => "face_not_an_image",
            FaceOutcome::NoFace => "face_none_found",
            FaceOutcome::SeveralFaces => "face_several_found",
        }
    }
}

/// Judges a live face capture.
#[async_trait]
pub trait FaceVerifier: Send + Sync {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome;
}

/// Accepts any JPEG or PNG capture, recognised by its magic bytes, for storage and later
/// review by staff. It does not look for faces: it is the verifier used until a face
/// detector is configured.
pub struct CaptureOnly;

/// Whether `bytes` start like a JPEG or a PNG file.
pub fn is_jpeg_or_png(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

#[async_trait]
impl FaceVerifier for CaptureOnly {
    async fn verify(&self, capture: &[u8]) -> FaceOutcome {
        if is_jpeg_or_png(capture) { FaceOutcome::Accepted } else { FaceOutcome::NotAnImage }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn capture_only_accepts_images_and_refuses_anything_else() {
        assert_eq!(CaptureOnly.verify(b"\x89PNG\r\n\x1a\nrest").await, FaceOutcome::Accepted);
        assert_eq!(CaptureOnly.verify(&[0xFF, 0xD8, 0xFF, 0xE0]).await, FaceOutcome::Accepted);
        assert_eq!(CaptureOnly.verify(b"%PDF-1.7").await, FaceOutcome::NotAnImage);
        assert_eq!(CaptureOnly.verify(b"").await, FaceOutcome::NotAnImage);
    }
}
