//! Each rule's verdict against the known truth of generated variants: the astronaut framed
//! as a passport photo on a white backdrop, then turned (0–20°), moved, scaled (the head
//! from under a fifth to most of the frame), set on other backdrops, blurred, darkened,
//! hidden behind dark glasses, saved as JPEG at qualities 40–95. The truth of each variant
//! comes from the positions annotated by hand (`tests/landmarks.json`) carried through the
//! same transformation, never from the check itself. Prints the table the README shows.

use image::{DynamicImage, GenericImageView, Rgb, RgbImage};
use lingshi_photo::testing::{paint_dark_glasses, phone_snapshot};
use lingshi_photo::{IntakeLimits, Point, Rule, Verdict, check, detect_faces, take_image};
use std::collections::BTreeMap;

/// The picture every variant is made at (33 × 48, well above the print size).
const WIDTH: u32 = 660;
const HEIGHT: u32 = 960;

/// Hand-annotated positions in the 512 px fixture (see `tests/landmarks.json`).
struct Truth {
    right_eye: Point,
    left_eye: Point,
    crown: Point,
    chin: Point,
}

fn annotated() -> Truth {
    #[derive(serde::Deserialize)]
    struct At {
        x: f64,
        y: f64,
    }
    #[derive(serde::Deserialize)]
    struct Portrait {
        right_eye: At,
        left_eye: At,
        crown: At,
        chin: At,
    }
    let portraits: Vec<Portrait> = serde_json::from_str(include_str!("../landmarks.json")).expect("landmarks.json");
    let p = &portraits[0];
    let point = |a: &At| Point { x: a.x, y: a.y };
    Truth { right_eye: point(&p.right_eye), left_eye: point(&p.left_eye), crown: point(&p.crown), chin: point(&p.chin) }
}

/// A similarity transformation of a picture onto a canvas of the same size: scale about the
/// centre, turn (clockwise as seen), then move.
#[derive(Clone, Copy)]
pub(crate) struct Placement {
    pub scale: f64,
    pub degrees: f64,
    pub dx: f64,
    pub dy: f64,
    pub width: u32,
    pub height: u32,
}

impl Placement {
    /// Where nothing moves, for a `width` × `height` picture.
    pub fn still(width: u32, height: u32) -> Self {
        Placement { scale: 1.0, degrees: 0.0, dx: 0.0, dy: 0.0, width, height }
    }

    fn centre(&self) -> Point {
        Point { x: f64::from(self.width) / 2.0, y: f64::from(self.height) / 2.0 }
    }

    fn apply(&self, p: Point) -> Point {
        let (sin, cos) = self.degrees.to_radians().sin_cos();
        let c = self.centre();
        let (x, y) = ((p.x - c.x) * self.scale, (p.y - c.y) * self.scale);
        Point { x: cos * x - sin * y + c.x + self.dx, y: sin * x + cos * y + c.y + self.dy }
    }

    fn invert(&self, p: Point) -> Point {
        let (sin, cos) = self.degrees.to_radians().sin_cos();
        let c = self.centre();
        let (x, y) = (p.x - c.x - self.dx, p.y - c.y - self.dy);
        Point { x: (cos * x + sin * y) / self.scale + c.x, y: (-sin * x + cos * y) / self.scale + c.y }
    }
}

/// The framed astronaut on a white backdrop (the head's outline painted round with the
/// backdrop), and where the annotated points fall in it.
fn base() -> (RgbImage, Truth) {
    let snapshot = take_image(&phone_snapshot(), IntakeLimits::PHOTO).expect("snapshot").pixels;
    let crop = check(&snapshot, &detect_faces(&snapshot).expect("model")).suggested_crop.expect("a crop");
    let framed = snapshot.crop_imm(crop.x, crop.y, crop.width, crop.height).resize_exact(
        WIDTH,
        HEIGHT,
        image::imageops::FilterType::Triangle,
    );
    // The fixture was enlarged 1440 / 512 and moved 180 px down in the snapshot.
    let factor = f64::from(WIDTH) / f64::from(crop.width);
    let to_framed = |p: Point| Point {
        x: (p.x * 1440.0 / 512.0 - f64::from(crop.x)) * factor,
        y: (p.y * 1440.0 / 512.0 + 180.0 - f64::from(crop.y)) * factor,
    };
    let a = annotated();
    let truth = Truth {
        right_eye: to_framed(a.right_eye),
        left_eye: to_framed(a.left_eye),
        crown: to_framed(a.crown),
        chin: to_framed(a.chin),
    };
    let mut rgb = framed.to_rgb8();
    let eyes = truth.right_eye.midpoint(truth.left_eye);
    let (head_half_width, top, bottom) =
        (0.95 * (truth.chin.y - truth.crown.y) / 2.0 * 0.8, truth.crown.y, truth.chin.y);
    let (cx, cy) = (eyes.x, (top + bottom) / 2.0);
    let (rx, ry) = (head_half_width, (bottom - top) / 2.0 + 4.0);
    for (x, y, pixel) in rgb.enumerate_pixels_mut() {
        let (dx, dy) = ((f64::from(x) - cx) / rx, (f64::from(y) - cy) / ry);
        if dx * dx + dy * dy > 1.0 && f64::from(y) < bottom + 0.1 * ry {
            *pixel = Rgb([246, 246, 246]);
        }
    }
    (rgb, truth)
}

