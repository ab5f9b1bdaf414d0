//! The missions directory: continent → country → mission, and each mission's page.

use crate::error::AppError;
use crate::extract::Lang;
use crate::i18n::Locale;
use crate::render::page;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use lingshi_domain::mission::Mission;
use lingshi_domain::phone::PhoneNumber;
use serde_json::{Value, json};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/missions", get(directory)).route("/missions/{id}", get(mission_page))
}

/// The mission's wall-clock time now, in its own time zone.
pub fn local_now(mission: &Mission, now: chrono::DateTime<chrono::Utc>) -> Option<chrono::NaiveDateTime> {
    let zone: chrono_tz::Tz = mission.time_zone.parse().ok()?;
    Some(now.with_timezone(&zone).naive_local())
}

/// `at` on the mission's wall clock with its zone's abbreviation, as pages in `locale` show
/// times: `2026-11-30 03:49 CET` (UTC, so labelled, if the mission's zone is unknown).
pub fn mission_time(mission: &Mission, at: chrono::DateTime<chrono::Utc>, locale: Locale) -> String {
    crate::service::interviews::mission_time(mission, at, locale)
}

/// Every country the platform names, as `{code, name}` choices in the reader's language.
pub fn country_choices(locale: Locale) -> Vec<Value> {
    lingshi_domain::country::ALL.iter().map(|c| json!({"code": c.code, "name": c.name(locale.tag())})).collect()
}

/// A link that searches a map for the mission's address (opened by the reader's browser;
/// no page here loads it).
pub fn map_link(address: &str) -> String {
    let query: String = address
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!("https://www.openstreetmap.org/search?query={query}")
}

/// A mission in the reader's language, as templates and the API show it.
pub fn mission_view(mission: &Mission, locale: Locale) -> Value {
    let tag = locale.tag();
    let local = local_now(mission, chrono::Utc::now());
    let phone = mission.phone.as_deref().map(|written| PhoneNumber::parse(written, Some(&mission.country_code)));
    json!({
        "open_now": local.and_then(|l| mission.is_open_at(l)),
        "local_time": local.map(|l| l.format("%H:%M").to_string()),
        "map_link": map_link(&mission.address),
        "id": mission.id,
        "continent": mission.continent.code(),
        "country_code": mission.country_code,
        "country": mission.country.get(tag),
        "name": mission.name.get(tag),
        "address": mission.address,
        "address_note": mission.address_note.as_ref().map(|n| n.get(tag)),
        "office_hours": mission.office_hours.get(tag),
        "phone": phone.as_ref().map(|parsed| match parsed {
            Ok(number) => number.international(),
            Err(_) => mission.phone.clone().unwrap_or_default(),
        }),
        "phone_link": phone.as_ref().and_then(|parsed| parsed.as_ref().ok()).map(|number| format!("tel:{}", number.e164())),
        "phone_hours": mission.phone_hours.as_ref().map(|h| h.get(tag)),
        "email": mission.email,
        "time_zone": mission.time_zone,
        "currency": mission.currency,
        "district": mission.district,
        "district_names": mission.district.iter().map(|code| lingshi_domain::country::name_of(code, tag)).collect::<Vec<_>>(),
        "submission_methods": mission.submission_methods,
        "pickup_methods": mission.pickup_methods,
        "fees": mission.fees.iter().map(|f| json!({"service": f.service, "label": f.label.get(tag), "amount": f.amount.display_in(tag), "minor": f.amount.minor, "currency": f.amount.currency})).collect::<Vec<_>>(),
    })
}

/// Missions grouped continent → country, in directory order.
pub fn grouped(missions: &[Arc<Mission>], locale: Locale) -> Value {
    let mut continents: Vec<Value> = Vec::new();
    for mission in missions {
        let continent = mission.continent.code();
        if continents.last().is_none_or(|c| c["code"] != continent) {
            continents.push(json!({"code": continent, "countries": []}));
        }
        let Some(countries) = continents.last_mut().and_then(|c| c["countries"].as_array_mut()) else {
            continue;
        };
        if countries.last().is_none_or(|c| c["code"] != mission.country_code.as_str()) {
            countries
                .push(json!({"code": mission.country_code, "name": mission.country.get(locale.tag()), "missions": []}));
        }
        if let Some(list) = countries.last_mut().and_then(|c| c["missions"].as_array_mut()) {
            list.push(mission_view(mission, locale));
        }
    }
    Value::Array(continents)
}

async fn directory(State(state): State<AppState>, Lang(locale): Lang) -> Result<Html<String>, AppError> {
    let missions = state.directory.list(&state.db).await?;
    page(&state, locale, "missions.html", json!({"continents": grouped(&missions, locale)}))
}

async fn mission_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let mission = state.directory.find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let typical_times = crate::service::forecast::typical_times(&state, &mission, locale).await?;
    page(
        &state,
        locale,
        "mission.html",
        json!({"mission": mission_view(&mission, locale), "typical_times": typical_times}),
    )
}
