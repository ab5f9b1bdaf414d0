//! Pages of consular information: a mission's notices for readers, and the staff page where
//! they are written and published.

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::missions::mission_view;
use crate::render::{field_messages, page, page_with};
use crate::service::notices;
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
        .route("/missions/{id}/notices", get(published))
        .route("/staff/notices", get(staff_notices).post(write))
        .route("/staff/notices/{id}/{change}", post(set_published))
}

async fn published(
    State(state): State<AppState>,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mission = state.directory.find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let list = notices::published(&state, &id, locale.tag()).await?;
    let context = json!({"mission": mission_view(&mission, locale), "notices": list});
    Ok(page(&state, locale, "notices.html", context)?.into_response())
}

async fn staff_page(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    extra: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mission = crate::service::staff::own_mission(&current.staff)?;
    let list = lingshi_storage::notices::list(&state.db, mission, false).await?;
    let context = json!({"notices": list.iter().map(notices::view).collect::<Vec<_>>(), "mission": mission});
    page_with(state, locale, "staff_notices.html", (context, extra), status)
}

async fn staff_notices(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
) -> Result<Response, AppError> {
    staff_page(&state, locale, &current, json!({}), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticeForm {
    language: String,
    title: String,
    body: String,
}

async fn write(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    PageForm(form): PageForm<NoticeForm>,
) -> Result<Response, AppError> {
    match notices::write(&state, &current.staff, &form.language, &form.title, &form.body).await {
        Ok(_) => Ok(Redirect::to("/staff/notices").into_response()),
        Err(error @ AppError::Invalid(_)) => {
            let extra = json!({"errors": field_messages(&state, locale, &error),
                               "values": {"language": form.language, "title": form.title, "body": form.body}});
            staff_page(&state, locale, &current, extra, error.status()).await
        }
        Err(other) => Err(other),
    }
}

async fn set_published(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path((id, change)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let published = notices::publishing(&change)?;
    notices::set_published(&state, &current.staff, &id, published).await?;
    Ok(Redirect::to("/staff/notices").into_response())
}
