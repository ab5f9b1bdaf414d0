//! Starting an application, screen by screen as the guide shows it (Step 4 一 图 1–3 and
//! each case's 图 1–2): the statement, the mission (continent → country → mission) and
//! where the applicant lives, the routing questions, the application type. Each screen
//! posts everything answered so far; the draft is created after the last one.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::missions::{grouped, mission_view};
use crate::render::{field_messages, page};
use crate::service::orders::{self, Start};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lingshi_domain::application::{DistrictBasis, HeldDocument, RouteAnswers, Service, route};
use lingshi_domain::country;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/apply/{service}", get(first_screen).post(next_screen))
}

/// Everything the start screens ask, carried from screen to screen.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct StartForm {
    /// The statement checkbox (`on` when ticked) or the carried answer (`1`).
    statement: String,
    mission_id: String,
    residence_country: String,
    present_country: String,
    on_behalf: String,
    held: String,
    lost: String,
    under_16: String,
    application_type: String,
    /// Which screen posted; a screen's own fields are required only when it posts.
    screen: String,
}

fn service_of(code: &str) -> Result<Service, AppError> {
    Service::from_code(code).ok_or(AppError::NotFound)
}

fn yes_no(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

impl StartForm {
    fn accepted(&self) -> bool {
        matches!(self.statement.as_str(), "on" | "1")
    }

    fn answers(&self) -> Option<RouteAnswers> {
        let held: HeldDocument = serde_json::from_value(Value::String(self.held.clone())).ok()?;
        Some(RouteAnswers { held, lost: yes_no(&self.lost), under_16: yes_no(&self.under_16) })
    }
}

async fn first_screen(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(service): Path<String>,
) -> Result<Response, AppError> {
    let service = service_of(&service)?;
    if !current.account.identity_state.may_apply() {
        return Ok(crate::pages::account::verify_first().into_response());
    }
    screen(&state, locale, service, "statement", &StartForm::default(), Value::Null).await
}

/// Renders start screen `name` with the answers so far and any messages.
async fn screen(
    state: &AppState,
    locale: Locale,
    service: Service,
    name: &str,
    form: &StartForm,
    errors: Value,
) -> Result<Response, AppError> {
    let missions = state.directory.list(&state.db).await?;
    let chosen = missions.iter().find(|m| m.id == form.mission_id).map(|m| mission_view(m, locale));
    let named = |code: &str| json!({"code": code, "name": country::name_of(code, locale.tag())});
    let mut district: Vec<&str> = missions.iter().flat_map(|m| m.district.iter().map(String::as_str)).collect();
    district.sort_unstable();
    district.dedup();
    let district: Vec<Value> = district.into_iter().map(named).collect();
    let everywhere = crate::pages::missions::country_choices(locale);
    let types: Vec<Value> = form
        .answers()
        .and_then(|answers| route(answers).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|kind| json!({"code": kind.code(), "name": crate::api::orders::type_name(&state.catalogs, locale, kind)}))
        .collect();
    let context = json!({
        "service": service.code(),
        "screen": name,
        "values": form,
        "errors": errors,
        "continents": grouped(&missions, locale),
        "district_countries": district,
        "all_countries": everywhere,
        "by_presence": service.district_basis() == DistrictBasis::Presence,
        "mission": chosen,
        "types": types,
    });
    let status =
        if errors.is_null() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page(state, locale, "apply.html", context)?).into_response())
}

/// The screen a refused field belongs to.
fn screen_of(field: &str) -> &'static str {
    match field {
        "statement_accepted" => "statement",
        "mission_id" | "residence_country" | "present_country" => "mission",
        "route" => "route",
        _ => "type",
    }
}

async fn next_screen(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(service): Path<String>,
    PageForm(form): PageForm<StartForm>,
) -> Result<Response, AppError> {
    let service = service_of(&service)?;
    let message = |code: &str| json!({"form": state.catalogs.error(locale, code)});
    if !form.accepted() {
        let errors = if form.screen == "statement" { message("statement_required") } else { Value::Null };
        return screen(&state, locale, service, "statement", &form, errors).await;
    }
    let start = Start {
        service,
        statement_accepted: true,
        mission_id: form.mission_id.clone(),
        residence_country: form.residence_country.clone(),
        present_country: form.present_country.clone(),
        on_behalf: form.on_behalf == "on",
        route: None,
        application_type: None,
    };
    let place = orders::checked_place(&state, &start).await?;
    if let Some(problem) = place.problems.first() {
        let unanswered = problem.code == "required";
        let errors = match (unanswered, form.screen == "mission") {
            (true, true) => message("mission_and_residence_required"),
            (true, false) => Value::Null,
            (false, _) => message(problem.code),
        };
        return screen(&state, locale, service, "mission", &form, errors).await;
    }
    let passport = service == Service::PassportOrTravelDocument;
    if passport && form.screen == "mission" {
        return screen(&state, locale, service, "route", &form, Value::Null).await;
    }
    if passport && form.application_type.is_empty() {
        return match form.answers().map(route) {
            Some(Ok(_)) if form.screen == "route" => screen(&state, locale, service, "type", &form, Value::Null).await,
            Some(Ok(_)) => screen(&state, locale, service, "type", &form, message("unknown_choice")).await,
            Some(Err(refusal)) => screen(&state, locale, service, "route", &form, message(refusal.code())).await,
            None => screen(&state, locale, service, "route", &form, message("route_unanswered")).await,
        };
    }
    let start = Start {
        route: if passport { form.answers() } else { None },
        application_type: passport.then(|| form.application_type.clone()),
        ..start
    };
    match orders::start(&state, &current.account, &start, None).await {
        Ok(loaded) => Ok(Redirect::to(&format!("/orders/{}/steps/details", loaded.order.id)).into_response()),
        Err(error @ AppError::Invalid(_)) => {
            let name = error.fields().first().map_or("type", |f| screen_of(f.field));
            let errors = field_messages(&state, locale, &error);
            let first = errors.as_object().and_then(|o| o.values().next().cloned()).unwrap_or(Value::Null);
            screen(&state, locale, service, name, &form, json!({"form": first})).await
        }
        Err(other) => Err(other),
    }
}
