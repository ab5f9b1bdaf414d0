//! 通知方式 over JSON: where notices go (the login address, an added mobile of any country, or
//! both), and adding (with a code sent by text message) or removing that mobile.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{ApiJson, ClientKey, Lang};
use crate::service::notify_settings;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/notifications", get(show).put(choose))
        .route("/me/notifications/mobile", post(add_mobile).delete(remove_mobile))
        .route("/me/notifications/mobile/confirm", post(confirm_mobile))
}

/// Where notices go.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"via": "both"}))]
pub struct ViaRequest {
    /// `login`, `mobile` or `both` (the last two once a mobile is added).
    pub via: String,
}

/// A mobile number to add, with its country code unless it is a mainland mobile.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "+32 470 12 34 56"}))]
pub struct MobileRequest {
    #[schema(min_length = 1, max_length = 40)]
    pub number: String,
}

/// The number and the code sent to it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "+32 470 12 34 56", "code": "493017"}))]
pub struct MobileCodeRequest {
    #[schema(min_length = 1, max_length = 40)]
    pub number: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

async fn view(state: &AppState, current: &CurrentAccount) -> Result<Value, AppError> {
    let settings = notify_settings::settings(state, &current.account).await?;
    Ok(json!({"via": settings.via, "mobile": settings.mobile_masked, "login_channel": current.account.login_channel}))
}

/// The settings: `via`, and the added mobile, masked.
#[utoipa::path(get, path = "/api/v1/me/notifications", responses((status = 200, body = Object), (status = 401)))]
pub async fn show(State(state): State<AppState>, current: CurrentAccount) -> Result<Json<Value>, AppError> {
    Ok(Json(view(&state, &current).await?))
}

/// Chooses where notices go (`notify_mobile_missing` before a mobile is added).
#[utoipa::path(put, path = "/api/v1/me/notifications", request_body = ViaRequest,
    responses((status = 200, body = Object), (status = 401), (status = 422, description = "unknown choice, or no mobile added")))]
pub async fn choose(
    State(state): State<AppState>,
    current: CurrentAccount,
    ApiJson(body): ApiJson<ViaRequest>,
) -> Result<Json<Value>, AppError> {
    notify_settings::choose(&state, &current.account, &body.via).await?;
    Ok(Json(view(&state, &current).await?))
}

/// Sends a code by text message to the mobile to add.
#[utoipa::path(post, path = "/api/v1/me/notifications/mobile", request_body = MobileRequest,
    responses((status = 202, body = Object), (status = 401), (status = 422, description = "not a mobile number"),
              (status = 429, description = "too many codes")))]
pub async fn add_mobile(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    ApiJson(body): ApiJson<MobileRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    notify_settings::request_code(&state, &current.account, &body.number, locale, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"status": "code_sent"}))))
}

/// Adds the mobile with the code sent to it.
#[utoipa::path(post, path = "/api/v1/me/notifications/mobile/confirm", request_body = MobileCodeRequest,
    responses((status = 200, body = Object), (status = 401), (status = 422, description = "wrong, expired or unknown code"),
              (status = 429, description = "too many tries")))]
pub async fn confirm_mobile(
    State(state): State<AppState>,
    current: CurrentAccount,
    ApiJson(body): ApiJson<MobileCodeRequest>,
) -> Result<Json<Value>, AppError> {
    notify_settings::confirm(&state, &current.account, &body.number, &body.code).await?;
    Ok(Json(view(&state, &current).await?))
}

/// Removes the added mobile; notices go to the login address again.
#[utoipa::path(delete, path = "/api/v1/me/notifications/mobile", responses((status = 204), (status = 401)))]
pub async fn remove_mobile(State(state): State<AppState>, current: CurrentAccount) -> Result<StatusCode, AppError> {
    notify_settings::remove(&state, &current.account).await?;
    Ok(StatusCode::NO_CONTENT)
}