/// `base` placed by `placement` on a `backdrop` canvas (bilinear sampling).
pub(crate) fn placed(base: &RgbImage, placement: Placement, backdrop: impl Fn(u32, u32) -> Rgb<u8>) -> RgbImage {
    RgbImage::from_fn(placement.width, placement.height, |x, y| {
        let source = placement.invert(Point { x: f64::from(x), y: f64::from(y) });
        let (x0, y0) = (source.x.floor(), source.y.floor());
        if x0 < 0.0 || y0 < 0.0 || x0 + 1.0 >= f64::from(base.width()) || y0 + 1.0 >= f64::from(base.height()) {
            return backdrop(x, y);
        }
        let (fx, fy) = (source.x - x0, source.y - y0);
        let at = |dx: u32, dy: u32| base.get_pixel(x0 as u32 + dx, y0 as u32 + dy).0.map(f64::from);
        let (a, b, c, d) = (at(0, 0), at(1, 0), at(0, 1), at(1, 1));
        Rgb(std::array::from_fn(|i| {
            let top = a[i] * (1.0 - fx) + b[i] * fx;
            let bottom = c[i] * (1.0 - fx) + d[i] * fx;
            (top * (1.0 - fy) + bottom * fy).round() as u8
        }))
    })
}

/// What a variant is, for the rules its making decides.
struct Variant {
    name: String,
    pixels: RgbImage,
    truth: Vec<(Rule, bool)>,
}

/// The framing truths of `truth` placed by `placement`: the same measures the rules take,
/// on the annotated points.
fn framing_truth(truth: &Truth, placement: Placement) -> Vec<(Rule, bool)> {
    let (eye_r, eye_l) = (placement.apply(truth.right_eye), placement.apply(truth.left_eye));
    let (crown, chin) = (placement.apply(truth.crown), placement.apply(truth.chin));
    let (w, h) = (f64::from(WIDTH), f64::from(HEIGHT));
    let mm = h / 48.0;
    let eyes = eye_r.midpoint(eye_l);
    let roll = (eye_l.y - eye_r.y).atan2(eye_l.x - eye_r.x).to_degrees();
    let in_range = |rule: Rule, v: f64| rule.range().is_some_and(|r| r.contains(&v));
    vec![
        (Rule::HeadHeight, in_range(Rule::HeadHeight, (chin.y - crown.y) * 567.0 / h)),
        (Rule::HeadCentred, in_range(Rule::HeadCentred, (eyes.x - w / 2.0) / mm)),
        (Rule::TopMargin, in_range(Rule::TopMargin, crown.y / mm)),
        (Rule::ChinMargin, (h - chin.y) / mm >= 7.0),
        (Rule::EyeLine, in_range(Rule::EyeLine, (h - eyes.y) / h * 100.0)),
        (Rule::HeadTilt, in_range(Rule::HeadTilt, roll)),
        (Rule::OneFace, true),
        (Rule::FaceTurned, true),
    ]
}

