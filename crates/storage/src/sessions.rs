//! Login sessions. The cookie carries a random token; only its SHA-256 is stored, so a
//! database reader cannot hijack sessions. Each use slides the idle expiry, up to an
//! absolute lifetime.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Duration, Utc};

/// Who a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Account,
    Staff,
}

impl PrincipalKind {
    pub fn code(self) -> &'static str {
        match self {
            PrincipalKind::Account => "account",
            PrincipalKind::Staff => "staff",
        }
    }
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub kind: PrincipalKind,
    pub principal_id: String,
}

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub idle: Duration,
    pub absolute: Duration,
}

/// SHA-256 of a session token: what the database holds.
pub fn token_hash(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref().to_vec()
}

pub async fn create(
    tx: &mut Tx,
    token: &str,
    session: &Session,
    lifetime: Lifetime,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO sessions (token_hash, principal_kind, principal_id, created_at, idle_expires_at, absolute_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(token))
        .bind(session.kind.code())
        .bind(&session.principal_id)
        .bind(now)
        .bind(now + lifetime.idle)
        .bind(now + lifetime.absolute)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Finds the live session for `token` and slides its idle expiry; `None` when unknown or
/// expired.
pub async fn touch(db: &Db, token: &str, idle: Duration, now: DateTime<Utc>) -> Result<Option<Session>, StorageError> {
    let row: Option<(String, String)> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "UPDATE sessions SET idle_expires_at = $1
             WHERE token_hash = $2 AND idle_expires_at > $3 AND absolute_expires_at > $3
             RETURNING principal_kind, principal_id",
        )
        .bind(now + idle)
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.and_then(|(kind, principal_id)| {
        let kind = match kind.as_str() {
            "account" => PrincipalKind::Account,
            "staff" => PrincipalKind::Staff,
            _ => return None,
        };
        Some(Session { kind, principal_id })
    }))
}

/// Ends one session (logout, or rotation on login).
pub async fn delete(tx: &mut Tx, token: &str) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Ends every session of a principal (after a password reset or when staff are disabled).
pub async fn delete_all_for(tx: &mut Tx, kind: PrincipalKind, principal_id: &str) -> Result<u64, StorageError> {
    let done = crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM sessions WHERE principal_kind = $1 AND principal_id = $2")
            .bind(kind.code())
            .bind(principal_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(done)
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, StorageError> {
    let done = crate::db_run!(db, |pool| {
        sqlx::query("DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(done)
}
