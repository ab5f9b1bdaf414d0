//! Synthetic passport data pages for the zone reader's tests: a page of the TD3 size (125 ×
//! 88 mm at 10 pixels per mm) with a tinted, patterned background, a photograph's place, the
//! visible fields, and the machine-readable zone typeset in OCR-B at the standard's pitch
//! (Debian's `fonts-ocr-b`; `LINGSHI_OCRB_FONT` names another copy). A page comes clean,
//! turned a few degrees, or "photographed": turned on a table, unevenly lit, blurred,
//! grainy and saved as a JPEG of quality 60.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, ImageEncoder, Luma};

/// Page size in pixels (125 × 88 mm).
const PAGE: (u32, u32) = (1250, 880);
/// The zone's character pitch (ICAO: ten characters per 25.4 mm).
const PITCH: f64 = 25.4;
/// Where Debian installs OCR-B.
const DEBIAN_OCRB: &str = "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

/// How a page looks once made.
#[derive(Debug, Clone, Copy)]
pub enum Finish {
    Clean,
    /// Turned by this many degrees (counter-clockwise positive).
    Turned(f64),
    /// Turned by this many degrees on a table, unevenly lit, blurred, grainy, JPEG quality
    /// 60; the seed draws the grain.
    Photographed(f64, u64),
}

/// OCR-B, from `LINGSHI_OCRB_FONT` or Debian's package; a test that needs it and cannot
/// find it fails, naming the package.
pub fn ocr_b() -> FontVec {
    let path = std::env::var("LINGSHI_OCRB_FONT").unwrap_or_else(|_| DEBIAN_OCRB.to_owned());
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!("OCR-B is missing at {path} ({e}); ./scripts/test.sh installs Debian's fonts-ocr-b")
    });
    FontVec::try_from_vec(bytes).unwrap_or_else(|e| panic!("{path} is not a font: {e}"))
}

/// A small deterministic generator (SplitMix64) for the grain.
struct Grain(u64);

impl Grain {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    }

    /// Roughly normal, mean 0, standard deviation about 1 (a sum of uniforms).
    fn normal(&mut self) -> f64 {
        (0..4).map(|_| self.next()).sum::<f64>() * 1.732 - 3.464
    }
}

/// Draws `text` on `page` from `(x, baseline)` in `font` at `size` pixels, ink `level`,
/// each character `pitch` apart when given (else the font's own advance).
fn draw(page: &mut GrayImage, font: &FontVec, text: &str, (x, baseline): (f64, f64), size: f32, level: u8) {
    draw_spaced(page, font, text, (x, baseline), size, level, None);
}

fn draw_spaced(
    page: &mut GrayImage,
    font: &FontVec,
    text: &str,
    (x, baseline): (f64, f64),
    size: f32,
    level: u8,
    pitch: Option<f64>,
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut pen = x;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let glyph = id.with_scale_and_position(size, ab_glyph::point(pen as f32, baseline as f32));
        if let Some(outline) = font.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (bounds.min.x as i64 + i64::from(gx), bounds.min.y as i64 + i64::from(gy));
                if let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py))
                    && px < page.width()
                    && py < page.height()
                {
                    let paper = f32::from(page.get_pixel(px, py).0[0]);
                    let inked = paper + (f32::from(level) - paper) * coverage.clamp(0.0, 1.0);
                    page.put_pixel(px, py, Luma([inked.round() as u8]));
                }
            });
        }
        pen += pitch.unwrap_or(f64::from(scaled.h_advance(id)));
    }
}

