//! Travel-document numbers (SPEC §9) and the identity documents accepted for real-name
//! verification.

use crate::error::ValidationError;
use crate::normalize::{all_digits, fold_identifier};
use crate::resident_id::ResidentId;
use chrono::NaiveDate;
use std::fmt;

/// Declares a document-number newtype whose `parse` folds the input and checks `rule`.
macro_rules! document_number {
    ($(#[$doc:meta])* $name:ident, $error:expr, $rule:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                let folded = fold_identifier(input).ok_or(ValidationError::TooLong)?;
                if folded.is_empty() {
                    return Err(ValidationError::Required);
                }
                let rule: fn(&str) -> Result<(), ValidationError> = $rule;
                rule(&folded).map_err(|_| $error).map(|()| Self(folded))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// First and last two characters only, for screens and logs.
            pub fn masked(&self) -> String {
                mask_middle(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.masked())
            }
        }
    };
}

fn mask_middle(s: &str) -> String {
    let keep = 2.min(s.len() / 3);
    format!("{}{}{}", &s[..keep], "*".repeat(s.len() - 2 * keep), &s[s.len() - keep..])
}

/// `prefix` followed by exactly `digits` ASCII digits.
fn prefixed_digits(s: &str, prefix: &str, digits: usize) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| rest.len() == digits && all_digits(rest))
}

fn is_official_passport(s: &str) -> bool {
    ["PE", "SE", "DE"].iter().any(|p| prefixed_digits(s, p, 7))
}

fn ordinary_passport_rule(s: &str) -> Result<(), ValidationError> {
    let e_series = s.strip_prefix('E').is_some_and(|rest| {
        (rest.len() == 8 && all_digits(rest))
            || (rest.len() == 8
                && matches!(rest.as_bytes()[0], b'A'..=b'H' | b'J'..=b'N' | b'P'..=b'Z')
                && all_digits(&rest[1..]))
    });
    let older = prefixed_digits(s, "G", 8) || prefixed_digits(s, "14", 7) || prefixed_digits(s, "15", 7);
    if e_series || older { Ok(()) } else { Err(ValidationError::PassportFormat) }
}

document_number!(
    /// An ordinary (因私) passport number: `E` + 8 digits or `E` + letter (not I/O) + 7 digits;
    /// older series `G` + 8 digits and `14`/`15` + 7 digits.
    PassportNo,
    ValidationError::PassportFormat,
    ordinary_passport_rule
);

impl PassportNo {
    /// Like [`PassportNo::parse`], but an official passport number (`PE`/`SE`/`DE` + 7 digits)
    /// gets [`ValidationError::OfficialPassport`], so the applicant is told to contact the
    /// mission (FAQ 2) instead of being told the number is malformed.
    pub fn parse_ordinary(input: &str) -> Result<Self, ValidationError> {
        match fold_identifier(input) {
            Some(folded) if is_official_passport(&folded) => Err(ValidationError::OfficialPassport),
            _ => Self::parse(input),
        }
    }
}

document_number!(
    /// A travel document (旅行证) number: `T` + 8 digits.
    TravelDocNo,
    ValidationError::TravelDocFormat,
    |s| if prefixed_digits(s, "T", 8) { Ok(()) } else { Err(ValidationError::TravelDocFormat) }
);

document_number!(
    /// A Mainland Travel Permit for Hong Kong and Macao Residents (回乡证): `H` or `M`
    /// followed by 8 or 10 digits.
    HomeReturnPermitNo,
    ValidationError::HomeReturnPermitFormat,
    |s| {
        let ok = ["H", "M"]
            .iter()
            .any(|p| prefixed_digits(s, p, 8) || prefixed_digits(s, p, 10));
        if ok { Ok(()) } else { Err(ValidationError::HomeReturnPermitFormat) }
    }
);

document_number!(
    /// A Mainland Travel Permit for Taiwan Residents (台胞证): 8 digits.
    TaiwanPermitNo,
    ValidationError::TaiwanPermitFormat,
    |s| if s.len() == 8 && all_digits(s) { Ok(()) } else { Err(ValidationError::TaiwanPermitFormat) }
);

/// The documents the guide accepts for real-name verification: a resident ID number or an
/// ordinary passport number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityDocument {
    ResidentId(ResidentId),
    Passport(PassportNo),
}

