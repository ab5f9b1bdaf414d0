//! Consular information over JSON: a mission's published notices, and the staff side.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{ApiJson, Lang};
use crate::service::notices;
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
        .route("/missions/{id}/notices", get(published))
        .route("/staff/notices", get(all).post(write))
        .route("/staff/notices/{id}/{change}", post(set_published))
}

/// The mission's published notices, the reader's language first, Markdown rendered safely.
#[utoipa::path(get, path = "/api/v1/missions/{id}/notices", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 404)))]
pub async fn published(
    State(state): State<AppState>,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    state.directory.find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(json!({"notices": notices::published(&state, &id, locale.tag()).await?})))
}

/// Every notice of the officer's mission, published or not.
#[utoipa::path(get, path = "/api/v1/staff/notices", responses((status = 200, body = Object)))]
pub async fn all(State(state): State<AppState>, current: CurrentStaff) -> Result<Json<Value>, AppError> {
    let mission = crate::service::staff::own_mission(&current.staff)?;
    let list = lingshi_storage::notices::list(&state.db, mission, false).await?;
    Ok(Json(json!({"notices": list.iter().map(notices::view).collect::<Vec<_>>()})))
}

/// A notice to write.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    /// `zh-CN` or `en`.
    pub language: String,
    pub title: String,
    /// Markdown; raw HTML is shown as text, only http(s), mailto and tel links are kept.
    pub body: String,
}

/// Writes a notice (unpublished until published).
#[utoipa::path(post, path = "/api/v1/staff/notices", request_body = NoticeRequest,
    responses((status = 201, body = Object), (status = 422)))]
pub async fn write(
    State(state): State<AppState>,
    current: CurrentStaff,
    ApiJson(body): ApiJson<NoticeRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let id = notices::write(&state, &current.staff, &body.language, &body.title, &body.body).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Publishes (`publish`) or withdraws (`unpublish`) a notice of the officer's mission.
#[utoipa::path(post, path = "/api/v1/staff/notices/{id}/{change}", params(crate::api::path_params::NoticeChange), responses((status = 204), (status = 404)))]
pub async fn set_published(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path((id, change)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let published = notices::publishing(&change)?;
    notices::set_published(&state, &current.staff, &id, published).await?;
    Ok(StatusCode::NO_CONTENT)
}
