//! Valid details as the order's form stores them: the shape of [`Details`] (text), written
//! from the types and read back through them.

use super::{Details, ValidDetails, parse_sex};
use crate::application_form::optional;
use crate::error::ValidationError;
use crate::{Email, PersonName, PinyinField, PinyinMode, ResidentId, Sex};
use chrono::NaiveDate;

impl From<ValidDetails> for Details {
    fn from(valid: ValidDetails) -> Self {
        Details {
            surname_zh: valid.surname_zh.as_str().to_owned(),
            given_name_zh: valid.given_name_zh.as_str().to_owned(),
            surname_pinyin: valid.surname_pinyin.as_str().to_owned(),
            given_name_pinyin: valid.given_name_pinyin.as_str().to_owned(),
            foreign_name: valid.foreign_name,
            sex: sex_code(valid.sex).to_owned(),
            birth_date: valid.birth_date.to_string(),
            birth_place: valid.birth_place,
            resident_id: valid.resident_id.map(|id| id.as_str().to_owned()).unwrap_or_default(),
            document_number: valid.document_number.unwrap_or_default(),
            address: valid.address,
            phone: valid.phone,
            email: valid.email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
            occupation: valid.occupation,
            emergency_contact_name: valid.emergency_contact_name.as_str().to_owned(),
            emergency_contact_phone: valid.emergency_contact_phone,
            father_name: valid.father_name,
            father_document: valid.father_document,
            mother_name: valid.mother_name,
            mother_document: valid.mother_document,
        }
    }
}

/// Reading stored details back: each typed field parsed from what validation wrote (pinyin
/// as it was accepted, the resident ID's birth date not compared with today again). A value
/// that does not parse is a corrupt record, named by its field.
impl TryFrom<Details> for ValidDetails {
    type Error = String;

    fn try_from(stored: Details) -> Result<Self, String> {
        let corrupt = |field: &'static str| move |error: ValidationError| format!("stored {field}: {}", error.code());
        let name = |field: &'static str, text: &str| PersonName::parse(text).map_err(corrupt(field));
        let pinyin =
            |field: &'static str, text: &str| PinyinField::parse(text, PinyinMode::Legacy).map_err(corrupt(field));
        Ok(ValidDetails {
            surname_zh: name("surname_zh", &stored.surname_zh)?,
            given_name_zh: name("given_name_zh", &stored.given_name_zh)?,
            surname_pinyin: pinyin("surname_pinyin", &stored.surname_pinyin)?,
            given_name_pinyin: pinyin("given_name_pinyin", &stored.given_name_pinyin)?,
            foreign_name: stored.foreign_name,
            sex: parse_sex(&stored.sex).map_err(corrupt("sex"))?,
            birth_date: NaiveDate::parse_from_str(&stored.birth_date, "%Y-%m-%d")
                .map_err(|_| "stored birth_date".to_owned())?,
            birth_place: stored.birth_place,
            resident_id: optional(&stored.resident_id, |s| ResidentId::parse(s, NaiveDate::MAX))
                .map_err(corrupt("resident_id"))?,
            document_number: Some(stored.document_number).filter(|n| !n.is_empty()),
            address: stored.address,
            phone: stored.phone,
            email: optional(&stored.email, Email::parse).map_err(corrupt("email"))?,
            occupation: stored.occupation,
            emergency_contact_name: name("emergency_contact_name", &stored.emergency_contact_name)?,
            emergency_contact_phone: stored.emergency_contact_phone,
            father_name: stored.father_name,
            father_document: stored.father_document,
            mother_name: stored.mother_name,
            mother_document: stored.mother_document,
        })
    }
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
    }
}
