//! The download page of each mission (the guide's Step 1): what to do to start, and a QR code
//! (drawn here as SVG, no outside service) that leads to the page itself, for posters and
//! leaflets at the mission.

use crate::error::AppError;
use crate::extract::Lang;
use crate::pages::missions::mission_view;
use crate::render::page;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/download/{mission}", get(download_page)).route("/download/{mission}/qr.svg", get(qr_code))
}

/// The platform's base URL as a phone (or a payer coming back from a provider) must reach
/// it: `LINGSHI_PUBLIC_URL`, or the request's own host.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    state.settings.public_url.clone().unwrap_or_else(|| {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
        format!("http://{host}")
    })
}

/// The page's address as a phone scanning the code must reach it.
fn page_url(state: &AppState, headers: &HeaderMap, mission: &str) -> String {
    format!("{}/download/{mission}", public_base(state, headers))
}

async fn download_page(
    State(state): State<AppState>,
    Lang(locale): Lang,
    headers: HeaderMap,
    Path(mission): Path<String>,
) -> Result<Response, AppError> {
    let found = state.directory.find(&state.db, &mission).await?.ok_or(AppError::NotFound)?;
    let context = json!({"mission": mission_view(&found, locale), "url": page_url(&state, &headers, &found.id)});
    Ok(page(&state, locale, "download.html", context)?.into_response())
}

async fn qr_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(mission): Path<String>,
) -> Result<Response, AppError> {
    let found = state.directory.find(&state.db, &mission).await?.ok_or(AppError::NotFound)?;
    let svg = crate::qr::svg(&page_url(&state, &headers, &found.id))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=3600")], svg)
        .into_response())
}
