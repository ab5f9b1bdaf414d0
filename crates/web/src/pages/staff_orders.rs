//! The console's order pages: the mission's queue with its filters and counts, and one order
//! on one screen with every action the officer's role allows. Same services and views as
//! `api::staff_orders`.

use crate::api::staff_orders::QueueQuery;
use crate::api::staff_orders::{ActionRequest, SupplementItem};
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::extract::{CheckedQuery, Lang, PageForm};
use crate::i18n::Locale;
use crate::render::{field_messages, page};
use crate::service::staff_orders;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use lingshi_domain::materials::Material;
use lingshi_domain::order::OrderState;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/orders", get(queue))
        .route("/staff/orders/{id}", get(review).post(act))
        .route("/staff/dashboard", get(dashboard))
        .route("/staff/walk-in", get(walk_in_form).post(walk_in_submit))
}

async fn queue(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    after: crate::read_after::ReadAfter,
    CheckedQuery(query): CheckedQuery<QueueQuery>,
) -> Result<Response, AppError> {
    let (page_of_orders, counts) = staff_orders::queue(&state, &current.staff, query.filter(&state), after).await?;
    let rows = crate::api::staff_orders::queue_rows(&state, &page_of_orders, locale).await?;
    let counts: Vec<Value> = counts.into_iter().map(|(code, n)| json!({"state": code, "count": n})).collect();
    let states: Vec<&str> = OrderState::ALL.iter().filter(|s| s.seen_by_staff()).map(|s| s.code()).collect();
    let context = json!({"orders": rows, "counts": counts, "states": states, "query": {
        "state": query.state, "service": query.service, "q": query.q, "face_skipped": query.face_skipped,
        "photo_failed": query.photo_failed, "minor": query.minor, "sort": query.sort,
        "from": query.from.map(|d| d.to_string()), "until": query.until.map(|d| d.to_string()),
    }});
    Ok(page(&state, locale, "staff_queue.html", context)?.into_response())
}

async fn dashboard(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    after: crate::read_after::ReadAfter,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let mission = crate::api::staff_orders::overview_mission(&current.staff, &query)?;
    let board =
        crate::service::dashboard::of_mission(&state, (&mission, current.staff.role), Utc::now(), after).await?;
    let catalogs = &state.catalogs;
    let labels = crate::charts::DailyLabels {
        title: catalogs.text(locale, "staff_per_day"),
        received: catalogs.text(locale, "staff_received"),
        completed: catalogs.text(locale, "staff_completed"),
    };
    let chart = crate::charts::daily_bars(&board.per_day, &labels);
    let settles_money = crate::service::dashboard::settles_money(current.staff.role);
    let context =
        json!({"board": board, "mission": mission, "chart": chart, "current_role_settles_money": settles_money});
    Ok(page(&state, locale, "staff_dashboard.html", context)?.into_response())
}

async fn walk_in_page(
    state: &AppState,
    locale: Locale,
    values: Value,
    errors: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let types: Vec<Value> = lingshi_domain::application::ApplicationType::ALL
        .into_iter()
        .map(|kind| json!({"code": kind.code(), "name": crate::api::orders::type_name(&state.catalogs, locale, kind)}))
        .collect();
    let countries = crate::pages::missions::country_choices(locale);
    let context = json!({"types": types, "countries": countries, "values": values, "errors": errors});
    Ok((status, page(state, locale, "staff_walk_in.html", context)?).into_response())
}

async fn walk_in_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    _current: CurrentStaff,
) -> Result<Response, AppError> {
    walk_in_page(&state, locale, Value::Null, Value::Null, StatusCode::OK).await
}

