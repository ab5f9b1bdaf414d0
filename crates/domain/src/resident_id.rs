//! The mainland resident identity card number (GB 11643-1999).

use crate::error::ValidationError;
use crate::normalize::{all_digits, fold_identifier};
use chrono::NaiveDate;
use std::fmt;

/// An 18-character resident ID: 6-digit region, YYYYMMDD birth date, 3-digit sequence
/// (odd for men) and an ISO 7064 MOD 11-2 check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

/// Sex as encoded in the sequence digit of a resident ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS: &[u8; 11] = b"10X98765432";
/// Province-level codes in use (the first two digits), including 71/81/82 (Taiwan, Hong
/// Kong, Macau) and 83, used on residence permits for Taiwan residents.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82, 83,
];
const EARLIEST_BIRTH_YEAR: i32 = 1890;

impl ResidentId {
    /// Parses and checks a resident ID number as of `today` (the birth date must be a real
    /// date no later than today). Lower-case `x`, spaces and full-width digits are accepted.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, ValidationError> {
        let id = fold_identifier(input).ok_or(ValidationError::TooLong)?;
        if id.is_empty() {
            return Err(ValidationError::Required);
        }
        if id.chars().count() != 18 {
            return Err(ValidationError::ResidentIdLength);
        }
        if !id.is_ascii() {
            return Err(ValidationError::ResidentIdCharset);
        }
        let (body, check) = id.split_at(17);
        if !all_digits(body) || !(all_digits(check) || check == "X") {
            return Err(ValidationError::ResidentIdCharset);
        }
        let province: u8 = body[..2].parse().map_err(|_| ValidationError::ResidentIdRegion)?;
        if !PROVINCES.contains(&province) {
            return Err(ValidationError::ResidentIdRegion);
        }
        let birth =
            NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").map_err(|_| ValidationError::ResidentIdBirthDate)?;
        if birth > today || birth < NaiveDate::from_ymd_opt(EARLIEST_BIRTH_YEAR, 1, 1).unwrap_or(birth) {
            return Err(ValidationError::ResidentIdBirthDate);
        }
        if check.as_bytes()[0] != check_character(body) {
            return Err(ValidationError::ResidentIdChecksum);
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in positions 7–14 (validated at parse time).
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or_default()
    }

    /// Sex from the 17th digit: odd is male.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// `110105********002X`: region and last four only.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// The MOD 11-2 check character of the first 17 digits.
pub fn check_character(body: &str) -> u8 {
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn the_standard_example_is_valid_with_its_facts() {
        let id = ResidentId::parse("11010519491231002x", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap_or_default());
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn each_rule_has_its_own_error() {
        let cases = [
            ("", ValidationError::Required),
            ("11010519491231002", ValidationError::ResidentIdLength),
            ("1101051949123100ZX", ValidationError::ResidentIdCharset),
            ("99010519491231002X", ValidationError::ResidentIdRegion),
            ("11010519490231002X", ValidationError::ResidentIdBirthDate),
            ("11010520991231002X", ValidationError::ResidentIdBirthDate),
            ("110105194912310021", ValidationError::ResidentIdChecksum),
        ];
        for (input, expected) in cases {
            assert_eq!(ResidentId::parse(input, today()), Err(expected), "{input}");
        }
    }

    #[test]
    fn the_debug_form_hides_the_number() {
        let id = ResidentId::parse("11010519491231002X", today()).expect("valid");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(input in "\\PC{0,80}") {
            let _ = ResidentId::parse(&input, today());
        }

        #[test]
        fn any_body_with_its_computed_check_character_is_accepted(
            seq in 0u32..1000, day in 1u32..=28, month in 1u32..=12, year in 1900i32..2026,
        ) {
            let body = format!("440305{year:04}{month:02}{day:02}{seq:03}");
            let id = format!("{body}{}", check_character(&body) as char);
            let parsed = ResidentId::parse(&id, today());
            prop_assert!(parsed.is_ok());
            let wrong = if id.ends_with('0') { format!("{body}1") } else { format!("{body}0") };
            prop_assert_eq!(ResidentId::parse(&wrong, today()), Err(ValidationError::ResidentIdChecksum));
        }
    }
}
