//! Register (address → code → account), log in, log out, and reset a forgotten password.

use crate::auth::{SessionKind, presented_token};
use crate::error::AppError;
use crate::extract::{CheckedQuery, ClientKey, Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::forms::{blank, local_path, redirect_with_session, rerender, signed_in};
use crate::render::page;
use crate::service::accounts::{self, AddressAndPassword, parse_address};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", blank("register.html").post(register_submit))
        .route("/register/confirm", post(register_confirm))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/password/forgot", blank("password_forgot.html").post(forgot_submit))
        .route("/password/reset", post(reset_submit))
}

/// The register and log-in forms: an address and a password.
#[derive(Deserialize)]
struct AddressPasswordForm {
    address: String,
    password: String,
}

async fn register_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    PageForm(form): PageForm<AddressPasswordForm>,
) -> Result<Response, AppError> {
    let outcome = match AddressAndPassword::parse(&form.address, &form.password) {
        Ok(registration) => accounts::start_registration(&state, registration, locale, &client).await,
        Err(errors) => Err(errors.into()),
    };
    code_requested(&state, locale, outcome, &form.address, ("register_confirm.html", "register.html"))
}

#[derive(Deserialize)]
struct CodeForm {
    address: String,
    code: String,
}

async fn register_confirm(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageForm(form): PageForm<CodeForm>,
) -> Result<Response, AppError> {
    let outcome = match parse_address(&form.address) {
        Ok(address) => accounts::confirm_registration(&state, &address, &form.code).await,
        Err(errors) => Err(errors.into()),
    };
    let form_again = ("register_confirm.html", json!({"address": form.address}));
    signed_in(&state, locale, SessionKind::Applicant, outcome, "/account", form_again)
}

/// Where to go once signed in: the page that sent the applicant here, if it is ours.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Next {
    next: String,
}

async fn login_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    CheckedQuery(query): CheckedQuery<Next>,
) -> Result<Response, AppError> {
    let next = local_path(&query.next).unwrap_or_default();
    Ok(page(&state, locale, "login.html", json!({"values": {"next": next}}))?.into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    address: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, AppError> {
    let previous = presented_token(&headers, SessionKind::Applicant);
    let outcome = match parse_address(&form.address) {
        Ok(address) => accounts::login(&state, &address, form.password, &client, previous).await,
        Err(errors) => Err(errors.into()),
    };
    signed_in(
        &state,
        locale,
        SessionKind::Applicant,
        outcome,
        local_path(&form.next).unwrap_or("/account"),
        ("login.html", json!({"address": form.address, "next": form.next})),
    )
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = presented_token(&headers, SessionKind::Applicant) {
        accounts::logout(&state, &token).await?;
    }
    Ok(redirect_with_session(&state, SessionKind::Applicant, None, "/"))
}

#[derive(Deserialize)]
struct ForgotForm {
    address: String,
}

async fn forgot_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    PageForm(form): PageForm<ForgotForm>,
) -> Result<Response, AppError> {
    let outcome = match parse_address(&form.address) {
        Ok(address) => accounts::start_reset(&state, &address, locale, &client).await,
        Err(errors) => Err(errors.into()),
    };
    code_requested(&state, locale, outcome, &form.address, ("password_reset.html", "password_forgot.html"))
}

#[derive(Deserialize)]
struct ResetForm {
    address: String,
    code: String,
    password: String,
}

async fn reset_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    PageForm(form): PageForm<ResetForm>,
) -> Result<Response, AppError> {
    let outcome = match AddressAndPassword::parse(&form.address, &form.password) {
        Ok(reset) => accounts::confirm_reset(&state, &reset, &form.code).await,
        Err(errors) => Err(errors.into()),
    };
    match outcome {
        Ok(()) => Ok(page(&state, locale, "login.html", json!({"notice": state.catalogs.text(locale, "reset_done")}))?
            .into_response()),
        Err(error) => rerender(&state, locale, "password_reset.html", error, json!({"address": form.address})),
    }
}

/// The answer to a form that asks for a code: the form to enter it (`next`), or the same
/// form (`again`) with what went wrong, keeping the address typed.
fn code_requested(
    state: &AppState,
    locale: Locale,
    outcome: Result<(), AppError>,
    address: &str,
    (next, again): (&str, &str),
) -> Result<Response, AppError> {
    match outcome {
        Ok(()) => Ok(page(state, locale, next, json!({"values": {"address": address}}))?.into_response()),
        Err(error) => rerender(state, locale, again, error, json!({"address": address})),
    }
}