async fn walk_in_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    PageForm(fields): PageForm<std::collections::BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    use lingshi_domain::application::{ApplicationType, HeldDocument, RouteAnswers, Service};
    let values = serde_json::to_value(&fields).map_err(AppError::internal)?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let service = if field("service") == "passport" {
        Service::PassportOrTravelDocument
    } else {
        Service::EmergencyTravelDocument
    };
    let details: lingshi_domain::details::Details = serde_json::from_value(values.clone()).unwrap_or_default();
    let passport = service == Service::PassportOrTravelDocument;
    let kind = ApplicationType::from_code(&field("application_type"));
    let held: Option<HeldDocument> = serde_json::from_value(Value::String(field("held"))).ok();
    // The routing answers that lead to the chosen type, as the applicant would have given them.
    let route = held.zip(kind).map(|(held, kind)| RouteAnswers {
        held,
        lost: Some(kind.business == lingshi_domain::application::Business::Replacement),
        under_16: Some(kind.case == lingshi_domain::application::Case::MinorFirst),
    });
    let walk_in = staff_orders::WalkIn {
        service,
        route: route.filter(|_| passport),
        application_type: passport.then(|| field("application_type")),
        residence_country: field("residence_country"),
        details,
        delivery: passport.then(|| lingshi_domain::application_form::Delivery {
            submission: "in_person".into(),
            pickup: field("pickup"),
        }),
        pickup: (!passport)
            .then(|| lingshi_domain::application_form::Pickup { method: "self".into(), ..Default::default() }),
    };
    match staff_orders::register_walk_in(&state, &current.staff, walk_in).await {
        Ok(loaded) => Ok(Redirect::to(&format!("/staff/orders/{}", loaded.order.id)).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut errors = field_messages(&state, locale, &error);
            if let AppError::Conflict(code) = &error {
                errors["service"] = Value::String(state.catalogs.error(locale, code));
            }
            walk_in_page(&state, locale, values, errors, error.status()).await
        }
        Err(other) => Err(other),
    }
}

async fn review(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    review_page(&state, locale, &current, &id, Value::Null, Value::Null, StatusCode::OK).await
}

async fn review_page(
    state: &AppState,
    locale: Locale,
    current: &CurrentStaff,
    id: &str,
    summary_message: Value,
    errors: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let loaded = staff_orders::load(state, &current.staff, id).await?;
    let audit = lingshi_storage::audit::for_order(&state.db, id).await?;
    let mut trail = Vec::with_capacity(audit.len());
    for row in &audit {
        trail.push(json!({"at": row.at.to_rfc3339(), "role": row.role, "action": row.action,
            "before": row.before_state, "after": row.after_state, "reason": row.reason_text(&state.vault)?}));
    }
    let materials: Vec<Value> = Material::ALL
        .iter()
        .map(|m| json!({"code": m.code(), "name": state.catalogs.text(locale, &format!("label_{}", m.code()))}))
        .collect();
    let face = loaded.files_in("face").next().map(|f| f.id.clone());
    let snapshots: Vec<&str> =
        loaded.files_in(crate::service::interviews::snapshots::SLOT).map(|f| f.id.as_str()).collect();
    let context = json!({
        "order": crate::api::staff_orders::staff_order_view(state, &loaded, locale, current).await?,
        "payment_methods": lingshi_domain::order::COUNTER_PAYMENT_METHODS,
        "audit": trail,
        "all_materials": materials,
        "face_file": face,
        "snapshots": snapshots,
        "summary": summary_message,
        "errors": errors,
        "staff_role": current.staff.role.code(),
    });
    Ok((status, page(state, locale, "staff_order.html", context)?).into_response())
}

/// Every field any action's form posts.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ActionForm {
    version: i32,
    action: String,
    reason: String,
    method: String,
    tracking: String,
    amount: String,
    reference: String,
    material_1: String,
    reason_1: String,
    due_1: String,
    material_2: String,
    reason_2: String,
    due_2: String,
}

impl ActionForm {
    /// The form as the API's request: one parser of actions serves both.
    fn into_request(self) -> ActionRequest {
        let due = |text: &str| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
        let optional = |text: String| Some(text).filter(|t| !t.trim().is_empty());
        let items = [(self.material_1, self.reason_1, self.due_1), (self.material_2, self.reason_2, self.due_2)]
            .into_iter()
            .filter(|(material, _, _)| !material.is_empty())
            .map(|(material, reason, when)| SupplementItem { material, reason, due_on: due(&when) })
            .collect();
        ActionRequest {
            version: self.version,
            action: self.action,
            reason: self.reason,
            items,
            method: self.method,
            tracking: optional(self.tracking),
            amount: self.amount,
            reference: optional(self.reference),
        }
    }
}

async fn act(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentStaff,
    Path(id): Path<String>,
    PageForm(form): PageForm<ActionForm>,
) -> Result<Response, AppError> {
    let version = form.version;
    let outcome = match form.into_request().action() {
        Ok(action) => staff_orders::act(&state, &current.staff, &id, version, action).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/staff/orders/{id}")).into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let message = match &error {
                AppError::Conflict(code) => Value::String(state.catalogs.error(locale, code)),
                _ => Value::String(state.catalogs.error(locale, error.code())),
            };
            let errors = field_messages(&state, locale, &error);
            review_page(&state, locale, &current, &id, message, errors, error.status()).await
        }
        Err(other) => Err(other),
    }
}
