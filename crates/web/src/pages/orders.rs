//! "My orders" (Step 5) and the screens of an application after its start (Step 4): one
//! page per step, in the guide's order. Pages and the API call the same services and show
//! the same view of an order (`api::order_view`).

use crate::api::order_view::order_value;
use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::missions::mission_view;
use crate::render::{field_messages, page};
use crate::service::order_files;
use crate::service::orders::{self, Loaded};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lingshi_domain::application::{ApplicationType, Step, parents_required, under_16};
use lingshi_domain::order::Actor;
use lingshi_domain::suggest_pinyin;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(list))
        .route("/orders/{id}", get(show))
        .route("/orders/{id}/continue", get(resume))
        .route("/orders/{id}/steps/{step}", get(step_page).post(step_submit))
        .route("/orders/{id}/files/{file}/delete", post(remove_file))
        .route("/orders/{id}/files/{file}/crop", post(crop_photo))
        .route("/orders/{id}/face/skip", post(skip_face))
        .route("/orders/{id}/withdraw", post(withdraw))
        .route("/orders/{id}/fingerprints", post(request_fingerprints))
        .route("/orders/{id}/supplement", post(provide_supplement))
        .route("/orders/{id}/delete", post(delete_draft))
}

async fn list(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    let all = orders::list(&state, &current.account).await?;
    let items = all
        .iter()
        .map(|(order, form)| {
            let mut item = crate::api::order_view::summary_value(&state.catalogs, locale, order, form)?;
            item["resume"] = Value::Bool(order.state == lingshi_domain::order::OrderState::Draft);
            Ok(item)
        })
        .collect::<Result<Vec<Value>, AppError>>()?;
    let certifications = lingshi_storage::pensions::for_account(&state.db, &state.vault, &current.account.id).await?;
    let pensions = crate::api::pensions::views(&state, &certifications, locale).await?;
    let mail_failing = crate::service::notify_settings::mail_failing_banner(&state, &current.account).await?;
    let context = json!({"orders": items, "pensions": pensions, "mail_failing": mail_failing});
    Ok(page(&state, locale, "orders.html", context)?.into_response())
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    submitted: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let loaded = orders::open(&state, &current.account, &id).await?;
    order_page(&state, locale, &loaded, query.submitted.is_some(), Value::Null).await
}

async fn order_page(
    state: &AppState,
    locale: Locale,
    loaded: &Loaded,
    just_submitted: bool,
    summary: Value,
) -> Result<Response, AppError> {
    let status = if summary.is_null() { StatusCode::OK } else { StatusCode::CONFLICT };
    render_order(state, locale, loaded, just_submitted, json!({"summary": summary}), status).await
}

/// The order page with `messages`: a `summary` above it and/or field `errors` beside the
/// items they concern.
async fn render_order(
    state: &AppState,
    locale: Locale,
    loaded: &Loaded,
    just_submitted: bool,
    messages: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let context = json!({
        "order": order_value(state, loaded, locale, Actor::Applicant).await?,
        "mission": mission_view(&loaded.mission, locale),
        "just_submitted": just_submitted,
        "summary": messages["summary"],
        "errors": messages["errors"],
    });
    Ok((status, page(state, locale, "order.html", context)?).into_response())
}

/// Takes a draft to its first open step (another day, another device), anything else to
/// its page.
async fn resume(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = orders::load(&state, &current.account, &id).await?;
    Ok(Redirect::to(&continue_url(&loaded)).into_response())
}

fn step_of(code: &str) -> Result<Step, AppError> {
    Step::from_code(code).ok_or(AppError::NotFound)
}

fn step_url(id: &str, step: Step) -> String {
    format!("/orders/{id}/steps/{}", step.code())
}

/// Where a draft goes next: its first open step, or the order page.
fn continue_url(loaded: &Loaded) -> String {
    match loaded.next_step() {
        Some(step) if loaded.order.state == lingshi_domain::order::OrderState::Draft => {
            step_url(&loaded.order.id, step)
        }
        _ => format!("/orders/{}", loaded.order.id),
    }
}

/// The answers a step's form shows: what was saved, or what was just typed.
fn saved_values(loaded: &Loaded, step: Step) -> Value {
    let form = serde_json::to_value(&loaded.form).unwrap_or(Value::Null);
    match step {
        Step::Details | Step::Annotations | Step::Declaration | Step::Delivery | Step::Pickup | Step::Payment => {
            form.get(step.code()).cloned().unwrap_or(Value::Null)
        }
        _ => Value::Null,
    }
}

async fn step_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path((id, step)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let step = step_of(&step)?;
    let loaded = orders::load(&state, &current.account, &id).await?;
    let position = loaded.steps().iter().position(|s| *s == step).ok_or(AppError::NotFound)?;
    let open = position <= usize::try_from(loaded.order.progress).unwrap_or(0);
    if !open || loaded.order.state != lingshi_domain::order::OrderState::Draft {
        return Ok(Redirect::to(&continue_url(&loaded)).into_response());
    }
    let values = saved_values(&loaded, step);
    render_step(&state, locale, &loaded, step, values, Value::Null, StatusCode::OK).await
}

