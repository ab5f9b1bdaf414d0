//! Connecting to either backend with durable settings, and transactions over both: on
//! SQLite through the one writer that commits concurrent changes together
//! ([`crate::group_commit`]), on PostgreSQL on the pool.

use crate::error::StorageError;
use crate::group_commit::{GroupTx, Writer};
use crate::inline_readers::InlineReaders;
use crate::readers::{Reader, Readers};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Postgres, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The file a `sqlite:` URL names; `None` for PostgreSQL and for an in-memory database.
pub fn sqlite_file(url: &str) -> Option<&std::path::Path> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.contains(":memory:")).then_some(std::path::Path::new(path))
}

/// A connection pool to the configured database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgPool),
}

/// A SQLite database: the connections readers use (through sqlx, and on the calling thread
/// for the reads every request makes), and the one writer of every transaction.
#[derive(Clone, Debug)]
pub struct SqliteDb {
    readers: Arc<Readers>,
    inline: Arc<InlineReaders>,
    writer: Arc<Writer>,
}

/// How many connections SQLite's readers share.
const SQLITE_READERS: usize = 8;

impl SqliteDb {
    /// A reader's connection, once one is free.
    pub async fn reader(&self) -> Result<Reader<'_>, sqlx::Error> {
        self.readers.acquire().await
    }

    /// The readers that answer on the calling thread.
    pub fn inline(&self) -> &InlineReaders {
        &self.inline
    }
}

/// Which database a [`Db`] speaks, for the few places where SQL differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open transaction on either backend.
pub enum Tx {
    Sqlite(GroupTx),
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Connects to `url`: `sqlite://path` (created if missing; WAL, `synchronous=FULL`,
    /// foreign keys on) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Notices (e.g. "already exists, skipping") are not worth a log line each start.
            // Every commit waits for its WAL flush, whatever the server's default says: group
            // commit on PostgreSQL is the server's `commit_delay` / `commit_siblings`
            // (README), never `synchronous_commit = off`.
            let options = PgConnectOptions::from_str(url)?
                .options([("client_min_messages", "warning"), ("synchronous_commit", "on")]);
            // sqlx pings a connection when it goes back to the pool, and drops it if the ping
            // fails; a second ping when it is taken again would add a round trip to every query.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let readers = Arc::new(Readers::open(&options, SQLITE_READERS).await?);
            let writer = Arc::new(Writer::open(&options).await?);
            let inline = Arc::new(InlineReaders::new(options.get_filename()));
            Ok(Self::Sqlite(SqliteDb { readers, inline, writer }))
        } else {
            Err(StorageError::UnsupportedUrl)
        }
    }

    /// On SQLite, how many changes were committed in how many flushes.
    pub fn group_commit_stats(&self) -> Option<crate::group_commit::GroupStats> {
        match self {
            Db::Sqlite(sqlite) => Some(sqlite.writer.stats()),
            Db::Postgres(_) => None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts a transaction. On SQLite it is a change of the writer's group commit, which
    /// holds the write lock (`BEGIN IMMEDIATE`): every transaction here writes.
    pub async fn begin(&self) -> Result<Tx, StorageError> {
        Ok(match self {
            Db::Sqlite(sqlite) => Tx::Sqlite(sqlite.writer.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StorageError> {
        crate::db_run!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(sqlite) => {
                sqlite.writer.close().await;
                sqlite.readers.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Makes the transactions that call this with the same `name` take turns until they end
    /// (PostgreSQL: a transaction-scoped advisory lock; on SQLite the one writer already runs
    /// them one at a time), so that a check-then-write in them is safe when several nodes do
    /// it at once.
    pub async fn take_turns(&mut self, name: &str) -> Result<(), StorageError> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(name).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Makes every write of the transaction durable before returning.
    pub async fn commit(self) -> Result<(), StorageError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
