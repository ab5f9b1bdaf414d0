//! The development message sink: where SMS (and other channels without a configured
//! provider) land on a machine with no gateway, visible to staff and clearly labelled.

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// One message held in the development sink.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DevMessage {
    pub id: String,
    pub channel: String,
    /// Masked recipient (`138****8000`).
    pub recipient: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub async fn add(db: &Db, channel: &str, recipient: &str, body: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query("INSERT INTO dev_outbox (id, channel, recipient, body, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(channel)
            .bind(recipient)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The newest messages first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<DevMessage>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, channel, recipient, body, created_at FROM dev_outbox ORDER BY created_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}
