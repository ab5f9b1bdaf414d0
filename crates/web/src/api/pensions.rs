//! Pension-eligibility certification over JSON: the applicant's form and face step, the
//! departments' signed callback, and the staff list with re-push.

use crate::auth::{CurrentAccount, CurrentStaff};
use crate::error::AppError;
use crate::extract::{ApiJson, Lang};
use crate::i18n::Locale;
use crate::service::pensions::{self, CallbackRefusal};
use crate::state::{AppState, Settings};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lingshi_domain::pension::{PensionForm, PensionStatus};
use lingshi_storage::pensions::Pension;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .route("/pensions", get(mine).post(start))
        .route("/pensions/{id}", get(show))
        .route("/pensions/{id}/face", put(face).layer(DefaultBodyLimit::max(settings.photo_limits.max_bytes)))
        .route("/pensions/{id}/face/skip", post(skip_face))
        .route("/pension/callbacks", post(callback))
        .route("/staff/pensions", get(staff_list))
        .route("/staff/pensions/{id}/repush", post(repush))
}

/// A certification as its applicant (and the mission's staff) see it.
pub async fn view(state: &AppState, pension: &Pension, locale: Locale) -> Result<Value, AppError> {
    let mission = state.directory.find(&state.db, &pension.mission_id).await?;
    Ok(json!({
        "id": pension.id,
        "reference": pension.reference,
        "status": pension.status.code(),
        "status_name": state.catalogs.text(locale, &format!("pension_status_{}", pension.status.code())),
        "region": pension.region,
        "region_name": lingshi_domain::region::name_of(&pension.region, locale.tag()),
        "simulated": state.settings.pension.simulated,
        "name": pension.form.name,
        "face_state": pension.face_state,
        "reason": pension.reason,
        "submitted_at": pension.submitted_at.map(|t| t.to_rfc3339()),
        "decided_at": pension.decided_at.map(|t| t.to_rfc3339()),
        "paper_form": pension.status == PensionStatus::Failed,
        "mission": mission.map(|m| crate::pages::missions::mission_view(&m, locale)),
    }))
}

/// Several certifications' views.
pub async fn views(state: &AppState, list: &[Pension], locale: Locale) -> Result<Vec<Value>, AppError> {
    let mut views = Vec::with_capacity(list.len());
    for pension in list {
        views.push(view(state, pension, locale).await?);
    }
    Ok(views)
}

/// Starting a certification: the mission and the form's fields (`name`, `id_number`,
/// `region`, `social_security_no`, `address_abroad`, `phone`).
#[derive(Deserialize, ToSchema)]
pub struct CertificationRequest {
    pub mission_id: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub form: PensionForm,
}

/// Starts a certification (the face step submits it).
#[utoipa::path(post, path = "/api/v1/pensions", request_body = CertificationRequest,
    responses((status = 201, body = Object), (status = 422), (status = 403)))]
pub async fn start(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    ApiJson(body): ApiJson<CertificationRequest>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let pension = pensions::start(&state, &current.account, &body.mission_id, &body.form).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &pension, locale).await?)))
}

/// The account's certifications.
#[utoipa::path(get, path = "/api/v1/pensions", responses((status = 200, body = Object)))]
pub async fn mine(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
) -> Result<Json<Value>, AppError> {
    let list = lingshi_storage::pensions::for_account(&state.db, &state.vault, &current.account.id).await?;
    Ok(Json(json!({"pensions": views(&state, &list, locale).await?})))
}

/// One certification of the account's.
#[utoipa::path(get, path = "/api/v1/pensions/{id}", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let pension = pensions::load(&state, &current.account, &id).await?;
    Ok(Json(view(&state, &pension, locale).await?))
}

/// The face step from a capture (raw JPEG or PNG); submits the certification.
#[utoipa::path(put, path = "/api/v1/pensions/{id}/face", params(crate::api::path_params::Id), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Object), (status = 422), (status = 409)))]
pub async fn face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    crate::extract::require_content_type(&headers, crate::extract::IMAGE_TYPES)?;
    let pension = pensions::submit(&state, &current.account, &id, Some(body.to_vec())).await?;
    Ok(Json(view(&state, &pension, locale).await?))
}

/// Skips the face step; submits the certification.
#[utoipa::path(post, path = "/api/v1/pensions/{id}/face/skip", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 409)))]
pub async fn skip_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let pension = pensions::submit(&state, &current.account, &id, None).await?;
    Ok(Json(view(&state, &pension, locale).await?))
}

/// A department's decision, signed (`X-Lingshi-Signature`); see `docs/PENSION_PROTOCOL.md`.
#[utoipa::path(post, path = "/api/v1/pension/callbacks", request_body = Object,
    responses((status = 200, body = Object), (status = 401, description = "bad signature: nothing changed"), (status = 422), (status = 404)))]
pub async fn callback(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, AppError> {
    let signature =
        headers.get(lingshi_integrations::pension::SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    match pensions::callback(&state, signature, &body).await {
        Ok(status) => Ok(Json(json!({"status": status.code()}))),
        Err(CallbackRefusal::BadSignature) => Err(AppError::Unauthenticated),
        Err(CallbackRefusal::Malformed) => {
            Err(AppError::Invalid(crate::error::FieldErrors::single("body", "unexpected_json")))
        }
        Err(CallbackRefusal::Unknown) => Err(AppError::NotFound),
    }
}

/// The mission's certifications.
#[utoipa::path(get, path = "/api/v1/staff/pensions", responses((status = 200, body = Object)))]
pub async fn staff_list(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
) -> Result<Json<Value>, AppError> {
    let list = pensions::for_mission(&state, &current.staff).await?;
    Ok(Json(json!({"pensions": views(&state, &list, locale).await?})))
}

/// Pushes a failed certification again.
#[utoipa::path(post, path = "/api/v1/staff/pensions/{id}/repush", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 409), (status = 404)))]
pub async fn repush(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let pension = pensions::repush(&state, &current.staff, &id).await?;
    Ok(Json(view(&state, &pension, locale).await?))
}
