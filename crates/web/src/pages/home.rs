//! The home screen (the app's service list) and the language switch.

use crate::auth::MaybeAccount;
use crate::error::AppError;
use crate::extract::Lang;
use crate::i18n::Locale;
use crate::render::page;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang", get(switch_language))
        .route("/offline", get(offline))
        .route("/photo-check", crate::pages::forms::blank("photo_check.html"))
}

/// What the home page was sent here to say: `account=deleted` after an account's deletion.
#[derive(Deserialize, Default)]
#[serde(default)]
struct HomeQuery {
    account: String,
}

async fn home(
    State(state): State<AppState>,
    Lang(locale): Lang,
    MaybeAccount(account): MaybeAccount,
    crate::extract::CheckedQuery(query): crate::extract::CheckedQuery<HomeQuery>,
) -> Result<Html<String>, AppError> {
    let signed_in = account.as_ref().map(|a| json!({"identity_state": a.identity_state.code()}));
    // 领事资讯 opens the reference mission's notices (the Embassy in Belgium, whose guide the
    // home screen follows).
    let context = json!({"account": signed_in, "account_deleted": query.account == "deleted",
                         "home_mission": lingshi_storage::seed::BELGIUM});
    page(&state, locale, "home.html", context)
}

/// The page the service worker keeps and shows when a page cannot be reached.
async fn offline(State(state): State<AppState>, Lang(locale): Lang) -> Result<Html<String>, AppError> {
    page(&state, locale, "offline.html", json!({"offline": true}))
}

#[derive(Deserialize)]
struct LanguageChoice {
    to: String,
    back: Option<String>,
}

/// Stores the chosen language in a cookie (and, for a signed-in applicant, on the account,
/// so that the platform's messages follow it) and returns to the page the reader was on:
/// `back`, else the page that linked here — only ever a path on this site (of a referrer
/// only its path is kept), so the switch cannot be used to redirect elsewhere.
async fn switch_language(
    State(state): State<AppState>,
    MaybeAccount(account): MaybeAccount,
    headers: HeaderMap,
    Query(choice): Query<LanguageChoice>,
) -> Result<Response, AppError> {
    let locale = Locale::from_tag(&choice.to).unwrap_or_default();
    if let Some(account) = account.filter(|a| a.locale != locale.tag()) {
        let mut tx = state.db.begin().await?;
        lingshi_storage::accounts::set_locale(&mut tx, &account.id, locale.tag(), chrono::Utc::now()).await?;
        tx.commit().await?;
    }
    let referred = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|p| p.as_str().to_owned()));
    let back = choice
        .back
        .or(referred)
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') && !b.starts_with("/lang"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.tag());
    let cookie = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("lang=zh-CN; Path=/"));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}
