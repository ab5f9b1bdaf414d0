//! The whole photo check as citizens and officers get it: faces found, every rule judged,
//! and a suggested crop only when it has been tried. The crop is cut, the faces found carried
//! into it (the same faces, moved: one detection per check) and every rule judged again on
//! the cut picture; it is offered only if it delivers what it claims ([`crop_delivers`]), so
//! "按建议裁剪照片" never makes a photo worse.

use crate::check::{Report, check, crop_delivers};
use crate::faces::{ModelError, detect_faces};
use image::DynamicImage;

/// Checks `image` as a passport photo, keeping a suggested crop only if cropping to it fixes
/// the framing and breaks nothing.
pub fn assess(image: &DynamicImage) -> Result<Report, ModelError> {
    let faces = detect_faces(image)?;
    let mut report = check(image, &faces);
    if let Some(crop) = report.suggested_crop {
        let cropped = image.crop_imm(crop.x, crop.y, crop.width, crop.height);
        let (dx, dy) = (f64::from(crop.x), f64::from(crop.y));
        let inside: Vec<_> = faces.iter().filter_map(|f| f.within(dx, dy, crop.width, crop.height)).collect();
        let after = check(&cropped, &inside);
        if !crop_delivers(&report, &after) {
            report.suggested_crop = None;
        }
    }
    Ok(report)
}
