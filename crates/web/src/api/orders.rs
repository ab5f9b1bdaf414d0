//! Applications and "My orders" over JSON: every step of the guide, so a native app can be
//! built on it. Orders that are not the caller's answer 404, exactly like absent ones.

use crate::api::order_view::{Summary, order_view};
use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{ApiJson, Lang};
use crate::i18n::{Catalogs, Locale};
use crate::service::order_files::{self, Slot};
use crate::service::orders::{self, Loaded, Start};
use crate::state::{AppState, Settings};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lingshi_domain::application::{ApplicationType, RouteAnswers, Service, Step, route};
use lingshi_domain::order::Actor;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router(settings: &Settings) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(settings.photo_limits.max_bytes);
    Router::new()
        .route("/application-types", post(application_types))
        .route("/pinyin-suggestions", get(pinyin_suggestion))
        .route("/orders", get(list).post(create))
        .route("/orders/{id}", get(show).delete(delete_draft))
        .route("/orders/{id}/steps/{step}", put(save_step))
        .route("/orders/{id}/files/{file}", put(upload).get(download).delete(remove_file).layer(upload_limit))
        .route("/orders/{id}/files/{file}/crop", post(crop_photo))
        .route("/orders/{id}/face", put(verify_face).layer(upload_limit))
        .route("/orders/{id}/face/skip", post(skip_face))
        .route("/orders/{id}/submit", post(submit))
        .route("/orders/{id}/withdraw", post(withdraw))
        .route("/orders/{id}/fingerprint-appointment", post(request_fingerprints))
        .route("/orders/{id}/supplement", post(provide_supplement))
}

/// The name of an application type in `locale`.
pub fn type_name(catalogs: &Catalogs, locale: Locale, kind: ApplicationType) -> String {
    catalogs.text(locale, &format!("type_{}", kind.code().replace('.', "_"))).to_owned()
}

/// The routing answers of the guide's first screen (current document, lost or not, age).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    /// `ordinary_passport`, `travel_document`, `hk_macau_taiwan_or_other`,
    /// `official_passport` or `none_of_these`.
    pub held: String,
    pub lost: Option<bool>,
    pub under_16: Option<bool>,
}

impl RouteRequest {
    pub fn answers(&self) -> Result<RouteAnswers, AppError> {
        let held = serde_json::from_value(Value::String(self.held.clone()))
            .map_err(|_| crate::error::FieldErrors::single("held", "unknown_choice"))?;
        Ok(RouteAnswers { held, lost: self.lost, under_16: self.under_16 })
    }
}

/// The application types offered for the routing answers, or why none is (official
/// passport: contact the mission; an adult without any document).
#[utoipa::path(post, path = "/api/v1/application-types", request_body = RouteRequest,
    responses((status = 200, body = Object), (status = 422)))]
pub async fn application_types(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ApiJson(body): ApiJson<RouteRequest>,
) -> Result<Json<Value>, AppError> {
    let offered =
        route(body.answers()?).map_err(|refusal| crate::error::FieldErrors::single("route", refusal.code()))?;
    let types: Vec<Value> = offered
        .into_iter()
        .map(|kind| json!({"code": kind.code(), "name": type_name(&state.catalogs, locale, kind)}))
        .collect();
    Ok(Json(json!({"types": types})))
}

/// The Chinese name to spell.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NameQuery {
    /// Surname and given name in Chinese characters, e.g. `曾小明`.
    pub name: String,
}

/// Suggests the passport pinyin of a Chinese name, the surname read as a surname (曾 ZENG,
/// 单 SHAN); 404 when the name has characters of unknown reading.
#[utoipa::path(get, path = "/api/v1/pinyin-suggestions", params(NameQuery),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn pinyin_suggestion(Query(query): Query<NameQuery>) -> Result<Json<Value>, AppError> {
    if query.name.chars().count() > 16 {
        return Err(crate::error::FieldErrors::single("name", "too_long").into());
    }
    let suggestion = lingshi_domain::suggest_pinyin(&query.name).ok_or(AppError::NotFound)?;
    Ok(Json(json!({"surname": suggestion.surname, "given_name": suggestion.given_name})))
}

