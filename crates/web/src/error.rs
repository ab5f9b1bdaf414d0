//! The one error type handlers return, with stable snake_case codes. It renders as the
//! JSON shape `{"error": {"code", "message", "fields": [{"field", "code", "message"}]}}`
//! under `/api`, and as a page elsewhere; messages are translated by
//! [`crate::middleware::render_errors`], which knows the request's language.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lingshi_domain::ValidationError;
use lingshi_storage::StorageError;

/// One refused field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
}

/// Every refused field of one submission, so a form shows all problems at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Collects the errors of several parsed fields.
    pub fn collect<'a>(results: impl IntoIterator<Item = (&'static str, Option<&'a ValidationError>)>) -> Self {
        Self(
            results
                .into_iter()
                .filter_map(|(field, error)| error.map(|e| FieldError { field, code: e.code() }))
                .collect(),
        )
    }

    pub fn single(field: &'static str, code: &'static str) -> Self {
        Self(vec![FieldError { field, code }])
    }

    pub fn push(&mut self, field: &'static str, code: &'static str) {
        self.0.push(FieldError { field, code });
    }

    /// Nothing refused, or every refusal at once.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self)) }
    }
}

/// Why a request failed.
#[derive(Debug, Clone)]
pub enum AppError {
    /// 422: one or more fields are invalid.
    Invalid(FieldErrors),
    /// 400: the body is not what the endpoint takes (malformed, unknown fields…).
    BadRequest(&'static str),
    /// 401: no valid session.
    Unauthenticated,
    /// 403: authenticated, but not allowed.
    Forbidden(&'static str),
    /// 404: absent, or not the caller's to see.
    NotFound,
    /// 405: the path exists, not with this method.
    MethodNotAllowed,
    /// 409: conflicts with the current state.
    Conflict(&'static str),
    /// 413
    TooLarge,
    /// 415
    UnsupportedMediaType,
    /// 429: slow down; worth trying again after this many seconds (`Retry-After`).
    TooMany(&'static str, u64),
    /// 500: logged once with its cause; the client learns nothing more.
    Internal,
    /// 503: the server sheds load rather than queue for seconds; try again shortly
    /// (`Retry-After`). Nothing was done.
    Overloaded,
    /// 503: the request ran past its deadline and was abandoned; a change it was making
    /// either committed whole or not at all, so the client looks before trying again.
    TimedOut,
    /// 503: an outside service the request needs (the translation server…) cannot be
    /// reached or is busy just now; nothing was done.
    Unavailable(&'static str),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooMany(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Overloaded | AppError::TimedOut | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::BadRequest(code)
            | AppError::Forbidden(code)
            | AppError::Conflict(code)
            | AppError::TooMany(code, _)
            | AppError::Unavailable(code) => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::TooLarge => "too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal => "internal",
            AppError::Overloaded => "overloaded",
            AppError::TimedOut => "timed_out",
        }
    }

    /// Seconds until a refused request is worth trying again, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooMany(_, seconds) => Some(*seconds),
            AppError::Overloaded => Some(1),
            AppError::TimedOut => Some(5),
            AppError::Unavailable(_) => Some(30),
            _ => None,
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(fields) => &fields.0,
            _ => &[],
        }
    }

    /// Logs an unexpected failure once and hides it behind [`AppError::Internal`].
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error.cause = %cause, "internal error");
        AppError::Internal
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Overloaded => AppError::Overloaded,
            StorageError::BlobStore(cause) => {
                tracing::error!(error.cause = %cause, "the file store failed");
                AppError::Unavailable("file_store_unavailable")
            }
            other => AppError::internal(other.diagnostic()),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

impl IntoResponse for AppError {
    /// The body is written later by `render_errors`, which knows the request's language.
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A duration as whole seconds, at least one (a `Retry-After` of 0 would invite a storm).
pub fn seconds(duration: chrono::Duration) -> u64 {
    u64::try_from(duration.num_seconds()).unwrap_or(0).max(1)
}

/// The one shape of every refusal under `/api`: `{"error": {code, message, fields}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable code, a message in the request's language, and each field at
/// fault.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldErrorDetail>,
}

/// One field's problem.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldErrorDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}
