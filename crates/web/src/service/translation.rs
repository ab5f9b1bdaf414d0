//! Online translation (在线翻译, one of the home screen's services in the guide): a short text
//! between Chinese and the mission's languages, through the configured translator, within a
//! per-client allowance. The text is neither stored nor logged; only the count of a client's
//! requests is kept, under a keyed hash of its address.

use crate::error::{AppError, FieldError, FieldErrors};
use crate::service::rate_limits::RateLimit;
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_integrations::translate::{Language, TranslateError};
use serde::Serialize;

/// The longest text translated at once, in characters.
pub const MAX_CHARS: usize = 500;

const ALLOWANCE: RateLimit =
    RateLimit { kind: "translation", allowed: 20, window: Duration::minutes(10), refusal: "too_many_translations" };

/// A translated text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Translation {
    pub text: String,
    pub source: String,
    pub target: String,
    /// The translation comes from the demo's simulated server, not a real translator.
    pub simulated: bool,
}

/// What to translate, checked: the text and the two languages.
struct Request {
    text: String,
    source: Language,
    target: Language,
}

fn checked(text: &str, source: &str, target: &str) -> Result<Request, AppError> {
    let mut problems = Vec::new();
    let text = multi_line_text(text).map_err(|code| problems.push(FieldError { field: "text", code })).ok();
    let language = |field: &'static str, code: &str, problems: &mut Vec<FieldError>| {
        Language::from_code(code.trim()).or_else(|| {
            problems.push(FieldError { field, code: "unknown_choice" });
            None
        })
    };
    let source = language("source", source, &mut problems);
    let target = language("target", target, &mut problems);
    if source.is_some() && source == target {
        problems.push(FieldError { field: "target", code: "translation_same_language" });
    }
    match (text, source, target) {
        (Some(text), Some(source), Some(target)) if problems.is_empty() => Ok(Request { text, source, target }),
        _ => Err(FieldErrors(problems).into()),
    }
}

/// A text of a few lines: trimmed, at most [`MAX_CHARS`] characters, no control characters
/// but line breaks.
fn multi_line_text(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Err("required")
    } else if text.chars().count() > MAX_CHARS {
        Err("too_long")
    } else if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        Err("text_invalid")
    } else {
        Ok(text.to_owned())
    }
}

/// Translates `text` from `source` to `target` (LibreTranslate codes: `zh`, `en`, `fr`, `nl`)
/// for `client`.
pub async fn translate(
    state: &AppState,
    client: &[u8],
    (text, source, target): (&str, &str, &str),
) -> Result<Translation, AppError> {
    let settings = &state.settings.translation;
    let translator = settings.translator.as_ref().ok_or(AppError::Conflict("translation_not_offered"))?;
    let request = checked(text, source, target)?;
    let now = Utc::now();
    ALLOWANCE.ensure_allowed(&state.db, client, now).await?;
    ALLOWANCE.record(&state.db, client, now).await?;
    let translated =
        translator.translate(&request.text, request.source, request.target).await.map_err(|error| match error {
            TranslateError::Busy => AppError::Unavailable("translation_busy"),
            // By kind only: a server's message could quote the text.
            TranslateError::Unreachable => AppError::Unavailable("translation_unavailable"),
            TranslateError::Malformed | TranslateError::Refused(_) => {
                tracing::warn!(error.kind = "refused or unreadable", "translation service failed");
                AppError::Unavailable("translation_unavailable")
            }
        })?;
    Ok(Translation {
        text: translated,
        source: request.source.code().to_owned(),
        target: request.target.code().to_owned(),
        simulated: settings.simulated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked_field_by_field() {
        let codes = |result: Result<Request, AppError>| -> Vec<(&str, &str)> {
            result.err().map(|e| e.fields().iter().map(|f| (f.field, f.code)).collect()).unwrap_or_default()
        };
        assert!(checked("我的护照丢了", "zh", "fr").is_ok());
        assert!(checked("line one\nline two", "en", "nl").is_ok(), "line breaks are text");
        assert_eq!(codes(checked("  ", "zh", "fr")), [("text", "required")]);
        assert_eq!(codes(checked(&"字".repeat(MAX_CHARS + 1), "zh", "fr")), [("text", "too_long")]);
        assert_eq!(codes(checked("a\u{7}b", "en", "fr")), [("text", "text_invalid")]);
        assert_eq!(codes(checked("hello", "de", "xx")), [("source", "unknown_choice"), ("target", "unknown_choice")]);
        assert_eq!(codes(checked("hello", "en", "en")), [("target", "translation_same_language")]);
    }
}