/// Starting an application.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "passport", "statement_accepted": true, "mission_id": "be-embassy",
    "residence_country": "BE", "route": {"held": "ordinary_passport", "lost": false},
    "application_type": "renewal.passport.renewal"}))]
pub struct StartRequest {
    /// `passport` (passport or travel document) or `emergency`.
    pub service: String,
    /// "本人已阅读并同意以上声明".
    pub statement_accepted: bool,
    pub mission_id: String,
    /// ISO 3166 code of the country the applicant lives in, or `OTHER`.
    pub residence_country: String,
    /// ISO 3166 code of the country the applicant is in now (or `OTHER`), when it is not
    /// where they live: the emergency travel document goes to the mission where the
    /// applicant is, passports to the mission where they live.
    #[serde(default)]
    pub present_country: String,
    /// Filed for someone else (family, friends: FAQ 1).
    #[serde(default)]
    pub on_behalf: bool,
    /// Passport or travel document only.
    pub route: Option<RouteRequest>,
    /// One of the codes `/application-types` offers.
    pub application_type: Option<String>,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let key = value.to_str().map_err(|_| AppError::BadRequest("idempotency_key_invalid"))?.trim();
            let valid = (8..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
            if valid { Ok(Some(key.to_owned())) } else { Err(AppError::BadRequest("idempotency_key_invalid")) }
        }
    }
}

/// Starts a draft (an `Idempotency-Key` header makes a retry return the same draft).
#[utoipa::path(post, path = "/api/v1/orders", request_body = StartRequest,
    responses((status = 201, body = Object), (status = 422), (status = 403, description = "real-name verification first")))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    headers: HeaderMap,
    ApiJson(body): ApiJson<StartRequest>,
) -> Result<Response, AppError> {
    let service = Service::from_code(&body.service)
        .ok_or(AppError::Invalid(crate::error::FieldErrors::single("service", "unknown_choice")))?;
    let route = body.route.as_ref().map(RouteRequest::answers).transpose()?;
    let start = Start {
        service,
        statement_accepted: body.statement_accepted,
        mission_id: body.mission_id,
        residence_country: body.residence_country,
        present_country: body.present_country,
        on_behalf: body.on_behalf,
        route,
        application_type: body.application_type,
    };
    let key = idempotency_key(&headers)?;
    let loaded = orders::start(&state, &current.account, &start, key.as_deref()).await?;
    Ok((StatusCode::CREATED, respond(&state, loaded, locale).await?).into_response())
}

/// Every order the caller filed, for themselves and for others.
#[utoipa::path(get, path = "/api/v1/orders", responses((status = 200, body = Object), (status = 401)))]
pub async fn list(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
) -> Result<Json<Value>, AppError> {
    let all = orders::list(&state, &current.account).await?;
    let items: Vec<Summary> =
        all.iter().map(|(order, form)| Summary::of(&state.catalogs, locale, order, form)).collect();
    Ok(Json(json!({"orders": items})))
}

/// The order as its applicant sees it, serialized while `loaded` is at hand.
async fn respond(state: &AppState, loaded: Loaded, locale: Locale) -> Result<Response, AppError> {
    Ok(Json(order_view(state, &loaded, locale, Actor::Applicant).await?).into_response())
}

/// One order of the caller's.
#[utoipa::path(get, path = "/api/v1/orders/{id}", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = orders::open(&state, &current.account, &id).await?;
    respond(&state, loaded, locale).await
}

/// Deletes a draft.
#[utoipa::path(delete, path = "/api/v1/orders/{id}", params(crate::api::path_params::Id), responses((status = 204), (status = 404), (status = 409)))]
pub async fn delete_draft(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    orders::delete_draft(&state, &current.account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saves one step's answers: `details`, `annotations`, `photo` (`{}` once the photo is
/// uploaded), `declaration`, `materials` (`{}` once every required item is uploaded),
/// `delivery`, `review` (`{"confirmed": true}`), `pickup`, `payment`. Steps go in order.
#[utoipa::path(put, path = "/api/v1/orders/{id}/steps/{step}", params(crate::api::path_params::OrderStep), request_body = Object,
    responses((status = 200, body = Object), (status = 422), (status = 409, description = "out of order or not a draft")))]
