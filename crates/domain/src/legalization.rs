//! Consular legalizations as the public can check them (查验领事认证): a certificate number
//! and its check code, and what the certificate covers.

use crate::error::ValidationError;
use crate::normalize::fold_identifier;
use chrono::NaiveDate;

/// A legalization certificate number: 6–32 letters, digits and hyphens, upper-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateNo(String);

impl CertificateNo {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::Required);
        }
        let upper: String = trimmed.chars().map(crate::normalize::fold_full_width).collect::<String>().to_uppercase();
        let valid = (6..=32).contains(&upper.len()) && upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if valid { Ok(Self(upper)) } else { Err(ValidationError::CertificateFormat) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check code printed with the certificate: 4–16 letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCode(String);

impl CheckCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let folded = fold_identifier(input).ok_or(ValidationError::TooLong)?;
        if folded.is_empty() {
            return Err(ValidationError::Required);
        }
        let valid = (4..=16).contains(&folded.len()) && folded.chars().all(|c| c.is_ascii_alphanumeric());
        if valid { Ok(Self(folded)) } else { Err(ValidationError::CheckCodeFormat) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A legalization to register, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legalization {
    pub certificate_no: CertificateNo,
    pub check_code: CheckCode,
    /// What was legalized (e.g. 出生公证书 / birth certificate).
    pub document_type: String,
    pub issued_on: NaiveDate,
    /// The holder's name as the public sees it: first character and stars (张*).
    pub holder_masked: String,
}

/// One legalization's fields as typed or imported; every error is reported, by field.
pub fn parse_legalization(
    fields: [&str; 5],
    today: NaiveDate,
) -> Result<Legalization, Vec<(&'static str, ValidationError)>> {
    let [number, code, document_type, issued_on, holder] = fields;
    let mut errors = Vec::new();
    let mut check = |field: &'static str, result: Result<(), ValidationError>| {
        if let Err(error) = result {
            errors.push((field, error));
        }
    };
    let certificate_no = CertificateNo::parse(number);
    check("certificate_no", certificate_no.as_ref().map(|_| ()).map_err(|e| *e));
    let check_code = CheckCode::parse(code);
    check("check_code", check_code.as_ref().map(|_| ()).map_err(|e| *e));
    let document_type = crate::application_form::short_text(document_type, 60);
    check("document_type", document_type.as_ref().map(|_| ()).map_err(|e| *e));
    let issued_on = crate::application_form::past_date(issued_on, today);
    check("issued_on", issued_on.as_ref().map(|_| ()).map_err(|e| *e));
    let holder = crate::PersonName::parse(holder);
    check("holder_name", holder.as_ref().map(|_| ()).map_err(|e| *e));
    match (certificate_no, check_code, document_type, issued_on, holder) {
        (Ok(certificate_no), Ok(check_code), Ok(document_type), Ok(issued_on), Ok(holder)) => {
            Ok(Legalization { certificate_no, check_code, document_type, issued_on, holder_masked: holder.masked() })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
    }

    #[test]
    fn a_good_row_parses_and_masks_the_holder() {
        let row = parse_legalization(["be-2026-000123", " a1b2c3 ", "出生公证书", "2026-03-01", "张三"], today())
            .expect("valid");
        assert_eq!((row.certificate_no.as_str(), row.check_code.as_str()), ("BE-2026-000123", "A1B2C3"));
        assert_eq!(row.holder_masked, "张*");
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = parse_legalization(["BE 1", "!!", "", "2030-01-01", "<script>"], today()).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["certificate_no", "check_code", "document_type", "issued_on", "holder_name"]);
    }
}
