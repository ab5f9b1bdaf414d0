//! Lingshi's HTTP layer: server-rendered pages for applicants and staff, the JSON API under
//! `/api/v1` (described at `/openapi.json`), sessions, and the job runner's handlers.
//!
//! Handlers parse input into domain types, call one function of [`service`], and render
//! the result; business rules live in the domain crate and the services.

pub mod api;
pub mod assets;
pub mod auth;
pub mod charts;
pub mod directory;
pub mod error;
pub mod extract;
pub mod health;
pub mod i18n;
pub mod jobs;
pub mod markdown;
pub mod middleware;
pub mod pages;
pub mod qr;
pub mod read_after;
pub mod render;
pub mod service;
pub mod signalling;
pub mod state;

pub use state::{Adapters, AppState, Settings};

use axum::Router;

/// The whole application: pages, API, assets, health and metrics, with its middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router(&state.settings))
        .merge(api::openapi::router())
        .merge(assets::router())
        .merge(health::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), read_after::stamp_changes))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(axum::middleware::from_fn(middleware::same_origin_writes))
        .layer(axum::middleware::from_fn_with_state(middleware::REQUEST_DEADLINE, middleware::request_deadline))
        // Outside every layer that can refuse a request, so all refusals get their body.
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::render_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        // Pages, styles and scripts travel compressed (brotli or gzip, as the browser asks):
        // every applicant page stays small on a phone's slow connection.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(middleware::DEFAULT_BODY_LIMIT))
        .with_state(state)
}