async fn render_step(
    state: &AppState,
    locale: Locale,
    loaded: &Loaded,
    step: Step,
    values: Value,
    errors: Value,
    status: StatusCode,
) -> Result<Response, AppError> {
    let steps = loaded.steps();
    let position = steps.iter().position(|s| *s == step).unwrap_or(0);
    let suggestion = loaded.form.details.as_ref().and_then(|d| suggest_pinyin(&d.chinese_name())).or_else(|| {
        values["surname_zh"]
            .as_str()
            .and_then(|s| suggest_pinyin(&format!("{s}{}", values["given_name_zh"].as_str().unwrap_or(""))))
    });
    let context = json!({
        "step": step.code(),
        "position": position + 1,
        "count": steps.len(),
        "previous": position.checked_sub(1).map(|p| step_url(&loaded.order.id, steps[p])),
        "order": order_value(state, loaded, locale, Actor::Applicant).await?,
        "mission": mission_view(&loaded.mission, locale),
        "values": values,
        "errors": errors,
        "suggestion": suggestion,
        "pinyin_strict": loaded.kind.is_some_and(|k| k.pinyin_mode() == lingshi_domain::PinyinMode::Strict),
        "ask_document_number": loaded.kind.is_none_or(ApplicationType::asks_document_number),
        "may_use_foreign_name": loaded.kind.is_some_and(ApplicationType::may_use_foreign_name),
        "minor_parents": parents_required(loaded.kind, under_16(loaded.age())),
        "wechat_offered": state.settings.payments.offers(lingshi_integrations::payments::Provider::WechatPay),
        "payments_simulated": !state.settings.payments.simulators.is_empty(),
    });
    Ok((status, page(state, locale, "order_step.html", context)?).into_response())
}

/// Checkboxes post `on` when ticked and nothing otherwise.
const CHECKBOXES: [&str; 3] = ["foreign_name", "irreversible_acknowledged", "confirmed"];

/// A posted form as the JSON the services take: text fields as strings, checkboxes as
/// booleans (absent when not ticked).
fn form_to_json(fields: BTreeMap<String, String>) -> Value {
    let object: Map<String, Value> = fields
        .into_iter()
        .map(|(key, value)| {
            let value =
                if CHECKBOXES.contains(&key.as_str()) { Value::Bool(value == "on") } else { Value::String(value) };
            (key, value)
        })
        .collect();
    Value::Object(object)
}

async fn step_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path((id, step)): Path<(String, String)>,
    PageForm(fields): PageForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let step = step_of(&step)?;
    let body = form_to_json(fields);
    match orders::save_step(&state, &current.account, &id, step, body.clone()).await {
        Ok(loaded) if step == Step::Payment => submit_and_show(&state, locale, &current, loaded).await,
        Ok(loaded) => Ok(Redirect::to(&continue_url(&loaded)).into_response()),
        Err(error) if matches!(error, AppError::Invalid(_)) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            let errors = field_messages(&state, locale, &error);
            render_step(&state, locale, &loaded, step, body, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(code)) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            let summary = Value::String(state.catalogs.error(locale, code));
            order_page(&state, locale, &loaded, false, summary).await
        }
        Err(other) => Err(other),
    }
}

/// The last screen's button submits the order (图 17: the order number is shown).
async fn submit_and_show(
    state: &AppState,
    locale: Locale,
    current: &CurrentAccount,
    loaded: Loaded,
) -> Result<Response, AppError> {
    match orders::submit(state, &current.account, &loaded.order.id, None).await {
        Ok(submitted) if submitted.order.state == lingshi_domain::order::OrderState::PendingPayment => {
            Ok(Redirect::to(&format!("/orders/{}/pay", submitted.order.id)).into_response())
        }
        Ok(submitted) => Ok(Redirect::to(&format!("/orders/{}?submitted=1", submitted.order.id)).into_response()),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = field_messages(state, locale, &error)
                .as_object()
                .and_then(|o| o.values().next().cloned())
                .unwrap_or_else(|| Value::String(state.catalogs.error(locale, error.code())));
            order_page(state, locale, &loaded, false, message).await
        }
        Err(other) => Err(other),
    }
}

async fn remove_file(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let loaded = order_files::remove(&state, &current.account, &id, &file).await?;
    let back = if loaded.order.state == lingshi_domain::order::OrderState::SupplementRequired {
        format!("/orders/{}", loaded.order.id)
    } else {
        step_url(&loaded.order.id, Step::Materials)
    };
    Ok(Redirect::to(&back).into_response())
}

async fn crop_photo(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let loaded = order_files::crop_photo(&state, &current.account, &id, &file).await?;
    Ok(Redirect::to(&step_url(&loaded.order.id, Step::Photo)).into_response())
}

async fn skip_face(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = order_files::skip_face(&state, &current.account, &id).await?;
    Ok(Redirect::to(&continue_url(&loaded)).into_response())
}

#[derive(Deserialize, Default)]
struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

async fn withdraw(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(id): Path<String>,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response, AppError> {
    let reason = Some(form.reason).filter(|r| !r.trim().is_empty());
    match orders::withdraw(&state, &current.account, &id, reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid(_))) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            order_page(&state, locale, &loaded, false, Value::String(state.catalogs.error(locale, error.code()))).await
        }
        Err(other) => Err(other),
    }
}

async fn request_fingerprints(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match orders::request_fingerprints(&state, &current.account, &id).await {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
        Err(AppError::Conflict(code)) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            order_page(&state, locale, &loaded, false, Value::String(state.catalogs.error(locale, code))).await
        }
        Err(other) => Err(other),
    }
}

async fn provide_supplement(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match orders::provide_supplement(&state, &current.account, &id).await {
        Ok(_) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
        Err(AppError::Conflict(code)) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            order_page(&state, locale, &loaded, false, Value::String(state.catalogs.error(locale, code))).await
        }
        Err(error @ AppError::Invalid(_)) => {
            let loaded = orders::load(&state, &current.account, &id).await?;
            let messages = json!({"errors": field_messages(&state, locale, &error)});
            render_order(&state, locale, &loaded, false, messages, error.status()).await
        }
        Err(other) => Err(other),
    }
}

async fn delete_draft(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    orders::delete_draft(&state, &current.account, &id).await?;
    Ok(Redirect::to("/orders").into_response())
}
