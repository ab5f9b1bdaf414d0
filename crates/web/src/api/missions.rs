//! The missions directory over JSON.

use crate::error::AppError;
use crate::extract::Lang;
use crate::pages::missions::{grouped, mission_view};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new().route("/missions", get(list)).route("/missions/{id}", get(show))
}

/// Missions grouped continent → country → mission, in the reader's language.
#[utoipa::path(get, path = "/api/v1/missions", responses((status = 200, body = Object)))]
pub async fn list(State(state): State<AppState>, Lang(locale): Lang) -> Result<Json<Value>, AppError> {
    let missions = state.directory.list(&state.db).await?;
    Ok(Json(serde_json::json!({"continents": grouped(&missions, locale)})))
}

/// One mission: address, hours, contacts, district, fees, accepted methods.
#[utoipa::path(get, path = "/api/v1/missions/{id}", params(("id" = String, Path, description = "mission id, e.g. be-embassy")),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let mission = state.directory.find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(mission_view(&mission, locale)))
}
