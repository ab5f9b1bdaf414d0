//! The applicant's interview page (Step 4 五): 预约时间 lists the free slots on the
//! applicant's clock beside the mission's, 立即预约 books one, the booking can be changed or
//! cancelled until the cut-off, and at the time the page is the waiting room where the
//! officer's call arrives (assets/interview.js).

use crate::api::interviews::{interview_view, offered_slots, zone_or_missions};
use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{Lang, PageForm, cookie};
use crate::i18n::Locale;
use crate::render::page_with;
use crate::service::interviews::booking;
use crate::service::orders::{self, Loaded, Principal};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lingshi_domain::actions::Action;
use lingshi_domain::order::Actor;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/interview", get(show))
        .route("/orders/{id}/interview/booking", post(book))
        .route("/orders/{id}/interview/cancel", post(cancel))
}

/// The clock the applicant's browser said it keeps (the `tz` cookie interview.js sets), if a
/// zone this platform knows.
pub fn browser_zone(headers: &HeaderMap) -> Option<String> {
    cookie(headers, "tz").filter(|tz| tz.parse::<chrono_tz::Tz>().is_ok()).map(str::to_owned)
}

/// A length in hours as people write it: `2`, `1.5`.
fn hours(length: chrono::Duration) -> String {
    let minutes = length.num_minutes();
    match minutes % 60 {
        0 => (minutes / 60).to_string(),
        rest => format!("{}.{}", minutes / 60, rest * 10 / 60),
    }
}

/// Renders the page for `loaded` with a message above it, if any.
pub async fn render(
    state: &AppState,
    locale: Locale,
    loaded: &Loaded,
    zone: Option<&str>,
    (summary, status): (Value, StatusCode),
) -> Result<Response, AppError> {
    let free = offered_slots(state, loaded, Actor::Applicant).await?;
    let zone = zone_or_missions(zone, loaded)?;
    let context = json!({
        "interview": interview_view(state, loaded, &free, (zone, locale), false),
        "may_book": loaded.ensure(Action::BookInterview, Actor::Applicant).is_ok(),
        "cutoff_hours": hours(state.settings.interviews.cutoff),
    });
    page_with(state, locale, "interview.html", (context, json!({"summary": summary})), status)
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = orders::load(&state, &current.account, &id).await?;
    render(&state, locale, &loaded, browser_zone(&headers).as_deref(), (Value::Null, StatusCode::OK)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlotForm {
    starts_at: String,
}

/// After a booking, a change or a cancellation: back to the page, or the page again with
/// why it was refused.
async fn after(
    state: &AppState,
    (locale, headers): (Locale, &HeaderMap),
    current: &CurrentAccount,
    id: &str,
    result: Result<Loaded, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}/interview")).into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let loaded = orders::load(state, &current.account, id).await?;
            let summary = Value::String(state.catalogs.error(locale, error.code()));
            let message = match &error {
                AppError::Invalid(fields) => fields
                    .0
                    .first()
                    .map(|f| Value::String(state.catalogs.text(locale, &format!("err_{}", f.code)).to_owned()))
                    .unwrap_or(summary),
                _ => summary,
            };
            render(state, locale, &loaded, browser_zone(headers).as_deref(), (message, error.status())).await
        }
        Err(other) => Err(other),
    }
}

async fn book(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(form): PageForm<SlotForm>,
) -> Result<Response, AppError> {
    let result = match crate::api::interviews::slot_start(&form.starts_at) {
        Ok(starts_at) => booking::book(&state, Principal::Applicant(&current.account), &id, starts_at).await,
        Err(error) => Err(error),
    };
    after(&state, (locale, &headers), &current, &id, result).await
}

async fn cancel(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let result = booking::cancel(&state, Principal::Applicant(&current.account), &id).await;
    after(&state, (locale, &headers), &current, &id, result).await
}
