//! Telephone numbers other than the mainland login — contact phones, emergency contacts, the
//! mission's numbers, a mobile for notifications — parsed, checked and formatted with
//! libphonenumber's data (the `phonenumber` crate). A number written without a country code is
//! read as a mainland mobile when it is one, otherwise in the mission's country; it is kept in
//! E.164 (`+3224000000`) and shown in international form (`+32 2 400 00 00`).

use crate::error::ValidationError;
use phonenumber::{Mode, Type};
use serde::Serialize;

/// A checked telephone number, in E.164.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

/// Longest input considered (a number with spaces, brackets and an extension fits).
const MAX_INPUT: usize = 40;

impl PhoneNumber {
    /// Reads `input`; `home` is the ISO 3166-1 code of the country a number without a country
    /// code is read in (the mission's).
    pub fn parse(input: &str, home: Option<&str>) -> Result<Self, ValidationError> {
        let folded = crate::normalize::fold_identifier(input).ok_or(ValidationError::TooLong)?;
        if folded.is_empty() {
            return Err(ValidationError::Required);
        }
        if folded.chars().count() > MAX_INPUT {
            return Err(ValidationError::TooLong);
        }
        let written = match folded.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => folded,
        };
        let region = if written.starts_with('+') {
            None
        } else if crate::contact::CnMobile::parse(&written).is_ok() {
            Some(phonenumber::country::Id::CN)
        } else {
            Some(home.and_then(|code| code.parse().ok()).ok_or(ValidationError::PhoneFormat)?)
        };
        let number = phonenumber::parse(region, &written).map_err(|_| ValidationError::PhoneFormat)?;
        if !number.is_valid() {
            return Err(ValidationError::PhoneFormat);
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    /// A mobile number (one a text message can reach), by the same rules.
    pub fn parse_mobile(input: &str, home: Option<&str>) -> Result<Self, ValidationError> {
        let number = Self::parse(input, home)?;
        if number.is_mobile() { Ok(number) } else { Err(ValidationError::NotAMobile) }
    }

    /// `+3224000000`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// `+32 2 400 00 00`.
    pub fn international(&self) -> String {
        display(&self.0)
    }

    /// `+3247*****56`: what logs and staff screens may show.
    pub fn masked(&self) -> String {
        let keep_end = 2;
        let keep_start = 5.min(self.0.len().saturating_sub(keep_end));
        let hidden = self.0.len() - keep_start - keep_end;
        format!("{}{}{}", &self.0[..keep_start], "*".repeat(hidden), &self.0[self.0.len() - keep_end..])
    }

    fn is_mobile(&self) -> bool {
        phonenumber::parse(None, &self.0).is_ok_and(|number| {
            matches!(number.number_type(&phonenumber::metadata::DATABASE), Type::Mobile | Type::FixedLineOrMobile)
        })
    }
}

/// A stored number in international form for reading; text that is not a number (kept from
/// before numbers were checked) is shown as it is.
pub fn display(stored: &str) -> String {
    match phonenumber::parse(None, stored) {
        Ok(number) if stored.starts_with('+') => number.format().mode(Mode::International).to_string(),
        _ => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_across_countries_are_read_and_formatted() {
        for (input, home, e164, shown) in [
            ("+32 2 663 30 01", None, "+3226633001", "+32 2 663 30 01"),
            ("0032 470 12 34 56", None, "+32470123456", "+32 470 12 34 56"),
            ("0470/12.34.56", Some("BE"), "+32470123456", "+32 470 12 34 56"),
            ("138 0013 8000", Some("BE"), "+8613800138000", "+86 138 0013 8000"),
            ("+86 10 6512 0000", None, "+861065120000", "+86 10 6512 0000"),
            ("06 12 34 56 78", Some("FR"), "+33612345678", "+33 6 12 34 56 78"),
            ("+31 6 12345678", None, "+31612345678", "+31 6 12345678"),
            ("+44 20 7946 0018", None, "+442079460018", "+44 20 7946 0018"),
            ("(212) 555-0100", Some("US"), "+12125550100", "+1 212-555-0100"),
            ("＋３２　４７０　１２　３４　５６", None, "+32470123456", "+32 470 12 34 56"),
        ] {
            let number = PhoneNumber::parse(input, home).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(number.e164(), e164, "{input}");
            assert_eq!(number.international(), shown, "{input}");
        }
    }

    #[test]
    fn what_is_not_a_number_says_so() {
        assert_eq!(PhoneNumber::parse("", Some("BE")), Err(ValidationError::Required));
        assert_eq!(PhoneNumber::parse("+32 12", None), Err(ValidationError::PhoneFormat));
        assert_eq!(PhoneNumber::parse("call me", Some("BE")), Err(ValidationError::PhoneFormat));
        assert_eq!(PhoneNumber::parse("+999 123 456 789", None), Err(ValidationError::PhoneFormat));
        assert_eq!(
            PhoneNumber::parse("0470 12 34 56", None),
            Err(ValidationError::PhoneFormat),
            "no country to read it in"
        );
        assert_eq!(PhoneNumber::parse(&"1".repeat(41), None), Err(ValidationError::TooLong));
    }

    #[test]
    fn only_mobiles_take_text_messages() {
        assert!(PhoneNumber::parse_mobile("+32 470 12 34 56", None).is_ok());
        assert!(PhoneNumber::parse_mobile("13800138000", None).is_ok());
        assert_eq!(PhoneNumber::parse_mobile("+32 2 663 30 01", None), Err(ValidationError::NotAMobile));
    }

    #[test]
    fn masking_keeps_the_country_and_the_last_two_digits() {
        let number = PhoneNumber::parse("+32 470 12 34 56", None).expect("valid");
        assert_eq!(number.masked(), "+3247*****56");
    }

    #[test]
    fn text_kept_from_before_is_shown_as_it_is() {
        assert_eq!(display("+3226633001"), "+32 2 663 30 01");
        assert_eq!(display("0470 12 34 56"), "0470 12 34 56");
    }

    proptest! {
        #[test]
        fn any_input_is_a_number_or_an_error_and_never_a_panic(input in "\\PC{0,50}|[+0]{0,2}[0-9 ()./xX#*;=-]{0,40}") {
            if let Ok(number) = PhoneNumber::parse(&input, Some("BE")) {
                prop_assert!(number.e164().starts_with('+'));
                prop_assert_eq!(PhoneNumber::parse(number.e164(), None), Ok(number.clone()), "E.164 reads back");
            }
        }
    }
}
