//! Shared handling of submitted forms: re-rendering with messages beside the fields, and
//! responses that set or clear a session cookie.

use crate::auth::{SessionKind, session_cookie};
use crate::error::AppError;
use crate::extract::Lang;
use crate::i18n::Locale;
use crate::render::{field_messages, page};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use serde_json::{Value, json};

/// Shows `template` again after a refused submission: field messages beside their fields,
/// other refusals (too many tries, a conflict) as one message at the top, the values the
/// applicant typed kept (never passwords). Server failures pass through, but for an outside
/// service that cannot be reached just now: nothing was done, so the form comes back with what
/// was typed and says why.
pub fn rerender(
    state: &AppState,
    locale: Locale,
    template: &str,
    error: AppError,
    values: Value,
) -> Result<Response, AppError> {
    let unavailable = matches!(error, AppError::Unavailable(_));
    if (error.status().is_server_error() && !unavailable)
        || matches!(error, AppError::Unauthenticated | AppError::NotFound)
    {
        return Err(error);
    }
    let summary = match error {
        AppError::Invalid(_) => Value::Null,
        ref other => Value::String(state.catalogs.error(locale, other.code())),
    };
    let context = json!({"errors": field_messages(state, locale, &error), "summary": summary, "values": values});
    Ok((error.status(), page(state, locale, template, context)?).into_response())
}

/// A redirect that also sets (or clears, with `None`) a session cookie.
pub fn redirect_with_session(state: &AppState, kind: SessionKind, token: Option<&str>, to: &str) -> Response {
    let cookie = session_cookie(kind, token, state.settings.secure_cookies);
    ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
}

/// `next` if it is a path on this site (`/apply/passport`), never another site
/// (`//evil.example`, `https://…`): where to go back to after signing in.
pub fn local_path(next: &str) -> Option<&str> {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 512
        && next.chars().all(|c| c.is_ascii_graphic());
    safe.then_some(next)
}

/// A `GET` route showing an empty form.
pub fn blank(template: &'static str) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>, Lang(locale): Lang| async move { page(&state, locale, template, json!({})) },
    )
}

/// The answer to a form that signs someone in: on success the session cookie and a
/// redirect to `destination`, otherwise the form again with what went wrong.
pub fn signed_in<T>(
    state: &AppState,
    locale: Locale,
    kind: SessionKind,
    outcome: Result<(T, String), AppError>,
    destination: &str,
    (template, values): (&str, Value),
) -> Result<Response, AppError> {
    match outcome {
        Ok((_, token)) => Ok(redirect_with_session(state, kind, Some(&token), destination)),
        Err(error) => rerender(state, locale, template, error, values),
    }
}
