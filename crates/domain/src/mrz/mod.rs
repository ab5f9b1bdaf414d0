//! The machine-readable zone of a passport's data page (ICAO Doc 9303 part 4, format TD3: two
//! lines of 44 characters from `A`–`Z`, `0`–`9` and the filler `<`).
//!
//! [`Td3::parse`] reads two exact lines and checks every check digit (document number, birth
//! date, expiry, personal number, composite); [`Td3::read`] finds the zone in what an OCR
//! engine returned, repairing the confusions OCR makes where the layout says a digit stands
//! ([`reading`]); [`cross_check`] compares a read zone with the details the applicant typed.
//! Nothing here blocks an application: a zone that cannot be read, or that differs from the
//! form, is advice for the applicant and a flag for the reviewer.

mod check_digit;
pub mod cross_check;
mod reading;

pub use check_digit::check_digit;
pub use cross_check::{Mismatch, MismatchField, cross_check};

/// Characters per line of a TD3 zone.
pub const LINE_LENGTH: usize = 44;

/// ICAO Doc 9303's own specimen zone (part 4, appendix A): a known-good pair of lines for
/// tests and benchmarks.
pub const ICAO_SPECIMEN: [&str; 2] =
    ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];

/// Why two lines are not a valid TD3 zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzProblem {
    /// No two lines of the zone's shape were found.
    NotFound,
    /// A character outside `A`–`Z`, `0`–`9`, `<`, or a line of another length.
    Malformed,
    /// The first line is not a passport's (`P` and a type character).
    NotAPassport,
    /// A check digit does not match its field: the zone was misread or is not genuine.
    CheckDigit(CheckedField),
}

/// The fields a check digit protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckedField {
    DocumentNumber,
    BirthDate,
    Expiry,
    PersonalNumber,
    Composite,
}

/// The sex printed in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MrzSex {
    Male,
    Female,
    Unspecified,
}

/// A TD3 zone whose check digits all hold. Dates stay `YYMMDD` as printed: the century is
/// the reader's inference, and the comparison with a form needs none.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Td3 {
    pub document_code: String,
    pub issuing_state: String,
    /// The primary identifier, fillers as spaces (`ZHANG`).
    pub surname: String,
    /// The secondary identifier, fillers as spaces (`XIAO MING`).
    pub given_names: String,
    /// Without trailing fillers.
    pub document_number: String,
    pub nationality: String,
    pub birth_date: String,
    pub sex: MrzSex,
    pub expiry: String,
    pub personal_number: String,
}

impl std::fmt::Debug for Td3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A passport's zone is personal data: never printed, not even in a panic.
        f.debug_struct("Td3").field("document_code", &self.document_code).finish_non_exhaustive()
    }
}

fn is_zone_character(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'<'
}

/// A field's text with its fillers: trailing ones dropped, inner ones as spaces.
fn unfill(field: &str) -> String {
    field.trim_end_matches('<').replace('<', " ")
}

/// Whether `field`'s check digit `check` holds. An empty optional field (all fillers) may
/// carry `<` or `0` as its check digit.
fn holds(field: &str, check: u8) -> bool {
    let expected = check_digit(field);
    check == expected || (check == b'<' && field.bytes().all(|b| b == b'<'))
}

/// The zone's letter for `sex`.
fn sex_letter(sex: MrzSex) -> char {
    match sex {
        MrzSex::Male => 'M',
        MrzSex::Female => 'F',
        MrzSex::Unspecified => '<',
    }
}

impl Td3 {
    /// Two exact lines as a zone, every check digit verified.
    pub fn parse(first: &str, second: &str) -> Result<Self, MrzProblem> {
        let (one, two) = (first.as_bytes(), second.as_bytes());
        if one.len() != LINE_LENGTH
            || two.len() != LINE_LENGTH
            || !one.iter().chain(two).copied().all(is_zone_character)
        {
            return Err(MrzProblem::Malformed);
        }
        if one[0] != b'P' {
            return Err(MrzProblem::NotAPassport);
        }
        let checks = [
            (CheckedField::DocumentNumber, &second[0..9], two[9]),
            (CheckedField::BirthDate, &second[13..19], two[19]),
            (CheckedField::Expiry, &second[21..27], two[27]),
            (CheckedField::PersonalNumber, &second[28..42], two[42]),
        ];
        for (field, text, check) in checks {
            if !holds(text, check) {
                return Err(MrzProblem::CheckDigit(field));
            }
        }
        let composite = format!("{}{}{}", &second[0..10], &second[13..20], &second[21..43]);
        if check_digit(&composite) != two[43] {
            return Err(MrzProblem::CheckDigit(CheckedField::Composite));
        }
        let names = &first[5..];
        let (surname, given_names) = names.split_once("<<").unwrap_or((names, ""));
        Ok(Td3 {
            document_code: unfill(&first[0..2]),
            issuing_state: unfill(&first[2..5]),
            surname: unfill(surname),
            given_names: unfill(given_names),
            document_number: unfill(&second[0..9]),
            nationality: unfill(&second[10..13]),
            birth_date: second[13..19].to_owned(),
            sex: match two[20] {
                b'M' => MrzSex::Male,
                b'F' => MrzSex::Female,
                _ => MrzSex::Unspecified,
            },
            expiry: second[21..27].to_owned(),
            personal_number: unfill(&second[28..42]),
        })
    }

    /// The zone's two lines, as a passport prints them: fields filled with `<`, names cut
    /// at the line's end, every check digit computed.
    pub fn lines(&self) -> [String; 2] {
        let fill = |text: &str, width: usize| {
            let mut field: String = text.replace(' ', "<").chars().take(width).collect();
            field.extend(std::iter::repeat_n('<', width - field.chars().count()));
            field
        };
        let names = format!("{}<<{}", self.surname, self.given_names);
        let first = format!("{}{}{}", fill(&self.document_code, 2), fill(&self.issuing_state, 3), fill(&names, 39));
        let number = fill(&self.document_number, 9);
        let personal = fill(&self.personal_number, 14);
        let personal_check = if self.personal_number.is_empty() { b'<' } else { check_digit(&personal) };
        let sex = sex_letter(self.sex);
        let mut second = format!(
            "{number}{}{}{}{}{sex}{}{}{personal}{}",
            char::from(check_digit(&number)),
            fill(&self.nationality, 3),
            self.birth_date,
            char::from(check_digit(&self.birth_date)),
            self.expiry,
            char::from(check_digit(&self.expiry)),
            char::from(personal_check),
        );
        let composite = format!("{}{}{}", &second[0..10], &second[13..20], &second[21..43]);
        second.push(char::from(check_digit(&composite)));
        [first, second]
    }

    /// The zone in an OCR engine's text (see [`reading`]).
    pub fn read(ocr_text: &str) -> Result<Self, MrzProblem> {
        reading::read(ocr_text)
    }
}

#[cfg(test)]
mod tests;
