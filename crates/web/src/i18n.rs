//! Message catalogs (Simplified Chinese and English) and locale negotiation. Every string
//! a page or an error shows comes from `locales/*.txt`, one `key = text` per line.

use std::collections::BTreeMap;

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Zh, Locale::En];

    /// BCP 47 tag, used in `<html lang>` and stored on accounts.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Accepts `zh`, `zh-CN`, `zh-Hans…`, `en`, `en-GB`…
    pub fn from_tag(tag: &str) -> Option<Self> {
        let lower = tag.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Locale::Zh)
        } else if lower.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        header.split(',').filter_map(|part| Self::from_tag(part.split(';').next().unwrap_or(""))).next()
    }
}

/// One catalog per locale.
pub struct Catalogs {
    zh: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

impl Catalogs {
    pub fn load() -> Self {
        Self { zh: parse(include_str!("../locales/zh-CN.txt")), en: parse(include_str!("../locales/en.txt")) }
    }

    pub fn all(&self, locale: Locale) -> &BTreeMap<String, String> {
        match locale {
            Locale::Zh => &self.zh,
            Locale::En => &self.en,
        }
    }

    /// The text for `key`; the key itself when missing (a test keeps that from happening).
    pub fn text<'a>(&'a self, locale: Locale, key: &'a str) -> &'a str {
        self.all(locale).get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for an error code (`err_<code>` in the catalog).
    pub fn error(&self, locale: Locale, code: &str) -> String {
        self.text(locale, &format!("err_{code}")).to_owned()
    }

    /// The message for a field's error, led by the field's name when the field names
    /// something the applicant must recognise (`label_<field>`, e.g. a material of the
    /// guide: "证件遗失原因及经过说明：请上传此项材料。").
    pub fn field_error(&self, locale: Locale, field: &str, code: &str) -> String {
        let message = self.error(locale, code);
        match self.all(locale).get(&format!("label_{field}")) {
            Some(label) => format!("{label}{}{message}", self.text(locale, "label_separator")),
            None => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let catalogs = Catalogs::load();
        let zh: Vec<_> = catalogs.zh.keys().collect();
        let en: Vec<_> = catalogs.en.keys().collect();
        assert_eq!(zh, en);
        assert!(zh.len() > 50);
    }

    #[test]
    fn every_domain_error_has_a_message_in_both_languages() {
        let catalogs = Catalogs::load();
        for error in lingshi_domain::ValidationError::ALL {
            for locale in Locale::ALL {
                let key = format!("err_{}", error.code());
                assert!(catalogs.all(locale).contains_key(&key), "{key} missing in {}", locale.tag());
            }
        }
    }

    /// The string literal right after each `marker` in `source`.
    fn literals_after<'a>(source: &'a str, marker: &str) -> Vec<&'a str> {
        source
            .match_indices(marker)
            .filter_map(|(at, _)| {
                let rest = &source[at + marker.len()..];
                let start = rest.find('"')?;
                let text = &rest[start + 1..];
                // Only a literal that follows at once (a variable is checked where it is made).
                rest[..start].trim_matches(|c: char| c.is_whitespace() || c == ',').is_empty().then_some(())?;
                text.find('"').map(|end| &text[..end])
            })
            .collect()
    }

    fn sources(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }

    /// A typo in an error code would reach the applicant as a raw code: every code the web
    /// layer writes as a literal (`Conflict("…")`, `FieldErrors::single(field, "…")`,
    /// `code: "…"`, a rate limit's `refusal`) has its message in both languages.
    #[test]
    fn every_error_code_written_in_the_web_layer_has_a_message() {
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let catalogs = Catalogs::load();
        let mut checked = 0;
        for source in &files {
            let mut codes: Vec<&str> = ["Conflict(", "Forbidden(", "BadRequest(", "TooMany(", "code: ", "refusal: "]
                .iter()
                .flat_map(|marker| literals_after(source, marker))
                .collect();
            for call in source.split("FieldErrors::single(").skip(1) {
                let call = &call[..call.find(')').unwrap_or(call.len())];
                let literals: Vec<&str> = call.split('"').skip(1).step_by(2).take(2).collect();
                if let [_, code] = literals[..] {
                    codes.push(code);
                }
            }
            for code in codes.into_iter().filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')) {
                for locale in Locale::ALL {
                    assert!(
                        catalogs.all(locale).contains_key(&format!("err_{code}")),
                        "err_{code} missing in {}",
                        locale.tag()
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 50, "the scan found the codes ({checked})");
    }

    #[test]
    fn locales_are_negotiated_from_headers() {
        assert_eq!(Locale::from_accept_language("fr-BE,en;q=0.8,zh;q=0.5"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("zh-TW"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("nl"), None);
    }
}
