//! Missions (使领馆) and what an applicant needs to know about each: where it is, when it
//! is open, whom it serves (its consular district), what it charges, how it takes
//! materials and hands documents back.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};

/// Text in Simplified Chinese and English, and where the mission gave them, in Traditional
/// Chinese, French and Dutch; the web layer picks one by the reader's locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub zh: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_hant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nl: Option<String>,
}

impl Localized {
    pub fn new(zh: &str, en: &str) -> Self {
        Self { zh: zh.to_owned(), en: en.to_owned(), zh_hant: None, fr: None, nl: None }
    }

    /// The same text with its Traditional Chinese, French and Dutch forms.
    pub fn with_translations(self, zh_hant: &str, fr: &str, nl: &str) -> Self {
        Self { zh_hant: Some(zh_hant.to_owned()), fr: Some(fr.to_owned()), nl: Some(nl.to_owned()), ..self }
    }

    /// The text in `locale` (a BCP 47 tag); where it was not given, the Simplified Chinese
    /// for Traditional Chinese readers and the English for everyone else.
    pub fn get(&self, locale: &str) -> &str {
        match Locale::from_tag(locale).unwrap_or(Locale::En) {
            Locale::Zh => &self.zh,
            Locale::ZhHant => self.zh_hant.as_deref().unwrap_or(&self.zh),
            Locale::En => &self.en,
            Locale::Fr => self.fr.as_deref().unwrap_or(&self.en),
            Locale::Nl => self.nl.as_deref().unwrap_or(&self.en),
        }
    }
}

/// The first level of the mission picker (欧洲, 亚洲…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Continent {
    Europe,
    Asia,
    Africa,
    NorthAmerica,
    SouthAmerica,
    Oceania,
}

impl Continent {
    pub const ALL: [Continent; 6] = [
        Continent::Europe,
        Continent::Asia,
        Continent::Africa,
        Continent::NorthAmerica,
        Continent::SouthAmerica,
        Continent::Oceania,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Continent::Europe => "europe",
            Continent::Asia => "asia",
            Continent::Africa => "africa",
            Continent::NorthAmerica => "north_america",
            Continent::SouthAmerica => "south_america",
            Continent::Oceania => "oceania",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// How a mission accepts application materials that are not uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionMethod {
    ByPost,
    InPerson,
}

impl SubmissionMethod {
    pub fn code(self) -> &'static str {
        match self {
            SubmissionMethod::ByPost => "by_post",
            SubmissionMethod::InPerson => "in_person",
        }
    }
}

/// How the finished document reaches the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PickupMethod {
    AtMission,
    ByPost,
}

impl PickupMethod {
    pub fn code(self) -> &'static str {
        match self {
            PickupMethod::AtMission => "at_mission",
            PickupMethod::ByPost => "by_post",
        }
    }
}

/// Opening hours on one weekday (1 = Monday … 7 = Sunday), `opens` inclusive, `closes`
/// exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningSlot {
    pub weekday: u32,
    pub opens: chrono::NaiveTime,
    pub closes: chrono::NaiveTime,
}

/// An amount in integer minor units (cents) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    /// `16.00 EUR`: the amount as Chinese and English pages (and the command line) write it.
    pub fn display(&self) -> String {
        self.display_in("en")
    }

    /// The amount as a reader of `locale` (a BCP 47 tag) writes it: `1 600,00 €` in French,
    /// `€ 1.600,00` in Dutch, `1600.00 EUR` in Chinese and English.
    pub fn display_in(&self, locale: &str) -> String {
        let sign = if self.minor < 0 { "-" } else { "" };
        let (units, cents) = (self.minor.unsigned_abs() / 100, self.minor.unsigned_abs() % 100);
        let symbol = if self.currency == "EUR" { "€" } else { self.currency.as_str() };
        let language = locale.split('-').next().unwrap_or(locale);
        match language {
            // Grouped by a narrow no-break space, the symbol after a no-break space.
            "fr" => format!("{sign}{},{cents:02}\u{a0}{symbol}", grouped(units, '\u{202f}')),
            "nl" => format!("{symbol}\u{a0}{sign}{},{cents:02}", grouped(units, '.')),
            _ => format!("{sign}{units}.{cents:02} {}", self.currency),
        }
    }
}

/// `units` with `separator` between each group of three digits.
fn grouped(units: u64, separator: char) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// One line of a mission's fee table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// The line's key: a [`FeeItem`](crate::fees::FeeItem) code.
    pub service: String,
    pub label: Localized,
    pub amount: Money,
}

/// Everything the directory says about one mission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mission {
    /// Stable slug, e.g. `be-embassy`.
    pub id: String,
    pub continent: Continent,
    /// ISO 3166-1 alpha-2 code of the host country.
    pub country_code: String,
    pub country: Localized,
    pub name: Localized,
    pub address: String,
    /// How to find the entrance, where the mission says so.
    #[serde(default)]
    pub address_note: Option<Localized>,
    pub office_hours: Localized,
    pub phone: Option<String>,
    pub phone_hours: Option<Localized>,
    pub email: Option<String>,
    /// IANA time zone of the mission, for "open now" and appointment slots.
    pub time_zone: String,
    pub currency: String,
    /// Countries (ISO alpha-2) whose residents this mission serves (FAQ 3).
    pub district: Vec<String>,
    pub submission_methods: Vec<SubmissionMethod>,
    pub pickup_methods: Vec<PickupMethod>,
    pub fees: Vec<Fee>,
    /// When the consular section receives the public, in its time zone; empty when unknown.
    #[serde(default)]
    pub opening_hours: Vec<OpeningSlot>,
    /// Days it is closed although the hours say open.
    #[serde(default)]
    pub holidays: Vec<chrono::NaiveDate>,
    /// How many days a closed order's materials (photo, documents, signature) are kept
    /// before the retention job deletes them: the mission's records schedule.
    #[serde(default = "Mission::default_material_retention_days")]
    pub material_retention_days: u32,
    /// The processing time the mission publishes per service (service code → working days
    /// from submission to ready): shown, and used for predicted completion dates until the
    /// mission has enough history of its own. Empty when it publishes none.
    #[serde(default)]
    pub standard_processing_days: std::collections::BTreeMap<String, u32>,
}