pub async fn save_step(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path((id, step)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, AppError> {
    let step = Step::from_code(&step).ok_or(AppError::NotFound)?;
    if !body.is_object() {
        return Err(AppError::BadRequest("unexpected_json"));
    }
    respond(&state, orders::save_step(&state, &current.account, &id, step, body).await?, locale).await
}

/// Uploads the raw body to a slot: `photo`, `signature` (PNG) or a material's code.
#[utoipa::path(put, path = "/api/v1/orders/{id}/files/{file}", params(crate::api::path_params::OrderFile), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Object), (status = 422), (status = 413), (status = 415)))]
pub async fn upload(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    headers: HeaderMap,
    Path((id, slot)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    crate::extract::require_content_type(&headers, crate::extract::MATERIAL_TYPES)?;
    let slot = Slot::parse(&slot).ok_or(AppError::NotFound)?;
    respond(&state, order_files::upload(&state, &current.account, &id, slot, body.to_vec()).await?, locale).await
}

/// A file of the order, as stored (cleaned of metadata).
#[utoipa::path(get, path = "/api/v1/orders/{id}/files/{file}", params(crate::api::path_params::OrderFile), responses((status = 200), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (content_type, bytes) = order_files::download(&state, &current.account, &id, &file).await?;
    Ok(crate::extract::file_response(content_type, bytes))
}

/// Removes an uploaded file while the order may change.
#[utoipa::path(delete, path = "/api/v1/orders/{id}/files/{file}", params(crate::api::path_params::OrderFile), responses((status = 200, body = Object), (status = 404)))]
pub async fn remove_file(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    respond(&state, order_files::remove(&state, &current.account, &id, &file).await?, locale).await
}

/// Replaces the photo with the crop its check suggested, and checks the crop again.
#[utoipa::path(post, path = "/api/v1/orders/{id}/files/{file}/crop", params(crate::api::path_params::OrderFile),
    responses((status = 200, body = Object), (status = 404), (status = 409, description = "no crop suggested")))]
pub async fn crop_photo(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    respond(&state, order_files::crop_photo(&state, &current.account, &id, &file).await?, locale).await
}

/// The order's face step from a live capture (raw JPEG or PNG body).
#[utoipa::path(put, path = "/api/v1/orders/{id}/face", params(crate::api::path_params::Id), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Object), (status = 422, description = "no single face: retry or skip")))]
pub async fn verify_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    crate::extract::require_content_type(&headers, crate::extract::IMAGE_TYPES)?;
    respond(&state, order_files::verify_face(&state, &current.account, &id, body.to_vec()).await?, locale).await
}

/// Skips the order's face step; staff may then require a video interview.
#[utoipa::path(post, path = "/api/v1/orders/{id}/face/skip", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 409)))]
pub async fn skip_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    respond(&state, order_files::skip_face(&state, &current.account, &id).await?, locale).await
}

/// Submits the completed draft (payment offline). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/submit", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 422, description = "a step or a material is missing")))]
pub async fn submit(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    respond(&state, orders::submit(&state, &current.account, &id, key.as_deref()).await?, locale).await
}

/// Withdrawing, with an optional reason.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "行程变更"}))]
pub struct WithdrawRequest {
    pub reason: Option<String>,
}

/// Withdraws before acceptance (never an emergency travel document).
#[utoipa::path(post, path = "/api/v1/orders/{id}/withdraw", params(crate::api::path_params::Id), request_body = WithdrawRequest,
    responses((status = 200, body = Object), (status = 409)))]
pub async fn withdraw(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WithdrawRequest>,
) -> Result<Response, AppError> {
    respond(&state, orders::withdraw(&state, &current.account, &id, body.reason).await?, locale).await
}

/// Asks for an appointment to record fingerprints at the mission (FAQ 8).
#[utoipa::path(post, path = "/api/v1/orders/{id}/fingerprint-appointment", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 409)))]
pub async fn request_fingerprints(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    respond(&state, orders::request_fingerprints(&state, &current.account, &id).await?, locale).await
}

/// Sends the supplements the mission asked for (upload them to their items first).
#[utoipa::path(post, path = "/api/v1/orders/{id}/supplement", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 409)))]
pub async fn provide_supplement(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    respond(&state, orders::provide_supplement(&state, &current.account, &id).await?, locale).await
}
