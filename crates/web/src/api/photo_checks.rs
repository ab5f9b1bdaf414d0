//! The passport-photo check over JSON: send a photo, get each rule's result.

use crate::error::AppError;
use crate::extract::{ClientKey, Lang};
use crate::service::photo::{check_upload, report_view};
use crate::state::{AppState, Settings};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new().route("/photo-checks", post(create)).layer(DefaultBodyLimit::max(settings.photo_limits.max_bytes))
}

/// Checks a passport photo (raw JPEG or PNG body, at most 5 MB unless configured otherwise) against the consular
/// specification. Advisory: a failing photo may still be submitted; staff decide. 30 checks per
/// client in 10 minutes.
#[utoipa::path(post, path = "/api/v1/photo-checks", request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Object, description = "each rule: verdict pass|fail|cannot_tell, measured value, requirement"),
              (status = 422, description = "not a usable image"), (status = 413), (status = 429)))]
pub async fn create(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let report = check_upload(&state, &client, body.to_vec()).await?;
    Ok(Json(report_view(&report, &state.catalogs, locale)))
}
