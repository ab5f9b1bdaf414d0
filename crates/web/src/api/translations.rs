//! Online translation over JSON (在线翻译): a short text between Chinese and English, French
//! or Dutch, for native apps as for the page.

use crate::error::AppError;
use crate::extract::{ApiJson, ClientKey};
use crate::service::translation::{self, Translation};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/translations", post(translate))
}

/// A text and the two languages (`zh`, `en`, `fr`, `nl`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "我的护照丢了", "source": "zh", "target": "fr"}))]
pub struct TranslationRequest {
    /// At most 500 characters.
    pub text: String,
    pub source: String,
    pub target: String,
}

/// Translates a short text; nothing of it is stored. At most 20 translations per client per
/// 10 minutes; 409 `translation_not_offered` when the mission offers no translation, 503 when
/// its translation service cannot be reached.
#[utoipa::path(post, path = "/api/v1/translations", request_body = TranslationRequest,
    responses((status = 200, body = Translation), (status = 409), (status = 422), (status = 429), (status = 503)))]
pub async fn translate(
    State(state): State<AppState>,
    ClientKey(client): ClientKey,
    ApiJson(body): ApiJson<TranslationRequest>,
) -> Result<Json<Translation>, AppError> {
    Ok(Json(translation::translate(&state, &client, (&body.text, &body.source, &body.target)).await?))
}
