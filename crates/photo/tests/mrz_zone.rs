//! The zone reader on synthetic data pages (OCR-B, Debian's `fonts-ocr-b`) through the real
//! Tesseract (Debian's `tesseract-ocr`): the zone is found, levelled and read character for
//! character on a clean page, a turned one and a photographed one. The read rate over many
//! pages, with the zone's check digits and repairs, is measured where the parser lives (the
//! web crate's `mrz` service).

use lingshi_photo::testing::data_page::{Finish, data_page};
use lingshi_photo::{Tesseract, read_zone};

/// ICAO Doc 9303's specimen zone.
const SPECIMEN: [&str; 2] =
    ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];

/// The zone read from a page of `finish`, cell by cell (no reading refused). OCR-B's `0`
/// and `O` differ by a hair; the zone parser tells them apart by position, so they count as
/// one here.
fn read(finish: Finish) -> Vec<String> {
    let page = data_page(&SPECIMEN.map(str::to_owned), finish);
    let pixels = image::load_from_memory(&page).expect("a JPEG page");
    let text = read_zone(&pixels, &Tesseract::default(), |_| true).expect("tesseract runs (Debian's tesseract-ocr)");
    text.lines().map(|line| line.replace('0', "O")).collect()
}

fn specimen() -> Vec<String> {
    SPECIMEN.iter().map(|line| line.replace('0', "O")).collect()
}

#[test]
fn a_clean_page_reads_exactly() {
    assert_eq!(read(Finish::Clean), specimen());
}

#[test]
fn a_turned_page_is_levelled_and_read() {
    assert_eq!(read(Finish::Turned(-3.5)), specimen());
    assert_eq!(read(Finish::Turned(4.0)), specimen());
}

#[test]
fn a_photographed_page_is_found_and_read() {
    assert_eq!(read(Finish::Photographed(2.0, 7)), specimen());
}

#[test]
fn a_refused_reading_falls_back_to_the_plain_one() {
    let page = data_page(&SPECIMEN.map(str::to_owned), Finish::Clean);
    let pixels = image::load_from_memory(&page).expect("a JPEG page");
    let offered = std::cell::RefCell::new(Vec::new());
    let text = read_zone(&pixels, &Tesseract::default(), |text| {
        offered.borrow_mut().push(text.to_owned());
        false
    })
    .expect("tesseract runs");
    // The cell reading was offered, then each line of it with the other line of the plain
    // reading, then the cell reading with the plain reading's final check digits; then the
    // plain reading came back unasked.
    assert_eq!(offered.borrow().len(), 4);
    assert!(!offered.borrow().contains(&text));
    assert!(text.contains("L898902C36UT"), "{text}");
}

#[test]
fn a_page_without_a_zone_reads_as_no_zone() {
    let blank = image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(800, 560, image::Luma([235])));
    let text = read_zone(&blank, &Tesseract::default(), |_| true).expect("tesseract runs");
    assert!(text.lines().all(|line| line.trim().len() < 40), "no zone-like line: {text}");
}

#[test]
fn the_program_is_checked_and_a_missing_one_named() {
    assert!(Tesseract::default().check().expect("tesseract --version").starts_with("tesseract"));
    let missing = Tesseract { program: "/nonexistent/tesseract".into(), ..Tesseract::default() };
    assert!(matches!(missing.check(), Err(lingshi_photo::OcrError::Unavailable(_))));
}
