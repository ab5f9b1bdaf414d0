//! The staff console's entry: sign-in, and the home page with the mission, the messages
//! held by the development sink and the jobs that failed for good.

use crate::auth::{CurrentStaff, SessionKind, presented_token};
use crate::error::AppError;
use crate::extract::{ClientKey, Lang, PageForm};
use crate::pages::forms::{blank, redirect_with_session, signed_in};
use crate::render::page;
use crate::service::staff as staff_service;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/login", blank("staff_login.html").post(login_submit))
        .route("/staff/logout", post(logout))
        .route("/staff", get(home))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, AppError> {
    let previous = presented_token(&headers, SessionKind::Staff);
    let outcome = staff_service::login(&state, &form.username, form.password, &client, previous).await;
    signed_in(
        &state,
        locale,
        SessionKind::Staff,
        outcome,
        "/staff",
        ("staff_login.html", json!({"username": form.username})),
    )
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = presented_token(&headers, SessionKind::Staff) {
        crate::service::accounts::logout(&state, &token).await?;
    }
    Ok(redirect_with_session(&state, SessionKind::Staff, None, "/staff/login"))
}

async fn home(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
) -> Result<Html<String>, AppError> {
    let staff = &current.staff;
    let mission = match &staff.mission_id {
        Some(id) => state.directory.find(&state.db, id).await?.map(|m| m.name.get(locale.tag()).to_owned()),
        None => None,
    };
    let messages: Vec<_> = lingshi_storage::dev_outbox::recent(&state.db, 20)
        .await?
        .into_iter()
        .map(|m| json!({"channel": m.channel, "recipient": m.recipient, "body": m.body, "at": m.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}))
        .collect();
    let dead: Vec<_> = lingshi_storage::jobs::list(&state.db, "dead", 20)
        .await?
        .into_iter()
        .map(|j| json!({"kind": j.kind, "attempts": j.attempts, "error": j.last_error}))
        .collect();
    let context = json!({
        "staff": {"name": staff.display_name, "username": staff.username, "role": staff.role.code(), "administers": staff.role.administers()},
        "mission": mission,
        "dev_messages": messages,
        "dead_jobs": dead,
    });
    page(&state, locale, "staff_home.html", context)
}
