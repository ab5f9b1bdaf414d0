//! Face detection on real photographs from a registry package (scikit-image's public-domain
//! `astronaut.png`, fetched by the test command into `target/fixtures/`) and on images the
//! tests compose from it.

use image::{DynamicImage, GenericImage, RgbImage};
use lingshi_photo::testing::{fixture, lfw_subset};
use lingshi_photo::{FaceDetector, IntakeLimits, take_image};

fn astronaut() -> DynamicImage {
    take_image(&fixture("astronaut.png"), IntakeLimits::PHOTO).expect("the fixture passes intake").pixels
}

#[test]
fn the_astronaut_has_exactly_one_face_in_the_upper_half() {
    let image = astronaut();
    let faces = FaceDetector::new().expect("model").detect(&image);
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = faces[0];
    let centre = (face.x + face.width / 2, face.y + face.height / 2);
    assert!(centre.1 < image.height() / 2, "{face:?}");
    assert!(face.width > 50 && face.width < image.width() / 2, "{face:?}");
}

#[test]
fn two_people_side_by_side_are_two_faces() {
    // Head and shoulders, so that each face is a fifth of the pair's width: within what the
    // detector promises (15 % of the longer side).
    let one = astronaut().crop_imm(96, 0, 256, 256).to_rgb8();
    let mut pair = RgbImage::new(one.width() * 2, one.height());
    pair.copy_from(&one, 0, 0).expect("left");
    pair.copy_from(&one, one.width(), 0).expect("right");
    let faces = FaceDetector::new().expect("model").detect(&DynamicImage::ImageRgb8(pair));
    assert_eq!(faces.len(), 2, "{faces:?}");
}

#[test]
fn a_blank_wall_has_no_face() {
    let wall = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 500, image::Rgb([235, 235, 235])));
    assert!(FaceDetector::new().expect("model").detect(&wall).is_empty());
}

/// An LFW crop enlarged to 15 % of the side of a 400 px grey square, in its middle: the
/// smallest face the detector promises to find.
fn small_on_grey(crop: &image::GrayImage) -> DynamicImage {
    let (side, face_side) = (400, 60);
    let face = image::imageops::resize(crop, face_side, face_side, image::imageops::FilterType::Triangle);
    let mut canvas = image::GrayImage::from_pixel(side, side, image::Luma([128]));
    let at = i64::from((side - face_side) / 2);
    image::imageops::replace(&mut canvas, &face, at, at);
    DynamicImage::ImageLuma8(canvas)
}

/// The detector's measure: of LFW's 100 faces, each 15 % of the picture's side, how many it
/// finds, and how many of LFW's 100 face-free crops it mistakes for one. The settings in
/// `faces.rs` were chosen on these figures.
#[test]
fn finds_nine_in_ten_small_faces_of_lfw_and_no_face_in_its_non_faces() {
    let (faces, non_faces) = lfw_subset();
    let mut detector = FaceDetector::new().expect("model");
    let mut found = |crops: &[image::GrayImage]| {
        crops.iter().filter(|crop| !detector.detect(&small_on_grey(crop)).is_empty()).count()
    };
    let (hits, false_alarms) = (found(&faces), found(&non_faces));
    assert!(hits >= 90, "only {hits} of LFW's 100 faces were found");
    assert!(false_alarms <= 1, "{false_alarms} of LFW's 100 non-faces were taken for faces");
}

#[test]
fn scenes_without_people_have_no_face_and_the_cameraman_has_one() {
    let mut detector = FaceDetector::new().expect("model");
    for scene in
        ["coffee.png", "chelsea.png", "brick.png", "grass.png", "gravel.png", "rocket.jpg", "coins.png", "text.png"]
    {
        let image = image::load_from_memory(&fixture(scene)).expect("fixture decodes");
        let faces = detector.detect(&image);
        assert!(faces.is_empty(), "{scene}: {faces:?}");
    }
    let cameraman = image::load_from_memory(&fixture("camera.png")).expect("fixture decodes");
    assert_eq!(detector.detect(&cameraman).len(), 1);
}
