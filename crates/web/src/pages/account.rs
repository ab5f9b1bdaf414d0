//! The account page and real-name verification: identity details, then the face step.

use crate::auth::CurrentAccount;
use crate::error::AppError;
use crate::extract::{CheckedQuery, Lang, PageForm};
use crate::pages::forms::rerender;
use crate::render::page;
use crate::service::identity::{self, IdentityClaim};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/export", get(export))
        .route("/account/delete", get(delete_page).post(delete_submit))
        .route("/verify", get(verify_form).post(verify_submit))
        .route("/verify/face", get(face_page))
        .route("/verify/face/skip", post(face_skip))
}

async fn account_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Html<String>, AppError> {
    let account = &current.account;
    let identity = lingshi_storage::accounts::identity(&state.db, &state.vault, &account.id).await?;
    let context = json!({
        "mail_failing": crate::service::notify_settings::mail_failing_banner(&state, account).await?,
        "login": account.login,
        "identity_state": account.identity_state.code(),
        "may_apply": account.identity_state.may_apply(),
        "name": identity.as_ref().map(|i| i.name.clone()),
        "document_kind": identity.as_ref().map(|i| i.document_kind.clone()),
    });
    page(&state, locale, "account.html", context)
}

/// "下载我的数据": the same zip as `GET /api/v1/me/export`.
async fn export(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    crate::service::data_export::download(&state, &current.account, locale).await
}

async fn delete_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    _current: CurrentAccount,
) -> Result<Html<String>, AppError> {
    page(&state, locale, "account_delete.html", json!({}))
}

#[derive(Deserialize)]
struct DeleteForm {
    password: String,
}

/// "删除账户": the account goes, the session cookie with it, and the reader lands home.
async fn delete_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    PageForm(form): PageForm<DeleteForm>,
) -> Result<Response, AppError> {
    match crate::service::erasure::erase(&state, &current.account, form.password).await {
        Ok(_) => Ok(crate::pages::forms::redirect_with_session(
            &state,
            crate::auth::SessionKind::Applicant,
            None,
            "/?account=deleted",
        )),
        Err(error) => rerender(&state, locale, "account_delete.html", error, json!({})),
    }
}

async fn verify_form(
    State(state): State<AppState>,
    Lang(locale): Lang,
    _current: CurrentAccount,
    CheckedQuery(query): CheckedQuery<VerifyQuery>,
) -> Result<Html<String>, AppError> {
    let context = json!({"values": {"document_kind": "resident_id"}, "to_apply": query.why == VERIFY_TO_APPLY});
    page(&state, locale, "verify.html", context)
}

/// Why the applicant was sent to real-name verification.
#[derive(Deserialize, Default)]
#[serde(default)]
struct VerifyQuery {
    why: String,
}

/// Where a service sends an account that is not verified yet (Step 3: apply only after it).
pub const VERIFY_TO_APPLY: &str = "apply";

/// The page a service sends an unverified account to, saying why.
pub fn verify_first() -> axum::response::Redirect {
    axum::response::Redirect::to(&format!("/verify?why={VERIFY_TO_APPLY}"))
}

#[derive(Deserialize)]
struct IdentityForm {
    name: String,
    document_kind: String,
    document_number: String,
}

async fn verify_submit(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
    PageForm(form): PageForm<IdentityForm>,
) -> Result<Response, AppError> {
    let outcome = match IdentityClaim::parse(&form.name, &form.document_kind, &form.document_number) {
        Ok(claim) => identity::submit_identity(&state, &current.account, &claim).await,
        Err(errors) => Err(errors.into()),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/verify/face").into_response()),
        Err(error) => {
            let values = json!({"name": form.name, "document_kind": form.document_kind, "document_number": form.document_number});
            rerender(&state, locale, "verify.html", error, values)
        }
    }
}

async fn face_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    current: CurrentAccount,
) -> Result<Response, AppError> {
    if !current.account.identity_state.may_take_face_step() {
        return Ok(Redirect::to("/verify").into_response());
    }
    Ok(page(&state, locale, "verify_face.html", json!({}))?.into_response())
}

async fn face_skip(State(state): State<AppState>, current: CurrentAccount) -> Result<Response, AppError> {
    identity::skip_face(&state, &current.account).await?;
    Ok(Redirect::to("/account").into_response())
}
