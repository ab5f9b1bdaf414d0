//! Each rule of the passport-photo check, on real photographs (scikit-image's astronaut)
//! and variants the tests make of them: a good and a bad variant per rule.

use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use lingshi_photo::testing::fixture;
use lingshi_photo::{
    FRAMING, Face, IntakeLimits, Report, Rule, RuleResult, Verdict, assess, check, crop_delivers, detect_faces,
    take_image,
};

fn astronaut() -> DynamicImage {
    take_image(&fixture("astronaut.png"), IntakeLimits::PHOTO).expect("fixture").pixels
}

/// The astronaut as a phone would take it: a loose 1440 × 1620 snapshot.
fn loose_snapshot() -> DynamicImage {
    take_image(&lingshi_photo::testing::phone_snapshot(), IntakeLimits::PHOTO).expect("snapshot").pixels
}

fn faces(image: &DynamicImage) -> Vec<Face> {
    detect_faces(image).expect("model")
}

/// `face` as if found `dx`, `dy` pixels away: its box and every landmark moved.
fn moved(face: Face, dx: f64, dy: f64) -> Face {
    face.within(-dx, -dy, u32::MAX, u32::MAX).expect("a face moved stays in an unbounded picture")
}

fn verdict(report: &Report, rule: Rule) -> Verdict {
    report.result(rule).map(|r| r.verdict).unwrap_or_else(|| panic!("{rule:?} missing"))
}

/// The astronaut cropped as the check suggests, enlarged to `width` × `height`.
fn framed_at(width: u32, height: u32) -> DynamicImage {
    let original = loose_snapshot();
    let report = check(&original, &faces(&original));
    let crop = report.suggested_crop.expect("the astronaut's framing is fixable by cropping");
    original.crop_imm(crop.x, crop.y, crop.width, crop.height).resize_exact(
        width,
        height,
        image::imageops::FilterType::Lanczos3,
    )
}

/// The astronaut cropped as the check suggests, at the normalised size.
fn framed() -> DynamicImage {
    framed_at(390, 567)
}

/// `image` with everything outside an ellipse around the head painted `colour`.
fn repaint_background(image: &DynamicImage, face: &Face, colour: impl Fn(u32, u32) -> Rgb<u8>) -> DynamicImage {
    let mut rgb = image.to_rgb8();
    let (cx, cy) = (f64::from(face.x) + f64::from(face.width) / 2.0, f64::from(face.y) + f64::from(face.height) * 0.45);
    let (rx, ry) = (f64::from(face.width) * 0.6, f64::from(face.height) * 0.95);
    for (x, y, pixel) in rgb.enumerate_pixels_mut() {
        let (dx, dy) = ((f64::from(x) - cx) / rx, (f64::from(y) - cy) / ry);
        if dx * dx + dy * dy > 1.0 && f64::from(y) < cy + ry {
            *pixel = colour(x, y);
        }
    }
    DynamicImage::ImageRgb8(rgb)
}

fn map_pixels(image: &DynamicImage, f: impl Fn(u8) -> u8) -> DynamicImage {
    let mut rgb = image.to_rgb8();
    rgb.pixels_mut().for_each(|p| p.0 = p.0.map(&f));
    DynamicImage::ImageRgb8(rgb)
}

#[test]
fn one_face_is_required_and_without_one_the_geometry_cannot_be_told() {
    let original = astronaut();
    assert_eq!(verdict(&check(&original, &faces(&original)), Rule::OneFace), Verdict::Pass);
    let wall = DynamicImage::ImageRgb8(RgbImage::from_pixel(390, 567, Rgb([240, 240, 240])));
    let report = check(&wall, &[]);
    assert_eq!(verdict(&report, Rule::OneFace), Verdict::Fail);
    assert_eq!(verdict(&report, Rule::HeadHeight), Verdict::CannotTell);
    let face = faces(&original)[0];
    assert_eq!(verdict(&check(&original, &[face, face]), Rule::OneFace), Verdict::Fail);
}

#[test]
fn a_loose_snapshot_fails_the_framing_and_the_suggested_crop_fixes_it() {
    let original = loose_snapshot();
    let loose = check(&original, &faces(&original));
    assert_eq!(verdict(&loose, Rule::HeadHeight), Verdict::Fail, "{loose:?}");
    assert_eq!(verdict(&loose, Rule::Proportions), Verdict::Fail);
    assert_eq!(verdict(&loose, Rule::HeadWidth), Verdict::Fail, "the head is too small in a loose snapshot");
    assert_eq!(verdict(&loose, Rule::TopMargin), Verdict::Fail, "a loose snapshot leaves too much room above the head");
    // Printed at any size: the face is found anew at each, and the box must not move enough
    // to flip a framing rule.
    for (width, height) in [(390, 567), (520, 756), (780, 1134), (1040, 1512)] {
        let cropped = framed_at(width, height);
        let report = check(&cropped, &faces(&cropped));
        let pose = [Rule::HeadWidth, Rule::HeadTilt, Rule::FaceTurned, Rule::EyesVisible, Rule::Resolution];
        for rule in FRAMING.into_iter().chain(pose) {
            assert_eq!(verdict(&report, rule), Verdict::Pass, "{width} × {height}, {rule:?}: {report:?}");
        }
        assert_eq!(report.suggested_crop, None);
    }
}

