//! Extractors that turn raw requests into checked input, mapping every way a body can be
//! wrong to a clear 4xx instead of axum's plain-text rejections.

use crate::error::AppError;
use crate::i18n::Locale;
use crate::state::AppState;
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// A JSON body; unknown fields are refused where the target type says
/// `#[serde(deny_unknown_fields)]`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(AppError::BadRequest("malformed_json")),
            Err(JsonRejection::JsonDataError(_)) => Err(AppError::BadRequest("unexpected_json")),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge),
            Err(_) => Err(AppError::BadRequest("unreadable_body")),
        }
    }
}

/// A URL-encoded form body.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(AppError::UnsupportedMediaType),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::TooLarge),
            Err(_) => Err(AppError::BadRequest("malformed_form")),
        }
    }
}

/// A query string; an empty field counts as absent where the target type says so
/// ([`blank_as_none`]), and a malformed one is a clear 400 in the reader's language.
pub struct CheckedQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for CheckedQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(_) => Err(AppError::BadRequest("malformed_query")),
        }
    }
}

/// Reads a whole number as JSON Schema's `integer` admits it: `7` and `7.0` alike (a
/// client's JSON library may write either); a fraction, or a number out of `T`'s range, is
/// refused.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    let number: serde_json::Number = serde::Deserialize::deserialize(deserializer)?;
    let whole = match (number.as_i64(), number.as_f64()) {
        (Some(whole), _) => Some(whole),
        // Within ±2^53 a float is exact; its fraction says whether it is whole.
        (None, Some(float)) if float.fract() == 0.0 && float.abs() <= 9_007_199_254_740_992.0 => Some(float as i64),
        _ => None,
    };
    whole.and_then(|w| T::try_from(w).ok()).ok_or_else(|| serde::de::Error::custom("not a whole number in range"))
}

/// The schema of a date parameter read with [`blank_as_none`]: `YYYY-MM-DD`, or empty for none.
pub fn date_or_blank() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type};
    let date =
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)));
    let blank = ObjectBuilder::new().schema_type(Type::String).max_length(Some(0));
    let either = OneOfBuilder::new().item(date).item(blank);
    Schema::OneOf(either.description(Some("A date (`YYYY-MM-DD`), or empty for none.")).build())
}

/// Reads an optional value whose empty text (a form's untouched field) means absent.
pub fn blank_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
{
    let text: Option<String> = serde::Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| serde::de::Error::custom("unreadable value")),
    }
}

#[cfg(test)]
mod tests {
    use super::whole_number;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug)]
    struct Count(#[serde(deserialize_with = "whole_number")] u16);

    #[test]
    fn whole_numbers_are_read_with_or_without_a_point_and_nothing_else_is() {
        assert_eq!(serde_json::from_value::<Count>(json!(210)).expect("integer").0, 210);
        assert_eq!(serde_json::from_value::<Count>(json!(210.0)).expect("whole float").0, 210);
        for refused in [json!(210.5), json!(-1), json!(70000), json!(1e300), json!("7")] {
            assert!(serde_json::from_value::<Count>(refused.clone()).is_err(), "{refused}");
        }
    }
}

/// The request's language: the `lang` cookie, else `Accept-Language`, else Chinese.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Locale);

/// Reads a cookie's value from the request headers.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The locale for a request's headers.
pub fn locale_of(headers: &axum::http::HeaderMap) -> Locale {
    cookie(headers, "lang")
        .and_then(Locale::from_tag)
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(locale_of(&parts.headers)))
    }
}

/// A keyed hash of the client's address, for per-client rate limits without storing IPs.
#[derive(Debug, Clone)]
pub struct ClientKey(pub Vec<u8>);

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ClientIp(client) = ClientIp::from_request_parts(parts, state).await?;
        Ok(Self(state.vault.blind_index("client", &client)))
    }
}

/// The client's address (from `X-Forwarded-For` behind a trusted proxy), for a payment
/// provider that asks for the payer's; never stored.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .settings
            .trust_forwarded_for
            .then(|| parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
            .flatten()
            .and_then(|v| v.split(',').next())
            .map(|ip| ip.trim().to_owned());
        let direct = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Self(forwarded.or(direct).unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// What a photo or a face capture may be sent as.
pub const IMAGE_TYPES: &[&str] = &["image/jpeg", "image/png"];
/// What a material may be sent as.
pub const MATERIAL_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

/// Refuses a raw upload whose declared type is not one of `allowed` (415). The declared
/// type is only a first gate: intake decides by the bytes.
pub fn require_content_type(headers: &axum::http::HeaderMap, allowed: &[&str]) -> Result<(), AppError> {
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if allowed.contains(&declared) { Ok(()) } else { Err(AppError::UnsupportedMediaType) }
}

/// A stored file as a private, uncached response.
pub fn file_response(content_type: &'static str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "private, no-store")], bytes).into_response()
}
