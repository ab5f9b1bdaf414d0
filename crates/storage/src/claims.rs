//! Sharing the work among officers: an officer claims an order ("我来处理"), works on it, and
//! releases it; a mission admin reassigns it. A claim lapses once its holder has not worked on
//! the order for the idle time the platform is configured with. Claiming is one conditional
//! `UPDATE`, so two officers claiming at once end with one owner on either backend.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Duration, Utc};

/// What a claim came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The caller holds the order now.
    Yours,
    /// Another officer (their id) holds it and has worked on it within the idle time.
    HeldBy(String),
}

/// Claims order `order_id` for `officer` unless another officer holds a live claim on it.
pub async fn claim(
    tx: &mut Tx,
    order_id: &str,
    officer: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Claimed, StorageError> {
    let taken = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE orders SET claimed_by = $1, claimed_at = $2
             WHERE id = $3 AND (claimed_by IS NULL OR claimed_by = $1 OR claimed_at < $4)",
        )
        .bind(officer)
        .bind(now)
        .bind(order_id)
        .bind(now - idle)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if taken == 1 {
        return Ok(Claimed::Yours);
    }
    let other: Option<Option<String>> = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT claimed_by FROM orders WHERE id = $1").bind(order_id).fetch_optional(conn).await
    })?;
    other.flatten().map(Claimed::HeldBy).ok_or(StorageError::NotFound)
}

/// Gives order `order_id` to `officer` whoever held it (a mission admin's reassignment).
pub async fn assign(tx: &mut Tx, order_id: &str, officer: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    let changed = crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE orders SET claimed_by = $1, claimed_at = $2 WHERE id = $3")
            .bind(officer)
            .bind(now)
            .bind(order_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    if changed == 1 { Ok(()) } else { Err(StorageError::NotFound) }
}

/// Releases the claim on `order_id` if `holder` holds it (any holder when `None`); whether
/// there was one to release.
pub async fn release(tx: &mut Tx, order_id: &str, holder: Option<&str>) -> Result<bool, StorageError> {
    let released = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE orders SET claimed_by = NULL, claimed_at = NULL
             WHERE id = $1 AND claimed_by IS NOT NULL AND ($2 IS NULL OR claimed_by = $2)",
        )
        .bind(order_id)
        .bind(holder)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(released == 1)
}

/// Who holds a live claim on `order_id`, if anyone.
pub async fn holder(
    db: &Db,
    order_id: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Option<String>, StorageError> {
    let found: Option<Option<String>> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT claimed_by FROM orders WHERE id = $1 AND claimed_at >= $2")
            .bind(order_id)
            .bind(now - idle)
            .fetch_optional(pool)
            .await
    })?;
    Ok(found.flatten())
}

/// Marks that `officer` worked on `order_id` now, keeping their claim alive (no-op for others).
pub async fn touch(tx: &mut Tx, order_id: &str, officer: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE orders SET claimed_at = $1 WHERE id = $2 AND claimed_by = $3")
            .bind(now)
            .bind(order_id)
            .bind(officer)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The ids of the orders of `mission_id` that `officer` holds a live claim on, oldest
/// submission first.
pub async fn held_by(
    db: &Db,
    mission_id: &str,
    officer: &str,
    now: DateTime<Utc>,
    idle: Duration,
) -> Result<Vec<String>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT id FROM orders WHERE claimed_by = $1 AND claimed_at >= $2 AND mission_id = $3
             ORDER BY submitted_at, id",
        )
        .bind(officer)
        .bind(now - idle)
        .bind(mission_id)
        .fetch_all(pool)
        .await
    })?)
}
