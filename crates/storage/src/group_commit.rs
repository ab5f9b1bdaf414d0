//! Group commit on SQLite: every write transaction runs on one writer connection, each inside
//! a savepoint of an outer transaction that is committed — one `fsync` — when no other writer
//! is waiting (or the batch is full). A change's `commit` returns only once the outer commit
//! that holds it is durable; a change that fails (or is dropped) is rolled back to its
//! savepoint alone and the others commit. Readers keep their own pool connections (WAL).
//!
//! Writers never collide in SQLite's busy handler, and under concurrency many changes share one
//! flush. The commit itself runs in a task of its own, so a request cancelled mid-commit cannot
//! leave the batch open; a member waiting for its batch commits it itself if nobody else did
//! within [`LEADER_GRACE`].

use crate::error::StorageError;
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard};

/// Most changes one flush holds.
const MAX_BATCH: usize = 64;
/// Most changes waiting for the writer; more are refused ([`StorageError::Overloaded`]) rather
/// than queued for seconds.
const MAX_WAITING: usize = 512;
/// How long a member waits for the batch's commit before committing it itself.
const LEADER_GRACE: Duration = Duration::from_millis(3);

/// The outcome of one outer transaction, shared by its members.
#[derive(Default)]
struct Batch {
    outcome: OnceLock<Result<(), String>>,
    done: Notify,
}

impl Batch {
    fn finish(&self, outcome: Result<(), String>) {
        let _ = self.outcome.set(outcome);
        self.done.notify_waiters();
    }
}

/// The writer connection and where its outer transaction stands.
pub struct WriterState {
    conn: SqliteConnection,
    /// The outer transaction is open.
    open: bool,
    /// A change's savepoint is still there: its transaction was dropped without committing.
    dirty: bool,
    members: usize,
    batch: Arc<Batch>,
    /// Outer commits made (the writer's counter).
    flushes: Arc<AtomicU64>,
}

/// The one writer of a SQLite database.
pub struct Writer {
    state: Arc<Mutex<WriterState>>,
    waiting: AtomicUsize,
    changes: AtomicU64,
    flushes: Arc<AtomicU64>,
    max_waiting: usize,
}

/// How many changes were committed, in how many flushes (outer commits), since the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupStats {
    pub changes: u64,
    pub flushes: u64,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("waiting", &self.waiting.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

async fn run(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

/// Counts a writer waiting for the connection until it has it (or gave up).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Writer {
    /// Opens the writer connection with the pool's own options.
    pub async fn open(options: &SqliteConnectOptions) -> Result<Self, StorageError> {
        let conn = options.connect().await?;
        let flushes = Arc::new(AtomicU64::new(0));
        let state = WriterState {
            conn,
            open: false,
            dirty: false,
            members: 0,
            batch: Arc::default(),
            flushes: flushes.clone(),
        };
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
            waiting: AtomicUsize::new(0),
            changes: AtomicU64::new(0),
            flushes,
            max_waiting: MAX_WAITING,
        })
    }

    /// The same writer refusing changes beyond `max_waiting` waiting ones.
    pub fn with_max_waiting(self, max_waiting: usize) -> Self {
        Self { max_waiting, ..self }
    }

    async fn lock(&self) -> OwnedMutexGuard<WriterState> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let _waiting = Waiting(&self.waiting);
        self.state.clone().lock_owned().await
    }

    /// Starts a change: the outer transaction (if none is open) and the change's savepoint.
    /// Refused at once when too many changes are waiting already.
    pub async fn begin(self: &Arc<Self>) -> Result<GroupTx, StorageError> {
        if self.waiting.load(Ordering::SeqCst) >= self.max_waiting {
            return Err(StorageError::Overloaded);
        }
        let mut state = self.lock().await;
        undo_dropped_change(&mut state).await?;
        if !state.open {
            run(&mut state.conn, "BEGIN IMMEDIATE").await?;
            state.open = true;
        }
        run(&mut state.conn, "SAVEPOINT change").await?;
        state.dirty = true;
        Ok(GroupTx { state: Some(state), writer: self.clone() })
    }

    /// Waits until `batch` is committed (or failed); commits it itself if its leader is gone.
    async fn wait(&self, batch: Arc<Batch>) -> Result<(), StorageError> {
        loop {
            let notified = batch.done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(outcome) = batch.outcome.get() {
                return outcome.clone().map_err(commit_failed);
            }
            if tokio::time::timeout(LEADER_GRACE, notified).await.is_err() {
                let mut state = self.lock().await;
                if Arc::ptr_eq(&state.batch, &batch) && state.open {
                    state = commit_in_task(state).await?;
                }
                drop(state);
            }
        }
    }

    pub fn stats(&self) -> GroupStats {
        GroupStats { changes: self.changes.load(Ordering::Relaxed), flushes: self.flushes.load(Ordering::Relaxed) }
    }

    /// Closes the writer connection (the outer transaction, if open, is committed first).
    pub async fn close(&self) {
        let mut state = self.lock().await;
        if state.open {
            let _ = undo_dropped_change(&mut state).await;
            finish(&mut state).await;
        }
        let WriterState { conn, .. } = &mut *state;
        let _ = run(conn, "PRAGMA optimize").await;
    }
}

