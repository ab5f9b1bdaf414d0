//! Register (address → code → account), log in, log out, and reset a forgotten password.

use crate::auth::{SessionKind, presented_token};
use crate::error::AppError;
use crate::extract::{ClientKey, Lang, PageForm};
use crate::pages::forms::{blank, redirect_with_session, rerender, signed_in};
use crate::render::page;
use crate::service::accounts::{self, AddressAndPassword, parse_address};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", blank("register.html").post(register_submit))
        .route("/register/confirm", post(register_confirm))
        .route("/login", blank("login.html").post(login_submit))
        .route("/logout", post(logout))
        .route("/password/forgot", blank("password_forgot.html").post(forgot_submit))
        .route("/password/reset", post(reset_submit))
}

#[derive(Deserialize)]
struct RegisterForm {
    address: String,
    password: String,
}

async fn register_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, AppError> {
    let outcome = match AddressAndPassword::parse(&form.address, &form.password) {
        Ok(registration) => accounts::start_registration(&state, registration, locale, &client).await,
        Err(errors) => Err(errors.into()),
    };
    match outcome {
        Ok(()) => Ok(page(&state, locale, "register_confirm.html", json!({"values": {"address": form.address}}))?
            .into_response()),
        Err(error) => rerender(&state, locale, "register.html", error, json!({"address": form.address})),
    }
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

#[derive(Deserialize)]
struct LoginForm {
    address: String,
    password: String,
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
        "/account",
        ("login.html", json!({"address": form.address})),
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
    match outcome {
        Ok(()) => {
            Ok(page(&state, locale, "password_reset.html", json!({"values": {"address": form.address}}))?
                .into_response())
        }
        Err(error) => rerender(&state, locale, "password_forgot.html", error, json!({"address": form.address})),
    }
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