#[test]
fn a_crop_is_offered_only_when_cutting_it_delivers_and_never_below_the_print_size() {
    let snapshot = loose_snapshot();
    let offered = assess(&snapshot).expect("model");
    let crop = offered.suggested_crop.expect("a phone snapshot's framing is fixable");
    assert!(crop.width >= 390 && crop.height >= 567, "{crop:?}");
    let cut = snapshot.crop_imm(crop.x, crop.y, crop.width, crop.height);
    assert!(crop_delivers(&offered, &check(&cut, &faces(&cut))));
    // The portrait: 390 × 567 already, the head too small. Any crop fixing the head
    // would be below the print size, so none is offered (it used to be, and made it worse).
    let portrait = astronaut().crop_imm(80, 0, 352, 512).resize_exact(390, 567, image::imageops::FilterType::Lanczos3);
    let report = assess(&portrait).expect("model");
    assert_eq!(verdict(&report, Rule::HeadHeight), Verdict::Fail, "{report:?}");
    assert_eq!(report.suggested_crop, None, "{report:?}");
}

#[test]
fn a_crop_that_breaks_a_passing_rule_or_leaves_a_framing_rule_failing_does_not_deliver() {
    let result = |rule, verdict| RuleResult { rule, verdict, measured: None, unit: "" };
    let report = |results: Vec<RuleResult>| Report { results, suggested_crop: None, outline: None };
    let before = report(vec![
        result(Rule::HeadHeight, Verdict::Fail),
        result(Rule::BackgroundUniform, Verdict::Pass),
        result(Rule::Exposure, Verdict::Fail),
    ]);
    let fixed = report(vec![
        result(Rule::HeadHeight, Verdict::Pass),
        result(Rule::BackgroundUniform, Verdict::Pass),
        result(Rule::Exposure, Verdict::Fail),
    ]);
    assert!(crop_delivers(&before, &fixed), "a crop need not fix the exposure");
    let still_small = report(vec![
        result(Rule::HeadHeight, Verdict::Fail),
        result(Rule::BackgroundUniform, Verdict::Pass),
        result(Rule::Exposure, Verdict::Fail),
    ]);
    assert!(!crop_delivers(&before, &still_small));
    let new_failure = report(vec![
        result(Rule::HeadHeight, Verdict::Pass),
        result(Rule::BackgroundUniform, Verdict::Fail),
        result(Rule::Exposure, Verdict::Fail),
    ]);
    assert!(!crop_delivers(&before, &new_failure));
}

#[test]
fn a_head_too_low_leaves_too_little_below_the_chin() {
    let image = framed();
    let face = faces(&image)[0];
    let lowered = moved(face, 0.0, 120.0);
    assert_eq!(verdict(&check(&image, &[face]), Rule::ChinMargin), Verdict::Pass);
    assert_eq!(verdict(&check(&image, &[lowered]), Rule::ChinMargin), Verdict::Fail);
}

#[test]
fn an_off_centre_head_fails_centring() {
    let image = framed();
    let face = faces(&image)[0];
    let shifted = moved(face, -60.0, 0.0);
    assert_eq!(verdict(&check(&image, &[face]), Rule::HeadCentred), Verdict::Pass);
    assert_eq!(verdict(&check(&image, &[shifted]), Rule::HeadCentred), Verdict::Fail);
}

#[test]
fn the_background_must_be_white_and_uniform() {
    let image = framed();
    let face = faces(&image)[0];
    let white = repaint_background(&image, &face, |_, _| Rgb([250, 250, 250]));
    let grey = repaint_background(&image, &face, |_, _| Rgb([150, 150, 150]));
    let patterned = repaint_background(&image, &face, |x, y| {
        if (x / 20 + y / 20) % 2 == 0 { Rgb([255, 255, 255]) } else { Rgb([190, 190, 190]) }
    });
    let report = check(&white, &[face]);
    assert_eq!(
        (verdict(&report, Rule::BackgroundWhite), verdict(&report, Rule::BackgroundUniform)),
        (Verdict::Pass, Verdict::Pass)
    );
    assert_eq!(verdict(&check(&grey, &[face]), Rule::BackgroundWhite), Verdict::Fail);
    assert_eq!(verdict(&check(&patterned, &[face]), Rule::BackgroundUniform), Verdict::Fail);
    assert_eq!(
        verdict(&check(&image, &[face]), Rule::BackgroundWhite),
        Verdict::Fail,
        "the astronaut stands before a flag"
    );
}

