//! Verification of consular legalizations over JSON: the public check, and the staff
//! register (one by one, or a CSV import with a report per row).

use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{ApiJson, ClientKey};
use crate::service::legalizations::{self, CheckAnswer};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Largest CSV import.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/legalization-checks", post(check))
        .route("/staff/legalizations", post(register).get(list))
        .route("/staff/legalizations/import", post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
}

/// A certificate number and its check code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"certificate_no": "BE-2026-000123", "check_code": "A1B2C3"}))]
pub struct CheckRequest {
    pub certificate_no: String,
    pub check_code: String,
}

/// Whether the mission issued this legalization, and what it covers. A wrong number and a
/// wrong code get the same answer; at most 10 checks per client per 15 minutes.
#[utoipa::path(post, path = "/api/v1/legalization-checks", request_body = CheckRequest,
    responses((status = 200, body = Object), (status = 422), (status = 429)))]
pub async fn check(
    State(state): State<AppState>,
    ClientKey(client): ClientKey,
    ApiJson(body): ApiJson<CheckRequest>,
) -> Result<Json<CheckAnswer>, AppError> {
    Ok(Json(legalizations::check(&state, &client, &body.certificate_no, &body.check_code).await?))
}

/// One legalization to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub certificate_no: String,
    pub check_code: String,
    pub document_type: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    /// Stored masked (张*).
    pub holder_name: String,
}

/// Registers a legalization the mission issued.
#[utoipa::path(post, path = "/api/v1/staff/legalizations", request_body = RegisterRequest,
    responses((status = 201), (status = 422, description = "invalid or duplicate number")))]
pub async fn register(
    State(state): State<AppState>,
    current: CurrentStaff,
    ApiJson(body): ApiJson<RegisterRequest>,
) -> Result<StatusCode, AppError> {
    let fields = [&*body.certificate_no, &*body.check_code, &*body.document_type, &*body.issued_on, &*body.holder_name];
    legalizations::register(&state, &current.staff, fields).await?;
    Ok(StatusCode::CREATED)
}

/// The mission's registered legalizations, newest first.
#[utoipa::path(get, path = "/api/v1/staff/legalizations", responses((status = 200, body = Object)))]
pub async fn list(State(state): State<AppState>, current: CurrentStaff) -> Result<Json<Value>, AppError> {
    let mission = crate::service::staff::own_mission(&current.staff)?;
    let registered = lingshi_storage::legalizations::list(&state.db, mission, 200).await?;
    Ok(Json(json!({"legalizations": registered})))
}

/// Imports a CSV (`certificate_no,check_code,document_type,issued_on,holder_name`): every
/// valid row is registered, every other row reported with its problems.
#[utoipa::path(post, path = "/api/v1/staff/legalizations/import", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = Object), (status = 422, description = "not such a CSV"), (status = 413)))]
pub async fn import(
    State(state): State<AppState>,
    current: CurrentStaff,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    let text = std::str::from_utf8(&body).map_err(|_| crate::error::FieldErrors::single("file", "csv_malformed"))?;
    let rows = legalizations::import_csv(&state, &current.staff, text).await?;
    let refused = rows.iter().filter(|r| !r.errors.is_empty()).count();
    Ok(Json(json!({"registered": rows.len() - refused, "refused": refused, "rows": rows})))
}
