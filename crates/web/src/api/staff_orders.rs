//! The staff side of orders over JSON (the console uses the same services): the mission's
//! queue, one order, its audit trail, its files, and actions. Another mission's order
//! answers 404, as if it did not exist.

use crate::api::order_view::order_value;
use crate::api::order_view::summary_value;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{ApiJson, CheckedQuery, Lang};
use crate::service::staff_orders::{self, StaffAction, age_in_days};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use lingshi_domain::order::Actor;
use lingshi_storage::orders::QueueFilter;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub fn router(settings: &crate::state::Settings) -> Router<AppState> {
    Router::new()
        .route("/staff/orders", get(queue))
        .route("/staff/orders/{id}", get(show))
        .route("/staff/orders/{id}/actions", post(act))
        .route("/staff/orders/{id}/audit", get(audit_trail))
        .route(
            "/staff/orders/{id}/files/{file}",
            get(download)
                .put(upload_for_walk_in)
                .layer(axum::extract::DefaultBodyLimit::max(settings.photo_limits.max_bytes)),
        )
        .route("/staff/walk-ins", post(register_walk_in))
        .route("/staff/audit.csv", get(audit_csv))
        .route("/staff/dashboard", get(dashboard))
}

/// Queue filters, all optional.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    pub state: Option<String>,
    pub service: Option<String>,
    pub application_type: Option<String>,
    pub face_skipped: bool,
    pub photo_failed: bool,
    pub minor: bool,
    /// Submitted on or after (YYYY-MM-DD; empty means no bound).
    #[param(schema_with = crate::extract::date_or_blank)]
    #[serde(default, deserialize_with = "crate::extract::blank_as_none")]
    pub from: Option<NaiveDate>,
    /// Submitted up to and including (YYYY-MM-DD; empty means no bound).
    #[param(schema_with = crate::extract::date_or_blank)]
    #[serde(default, deserialize_with = "crate::extract::blank_as_none")]
    pub until: Option<NaiveDate>,
    /// An order number, a document number or a name in Chinese or pinyin (the last two
    /// searched through their keyed indexes, exactly).
    pub q: Option<String>,
    /// `oldest` (default) or `newest`.
    pub sort: Option<String>,
    /// Which page of the queue, from 0.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_u32)]
    pub page: Option<u32>,
}

impl QueueQuery {
    /// The storage filter. A search term is tried as an order number, a document number and
    /// a name (Chinese or pinyin); the last two are never stored in the clear, so they are
    /// looked up by their keyed indexes.
    pub fn filter(&self, state: &AppState) -> QueueFilter {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let term = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_uppercase);
        let index = |field: &str, text: &str| state.vault.blind_index(field, text);
        QueueFilter {
            mission_id: None,
            state: self.state.clone().filter(|s| !s.is_empty()),
            service: self.service.clone().filter(|s| !s.is_empty()),
            application_type: self.application_type.clone().filter(|s| !s.is_empty()),
            face_skipped: self.face_skipped,
            photo_failed: self.photo_failed,
            minor: self.minor,
            from: self.from.and_then(midnight),
            until: self.until.and_then(|d| d.succ_opt()).and_then(midnight),
            number: term.clone(),
            document_index: term.as_deref().map(|t| index(crate::service::orders::DOCUMENT_INDEX_FIELD, t)),
            name_index: term
                .as_deref()
                .map(|t| index(crate::service::orders::NAME_INDEX_FIELD, &crate::service::orders::name_key(t))),
            newest_first: self.sort.as_deref() == Some("newest"),
            limit: staff_orders::MAX_PAGE / 2,
            offset: i64::from(self.page.unwrap_or(0)) * (staff_orders::MAX_PAGE / 2),
        }
    }
}

/// The queue's rows: each order's summary with its age in days and its flags.
pub async fn queue_rows(
    state: &AppState,
    orders: &[lingshi_storage::orders::Order],
    locale: crate::i18n::Locale,
) -> Result<Vec<Value>, AppError> {
    let now = Utc::now();
    let holders = crate::service::claims::holder_names(state, orders).await?;
    orders
        .iter()
        .map(|order| {
            let form: lingshi_domain::application_form::Form =
                serde_json::from_value(order.form.clone()).map_err(AppError::internal)?;
            let mut row = summary_value(&state.catalogs, locale, order, &form)?;
            row["age_days"] = json!(age_in_days(order, now));
            row["face_skipped"] = json!(order.face_state.as_deref() == Some("skipped"));
            row["photo_failed"] = json!(order.photo_passed == Some(false));
            row["minor"] = json!(order.minor);
            row["claimed_by"] = json!(order.claimed_by.as_ref().and_then(|id| holders.get(id)));
            Ok(row)
        })
        .collect()
}

