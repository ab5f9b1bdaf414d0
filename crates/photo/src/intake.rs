//! Safe intake of an uploaded image.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits};
use std::io::Cursor;

use crate::check::CropBox;

/// What a file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    /// Accepted for scanned materials, never decoded here.
    Pdf,
}

impl Kind {
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
        }
    }
}

/// The type of `bytes` from its magic number, or `None`.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else {
        None
    }
}

/// Bounds on what an upload may cost.
#[derive(Debug, Clone, Copy)]
pub struct IntakeLimits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Largest width and height accepted, in pixels.
    pub max_side: u32,
    /// Most memory the decoder may allocate, in bytes.
    pub max_alloc: u64,
}

impl IntakeLimits {
    /// For passport photos and face captures: 5 MB, 8000 px a side, 256 MiB of decoding.
    pub const PHOTO: IntakeLimits =
        IntakeLimits { max_bytes: 5 * 1024 * 1024, max_side: 8000, max_alloc: 256 * 1024 * 1024 };

    /// These limits with another largest file size (the decoding limits stay).
    pub const fn with_max_bytes(self, max_bytes: usize) -> Self {
        Self { max_bytes, ..self }
    }
}

/// Why an upload was refused. Each has a stable code the web layer translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the file is not a JPEG or PNG image")]
    NotAnImage,
    #[error("the image is more than {limit} pixels a side, or would take too much memory to decode")]
    DimensionsTooLarge { limit: u32 },
    #[error("the image is damaged or incomplete")]
    Corrupt,
    #[error("the file is not a JPEG, PNG or PDF")]
    NotAMaterial,
    #[error("the crop reaches outside the image")]
    CropOutside,
}

impl IntakeError {
    pub fn code(&self) -> &'static str {
        match self {
            IntakeError::Empty => "image_empty",
            IntakeError::TooLarge { .. } => "image_too_large",
            IntakeError::NotAnImage => "image_not_jpeg_or_png",
            IntakeError::DimensionsTooLarge { .. } => "image_dimensions_too_large",
            IntakeError::Corrupt => "image_corrupt",
            IntakeError::NotAMaterial => "file_not_jpeg_png_or_pdf",
            IntakeError::CropOutside => "photo_crop_outside",
        }
    }
}

/// An image as it will be stored: upright and without metadata. An upright JPEG keeps its
/// compressed image data as uploaded (no second lossy generation); anything else is
/// re-encoded.
#[derive(Debug, Clone)]
pub struct CleanImage {
    pub kind: Kind,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    /// The decoded pixels, for checks that follow intake.
    pub pixels: DynamicImage,
}

/// Checks and decodes an uploaded JPEG or PNG within `limits`, and makes the file to store:
/// an upright JPEG with its metadata segments left out, else the pixels re-encoded.
pub fn take_image(bytes: &[u8], limits: IntakeLimits) -> Result<CleanImage, IntakeError> {
    let (kind, pixels, orientation) = decode_oriented(bytes, limits)?;
    let lossless = match (kind, orientation) {
        (Kind::Jpeg, Orientation::NoTransforms) => crate::jpeg_segments::without_metadata(bytes, &pixels, limits),
        _ => None,
    };
    let bytes = match lossless {
        Some(bytes) => bytes,
        None => encode(&pixels, kind)?,
    };
    Ok(CleanImage { kind, width: pixels.width(), height: pixels.height(), bytes, pixels })
}

/// The image cut to `crop` and re-encoded as [`take_image`] does: a photo cropped as its
/// check suggested. A crop reaching outside the image is refused.
pub fn take_cropped(bytes: &[u8], crop: CropBox, limits: IntakeLimits) -> Result<CleanImage, IntakeError> {
    let (kind, pixels) = decode(bytes, limits)?;
    let inside =
        |start: u32, length: u32, limit: u32| length > 0 && start.checked_add(length).is_some_and(|end| end <= limit);
    if !inside(crop.x, crop.width, pixels.width()) || !inside(crop.y, crop.height, pixels.height()) {
        return Err(IntakeError::CropOutside);
    }
    let pixels = pixels.crop_imm(crop.x, crop.y, crop.width, crop.height);
    let bytes = encode(&pixels, kind)?;
    Ok(CleanImage { kind, width: pixels.width(), height: pixels.height(), bytes, pixels })
}

