//! The JSON API under `/api/v1`, for native apps and integrations; every operation of the
//! pages is here too. Described by the OpenAPI document at `/openapi.json`.

pub mod accounts;
pub mod claims;
pub mod contract;
pub mod interviews;
pub mod legalizations;
pub mod me;
pub mod messages;
pub mod missions;
pub mod notices;
pub mod notifications;
pub mod openapi;
pub mod order_view;
pub mod orders;
pub mod path_params;
pub mod payments;
pub mod pensions;
pub mod photo_checks;
pub mod staff_interviews;
pub mod staff_members;
pub mod staff_orders;
pub mod translations;

use crate::state::{AppState, Settings};
use axum::Router;

pub fn router(settings: &Settings) -> Router<AppState> {
    Router::new()
        .merge(accounts::router())
        .merge(claims::router())
        .merge(interviews::router())
        .merge(staff_interviews::router(settings))
        .merge(me::router(settings))
        .merge(messages::router())
        .merge(notifications::router())
        .merge(missions::router())
        .merge(legalizations::router())
        .merge(notices::router())
        .merge(orders::router(settings))
        .merge(payments::router())
        .merge(pensions::router(settings))
        .merge(photo_checks::router(settings))
        .merge(staff_orders::router(settings))
        .merge(staff_members::router())
        .merge(translations::router())
}
