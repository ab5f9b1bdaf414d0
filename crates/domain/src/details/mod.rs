//! The personal-details screen (图 3): what the applicant types ([`Details`], strings as a
//! form or JSON sends them) and what validation makes of it ([`ValidDetails`]: names, pinyin,
//! sex and a real birth date as types, the resident ID checked). The order's form stores the
//! valid details; nothing downstream parses their text again. Neither type's `Debug` prints a
//! name or an identity number.
//!
//! The details depend on the application: pinyin is strict for first issues and legacy for
//! renewals, the current document's number is checked as that document, parents' details are
//! required for minors.

use crate::application::{ApplicationType, Business, Case, HeldDocument, age_on, parents_required, under_16};
use crate::application_form::{Errors, FieldError, optional, past_date, phone_number, short_text};
use crate::error::ValidationError;
use crate::{Email, PassportNo, PersonName, PinyinField, PinyinMode, ResidentId, Sex, TravelDocNo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod stored;

/// What the details screen needs to know about the application.
#[derive(Debug, Clone)]
pub struct DetailsContext {
    /// `None` for the emergency travel document.
    pub kind: Option<ApplicationType>,
    pub held: Option<HeldDocument>,
    pub today: NaiveDate,
    /// ISO 3166-1 code of the mission's country: a phone number written without a country
    /// code is read there.
    pub home_region: Option<String>,
}

/// The personal-details screen (图 3), as sent; also the stored shape of [`ValidDetails`].
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Details {
    pub surname_zh: String,
    pub given_name_zh: String,
    pub surname_pinyin: String,
    pub given_name_pinyin: String,
    /// A foreign name on a travel document (FAQ 4): pinyin rules do not apply, and a birth
    /// certificate and a statement are required.
    pub foreign_name: bool,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub resident_id: String,
    /// The current (or lost) document's number.
    pub document_number: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub occupation: String,
    pub emergency_contact_name: String,
    pub emergency_contact_phone: String,
    pub father_name: String,
    pub father_document: String,
    pub mother_name: String,
    pub mother_document: String,
}

impl std::fmt::Debug for Details {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What an applicant typed is personal data: never printed, not even in a panic.
        f.debug_struct("Details").finish_non_exhaustive()
    }
}

/// The personal details once valid: what the order's form stores.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Details", try_from = "Details")]
pub struct ValidDetails {
    pub surname_zh: PersonName,
    pub given_name_zh: PersonName,
    pub surname_pinyin: PinyinField,
    pub given_name_pinyin: PinyinField,
    pub foreign_name: bool,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub birth_place: String,
    pub resident_id: Option<ResidentId>,
    /// The current (or lost) document's number, normalised as that document.
    pub document_number: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: Option<Email>,
    pub occupation: String,
    pub emergency_contact_name: PersonName,
    pub emergency_contact_phone: String,
    /// Empty where the parents are not asked for.
    pub father_name: String,
    pub father_document: String,
    pub mother_name: String,
    pub mother_document: String,
}

impl std::fmt::Debug for ValidDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidDetails")
            .field("resident_id", &self.resident_id)
            .field("foreign_name", &self.foreign_name)
            .finish_non_exhaustive()
    }
}

