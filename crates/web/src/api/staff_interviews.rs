//! The staff's side of video interviews over JSON: the mission's weekly slot patterns, the
//! calendar of a week, and on one order: offering or cancelling a slot, starting the call,
//! snapshots, the outcome, and the call's signalling socket.

use crate::api::interviews::{BookingRequest, interview_view, offered_slots, requested_zone, slot_start};
use crate::auth::CurrentStaff;
use crate::error::{AppError, FieldErrors};
use crate::extract::{ApiJson, CheckedQuery, Lang};
use crate::i18n::Locale;
use crate::service::interviews::slots::{self, PatternInput, zone_of};
use crate::service::interviews::{booking, snapshots, zoned_time};
use crate::service::orders::{Loaded, Principal};
use crate::service::staff_orders;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use lingshi_domain::interview::BookingState;
use lingshi_domain::order::Actor;
use lingshi_storage::interviews::StoredPattern;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router(settings: &crate::state::Settings) -> Router<AppState> {
    Router::new()
        .route("/staff/interview-patterns", get(patterns).post(publish))
        .route("/staff/interview-patterns/{id}", delete(withdraw))
        .route("/staff/interview-patterns/{id}/exceptions", put(set_exceptions))
        .route("/staff/interviews", get(calendar))
        .route("/staff/orders/{id}/interview", get(show))
        .route("/staff/orders/{id}/interview/booking", post(offer).delete(cancel))
        .route("/staff/orders/{id}/interview/call", post(start_call))
        .route(
            "/staff/orders/{id}/interview/snapshots",
            post(snapshot).layer(DefaultBodyLimit::max(settings.photo_limits.max_bytes)),
        )
        .route("/staff/orders/{id}/interview/outcome", post(outcome))
        .route("/staff/orders/{id}/interview/signal", get(crate::signalling::socket::officer))
}

/// A pattern as JSON.
pub fn pattern_view(stored: &StoredPattern) -> Value {
    let p = &stored.pattern;
    json!({
        "id": stored.id,
        "weekday": p.weekday.number_from_monday(),
        "start": p.start.format("%H:%M").to_string(),
        "minutes": p.minutes,
        "parallel": p.parallel,
        "officer": p.officer,
        "exceptions": p.exceptions,
    })
}

/// The mission's weekly interview slot patterns.
#[utoipa::path(get, path = "/api/v1/staff/interview-patterns", responses((status = 200, body = Object), (status = 403)))]
pub async fn patterns(State(state): State<AppState>, current: CurrentStaff) -> Result<Json<Value>, AppError> {
    let patterns = slots::patterns(&state, &current.staff).await?;
    Ok(Json(json!({"patterns": patterns.iter().map(pattern_view).collect::<Vec<_>>()})))
}

/// A weekly pattern of slots, in the mission's time zone.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternRequest {
    /// ISO weekday: 1 Monday … 7 Sunday.
    #[schema(minimum = 1, maximum = 7)]
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub weekday: u8,
    /// Start on the mission's clock, `HH:MM`.
    #[schema(pattern = "^[0-9]{2}:[0-9]{2}$")]
    pub start: String,
    /// Length of one interview, 10 to 240 minutes.
    #[schema(minimum = 10, maximum = 240)]
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub minutes: u16,
    /// Interviews held at once, 1 to 20.
    #[schema(minimum = 1, maximum = 20)]
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub parallel: u16,
    /// The officer (staff id) who holds them; anyone of the mission's reviewers when absent.
    pub officer: Option<String>,
    /// Days it does not run (`YYYY-MM-DD`); the mission's holidays never run.
    #[serde(default)]
    pub exceptions: Vec<String>,
}

/// Publishes a weekly pattern (mission administrators and reviewers).
#[utoipa::path(post, path = "/api/v1/staff/interview-patterns", request_body = PatternRequest,
    responses((status = 201, body = Object), (status = 403), (status = 422)))]
