//! The zone check as the order shows it, and the reader's read rate on 200 generated data
//! pages (clean, turned, photographed) through the real Tesseract.

use super::*;
use crate::service::orders::testing::{draft, file, renewal};
use lingshi_domain::application::{RouteAnswers, Service};
use lingshi_domain::mrz::MrzSex;
use lingshi_photo::testing::data_page::{Finish, data_page};

fn zone(document_number: &str) -> Td3 {
    Td3 {
        document_code: "PO".into(),
        issuing_state: "CHN".into(),
        surname: "ZHANG".into(),
        given_names: "SAN".into(),
        document_number: document_number.into(),
        nationality: "CHN".into(),
        birth_date: "900501".into(),
        sex: MrzSex::Male,
        expiry: "340101".into(),
        personal_number: String::new(),
    }
}

/// A renewal whose form holds the details of ZHANG SAN, E12345678, and whose data page
/// was read as `reading`.
fn renewal_with(reading: &Reading) -> Loaded {
    let mut loaded = draft(Service::PassportOrTravelDocument, Some(renewal()));
    loaded.form.route = Some(RouteAnswers { held: HeldDocument::OrdinaryPassport, lost: Some(false), under_16: None });
    loaded.form.details = Some(
        serde_json::from_value(json!({
            "surname_zh": "张", "given_name_zh": "三", "surname_pinyin": "ZHANG", "given_name_pinyin": "SAN",
            "sex": "male", "birth_date": "1990-05-01", "document_number": "E12345678",
            "emergency_contact_name": "李四",
        }))
        .expect("details"),
    );
    let mut page = file(READ_SLOT.code(), chrono::Utc::now());
    page.reading = Some(serde_json::to_string(reading).expect("reading"));
    loaded.files = vec![page];
    loaded
}

#[test]
fn a_page_that_matches_the_form_says_so_and_warns_of_nothing() {
    let loaded = renewal_with(&Reading::Read { zone: zone("E12345678") });
    let view = view(&loaded, &Catalogs::load(), Locale::En);
    assert_eq!((view["status"].as_str(), view["warn"].as_bool()), (Some("matches"), Some(false)));
}

#[test]
fn a_difference_is_named_with_both_values_in_the_applicants_words() {
    let loaded = renewal_with(&Reading::Read { zone: zone("E12345679") });
    let view = view(&loaded, &Catalogs::load(), Locale::Zh);
    assert_eq!((view["status"].as_str(), view["warn"].as_bool()), (Some("differs"), Some(true)));
    let difference = &view["mismatches"][0];
    assert_eq!((difference["on_page"].as_str(), difference["typed"].as_str()), (Some("E12345679"), Some("E12345678")));
    assert!(difference["message"].as_str().is_some_and(|m| m.contains("与资料页上的不一致")), "{difference}");
    assert_eq!(view["mismatches"].as_array().map(Vec::len), Some(1));
}

#[test]
fn an_unreadable_page_warns_gently_and_a_pdf_is_not_checked() {
    let unreadable = renewal_with(&Reading::Unreadable { problem: MrzProblem::NotFound });
    let view_of = |loaded: &Loaded| view(loaded, &Catalogs::load(), Locale::En);
    assert_eq!(view_of(&unreadable)["status"], "unreadable");
    assert_eq!(view_of(&unreadable)["warn"], true);
    let pdf = renewal_with(&Reading::NotChecked { reason: "pdf".into() });
    assert_eq!((view_of(&pdf)["status"].as_str(), view_of(&pdf)["warn"].as_bool()), (Some("not_checked"), Some(false)));
    let mut nothing = renewal_with(&Reading::NotChecked { reason: "pdf".into() });
    nothing.files.clear();
    assert!(view_of(&nothing).is_null());
}

#[test]
fn only_an_ordinary_passports_data_page_is_read() {
    let reader = Tesseract::default();
    let loaded = renewal_with(&Reading::NotChecked { reason: "pdf".into() });
    assert!(reader_for(Some(&reader), &loaded, Material::CurrentDocumentPage).is_some());
    assert!(reader_for(Some(&reader), &loaded, Material::AnnotationPage).is_none());
    assert!(reader_for(None, &loaded, Material::CurrentDocumentPage).is_none(), "the check can be off");
    let mut travel = renewal_with(&Reading::NotChecked { reason: "pdf".into() });
    travel.form.route = Some(RouteAnswers { held: HeldDocument::TravelDocument, lost: Some(false), under_16: None });
    assert!(reader_for(Some(&reader), &travel, Material::CurrentDocumentPage).is_none());
}

