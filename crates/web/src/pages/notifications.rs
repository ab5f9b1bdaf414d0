//! 通知方式 as pages: choosing where notices go, and adding (code by text message) or removing
//! the mobile they may go to. Each form answers with the page itself, saying what was done.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{ClientKey, Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::forms::rerender;
use crate::render::page;
use crate::service::notify_settings;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

const TEMPLATE: &str = "account_notifications.html";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/notifications", get(show).post(choose))
        .route("/account/notifications/mobile", post(add_mobile))
        .route("/account/notifications/mobile/confirm", post(confirm_mobile))
        .route("/account/notifications/mobile/remove", post(remove_mobile))
}

/// What the page shows: the settings, and the number being added (with the code field once a
/// code is on its way).
async fn values(
    state: &AppState,
    current: &CurrentAccount,
    number: &str,
    awaiting_code: bool,
) -> Result<Value, AppError> {
    let settings = notify_settings::settings(state, &current.account).await?;
    Ok(json!({"via": settings.via, "mobile": settings.mobile_masked, "login": current.account.login,
              "number": number, "awaiting_code": awaiting_code}))
}

/// The page after something was done, saying so with the catalog text `notice`.
async fn done(
    state: &AppState,
    locale: Locale,
    current: &CurrentAccount,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let values = values(state, current, "", false).await?;
    let notice = notice.map(|text| text.replace("{masked}", values["mobile"].as_str().unwrap_or_default()));
    Ok(page(state, locale, TEMPLATE, json!({"values": values, "notice": notice}))?.into_response())
}

async fn show(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    done(&state, locale, &current, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ViaForm {
    via: String,
}

async fn choose(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    PageForm(form): PageForm<ViaForm>,
) -> Result<Response, AppError> {
    match notify_settings::choose(&state, &current.account, &form.via).await {
        Ok(_) => done(&state, locale, &current, Some(state.catalogs.text(locale, "notify_saved").to_owned())).await,
        Err(error) => rerender(&state, locale, TEMPLATE, error, values(&state, &current, "", false).await?),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MobileForm {
    number: String,
    code: String,
}

async fn add_mobile(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    current: CurrentAccount,
    PageForm(form): PageForm<MobileForm>,
) -> Result<Response, AppError> {
    match notify_settings::request_code(&state, &current.account, &form.number, locale, &client).await {
        Ok(()) => {
            let values = values(&state, &current, &form.number, true).await?;
            let notice = state.catalogs.text(locale, "notify_code_sent").replace("{masked}", form.number.trim());
            Ok(page(&state, locale, TEMPLATE, json!({"values": values, "notice": notice}))?.into_response())
        }
        Err(error) => rerender(&state, locale, TEMPLATE, error, values(&state, &current, &form.number, false).await?),
    }
}

async fn confirm_mobile(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    PageForm(form): PageForm<MobileForm>,
) -> Result<Response, AppError> {
    match notify_settings::confirm(&state, &current.account, &form.number, &form.code).await {
        Ok(()) => done(&state, locale, &current, Some(state.catalogs.text(locale, "notify_added").to_owned())).await,
        Err(error) => rerender(&state, locale, TEMPLATE, error, values(&state, &current, &form.number, true).await?),
    }
}

async fn remove_mobile(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    notify_settings::remove(&state, &current.account).await?;
    done(&state, locale, &current, Some(state.catalogs.text(locale, "notify_removed").to_owned())).await
}
