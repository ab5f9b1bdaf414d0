//! Registration, sessions and password resets over JSON.

use crate::api::me::AccountView;
use crate::auth::{SessionKind, presented_token, session_cookie};
use crate::error::AppError;
use crate::extract::{ApiJson, ClientKey, Lang};
use crate::service::accounts::{self, AddressAndPassword, parse_address};
use crate::service::codes::CODE_TTL;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registrations", post(start_registration))
        .route("/registrations/confirm", post(confirm_registration))
        .route("/sessions", post(create_session))
        .route("/sessions/current", delete(end_session))
        .route("/password-resets", post(start_reset))
        .route("/password-resets/confirm", post(confirm_reset))
}

/// An e-mail address or mainland mobile number, and the password to set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "zhang.san@example.com", "password": "长城 long passphrase 2026"}))]
pub struct AddressPasswordRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub address: String,
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// A code was sent, if the address may receive one.
#[derive(Serialize, ToSchema)]
pub struct CodeSent {
    pub status: &'static str,
    pub expires_in_seconds: i64,
}

fn code_sent() -> (StatusCode, Json<CodeSent>) {
    (StatusCode::ACCEPTED, Json(CodeSent { status: "code_sent", expires_in_seconds: CODE_TTL.num_seconds() }))
}

/// Sends a six-digit confirmation code to the address.
#[utoipa::path(post, path = "/api/v1/registrations", request_body = AddressPasswordRequest,
    responses((status = 202, body = CodeSent), (status = 422, description = "invalid address or password"),
              (status = 429, description = "too many codes")))]
pub async fn start_registration(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    ApiJson(body): ApiJson<AddressPasswordRequest>,
) -> Result<impl IntoResponse, AppError> {
    let registration = AddressAndPassword::parse(&body.address, &body.password)?;
    accounts::start_registration(&state, registration, locale, &client).await?;
    Ok(code_sent())
}

/// An address and the code sent to it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "zhang.san@example.com", "code": "493017"}))]
pub struct CodeRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub address: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

/// A new session: the token also arrives as an HttpOnly cookie.
#[derive(Serialize, ToSchema)]
pub struct SessionCreated {
    pub token: String,
    pub account: AccountView,
}

fn session_response(state: &AppState, status: StatusCode, token: String, account: AccountView) -> Response {
    let cookie = session_cookie(SessionKind::Applicant, Some(&token), state.settings.secure_cookies);
    (status, [(header::SET_COOKIE, cookie)], Json(SessionCreated { token, account })).into_response()
}

/// Confirms the address with its code, creating the account and a session.
#[utoipa::path(post, path = "/api/v1/registrations/confirm", request_body = CodeRequest,
    responses((status = 201, body = SessionCreated), (status = 422, description = "wrong, expired or unknown code"),
              (status = 409, description = "already registered"), (status = 429, description = "too many tries")))]
pub async fn confirm_registration(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CodeRequest>,
) -> Result<Response, AppError> {
    let address = parse_address(&body.address)?;
    let (account, token) = accounts::confirm_registration(&state, &address, &body.code).await?;
    Ok(session_response(&state, StatusCode::CREATED, token, AccountView::from(&account)))
}

/// Signs in.
#[utoipa::path(post, path = "/api/v1/sessions", request_body = AddressPasswordRequest,
    responses((status = 200, body = SessionCreated), (status = 422, description = "login failed"),
              (status = 429, description = "too many failed attempts")))]
pub async fn create_session(
    State(state): State<AppState>,
    ClientKey(client): ClientKey,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddressPasswordRequest>,
) -> Result<Response, AppError> {
    let address = parse_address(&body.address)?;
    let previous = presented_token(&headers, SessionKind::Applicant);
    let (account, token) = accounts::login(&state, &address, body.password, &client, previous).await?;
    Ok(session_response(&state, StatusCode::OK, token, AccountView::from(&account)))
}

/// Signs out.
#[utoipa::path(delete, path = "/api/v1/sessions/current", responses((status = 204), (status = 401)))]
pub async fn end_session(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = presented_token(&headers, SessionKind::Applicant).ok_or(AppError::Unauthenticated)?;
    accounts::logout(&state, &token).await?;
    let cookie = session_cookie(SessionKind::Applicant, None, state.settings.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// An address to send a reset code to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "zhang.san@example.com"}))]
pub struct AddressRequest {
    pub address: String,
}

/// Sends a reset code if the address has an account (the answer is the same either way).
#[utoipa::path(post, path = "/api/v1/password-resets", request_body = AddressRequest,
    responses((status = 202, body = CodeSent), (status = 429)))]
pub async fn start_reset(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    ApiJson(body): ApiJson<AddressRequest>,
) -> Result<impl IntoResponse, AppError> {
    let address = parse_address(&body.address)?;
    accounts::start_reset(&state, &address, locale, &client).await?;
    Ok(code_sent())
}

/// A reset code and the new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "+86 138 0013 8000", "code": "493017", "password": "a new long passphrase"}))]
pub struct ResetRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub address: String,
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Sets a new password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/password-resets/confirm", request_body = ResetRequest,
    responses((status = 204), (status = 422)))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> Result<StatusCode, AppError> {
    let reset = AddressAndPassword::parse(&body.address, &body.password)?;
    accounts::confirm_reset(&state, &reset, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}
