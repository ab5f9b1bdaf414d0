//! Input normalisation shared by every identifier parser.
//!
//! Phones in China type identifiers through input methods that often produce full-width
//! characters (`１２３`, `Ｅ`) and stray spaces; an officer copying from a scan adds hyphens.
//! We fold those to plain ASCII once, here, so each parser only checks the real rule.

/// Longest raw input any identifier parser looks at; longer input is refused before work.
pub const MAX_IDENTIFIER_INPUT: usize = 64;

/// Folds full-width ASCII variants to ASCII, drops spaces, hyphens and ideographic spaces,
/// and upper-cases letters. Returns `None` when the input is longer than
/// [`MAX_IDENTIFIER_INPUT`] characters, so that hostile input costs nothing.
pub fn fold_identifier(input: &str) -> Option<String> {
    if input.chars().count() > MAX_IDENTIFIER_INPUT {
        return None;
    }
    Some(
        input
            .chars()
            .map(fold_full_width)
            .filter(|c| !matches!(c, ' ' | '-' | '\t'))
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

/// Maps U+FF01..U+FF5E to U+0021..U+007E and the ideographic space to a space.
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// True when every character is an ASCII digit (and there is at least one).
pub fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_letters_become_ascii() {
        assert_eq!(fold_identifier("Ｅ１２３４ ５６７８").as_deref(), Some("E12345678"));
    }

    #[test]
    fn separators_are_dropped_and_letters_upper_cased() {
        assert_eq!(fold_identifier(" 1101-0519 49x ").as_deref(), Some("1101051949X"));
    }

    #[test]
    fn overlong_input_is_refused() {
        assert_eq!(fold_identifier(&"1".repeat(65)), None);
    }
}
