//! The payment page (Step 4 四, FAQ 6): the amount, the estimate in yuan with its rate's
//! date, and the QR code to scan (a computer) or the provider's page to go to (a phone);
//! "I have paid" asks the provider at once; an order submitted with WeChat Pay can go back
//! to its payment step to pay offline instead. In demo mode the simulated provider's payer
//! page is linked, and the page says it is a simulation.

use crate::api::order_view::order_value;
use crate::api::payments::checkout_view;
use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{ClientIp, Lang};
use crate::render::page;
use crate::service::orders;
use crate::service::payments::{self, offered};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lingshi_domain::actions::Action;
use lingshi_domain::order::Actor;
use lingshi_integrations::payments::{Checkout, Provider, Scene};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{id}/pay", get(pay_page))
        .route("/orders/{id}/pay/qr.svg", get(qr_code))
        .route("/orders/{id}/pay/check", post(check))
        .route("/orders/{id}/pay/abandon", post(abandon))
}

#[derive(Deserialize, Default)]
struct Which {
    provider: Option<String>,
}

/// A phone's browser is sent on to the provider's page; anything else shows a QR code.
fn scene(headers: &HeaderMap) -> Scene {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ["Mobile", "Android", "iPhone"].iter().any(|m| agent.contains(m)) { Scene::Mobile } else { Scene::Desktop }
}

/// The provider asked for, or the first offered.
fn chosen(state: &AppState, loaded: &orders::Loaded, asked: Option<&str>) -> Result<Provider, AppError> {
    let offered = offered(state, loaded);
    match asked.and_then(Provider::from_code) {
        Some(provider) if offered.contains(&provider) => Ok(provider),
        Some(_) => Err(AppError::NotFound),
        None => offered.first().copied().ok_or(AppError::Conflict("payment_provider_not_offered")),
    }
}

async fn pay_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Query(which): Query<Which>,
) -> Result<Response, AppError> {
    let loaded = orders::load(&state, &current.account, &id).await?;
    if loaded.ensure(Action::PayOnline, Actor::Applicant).is_err() {
        return Ok(Redirect::to(&format!("/orders/{id}")).into_response());
    }
    let provider = chosen(&state, &loaded, which.provider.as_deref())?;
    let view = payments::checkout(&state, &current.account, &id, provider, (scene(&headers), &ip)).await?;
    let back = format!("{}/orders/{id}", crate::pages::download::public_base(&state, &headers));
    // The simulator's payer page, in demo mode: where a person "scans and pays".
    let simulator = state.settings.payments.simulators.get(&provider).and_then(|base| match &view.checkout {
        Some(Checkout::QrCode(code)) => {
            let token = lingshi_integrations::payments::simulated::token_of(code);
            Some(format!("{base}/scan?pr={token}&redirect_url={}", urlencoded(&back)))
        }
        _ => None,
    });
    let redirect = match &view.checkout {
        Some(Checkout::Redirect(url)) => Some(format!("{url}&redirect_url={}", urlencoded(&back))),
        _ => None,
    };
    let context = json!({
        "order": order_value(&state, &loaded, locale, Actor::Applicant).await?,
        "payment": checkout_view(&view, locale),
        "provider": provider.code(),
        "providers": offered(&state, &loaded).iter().map(|p| p.code()).collect::<Vec<_>>(),
        "simulated": state.settings.payments.simulators.contains_key(&provider),
        "simulator": simulator,
        "redirect": redirect,
        "may_abandon": loaded.order.state == lingshi_domain::order::OrderState::PendingPayment,
    });
    Ok(page(&state, locale, "pay.html", context)?.into_response())
}

fn urlencoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).map(|s| s.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// The live attempt's code URL as a QR code.
async fn qr_code(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
    Query(which): Query<Which>,
) -> Result<Response, AppError> {
    let loaded = orders::load(&state, &current.account, &id).await?;
    let provider = chosen(&state, &loaded, which.provider.as_deref())?;
    let code = loaded
        .online
        .payments
        .iter()
        .rev()
        .filter(|p| p.provider == provider.code() && !p.state.is_final())
        .find_map(|p| match p.checkout.as_deref().and_then(|c| serde_json::from_str::<Checkout>(c).ok()) {
            Some(Checkout::QrCode(code)) => Some(code),
            _ => None,
        })
        .ok_or(AppError::NotFound)?;
    let svg = crate::qr::svg(&code)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "private, no-store")], svg).into_response())
}

async fn check(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = payments::refresh(&state, &current.account, &id).await?;
    let still_due = loaded.ensure(Action::PayOnline, Actor::Applicant).is_ok();
    let next = if still_due { format!("/orders/{id}/pay?checked=1") } else { format!("/orders/{id}") };
    Ok(Redirect::to(&next).into_response())
}

async fn abandon(
    State(state): State<AppState>,
    current: CurrentAccount,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let loaded = payments::abandon(&state, &current.account, &id).await?;
    let step = lingshi_domain::application::Step::Payment.code();
    Ok(Redirect::to(&format!("/orders/{}/steps/{step}", loaded.order.id)).into_response())
}