/// The mission's submitted orders, oldest first, with the count in each state.
#[utoipa::path(get, path = "/api/v1/staff/orders", params(QueueQuery), responses((status = 200, body = Object), (status = 401)))]
pub async fn queue(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    after: crate::read_after::ReadAfter,
    CheckedQuery(query): CheckedQuery<QueueQuery>,
) -> Result<Json<Value>, AppError> {
    let (page, counts) = staff_orders::queue(&state, &current.staff, query.filter(&state), after).await?;
    let items = queue_rows(&state, &page, locale).await?;
    let counts: serde_json::Map<String, Value> = counts.into_iter().map(|(state, n)| (state, json!(n))).collect();
    Ok(Json(json!({"orders": items, "counts": counts})))
}

/// The whole order: details, photo with its report, signature, materials, face, history,
/// payments, supplements, and the delivery of each notice sent about it.
#[utoipa::path(get, path = "/api/v1/staff/orders/{id}", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = staff_orders::load(&state, &current.staff, &id).await?;
    Ok(Json(staff_order_view(&state, &loaded, locale, &current).await?))
}

/// The order as staff see it: what the applicant sees, and what became of each notice sent
/// about it (delivered, undeliverable, …).
pub async fn staff_order_view(
    state: &AppState,
    loaded: &crate::service::orders::Loaded,
    locale: crate::i18n::Locale,
    current: &CurrentStaff,
) -> Result<Value, AppError> {
    let mut view = order_value(state, loaded, locale, Actor::Staff(current.staff.role)).await?;
    let sent = lingshi_storage::deliveries::for_order(&state.db, &loaded.order.id).await?;
    let notifications: Vec<Value> = sent
        .iter()
        .map(|delivery| {
            json!({"channel": delivery.channel, "recipient": delivery.recipient, "state": delivery.state.as_str(),
                   "failure": delivery.failure, "sent_at": delivery.created_at.to_rfc3339(),
                   "sent_local": crate::pages::missions::mission_time(&loaded.mission, delivery.created_at, locale)})
        })
        .collect();
    view["notifications"] = json!(notifications);
    // Four eyes: why making the document ready or handing it over is not offered to this officer.
    use lingshi_domain::order::OrderState;
    let second_step = matches!(loaded.order.state, OrderState::AwaitingProduction | OrderState::ReadyForPickup);
    view["four_eyes"] = json!({"required": loaded.four_eyes_officer.is_some(),
                               "holds_you_back": second_step && loaded.held_back_by_four_eyes()});
    view["claimed_by"] = json!(crate::service::claims::holder(state, &current.staff, &loaded.order).await?);
    if let Some(submitter) = loaded.order.submitter_id.as_deref() {
        match lingshi_storage::notify_settings::of(&state.db, &state.vault, submitter).await {
            Ok(settings) => view["applicant_mail_failing"] = json!(settings.mail_failing),
            Err(lingshi_storage::StorageError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(view)
}

/// An action on an order, taken on the version the officer saw.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The order's `version` as shown; a stale one is refused (409 `concurrent_change`).
    #[serde(deserialize_with = "crate::extract::whole_number")]
    pub version: i32,
    /// `accept`, `reject`, `request_supplement`, `require_interview`, `complete_interview`,
    /// `mark_ready`, `hand_over`, `old_document_cancelled`, `record_payment`, `record_refund`.
    pub action: String,
    #[serde(default)]
    pub reason: String,
    /// For `request_supplement`: `[{material, reason, due_on}]`.
    #[serde(default)]
    pub items: Vec<SupplementItem>,
    /// `counter`/`post` (hand-over) or `card`/`wechat`/`alipay`/`cash` (payment).
    #[serde(default)]
    pub method: String,
    pub tracking: Option<String>,
    #[serde(default)]
    pub amount: String,
    pub reference: Option<String>,
}

/// One item asked of the applicant.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementItem {
    pub material: String,
    pub reason: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
}

impl ActionRequest {
    pub fn action(self) -> Result<StaffAction, AppError> {
        Ok(match self.action.as_str() {
            "accept" => StaffAction::Accept,
            "reject" => StaffAction::Reject { reason: self.reason },
            "request_supplement" => StaffAction::RequestSupplement {
                items: self.items.into_iter().map(|i| (i.material, i.reason, i.due_on)).collect(),
            },
            "require_interview" => StaffAction::RequireInterview { reason: self.reason },
            "complete_interview" => StaffAction::CompleteInterview,
            "mark_ready" => StaffAction::MarkReady,
            "hand_over" => StaffAction::HandOver { method: self.method, tracking: self.tracking },
            "old_document_cancelled" => StaffAction::OldDocumentCancelled,
            "record_payment" => {
                StaffAction::RecordPayment { method: self.method, amount: self.amount, reference: self.reference }
            }
            "record_refund" => StaffAction::RecordRefund { amount: self.amount, reason: self.reason },
            _ => return Err(crate::error::FieldErrors::single("action", "unknown_choice").into()),
        })
    }
}

/// Takes an action; the answer is the order as it now is.
#[utoipa::path(post, path = "/api/v1/staff/orders/{id}/actions", params(crate::api::path_params::Id), request_body = ActionRequest,
    responses((status = 200, body = Object), (status = 409, description = "not possible now, not this role, or stale version"), (status = 404)))]