#[test]
fn exposure_must_be_neither_dark_nor_blown_out() {
    let image = framed();
    let face = faces(&image)[0];
    assert_eq!(verdict(&check(&image, &[face]), Rule::Exposure), Verdict::Pass);
    assert_eq!(verdict(&check(&map_pixels(&image, |v| v / 5), &[face]), Rule::Exposure), Verdict::Fail);
    assert_eq!(verdict(&check(&map_pixels(&image, |v| v.saturating_add(150)), &[face]), Rule::Exposure), Verdict::Fail);
}

#[test]
fn a_blurred_photo_fails_sharpness() {
    let image = framed();
    let face = faces(&image)[0];
    assert_eq!(
        verdict(&check(&image, &[face]), Rule::Sharpness),
        Verdict::Pass,
        "{:?}",
        check(&image, &[face]).result(Rule::Sharpness)
    );
    let blurred = image.blur(4.0);
    assert_eq!(
        verdict(&check(&blurred, &[face]), Rule::Sharpness),
        Verdict::Fail,
        "{:?}",
        check(&blurred, &[face]).result(Rule::Sharpness)
    );
}

#[test]
fn a_small_photo_fails_resolution_and_a_grey_one_fails_colour() {
    let image = framed();
    let small = image.resize_exact(195, 283, image::imageops::FilterType::Triangle);
    let small_faces = faces(&small);
    assert_eq!(verdict(&check(&small, &small_faces), Rule::Resolution), Verdict::Fail);
    let face = faces(&image)[0];
    assert_eq!(verdict(&check(&image, &[face]), Rule::Colour), Verdict::Pass);
    assert_eq!(verdict(&check(&DynamicImage::ImageLuma8(image.to_luma8()), &[face]), Rule::Colour), Verdict::Fail);
    assert_eq!(image.dimensions(), (390, 567));
}

#[test]
fn the_eye_line_must_sit_between_half_and_seven_tenths_of_the_height() {
    let image = framed();
    let face = faces(&image)[0];
    let report = check(&image, &[face]);
    assert_eq!(verdict(&report, Rule::EyeLine), Verdict::Pass, "{:?}", report.result(Rule::EyeLine));
    let lowered = check(&image, &[moved(face, 0.0, 150.0)]);
    assert_eq!(verdict(&lowered, Rule::EyeLine), Verdict::Fail, "{:?}", lowered.result(Rule::EyeLine));
}

#[test]
fn a_tilted_head_fails_and_an_upright_one_passes() {
    let image = framed();
    let upright = check(&image, &faces(&image));
    assert_eq!(verdict(&upright, Rule::HeadTilt), Verdict::Pass, "{:?}", upright.result(Rule::HeadTilt));
    // The astronaut holds her head a little tilted (about 2°, from the annotated pupils).
    let own = upright.result(Rule::HeadTilt).and_then(|r| r.measured).expect("a face");
    for degrees in [-12.0, 12.0] {
        let tilted = rotated(&image, degrees);
        let report = check(&tilted, &faces(&tilted));
        let measured = report.result(Rule::HeadTilt).and_then(|r| r.measured).expect("a face");
        assert_eq!(verdict(&report, Rule::HeadTilt), Verdict::Fail, "{degrees}°: {measured}");
        let expected = own + degrees;
        assert!((measured - expected).abs() <= 2.0, "turned {degrees}° from {own:.1}°, measured {measured:.1}°");
    }
}

#[test]
fn eyes_hidden_behind_dark_glasses_are_not_visible() {
    let image = framed();
    let face = faces(&image)[0];
    let open = check(&image, &[face]);
    assert_eq!(verdict(&open, Rule::EyesVisible), Verdict::Pass, "{:?}", open.result(Rule::EyesVisible));
    let mut glasses = image.to_rgb8();
    let eyes = [face.landmarks.right_eye, face.landmarks.left_eye];
    lingshi_photo::testing::paint_dark_glasses(&mut glasses, eyes, face.landmarks.eye_distance() * 0.3);
    let hidden = check(&DynamicImage::ImageRgb8(glasses), &[face]);
    assert_eq!(verdict(&hidden, Rule::EyesVisible), Verdict::Fail, "{:?}", hidden.result(Rule::EyesVisible));
}

/// `image` turned `degrees` clockwise about its centre, the corners filled white.
fn rotated(image: &DynamicImage, degrees: f64) -> DynamicImage {
    let turn =
        crate::accuracy::Placement { degrees, ..crate::accuracy::Placement::still(image.width(), image.height()) };
    DynamicImage::ImageRgb8(crate::accuracy::placed(&image.to_rgb8(), turn, |_, _| Rgb([255, 255, 255])))
}
