//! A place known by a code and named in the interface's five languages: the countries an applicant
//! lives in or is in ([`crate::country`]) and China's provinces that pay pensions
//! ([`crate::region`]). Pages show the name, never the bare code.

use crate::locale::Locale;

/// A place's code and its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceName {
    pub code: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
    /// Traditional Chinese.
    pub zh_hant: &'static str,
    pub en: &'static str,
    pub fr: &'static str,
    pub nl: &'static str,
}

impl PlaceName {
    /// The name in `locale`, a BCP 47 tag (English for a language the table lacks).
    pub fn name(&self, locale: &str) -> &'static str {
        match Locale::from_tag(locale).unwrap_or(Locale::En) {
            Locale::Zh => self.zh,
            Locale::ZhHant => self.zh_hant,
            Locale::En => self.en,
            Locale::Fr => self.fr,
            Locale::Nl => self.nl,
        }
    }
}

/// The place of `table` with `code` (any case, surrounding spaces ignored).
pub fn find(table: &'static [PlaceName], code: &str) -> Option<&'static PlaceName> {
    table.iter().find(|place| place.code.eq_ignore_ascii_case(code.trim()))
}

/// The name of `code` in `locale`, or the code itself when `table` does not have it.
pub fn name_of(table: &'static [PlaceName], code: &str, locale: &str) -> String {
    find(table, code).map_or_else(|| code.to_owned(), |place| place.name(locale).to_owned())
}

/// A table of places, written as `(code, 简体名, 繁體名, English, français, Nederlands)` rows.
macro_rules! place_names {
    ($(($code:literal, $zh:literal, $zh_hant:literal, $en:literal, $fr:literal, $nl:literal)),* $(,)?) => {
        &[$($crate::place_name::PlaceName { code: $code, zh: $zh, zh_hant: $zh_hant, en: $en, fr: $fr, nl: $nl }),*]
    };
}
pub(crate) use place_names;