pub async fn act(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<Value>, AppError> {
    let version = body.version;
    let loaded = staff_orders::act(&state, &current.staff, &id, version, body.action()?).await?;
    Ok(Json(order_value(&state, &loaded, locale, Actor::Staff(current.staff.role)).await?))
}

/// The order's audit trail: who, in which role, did what, when (UTC), from and to which
/// state, and why.
#[utoipa::path(get, path = "/api/v1/staff/orders/{id}/audit", params(crate::api::path_params::Id), responses((status = 200, body = Object), (status = 404)))]
pub async fn audit_trail(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    staff_orders::load(&state, &current.staff, &id).await?;
    let rows = lingshi_storage::audit::for_order(&state.db, &id).await?;
    let mut trail = Vec::with_capacity(rows.len());
    for row in &rows {
        trail.push(json!({
            "seq": row.seq, "at": row.at.to_rfc3339(), "actor_kind": row.actor_kind, "actor_id": row.actor_id,
            "role": row.role, "action": row.action, "before_state": row.before_state, "after_state": row.after_state,
            "reason": row.reason_text(&state.vault)?,
        }));
    }
    Ok(Json(json!({"audit": trail})))
}

/// A file of an order of the officer's mission.
#[utoipa::path(get, path = "/api/v1/staff/orders/{id}/files/{file}", params(crate::api::path_params::OrderFile), responses((status = 200), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    current: CurrentStaff,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let loaded = staff_orders::load(&state, &current.staff, &id).await?;
    let (content_type, bytes) = crate::service::order_files::read(&state, &loaded, &file).await?;
    Ok(crate::extract::file_response(content_type, bytes))
}

/// The mission an officer's overview covers: their own, or for a system administrator
/// the one named with `?mission=`.
pub fn overview_mission(
    staff: &lingshi_storage::staff::Staff,
    query: &std::collections::HashMap<String, String>,
) -> Result<String, AppError> {
    match staff.role {
        lingshi_domain::order::StaffRole::SystemAdmin => query.get("mission").cloned(),
        _ => staff.mission_id.clone(),
    }
    .ok_or(AppError::Forbidden("not_your_role"))
}

/// The mission's dashboard: orders per state, received and completed per day over 30 days,
/// median days from submission to ready, the most frequent rejection and supplement reasons.
#[utoipa::path(get, path = "/api/v1/staff/dashboard", responses((status = 200, body = Object), (status = 403)))]
pub async fn dashboard(
    State(state): State<AppState>,
    current: CurrentStaff,
    after: crate::read_after::ReadAfter,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<Json<Value>, AppError> {
    let mission = overview_mission(&current.staff, &query)?;
    let board =
        crate::service::dashboard::of_mission(&state, (&mission, current.staff.role), Utc::now(), after).await?;
    Ok(Json(serde_json::to_value(board).map_err(AppError::internal)?))
}

/// A walk-in taken at the counter.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInRequest {
    /// `passport` or `emergency`.
    pub service: String,
    pub residence_country: String,
    pub route: Option<crate::api::orders::RouteRequest>,
    pub application_type: Option<String>,
    #[schema(value_type = Object)]
    pub details: lingshi_domain::details::Details,
    #[schema(value_type = Option<Object>)]
    pub delivery: Option<lingshi_domain::application_form::Delivery>,
    #[schema(value_type = Option<Object>)]
    pub pickup: Option<lingshi_domain::application_form::Pickup>,
}

