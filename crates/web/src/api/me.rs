//! The signed-in applicant's own account and real-name verification.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::service::identity::{self, IdentityClaim};
use crate::state::{AppState, Settings};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lingshi_storage::accounts::{self, Account};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/identity", put(submit_identity))
        .route("/me/identity/face", put(submit_face).layer(DefaultBodyLimit::max(settings.photo_limits.max_bytes)))
        .route("/me/identity/face/skip", post(skip_face))
        .route("/me/export", get(export))
        .route("/me/delete", post(delete_account))
}

/// An account as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub login: String,
    /// `email` or `mobile`.
    pub channel: String,
    pub locale: String,
    /// `unverified`, `awaiting_face`, `verified` or `face_skipped`.
    pub identity_state: String,
    /// Whether the account may file applications.
    pub may_apply: bool,
    pub created_at: String,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            login: account.login.clone(),
            channel: account.login_channel.clone(),
            locale: account.locale.clone(),
            identity_state: account.identity_state.code().to_owned(),
            may_apply: account.identity_state.may_apply(),
            created_at: account.created_at.to_rfc3339(),
        }
    }
}

async fn reload(state: &AppState, id: &str) -> Result<Json<AccountView>, AppError> {
    let account = accounts::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(AccountView::from(&account)))
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = AccountView), (status = 401)))]
pub async fn me(current: CurrentAccount) -> Json<AccountView> {
    Json(AccountView::from(&current.account))
}

/// All of the account's data as a zip: `data.json` (account, identity, orders, pension
/// certifications) and every file, decrypted.
#[utoipa::path(get, path = "/api/v1/me/export", responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 401)))]
pub async fn export(
    State(state): State<AppState>,
    current: CurrentAccount,
    crate::extract::Lang(locale): crate::extract::Lang,
) -> Result<axum::response::Response, AppError> {
    crate::service::data_export::download(&state, &current.account, locale).await
}

/// The password, confirming that the account is to be deleted.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "长城 long passphrase 2026"}))]
pub struct DeleteRequest {
    pub password: String,
}

/// Deletes the account: unsubmitted orders and all personal data of the account go, every
/// session ends; submitted orders stay with the mission for its legal retention period.
#[utoipa::path(post, path = "/api/v1/me/delete", request_body = DeleteRequest,
    responses((status = 200, body = Object), (status = 401), (status = 422)))]
pub async fn delete_account(
    State(state): State<AppState>,
    current: CurrentAccount,
    ApiJson(request): ApiJson<DeleteRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let erased = crate::service::erasure::erase(&state, &current.account, request.password).await?;
    Ok(Json(serde_json::json!({
        "deleted": true,
        "unsubmitted_orders_deleted": erased.drafts,
        "submitted_orders_kept": erased.submitted_kept,
    })))
}

/// Name and identity document for real-name verification.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "张三", "document_kind": "passport", "document_number": "E12345678"}))]
pub struct IdentityRequest {
    #[schema(min_length = 1)]
    pub name: String,
    /// `resident_id` or `passport` (ordinary passports only).
    #[schema(pattern = "^(resident_id|passport)$")]
    pub document_kind: String,
    pub document_number: String,
}

/// Records the identity claim; the face step comes next.
#[utoipa::path(put, path = "/api/v1/me/identity", request_body = IdentityRequest,
    responses((status = 200, body = AccountView), (status = 422), (status = 409, description = "document bound to another account")))]
pub async fn submit_identity(
    State(state): State<AppState>,
    current: CurrentAccount,
    ApiJson(body): ApiJson<IdentityRequest>,
) -> Result<Json<AccountView>, AppError> {
    let claim = IdentityClaim::parse(&body.name, &body.document_kind, &body.document_number)?;
    identity::submit_identity(&state, &current.account, &claim).await?;
    reload(&state, &current.account.id).await
}

/// A live face capture, as the raw JPEG or PNG body (at most 6 MB).
#[utoipa::path(put, path = "/api/v1/me/identity/face", request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = AccountView), (status = 422, description = "not an acceptable capture"),
              (status = 409, description = "identity details first"), (status = 413), (status = 415)))]
pub async fn submit_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AccountView>, AppError> {
    crate::extract::require_content_type(&headers, crate::extract::IMAGE_TYPES)?;
    identity::submit_face(&state, &current.account, &body).await?;
    reload(&state, &current.account.id).await
}

/// Skips the face step (the account may apply; its orders are flagged).
#[utoipa::path(post, path = "/api/v1/me/identity/face/skip", responses((status = 200, body = AccountView), (status = 409)))]
pub async fn skip_face(State(state): State<AppState>, current: CurrentAccount) -> Result<Json<AccountView>, AppError> {
    identity::skip_face(&state, &current.account).await?;
    reload(&state, &current.account.id).await
}
