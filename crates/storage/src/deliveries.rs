//! What became of each message the outbox sent: the message (by its outbox job's id), the
//! parts the gateway accepted under its own message ids, and the gateway's delivery
//! receipts. A receipt may arrive before its part is recorded (the gateway answers fast),
//! so receipts are kept by the gateway's id and joined when a delivery is read.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Some parts still wait for the gateway (the outbox will try again).
    Sending,
    /// Accepted by the gateway; no final receipt yet (some gateways never send one).
    Sent,
    Delivered,
    /// Refused by the gateway or reported undeliverable: sending again will not help.
    Undeliverable,
    /// The gateway gave up when its validity period passed.
    Expired,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Undeliverable => "undeliverable",
            DeliveryState::Expired => "expired",
        }
    }
}

/// One attempt at sending a message, as the outbox job saw it.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The outbox job's id.
    pub id: &'a str,
    pub order_id: Option<&'a str>,
    /// `email` or `mobile`.
    pub channel: &'a str,
    /// Masked (`138****8000`).
    pub recipient: &'a str,
    pub parts: usize,
    /// `(part, gateway message id)` accepted in this attempt.
    pub accepted: &'a [(usize, String)],
    /// Why the message is undeliverable, if the gateway refused it for good.
    pub failure: Option<&'a str>,
}

/// A message as staff see it on the order.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub state: DeliveryState,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: String,
    channel: String,
    recipient: String,
    parts: i64,
    failure: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    accepted: i64,
    delivered: i64,
    undeliverable: i64,
    expired: i64,
}

impl DeliveryRow {
    fn state(&self) -> DeliveryState {
        if self.failure.is_some() || self.undeliverable > 0 {
            DeliveryState::Undeliverable
        } else if self.expired > 0 {
            DeliveryState::Expired
        } else if self.accepted < self.parts || self.parts == 0 {
            DeliveryState::Sending
        } else if self.delivered >= self.parts {
            DeliveryState::Delivered
        } else {
            DeliveryState::Sent
        }
    }
}

/// Records an attempt: the message (first time), its parts now accepted, and its failure.
pub async fn record_attempt(db: &Db, attempt: &Attempt<'_>, now: DateTime<Utc>) -> Result<(), StorageError> {
    let mut tx = db.begin().await?;
    let parts = i64::try_from(attempt.parts).unwrap_or(i64::MAX);
    crate::tx_run!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO message_deliveries (id, order_id, channel, recipient, parts, failure, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             ON CONFLICT (id) DO UPDATE SET parts = CASE WHEN excluded.parts > 0 THEN excluded.parts
                                                         ELSE message_deliveries.parts END,
                 failure = excluded.failure, updated_at = excluded.updated_at",
        )
        .bind(attempt.id)
        .bind(attempt.order_id)
        .bind(attempt.channel)
        .bind(attempt.recipient)
        .bind(parts)
        .bind(attempt.failure)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    for (part, provider_id) in attempt.accepted {
        let part = i64::try_from(*part).unwrap_or(i64::MAX);
        crate::tx_run!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO message_delivery_parts (provider_id, delivery_id, order_id, part) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(provider_id)
            .bind(attempt.id)
            .bind(attempt.order_id)
            .bind(part)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
    }
    tx.commit().await
}

/// The parts of message `id` the gateway accepted in earlier attempts.
pub async fn accepted_parts(db: &Db, id: &str) -> Result<Vec<usize>, StorageError> {
    let parts: Vec<i64> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT part FROM message_delivery_parts WHERE delivery_id = $1 ORDER BY part")
            .bind(id)
            .fetch_all(pool)
            .await
    })?;
    Ok(parts.into_iter().filter_map(|part| usize::try_from(part).ok()).collect())
}

/// Records the gateway's final report on its message `provider_id`.
pub async fn record_receipt(db: &Db, provider_id: &str, outcome: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO delivery_receipts (provider_id, outcome, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (provider_id) DO UPDATE SET outcome = excluded.outcome, received_at = excluded.received_at",
        )
        .bind(provider_id)
        .bind(outcome)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

const SELECT: &str = "SELECT d.id, d.channel, d.recipient, d.parts, d.failure, d.created_at, d.updated_at,
        (SELECT COUNT(*) FROM message_delivery_parts p WHERE p.delivery_id = d.id) AS accepted,
        (SELECT COUNT(*) FROM message_delivery_parts p JOIN delivery_receipts r ON r.provider_id = p.provider_id
          WHERE p.delivery_id = d.id AND r.outcome = 'delivered') AS delivered,
        (SELECT COUNT(*) FROM message_delivery_parts p JOIN delivery_receipts r ON r.provider_id = p.provider_id
          WHERE p.delivery_id = d.id AND r.outcome = 'undeliverable') AS undeliverable,
        (SELECT COUNT(*) FROM message_delivery_parts p JOIN delivery_receipts r ON r.provider_id = p.provider_id
          WHERE p.delivery_id = d.id AND r.outcome = 'expired') AS expired
     FROM message_deliveries d";

fn delivery(row: DeliveryRow) -> Delivery {
    let state = row.state();
    Delivery {
        id: row.id,
        channel: row.channel,
        recipient: row.recipient,
        state,
        failure: row.failure,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The messages sent about order `order_id`, oldest first.
pub async fn for_order(db: &Db, order_id: &str) -> Result<Vec<Delivery>, StorageError> {
    let sql = format!("{SELECT} WHERE d.order_id = $1 ORDER BY d.created_at, d.id");
    let rows: Vec<DeliveryRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(order_id).fetch_all(pool).await
    })?;
    Ok(rows.into_iter().map(delivery).collect())
}

/// Message `id`, if it was sent.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<Delivery>, StorageError> {
    let sql = format!("{SELECT} WHERE d.id = $1");
    let row: Option<DeliveryRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(pool).await
    })?;
    Ok(row.map(delivery))
}