/// Registers an urgent application at the counter for someone without an account; it
/// enters review at once. Add its photo and materials with `PUT …/files/{file}` (the slot).
#[utoipa::path(post, path = "/api/v1/staff/walk-ins", request_body = WalkInRequest,
    responses((status = 201, body = Object), (status = 422), (status = 409, description = "not this role")))]
pub async fn register_walk_in(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    ApiJson(body): ApiJson<WalkInRequest>,
) -> Result<(axum::http::StatusCode, Json<Value>), AppError> {
    let service = lingshi_domain::application::Service::from_code(&body.service)
        .ok_or(AppError::Invalid(crate::error::FieldErrors::single("service", "unknown_choice")))?;
    let walk_in = staff_orders::WalkIn {
        service,
        route: body.route.as_ref().map(crate::api::orders::RouteRequest::answers).transpose()?,
        application_type: body.application_type,
        residence_country: body.residence_country,
        details: body.details,
        delivery: body.delivery,
        pickup: body.pickup,
    };
    let loaded = staff_orders::register_walk_in(&state, &current.staff, walk_in).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(order_value(&state, &loaded, locale, Actor::Staff(current.staff.role)).await?),
    ))
}

/// Adds the photo (`photo`) or a material of a walk-in this mission registered.
#[utoipa::path(put, path = "/api/v1/staff/orders/{id}/files/{file}", params(crate::api::path_params::OrderFile), request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = Object), (status = 409, description = "not a walk-in"), (status = 422)))]
pub async fn upload_for_walk_in(
    State(state): State<AppState>,
    current: CurrentStaff,
    Lang(locale): Lang,
    headers: axum::http::HeaderMap,
    Path((id, slot)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, AppError> {
    crate::extract::require_content_type(&headers, crate::extract::MATERIAL_TYPES)?;
    let slot = crate::service::order_files::Slot::parse(&slot).ok_or(AppError::NotFound)?;
    let loaded =
        crate::service::order_files::upload_for_walk_in(&state, &current.staff, &id, slot, body.to_vec()).await?;
    Ok(Json(order_value(&state, &loaded, locale, Actor::Staff(current.staff.role)).await?))
}

/// One CSV cell: quoted when it holds a separator, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is escaped so that a spreadsheet does not run it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// The mission's audit log as CSV, for its mission admin (a system administrator names the
/// mission with `?mission=`).
#[utoipa::path(get, path = "/api/v1/staff/audit.csv", responses((status = 200, content_type = "text/csv"), (status = 403)))]
pub async fn audit_csv(
    State(state): State<AppState>,
    current: CurrentStaff,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    if !current.staff.role.administers() {
        return Err(AppError::Forbidden("not_your_role"));
    }
    let mission = overview_mission(&current.staff, &query)?;
    let rows = lingshi_storage::audit::for_mission(&state.db, &mission).await?;
    let mut csv =
        String::from("seq,at_utc,actor_kind,actor_id,role,action,order_id,before_state,after_state,reason,hash\r\n");
    for row in &rows {
        let reason = row.reason_text(&state.vault)?.unwrap_or_default();
        let hash: String = row.hash.iter().map(|b| format!("{b:02x}")).collect();
        let cells = [
            row.seq.to_string(),
            row.at.to_rfc3339(),
            row.actor_kind.clone(),
            row.actor_id.clone(),
            row.role.clone().unwrap_or_default(),
            row.action.clone(),
            row.order_id.clone().unwrap_or_default(),
            row.before_state.clone().unwrap_or_default(),
            row.after_state.clone().unwrap_or_default(),
            reason,
            hash,
        ];
        csv.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    let disposition = format!("attachment; filename=\"audit-{mission}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }
}
