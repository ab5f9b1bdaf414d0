//! The missions the platform starts with: the Embassy in Belgium exactly as its guide
//! gives it, and other Chinese embassies in Europe at their published addresses. Mission
//! admins correct contacts and fees in the console; seeding never overwrites a mission
//! that already exists.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{NaiveDate, NaiveTime};
use lingshi_domain::fees::FeeItem;
use lingshi_domain::mission::{Continent, Fee, Localized, Mission, Money, OpeningSlot, PickupMethod, SubmissionMethod};

/// Id of the Embassy in Belgium, the reference mission.
pub const BELGIUM: &str = "be-embassy";

fn eur(item: FeeItem, label: Localized, minor: i64) -> Fee {
    Fee { service: item.code().into(), label, amount: Money { minor, currency: "EUR".into() } }
}

/// A text in the five languages: 简体, 繁體, English, français, Nederlands.
fn text(zh: &str, zh_hant: &str, en: &str, fr: &str, nl: &str) -> Localized {
    Localized::new(zh, en).with_translations(zh_hant, fr, nl)
}

/// The fee table used where a mission has not yet published its own: €16 for a passport or
/// travel document (the rate SPEC §6 cites for France and Germany) and €0 for annotations.
fn standard_fees() -> Vec<Fee> {
    vec![
        eur(FeeItem::Passport, text("护照", "護照", "Passport", "Passeport", "Paspoort"), 1600),
        eur(
            FeeItem::TravelDocument,
            text("旅行证", "旅行證", "Travel document", "Document de voyage", "Reisdocument"),
            1600,
        ),
        eur(
            FeeItem::EmergencyTravelDocument,
            text(
                "应急旅行证",
                "應急旅行證",
                "Emergency travel document",
                "Document de voyage d'urgence",
                "Noodreisdocument",
            ),
            1600,
        ),
        eur(FeeItem::Annotation, text("加注", "加註", "Annotation", "Mention", "Vermelding"), 0),
    ]
}

struct Place {
    id: &'static str,
    country_code: &'static str,
    country: (&'static str, &'static str),
    name: (&'static str, &'static str),
    address: &'static str,
    time_zone: &'static str,
}

fn embassy(place: Place) -> Mission {
    Mission {
        id: place.id.into(),
        continent: Continent::Europe,
        country_code: place.country_code.into(),
        country: lingshi_domain::country::find(place.country_code).map_or_else(
            || Localized::new(place.country.0, place.country.1),
            |c| text(c.zh, c.zh_hant, c.en, c.fr, c.nl),
        ),
        name: Localized::new(place.name.0, place.name.1),
        address: place.address.into(),
        address_note: None,
        office_hours: text(
            "请致电使馆确认",
            "請致電使館確認",
            "Please call the mission to confirm",
            "Veuillez appeler la mission pour confirmer",
            "Bel de post om dit te bevestigen",
        ),
        phone: None,
        phone_hours: None,
        email: None,
        time_zone: place.time_zone.into(),
        currency: "EUR".into(),
        district: vec![place.country_code.into()],
        submission_methods: vec![SubmissionMethod::ByPost],
        pickup_methods: vec![PickupMethod::AtMission, PickupMethod::ByPost],
        fees: standard_fees(),
        opening_hours: Vec::new(),
        holidays: Vec::new(),
        material_retention_days: Mission::DEFAULT_MATERIAL_RETENTION_DAYS,
        // The guide publishes no processing time: none is invented here.
        standard_processing_days: Default::default(),
    }
}

/// Monday to Thursday, 9:00 to 12:00.
fn mornings_monday_to_thursday() -> Vec<OpeningSlot> {
    let at = |hour| NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default();
    (1..=4).map(|weekday| OpeningSlot { weekday, opens: at(9), closes: at(12) }).collect()
}

/// Belgian public holidays of 2026 and the Spring Festival, on which the consular section is
/// closed ("节假日除外"); the mission updates the list each year.
fn belgian_holidays_2026() -> Vec<NaiveDate> {
    [(1, 1), (2, 17), (4, 6), (5, 1), (5, 14), (5, 25), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)]
        .into_iter()
        .filter_map(|(month, day)| NaiveDate::from_ymd_opt(2026, month, day))
        .collect()
}

