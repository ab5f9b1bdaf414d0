//! An order's timeline: what happened, in which state, with the mission's reply or the
//! applicant's reason sealed.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::order::OrderState;

/// A note is sealed to its order: it cannot be moved to another.
/// The encryption context prefix of an event's note: the order's id completes it.
pub(crate) const NOTE_PREFIX: &str = "order_events.note";

fn note_field(order_id: &str) -> String {
    crate::crypto::row_field(NOTE_PREFIX, order_id)
}

/// One entry of an order's timeline.
#[derive(Debug, Clone)]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    pub state: OrderState,
    /// What happened (`created`, `submitted`, `withdrawn`, `fingerprint_requested`…).
    pub event: String,
    /// The mission's reply or the applicant's reason, if any.
    pub note: Option<String>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct EventRow {
    order_id: String,
    at: DateTime<Utc>,
    state: String,
    event: String,
    note: Option<Vec<u8>>,
}

/// Appends to the timeline of `order_id`.
pub async fn add_event(
    tx: &mut Tx,
    vault: &Vault,
    order_id: &str,
    state: OrderState,
    event: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let note = note.map(|n| vault.encrypt_str(&note_field(order_id), n)).transpose()?;
    crate::tx_run!(tx, |conn| {
        sqlx::query("INSERT INTO order_events (id, order_id, at, state, event, note) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(order_id)
            .bind(now)
            .bind(state.code())
            .bind(event)
            .bind(note)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl super::lists::OrderList for OrderEvent {
    type Row = EventRow;
    /// Oldest first.
    const SQL: &'static str =
        "SELECT order_id, at, state, event, note FROM order_events WHERE order_id = $1 ORDER BY at, id";
    fn open(row: EventRow, vault: &Vault) -> Result<Self, StorageError> {
        Ok(OrderEvent {
            at: row.at,
            state: OrderState::from_code(&row.state).ok_or(StorageError::Corrupt("orders.state"))?,
            note: row.note.map(|n| vault.decrypt_string(&note_field(&row.order_id), &n)).transpose()?,
            event: row.event,
        })
    }
}

/// The timeline of `order_id`, oldest first.
pub async fn events(db: &Db, vault: &Vault, order_id: &str) -> Result<Vec<OrderEvent>, StorageError> {
    super::lists::read(db, vault, order_id).await
}