pub async fn publish(
    State(state): State<AppState>,
    current: CurrentStaff,
    ApiJson(body): ApiJson<PatternRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let input = PatternInput {
        weekday: body.weekday.to_string(),
        start: body.start,
        minutes: body.minutes.to_string(),
        parallel: body.parallel.to_string(),
        officer: body.officer,
        exceptions: body.exceptions,
    };
    let id = slots::publish(&state, &current.staff, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Withdraws a pattern; bookings already made stand.
#[utoipa::path(delete, path = "/api/v1/staff/interview-patterns/{id}", params(crate::api::path_params::Id),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn withdraw(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    slots::withdraw(&state, &current.staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Days a pattern does not run.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionsRequest {
    /// `YYYY-MM-DD` each.
    pub exceptions: Vec<String>,
}

/// Sets the days a pattern does not run.
#[utoipa::path(put, path = "/api/v1/staff/interview-patterns/{id}/exceptions", params(crate::api::path_params::Id),
    request_body = ExceptionsRequest, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_exceptions(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExceptionsRequest>,
) -> Result<StatusCode, AppError> {
    slots::set_exceptions(&state, &current.staff, &id, &body.exceptions).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which week.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// Any day of the week (`YYYY-MM-DD`, the mission's date); this week when absent.
    #[param(schema_with = crate::extract::date_or_blank)]
    #[serde(deserialize_with = "crate::extract::blank_as_none")]
    pub week: Option<NaiveDate>,
}

/// The Monday of the week of `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The calendar of one week of the officer's mission: each day's slots with their free
/// places, and its bookings.
#[utoipa::path(get, path = "/api/v1/staff/interviews", params(WeekQuery), responses((status = 200, body = Object), (status = 403)))]
pub async fn calendar(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    CheckedQuery(query): CheckedQuery<WeekQuery>,
) -> Result<Json<Value>, AppError> {
    Ok(Json(calendar_view(&state, &current, query.week, locale).await?))
}

/// The calendar of the week holding `day` (today when absent), as JSON.
pub async fn calendar_view(
    state: &AppState,
    current: &CurrentStaff,
    day: Option<NaiveDate>,
    locale: Locale,
) -> Result<Value, AppError> {
    let mission_id = crate::service::staff::own_mission(&current.staff)?;
    let mission = state.directory.find(&state.db, mission_id).await?.ok_or(AppError::NotFound)?;
    let zone = zone_of(&mission);
    let monday = monday_of(day.unwrap_or_else(|| Utc::now().with_timezone(&zone).date_naive()));
    let (_, days) = slots::week(state, &current.staff, monday).await?;
    let days: Vec<Value> = days
        .iter()
        .map(|day| {
            let slots: Vec<Value> = day
                .slots
                .iter()
                .map(|s| {
                    json!({
                        "starts_at": s.slot.starts_at.to_rfc3339(),
                        "local": zoned_time(zone, s.slot.starts_at, locale),
                        "ends_local": zoned_time(zone, s.slot.ends_at, locale),
                        "parallel": s.slot.parallel,
                        "free": s.free,
                        "officer": s.slot.officer,
                    })
                })
                .collect();
            let bookings: Vec<Value> = day
                .bookings
                .iter()
                .map(|entry| {
                    let b = &entry.booking;
                    json!({
                        "order_id": b.order_id,
                        "number": entry.order_number,
                        "state": b.state.code(),
                        "starts_at": b.starts_at.to_rfc3339(),
                        "local": zoned_time(zone, b.starts_at, locale),
                        "call_started": b.call_started_at.is_some(),
                    })
                })
                .collect();
            json!({"date": day.date, "weekday": day.date.weekday().number_from_monday(), "slots": slots, "bookings": bookings})
        })
        .collect();
    Ok(json!({
        "mission_time_zone": zone.name(),
        "week": monday,
        "previous": monday - Duration::days(7),
        "next": monday + Duration::days(7),
        "days": days,
    }))
}

/// The order's interview as its officer sees it, with the notes and the snapshots.
async fn respond(
    state: &AppState,
    loaded: &Loaded,
    staff_role: Actor,
    locale: Locale,
) -> Result<Json<Value>, AppError> {
    let free = offered_slots(state, loaded, staff_role).await?;
    Ok(Json(interview_view(state, loaded, &free, (zone_of(&loaded.mission), locale), true)))
}

/// One order's interview: booking, history, free slots, snapshots.
#[utoipa::path(get, path = "/api/v1/staff/orders/{id}/interview", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = staff_orders::load(&state, &current.staff, &id).await?;
    respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await
}

/// Offers the applicant a slot (booked for them; they are told and may move it).
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/interview/booking", params(crate::api::path_params::Id), request_body = BookingRequest,
    responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn offer(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingRequest>,
) -> Result<Json<Value>, AppError> {
    let starts_at = slot_start(&body.starts_at)?;
    requested_zone(body.tz.as_deref())?;
    let loaded = booking::book(&state, Principal::Staff(&current.staff), &id, starts_at).await?;
    respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await
}

/// Cancels the order's booking; the applicant is asked to book again.
#[utoipa::path(delete, path = "/api/v1/staff/orders/{id}/interview/booking", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 404), (status = 409)))]
pub async fn cancel(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = booking::cancel(&state, Principal::Staff(&current.staff), &id).await?;
    respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await
}

/// Starting the call.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CallRequest {
    /// Why the call starts outside its slot (audited); needed only then.
    pub override_reason: Option<String>,
}

/// Starts the call: within the booked slot (from ten minutes before), or with a reason.
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/interview/call", params(crate::api::path_params::Id), request_body = CallRequest,
    responses((status = 200, body = Object), (status = 404), (status = 409, description = "no booking, or outside the slot without a reason"), (status = 422)))]
pub async fn start_call(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CallRequest>,
) -> Result<Json<Value>, AppError> {
    let reason = body.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let loaded = booking::start_call(&state, &current.staff, &id, reason).await?;
    respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await
}

/// Takes a snapshot of the applicant's video: the frame as `image/jpeg` or `image/png`.
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/interview/snapshots", params(crate::api::path_params::Id),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = Object), (status = 404), (status = 409, description = "the call is not under way"), (status = 413), (status = 422)))]
pub async fn snapshot(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
    frame: Bytes,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let loaded = snapshots::take(&state, &current.staff, &id, frame.to_vec()).await?;
    let Json(view) = respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The interview's outcome.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// `done`, `no_show` or `to_repeat`.
    pub outcome: String,
    pub note: Option<String>,
}

/// Records the outcome: done moves the order on to review; a no-show or one to repeat asks
/// the applicant to book again.
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/interview/outcome", params(crate::api::path_params::Id), request_body = OutcomeRequest,
    responses((status = 200, body = Object), (status = 404), (status = 409), (status = 422)))]
pub async fn outcome(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<Json<Value>, AppError> {
    let outcome = BookingState::outcome(body.outcome.trim()).ok_or(FieldErrors::single("outcome", "unknown_choice"))?;
    let loaded = booking::record_outcome(&state, &current.staff, &id, outcome, body.note.as_deref()).await?;
    respond(&state, &loaded, Actor::Staff(current.staff.role), locale).await
}
