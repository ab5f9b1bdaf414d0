//! What the predicted completion dates are computed from: each of a mission's recent orders
//! with its service, application type and state, when its clock last started (its
//! submission, a walk-in's registration, or an answered supplement request) and when it was
//! then made ready, read from the order timeline.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// The timeline events that start an order's clock (again).
pub const CLOCK_STARTS: [&str; 4] = ["submitted", "walk_in_registered", "supplement_provided", "supplement_by_mail"];
/// The event that stops it.
pub const READY: &str = "ready";

/// One order's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub order_id: String,
    pub service: String,
    pub application_type: Option<String>,
    pub state: String,
    pub clock_start: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
}

/// The clock's events of a mission's orders since a time, order by order.
static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let events: Vec<String> = CLOCK_STARTS.iter().chain([&READY]).map(|e| format!("'{e}'")).collect();
    format!(
        "SELECT e.order_id, o.service, o.application_type, o.state, e.event, e.at
         FROM order_events e JOIN orders o ON o.id = e.order_id
         WHERE o.mission_id = $1 AND e.at >= $2 AND e.event IN ({})
         ORDER BY e.order_id, e.at, e.id",
        events.join(", ")
    )
});

#[derive(sqlx::FromRow)]
struct EventRow {
    order_id: String,
    service: String,
    application_type: Option<String>,
    state: String,
    event: String,
    at: DateTime<Utc>,
}

/// The progress of every order of `mission_id` whose clock started since `since`: the last
/// start, and the first "ready" after it.
pub async fn mission_progress(db: &Db, mission_id: &str, since: DateTime<Utc>) -> Result<Vec<Progress>, StorageError> {
    let sql = SQL.as_str();
    let rows: Vec<EventRow> =
        crate::db_run!(db, |pool| sqlx::query_as(sql).bind(mission_id).bind(since).fetch_all(pool).await)?;
    let mut progress: Vec<Progress> = Vec::new();
    for row in rows {
        let starts = CLOCK_STARTS.contains(&row.event.as_str());
        match progress.last_mut().filter(|p| p.order_id == row.order_id) {
            Some(order) if starts => (order.clock_start, order.ready_at) = (row.at, None),
            Some(order) if order.ready_at.is_none() => order.ready_at = Some(row.at),
            Some(_) => {}
            None if starts => progress.push(Progress {
                order_id: row.order_id,
                service: row.service,
                application_type: row.application_type,
                state: row.state,
                clock_start: row.at,
                ready_at: None,
            }),
            // Made ready, but its clock started before the period: not counted.
            None => {}
        }
    }
    Ok(progress)
}