/// A scanned or photographed material as it will be stored.
#[derive(Debug, Clone)]
pub struct CleanMaterial {
    pub kind: Kind,
    pub bytes: Vec<u8>,
    /// The decoded pixels of an image (a PDF is never decoded here).
    pub pixels: Option<DynamicImage>,
}

/// How far from the end a PDF's `%%EOF` marker may be (trailing whitespace and the odd
/// byte some writers append).
const PDF_TAIL: usize = 1024;

/// Checks an uploaded material: images go through [`take_image`]; a PDF is accepted as it
/// is (never decoded here) if it starts with `%PDF-` and ends with `%%EOF`, so a truncated
/// upload is refused.
pub fn take_material(bytes: &[u8], limits: IntakeLimits) -> Result<CleanMaterial, IntakeError> {
    if bytes.is_empty() {
        return Err(IntakeError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(IntakeError::TooLarge { limit: limits.max_bytes });
    }
    match sniff(bytes) {
        Some(Kind::Pdf) => {
            let tail = &bytes[bytes.len().saturating_sub(PDF_TAIL)..];
            if tail.windows(5).any(|w| w == b"%%EOF") {
                Ok(CleanMaterial { kind: Kind::Pdf, bytes: bytes.to_vec(), pixels: None })
            } else {
                Err(IntakeError::Corrupt)
            }
        }
        Some(Kind::Jpeg | Kind::Png) => take_image(bytes, limits).map(|clean| CleanMaterial {
            kind: clean.kind,
            bytes: clean.bytes,
            pixels: Some(clean.pixels),
        }),
        None => Err(IntakeError::NotAMaterial),
    }
}

/// The checks of [`take_image`] and the upright pixels, without re-encoding: for looking at
/// an upload that will not be stored.
pub fn decode(bytes: &[u8], limits: IntakeLimits) -> Result<(Kind, DynamicImage), IntakeError> {
    decode_oriented(bytes, limits).map(|(kind, pixels, _)| (kind, pixels))
}

/// [`decode`], and the orientation the file declared (already applied to the pixels).
fn decode_oriented(bytes: &[u8], limits: IntakeLimits) -> Result<(Kind, DynamicImage, Orientation), IntakeError> {
    if bytes.is_empty() {
        return Err(IntakeError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(IntakeError::TooLarge { limit: limits.max_bytes });
    }
    let kind = match sniff(bytes) {
        Some(kind @ (Kind::Jpeg | Kind::Png)) => kind,
        _ => return Err(IntakeError::NotAnImage),
    };
    // The JPEG decoder fills a cut-off image with grey rather than failing; an image without
    // its end-of-image marker is incomplete, whatever the decoder makes of it. Looked for from
    // the end, where a whole image has it.
    if kind == Kind::Jpeg && !bytes.windows(2).rev().any(|w| w == [0xFF, 0xD9]) {
        return Err(IntakeError::Corrupt);
    }
    let format = match kind {
        Kind::Jpeg => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::Png,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decoder_limits);
    // The header alone tells the size: refuse a bomb before any pixel is allocated.
    let mut decoder = reader.into_decoder().map_err(|e| refusal(&e, limits.max_side))?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_side || height > limits.max_side {
        return Err(IntakeError::DimensionsTooLarge { limit: limits.max_side });
    }
    let orientation = decoder.orientation().map_err(|_| IntakeError::Corrupt)?;
    let mut pixels = DynamicImage::from_decoder(decoder).map_err(|e| refusal(&e, limits.max_side))?;
    pixels.apply_orientation(orientation);
    Ok((kind, pixels, orientation))
}

fn refusal(error: &image::ImageError, limit: u32) -> IntakeError {
    match error {
        image::ImageError::Limits(_) => IntakeError::DimensionsTooLarge { limit },
        _ => IntakeError::Corrupt,
    }
}

/// Re-encodes in the upload's own format (JPEG at high quality, PNG losslessly).
fn encode(pixels: &DynamicImage, kind: Kind) -> Result<Vec<u8>, IntakeError> {
    let mut out = Vec::new();
    match kind {
        Kind::Jpeg => {
            let rgb = pixels.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, 92)
                .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
                .map_err(|_| IntakeError::Corrupt)?;
        }
        _ => {
            let rgba = pixels.to_rgba8();
            PngEncoder::new(&mut out)
                .write_image(rgba.as_raw(), rgba.width(), rgba.height(), image::ExtendedColorType::Rgba8)
                .map_err(|_| IntakeError::Corrupt)?;
        }
    }
    Ok(out)
}
