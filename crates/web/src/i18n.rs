//! Message catalogs (Simplified and Traditional Chinese, English, French and Dutch) and
//! locale negotiation. Every string a page, a message or an error shows comes from
//! `locales/*.txt`, one `key = text` per line, `{name}` marking a value filled in.

use std::collections::BTreeMap;

pub use lingshi_domain::locale::Locale;

/// One catalog per locale, in [`Locale::ALL`]'s order.
pub struct Catalogs {
    by_locale: [BTreeMap<String, String>; 5],
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
        Self {
            by_locale: [
                parse(include_str!("../locales/zh-CN.txt")),
                parse(include_str!("../locales/zh-Hant.txt")),
                parse(include_str!("../locales/en.txt")),
                parse(include_str!("../locales/fr.txt")),
                parse(include_str!("../locales/nl.txt")),
            ],
        }
    }

    pub fn all(&self, locale: Locale) -> &BTreeMap<String, String> {
        &self.by_locale[locale as usize]
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

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> =
            text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_catalog_has_every_key_with_the_same_placeholders() {
        let catalogs = Catalogs::load();
        let reference = catalogs.all(Locale::Zh);
        assert!(reference.len() > 800, "the catalogs were read ({})", reference.len());
        for locale in Locale::ALL {
            let catalog = catalogs.all(locale);
            let missing: Vec<_> = reference.keys().filter(|k| !catalog.contains_key(*k)).collect();
            let extra: Vec<_> = catalog.keys().filter(|k| !reference.contains_key(*k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", locale.tag());
            for (key, text) in reference {
                assert_eq!(placeholders(&catalog[key]), placeholders(text), "{key} in {}", locale.tag());
                assert!(!catalog[key].is_empty() || key == "label_separator", "{key} is empty in {}", locale.tag());
            }
        }
    }

    /// A catalog is a translation, not a copy: most of its texts differ from the English.
    #[test]
    fn the_translations_are_translated() {
        let catalogs = Catalogs::load();
        let english = catalogs.all(Locale::En);
        for locale in [Locale::ZhHant, Locale::Fr, Locale::Nl] {
            let catalog = catalogs.all(locale);
            let same = english.iter().filter(|(key, text)| catalog[*key] == **text).count();
            assert!(
                same * 10 < english.len(),
                "{}: {same} of {} texts are the English ones",
                locale.tag(),
                english.len()
            );
        }
        let simplified = catalogs.all(Locale::Zh);
        let traditional = catalogs.all(Locale::ZhHant);
        assert_eq!(traditional["service_passport"], "護照旅行證");
        let same = simplified.iter().filter(|(key, text)| traditional[*key] == **text).count();
        assert!(same * 3 < simplified.len(), "{same} Traditional texts equal the Simplified ones");
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
            let mut codes: Vec<&str> =
                ["Conflict(", "Forbidden(", "BadRequest(", "TooMany(", "Unavailable(", "code: ", "refusal: "]
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
}
