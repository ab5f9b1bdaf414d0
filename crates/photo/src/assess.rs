//! The whole photo check as citizens and officers get it: faces found, every rule judged,
//! and a suggested crop only when it has been tried. The crop is cut, its faces found anew
//! and the rules judged again; it is offered only if it delivers what it claims
//! ([`crop_delivers`]), so "按建议裁剪照片" never makes a photo worse.

use crate::check::{Report, check, crop_delivers};
use crate::faces::{ModelError, detect_faces};
use image::DynamicImage;

/// Checks `image` as a passport photo, keeping a suggested crop only if cropping to it fixes
/// the framing and breaks nothing.
pub fn assess(image: &DynamicImage) -> Result<Report, ModelError> {
    let mut report = check(image, &detect_faces(image)?);
    if let Some(crop) = report.suggested_crop {
        let cropped = image.crop_imm(crop.x, crop.y, crop.width, crop.height);
        let after = check(&cropped, &detect_faces(&cropped)?);
        if !crop_delivers(&report, &after) {
            report.suggested_crop = None;
        }
    }
    Ok(report)
}
