//! Online payment over JSON: an order's checkout (WeChat Pay at submission, or the payment
//! notice's WeChat Pay and Alipay), asking the provider now, abandoning the payment, and
//! the endpoint each provider posts its signed notifications to.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{ApiJson, ClientIp, Lang};
use crate::i18n::Locale;
use crate::service::orders::Loaded;
use crate::service::payments::{self, CheckoutView};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lingshi_domain::mission::Money;
use lingshi_integrations::payments::{Provider, Scene};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Largest notification read (theirs are a few hundred bytes).
const NOTICE_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payments/{provider}/notifications", post(notification).layer(DefaultBodyLimit::max(NOTICE_LIMIT)))
        .route("/orders/{id}/payments", post(create))
        .route("/orders/{id}/payments/refresh", post(refresh))
        .route("/orders/{id}/payments/abandon", post(abandon))
}

/// An order's online payments and refunds, as its page and the API show them.
pub fn online_view(loaded: &Loaded, locale: Locale) -> Value {
    let local = |at| crate::pages::missions::mission_time(&loaded.mission, at, locale);
    let money = |minor: i64, currency: &str| Money { minor, currency: currency.to_owned() }.display_in(locale.tag());
    let payments: Vec<Value> = loaded
        .online
        .payments
        .iter()
        .map(|p| {
            json!({
                "provider": p.provider,
                "out_trade_no": p.out_trade_no,
                "state": p.state.code(),
                "amount": money(p.amount_minor, &p.currency),
                "estimate": p.estimate_minor.map(|e| json!({"display": money(e, p.estimate_currency.as_deref().unwrap_or("CNY")), "rate_date": p.rate_date})),
                "charged": p.payer_total.map(|t| money(t, p.payer_currency.as_deref().unwrap_or("CNY"))),
                "transaction_id": p.transaction_id,
                "flag": p.flag,
                "created_at": p.created_at.to_rfc3339(),
                "created_local": local(p.created_at),
                "paid_local": p.paid_at.map(local),
            })
        })
        .collect();
    let refunds: Vec<Value> = loaded
        .online
        .refunds
        .iter()
        .map(|r| {
            let provider = loaded.online.payments.iter().find(|p| p.id == r.payment_id).map(|p| p.provider.clone());
            json!({
                "provider": provider,
                "out_refund_no": r.out_refund_no,
                "state": r.state.code(),
                "amount": money(r.amount_minor, &r.currency),
                "reason": r.reason,
                "refund_id": r.refund_id,
                "created_local": local(r.created_at),
            })
        })
        .collect();
    json!({"payments": payments, "refunds": refunds})
}

/// A checkout as JSON: the attempt, and the QR code's URL or the page to go to.
pub fn checkout_view(view: &CheckoutView, locale: Locale) -> Value {
    json!({
        "provider": view.payment.provider,
        "out_trade_no": view.payment.out_trade_no,
        "state": view.payment.state.code(),
        "amount": Money { minor: view.payment.amount_minor, currency: view.payment.currency.clone() }.display_in(locale.tag()),
        "estimate_minor": view.payment.estimate_minor,
        "estimate_display": view.payment.estimate_minor.map(|e| format!("{}.{:02}", e / 100, e % 100)),
        "rate_date": view.payment.rate_date,
        "expires_at": view.payment.expires_at.to_rfc3339(),
        "checkout": view.checkout,
        "pending": view.checkout.is_none(),
    })
}

/// How to pay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"provider": "wechat_pay", "scene": "desktop"}))]
pub struct PaymentRequest {
    /// `wechat_pay` or `alipay`.
    pub provider: String,
    /// `desktop` (a QR code to scan) or `mobile` (a page to go to); `desktop` when absent.
    pub scene: Option<String>,
}

/// The checkout of an order waiting for its online payment, or whose fee is due by the
/// payment notice: the live attempt, or a new one. `pending` means the provider could not
/// be reached; asking again reuses the same attempt.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments", params(crate::api::path_params::Id), request_body = PaymentRequest,
    responses((status = 200, body = Object), (status = 404), (status = 409, description = "nothing to pay, or not with this provider"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PaymentRequest>,
) -> Result<Json<Value>, AppError> {
    let provider = Provider::from_code(&body.provider)
        .ok_or(AppError::Invalid(crate::error::FieldErrors::single("provider", "unknown_choice")))?;
    let scene = match body.scene.as_deref() {
        None | Some("desktop") => Scene::Desktop,
        Some("mobile") => Scene::Mobile,
        Some(_) => return Err(crate::error::FieldErrors::single("scene", "unknown_choice").into()),
    };
    let view = payments::checkout(&state, &current.account, &id, provider, (scene, &ip)).await?;
    Ok(Json(checkout_view(&view, locale)))
}

/// Asks the providers about the order's unsettled payments now; answers the order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments/refresh", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 404)))]
pub async fn refresh(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = payments::refresh(&state, &current.account, &id).await?;
    order(&state, &loaded, locale).await
}

/// Leaves the payment: the order goes back to its payment step (to choose 线下支付).
#[utoipa::path(post, path = "/api/v1/orders/{id}/payments/abandon", params(crate::api::path_params::Id),
    responses((status = 200, body = Object), (status = 404), (status = 409)))]
pub async fn abandon(
    State(state): State<AppState>,
    current: CurrentAccount,
    Lang(locale): Lang,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let loaded = payments::abandon(&state, &current.account, &id).await?;
    order(&state, &loaded, locale).await
}

async fn order(state: &AppState, loaded: &Loaded, locale: Locale) -> Result<Json<Value>, AppError> {
    let view =
        crate::api::order_view::order_value(state, loaded, locale, lingshi_domain::order::Actor::Applicant).await?;
    Ok(Json(view))
}

/// A provider's notification (WeChat Pay: `wechat_pay`; Alipay: `alipay`), signed by it.
/// Answers as the provider's protocol expects; a forged, stale or unreadable notification
/// records nothing.
#[utoipa::path(post, path = "/api/v1/payments/{provider}/notifications",
    params(("provider" = String, Path, description = "`wechat_pay` or `alipay`")),
    responses((status = 204, description = "taken (WeChat Pay)"), (status = 200, description = "taken (Alipay)"),
        (status = 400, description = "refused: not signed by the provider, stale, or unreadable"), (status = 404)))]
pub async fn notification(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (status, text) = payments::receive_notice(&state, &provider, &headers, &body).await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    Ok((status, [("content-type", "application/json")], text).into_response())
}
