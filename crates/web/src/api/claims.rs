//! Sharing the work over JSON: claim an order, release it, reassign it (mission admins), and
//! the orders the caller holds.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{ApiJson, Lang};
use crate::service::claims;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/orders/{id}/claim", post(claim).delete(release).put(reassign))
        .route("/staff/my-orders", get(mine))
}

/// Claims the order for the caller ("我来处理"); 409 `claimed_by_other` while a colleague
/// holds it. A claim lapses when its holder leaves the order idle for the configured time.
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/claim", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 409), (status = 404)))]
pub async fn claim(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    claims::claim(&state, &current.staff, &id).await?;
    Ok(Json(
        json!({"claimed_by": {"username": current.staff.username, "name": current.staff.display_name, "yours": true}}),
    ))
}

/// Releases the caller's claim (a mission admin releases anyone's).
#[utoipa::path(delete, path = "/api/v1/staff/orders/{id}/claim", params(crate::api::path_params::Id),
    responses((status = 204), (status = 409), (status = 404)))]
pub async fn release(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    claims::release(&state, &current.staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom to give the order to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    /// The username of an active officer of the same mission.
    pub username: String,
}

/// Gives the order to another officer (mission admins).
#[utoipa::path(put, path = "/api/v1/staff/orders/{id}/claim", params(crate::api::path_params::Id), request_body = ReassignRequest,
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422)))]
pub async fn reassign(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReassignRequest>,
) -> Result<Json<Value>, AppError> {
    let holder = claims::reassign(&state, &current.staff, &id, &body.username).await?;
    Ok(Json(json!({"claimed_by": holder})))
}

/// The orders the caller holds, oldest submission first.
#[utoipa::path(get, path = "/api/v1/staff/my-orders", responses((status = 200, body = Object), (status = 403)))]
pub async fn mine(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
) -> Result<Json<Value>, AppError> {
    let held = claims::mine(&state, &current.staff).await?;
    Ok(Json(json!({"orders": crate::api::staff_orders::queue_rows(&state, &held, locale).await?})))
}
