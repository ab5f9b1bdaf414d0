//! The console's video-interview pages: the mission's calendar of a week with its weekly slot
//! patterns (publish, days off, withdraw), and one order's interview: offer or cancel a slot,
//! start the call, snapshots (assets/interview.js), and the outcome.

use crate::api::interviews::{interview_view, offered_slots, slot_start};
use crate::api::staff_interviews::{calendar_view, pattern_view};
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{CheckedQuery, Lang, PageForm};
use crate::i18n::Locale;
use crate::render::{field_messages, page_with};
use crate::service::interviews::booking;
use crate::service::interviews::slots::{self, PatternInput, zone_of};
use crate::service::orders::{Loaded, Principal};
use crate::service::staff_orders;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lingshi_domain::interview::BookingState;
use lingshi_domain::order::{Actor, StaffRole};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/interviews", get(calendar))
        .route("/staff/interviews/patterns", post(publish))
        .route("/staff/interviews/patterns/{id}/withdraw", post(withdraw))
        .route("/staff/interviews/patterns/{id}/exceptions", post(set_exceptions))
        .route("/staff/orders/{id}/interview", get(console))
        .route("/staff/orders/{id}/interview/offer", post(offer))
        .route("/staff/orders/{id}/interview/cancel", post(cancel))
        .route("/staff/orders/{id}/interview/outcome", post(outcome))
}

/// The mission's reviewers and administrators, who may hold interviews.
async fn officers(state: &AppState, current: &CurrentStaff) -> Result<Vec<Value>, AppError> {
    let mission = current.staff.mission_id.as_deref();
    Ok(lingshi_storage::staff::list(&state.db)
        .await?
        .iter()
        .filter(|s| s.mission_id.as_deref() == mission && !s.disabled)
        .filter(|s| matches!(s.role, StaffRole::Reviewer | StaffRole::MissionAdmin))
        .map(|s| json!({"id": s.id, "name": s.display_name}))
        .collect())
}

async fn render_calendar(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    week: Option<chrono::NaiveDate>,
    (extra, status): (Value, StatusCode),
) -> Result<Response, AppError> {
    let patterns = slots::patterns(state, &current.staff).await?;
    let context = json!({
        "calendar": calendar_view(state, current, week, locale).await?,
        "patterns": patterns.iter().map(pattern_view).collect::<Vec<_>>(),
        "officers": officers(state, current).await?,
    });
    page_with(state, locale, "staff_interviews.html", (context, extra), status)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WeekQuery {
    #[serde(deserialize_with = "crate::extract::blank_as_none")]
    week: Option<chrono::NaiveDate>,
}

async fn calendar(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    CheckedQuery(query): CheckedQuery<WeekQuery>,
) -> Result<Response, AppError> {
    render_calendar(&state, locale, &current, query.week, (json!({}), StatusCode::OK)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PatternForm {
    weekday: String,
    start: String,
    minutes: String,
    parallel: String,
    officer: String,
    exceptions: String,
}

/// Days typed one per line (or separated by commas or spaces).
fn lines(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// The calendar again after a refused change, with why.
async fn refused(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    error: AppError,
    values: Value,
) -> Result<Response, AppError> {
    if !matches!(error, AppError::Invalid(_) | AppError::Conflict(_)) {
        return Err(error);
    }
    let extra = json!({"errors": field_messages(state, locale, &error), "values": values,
                       "summary": state.catalogs.error(locale, error.code())});
    render_calendar(state, locale, current, None, (extra, error.status())).await
}

async fn publish(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    PageForm(form): PageForm<PatternForm>,
) -> Result<Response, AppError> {
    let values = json!({"weekday": form.weekday, "start": form.start, "minutes": form.minutes,
                        "parallel": form.parallel, "officer": form.officer, "exceptions": form.exceptions});
    let input = PatternInput {
        weekday: form.weekday,
        start: form.start,
        minutes: form.minutes,
        parallel: form.parallel,
        officer: Some(form.officer),
        exceptions: lines(&form.exceptions),
    };
    match slots::publish(&state, &current.staff, &input).await {
        Ok(_) => Ok(Redirect::to("/staff/interviews").into_response()),
        Err(error) => refused(&state, locale, &current, error, values).await,
    }
}

async fn withdraw(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    slots::withdraw(&state, &current.staff, &id).await?;
    Ok(Redirect::to("/staff/interviews").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExceptionsForm {
    exceptions: String,
}

async fn set_exceptions(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
    PageForm(form): PageForm<ExceptionsForm>,
) -> Result<Response, AppError> {
    match slots::set_exceptions(&state, &current.staff, &id, &lines(&form.exceptions)).await {
        Ok(()) => Ok(Redirect::to("/staff/interviews").into_response()),
        Err(error) => refused(&state, locale, &current, error, json!({})).await,
    }
}

async fn render_console(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    loaded: &Loaded,
    (summary, status): (Value, StatusCode),
) -> Result<Response, AppError> {
    let actor = Actor::Staff(current.staff.role);
    let free = offered_slots(state, loaded, actor).await?;
    let context = json!({
        "interview": interview_view(state, loaded, &free, (zone_of(&loaded.mission), locale), true),
        "may_conclude": loaded.ensure(lingshi_domain::actions::Action::CompleteInterview, actor).is_ok(),
        "may_cancel": loaded.ensure(lingshi_domain::actions::Action::CancelInterview, actor).is_ok(),
        "summary": summary,
    });
    page_with(state, locale, "staff_interview.html", (context, json!({})), status)
}

async fn console(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = staff_orders::load(&state, &current.staff, &id).await?;
    render_console(&state, locale, &current, &loaded, (Value::Null, StatusCode::OK)).await
}

/// Back to the console, or the console again with why the change was refused.
async fn after(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    id: &str,
    result: Result<Loaded, AppError>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/staff/orders/{id}/interview")).into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let loaded = staff_orders::load(state, &current.staff, id).await?;
            let summary = Value::String(state.catalogs.error(locale, error.code()));
            render_console(state, locale, current, &loaded, (summary, error.status())).await
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlotForm {
    starts_at: String,
}

async fn offer(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
    PageForm(form): PageForm<SlotForm>,
) -> Result<Response, AppError> {
    let result = match slot_start(&form.starts_at) {
        Ok(starts_at) => booking::book(&state, Principal::Staff(&current.staff), &id, starts_at).await,
        Err(error) => Err(error),
    };
    after(&state, locale, &current, &id, result).await
}

async fn cancel(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let result = booking::cancel(&state, Principal::Staff(&current.staff), &id).await;
    after(&state, locale, &current, &id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OutcomeForm {
    outcome: String,
    note: String,
}

async fn outcome(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
    PageForm(form): PageForm<OutcomeForm>,
) -> Result<Response, AppError> {
    let result = match BookingState::outcome(form.outcome.trim()) {
        Some(outcome) => booking::record_outcome(&state, &current.staff, &id, outcome, Some(&form.note)).await,
        None => Err(crate::error::FieldErrors::single("outcome", "unknown_choice").into()),
    };
    after(&state, locale, &current, &id, result).await
}
