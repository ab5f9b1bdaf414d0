//! The console page where mission admins manage their staff and choose the services their
//! officers handle with four eyes.

use crate::api::staff_members::member_view;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::i18n::Locale;
use crate::render::{field_messages, page_with};
use crate::service::staff_members::{self, NewMember};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/members", get(members).post(add))
        .route("/staff/members/{username}/{change}", post(set_disabled))
        .route("/staff/four-eyes", post(set_four_eyes))
}

async fn render(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let list = staff_members::list(state, &current.staff).await?;
    let four_eyes = match current.staff.role {
        lingshi_domain::order::StaffRole::MissionAdmin => {
            Some(crate::service::four_eyes::of_mission(state, &current.staff).await?)
        }
        _ => None,
    };
    let services: Vec<&str> = crate::service::four_eyes::SERVICES.iter().map(|s| s.code()).collect();
    let context = json!({"members": list.iter().map(member_view).collect::<Vec<_>>(), "me": current.staff.username,
                         "four_eyes": four_eyes, "four_eyes_services": services});
    page_with(state, locale, "staff_members.html", (context, extra), status)
}

async fn members(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
) -> Result<Response, AppError> {
    render(&state, locale, &current, json!({}), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AddForm {
    username: String,
    name: String,
    role: String,
}

async fn add(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    PageForm(form): PageForm<AddForm>,
) -> Result<Response, AppError> {
    let values = json!({"username": form.username, "name": form.name, "role": form.role});
    let new = NewMember { username: form.username, name: form.name, role: form.role, mission_id: None, password: None };
    match staff_members::add(&state, &current.staff, new).await {
        Ok((member, password)) => {
            let extra = json!({"created": member.username, "generated_password": password});
            render(&state, locale, &current, extra, StatusCode::CREATED).await
        }
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let extra = json!({"errors": field_messages(&state, locale, &error), "values": values,
                               "summary": state.catalogs.error(locale, error.code())});
            render(&state, locale, &current, extra, error.status()).await
        }
        Err(other) => Err(other),
    }
}

async fn set_disabled(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path((username, change)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let disabled = match change.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::NotFound),
    };
    staff_members::set_disabled(&state, &current.staff, &username, disabled).await?;
    Ok(Redirect::to("/staff/members").into_response())
}

/// The four-eyes form: a box per service, ticked to hold it to four eyes.
#[derive(Deserialize, Default)]
#[serde(default)]
struct FourEyesForm {
    passport: Option<String>,
    emergency: Option<String>,
}

async fn set_four_eyes(
    State(state): State<AppState>,
    current: CurrentStaff,
    PageForm(form): PageForm<FourEyesForm>,
) -> Result<Response, AppError> {
    let ticked = [("passport", form.passport), ("emergency", form.emergency)];
    let services: Vec<String> =
        ticked.into_iter().filter(|(_, on)| on.is_some()).map(|(code, _)| code.to_owned()).collect();
    crate::service::four_eyes::set(&state, &current.staff, &services).await?;
    Ok(Redirect::to("/staff/members#four-eyes").into_response())
}
