//! Login sessions. The cookie carries a random token; only its SHA-256 is stored, so a
//! database reader cannot hijack sessions. Use slides the idle expiry, up to an absolute
//! lifetime — at most once a minute ([`SLIDE_EVERY`]): a request inside that minute only
//! reads, so a read never waits on a disk flush. The expiry is set a minute beyond the idle
//! window, so the promise holds: a session lives at least `idle` after its last use.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use crate::inline_readers::timestamp;
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

/// A query for a live session by token hash (`$1`) at a time (`$2`), selecting `$columns` (the
/// principal's, from `p`, when `$join` joins its table as `p`) and the idle expiry as
/// `session_idle_expires_at`; for [`touch_row`].
macro_rules! live_session {
    ($columns:literal, $join:literal) => {
        concat!(
            "SELECT ",
            $columns,
            ", s.idle_expires_at AS session_idle_expires_at FROM sessions s ",
            $join,
            " WHERE s.token_hash = $1 AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2"
        )
    };
}
pub(crate) use live_session;

#[derive(sqlx::FromRow, serde::Deserialize)]
struct SessionRow {
    principal_kind: String,
    principal_id: String,
}

/// Finds the live session for `token`; `None` when unknown or expired. Slides its idle
/// expiry when the last slide is [`SLIDE_EVERY`] old; otherwise writes nothing.
pub async fn touch(db: &Db, token: &str, idle: Duration, now: DateTime<Utc>) -> Result<Option<Session>, StorageError> {
    const SQL: &str = live_session!("s.principal_kind, s.principal_id", "");
    let Some(row) = touch_row::<SessionRow>(db, SQL, token, idle, now).await? else { return Ok(None) };
    let kind = match row.principal_kind.as_str() {
        "account" => PrincipalKind::Account,
        "staff" => PrincipalKind::Staff,
        _ => return Ok(None),
    };
    Ok(Some(Session { kind, principal_id: row.principal_id }))
}

/// What `sql` (a [`live_session!`] query) selects for `token`'s live session, sliding the
/// session as [`touch`] does: one query for the session and whom it belongs to.
pub(crate) async fn touch_row<R>(
    db: &Db,
    sql: &'static str,
    token: &str,
    idle: Duration,
    now: DateTime<Utc>,
) -> Result<Option<R>, StorageError>
where
    R: serde::de::DeserializeOwned + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    /// The session's idle expiry, beside the principal's columns in the same row.
    #[derive(serde::Deserialize)]
    struct Expiry {
        session_idle_expires_at: DateTime<Utc>,
    }
    let hash = token_hash(token);
    let found: Option<(R, DateTime<Utc>)> = match db {
        Db::Sqlite(sqlite) => sqlite
            .inline()
            .read(|snapshot| snapshot.row_pair::<R, Expiry>(sql, &[&hash, &timestamp(now)]))?
            .map(|(selected, expiry)| (selected, expiry.session_idle_expires_at)),
        Db::Postgres(pool) => {
            use sqlx::Row;
            match sqlx::query(sql).bind(&hash).bind(now).fetch_optional(pool).await? {
                Some(row) => Some((R::from_row(&row)?, row.try_get("session_idle_expires_at")?)),
                None => None,
            }
        }
    };
    let Some((selected, expires)) = found else { return Ok(None) };
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
    Ok(Some(selected))
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
