//! The 我的消息 page: every notification the applicant was sent, newest first, unread ones
//! marked, each marked read with a button (or all at once).

use crate::api::messages::{mark, view};
use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::Lang;
use crate::render::{merge, page};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/messages", get(list))
        .route("/messages/read", post(read_all))
        .route("/messages/{id}/read", post(read_one))
}

async fn list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Html<String>, AppError> {
    let messages = lingshi_storage::inbox::list(&state.db, &state.vault, &current.account.id).await?;
    let views: Vec<Value> = messages
        .iter()
        .map(|message| {
            let mut shown = view(message);
            merge(&mut shown, json!({"at": message.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}));
            shown
        })
        .collect();
    page(&state, locale, "messages.html", json!({"messages": views}))
}

async fn read_all(State(state): State<AppState>, current: CurrentAccount) -> Result<Redirect, AppError> {
    mark(&state, &current, None).await?;
    Ok(Redirect::to("/messages"))
}

async fn read_one(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Redirect, AppError> {
    mark(&state, &current, Some(&id)).await?;
    Ok(Redirect::to("/messages"))
}
