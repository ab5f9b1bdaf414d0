//! A LibreTranslate server on loopback ([`crate::translate`] describes the API): the demo runs
//! it, labelled as a simulation on the translation page, when no `LINGSHI_TRANSLATE_URL` is
//! configured; the tests run it in each way a real server can answer.
//!
//! It translates a small phrase book of consular phrases between Chinese, English, French
//! and Dutch; any other text comes back marked with the target language (`[fr] …`), so a
//! reader of the demo sees that no real translation took place.

use crate::translate::Language;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, PoisonError};

/// How the simulated server answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Behaviour {
    Translate,
    /// 429, as a server does when a client sends too much.
    Busy,
    /// 500 with an error message.
    Failing,
    /// 200 with something that is not the API's JSON.
    Garbage,
}

/// The same phrase in Chinese, English, French and Dutch ([`Language::ALL`]'s order).
const PHRASE_BOOK: &[[&str; 4]] = &[
    ["护照", "passport", "passeport", "paspoort"],
    ["我的护照丢了", "I have lost my passport", "J'ai perdu mon passeport", "Ik ben mijn paspoort kwijt"],
    ["大使馆在哪里？", "Where is the embassy?", "Où est l'ambassade ?", "Waar is de ambassade?"],
    ["谢谢", "thank you", "merci", "dank u"],
    ["请帮帮我", "please help me", "aidez-moi, s'il vous plaît", "help me alstublieft"],
    ["我需要一名医生", "I need a doctor", "J'ai besoin d'un médecin", "Ik heb een dokter nodig"],
];

/// What the simulated server translates `text` into.
pub fn simulated_translation(text: &str, source: Language, target: Language) -> String {
    let column = |language: Language| Language::ALL.iter().position(|l| *l == language).unwrap_or(0);
    PHRASE_BOOK
        .iter()
        .find(|row| row[column(source)].eq_ignore_ascii_case(text.trim()))
        .map_or_else(|| format!("[{}] {text}", target.code()), |row| row[column(target)].to_owned())
}

struct Inner {
    behaviour: Behaviour,
    requests: usize,
}

/// One simulated server; clones share its state.
#[derive(Clone)]
pub struct TranslationServer {
    inner: Arc<Mutex<Inner>>,
    api_key: Option<String>,
}

impl TranslationServer {
    /// A server that asks for `api_key` when given one.
    pub fn new(behaviour: Behaviour, api_key: Option<String>) -> Self {
        Self { inner: Arc::new(Mutex::new(Inner { behaviour, requests: 0 })), api_key }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.with(|inner| inner.behaviour = behaviour);
    }

    /// How many translation requests arrived.
    pub fn requests(&self) -> usize {
        self.with(|inner| inner.requests)
    }

    /// Serves the API on `listener` in the background; returns the server's base URL.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<String> {
        let address = listener.local_addr()?;
        let app = axum::Router::new().route("/translate", post(translate)).with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(format!("http://{address}"))
    }
}

fn refusal(status: StatusCode, error: &str) -> (StatusCode, String) {
    (status, json!({"error": error}).to_string())
}

async fn translate(State(server): State<TranslationServer>, body: axum::body::Bytes) -> (StatusCode, String) {
    let behaviour = server.with(|inner| {
        inner.requests += 1;
        inner.behaviour
    });
    match behaviour {
        Behaviour::Busy => return refusal(StatusCode::TOO_MANY_REQUESTS, "Slowdown: 10 per 1 minute"),
        Behaviour::Failing => return refusal(StatusCode::INTERNAL_SERVER_ERROR, "Cannot translate text"),
        Behaviour::Garbage => return (StatusCode::OK, "<html>maintenance</html>".into()),
        Behaviour::Translate => {}
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return refusal(StatusCode::BAD_REQUEST, "Invalid request: the body is not JSON");
    };
    let field = |name: &str| request.get(name).and_then(Value::as_str);
    if server.api_key.is_some() && field("api_key") != server.api_key.as_deref() {
        return refusal(StatusCode::FORBIDDEN, "Invalid API key");
    }
    let (Some(text), Some(source), Some(target)) = (field("q"), field("source"), field("target")) else {
        return refusal(StatusCode::BAD_REQUEST, "Invalid request: missing q, source or target parameter");
    };
    let (Some(source), Some(target)) = (Language::from_code(source), Language::from_code(target)) else {
        return refusal(StatusCode::BAD_REQUEST, "source or target language is not supported");
    };
    if field("format").is_some_and(|format| format != "text") {
        return refusal(StatusCode::BAD_REQUEST, "only format text is supported");
    }
    (StatusCode::OK, json!({"translatedText": simulated_translation(text, source, target)}).to_string())
}
