//! The applicant's video interview over JSON: the free slots in their own time zone beside
//! the mission's, booking (立即预约), moving and cancelling, and the call's signalling
//! socket. The view is shared with the staff's API and both sides' pages.

use crate::auth::CurrentAccount;
use crate::error::{AppError, FieldErrors};
use crate::extract::{ApiJson, CheckedQuery, Lang};
use crate::i18n::Locale;
use crate::service::interviews::booking::{self, live};
use crate::service::interviews::slots::{self, FreeSlot, zone_of};
use crate::service::interviews::zoned_time;
use crate::service::orders::{self, Loaded, Principal};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lingshi_domain::actions::Action;
use lingshi_domain::interview;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/interview", get(show))
        .route("/orders/{id}/interview/booking", post(book).delete(cancel))
        .route("/orders/{id}/interview/signal", get(crate::signalling::socket::applicant))
}

/// Whose clock to show times on.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ZoneQuery {
    /// An IANA time zone (`Asia/Shanghai`); the mission's when absent.
    pub tz: Option<String>,
}

/// The zone `text` names, if it names one; refused when it names none the platform knows.
pub fn requested_zone(text: Option<&str>) -> Result<Option<Tz>, AppError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|name| name.parse().map_err(|_| FieldErrors::single("tz", "unknown_choice").into()))
        .transpose()
}

/// The zone of `text`, or the mission's when there is none.
pub fn zone_or_missions(text: Option<&str>, loaded: &Loaded) -> Result<Tz, AppError> {
    Ok(requested_zone(text)?.unwrap_or_else(|| zone_of(&loaded.mission)))
}

/// The slots to offer on this order: free ones, while a booking may be made.
pub async fn offered_slots(
    state: &AppState,
    loaded: &Loaded,
    actor: lingshi_domain::order::Actor,
) -> Result<Vec<FreeSlot>, AppError> {
    if loaded.ensure(Action::BookInterview, actor).is_err() {
        return Ok(Vec::new());
    }
    slots::free_slots(state, &loaded.mission, Utc::now()).await
}

/// The order's interview as JSON: its booking, what came before, the slots on offer, each
/// time on `zone`'s clock and the mission's. `for_staff` adds the officers' notes and the
/// snapshots.
pub fn interview_view(
    state: &AppState,
    loaded: &Loaded,
    free: &[FreeSlot],
    (zone, locale): (Tz, Locale),
    for_staff: bool,
) -> Value {
    let mission_zone = zone_of(&loaded.mission);
    let now = Utc::now();
    let cutoff = state.settings.interviews.cutoff;
    let times = |starts_at: DateTime<Utc>, ends_at: DateTime<Utc>| {
        json!({
            "starts_at": starts_at.to_rfc3339(),
            "ends_at": ends_at.to_rfc3339(),
            "local": zoned_time(zone, starts_at, locale),
            "mission_local": zoned_time(mission_zone, starts_at, locale),
        })
    };
    let with = |mut base: Value, extra: Value| {
        if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
            base.extend(extra.clone());
        }
        base
    };
    let booking = live(loaded).map(|b| {
        with(
            times(b.starts_at, b.ends_at),
            json!({
                "id": b.id,
                "state": b.state.code(),
                "call_started": b.call_started_at.is_some(),
                "may_change": interview::may_change(b.starts_at, now, cutoff),
                "may_call": interview::may_start_call((b.starts_at, b.ends_at), now),
            }),
        )
    });
    let history: Vec<Value> = loaded
        .interviews
        .iter()
        .map(|b| {
            let note = if for_staff { json!(b.outcome_note) } else { Value::Null };
            with(times(b.starts_at, b.ends_at), json!({"id": b.id, "state": b.state.code(), "note": note}))
        })
        .collect();
    let slots: Vec<Value> =
        free.iter().map(|f| with(times(f.slot.starts_at, f.slot.ends_at), json!({"free": f.free}))).collect();
    let snapshots: Vec<Value> = if for_staff {
        loaded
            .files
            .iter()
            .filter(|f| f.slot == crate::service::interviews::snapshots::SLOT)
            .map(|f| json!({"id": f.id, "url": format!("/api/v1/staff/orders/{}/files/{}", loaded.order.id, f.id)}))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "order_id": loaded.order.id,
        "number": loaded.order.number,
        "state": loaded.order.state.code(),
        "time_zone": zone.name(),
        "mission_time_zone": mission_zone.name(),
        "cutoff_minutes": cutoff.num_minutes(),
        "booking": booking,
        "history": history,
        "slots": slots,
        "snapshots": snapshots,
        "ice_servers": state.settings.interviews.ice_servers,
    })
}

/// The order's interview: its booking and the slots free to book, on the `tz` clock and
/// the mission's.
#[utoipa::path(get, path = "/api/v1/orders/{id}/interview", params(crate::api::path_params::Id, ZoneQuery),
    responses((status = 200, body = Object), (status = 404), (status = 422)))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
    CheckedQuery(query): CheckedQuery<ZoneQuery>,
) -> Result<Json<Value>, AppError> {
    let loaded = orders::load(&state, &current.account, &id).await?;
    let zone = zone_or_missions(query.tz.as_deref(), &loaded)?;
    let free = offered_slots(&state, &loaded, lingshi_domain::order::Actor::Applicant).await?;
    Ok(Json(interview_view(&state, &loaded, &free, (zone, locale), false)))
}

/// The slot to book, by its start as listed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-07T09:00:00Z", "tz": "Europe/Brussels"}))]
pub struct BookingRequest {
    /// The slot's `starts_at` (RFC 3339).
    pub starts_at: String,
    /// The clock to answer on (an IANA zone); the mission's when absent.
    pub tz: Option<String>,
}

/// The instant of a slot as sent.
pub fn slot_start(text: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| FieldErrors::single("starts_at", "interview_slot_unknown").into())
}

/// 立即预约: books the slot, or moves the booking to it (until the cut-off).
#[utoipa::path(post, path = "/api/v1/orders/{id}/interview/booking", params(crate::api::path_params::Id), request_body = BookingRequest,
    responses((status = 200, body = Object), (status = 404), (status = 409, description = "no interview to book, the slot is full, or past the cut-off"), (status = 422)))]
pub async fn book(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BookingRequest>,
) -> Result<Json<Value>, AppError> {
    let starts_at = slot_start(&body.starts_at)?;
    let asked = requested_zone(body.tz.as_deref())?;
    let loaded = booking::book(&state, Principal::Applicant(&current.account), &id, starts_at).await?;
    let zone = asked.unwrap_or_else(|| zone_of(&loaded.mission));
    Ok(Json(interview_view(&state, &loaded, &[], (zone, locale), false)))
}

/// Cancels the booking (until the cut-off); the order waits for a new one.
#[utoipa::path(delete, path = "/api/v1/orders/{id}/interview/booking", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 404), (status = 409)))]
pub async fn cancel(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = booking::cancel(&state, Principal::Applicant(&current.account), &id).await?;
    let free = offered_slots(&state, &loaded, lingshi_domain::order::Actor::Applicant).await?;
    Ok(Json(interview_view(&state, &loaded, &free, (zone_of(&loaded.mission), locale), false)))
}