fn commit_failed(reason: String) -> StorageError {
    StorageError::Database(sqlx::Error::Protocol(format!("group commit failed: {reason}")))
}

/// Rolls back the savepoint of a change whose transaction was dropped without committing.
async fn undo_dropped_change(state: &mut WriterState) -> Result<(), StorageError> {
    if state.dirty {
        if let Err(error) = run(&mut state.conn, "ROLLBACK TO SAVEPOINT change; RELEASE SAVEPOINT change").await {
            // The outer transaction cannot be trusted any more: it fails as a whole.
            let _ = run(&mut state.conn, "ROLLBACK").await;
            state.open = false;
            state.members = 0;
            std::mem::take(&mut state.batch).finish(Err(error.to_string()));
            state.dirty = false;
            return Err(error.into());
        }
        state.dirty = false;
    }
    Ok(())
}

/// Commits the outer transaction and tells its members.
async fn finish(state: &mut WriterState) {
    let outcome = run(&mut state.conn, "COMMIT").await.map_err(|e| e.to_string());
    if outcome.is_ok() {
        state.flushes.fetch_add(1, Ordering::Relaxed);
    }
    if outcome.is_err() {
        let _ = run(&mut state.conn, "ROLLBACK").await;
    }
    state.open = false;
    state.members = 0;
    std::mem::take(&mut state.batch).finish(outcome);
}

/// Commits in a task of its own, so that the caller being cancelled cannot interrupt it.
async fn commit_in_task(mut state: OwnedMutexGuard<WriterState>) -> Result<OwnedMutexGuard<WriterState>, StorageError> {
    tokio::spawn(async move {
        if let Err(error) = undo_dropped_change(&mut state).await {
            tracing::warn!(error.cause = %error.diagnostic(), "group commit: a dropped change could not be undone");
        }
        if state.open {
            finish(&mut state).await;
        }
        state
    })
    .await
    .map_err(|e| commit_failed(e.to_string()))
}

/// One change on the writer connection, inside its savepoint.
pub struct GroupTx {
    state: Option<OwnedMutexGuard<WriterState>>,
    writer: Arc<Writer>,
}

impl Drop for GroupTx {
    /// A change dropped without committing (it failed, or its request went away) is rolled
    /// back to its savepoint; an outer transaction left with nothing in it is ended, so that it
    /// does not hold SQLite's write lock.
    fn drop(&mut self) {
        let Some(mut state) = self.state.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn(async move {
            if undo_dropped_change(&mut state).await.is_ok() && state.open && state.members == 0 {
                if let Err(error) = run(&mut state.conn, "ROLLBACK").await {
                    tracing::warn!(error.cause = %error, "group commit: an empty transaction could not be ended");
                }
                state.open = false;
            }
        });
    }
}

impl GroupTx {
    /// The writer connection, for the change's statements.
    pub fn connection(&mut self) -> &mut SqliteConnection {
        match self.state.as_mut() {
            Some(state) => &mut state.conn,
            None => unreachable!("a group transaction holds the writer until it commits"),
        }
    }

    /// Keeps the change: releases its savepoint, then waits until the outer transaction that
    /// holds it is durable, committing it now if no other change is waiting to join.
    pub async fn commit(mut self) -> Result<(), StorageError> {
        let Some(mut state) = self.state.take() else { return Ok(()) };
        run(&mut state.conn, "RELEASE SAVEPOINT change").await?;
        state.dirty = false;
        state.members += 1;
        let batch = state.batch.clone();
        if self.writer.waiting.load(Ordering::SeqCst) == 0 || state.members >= MAX_BATCH {
            drop(commit_in_task(state).await?);
        } else {
            drop(state);
        }
        self.writer.wait(batch).await?;
        self.writer.changes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[tokio::test]
    async fn changes_beyond_the_waiting_limit_are_refused_at_once_and_the_rest_commit() {
        let dir = std::env::temp_dir().join(format!("lingshi-writer-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", dir.join("w.db").display()))
            .expect("url")
            .create_if_missing(true);
        let writer = Arc::new(Writer::open(&options).await.expect("writer").with_max_waiting(2));
        let holding = writer.begin().await.expect("the first change");
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                let writer = writer.clone();
                tokio::spawn(async move { writer.begin().await.map(drop) })
            })
            .collect();
        while writer.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(writer.begin().await, Err(StorageError::Overloaded)), "the third waiter is shed");
        holding.commit().await.expect("commit");
        for task in waiting {
            task.await.expect("task").expect("a waiting change got its turn");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
