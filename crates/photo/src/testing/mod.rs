//! Test support: real photographs from a registry package. `./scripts/test.sh` downloads
//! scikit-image from PyPI and extracts its public-domain sample images into
//! `target/fixtures/` (or `LINGSHI_FIXTURES`); a test that needs one and cannot find it fails.
//! Synthetic passport data pages come from [`data_page`].

pub mod data_page;

use image::ImageEncoder;
use std::path::PathBuf;

/// Where the fixtures are.
pub fn fixtures_dir() -> PathBuf {
    std::env::var("LINGSHI_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures"))
}

/// The bytes of fixture `name` (e.g. `astronaut.png`).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("fixture {} is missing ({e}); ./scripts/test.sh fetches it from PyPI's scikit-image", path.display())
    })
}

/// `rgb` with a dark disc of `radius` over each of `eyes`: dark glasses, for the rules and
/// the face step that need the eyes visible.
pub fn paint_dark_glasses(rgb: &mut image::RgbImage, eyes: [crate::Point; 2], radius: f64) {
    for (x, y, pixel) in rgb.enumerate_pixels_mut() {
        let at = crate::Point { x: f64::from(x), y: f64::from(y) };
        if eyes.iter().any(|eye| at.distance(*eye) <= radius) {
            *pixel = image::Rgb([22, 22, 28]);
        }
    }
}

/// The astronaut fixture in dark glasses, as a PNG: her pupils as annotated by hand
/// (`tests/landmarks.json`), each covered by a disc of a third of the eye distance.
pub fn astronaut_in_dark_glasses() -> Vec<u8> {
    let mut rgb =
        image::load_from_memory(&fixture("astronaut.png")).unwrap_or_else(|e| panic!("astronaut: {e}")).to_rgb8();
    let eyes = [crate::Point { x: 203.1, y: 100.6 }, crate::Point { x: 246.0, y: 102.3 }];
    paint_dark_glasses(&mut rgb, eyes, 14.0);
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("png: {e}"));
    png
}

/// Side of each image of scikit-image's LFW subset.
const LFW_SIDE: u32 = 25;

/// scikit-image's subset of Labeled Faces in the Wild: 100 tightly cropped faces, then 100
/// crops of the same photographs without a face, each 25 × 25 grey, stored as a NumPy array
/// of `float64` in 0..1 (`lfw_subset.npy`). Returns (faces, non-faces).
pub fn lfw_subset() -> (Vec<image::GrayImage>, Vec<image::GrayImage>) {
    let bytes = fixture("lfw_subset.npy");
    let header_len = match bytes.get(..10) {
        Some([0x93, b'N', b'U', b'M', b'P', b'Y', 1, _, low, high]) => usize::from(u16::from_le_bytes([*low, *high])),
        _ => panic!("lfw_subset.npy is not a version-1 NumPy file"),
    };
    let header = String::from_utf8_lossy(&bytes[10..10 + header_len]);
    assert!(
        header.contains("'descr': '<f8'") && header.contains("'shape': (200, 25, 25)"),
        "lfw_subset.npy holds something else: {header}"
    );
    let side = LFW_SIDE as usize;
    let images: Vec<image::GrayImage> = bytes[10 + header_len..]
        .chunks_exact(side * side * 8)
        .map(|pixels| {
            let grey = pixels
                .chunks_exact(8)
                .map(|value| {
                    let value = f64::from_le_bytes(value.try_into().expect("eight bytes"));
                    (value.clamp(0.0, 1.0) * 255.0).round() as u8
                })
                .collect();
            image::GrayImage::from_raw(LFW_SIDE, LFW_SIDE, grey).expect("25 × 25")
        })
        .collect();
    assert_eq!(images.len(), 200, "lfw_subset.npy is incomplete");
    let mut faces = images;
    let non_faces = faces.split_off(100);
    (faces, non_faces)
}

/// The astronaut as a phone would take it: a loose 1440 × 1620 snapshot (2.3 MP), as a JPEG:
/// the fixture enlarged to 1440 px with more of its backdrop above the head (its top rows
/// stretched over 180 px), as a citizen holding the phone at arm's length gets. The fixture
/// itself is 512 px, too small for any crop of it to reach the print size of 390 × 567; and
/// its hair nearly touches its top edge, leaving no room for the 3 mm a crop keeps above.
pub fn phone_snapshot() -> Vec<u8> {
    let astronaut = image::load_from_memory(&fixture("astronaut.png")).unwrap_or_else(|e| panic!("astronaut: {e}"));
    let enlarged = astronaut.resize_exact(1440, 1440, image::imageops::FilterType::Lanczos3).to_rgb8();
    let backdrop = astronaut.crop_imm(0, 0, 512, 8).resize_exact(1440, 180, image::imageops::FilterType::Triangle);
    let mut snapshot = image::RgbImage::new(1440, 1620);
    image::imageops::replace(&mut snapshot, &backdrop.to_rgb8(), 0, 0);
    image::imageops::replace(&mut snapshot, &enlarged, 0, 180);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(snapshot.as_raw(), 1440, 1620, image::ExtendedColorType::Rgb8)
        .unwrap_or_else(|e| panic!("jpeg: {e}"));
    jpeg
}
