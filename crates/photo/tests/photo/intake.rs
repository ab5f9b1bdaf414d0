//! Safe intake: every kind of hostile or damaged upload is refused with its own error, with
//! bounded memory, and what is accepted comes out upright and without metadata.

use image::{ImageEncoder, RgbImage};
use lingshi_photo::{CropBox, IntakeError, IntakeLimits, Kind, sniff, take_cropped, take_image, take_material};

fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 5) as u8, (y * 5) as u8, 128]))
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("encode");
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = gradient(width, height);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .expect("encode");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    chunk
}

/// A JPEG with an EXIF block carrying `orientation` and a marker string.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(b"GPSLatitude 50.8466N");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&app1);
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_plain_jpeg_and_png_are_accepted() {
    let clean = take_image(&jpeg(64, 48), IntakeLimits::PHOTO).expect("jpeg");
    assert_eq!((clean.kind, clean.width, clean.height), (Kind::Jpeg, 64, 48));
    assert_eq!(sniff(&clean.bytes), Some(Kind::Jpeg));
    let clean = take_image(&png(10, 20), IntakeLimits::PHOTO).expect("png");
    assert_eq!((clean.kind, clean.width, clean.height), (Kind::Png, 10, 20));
}

#[test]
fn exif_orientation_is_applied_and_all_metadata_is_stripped() {
    let upload = jpeg_with_exif(40, 20, 6);
    assert!(contains(&upload, b"Exif") && contains(&upload, b"GPSLatitude"));
    let clean = take_image(&upload, IntakeLimits::PHOTO).expect("accepted");
    assert_eq!((clean.width, clean.height), (20, 40), "rotated upright (orientation 6 = 90° clockwise)");
    assert!(!contains(&clean.bytes, b"Exif") && !contains(&clean.bytes, b"GPSLatitude"));
}

/// The compressed image data of a JPEG: from its first start-of-scan marker to its end.
fn scan_data(jpeg: &[u8]) -> &[u8] {
    let start = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).expect("a scan");
    let end = jpeg.windows(2).rposition(|w| w == [0xFF, 0xD9]).expect("an end");
    &jpeg[start..end]
}

#[test]
fn an_upright_jpeg_keeps_its_compressed_data_and_loses_its_metadata() {
    let upload = jpeg_with_exif(40, 20, 1);
    let clean = take_image(&upload, IntakeLimits::PHOTO).expect("accepted");
    assert!(!contains(&clean.bytes, b"Exif") && !contains(&clean.bytes, b"GPSLatitude"));
    assert_eq!(scan_data(&clean.bytes), scan_data(&upload), "not re-encoded");
    let stored = image::load_from_memory(&clean.bytes).expect("decodes");
    assert_eq!(stored.as_bytes(), clean.pixels.as_bytes(), "the stored file shows the checked pixels");
}

/// A 160 × 120 JPEG written progressively (many scans, tables between them) and/or with
/// restart markers in its coded data, as cameras and editors also write them.
fn jpeg_written_as(progressive: bool, restart_interval: u16) -> Vec<u8> {
    let image = gradient(160, 120);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(progressive);
    encoder.set_restart_interval(restart_interval);
    encoder.encode(image.as_raw(), 160, 120, jpeg_encoder::ColorType::Rgb).expect("encode");
    out
}

#[test]
fn progressive_and_restart_marked_jpegs_keep_their_compressed_data() {
    for (progressive, restart_interval) in [(true, 0), (false, 3), (true, 3)] {
        let upload = jpeg_written_as(progressive, restart_interval);
        let scans = upload.windows(2).filter(|w| *w == [0xFF, 0xDA]).count();
        let restarts = upload.windows(2).filter(|w| w[0] == 0xFF && (0xD0..=0xD7).contains(&w[1])).count();
        assert_eq!((scans > 1, restarts > 0), (progressive, restart_interval > 0), "the upload is as described");
        let clean = take_image(&upload, IntakeLimits::PHOTO).expect("accepted");
        assert_eq!(
            scan_data(&clean.bytes),
            scan_data(&upload),
            "progressive {progressive}, restarts {restart_interval}"
        );
    }
}

#[test]
fn a_camera_jpeg_loses_its_icc_profile_and_comment_but_not_a_bit_of_its_image() {
    // scikit-image's rocket.jpg: JFIF, an ICC profile and an encoder's comment before the image.
    let upload = lingshi_photo::testing::fixture("rocket.jpg");
    assert!(contains(&upload, b"ICC_PROFILE") && contains(&upload, b"cmp3.10"));
    let clean = take_image(&upload, IntakeLimits::PHOTO).expect("accepted");
    assert!(!contains(&clean.bytes, b"ICC_PROFILE") && !contains(&clean.bytes, b"cmp3.10"));
    assert!(!contains(&clean.bytes, b"JFIF"));
    assert_eq!(scan_data(&clean.bytes), scan_data(&upload));
    let (original, stored) = (image::load_from_memory(&upload), image::load_from_memory(&clean.bytes));
    assert_eq!(original.expect("decodes").as_bytes(), stored.expect("decodes").as_bytes());
}

