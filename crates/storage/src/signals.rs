//! The relay of video-call signalling between nodes sharing one PostgreSQL database: a
//! message is written here and its id announced with `NOTIFY`, so every node listening
//! reads it and hands it to the parties connected to it. Messages are kept a few minutes
//! (a node that missed a notification has nothing to catch up on: the call renegotiates).

use crate::error::StorageError;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgListener, PgPool};

/// The channel nodes `LISTEN` on; each notification's payload is a message id.
pub const CHANNEL: &str = "lingshi_signals";

/// A relayed message: the room (an order id), who sent it (a connection id) and its body.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Signal {
    pub room: String,
    pub sender: String,
    pub body: String,
}

/// Writes a message and announces it to every node, in one transaction; older messages
/// than `keep_after` are dropped on the way.
pub async fn publish(
    pool: &PgPool,
    signal: &Signal,
    now: DateTime<Utc>,
    keep_after: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM interview_signals WHERE created_at < $1").bind(keep_after).execute(&mut *tx).await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO interview_signals (room, sender, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&signal.room)
    .bind(&signal.sender)
    .bind(&signal.body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(id.to_string()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The message a notification announced, if still kept.
pub async fn read(pool: &PgPool, id: i64) -> Result<Option<Signal>, StorageError> {
    Ok(sqlx::query_as("SELECT room, sender, body FROM interview_signals WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// A connection listening on [`CHANNEL`].
pub async fn listen(pool: &PgPool) -> Result<PgListener, StorageError> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
