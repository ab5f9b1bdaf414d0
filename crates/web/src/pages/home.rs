//! The home screen (the app's service list) and the language switch.

use crate::auth::MaybeAccount;
use crate::error::AppError;
use crate::extract::Lang;
use crate::i18n::Locale;
use crate::render::page;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/lang", get(switch_language))
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
    let context = json!({"account": signed_in, "account_deleted": query.account == "deleted"});
    page(&state, locale, "home.html", context)
}

#[derive(Deserialize)]
struct LanguageChoice {
    to: String,
    back: Option<String>,
}

/// Stores the chosen language in a cookie and returns to the page the reader was on (only
/// paths on this site, so the switch cannot be used to redirect elsewhere).
async fn switch_language(Query(choice): Query<LanguageChoice>) -> Response {
    let locale = Locale::from_tag(&choice.to).unwrap_or_default();
    let back = choice
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.tag());
    let cookie = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("lang=zh-CN; Path=/"));
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
