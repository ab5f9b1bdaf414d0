//! Pages of the pension-eligibility certification (the guide's Step 4 六, 图 1–7): the form,
//! the face step, and where the certification stands; and the staff list with re-push.

use crate::api::pensions::view;
use crate::auth::{CurrentAccount, CurrentStaff};
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::missions::grouped;
use crate::render::{field_messages, page};
use crate::service::pensions;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lingshi_domain::pension::PensionForm;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pension", get(form_page).post(start))
        .route("/pension/{id}", get(certification))
        .route("/pension/{id}/skip", post(skip_face))
        .route("/staff/pensions", get(staff_list))
        .route("/staff/pensions/{id}/repush", post(repush))
}

async fn render_form(
    state: &AppState,
    locale: Locale,
    values: Value,
    errors: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let missions = state.directory.list(&state.db).await?;
    let regions: Vec<Value> = state
        .settings
        .pension
        .departments
        .keys()
        .map(|code| json!({"code": code, "name": lingshi_domain::region::name_of(code, locale.tag())}))
        .collect();
    let context = json!({
        "continents": grouped(&missions, locale),
        "regions": regions,
        "simulated": state.settings.pension.simulated,
        "values": values,
        "errors": errors,
    });
    Ok((status, page(state, locale, "pension_form.html", context)?).into_response())
}

async fn form_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    if !current.account.identity_state.may_apply() {
        return Ok(crate::pages::account::verify_first().into_response());
    }
    render_form(&state, locale, json!({"mission_id": lingshi_storage::seed::BELGIUM}), Value::Null, StatusCode::OK)
        .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    mission_id: String,
    #[serde(flatten)]
    form: PensionForm,
}

async fn start(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    PageForm(form): PageForm<StartForm>,
) -> Result<Response, AppError> {
    match pensions::start(&state, &current.account, &form.mission_id, &form.form).await {
        Ok(pension) => Ok(Redirect::to(&format!("/pension/{}", pension.id)).into_response()),
        Err(error @ AppError::Invalid(_)) => {
            let mut values = serde_json::to_value(&form.form).map_err(AppError::internal)?;
            values["mission_id"] = Value::String(form.mission_id);
            render_form(&state, locale, values, field_messages(&state, locale, &error), error.status()).await
        }
        Err(other) => Err(other),
    }
}

async fn certification(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let pension = pensions::load(&state, &current.account, &id).await?;
    let context = json!({"pension": view(&state, &pension, locale).await?});
    Ok(page(&state, locale, "pension.html", context)?.into_response())
}

async fn skip_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    pensions::submit(&state, &current.account, &id, None).await?;
    Ok(Redirect::to(&format!("/pension/{id}")).into_response())
}

async fn staff_list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
) -> Result<Response, AppError> {
    let list = pensions::for_mission(&state, &current.staff).await?;
    let views = crate::api::pensions::views(&state, &list, locale).await?;
    Ok(page(&state, locale, "staff_pensions.html", json!({"pensions": views}))?.into_response())
}

async fn repush(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    pensions::repush(&state, &current.staff, &id).await?;
    Ok(Redirect::to("/staff/pensions").into_response())
}