/// The two answers that name an identity document: which kind, and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentAnswer {
    Kind,
    Number,
}

impl IdentityDocument {
    /// Parses `number` as the document `kind` (`"resident_id"` or `"passport"`).
    pub fn parse(kind: &str, number: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        Self::parse_answers(kind, number, today).map_err(|(_, error)| error)
    }

    /// [`parse`](Self::parse), saying which answer a refusal concerns, so that a form shows
    /// it under the right field.
    pub fn parse_answers(
        kind: &str,
        number: &str,
        today: NaiveDate,
    ) -> Result<Self, (DocumentAnswer, ValidationError)> {
        let on_number = |error| (DocumentAnswer::Number, error);
        match kind.trim() {
            "resident_id" => ResidentId::parse(number, today).map(Self::ResidentId).map_err(on_number),
            "passport" => PassportNo::parse_ordinary(number).map(Self::Passport).map_err(on_number),
            "" => Err((DocumentAnswer::Kind, ValidationError::Required)),
            _ => Err((DocumentAnswer::Kind, ValidationError::UnknownChoice)),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::ResidentId(_) => "resident_id",
            Self::Passport(_) => "passport",
        }
    }

    pub fn number(&self) -> &str {
        match self {
            Self::ResidentId(id) => id.as_str(),
            Self::Passport(p) => p.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Self::ResidentId(id) => id.masked(),
            Self::Passport(p) => p.masked(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_passport_series_are_accepted() {
        for ok in ["E12345678", "EA1234567", "EH1234567", "G12345678", "141234567", "151234567", "e 1234 5678"] {
            assert!(PassportNo::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn malformed_passports_are_refused() {
        for bad in ["E1234567", "EI1234567", "EO1234567", "G1234567", "161234567", "X12345678", "E123456789"] {
            assert_eq!(PassportNo::parse(bad), Err(ValidationError::PassportFormat), "{bad}");
        }
    }

    #[test]
    fn official_passports_are_named_as_such() {
        for official in ["PE1234567", "SE1234567", "DE1234567"] {
            assert_eq!(PassportNo::parse_ordinary(official), Err(ValidationError::OfficialPassport));
            assert_eq!(PassportNo::parse(official), Err(ValidationError::PassportFormat));
        }
    }

    #[test]
    fn other_travel_documents_follow_their_patterns() {
        assert!(TravelDocNo::parse("T12345678").is_ok());
        assert_eq!(TravelDocNo::parse("T1234567"), Err(ValidationError::TravelDocFormat));
        assert!(HomeReturnPermitNo::parse("H12345678").is_ok());
        assert!(HomeReturnPermitNo::parse("M1234567890").is_ok());
        assert_eq!(HomeReturnPermitNo::parse("H123456789"), Err(ValidationError::HomeReturnPermitFormat));
        assert!(TaiwanPermitNo::parse("12345678").is_ok());
        assert_eq!(TaiwanPermitNo::parse("1234567A"), Err(ValidationError::TaiwanPermitFormat));
    }

    #[test]
    fn identity_document_dispatches_on_kind() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        assert!(matches!(IdentityDocument::parse("passport", "E12345678", today), Ok(IdentityDocument::Passport(_))));
        assert!(matches!(
            IdentityDocument::parse("resident_id", "11010519491231002X", today),
            Ok(IdentityDocument::ResidentId(_))
        ));
        assert_eq!(IdentityDocument::parse("driving_licence", "x", today), Err(ValidationError::UnknownChoice));
        assert_eq!(IdentityDocument::parse("passport", "PE1234567", today), Err(ValidationError::OfficialPassport));
    }

    #[test]
    fn masks_hide_the_middle() {
        assert_eq!(PassportNo::parse("E12345678").map(|p| p.masked()), Ok("E1*****78".into()));
    }

    proptest! {
        #[test]
        fn no_document_parser_panics(input in "\\PC{0,80}") {
            let _ = PassportNo::parse_ordinary(&input);
            let _ = TravelDocNo::parse(&input);
            let _ = HomeReturnPermitNo::parse(&input);
            let _ = TaiwanPermitNo::parse(&input);
        }
    }
}
