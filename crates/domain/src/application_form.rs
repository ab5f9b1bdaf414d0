//! What the applicant types on each screen of an application, validated field by field.
//!
//! Each screen's input is a struct of strings as a form or JSON sends it; validation returns
//! the same struct normalised (what is stored and shown back) or every field's error at once.
//! Personal details depend on the application type: pinyin is strict for first issues and
//! legacy for renewals, the current document's number is checked as that document, parents'
//! details are required for minors.

use crate::application::{ApplicationType, Business, Case, HeldDocument, age_on, parents_required, under_16};
use crate::error::ValidationError;
use crate::{Email, PassportNo, PersonName, PinyinField, PinyinMode, ResidentId, Sex, TravelDocNo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A field's error: the field's name as the form and the API spell it, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub error: ValidationError,
}

/// Collects field errors while a screen is validated.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    /// The parsed value, or `None` after recording the error under `field`.
    fn check<T>(&mut self, field: &'static str, result: Result<T, ValidationError>) -> Option<T> {
        result.map_err(|error| self.0.push(FieldError { field, error })).ok()
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }
}

/// Free text of one line: trimmed, single spaces, no control characters, at most `max`
/// characters.
pub fn short_text(input: &str, max: usize) -> Result<String, ValidationError> {
    if input.chars().count() > max * 4 {
        return Err(ValidationError::TooLong);
    }
    let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(ValidationError::Required);
    }
    if collapsed.chars().count() > max {
        return Err(ValidationError::TooLong);
    }
    if collapsed.chars().any(char::is_control) {
        return Err(ValidationError::TextInvalid);
    }
    Ok(collapsed)
}

/// An optional field: empty is `None`, anything else must parse.
fn optional<T>(input: &str, parse: impl Fn(&str) -> Result<T, ValidationError>) -> Result<Option<T>, ValidationError> {
    if input.trim().is_empty() { Ok(None) } else { parse(input).map(Some) }
}

/// A telephone number anywhere: `+`/`00` and a country code, or a national number; 6–15
/// digits once spaces, dots, hyphens and brackets are dropped (E.164 allows 15).
pub fn phone_number(input: &str) -> Result<String, ValidationError> {
    let folded = crate::normalize::fold_identifier(input).ok_or(ValidationError::TooLong)?;
    let folded = folded.replace(['(', ')', '.', '/'], "");
    if folded.is_empty() {
        return Err(ValidationError::Required);
    }
    let (prefix, digits) = match folded.strip_prefix('+').or_else(|| folded.strip_prefix("00")) {
        Some(rest) => ("+", rest),
        None => ("", folded.as_str()),
    };
    let valid = (6..=15).contains(&digits.len()) && crate::normalize::all_digits(digits);
    if valid { Ok(format!("{prefix}{digits}")) } else { Err(ValidationError::PhoneFormat) }
}

/// A calendar date `YYYY-MM-DD` not after `today`.
pub fn past_date(input: &str, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::Required);
    }
    let date = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| ValidationError::DateFormat)?;
    if date > today || date.year_ce().1 < 1900 {
        return Err(ValidationError::DateNotPast);
    }
    Ok(date)
}

use chrono::Datelike;

/// What the details screen needs to know about the application.
#[derive(Debug, Clone, Copy)]
pub struct DetailsContext {
    /// `None` for the emergency travel document.
    pub kind: Option<ApplicationType>,
    pub held: Option<HeldDocument>,
    pub today: NaiveDate,
}

/// The personal-details screen (图 3), as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

impl Details {
    /// The details normalised, or every field's error.
    pub fn validate(&self, context: &DetailsContext) -> Result<Details, Vec<FieldError>> {
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
        let phone = errors.check("phone", phone_number(&self.phone));
        let email = errors.check("email", optional(&self.email, Email::parse));
        let occupation = errors.check("occupation", short_text(&self.occupation, 40));
        let emergency_contact_name =
            errors.check("emergency_contact_name", PersonName::parse(&self.emergency_contact_name));
        let emergency_contact_phone =
            errors.check("emergency_contact_phone", phone_number(&self.emergency_contact_phone));
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
        let normalised = Details {
            surname_zh: surname_zh.map(|n| n.as_str().to_owned()).unwrap_or_default(),
            given_name_zh: given_name_zh.map(|n| n.as_str().to_owned()).unwrap_or_default(),
            surname_pinyin: surname_pinyin.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            given_name_pinyin: given_name_pinyin.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            foreign_name,
            sex: self.sex.trim().to_owned(),
            birth_date: birth_date.map(|d| d.to_string()).unwrap_or_default(),
            birth_place: birth_place.unwrap_or_default(),
            resident_id: resident_id.flatten().map(|id| id.as_str().to_owned()).unwrap_or_default(),
            document_number: document_number.flatten().unwrap_or_default(),
            address: address.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            email: email.flatten().map(|e| e.as_str().to_owned()).unwrap_or_default(),
            occupation: occupation.unwrap_or_default(),
            emergency_contact_name: emergency_contact_name.map(|n| n.as_str().to_owned()).unwrap_or_default(),
            emergency_contact_phone: emergency_contact_phone.unwrap_or_default(),
            father_name,
            father_document,
            mother_name,
            mother_document,
        };
        errors.finish(normalised)
    }

