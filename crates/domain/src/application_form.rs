//! What the applicant types on each screen of an application, validated field by field.
//!
//! Each screen's input is a struct of strings as a form or JSON sends it; validation returns
//! the same struct normalised (what is stored and shown back) or every field's error at once.
//! The personal details, which become types, have their own module ([`crate::details`]).

use crate::PersonName;
use crate::details::ValidDetails;
use crate::error::ValidationError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A field's error: the field's name as the form and the API spell it, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub error: ValidationError,
}

/// Collects field errors while a screen is validated.
#[derive(Default)]
pub(crate) struct Errors(pub(crate) Vec<FieldError>);

impl Errors {
    /// The parsed value, or `None` after recording the error under `field`.
    pub(crate) fn check<T>(&mut self, field: &'static str, result: Result<T, ValidationError>) -> Option<T> {
        result.map_err(|error| self.0.push(FieldError { field, error })).ok()
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() { Ok(value) } else { Err(self.0) }
    }

    pub(crate) fn into_errors(self) -> Vec<FieldError> {
        self.0
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
pub(crate) fn optional<T>(
    input: &str,
    parse: impl Fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ValidationError> {
    if input.trim().is_empty() { Ok(None) } else { parse(input).map(Some) }
}

/// A telephone number as stored: E.164, read in `home` (the mission's country) when written
/// without a country code (see [`crate::phone`]).
pub fn phone_number(input: &str, home: Option<&str>) -> Result<String, ValidationError> {
    crate::phone::PhoneNumber::parse(input, home).map(|number| number.e164().to_owned())
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

/// The payment choice (图 16): WeChat Pay where the mission takes it online, or offline.
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
    /// `wechat_offered`: the mission takes WeChat Pay online.
    pub fn validate(&self, emergency: bool, wechat_offered: bool) -> Result<Payment, Vec<FieldError>> {
        let mut errors = Errors::default();
        let method = match self.method.trim() {
            "offline" => Some("offline"),
            "wechat" if wechat_offered => Some("wechat"),
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
    pub details: Option<ValidDetails>,
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

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

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
    fn annotations_and_declarations() {
        let spelling = Annotations { kind: "special_spelling".into(), text: "cheung".into() }.validate().expect("ok");
        assert!(spelling.annotated() && spelling.text == "CHEUNG");
        assert!(Annotations { kind: "former_name".into(), text: String::new() }.validate().is_err());
        assert!(!Annotations::default().validate().expect("none").annotated());
        assert!(Declaration { signer: "applicant".into() }.validate(true).is_err());
        assert!(Declaration { signer: "applicant".into() }.validate(false).is_ok());
    }
}
