//! The languages the interface speaks, by their BCP 47 tags, and how a reader's preference
//! (a tag, an `Accept-Language` header) is read: one rule for the catalogs of the web layer
//! and the names the domain's tables keep in every language.

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    Zh,
    /// Traditional Chinese, read by applicants from Hong Kong, Macao and Taiwan.
    ZhHant,
    En,
    Fr,
    Nl,
}

impl Locale {
    pub const ALL: [Locale; 5] = [Locale::Zh, Locale::ZhHant, Locale::En, Locale::Fr, Locale::Nl];

    /// BCP 47 tag, used in `<html lang>` and stored on accounts.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Zh => "zh-CN",
            Locale::ZhHant => "zh-Hant",
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::Nl => "nl",
        }
    }

    /// The language's name in itself, as the language picker lists it.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::Zh => "简体中文",
            Locale::ZhHant => "繁體中文",
            Locale::En => "English",
            Locale::Fr => "Français",
            Locale::Nl => "Nederlands",
        }
    }

    /// Accepts `zh`, `zh-CN`, `zh-Hans…` (Simplified); `zh-Hant…`, `zh-TW`, `zh-HK`, `zh-MO`
    /// (Traditional); `en…`, `fr…` (`fr-BE`…), `nl…` (`nl-BE`…).
    pub fn from_tag(tag: &str) -> Option<Self> {
        let lower = tag.trim().to_ascii_lowercase();
        let mut subtags = lower.split(['-', '_']);
        match subtags.next()? {
            "zh" if subtags.any(|s| matches!(s, "hant" | "tw" | "hk" | "mo")) => Some(Locale::ZhHant),
            "zh" => Some(Locale::Zh),
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            "nl" => Some(Locale::Nl),
            _ => None,
        }
    }

    /// The supported language the reader prefers most by an `Accept-Language` header
    /// (quality values honoured; equal qualities keep the header's order).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut offered: Vec<(u16, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(at, part)| {
                let mut pieces = part.split(';');
                let locale = Self::from_tag(pieces.next().unwrap_or(""))?;
                let quality = pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), |q| {
                    q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
                })?;
                (quality > 0).then_some((quality, at, locale))
            })
            .collect();
        offered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        offered.first().map(|(_, _, locale)| *locale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_negotiated_from_headers() {
        assert_eq!(Locale::from_accept_language("fr-BE,en;q=0.8,zh;q=0.5"), Some(Locale::Fr));
        assert_eq!(Locale::from_accept_language("de-DE,nl-BE;q=0.9,en;q=0.8"), Some(Locale::Nl));
        assert_eq!(Locale::from_accept_language("en;q=0.5,zh-HK;q=0.9"), Some(Locale::ZhHant), "quality wins");
        assert_eq!(Locale::from_accept_language("zh-TW"), Some(Locale::ZhHant));
        assert_eq!(Locale::from_accept_language("zh-Hant-HK"), Some(Locale::ZhHant));
        assert_eq!(Locale::from_accept_language("zh-Hans-CN,zh;q=0.9"), Some(Locale::Zh));
        assert_eq!(Locale::from_accept_language("fr;q=0,en"), Some(Locale::En), "q=0 means not this one");
        assert_eq!(Locale::from_accept_language("de, es;q=bad"), None);
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale), "tags read back");
        }
    }
}
