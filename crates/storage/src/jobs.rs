//! The outbox: work for the outside world (mail, SMS, payments, pushes) written in the same
//! transaction as the change that causes it, and run later by a job runner.
//!
//! Runners claim due jobs with a lease (`locked_until`); a runner that dies loses its lease
//! and another picks the job up, so handlers must be idempotent. A failed job is retried
//! with exponential backoff; one that fails `max_attempts` times is marked `dead` and stays
//! visible to staff instead of looping. Payloads are encrypted: they may hold addresses
//! and codes.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Duration, Utc};

pub(crate) const PAYLOAD_FIELD: &str = "jobs.payload";
/// Retries before a job is declared dead, unless the caller says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;
const BACKOFF_BASE_SECONDS: i64 = 5;
const BACKOFF_CAP_SECONDS: i64 = 3600;

/// Adds a job, due now, in the caller's transaction; returns its id.
pub async fn enqueue(
    tx: &mut Tx,
    vault: &Vault,
    kind: &str,
    payload: &serde_json::Value,
    max_attempts: i32,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    enqueue_at(tx, vault, (kind, payload, max_attempts), now, now).await
}

/// Adds a job due at `run_at` (a poll, a reminder) in the caller's transaction.
pub async fn enqueue_at(
    tx: &mut Tx,
    vault: &Vault,
    (kind, payload, max_attempts): (&str, &serde_json::Value, i32),
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    let sealed = vault.encrypt(PAYLOAD_FIELD, &serde_json::to_vec(payload)?)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, max_attempts, run_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(kind)
        .bind(sealed)
        .bind(max_attempts)
        .bind(run_at)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// A job claimed by a runner.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one; it also names the lease: a later claim counts one more.
    pub attempts: i32,
    pub max_attempts: i32,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    kind: String,
    payload: Vec<u8>,
    attempts: i32,
    max_attempts: i32,
}

const CLAIM_POSTGRES: &str =
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2
     WHERE id IN (
         SELECT id FROM jobs
         WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)
         ORDER BY run_at LIMIT $3
         FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, payload, attempts, max_attempts";

const CLAIM_SQLITE: &str =
    "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2
     WHERE rowid IN (
         SELECT rowid FROM jobs
         WHERE (state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)
         ORDER BY run_at LIMIT $3)
     RETURNING id, kind, payload, attempts, max_attempts";

/// Claims up to `limit` due jobs for `lease`. On PostgreSQL concurrent runners skip each
/// other's rows (`SKIP LOCKED`); SQLite serialises writers, which gives the same guarantee.
pub async fn claim(
    db: &Db,
    vault: &Vault,
    lease: Duration,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<ClaimedJob>, StorageError> {
    let rows: Vec<ClaimedRow> = match db {
        Db::Postgres(pool) => {
            sqlx::query_as(CLAIM_POSTGRES).bind(now + lease).bind(now).bind(limit).fetch_all(pool).await?
        }
        Db::Sqlite(sqlite) => {
            sqlx::query_as(CLAIM_SQLITE)
                .bind(now + lease)
                .bind(now)
                .bind(limit)
                .fetch_all(&mut *sqlite.reader().await?)
                .await?
        }
    };
    rows.into_iter()
        .map(|row| {
            let payload = vault.decrypt(PAYLOAD_FIELD, &row.payload)?;
            Ok(ClaimedJob {
                id: row.id,
                kind: row.kind,
                payload: serde_json::from_slice(&payload)?,
                attempts: row.attempts,
                max_attempts: row.max_attempts,
            })
        })
        .collect()
}

/// Marks a job done and drops its payload: nothing personal outlives the work. Only the
/// lease holder can: once a lease expired and another runner claimed the job again (its
/// `attempts` moved on), a late word from the first runner changes nothing and `false` says so.
pub async fn complete(db: &Db, job: &ClaimedJob, now: DateTime<Utc>) -> Result<bool, StorageError> {
    let empty: &[u8] = &[];
    let changed = crate::db_run!(db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = 'done', payload = $1, locked_until = NULL, last_error = NULL, updated_at = $2
             WHERE id = $3 AND state = 'running' AND attempts = $4",
        )
        .bind(empty)
        .bind(now)
        .bind(&job.id)
        .bind(job.attempts)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// What became of a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    RetryAt(DateTime<Utc>),
    Dead,
}

/// Delay before retry number `attempts` (1-based): 5 s, 10 s, 20 s… capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(20);
    Duration::seconds((BACKOFF_BASE_SECONDS << exponent).min(BACKOFF_CAP_SECONDS))
}

/// Records a failure: schedules a retry with backoff, or marks the job dead when it has
/// used its attempts. `error` must not contain personal data. Only the lease holder can, as
/// for [`complete`]: `None` when the job was claimed again meanwhile.
pub async fn fail(db: &Db, job: &ClaimedJob, error: &str, now: DateTime<Utc>) -> Result<Option<Fate>, StorageError> {
    let fate = if job.attempts >= job.max_attempts { Fate::Dead } else { Fate::RetryAt(now + backoff(job.attempts)) };
    let (state, run_at) = match fate {
        Fate::Dead => ("dead", now),
        Fate::RetryAt(at) => ("pending", at),
    };
    let changed = crate::db_run!(db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, last_error = $3, updated_at = $4
             WHERE id = $5 AND state = 'running' AND attempts = $6",
        )
        .bind(state)
        .bind(run_at)
        .bind(error)
        .bind(now)
        .bind(&job.id)
        .bind(job.attempts)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok((changed == 1).then_some(fate))
}

/// A job as staff see it in the console (no payload).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobSummary {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// Jobs in `state` (`pending`, `running`, `done`, `dead`), newest first.
pub async fn list(db: &Db, state: &str, limit: i64) -> Result<Vec<JobSummary>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, kind, state, attempts, max_attempts, run_at, last_error FROM jobs
             WHERE state = $1 ORDER BY updated_at DESC LIMIT $2",
        )
        .bind(state)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::seconds(5));
        assert_eq!(backoff(2), Duration::seconds(10));
        assert_eq!(backoff(4), Duration::seconds(40));
        assert_eq!(backoff(30), Duration::seconds(3600));
        assert_eq!(backoff(0), Duration::seconds(5));
    }
}
