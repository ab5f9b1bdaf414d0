//! A place known by a code and named in Chinese and English: the countries an applicant
//! lives in or is in ([`crate::country`]) and China's provinces that pay pensions
//! ([`crate::region`]). Pages show the name, never the bare code.

/// A place's code and its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceName {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl PlaceName {
    /// The name in `locale` (Chinese for any `zh…` tag, English otherwise).
    pub fn name(&self, locale: &str) -> &'static str {
        if locale.starts_with("zh") { self.zh } else { self.en }
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

/// A table of places, written as `(code, 中文名, English name)` rows.
macro_rules! place_names {
    ($(($code:literal, $zh:literal, $en:literal)),* $(,)?) => {
        &[$($crate::place_name::PlaceName { code: $code, zh: $zh, en: $en }),*]
    };
}
pub(crate) use place_names;
