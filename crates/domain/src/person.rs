//! A person's real name as written on their identity document.

use crate::error::ValidationError;
use std::fmt;

/// Longest name accepted (in characters); long enough for transcribed minority names.
pub const MAX_NAME_CHARS: usize = 64;

/// A real name: Chinese characters, the middle dot of minority names (·), or Latin letters
/// with single spaces, apostrophes and hyphens for names written in foreign scripts.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(ValidationError::Required);
        }
        if collapsed.chars().count() > MAX_NAME_CHARS {
            return Err(ValidationError::TooLong);
        }
        if collapsed.chars().all(is_name_char) {
            Ok(Self(collapsed.replace(['•', '・'], "·")))
        } else {
            Err(ValidationError::NameCharset)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first character and a star per remaining one: `张*`.
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().unwrap_or('*');
        format!("{first}{}", "*".repeat(chars.count()))
    }
}

fn is_name_char(c: char) -> bool {
    is_han(c) || c.is_alphabetic() || matches!(c, ' ' | '·' | '•' | '・' | '\'' | '-')
}

/// CJK Unified Ideographs and extension A, plus the compatibility block.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2EBEF}')
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chinese_minority_and_foreign_names_are_accepted() {
        for name in ["张三", "买买提·艾力", "Marie-Claire D'Souza", "  李   四 "] {
            assert!(PersonName::parse(name).is_ok(), "{name}");
        }
        assert_eq!(PersonName::parse("  李   四 ").map(|n| n.0), Ok("李 四".into()));
    }

    #[test]
    fn symbols_digits_and_markup_are_refused() {
        for bad in ["张三1", "<script>", "a@b", "张三;DROP"] {
            assert_eq!(PersonName::parse(bad), Err(ValidationError::NameCharset), "{bad}");
        }
        assert_eq!(PersonName::parse(""), Err(ValidationError::Required));
        assert_eq!(PersonName::parse(&"张".repeat(65)), Err(ValidationError::TooLong));
    }

    #[test]
    fn debug_output_is_masked() {
        let name = PersonName::parse("张三丰").expect("valid");
        assert_eq!(format!("{name:?}"), "PersonName(张**)");
    }

    proptest! {
        #[test]
        fn parsing_never_panics(input in "\\PC{0,200}") {
            let _ = PersonName::parse(&input);
        }
    }
}
