//! Face detection on real photographs from a registry package (scikit-image's public-domain
//! `astronaut.png`, fetched by the test command into `target/fixtures/`) and on images the
//! tests compose from it.

use image::{DynamicImage, GenericImage, RgbImage};
use lingshi_photo::testing::fixture;
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
    let one = astronaut().to_rgb8();
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
