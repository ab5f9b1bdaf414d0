//! 我的消息 over JSON: the applicant's messages (every notification they were sent), the
//! unread count, and marking them read.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use lingshi_storage::inbox::{self, InboxMessage};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/messages", get(list))
        .route("/me/messages/unread", get(unread))
        .route("/me/messages/read", post(read_all))
        .route("/me/messages/{id}/read", post(read_one))
}

/// A message as the API and the page show it.
pub fn view(message: &InboxMessage) -> Value {
    json!({
        "id": message.id,
        "order_id": message.order_id,
        "subject": message.subject,
        "body": message.body,
        "created_at": message.created_at.to_rfc3339(),
        "read": message.read_at.is_some(),
    })
}

/// The newest 100 messages, newest first, and how many are unread.
#[utoipa::path(get, path = "/api/v1/me/messages", responses((status = 200, body = Object), (status = 401)))]
pub async fn list(State(state): State<AppState>, current: CurrentAccount) -> Result<Json<Value>, AppError> {
    let messages = inbox::list(&state.db, &state.vault, &current.account.id).await?;
    let unread = inbox::unread(&state.db, &current.account.id).await?;
    Ok(Json(json!({"messages": messages.iter().map(view).collect::<Vec<_>>(), "unread": unread})))
}

/// How many messages are unread (the header's badge).
#[utoipa::path(get, path = "/api/v1/me/messages/unread", responses((status = 200, body = Object), (status = 401)))]
pub async fn unread(State(state): State<AppState>, current: CurrentAccount) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"unread": inbox::unread(&state.db, &current.account.id).await?})))
}

/// Marks every message read.
#[utoipa::path(post, path = "/api/v1/me/messages/read", responses((status = 204), (status = 401)))]
pub async fn read_all(State(state): State<AppState>, current: CurrentAccount) -> Result<StatusCode, AppError> {
    mark(&state, &current, None).await
}

/// Marks one message read; 404 for a message that is not the caller's.
#[utoipa::path(post, path = "/api/v1/me/messages/{id}/read", params(crate::api::path_params::Id),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn read_one(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    mark(&state, &current, Some(&id)).await
}

/// Marks the caller's message `id` (all of them when `None`) read.
pub async fn mark(state: &AppState, current: &CurrentAccount, id: Option<&str>) -> Result<StatusCode, AppError> {
    let mut tx = state.db.begin().await?;
    inbox::mark_read(&mut tx, &current.account.id, id, Utc::now()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
