//! Counting login attempts and uses of public services, so that guessing (passwords, check
//! codes) is slowed per login and per client on every node alike (the counts live in the
//! database, not in one process).

use crate::db::Db;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// Records one login attempt; `client_key` is a blind index of the client address.
pub async fn record_login(
    db: &Db,
    login: &str,
    client_key: &[u8],
    succeeded: bool,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query(
            "INSERT INTO login_attempts (id, login, client_key, succeeded, attempted_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(login)
        .bind(client_key)
        .bind(succeeded)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Failed attempts since `since`: against this login, and from this client.
pub async fn recent_failures(
    db: &Db,
    login: &str,
    client_key: &[u8],
    since: DateTime<Utc>,
) -> Result<(i64, i64), StorageError> {
    let by_login: i64 = crate::db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE login = $1 AND NOT succeeded AND attempted_at >= $2",
        )
        .bind(login)
        .bind(since)
        .fetch_one(pool)
        .await
    })?;
    let by_client: i64 = crate::db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_attempts WHERE client_key = $1 AND NOT succeeded AND attempted_at >= $2",
        )
        .bind(client_key)
        .bind(since)
        .fetch_one(pool)
        .await
    })?;
    Ok((by_login, by_client))
}

/// Records one use of a rate-limited public service (`kind`) by a client.
pub async fn record_event(db: &Db, kind: &str, client_key: &[u8], now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query("INSERT INTO rate_events (id, kind, client_key, at) VALUES ($1, $2, $3, $4)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(kind)
            .bind(client_key)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Uses of `kind` by this client since `since`.
pub async fn recent_events(db: &Db, kind: &str, client_key: &[u8], since: DateTime<Utc>) -> Result<i64, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM rate_events WHERE kind = $1 AND client_key = $2 AND at >= $3")
            .bind(kind)
            .bind(client_key)
            .bind(since)
            .fetch_one(pool)
            .await
    })?)
}
