//! A PostgreSQL streaming replica (hot standby) for reads that may lag a little: the staff
//! queue, counts and dashboards. What it has replayed is polled into memory; a read that must
//! see a write (its writer's own, see `lingshi_web::read_after`) goes to the replica only once
//! the replica has replayed past that write's WAL position, else to the primary.

use crate::db::Db;
use crate::error::StorageError;
use std::sync::atomic::{AtomicI64, Ordering};

/// A replica and the WAL position it was last seen to have replayed.
#[derive(Debug)]
pub struct Replica {
    db: Db,
    /// Bytes of WAL replayed, as of the last poll; -1 when unknown (not reached, not a standby).
    replayed: AtomicI64,
}

/// The WAL position of `db`'s latest write, in bytes: what a replica must have replayed to show
/// every change committed so far. `None` on SQLite, which has no replicas.
pub async fn write_position(db: &Db) -> Result<Option<i64>, StorageError> {
    match db {
        Db::Postgres(pool) => {
            Ok(Some(sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").fetch_one(pool).await?))
        }
        Db::Sqlite(_) => Ok(None),
    }
}

impl Replica {
    /// Connects to the standby at `url` (`postgres://…`) and reads how far it has replayed.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StorageError::UnsupportedUrl);
        }
        let replica = Self { db: Db::connect(url).await?, replayed: AtomicI64::new(-1) };
        replica.refresh().await;
        Ok(replica)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Polls how far the replica has replayed; an error (or a server that is not a standby)
    /// leaves it unknown, and reads go to the primary until it answers again.
    pub async fn refresh(&self) {
        let replayed = match &self.db {
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, Option<i64>>("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                    .fetch_one(pool)
                    .await
            }
            Db::Sqlite(_) => Ok(None),
        };
        let replayed = match replayed {
            Ok(position) => position.unwrap_or(-1),
            Err(error) => {
                tracing::warn!(error.cause = %StorageError::from(error).diagnostic(), "the read replica cannot be reached");
                -1
            }
        };
        self.replayed.store(replayed, Ordering::Relaxed);
    }

    /// Whether the replica has replayed every write up to `position` (0: no write to wait for).
    /// The polled value only lags the truth, so `true` is never wrong.
    pub fn has_replayed(&self, position: i64) -> bool {
        let replayed = self.replayed.load(Ordering::Relaxed);
        replayed >= 0 && replayed >= position
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}
