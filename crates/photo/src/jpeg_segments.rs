//! A JPEG without its metadata, losslessly: the file is taken apart into its segments
//! (ITU-T T.81, annex B) and put together again from only those a decoder needs, so the
//! compressed image data stays exactly as uploaded. Re-encoding instead would cost about
//! five decodes and a second lossy generation of the photo that will be printed.

use image::DynamicImage;

use crate::intake::IntakeLimits;

/// Start and end of image.
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
/// Start of scan: entropy-coded data follows its header.
const SOS: u8 = 0xDA;

/// Whether a segment is needed to decode the image: frame headers, Huffman and arithmetic
/// coding tables (0xC0–0xCF), quantisation tables, restart interval, line count, scan
/// headers, and Adobe's APP14, which says how the colours were transformed. Everything
/// else (APP0–APP15 — JFIF and EXIF thumbnails, EXIF with GPS, ICC profiles, XMP — comments
/// and extensions) is left out.
fn needed(marker: u8, body: &[u8]) -> bool {
    match marker {
        0xC0..=0xCF | 0xDB | 0xDC | 0xDD | SOS => true,
        0xEE => body.starts_with(b"Adobe"),
        _ => false,
    }
}

/// The upload `bytes`, whose decoded pixels are `pixels`, with only the segments a decoder
/// needs, and nothing after its end of image. `None` when the file cannot be taken apart
/// so, or when the result would not decode to exactly `pixels` (then the caller
/// re-encodes): what is stored always shows exactly what was checked.
pub fn without_metadata(bytes: &[u8], pixels: &DynamicImage, limits: IntakeLimits) -> Option<Vec<u8>> {
    let kept = needed_segments(bytes)?;
    let (_, decoded) = crate::intake::decode(&kept, limits).ok()?;
    let same = decoded.color() == pixels.color()
        && (decoded.width(), decoded.height()) == (pixels.width(), pixels.height())
        && decoded.as_bytes() == pixels.as_bytes();
    same.then_some(kept)
}

/// The segments of `bytes` that [`needed`] keeps, with each scan's entropy-coded data.
fn needed_segments(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    if bytes.get(..2)? != [0xFF, SOI] {
        return None;
    }
    out.extend_from_slice(&[0xFF, SOI]);
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may come before a marker's code.
        while *bytes.get(at)? == 0xFF {
            at += 1;
        }
        let marker = bytes[at];
        at += 1;
        if marker == EOI {
            out.extend_from_slice(&[0xFF, EOI]);
            return Some(out);
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
        let segment = bytes.get(at..at.checked_add(length)?).filter(|_| length >= 2)?;
        at += length;
        if needed(marker, &segment[2..]) {
            out.extend_from_slice(&[0xFF, marker]);
            out.extend_from_slice(segment);
        }
        if marker == SOS {
            let data = entropy_coded_length(&bytes[at..])?;
            out.extend_from_slice(&bytes[at..at + data]);
            at += data;
        }
    }
}

/// How many bytes of entropy-coded data start `data`: up to the first marker, where 0xFF
/// followed by 0x00 is a coded 0xFF and 0xFF followed by 0xD0–0xD7 a restart marker, both
/// part of the data.
fn entropy_coded_length(data: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        at += data.get(at..)?.iter().position(|&b| b == 0xFF)?;
        match *data.get(at + 1)? {
            0x00 | 0xD0..=0xD7 => at += 2,
            _ => return Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment: marker, length, body.
    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn metadata_segments_go_and_coding_segments_stay_with_their_data() {
        let scan_data = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56];
        let mut file = vec![0xFF, SOI];
        for part in [
            segment(0xE1, b"Exif\0\0GPS"),
            segment(0xFE, b"a comment"),
            segment(0xDB, b"quant"),
            segment(0xEE, b"Adobe colour"),
            segment(0xEE, b"Other"),
            segment(0xC0, b"frame"),
            segment(SOS, b"scan"),
        ] {
            file.extend(part);
        }
        file.extend_from_slice(&scan_data);
        // Fill bytes before the end, and something appended after it.
        file.extend_from_slice(&[0xFF, 0xFF, EOI]);
        file.extend_from_slice(b"PK\x03\x04");
        let mut expected = vec![0xFF, SOI];
        for part in [segment(0xDB, b"quant"), segment(0xEE, b"Adobe colour"), segment(0xC0, b"frame")] {
            expected.extend(part);
        }
        expected.extend(segment(SOS, b"scan"));
        expected.extend_from_slice(&scan_data);
        expected.extend_from_slice(&[0xFF, EOI]);
        assert_eq!(needed_segments(&file), Some(expected));
    }

    #[test]
    fn a_file_that_cannot_be_taken_apart_gives_nothing() {
        let mut cut = vec![0xFF, SOI];
        cut.extend(segment(0xDB, b"quant"));
        cut.truncate(cut.len() - 2);
        assert_eq!(needed_segments(&cut), None, "a segment longer than the file");
        assert_eq!(needed_segments(&[0xFF, SOI, 0x00, 0x01]), None, "no marker where one must be");
        assert_eq!(needed_segments(&[0x89, b'P', b'N', b'G']), None, "not a JPEG");
    }

    #[test]
    fn a_result_that_would_not_show_the_checked_pixels_is_refused() {
        let rgb = image::RgbImage::from_fn(16, 8, |x, y| image::Rgb([(x * 16) as u8, (y * 32) as u8, 90]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&rgb).expect("encode");
        let (_, pixels) = crate::intake::decode(&jpeg, IntakeLimits::PHOTO).expect("decode");
        assert!(without_metadata(&jpeg, &pixels, IntakeLimits::PHOTO).is_some());
        let other = pixels.fliph();
        assert_eq!(without_metadata(&jpeg, &other, IntakeLimits::PHOTO), None);
    }
}