impl Details {
    /// The details as types, or every field's error at once.
    pub fn validate(&self, context: &DetailsContext) -> Result<ValidDetails, Vec<FieldError>> {
        let mut errors = Errors::default();
        let foreign_name = self.foreign_name;
        if foreign_name && context.kind.is_some_and(|k| !k.may_use_foreign_name()) {
            errors.0.push(FieldError { field: "foreign_name", error: ValidationError::ForeignNameOnlyTravelDocument });
        }
        let mode = match context.kind {
            _ if foreign_name => PinyinMode::Legacy,
            Some(kind) => kind.pinyin_mode(),
            None => PinyinMode::Legacy,
        };
        let surname_zh = errors.check("surname_zh", PersonName::parse(&self.surname_zh));
        let given_name_zh = errors.check("given_name_zh", PersonName::parse(&self.given_name_zh));
        let surname_pinyin = errors.check("surname_pinyin", PinyinField::parse(&self.surname_pinyin, mode));
        let given_name_pinyin = errors.check("given_name_pinyin", PinyinField::parse(&self.given_name_pinyin, mode));
        let sex = errors.check("sex", parse_sex(&self.sex));
        let birth_date = errors.check("birth_date", past_date(&self.birth_date, context.today));
        let birth_place = errors.check("birth_place", short_text(&self.birth_place, 60));
        let resident_id =
            errors.check("resident_id", optional(&self.resident_id, |s| ResidentId::parse(s, context.today)));
        if let (Some(Some(id)), Some(birth), Some(sex)) = (&resident_id, birth_date, sex)
            && (id.birth_date() != birth || id.sex() != sex)
        {
            errors.0.push(FieldError { field: "resident_id", error: ValidationError::ResidentIdMismatch });
        }
        let document_number = errors.check("document_number", document_number(&self.document_number, context));
        let address = errors.check("address", short_text(&self.address, 200));
        let phone = errors.check("phone", phone_number(&self.phone, context.home_region.as_deref()));
        let email = errors.check("email", optional(&self.email, Email::parse));
        let occupation = errors.check("occupation", short_text(&self.occupation, 40));
        let emergency_contact_name =
            errors.check("emergency_contact_name", PersonName::parse(&self.emergency_contact_name));
        let emergency_contact_phone = errors.check(
            "emergency_contact_phone",
            phone_number(&self.emergency_contact_phone, context.home_region.as_deref()),
        );
        let age = birth_date.map(|b| age_on(b, context.today));
        if let (Some(kind), Some(age)) = (context.kind, age)
            && kind.case == Case::MinorFirst
            && age >= 16
        {
            errors.0.push(FieldError { field: "birth_date", error: ValidationError::NotUnder16 });
        }
        let parents = parents_required(context.kind, under_16(age));
        let parent_field = |errors: &mut Errors, field: &'static str, input: &str, max: usize| {
            let parsed =
                if parents { short_text(input, max).map(Some) } else { optional(input, |s| short_text(s, max)) };
            errors.check(field, parsed).flatten().unwrap_or_default()
        };
        let father_name = parent_field(&mut errors, "father_name", &self.father_name, 64);
        let father_document = parent_field(&mut errors, "father_document", &self.father_document, 30);
        let mother_name = parent_field(&mut errors, "mother_name", &self.mother_name, 64);
        let mother_document = parent_field(&mut errors, "mother_document", &self.mother_document, 30);
        // Every field parsed (`None` only where an error was recorded just above).
        let valid = (|| {
            Some(ValidDetails {
                surname_zh: surname_zh?,
                given_name_zh: given_name_zh?,
                surname_pinyin: surname_pinyin?,
                given_name_pinyin: given_name_pinyin?,
                foreign_name,
                sex: sex?,
                birth_date: birth_date?,
                birth_place: birth_place?,
                resident_id: resident_id?,
                document_number: document_number?,
                address: address?,
                phone: phone?,
                email: email?,
                occupation: occupation?,
                emergency_contact_name: emergency_contact_name?,
                emergency_contact_phone: emergency_contact_phone?,
                father_name,
                father_document,
                mother_name,
                mother_document,
            })
        })();
        match valid {
            Some(valid) => errors.finish(valid),
            None => Err(errors.into_errors()),
        }
    }
}

impl ValidDetails {
    /// The applicant's age in whole years on `today`.
    pub fn age(&self, today: NaiveDate) -> u32 {
        age_on(self.birth_date, today)
    }

    /// 张三 from the two Chinese fields.
    pub fn chinese_name(&self) -> String {
        format!("{}{}", self.surname_zh.as_str(), self.given_name_zh.as_str())
    }

    /// The identity number staff search by: the document's, else the resident ID.
    pub fn identity_number(&self) -> Option<&str> {
        self.document_number.as_deref().or(self.resident_id.as_ref().map(ResidentId::as_str))
    }
}

fn parse_sex(input: &str) -> Result<Sex, ValidationError> {
    match input.trim() {
        "male" => Ok(Sex::Male),
        "female" => Ok(Sex::Female),
        "" => Err(ValidationError::Required),
        _ => Err(ValidationError::UnknownChoice),
    }
}