#[test]
fn png_text_chunks_are_stripped() {
    let plain = png(8, 8);
    let mut upload = plain[..33].to_vec(); // signature + IHDR
    upload.extend_from_slice(&png_chunk(b"tEXt", b"Comment\0home address: Rue de la Loi 16"));
    upload.extend_from_slice(&plain[33..]);
    take_image(&upload, IntakeLimits::PHOTO)
        .map(|clean| assert!(!contains(&clean.bytes, b"Rue de la Loi")))
        .expect("png");
}

#[test]
fn a_polyglot_loses_whatever_was_appended() {
    let mut upload = jpeg(16, 16);
    upload.extend_from_slice(b"PK\x03\x04<script>alert(1)</script>");
    let clean = take_image(&upload, IntakeLimits::PHOTO).expect("the image part is a valid JPEG");
    assert!(!contains(&clean.bytes, b"<script>") && !contains(&clean.bytes, b"PK\x03\x04"));
}

#[test]
fn empty_oversized_and_foreign_files_are_refused_by_their_bytes() {
    assert_eq!(take_image(&[], IntakeLimits::PHOTO).err(), Some(IntakeError::Empty));
    let mut fifty_megabytes = jpeg(8, 8);
    fifty_megabytes.resize(50 * 1024 * 1024, 0);
    assert!(matches!(take_image(&fifty_megabytes, IntakeLimits::PHOTO), Err(IntakeError::TooLarge { .. })));
    for foreign in
        [&b"%PDF-1.7 scanned"[..], b"GIF89a....", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"plain text"]
    {
        assert_eq!(take_image(foreign, IntakeLimits::PHOTO).err(), Some(IntakeError::NotAnImage));
    }
    assert_eq!(sniff(b"%PDF-1.7"), Some(Kind::Pdf), "PDF is recognised (for materials) but never decoded as a photo");
    assert_eq!(sniff(&png(2, 2)), Some(Kind::Png), "the bytes decide, whatever the file was called");
}

#[test]
fn a_truncated_image_is_refused_as_damaged() {
    let whole = jpeg(64, 64);
    assert_eq!(take_image(&whole[..whole.len() / 3], IntakeLimits::PHOTO).err(), Some(IntakeError::Corrupt));
    let whole = png(64, 64);
    assert_eq!(take_image(&whole[..whole.len() / 2], IntakeLimits::PHOTO).err(), Some(IntakeError::Corrupt));
}

#[test]
fn a_decompression_bomb_header_is_refused_before_any_pixel_is_allocated() {
    // 50000 × 50000 RGBA would need 10 GB; the header alone is a few dozen bytes.
    let mut ihdr = 50_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    bomb.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    bomb.extend_from_slice(&png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    bomb.extend_from_slice(&png_chunk(b"IEND", &[]));
    assert!(matches!(take_image(&bomb, IntakeLimits::PHOTO), Err(IntakeError::DimensionsTooLarge { .. })));
}

#[test]
fn materials_take_images_and_whole_pdfs_and_nothing_else() {
    let limits = IntakeLimits::PHOTO;
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let taken = take_material(&pdf, limits).expect("a whole PDF is accepted");
    assert_eq!((taken.kind, taken.bytes.as_slice()), (Kind::Pdf, pdf.as_slice()));
    assert_eq!(take_material(&pdf[..pdf.len() - 8], limits).map(|m| m.kind), Err(IntakeError::Corrupt), "cut off");
    assert_eq!(take_material(b"PK\x03\x04zip", limits).map(|m| m.kind), Err(IntakeError::NotAMaterial));
    assert_eq!(take_material(&[], limits).map(|m| m.kind), Err(IntakeError::Empty));
    let photo = lingshi_photo::testing::fixture("astronaut.png");
    assert_eq!(take_material(&photo, limits).map(|m| m.kind), Ok(Kind::Png));
    let small = IntakeLimits::PHOTO.with_max_bytes(10);
    assert!(matches!(take_material(&pdf, small), Err(IntakeError::TooLarge { .. })));
}

#[test]
fn a_crop_keeps_exactly_its_pixels_and_one_outside_the_image_is_refused() {
    let source = png(80, 60);
    let crop = CropBox { x: 10, y: 20, width: 33, height: 40 };
    let cropped = take_cropped(&source, crop, IntakeLimits::PHOTO).expect("inside the image");
    assert_eq!((cropped.kind, cropped.width, cropped.height), (Kind::Png, 33, 40));
    let stored = image::load_from_memory(&cropped.bytes).expect("stored crop decodes").to_rgb8();
    assert_eq!(stored.get_pixel(0, 0), gradient(80, 60).get_pixel(10, 20), "the crop starts where it says");
    assert_eq!(stored.get_pixel(32, 39), gradient(80, 60).get_pixel(42, 59));
    for outside in [
        CropBox { x: 50, y: 0, width: 31, height: 10 },
        CropBox { x: 0, y: 30, width: 10, height: 31 },
        CropBox { x: 0, y: 0, width: 0, height: 10 },
        CropBox { x: u32::MAX, y: 0, width: 2, height: 10 },
    ] {
        assert_eq!(take_cropped(&source, outside, IntakeLimits::PHOTO).map(|c| c.width), Err(IntakeError::CropOutside));
    }
    assert_eq!(take_cropped(b"", crop, IntakeLimits::PHOTO).map(|c| c.width), Err(IntakeError::Empty));
}
