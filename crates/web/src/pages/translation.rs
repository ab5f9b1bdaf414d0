//! The online translation page (在线翻译): a text, two languages, the translation.

use crate::error::AppError;
use crate::extract::{ClientKey, Lang, PageForm};
use crate::i18n::Locale;
use crate::pages::forms::rerender;
use crate::render::page;
use crate::service::translation;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/translate", get(form).post(translate))
}

/// What the page shows besides the form: whether translation is offered, and whether it is
/// the demo's simulator.
fn service(state: &AppState) -> Value {
    let settings = &state.settings.translation;
    json!({"offered": settings.translator.is_some(), "simulated": settings.simulated})
}

/// Chinese into the reader's language, or from it into Chinese for a Chinese reader.
fn default_values(locale: Locale) -> Value {
    let target = match locale {
        Locale::Fr => "fr",
        Locale::Nl => "nl",
        Locale::En => "en",
        Locale::Zh | Locale::ZhHant => "fr",
    };
    json!({"source": "zh", "target": target})
}

async fn form(State(state): State<AppState>, Lang(locale): Lang) -> Result<Response, AppError> {
    let context = json!({"service": service(&state), "values": default_values(locale)});
    Ok(page(&state, locale, "translate.html", context)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TranslationForm {
    text: String,
    source: String,
    target: String,
}

async fn translate(
    State(state): State<AppState>,
    Lang(locale): Lang,
    ClientKey(client): ClientKey,
    PageForm(form): PageForm<TranslationForm>,
) -> Result<Response, AppError> {
    let values = json!({"text": form.text, "source": form.source, "target": form.target, "service": service(&state)});
    match translation::translate(&state, &client, (&form.text, &form.source, &form.target)).await {
        Ok(done) => {
            let context = json!({"service": service(&state), "values": values, "translation": done});
            Ok(page(&state, locale, "translate.html", context)?.into_response())
        }
        Err(error) => rerender(&state, locale, "translate.html", error, values),
    }
}
