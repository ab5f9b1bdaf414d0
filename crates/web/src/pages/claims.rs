//! The console's side of sharing the work: "我来处理" and releasing on an order's page, a
//! mission admin's reassignment there, and the list of the orders the officer holds.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::render::page;
use crate::service::claims;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/orders/{id}/claim", post(claim))
        .route("/staff/orders/{id}/release", post(release))
        .route("/staff/orders/{id}/reassign", post(reassign))
        .route("/staff/my-orders", get(mine))
}

fn back_to(id: &str) -> Response {
    Redirect::to(&format!("/staff/orders/{id}#claim")).into_response()
}

async fn claim(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    claims::claim(&state, &current.staff, &id).await?;
    Ok(back_to(&id))
}

async fn release(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    claims::release(&state, &current.staff, &id).await?;
    Ok(back_to(&id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReassignForm {
    username: String,
}

async fn reassign(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
    PageForm(form): PageForm<ReassignForm>,
) -> Result<Response, AppError> {
    claims::reassign(&state, &current.staff, &id, &form.username).await?;
    Ok(back_to(&id))
}

async fn mine(State(state): State<AppState>, Lang(locale): Lang, current: CurrentStaff) -> Result<Response, AppError> {
    let held = claims::mine(&state, &current.staff).await?;
    let rows = crate::api::staff_orders::queue_rows(&state, &held, locale).await?;
    Ok(page(&state, locale, "staff_my_orders.html", json!({"orders": rows}))?.into_response())
}
