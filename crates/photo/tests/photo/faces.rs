//! Face detection on real photographs from a registry package (scikit-image's public-domain
//! `astronaut.png`, fetched by the test command into `target/fixtures/`) and on images the
//! tests compose from it; the landmarks against the positions annotated by hand in
//! `tests/landmarks.json`.

use image::{DynamicImage, GenericImage, RgbImage};
use lingshi_photo::head::refined_eyes;
use lingshi_photo::testing::{fixture, lfw_subset};
use lingshi_photo::{Face, IntakeLimits, detect_faces, take_image};

fn detect(image: &DynamicImage) -> Vec<Face> {
    detect_faces(image).expect("model")
}

fn astronaut() -> DynamicImage {
    take_image(&fixture("astronaut.png"), IntakeLimits::PHOTO).expect("the fixture passes intake").pixels
}

#[test]
fn the_astronaut_has_exactly_one_face_in_the_upper_half() {
    let image = astronaut();
    let faces = detect(&image);
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = faces[0];
    let centre = (face.x + face.width / 2, face.y + face.height / 2);
    assert!(centre.1 < image.height() / 2, "{face:?}");
    assert!(face.width > 50 && face.width < image.width() / 2, "{face:?}");
}

#[test]
fn two_people_side_by_side_are_two_faces() {
    // Head and shoulders, so that each face is over a quarter of the pair's width: within
    // what the detector promises.
    let one = astronaut().crop_imm(140, 20, 170, 200).to_rgb8();
    let mut pair = RgbImage::new(one.width() * 2, one.height());
    pair.copy_from(&one, 0, 0).expect("left");
    pair.copy_from(&one, one.width(), 0).expect("right");
    let faces = detect(&DynamicImage::ImageRgb8(pair));
    assert_eq!(faces.len(), 2, "{faces:?}");
}

#[test]
fn a_blank_wall_has_no_face() {
    let wall = DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 500, image::Rgb([235, 235, 235])));
    assert!(detect(&wall).is_empty());
}

/// An LFW crop enlarged to a quarter of the side of a 400 px grey square, in its middle: the
/// smallest face the detector promises to find.
fn small_on_grey(crop: &image::GrayImage) -> DynamicImage {
    let (side, face_side) = (400, 100);
    let face = image::imageops::resize(crop, face_side, face_side, image::imageops::FilterType::Triangle);
    let mut canvas = image::GrayImage::from_pixel(side, side, image::Luma([128]));
    let at = i64::from((side - face_side) / 2);
    image::imageops::replace(&mut canvas, &face, at, at);
    DynamicImage::ImageLuma8(canvas)
}

/// The detector's measure: of LFW's 100 faces, each a quarter of the picture's side, how
/// many it finds, and how many of LFW's 100 face-free crops it mistakes for one. The
/// threshold in `faces.rs` was chosen on these figures.
#[test]
fn finds_nineteen_in_twenty_faces_of_lfw_and_no_face_in_its_non_faces() {
    let (faces, non_faces) = lfw_subset();
    let found =
        |crops: &[image::GrayImage]| crops.iter().filter(|crop| !detect(&small_on_grey(crop)).is_empty()).count();
    let (hits, false_alarms) = (found(&faces), found(&non_faces));
    println!("LFW: {hits} of 100 faces found, {false_alarms} of 100 non-faces taken for faces");
    assert!(hits >= 95, "only {hits} of LFW's 100 faces were found");
    assert_eq!(false_alarms, 0, "{false_alarms} of LFW's 100 non-faces were taken for faces");
}

#[test]
fn scenes_without_people_have_no_face_and_the_cameraman_has_one() {
    for scene in
        ["coffee.png", "chelsea.png", "brick.png", "grass.png", "gravel.png", "rocket.jpg", "coins.png", "text.png"]
    {
        let image = image::load_from_memory(&fixture(scene)).expect("fixture decodes");
        let faces = detect(&image);
        assert!(faces.is_empty(), "{scene}: {faces:?}");
    }
    let cameraman = image::load_from_memory(&fixture("camera.png")).expect("fixture decodes");
    assert_eq!(detect(&cameraman).len(), 1);
}

/// A position annotated by hand.
#[derive(serde::Deserialize)]
struct Annotated {
    x: f64,
    y: f64,
}

/// One portrait's hand annotation: both eyes' centres (the person's right eye first), the
/// crown and the chin.
#[derive(serde::Deserialize)]
struct Portrait {
    fixture: String,
    right_eye: Annotated,
    left_eye: Annotated,
    crown: Annotated,
    chin: Annotated,
}

/// The landmark error on the real portraits, in pixels of the fixture (printed for the
/// README): each eye within 15 % of the eye distance of the hand annotation.
#[test]
fn the_eyes_land_on_the_annotated_pupils() {
    let portraits: Vec<Portrait> =
        serde_json::from_str(include_str!("../landmarks.json")).expect("tests/landmarks.json is valid");
    for portrait in portraits {
        let image = image::load_from_memory(&fixture(&portrait.fixture)).expect("fixture decodes");
        let [face] = detect(&image)[..] else { panic!("{}: not one face", portrait.fixture) };
        let error = |found: lingshi_photo::Point, truth: &Annotated| (found.x - truth.x).hypot(found.y - truth.y);
        let eye_errors = |marks: &lingshi_photo::Landmarks| {
            (error(marks.right_eye, &portrait.right_eye), error(marks.left_eye, &portrait.left_eye))
        };
        let (detected, refined) =
            (eye_errors(&face.landmarks), eye_errors(&refined_eyes(&image.to_rgb8(), &face.landmarks)));
        let iod = face.landmarks.eye_distance();
        let head = lingshi_photo::head::estimate(&image.to_rgb8(), &face);
        println!(
            "{}: eye distance {iod:.0} px; eye error {:.1} and {:.1} px as detected, {:.1} and {:.1} px on the pupils; \
             chin estimated {:.1} px off; crown estimated {:.1} px off",
            portrait.fixture,
            detected.0,
            detected.1,
            refined.0,
            refined.1,
            head.chin - portrait.chin.y,
            head.crown - portrait.crown.y,
        );
        assert!(detected.0.max(detected.1) <= 0.15 * iod, "{}: eyes off by {detected:?} px", portrait.fixture);
        assert!(refined.0.max(refined.1) <= 0.05 * iod, "{}: pupils off by {refined:?} px", portrait.fixture);
        assert!((head.chin - portrait.chin.y).abs() <= 0.15 * iod, "{}: chin at {:.1}", portrait.fixture, head.chin);
    }
}