/// The current document's number, checked as that document: required to renew, optional
/// when it was lost (the applicant may not remember it), absent for a first application.
fn document_number(input: &str, context: &DetailsContext) -> Result<Option<String>, ValidationError> {
    let required = context.kind.is_some_and(|k| k.case == Case::Renewal || k.business == Business::Renewal);
    if input.trim().is_empty() {
        return if required { Err(ValidationError::Required) } else { Ok(None) };
    }
    let number = match context.held {
        Some(HeldDocument::OrdinaryPassport) | None => PassportNo::parse_ordinary(input)?.as_str().to_owned(),
        Some(HeldDocument::TravelDocument) => TravelDocNo::parse(input)?.as_str().to_owned(),
        Some(HeldDocument::HkMacauTaiwanOrOther) => crate::normalize::fold_identifier(input)
            .filter(|s| (5..=20).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
            .ok_or(ValidationError::DocumentNumberFormat)?,
        Some(HeldDocument::OfficialPassport | HeldDocument::NoneOfThese) => return Ok(None),
    };
    Ok(Some(number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::ApplicationType;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    fn adult() -> Details {
        Details {
            surname_zh: "张".into(),
            given_name_zh: "三".into(),
            surname_pinyin: "zhang".into(),
            given_name_pinyin: "SAN".into(),
            sex: "male".into(),
            birth_date: "1990-05-01".into(),
            birth_place: "北京".into(),
            document_number: "E12345678".into(),
            address: "Avenue Louise 1, 1050 Bruxelles".into(),
            phone: "+32 470 12 34 56".into(),
            occupation: "工程师".into(),
            emergency_contact_name: "李四".into(),
            emergency_contact_phone: "13800138000".into(),
            ..Details::default()
        }
    }

    fn context(kind: ApplicationType, held: HeldDocument) -> DetailsContext {
        DetailsContext { kind: Some(kind), held: Some(held), today: today(), home_region: Some("BE".into()) }
    }

    fn fields(result: Result<ValidDetails, Vec<FieldError>>) -> Vec<(&'static str, ValidationError)> {
        result.err().unwrap_or_default().into_iter().map(|e| (e.field, e.error)).collect()
    }

    const RENEWAL: ApplicationType = ApplicationType::ALL[0];
    const MINOR: ApplicationType = ApplicationType::ALL[7];
    const TRAVEL_DOC_ISSUE: ApplicationType = ApplicationType::ALL[4];

    #[test]
    fn valid_details_come_back_normalised() {
        let details = adult().validate(&context(RENEWAL, HeldDocument::OrdinaryPassport)).expect("valid");
        assert_eq!((details.surname_pinyin.as_str(), details.phone.as_str()), ("ZHANG", "+32470123456"));
        assert_eq!(details.age(today()), 36);
        assert_eq!(details.birth_date, NaiveDate::from_ymd_opt(1990, 5, 1).expect("date"), "a date, not text");
    }

    #[test]
    fn valid_details_are_stored_as_text_read_back_whole_and_never_printed() {
        let with_id = Details { resident_id: "110105199005010018".into(), ..adult() };
        let details = with_id.validate(&context(RENEWAL, HeldDocument::OrdinaryPassport)).expect("valid");
        let stored = serde_json::to_value(&details).expect("json");
        assert_eq!((stored["birth_date"].as_str(), stored["sex"].as_str()), (Some("1990-05-01"), Some("male")));
        let read: ValidDetails = serde_json::from_value(stored.clone()).expect("read back");
        assert_eq!(read, details);
        let printed = format!("{details:?} {with_id:?}");
        for secret in ["110105199005010018", "张", "E12345678", "ZHANG"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        let mut corrupt = stored;
        corrupt["birth_date"] = serde_json::json!("yesterday");
        assert!(serde_json::from_value::<ValidDetails>(corrupt).is_err(), "a corrupt record is named, not guessed");
    }

    #[test]
    fn renewals_copy_legacy_spellings_and_first_issues_must_be_standard() {
        let legacy = Details { given_name_pinyin: "SANN".into(), ..adult() };
        assert!(legacy.validate(&context(RENEWAL, HeldDocument::OrdinaryPassport)).is_ok());
        let first = Details { document_number: "H12345678".into(), ..legacy };
        assert_eq!(
            fields(first.validate(&context(TRAVEL_DOC_ISSUE, HeldDocument::HkMacauTaiwanOrOther))),
            vec![("given_name_pinyin", ValidationError::PinyinNotStandard)]
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = Details {
            phone: "call me".into(),
            birth_date: "2030-01-01".into(),
            resident_id: "11010519491231002X".into(),
            document_number: "PE1234567".into(),
            ..adult()
        };
        let errors = fields(bad.validate(&context(RENEWAL, HeldDocument::OrdinaryPassport)));
        assert!(errors.contains(&("phone", ValidationError::PhoneFormat)));
        assert!(errors.contains(&("birth_date", ValidationError::DateNotPast)));
        assert!(errors.contains(&("document_number", ValidationError::OfficialPassport)));
        let mismatch = Details { resident_id: "11010519491231002X".into(), ..adult() };
        assert_eq!(
            fields(mismatch.validate(&context(RENEWAL, HeldDocument::OrdinaryPassport))),
            vec![("resident_id", ValidationError::ResidentIdMismatch)]
        );
    }

    #[test]
    fn minors_need_their_parents_and_must_be_under_16() {
        let child = Details { birth_date: "2019-03-02".into(), document_number: String::new(), ..adult() };
        let errors = fields(child.validate(&context(MINOR, HeldDocument::NoneOfThese)));
        assert!(errors.contains(&("father_name", ValidationError::Required)));
        assert!(errors.contains(&("mother_document", ValidationError::Required)));
        let grown = Details { birth_date: "2000-01-01".into(), ..child };
        assert!(
            fields(grown.validate(&context(MINOR, HeldDocument::NoneOfThese)))
                .contains(&("birth_date", ValidationError::NotUnder16))
        );
    }

    #[test]
    fn a_foreign_name_is_only_for_travel_documents() {
        let foreign = Details { foreign_name: true, given_name_pinyin: "VICTORIA".into(), ..adult() };
        assert_eq!(
            fields(foreign.validate(&context(RENEWAL, HeldDocument::OrdinaryPassport))),
            vec![("foreign_name", ValidationError::ForeignNameOnlyTravelDocument)]
        );
        let on_travel_doc = Details { document_number: "H12345678".into(), ..foreign };
        assert!(on_travel_doc.validate(&context(TRAVEL_DOC_ISSUE, HeldDocument::HkMacauTaiwanOrOther)).is_ok());
    }

    use proptest::prelude::*;

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            ".{0,80}",
            "[A-Z]{1,12}",
            "[\\u{4E00}-\\u{4E2F}]{1,3}",
            "[0-9+ ()-]{0,20}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}"
        ]
    }

    proptest! {
        #[test]
        fn details_never_panic_and_accepted_details_are_stable(
            fields in proptest::collection::vec(any_text(), 19),
            foreign_name in any::<bool>(),
            kind in 0usize..9,
            held in 0usize..5,
        ) {
            let held = [
                HeldDocument::OrdinaryPassport,
                HeldDocument::TravelDocument,
                HeldDocument::HkMacauTaiwanOrOther,
                HeldDocument::OfficialPassport,
                HeldDocument::NoneOfThese,
            ][held];
            let input = Details {
                surname_zh: fields[0].clone(),
                given_name_zh: fields[1].clone(),
                surname_pinyin: fields[2].clone(),
                given_name_pinyin: fields[3].clone(),
                foreign_name,
                sex: ["male", "female", "x"][fields[4].len() % 3].to_owned(),
                birth_date: fields[5].clone(),
                birth_place: fields[6].clone(),
                resident_id: fields[7].clone(),
                document_number: fields[8].clone(),
                address: fields[9].clone(),
                phone: fields[10].clone(),
                email: fields[11].clone(),
                occupation: fields[12].clone(),
                emergency_contact_name: fields[13].clone(),
                emergency_contact_phone: fields[14].clone(),
                father_name: fields[15].clone(),
                father_document: fields[16].clone(),
                mother_name: fields[17].clone(),
                mother_document: fields[18].clone(),
            };
            let context = DetailsContext { kind: Some(ApplicationType::ALL[kind]), held: Some(held), today: today(), home_region: Some("BE".into()) };
            if let Ok(accepted) = input.validate(&context) {
                let stored = Details::from(accepted.clone());
                prop_assert_eq!(stored.validate(&context), Ok(accepted));
            }
        }
    }
}
