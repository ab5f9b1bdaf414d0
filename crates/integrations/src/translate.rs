//! Online translation (在线翻译, among the app's home services in the guide): a short text
//! between Chinese and the mission's languages, through a [`Translator`].
//!
//! [`LibreTranslate`] speaks the LibreTranslate HTTP API, which a mission can host itself
//! (no text leaves its servers): `POST /translate` with a JSON body `{q, source, target,
//! format: "text", api_key?}`, answered `{"translatedText": …}`; refusals come as
//! `{"error": …}` with 400 (bad request), 403 (key refused), 429 (slow down) or 500.
//! [`crate::translate_simulator`] speaks the same API on loopback for the demo and the tests.

use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

/// The languages the translation tile offers: Chinese and the languages a mission in Belgium
/// works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Chinese,
    English,
    French,
    Dutch,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Chinese, Language::English, Language::French, Language::Dutch];

    /// The language's code in the LibreTranslate API.
    pub fn code(self) -> &'static str {
        match self {
            Language::Chinese => "zh",
            Language::English => "en",
            Language::French => "fr",
            Language::Dutch => "nl",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|language| language.code() == code)
    }
}

/// Why a text was not translated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TranslateError {
    #[error("the translation service cannot be reached")]
    Unreachable,
    #[error("the translation service is busy")]
    Busy,
    #[error("the translation service refused the request: {0}")]
    Refused(String),
    #[error("the translation service gave an answer that cannot be read")]
    Malformed,
}

/// Something that translates a short text.
#[async_trait]
pub trait Translator: Send + Sync {
    async fn translate(&self, text: &str, source: Language, target: Language) -> Result<String, TranslateError>;
}

/// A client of a LibreTranslate server.
pub struct LibreTranslate {
    client: reqwest::Client,
    endpoint: String,
    api_key: Option<String>,
}

impl LibreTranslate {
    /// A client of the server at `base_url` (`http://translate.internal:5000`), with the API
    /// key the server asks for, if any.
    pub fn new(base_url: &str, api_key: Option<String>) -> Result<Self, TranslateError> {
        let base = reqwest::Url::parse(base_url).map_err(|e| TranslateError::Refused(format!("base URL: {e}")))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| TranslateError::Refused(format!("client: {e}")))?;
        let endpoint = format!("{}/translate", base.as_str().trim_end_matches('/'));
        Ok(Self { client, endpoint, api_key })
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(rename = "translatedText")]
    translated_text: Option<String>,
    error: Option<String>,
}

#[async_trait]
impl Translator for LibreTranslate {
    async fn translate(&self, text: &str, source: Language, target: Language) -> Result<String, TranslateError> {
        let mut body =
            serde_json::json!({"q": text, "source": source.code(), "target": target.code(), "format": "text"});
        if let Some(key) = &self.api_key {
            body["api_key"] = serde_json::Value::String(key.clone());
        }
        let response = self.client.post(&self.endpoint).json(&body).send().await.map_err(|error| {
            tracing::warn!(error.kind = crate::failure_kind(&error), "translation service unreachable");
            TranslateError::Unreachable
        })?;
        let status = response.status();
        let answer: Answer = response.json().await.map_err(|_| TranslateError::Malformed)?;
        match (status.as_u16(), answer) {
            (200, Answer { translated_text: Some(text), .. }) => Ok(text),
            (429, _) => Err(TranslateError::Busy),
            (500..=599, _) => Err(TranslateError::Unreachable),
            (_, Answer { error: Some(error), .. }) => Err(TranslateError::Refused(error)),
            _ => Err(TranslateError::Malformed),
        }
    }
}