    /// The applicant's age on `today`, once the details are valid.
    pub fn age(&self, today: NaiveDate) -> Option<u32> {
        NaiveDate::parse_from_str(&self.birth_date, "%Y-%m-%d").ok().map(|b| age_on(b, today))
    }

    /// 张三 from the two Chinese fields.
    pub fn chinese_name(&self) -> String {
        format!("{}{}", self.surname_zh, self.given_name_zh)
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

/// 加注 (图 4、5): special name spelling or former name, copied from the old passport.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Annotations {
    /// `none`, `special_spelling` or `former_name`.
    pub kind: String,
    pub text: String,
}

impl Annotations {
    pub fn validate(&self) -> Result<Annotations, Vec<FieldError>> {
        let mut errors = Errors::default();
        let kind = self.kind.trim();
        let text = match kind {
            "" | "none" => Some(String::new()),
            "special_spelling" => errors.check("text", special_spelling(&self.text)),
            "former_name" => errors.check("text", PersonName::parse(&self.text).map(|n| n.as_str().to_owned())),
            _ => errors.check("kind", Err(ValidationError::UnknownChoice)),
        };
        let kind = if kind.is_empty() { "none" } else { kind };
        errors.finish(Annotations { kind: kind.to_owned(), text: text.unwrap_or_default() })
    }

    pub fn annotated(&self) -> bool {
        !matches!(self.kind.as_str(), "" | "none")
    }
}

/// A special spelling as printed in the old passport: Latin capitals, spaces, hyphens.
fn special_spelling(input: &str) -> Result<String, ValidationError> {
    let text = short_text(input, 60)?.to_uppercase();
    if text.chars().all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\'')) {
        Ok(text)
    } else {
        Err(ValidationError::PinyinCharset)
    }
}

/// Who signed the nationality-status declaration (图 7、8).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Declaration {
    /// `applicant` or `parent`.
    pub signer: String,
}

impl Declaration {
    pub fn validate(&self, parent_must_sign: bool) -> Result<Declaration, Vec<FieldError>> {
        let mut errors = Errors::default();
        let signer = match self.signer.trim() {
            "parent" => Some("parent"),
            "applicant" if parent_must_sign => errors.check("signer", Err(ValidationError::ParentMustSign)),
            "applicant" => Some("applicant"),
            "" => errors.check("signer", Err(ValidationError::Required)),
            _ => errors.check("signer", Err(ValidationError::UnknownChoice)),
        };
        errors.finish(Declaration { signer: signer.unwrap_or_default().to_owned() })
    }
}

/// Submission and pick-up methods (图 11), from those the mission accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub submission: String,
    pub pickup: String,
}

impl Delivery {
    pub fn validate(&self, mission: &crate::mission::Mission) -> Result<Delivery, Vec<FieldError>> {
        let mut errors = Errors::default();
        let accepted = |choice: &str, offered: Vec<String>| match choice.trim() {
            "" => Err(ValidationError::Required),
            c if offered.iter().any(|o| o == c) => Ok(c.to_owned()),
            _ => Err(ValidationError::MethodNotOffered),
        };
        let submissions = mission.submission_methods.iter().map(|m| m.code().to_owned()).collect();
        let pickups = mission.pickup_methods.iter().map(|m| m.code().to_owned()).collect();
        let submission = errors.check("submission", accepted(&self.submission, submissions));
        let pickup = errors.check("pickup", accepted(&self.pickup, pickups));
        errors.finish(Delivery { submission: submission.unwrap_or_default(), pickup: pickup.unwrap_or_default() })
    }
}

/// Pick-up of an emergency travel document (图 7): in person, or by a named proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pickup {
    /// `self` or `proxy`.
    pub method: String,
    pub proxy_name: String,
    /// `resident_id` or `passport`.
    pub proxy_document_kind: String,
    pub proxy_document_number: String,
}

impl Pickup {
    pub fn validate(&self, today: NaiveDate) -> Result<Pickup, Vec<FieldError>> {
        let mut errors = Errors::default();
        match self.method.trim() {
            "self" => errors.finish(Pickup { method: "self".into(), ..Pickup::default() }),
            "proxy" => {
                let name = errors.check("proxy_name", PersonName::parse(&self.proxy_name));
                let document = match crate::IdentityDocument::parse_answers(
                    &self.proxy_document_kind,
                    &self.proxy_document_number,
                    today,
                ) {
                    Ok(document) => Some(document),
                    Err((answer, error)) => {
                        let field = match answer {
                            crate::documents::DocumentAnswer::Kind => "proxy_document_kind",
                            crate::documents::DocumentAnswer::Number => "proxy_document_number",
                        };
                        errors.0.push(FieldError { field, error });
                        None
                    }
                };
                errors.finish(Pickup {
                    method: "proxy".into(),
                    proxy_name: name.map(|n| n.as_str().to_owned()).unwrap_or_default(),
                    proxy_document_kind: document.as_ref().map(|d| d.kind().to_owned()).unwrap_or_default(),
                    proxy_document_number: document.map(|d| d.number().to_owned()).unwrap_or_default(),
                })
            }
            "" => Err(vec![FieldError { field: "method", error: ValidationError::Required }]),
            _ => Err(vec![FieldError { field: "method", error: ValidationError::UnknownChoice }]),
        }
    }
}

