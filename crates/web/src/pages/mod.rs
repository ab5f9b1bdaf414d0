//! Server-rendered pages for applicants (mobile-first) and the staff console's entry.

mod account;
mod apply;
mod auth;
mod claims;
pub mod download;
pub(crate) mod forms;
mod home;
mod interviews;
mod legalizations;
mod messages;
pub mod missions;
mod notices;
mod notifications;
mod orders;
mod payments;
mod pensions;
mod staff;
mod staff_interviews;
mod staff_members;
mod staff_orders;
mod translation;

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(missions::router())
        .merge(download::router())
        .merge(notices::router())
        .merge(pensions::router())
        .merge(legalizations::router())
        .merge(translation::router())
        .merge(messages::router())
        .merge(notifications::router())
        .merge(apply::router())
        .merge(orders::router())
        .merge(payments::router())
        .merge(interviews::router())
        .merge(staff_interviews::router())
        .merge(staff::router())
        .merge(staff_orders::router())
        .merge(staff_members::router())
        .merge(claims::router())
}
