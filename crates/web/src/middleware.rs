//! Cross-cutting request handling: body limits, security headers, the same-origin rule
//! for writes, request metrics, and translating [`AppError`]s into the caller's language.

use crate::error::AppError;
use crate::extract::locale_of;
use crate::render::error_page;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::time::Instant;

/// Every body is limited; routes that take uploads raise their own limit.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024;

/// Adds the headers every response should carry. The content security policy allows
/// nothing from other origins: no page loads anything from the internet.
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // Served over https (what also marks cookies Secure): browsers are to come back only
    // that way.
    if state.settings.secure_cookies {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; script-src 'self'; \
             style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // `same-origin`, not `no-referrer`: with no-referrer, browsers send `Origin: null` on
    // form posts, which the same-origin rule must refuse.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(self), geolocation=(), microphone=(self)"));
    response
}

/// How long a request may run before it is abandoned with [`AppError::TimedOut`]: long
/// enough for a photo uploaded over a slow phone connection and its check.
pub const REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// Abandons a request that runs past `deadline` ([`REQUEST_DEADLINE`] in the router) with
/// [`AppError::TimedOut`]; its transaction, if any, rolls back as it is dropped. A WebSocket
/// lives on after its upgrade answer, outside this.
pub async fn request_deadline(State(deadline): State<std::time::Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::TimedOut.into_response(),
    }
}

/// Refuses state-changing requests sent from another origin (cross-site request forgery),
/// on top of the SameSite=Lax session cookies.
/// A WebSocket's handshake is a GET, so it is checked the same way where it is upgraded.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && from_another_origin(request.headers()) {
        return AppError::Forbidden("cross_origin").into_response();
    }
    next.run(request).await
}

/// Whether the request says it comes from a page of another origin (a request without
/// `Origin`, from a native app or a same-origin navigation, does not).
pub fn from_another_origin(headers: &axum::http::HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    origin == "null" || origin_host != host
}

/// Counts requests and their latency by route template (never the raw path, which may
/// carry identifiers).
pub async fn record_metrics(request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Writes the body of every [`AppError`] response in the request's language: JSON under
/// `/api`, a page elsewhere. A page that needs a session redirects to the right login.
pub async fn render_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let locale = locale_of(request.headers());
    let path = request.uri().path().to_owned();
    let comes_back = request.method() == axum::http::Method::GET;
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let mut response = next.run(request).await;
    let error = match response.extensions_mut().remove::<AppError>() {
        Some(error) => error,
        None => match framework_failure(&response) {
            Some(error) => error,
            None => return response,
        },
    };
    // Where a page asked for without a session sends the reader back after signing in.
    let back = crate::pages::forms::local_path(&path_and_query).filter(|_| comes_back);
    let mut rendered = render_error(&state, locale, (&path, back), &error);
    if let Some(seconds) = error.retry_after() {
        rendered.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    if let Some(allow) = response.headers().get(header::ALLOW) {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rendered
}

/// The body of `error`'s response: JSON under `/api`, a page (or the login, then `back`)
/// elsewhere.
fn render_error(
    state: &AppState,
    locale: crate::i18n::Locale,
    (path, back): (&str, Option<&str>),
    error: &AppError,
) -> Response {
    let catalogs = &state.catalogs;
    if path.starts_with("/api/") || path == "/openapi.json" {
        let fields = error
            .fields()
            .iter()
            .map(|f| crate::error::FieldErrorDetail {
                field: f.field.to_owned(),
                code: f.code.to_owned(),
                message: catalogs.field_error(locale, f.field, f.code),
            })
            .collect();
        let body = crate::error::ErrorBody {
            error: crate::error::ErrorDetail {
                code: error.code().to_owned(),
                message: catalogs.error(locale, error.code()),
                fields,
            },
        };
        return (error.status(), axum::Json(body)).into_response();
    }
    if matches!(error, AppError::Unauthenticated) {
        if path.starts_with("/staff") {
            return Redirect::to("/staff/login").into_response();
        }
        // Back to the page asked for (a service tile, an order) once signed in.
        let login = match back {
            Some(next) => format!("/login?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default()),
            None => "/login".to_owned(),
        };
        return Redirect::to(&login).into_response();
    }
    (error.status(), error_page(state, locale, error)).into_response()
}

/// Axum answers some failures itself (unknown route, wrong method, body over the limit, an
/// unreadable path or query)
/// with a plain-text body; those get our shape too.
fn framework_failure(response: &Response) -> Option<AppError> {
    let is_plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.to_str().is_ok_and(|t| t.starts_with("text/plain")));
    match response.status() {
        _ if !is_plain => None,
        StatusCode::NOT_FOUND => Some(AppError::NotFound),
        StatusCode::METHOD_NOT_ALLOWED => Some(AppError::MethodNotAllowed),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Some(AppError::UnsupportedMediaType),
        // A JSON body of the right syntax but the wrong shape (axum's own 422).
        StatusCode::UNPROCESSABLE_ENTITY => Some(AppError::BadRequest("malformed_request")),
        StatusCode::PAYLOAD_TOO_LARGE => Some(AppError::TooLarge),
        StatusCode::BAD_REQUEST => Some(AppError::BadRequest("malformed_request")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_request_past_its_deadline_is_abandoned_as_timed_out() {
        let slow = || async {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            "late"
        };
        let app = axum::Router::new()
            .route("/slow", get(slow))
            .route("/quick", get(|| async { "quick" }))
            .layer(axum::middleware::from_fn_with_state(std::time::Duration::from_millis(50), request_deadline));
        let request = |path: &str| Request::builder().uri(path).body(axum::body::Body::empty()).expect("request");
        let late = app.clone().oneshot(request("/slow")).await.expect("response");
        assert_eq!(late.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(late.extensions().get::<AppError>().map(AppError::code), Some("timed_out"));
        let quick = app.oneshot(request("/quick")).await.expect("response");
        assert_eq!(quick.status(), StatusCode::OK);
    }
}