/// The Embassy in Belgium as the guide describes it.
pub fn belgium() -> Mission {
    Mission {
        name: text(
            "中国驻比利时大使馆",
            "中國駐比利時大使館",
            "Embassy of the People's Republic of China in Belgium",
            "Ambassade de la République populaire de Chine en Belgique",
            "Ambassade van de Volksrepubliek China in België",
        ),
        address_note: Some(text(
            "使馆正门北侧约 15 米",
            "使館正門北側約 15 米",
            "About 15 m north of the embassy's main gate",
            "À environ 15 m au nord de l'entrée principale de l'ambassade",
            "Ongeveer 15 m ten noorden van de hoofdingang van de ambassade",
        )),
        office_hours: text(
            "周一至周四上午 9:00-12:00（节假日除外）",
            "週一至週四上午 9:00-12:00（節假日除外）",
            "Monday to Thursday 9:00–12:00 (except holidays)",
            "Du lundi au jeudi de 9 h à 12 h (sauf jours fériés)",
            "Maandag tot donderdag 9.00–12.00 uur (behalve op feestdagen)",
        ),
        phone: Some("0032-26633001".into()),
        phone_hours: Some(text(
            "工作日下午 13:00-17:00",
            "工作日下午 13:00-17:00",
            "Workdays 13:00–17:00",
            "Jours ouvrables de 13 h à 17 h",
            "Werkdagen 13.00–17.00 uur",
        )),
        email: Some("belconsulate@mfa.gov.cn".into()),
        opening_hours: mornings_monday_to_thursday(),
        holidays: belgian_holidays_2026(),
        material_retention_days: Mission::DEFAULT_MATERIAL_RETENTION_DAYS,
        // The guide publishes no processing time: none is invented here.
        standard_processing_days: Default::default(),
        ..embassy(Place {
            id: BELGIUM,
            country_code: "BE",
            country: ("比利时", "Belgium"),
            name: ("中国驻比利时大使馆", "Embassy of the People's Republic of China in Belgium"),
            address: "439 Avenue de Tervuren, 1150 Woluwe-Saint-Pierre, Bruxelles",
            time_zone: "Europe/Brussels",
        })
    }
}

/// Every seeded mission, in directory order.
pub fn missions() -> Vec<Mission> {
    vec![
        belgium(),
        embassy(Place {
            id: "nl-embassy",
            country_code: "NL",
            country: ("荷兰", "Netherlands"),
            name: ("中国驻荷兰大使馆", "Embassy of the People's Republic of China in the Netherlands"),
            address: "Willem Lodewijklaan 10, 2517 JT Den Haag",
            time_zone: "Europe/Amsterdam",
        }),
        embassy(Place {
            id: "lu-embassy",
            country_code: "LU",
            country: ("卢森堡", "Luxembourg"),
            name: ("中国驻卢森堡大使馆", "Embassy of the People's Republic of China in Luxembourg"),
            address: "2 Rue van der Meulen, L-2152 Luxembourg",
            time_zone: "Europe/Luxembourg",
        }),
        embassy(Place {
            id: "ie-embassy",
            country_code: "IE",
            country: ("爱尔兰", "Ireland"),
            name: ("中国驻爱尔兰大使馆", "Embassy of the People's Republic of China in Ireland"),
            address: "40 Ailesbury Road, Ballsbridge, Dublin 4",
            time_zone: "Europe/Dublin",
        }),
        embassy(Place {
            id: "at-embassy",
            country_code: "AT",
            country: ("奥地利", "Austria"),
            name: ("中国驻奥地利大使馆", "Embassy of the People's Republic of China in Austria"),
            address: "Metternichgasse 4, 1030 Wien",
            time_zone: "Europe/Vienna",
        }),
        embassy(Place {
            id: "dk-embassy",
            country_code: "DK",
            country: ("丹麦", "Denmark"),
            name: ("中国驻丹麦大使馆", "Embassy of the People's Republic of China in Denmark"),
            address: "Øregårds Allé 25, 2900 Hellerup",
            time_zone: "Europe/Copenhagen",
        }),
    ]
}

/// Adds every seeded mission that is not in the directory yet; returns how many.
pub async fn seed_missions(db: &Db) -> Result<usize, StorageError> {
    let mut added = 0;
    for (sort_key, mission) in missions().iter().enumerate() {
        if crate::missions::find(db, &mission.id).await?.is_none() {
            let mut tx = db.begin().await?;
            crate::missions::upsert(&mut tx, mission, i32::try_from(sort_key).unwrap_or(i32::MAX)).await?;
            tx.commit().await?;
            added += 1;
        }
    }
    Ok(added)
}
