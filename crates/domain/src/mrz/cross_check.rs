//! The zone read from the current passport's data page against the details the applicant
//! typed: document number, surname and given names (pinyin), birth date and sex. Names are
//! compared as the zone writes them (letters only, upper case); dates as the
//! zone prints them (`YYMMDD`), so no century is guessed.

use super::{MrzSex, Td3, sex_letter};
use crate::Sex;
use crate::details::ValidDetails;

/// A detail the page and the form disagree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchField {
    DocumentNumber,
    Surname,
    GivenNames,
    BirthDate,
    Sex,
}

impl MismatchField {
    /// The field's name on the details screen (and in the translation catalogs).
    pub fn code(self) -> &'static str {
        match self {
            MismatchField::DocumentNumber => "document_number",
            MismatchField::Surname => "surname_pinyin",
            MismatchField::GivenNames => "given_name_pinyin",
            MismatchField::BirthDate => "birth_date",
            MismatchField::Sex => "sex",
        }
    }
}

/// One disagreement, both values as the zone would write them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    pub field: MismatchField,
    pub on_page: String,
    pub typed: String,
}

/// A name as the zone writes it: letters only, upper case (pinyin fields hold no `Ü`).
fn zone_name(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_uppercase()).collect()
}

fn zone_sex(sex: Sex) -> MrzSex {
    match sex {
        Sex::Male => MrzSex::Male,
        Sex::Female => MrzSex::Female,
    }
}

/// Where `zone` and `details` disagree, in the details screen's order. A detail the form
/// does not hold (no document number asked) is not compared.
pub fn cross_check(zone: &Td3, details: &ValidDetails) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut compare = |field, on_page: String, typed: String| {
        if on_page != typed {
            mismatches.push(Mismatch { field, on_page, typed });
        }
    };
    if let Some(number) = &details.document_number {
        compare(MismatchField::DocumentNumber, zone.document_number.clone(), number.to_ascii_uppercase());
    }
    compare(MismatchField::Surname, zone_name(&zone.surname), zone_name(details.surname_pinyin.as_str()));
    compare(MismatchField::GivenNames, zone_name(&zone.given_names), zone_name(details.given_name_pinyin.as_str()));
    compare(MismatchField::BirthDate, zone.birth_date.clone(), details.birth_date.format("%y%m%d").to_string());
    compare(MismatchField::Sex, sex_letter(zone.sex).to_string(), sex_letter(zone_sex(details.sex)).to_string());
    mismatches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(document_number: &str, given: &str, birth_date: &str, sex: &str) -> ValidDetails {
        serde_json::from_value(serde_json::json!({
            "surname_zh": "吕", "given_name_zh": "小明", "surname_pinyin": "LYU", "given_name_pinyin": given,
            "sex": sex, "birth_date": birth_date, "document_number": document_number,
            "emergency_contact_name": "李四",
        }))
        .expect("stored details")
    }

    fn zone() -> Td3 {
        Td3 {
            document_code: "PO".into(),
            issuing_state: "CHN".into(),
            surname: "LYU".into(),
            given_names: "XIAOMING".into(),
            document_number: "E12345678".into(),
            nationality: "CHN".into(),
            birth_date: "900501".into(),
            sex: MrzSex::Male,
            expiry: "340101".into(),
            personal_number: String::new(),
        }
    }

    #[test]
    fn a_form_that_matches_the_page_raises_nothing() {
        assert_eq!(cross_check(&zone(), &details("E12345678", "XIAOMING", "1990-05-01", "male")), vec![]);
    }

    #[test]
    fn each_difference_is_named_with_both_values() {
        let mismatches = cross_check(&zone(), &details("E12345679", "XIAOMIN", "1990-05-02", "female"));
        let fields: Vec<_> = mismatches.iter().map(|m| m.field).collect();
        assert_eq!(
            fields,
            [MismatchField::DocumentNumber, MismatchField::GivenNames, MismatchField::BirthDate, MismatchField::Sex]
        );
        assert_eq!((mismatches[0].on_page.as_str(), mismatches[0].typed.as_str()), ("E12345678", "E12345679"));
        assert_eq!((mismatches[2].on_page.as_str(), mismatches[2].typed.as_str()), ("900501", "900502"));
    }
}