fn variants() -> Vec<Variant> {
    let (base, truth) = base();
    let white = |_, _| Rgb([246, 246, 246]);
    let still = Placement::still(WIDTH, HEIGHT);
    let mut out = Vec::new();
    let mut framing = |name: String, placement: Placement| {
        let pixels = placed(&base, placement, white);
        let mut truths = framing_truth(&truth, placement);
        truths.extend([(Rule::BackgroundWhite, true), (Rule::BackgroundUniform, true), (Rule::EyesVisible, true)]);
        out.push(Variant { name, pixels, truth: truths });
    };
    for degrees in [0.0, -3.0, 3.0, 6.0, -8.0, 10.0, -15.0, 20.0] {
        framing(format!("turned {degrees}°"), Placement { degrees, ..still });
    }
    for (dx, dy) in [(-70.0, 0.0), (-30.0, 0.0), (30.0, 0.0), (70.0, 0.0), (0.0, -60.0), (0.0, 90.0), (0.0, 160.0)] {
        framing(format!("moved {dx}, {dy}"), Placement { dx, dy, ..still });
    }
    // The head from about a fifth of the frame's height to four fifths.
    for scale in [0.3, 0.5, 0.8, 0.9, 1.05, 1.2, 1.35] {
        framing(format!("scaled {scale}"), Placement { scale, dy: 40.0 * (1.0 - scale), ..still });
    }
    let plain = |name: &str, pixels: RgbImage, truth: Vec<(Rule, bool)>| Variant { name: name.into(), pixels, truth };
    let mut truths = framing_truth(&truth, still);
    truths.extend([(Rule::BackgroundWhite, false), (Rule::BackgroundUniform, true)]);
    out.push(plain("grey backdrop", recolour_backdrop(&base, |_, _| Rgb([150, 150, 150])), truths));
    out.push(plain(
        "light blue backdrop",
        recolour_backdrop(&base, |_, _| Rgb([170, 200, 240])),
        vec![(Rule::BackgroundWhite, false), (Rule::BackgroundUniform, true)],
    ));
    out.push(plain(
        "patterned backdrop",
        recolour_backdrop(&base, |x, y| if (x / 24 + y / 24) % 2 == 0 { Rgb([255; 3]) } else { Rgb([185; 3]) }),
        vec![(Rule::BackgroundUniform, false)],
    ));
    for sigma in [0.0f32, 1.0, 3.0, 5.0] {
        let blurred = DynamicImage::ImageRgb8(base.clone()).blur(sigma).to_rgb8();
        out.push(plain(
            &format!("blurred σ {sigma}"),
            blurred,
            vec![(Rule::Sharpness, sigma < 2.0), (Rule::OneFace, true)],
        ));
    }
    let dark = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| Rgb(base.get_pixel(x, y).0.map(|v| v / 4)));
    out.push(plain("dark", dark, vec![(Rule::Exposure, false)]));
    out.push(plain(
        "well exposed",
        base.clone(),
        vec![(Rule::Exposure, true), (Rule::Colour, true), (Rule::Sharpness, true)],
    ));
    let grey = DynamicImage::ImageRgb8(base.clone()).grayscale().to_rgb8();
    out.push(plain("black and white", grey, vec![(Rule::Colour, false)]));
    let mut glasses = base.clone();
    let radius = 0.3 * truth.right_eye.distance(truth.left_eye);
    paint_dark_glasses(&mut glasses, [truth.right_eye, truth.left_eye], radius);
    out.push(plain("dark glasses", glasses, vec![(Rule::EyesVisible, false)]));
    out
}

/// `base` with every backdrop pixel (the white painted round the head) recoloured.
fn recolour_backdrop(base: &RgbImage, colour: impl Fn(u32, u32) -> Rgb<u8>) -> RgbImage {
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let pixel = *base.get_pixel(x, y);
        if pixel.0 == [246, 246, 246] { colour(x, y) } else { pixel }
    })
}

#[test]
fn each_rule_agrees_with_the_known_truth_of_generated_variants() {
    let qualities = [95u8, 80, 60, 40];
    let mut tally: BTreeMap<&'static str, (u32, u32)> = BTreeMap::new();
    let mut misses = Vec::new();
    for (i, variant) in variants().into_iter().enumerate() {
        let quality = qualities[i % qualities.len()];
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode_image(&variant.pixels)
            .expect("jpeg");
        let image = take_image(&jpeg, IntakeLimits::PHOTO).expect("variant").pixels;
        assert_eq!(image.dimensions(), (WIDTH, HEIGHT));
        let report = check(&image, &detect_faces(&image).expect("model"));
        for (rule, passes) in &variant.truth {
            let verdict = report.result(*rule).map(|r| r.verdict);
            let right = verdict == Some(if *passes { Verdict::Pass } else { Verdict::Fail });
            let entry = tally.entry(rule.code()).or_default();
            *entry = (entry.0 + u32::from(right), entry.1 + 1);
            if !right {
                let measured = report.result(*rule).and_then(|r| r.measured);
                misses.push(format!("{} (JPEG {quality}): {} {verdict:?} ({measured:?})", variant.name, rule.code()));
            }
        }
    }
    println!("| rule | right | variants | accuracy |\n|---|---|---|---|");
    for (rule, (right, total)) in &tally {
        println!("| {rule} | {right} | {total} | {:.0} % |", f64::from(*right) * 100.0 / f64::from(*total));
    }
    println!("misses:\n{}", misses.join("\n"));
    for (rule, (right, total)) in &tally {
        assert!(
            f64::from(*right) >= 0.8 * f64::from(*total),
            "{rule}: {right} of {total} right\n{}",
            misses.join("\n")
        );
    }
}
