//! The OpenAPI document of the JSON API, served at `/openapi.json`.

use crate::api::{accounts, me, missions, photo_checks};
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Lingshi API", description = "Consular services: accounts, real-name verification, missions."),
    paths(
        accounts::start_registration,
        accounts::confirm_registration,
        accounts::create_session,
        accounts::end_session,
        accounts::start_reset,
        accounts::confirm_reset,
        me::me,
        me::submit_identity,
        me::submit_face,
        me::skip_face,
        missions::list,
        missions::show,
        photo_checks::create,
    )
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