/// The payment choice (图 16): offline now; WeChat Pay is shown but not yet available.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Payment {
    /// `offline` or `wechat`.
    pub method: String,
    /// The applicant confirmed that an emergency travel document application cannot be
    /// withdrawn and its online payment is not refunded.
    pub irreversible_acknowledged: bool,
}

impl Payment {
    pub fn validate(&self, emergency: bool) -> Result<Payment, Vec<FieldError>> {
        let mut errors = Errors::default();
        let method = match self.method.trim() {
            "offline" => Some("offline"),
            "wechat" => errors.check("method", Err(ValidationError::PaymentUnavailable)),
            "" => errors.check("method", Err(ValidationError::Required)),
            _ => errors.check("method", Err(ValidationError::UnknownChoice)),
        };
        if emergency && !self.irreversible_acknowledged {
            errors.0.push(FieldError {
                field: "irreversible_acknowledged",
                error: ValidationError::IrreversibleUnconfirmed,
            });
        }
        errors.finish(Payment {
            method: method.unwrap_or_default().to_owned(),
            irreversible_acknowledged: self.irreversible_acknowledged,
        })
    }
}

/// Everything the applicant answered, as stored (sealed) with the order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Form {
    /// ISO 3166 code of the country the applicant lives in, or `OTHER`.
    pub residence_country: String,
    /// Where the applicant is now (the emergency document's district goes by it); the same
    /// as `residence_country` unless the applicant said otherwise.
    pub present_country: String,
    pub route: Option<crate::application::RouteAnswers>,
    pub details: Option<Details>,
    pub annotations: Option<Annotations>,
    pub declaration: Option<Declaration>,
    pub delivery: Option<Delivery>,
    pub pickup: Option<Pickup>,
    pub review_confirmed: bool,
    pub payment: Option<Payment>,
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
        DetailsContext { kind: Some(kind), held: Some(held), today: today() }
    }

    fn fields(result: Result<Details, Vec<FieldError>>) -> Vec<(&'static str, ValidationError)> {
        result.err().unwrap_or_default().into_iter().map(|e| (e.field, e.error)).collect()
    }

    const RENEWAL: ApplicationType = ApplicationType::ALL[0];
    const MINOR: ApplicationType = ApplicationType::ALL[7];
    const TRAVEL_DOC_ISSUE: ApplicationType = ApplicationType::ALL[4];

    #[test]
    fn a_proxy_missing_only_the_document_kind_is_told_so_under_that_field() {
        let proxy = Pickup {
            method: "proxy".into(),
            proxy_name: "李四".into(),
            proxy_document_kind: String::new(),
            proxy_document_number: "E12345678".into(),
        };
        let errors = proxy.validate(today()).expect_err("no kind");
        let fields: Vec<(&str, ValidationError)> = errors.iter().map(|e| (e.field, e.error)).collect();
        assert_eq!(fields, [("proxy_document_kind", ValidationError::Required)]);
        let wrong_number =
            Pickup { proxy_document_kind: "passport".into(), proxy_document_number: "123".into(), ..proxy };
        let errors = wrong_number.validate(today()).expect_err("bad number");
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["proxy_document_number"]);
    }

    #[test]
    fn valid_details_come_back_normalised() {
        let details = adult().validate(&context(RENEWAL, HeldDocument::OrdinaryPassport)).expect("valid");
        assert_eq!((details.surname_pinyin.as_str(), details.phone.as_str()), ("ZHANG", "+32470123456"));
        assert_eq!(details.age(today()), Some(36));
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

    #[test]
    fn annotations_and_declarations() {
        let spelling = Annotations { kind: "special_spelling".into(), text: "cheung".into() }.validate().expect("ok");
        assert!(spelling.annotated() && spelling.text == "CHEUNG");
        assert!(Annotations { kind: "former_name".into(), text: String::new() }.validate().is_err());
        assert!(!Annotations::default().validate().expect("none").annotated());
        assert!(Declaration { signer: "applicant".into() }.validate(true).is_err());
        assert!(Declaration { signer: "applicant".into() }.validate(false).is_ok());
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
            let context = DetailsContext { kind: Some(ApplicationType::ALL[kind]), held: Some(held), today: today() };
            if let Ok(accepted) = input.validate(&context) {
                prop_assert_eq!(accepted.validate(&context), Ok(accepted.clone()));
            }
        }
    }
}
