//! Login sessions. The cookie carries a random token; only its SHA-256 is stored, so a
//! database reader cannot hijack sessions. Use slides the idle expiry, up to an absolute
//! lifetime — at most once a minute ([`SLIDE_EVERY`]): a request inside that minute only
//! reads, so a read never waits on a disk flush. The expiry is set a minute beyond the idle
//! window, so the promise holds: a session lives at least `idle` after its last use.

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

/// How often, at most, a session's idle expiry moves.
pub const SLIDE_EVERY: Duration = Duration::minutes(1);

/// The idle expiry set at `now`: one slide interval beyond the idle window.
fn idle_expiry(now: DateTime<Utc>, idle: Duration) -> DateTime<Utc> {
    now + idle + SLIDE_EVERY
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
        .bind(idle_expiry(now, lifetime.idle))
        .bind(now + lifetime.absolute)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Finds the live session for `token`; `None` when unknown or expired. Slides its idle
/// expiry when the last slide is [`SLIDE_EVERY`] old; otherwise writes nothing.
pub async fn touch(db: &Db, token: &str, idle: Duration, now: DateTime<Utc>) -> Result<Option<Session>, StorageError> {
    let hash = token_hash(token);
    let row: Option<(String, String, DateTime<Utc>)> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT principal_kind, principal_id, idle_expires_at FROM sessions
             WHERE token_hash = $1 AND idle_expires_at > $2 AND absolute_expires_at > $2",
        )
        .bind(&hash)
        .bind(now)
        .fetch_optional(pool)
        .await
    })?;
    let Some((kind, principal_id, expires)) = row else { return Ok(None) };
    if expires - now < idle {
        let slid = idle_expiry(now, idle);
        // Only forward: of two requests sliding at once, one write wins and neither goes back.
        crate::db_run!(db, |pool| {
            sqlx::query("UPDATE sessions SET idle_expires_at = $1 WHERE token_hash = $2 AND idle_expires_at < $1")
                .bind(slid)
                .bind(&hash)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let kind = match kind.as_str() {
        "account" => PrincipalKind::Account,
        "staff" => PrincipalKind::Staff,
        _ => return Ok(None),
    };
    Ok(Some(Session { kind, principal_id }))
}

/// When `token`'s session goes idle, if it exists (for tests and diagnostics).
pub async fn idle_expires_at(db: &Db, token: &str) -> Result<Option<DateTime<Utc>>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT idle_expires_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await
    })?)
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
