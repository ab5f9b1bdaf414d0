//! The connections SQLite's readers use: a fixed set opened at start and lent one at a time,
//! without the two round trips to the connection's thread that sqlx's pool spends on every
//! loan (a ping when a connection is taken, another when it is given back — on SQLite each is
//! a hand-off to another thread and back, more than a short query costs).
//!
//! Nothing is lost by not asking: an SQLite connection has no far end to hang up, and nothing
//! lent from here holds a transaction across loans (every transaction runs on the writer,
//! [`crate::group_commit`]). A query abandoned half-way is finished or dropped by the
//! connection's thread before it takes the next one, so a connection goes back as it is.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The readers' connections: as many permits as idle connections.
pub struct Readers {
    idle: Mutex<Vec<SqliteConnection>>,
    available: Semaphore,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("available", &self.available.available_permits()).finish_non_exhaustive()
    }
}

/// One connection on loan; it goes back when this is dropped.
pub struct Reader<'a> {
    conn: Option<SqliteConnection>,
    idle: &'a Mutex<Vec<SqliteConnection>>,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    /// Opens `size` connections with `options`.
    pub async fn open(options: &SqliteConnectOptions, size: usize) -> Result<Self, sqlx::Error> {
        let mut connections = Vec::with_capacity(size);
        for _ in 0..size {
            connections.push(options.connect().await?);
        }
        Ok(Self { idle: Mutex::new(connections), available: Semaphore::new(size) })
    }

    /// A connection, once one is free.
    pub async fn acquire(&self) -> Result<Reader<'_>, sqlx::Error> {
        let permit = self.available.acquire().await.map_err(|_| sqlx::Error::PoolClosed)?;
        // A permit stands for an idle connection; without one the set was closed meanwhile.
        let conn = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop().ok_or(sqlx::Error::PoolClosed)?;
        Ok(Reader { conn: Some(conn), idle: &self.idle, _permit: permit })
    }

    /// Refuses further loans and closes the idle connections (one on loan closes when its
    /// borrower lets go of it).
    pub async fn close(&self) {
        self.available.close();
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(PoisonError::into_inner));
        for conn in idle {
            let _ = conn.close().await;
        }
    }
}

impl Deref for Reader<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.conn.as_ref().expect("a reader holds its connection until dropped")
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("a reader holds its connection until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{FutureExt, TryStreamExt};
    use std::str::FromStr;

    async fn readers(size: usize) -> (Readers, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("lingshi-readers-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", dir.join("r.db").display()))
            .expect("url")
            .create_if_missing(true);
        (Readers::open(&options, size).await.expect("readers"), dir)
    }

    #[tokio::test]
    async fn no_more_connections_are_lent_than_there_are_and_a_returned_one_is_lent_again_as_it_was() {
        let (readers, dir) = readers(2).await;
        let mut first = readers.acquire().await.expect("first");
        // A temporary table lives as long as its connection: it tells which connection comes back.
        sqlx::query("CREATE TEMP TABLE marker (x)").execute(&mut *first).await.expect("marker");
        let second = readers.acquire().await.expect("second");
        assert!(readers.acquire().now_or_never().is_none(), "a third borrower waits");
        drop(first);
        let mut again = readers.acquire().now_or_never().expect("a returned connection is lent at once").expect("lent");
        sqlx::query("SELECT x FROM marker").fetch_all(&mut *again).await.expect("the same connection, as it was");
        drop((second, again));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_query_abandoned_half_way_leaves_its_connection_fit_for_the_next_borrower() {
        let (readers, dir) = readers(1).await;
        {
            let mut reader = readers.acquire().await.expect("reader");
            let mut rows = sqlx::query_scalar::<_, i64>(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT i FROM n",
            )
            .fetch(&mut *reader);
            assert_eq!(rows.try_next().await.expect("a row"), Some(1));
        }
        let mut next = readers.acquire().await.expect("the connection came back");
        let answer: i64 = sqlx::query_scalar("SELECT 41 + 1").fetch_one(&mut *next).await.expect("query");
        assert_eq!(answer, 42);
        drop(next);
        readers.close().await;
        assert!(matches!(readers.acquire().await, Err(sqlx::Error::PoolClosed)), "closed readers lend nothing");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