/// The page itself, upright: background, pattern, photograph, fields and the zone `lines`.
fn page(lines: &[String; 2]) -> GrayImage {
    let font = ocr_b();
    let mut page = GrayImage::from_fn(PAGE.0, PAGE.1, |x, y| {
        // A tint and a faint wave pattern, as security printing has.
        let wave = ((f64::from(x) / 23.0).sin() + (f64::from(y) / 17.0 + f64::from(x) / 90.0).cos()) * 6.0;
        Luma([(228.0 + wave).round() as u8])
    });
    for y in 140..560 {
        for x in 60..370 {
            let (dx, dy) = ((f64::from(x) - 215.0) / 110.0, (f64::from(y) - 330.0) / 150.0);
            page.put_pixel(x, y, Luma([if dx * dx + dy * dy < 1.0 { 120 } else { 185 }]));
        }
    }
    let names = lines[0].get(5..).unwrap_or_default();
    let (surname, given) = names.split_once("<<").unwrap_or((names, ""));
    let fields = [
        ("Passport No.", lines[1].get(0..9).unwrap_or_default().trim_end_matches('<').to_owned()),
        ("Surname", surname.replace('<', " ")),
        ("Given names", given.trim_end_matches('<').replace('<', " ")),
        ("Date of birth", lines[1].get(13..19).unwrap_or_default().to_owned()),
    ];
    draw(&mut page, &font, "PASSPORT", (60.0, 90.0), 44.0, 50);
    for (row, (label, value)) in fields.iter().enumerate() {
        let top = 190.0 + 90.0 * row as f64;
        draw(&mut page, &font, label, (420.0, top), 22.0, 90);
        draw(&mut page, &font, value, (420.0, top + 38.0), 32.0, 30);
    }
    // The zone: OCR-B at its pitch, from 6 mm in, its baselines 17 mm apart at the bottom.
    let size = (PITCH / f64::from(font.as_scaled(PxScale::from(1.0)).h_advance(font.glyph_id('<')))) as f32;
    for (line, baseline) in lines.iter().zip([770.0, 840.0]) {
        draw_spaced(&mut page, &font, line, (66.0, baseline), size, 25, Some(PITCH));
    }
    page
}

/// `page` turned by `degrees` about its centre onto a canvas `margin` wider each side, of
/// level `table`.
fn turn(page: &GrayImage, degrees: f64, margin: u32, table: u8) -> GrayImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (width, height) = (page.width() + 2 * margin, page.height() + 2 * margin);
    let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    let (px, py) = (f64::from(page.width()) / 2.0, f64::from(page.height()) / 2.0);
    GrayImage::from_fn(width, height, |x, y| {
        // Where on the upright page this canvas point lies (the inverse turn).
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        let (ux, uy) = (dx * cos - dy * sin + px, dx * sin + dy * cos + py);
        Luma([crate::raster::bilinear(page, (ux, uy), table)])
    })
}

/// A JPEG of `grey` (as RGB, as a phone saves it) at `quality`.
fn jpeg(grey: &GrayImage, quality: u8) -> Vec<u8> {
    let rgb = image::DynamicImage::ImageLuma8(grey.clone()).to_rgb8();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .write_image(rgb.as_raw(), rgb.width(), rgb.height(), image::ExtendedColorType::Rgb8)
        .expect("JPEG of a page");
    bytes
}

/// A data page carrying the zone `lines`, finished as `finish`, as a JPEG file.
pub fn data_page(lines: &[String; 2], finish: Finish) -> Vec<u8> {
    let upright = page(lines);
    match finish {
        Finish::Clean => jpeg(&upright, 95),
        Finish::Turned(degrees) => jpeg(&turn(&upright, degrees, 40, 255), 95),
        Finish::Photographed(degrees, seed) => {
            let mut grain = Grain(seed);
            let turned = turn(&upright, degrees, 80, 95);
            let blurred = image::imageops::blur(&turned, 1.1);
            let width = f64::from(blurred.width());
            let lit = GrayImage::from_fn(blurred.width(), blurred.height(), |x, y| {
                // Light falls off towards one side; the grain is the sensor's.
                let light = 0.82 + 0.18 * f64::from(x) / width;
                let level = f64::from(blurred.get_pixel(x, y).0[0]) * light + grain.normal() * 9.0;
                Luma([level.round().clamp(0.0, 255.0) as u8])
            });
            jpeg(&lit, 60)
        }
    }
}
