//! Mission admins manage their staff over JSON, and which services their officers handle
//! with four eyes.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::ApiJson;
use crate::service::staff_members::{self, NewMember};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lingshi_storage::staff::Staff;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/members", get(list).post(add))
        .route("/staff/members/{username}/disable", post(disable))
        .route("/staff/members/{username}/enable", post(enable))
        .route("/staff/four-eyes", get(four_eyes).put(set_four_eyes))
}

/// A member of staff as administrators see them.
pub fn member_view(member: &Staff) -> Value {
    json!({"username": member.username, "name": member.display_name, "role": member.role.code(),
           "mission_id": member.mission_id, "disabled": member.disabled})
}

/// The staff the caller manages (a mission admin: their mission's).
#[utoipa::path(get, path = "/api/v1/staff/members", responses((status = 200, body = Object), (status = 403)))]
pub async fn list(State(state): State<AppState>, current: CurrentStaff) -> Result<Json<Value>, AppError> {
    let members = staff_members::list(&state, &current.staff).await?;
    Ok(Json(json!({"members": members.iter().map(member_view).collect::<Vec<_>>()})))
}

/// A member to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddRequest {
    pub username: String,
    pub name: String,
    /// `reviewer`, `issuer`, `cashier` or `mission_admin`.
    pub role: String,
    /// For system administrators only.
    pub mission_id: Option<String>,
    /// Generated and returned once when absent.
    pub password: Option<String>,
}

/// Adds a member of staff to the caller's mission.
#[utoipa::path(post, path = "/api/v1/staff/members", request_body = AddRequest,
    responses((status = 201, body = Object), (status = 409, description = "username taken"), (status = 422), (status = 403)))]
pub async fn add(
    State(state): State<AppState>,
    current: CurrentStaff,
    ApiJson(body): ApiJson<AddRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let new = NewMember {
        username: body.username,
        name: body.name,
        role: body.role,
        mission_id: body.mission_id,
        password: body.password,
    };
    let (member, password) = staff_members::add(&state, &current.staff, new).await?;
    Ok((StatusCode::CREATED, Json(json!({"member": member_view(&member), "generated_password": password}))))
}

/// Disables a member (their sessions end).
#[utoipa::path(post, path = "/api/v1/staff/members/{username}/disable", params(crate::api::path_params::Username), responses((status = 204), (status = 404)))]
pub async fn disable(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(username): Path<String>,
) -> Result<StatusCode, AppError> {
    staff_members::set_disabled(&state, &current.staff, &username, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-enables a member.
#[utoipa::path(post, path = "/api/v1/staff/members/{username}/enable", params(crate::api::path_params::Username), responses((status = 204), (status = 404)))]
pub async fn enable(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(username): Path<String>,
) -> Result<StatusCode, AppError> {
    staff_members::set_disabled(&state, &current.staff, &username, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The services the caller's mission holds to four eyes: the officer who accepted an order of
/// one of them may not also mark it ready or hand it over.
#[utoipa::path(get, path = "/api/v1/staff/four-eyes", responses((status = 200, body = Object), (status = 403)))]
pub async fn four_eyes(State(state): State<AppState>, current: CurrentStaff) -> Result<Json<Value>, AppError> {
    let services = crate::service::four_eyes::of_mission(&state, &current.staff).await?;
    Ok(Json(json!({"services": services})))
}

/// The services to hold to four eyes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FourEyesRequest {
    /// Service codes: `passport`, `emergency`; empty for none.
    pub services: Vec<String>,
}

/// Sets the services the caller's mission holds to four eyes (mission admins).
#[utoipa::path(put, path = "/api/v1/staff/four-eyes", request_body = FourEyesRequest,
    responses((status = 200, body = Object), (status = 422), (status = 403)))]
pub async fn set_four_eyes(
    State(state): State<AppState>,
    current: CurrentStaff,
    ApiJson(body): ApiJson<FourEyesRequest>,
) -> Result<Json<Value>, AppError> {
    let services = crate::service::four_eyes::set(&state, &current.staff, &body.services).await?;
    Ok(Json(json!({"services": services})))
}
