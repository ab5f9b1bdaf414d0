//! Lingshi's photo crate: everything citizens upload is an image from a phone, and nothing
//! they upload is stored as it came.
//!
//! [`intake`] recognises the type by its magic bytes (never by name or declared type),
//! refuses empty, oversized, truncated and bomb-like files before they cost memory, decodes
//! within explicit limits, applies the EXIF orientation, and drops every piece of metadata
//! (EXIF, GPS, comments, ICC) and anything appended to the file: an upright JPEG by keeping
//! only the segments a decoder needs (`jpeg_segments`), anything else by re-encoding.

pub mod assess;
pub mod check;
pub mod faces;
pub mod head;
pub mod intake;
mod jpeg_segments;
mod measure;
pub mod mrz_zone;
pub mod ocr;
mod raster;
mod rules;
#[cfg(feature = "testing")]
pub mod testing;
mod zone_cells;
mod zone_reader;

pub use assess::assess;
pub use check::{CropBox, FRAMING, HeadOutline, Report, Rule, RuleResult, Verdict, check, crop_delivers, eyes_in_view};
pub use faces::{Face, Landmarks, detect_faces};
pub use intake::{
    CleanImage, CleanMaterial, IntakeError, IntakeLimits, Kind, decode, sniff, take_cropped, take_image, take_material,
};
pub use mrz_zone::cut_zone;
pub use ocr::{OcrError, Tesseract, ZONE_CHARACTERS};
pub use raster::Point;
pub use zone_reader::read_zone;