impl Mission {
    /// Five years, where a mission's profile names no period of its own.
    pub const DEFAULT_MATERIAL_RETENTION_DAYS: u32 = 1826;

    fn default_material_retention_days() -> u32 {
        Self::DEFAULT_MATERIAL_RETENTION_DAYS
    }

    /// Whether the mission is open at `local` (its own time zone's wall clock): `None` when
    /// it has not published its hours.
    pub fn is_open_at(&self, local: chrono::NaiveDateTime) -> Option<bool> {
        use chrono::Datelike;
        if self.opening_hours.is_empty() {
            return None;
        }
        if self.holidays.contains(&local.date()) {
            return Some(false);
        }
        let weekday = local.weekday().number_from_monday();
        let time = local.time();
        Some(self.opening_hours.iter().any(|slot| slot.weekday == weekday && slot.opens <= time && time < slot.closes))
    }

    /// Whether someone residing in `country_code` belongs to this mission's district.
    pub fn serves(&self, country_code: &str) -> bool {
        self.district.iter().any(|c| c.eq_ignore_ascii_case(country_code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continent_codes_round_trip() {
        for c in Continent::ALL {
            assert_eq!(Continent::from_code(c.code()), Some(c));
        }
        assert_eq!(Continent::from_code("atlantis"), None);
    }

    #[test]
    fn money_displays_minor_units() {
        assert_eq!(Money { minor: 1600, currency: "EUR".into() }.display(), "16.00 EUR");
        assert_eq!(Money { minor: 305, currency: "EUR".into() }.display(), "3.05 EUR");
        assert_eq!(Money { minor: -50, currency: "EUR".into() }.display(), "-0.50 EUR", "a refund keeps its sign");
        let sixteen = Money { minor: 1600, currency: "EUR".into() };
        assert_eq!(sixteen.display_in("fr"), "16,00\u{a0}€");
        assert_eq!(sixteen.display_in("nl"), "€\u{a0}16,00");
        assert_eq!(sixteen.display_in("zh-Hant"), "16.00 EUR");
        let large = Money { minor: 123_456_789, currency: "CHF".into() };
        assert_eq!(large.display_in("fr-BE"), "1\u{202f}234\u{202f}567,89\u{a0}CHF");
        assert_eq!(large.display_in("nl"), "CHF\u{a0}1.234.567,89");
    }

    #[test]
    fn localized_text_follows_the_locale() {
        let text = Localized::new("比利时", "Belgium");
        assert_eq!(text.get("zh-CN"), "比利时");
        assert_eq!(text.get("en"), "Belgium");
        assert_eq!(text.get("fr"), "Belgium", "English where no French was given");
        assert_eq!(text.get("zh-Hant"), "比利时", "Simplified where no Traditional was given");
        let text = text.with_translations("比利時", "Belgique", "België");
        assert_eq!((text.get("zh-TW"), text.get("fr-BE"), text.get("nl")), ("比利時", "Belgique", "België"));
    }
}

/// A mission serving Belgium, for tests of rules that take a mission.
#[cfg(test)]
pub(crate) fn belgian_test_mission() -> Mission {
    Mission {
        id: "m".into(),
        continent: Continent::Europe,
        country_code: "BE".into(),
        country: Localized::new("比利时", "Belgium"),
        name: Localized::new("使馆", "Embassy"),
        address: String::new(),
        address_note: None,
        office_hours: Localized::new("", ""),
        phone: None,
        phone_hours: None,
        email: None,
        time_zone: "Europe/Brussels".into(),
        currency: "EUR".into(),
        district: vec!["BE".into()],
        submission_methods: vec![],
        pickup_methods: vec![],
        fees: vec![],
        opening_hours: vec![],
        holidays: vec![],
        material_retention_days: Mission::DEFAULT_MATERIAL_RETENTION_DAYS,
        standard_processing_days: Default::default(),
    }
}

#[cfg(test)]
mod opening_tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    fn mission(hours: Vec<OpeningSlot>, holidays: Vec<NaiveDate>) -> Mission {
        Mission { opening_hours: hours, holidays, ..belgian_test_mission() }
    }

    fn at(day: u32, hour: u32, minute: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, day).and_then(|d| d.and_hms_opt(hour, minute, 0)).expect("time")
    }

    #[test]
    fn open_within_the_hours_closed_outside_and_on_holidays() {
        let morning = |weekday| OpeningSlot {
            weekday,
            opens: NaiveTime::from_hms_opt(9, 0, 0).expect("t"),
            closes: NaiveTime::from_hms_opt(12, 0, 0).expect("t"),
        };
        let holiday = NaiveDate::from_ymd_opt(2026, 11, 11).expect("d");
        let m = mission((1..=4).map(morning).collect(), vec![holiday]);
        assert_eq!(m.is_open_at(at(23, 9, 0)), Some(true), "a Monday at nine");
        assert_eq!(m.is_open_at(at(23, 12, 0)), Some(false), "closing time is exclusive");
        assert_eq!(m.is_open_at(at(27, 10, 0)), Some(false), "Friday");
        assert_eq!(m.is_open_at(at(11, 10, 0)), Some(false), "a holiday Wednesday");
        assert_eq!(mission(vec![], vec![]).is_open_at(at(23, 10, 0)), None, "hours not published");
    }
}