/// A small deterministic generator for the generated set.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }

    fn date(&mut self) -> String {
        format!("{:02}{:02}{:02}", self.below(100), 1 + self.below(12), 1 + self.below(28))
    }
}

const SURNAMES: [&str; 12] =
    ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "ZHOU", "XU", "OUYANG", "GUO"];
const SYLLABLES: [&str; 14] =
    ["WEI", "FANG", "NA", "XIU", "YING", "MIN", "JING", "QIANG", "LEI", "JUN", "BO", "TAO", "MING", "XIAO"];

fn generated_zone(draw: &mut Draw) -> Td3 {
    let given = (0..1 + draw.below(2)).map(|_| draw.pick(&SYLLABLES)).collect::<String>();
    Td3 {
        document_code: "PO".into(),
        issuing_state: "CHN".into(),
        surname: draw.pick(&SURNAMES).into(),
        given_names: given,
        document_number: format!("E{}", draw.digits(8)),
        nationality: "CHN".into(),
        birth_date: draw.date(),
        sex: if draw.below(2) == 0 { MrzSex::Male } else { MrzSex::Female },
        expiry: draw.date(),
        personal_number: if draw.below(2) == 0 { String::new() } else { draw.digits(10) },
    }
}

/// The finish of page `index`: a third each clean, turned up to 4° either way, and
/// photographed (turned up to 3°, lit unevenly, blurred, grainy, JPEG quality 60).
fn finish(index: u64, draw: &mut Draw) -> (&'static str, Finish) {
    let degrees = |draw: &mut Draw, most: u64| (draw.below(2 * most * 4 + 1) as f64 - (most * 4) as f64) / 4.0;
    match index % 3 {
        0 => ("clean", Finish::Clean),
        1 => ("turned", Finish::Turned(degrees(draw, 4))),
        _ => ("photographed", Finish::Photographed(degrees(draw, 3), index)),
    }
}

/// Pages in the generated set.
const PAGES: u64 = 200;

#[test]
fn the_read_rate_on_two_hundred_generated_pages() {
    let reader = Tesseract::default();
    reader.check().expect("tesseract runs: ./scripts/test.sh installs Debian's tesseract-ocr");
    let results = std::sync::Mutex::new(Vec::new());
    // Two workers: one OCR run per core, as the heavy-work pool allows.
    std::thread::scope(|scope| {
        for worker in 0..2 {
            let (reader, results) = (&reader, &results);
            scope.spawn(move || {
                for index in (worker..PAGES).step_by(2) {
                    let mut draw = Draw(index.wrapping_mul(0x9E37_79B9) ^ 0x5EED);
                    let expected = generated_zone(&mut draw);
                    let (kind, finish) = finish(index, &mut draw);
                    let page = data_page(&expected.lines(), finish);
                    let pixels = image::load_from_memory(&page).expect("a generated page decodes");
                    let reading: Reading = serde_json::from_str(&read(Some(&pixels), reader)).expect("a reading");
                    let right = matches!(&reading, Reading::Read { zone } if *zone == expected);
                    // Read, but a field the check digits protect came out wrong.
                    let misread = matches!(&reading, Reading::Read { zone } if
                        (&zone.document_number, &zone.birth_date, &zone.expiry)
                            != (&expected.document_number, &expected.birth_date, &expected.expiry));
                    assert!(!misread, "page {index}: a checked field was misread and accepted");
                    results.lock().expect("results").push((kind, right));
                }
            });
        }
    });
    let results = results.into_inner().expect("results");
    let rate = |kind: Option<&str>| {
        let chosen: Vec<bool> =
            results.iter().filter(|(k, _)| kind.is_none_or(|kind| kind == *k)).map(|(_, right)| *right).collect();
        (chosen.iter().filter(|r| **r).count(), chosen.len())
    };
    for kind in [Some("clean"), Some("turned"), Some("photographed"), None] {
        let (right, all) = rate(kind);
        println!("read rate {}: {right}/{all}", kind.unwrap_or("overall"));
    }
    assert_eq!(rate(None).1, PAGES as usize);
    for kind in [Some("clean"), Some("turned"), Some("photographed"), None] {
        let (right, all) = rate(kind);
        assert!(right * 100 >= all * 90, "read rate {right}/{all} of {kind:?} pages is under 90 %");
    }
}
