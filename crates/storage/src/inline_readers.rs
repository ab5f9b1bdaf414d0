//! SQLite reads answered on the calling thread: the reads every authenticated request makes
//! (the session and whom it belongs to, an order with its lists) run through rusqlite on
//! connections of their own, without the hand-off that sqlx's SQLite driver makes for every
//! query (the query goes over a channel to the connection's own thread and its rows come back
//! the same way: two thread switches, which under load cost more than the query itself).
//!
//! Why it is safe to run them where the request runs: in WAL mode a reader never waits for
//! the writer ([`crate::group_commit`]) nor the writer for it, and these are point reads by
//! key, so a worker thread is held for microseconds. Each read is one transaction, so the
//! statements of one read see one snapshot.
//!
//! The SQL is the same text the PostgreSQL path runs (`$1`, `$2`… bound here by name, so a
//! parameter used twice is bound once), and rows decode into the same row structs (through
//! serde, from the columns' names).

use crate::error::StorageError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, ToSql};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long a read waits on a lock: only while another connection recovers the WAL index,
/// which a clean database never needs.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// How many prepared statements each connection keeps (the hot reads are a dozen).
const STATEMENT_CACHE: usize = 32;

/// Connections to one SQLite file, lent for one read at a time. A connection is opened when
/// none is idle, so there are at most as many as threads ever read at once.
pub struct InlineReaders {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for InlineReaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReaders").field("path", &self.path).finish_non_exhaustive()
    }
}

/// One read transaction: every statement run through it sees the same snapshot.
pub struct Snapshot<'c> {
    conn: &'c Connection,
}

impl InlineReaders {
    /// Readers of the database file at `path`; it must exist (the writer creates it).
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` in one read transaction on an idle connection.
    pub fn read<T>(&self, read: impl FnOnce(&Snapshot<'_>) -> Result<T, StorageError>) -> Result<T, StorageError> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let answer = Self::in_transaction(&conn, read);
        // A connection whose transaction could not be closed is not lent again.
        if conn.is_autocommit() {
            self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
        }
        answer
    }

    fn in_transaction<T>(
        conn: &Connection,
        read: impl FnOnce(&Snapshot<'_>) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        conn.prepare_cached("BEGIN")?.execute([])?;
        let answer = read(&Snapshot { conn });
        conn.prepare_cached("COMMIT")?.execute([])?;
        answer
    }

    fn open(&self) -> Result<Connection, StorageError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Nothing lent from here writes; the database refuses if something tries.
        conn.pragma_update(None, "query_only", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }
}

impl Snapshot<'_> {
    /// The rows `sql` selects with `params` bound to `$1`, `$2`…, each decoded as an `R`.
    pub fn rows<R: DeserializeOwned>(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<R>, StorageError> {
        self.decoded(sql, params, serde_rusqlite::from_row_with_columns)
    }

    /// The first row `sql` selects, if any.
    pub fn row<R: DeserializeOwned>(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Option<R>, StorageError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The first row `sql` selects, read as two structs that take the columns they name (say a
    /// principal and its session's expiry).
    pub fn row_pair<A: DeserializeOwned, B: DeserializeOwned>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
    ) -> Result<Option<(A, B)>, StorageError> {
        let pairs = self.decoded(sql, params, |row, columns| {
            Ok((
                serde_rusqlite::from_row_with_columns(row, columns)?,
                serde_rusqlite::from_row_with_columns(row, columns)?,
            ))
        })?;
        Ok(pairs.into_iter().next())
    }

    fn decoded<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        decode: impl Fn(&rusqlite::Row<'_>, &[String]) -> serde_rusqlite::Result<T>,
    ) -> Result<Vec<T>, StorageError> {
        let mut statement = self.conn.prepare_cached(sql)?;
        bind(&mut statement, params)?;
        let columns = serde_rusqlite::columns_from_statement(&statement);
        let mut rows = statement.raw_query();
        let mut decoded = Vec::new();
        while let Some(row) = rows.next()? {
            decoded.push(decode(row, &columns)?);
        }
        Ok(decoded)
    }
}

/// Binds each parameter of `statement` (`$1`, `$2`…) to the value its number names in
/// `params`; a parameter in another form, or without a value, is an error.
fn bind(statement: &mut rusqlite::CachedStatement<'_>, params: &[&dyn ToSql]) -> Result<(), StorageError> {
    for index in 1..=statement.parameter_count() {
        let number = statement.parameter_name(index).and_then(|name| name.strip_prefix('$')?.parse::<usize>().ok());
        let value = number.and_then(|number| params.get(number.checked_sub(1)?)).ok_or_else(|| {
            rusqlite::Error::InvalidParameterName(statement.parameter_name(index).unwrap_or("?").to_owned())
        })?;
        statement.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

/// A time as sqlx writes it to SQLite (RFC 3339, `T`, `+00:00`), so that comparing it with
/// stored times as text agrees with comparing the times.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (InlineReaders, Connection, PathBuf) {
        let dir = std::env::temp_dir().join(format!("lingshi-inline-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("inline.db");
        let writer = Connection::open(&path).expect("open");
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, flag INTEGER NOT NULL, data BLOB);
                 INSERT INTO t VALUES ('a', 1, 1, x'0102'), ('b', 2, 0, NULL);",
            )
            .expect("schema");
        (InlineReaders::new(&path), writer, dir)
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Row {
        id: String,
        n: i64,
        flag: bool,
        data: Option<Vec<u8>>,
    }

    #[test]
    fn a_parameter_used_twice_is_bound_once_and_rows_decode_by_column_name() {
        let (readers, _writer, dir) = database();
        let rows: Vec<Row> = readers
            .read(|s| {
                s.rows(
                    "SELECT data, flag, n, id FROM t WHERE n >= $2 AND ($1 IS NULL OR id = $1) ORDER BY id",
                    &[&None::<String>, &1],
                )
            })
            .expect("rows");
        assert_eq!(
            rows,
            [
                Row { id: "a".into(), n: 1, flag: true, data: Some(vec![1, 2]) },
                Row { id: "b".into(), n: 2, flag: false, data: None }
            ]
        );
        let one: Option<Row> =
            readers.read(|s| s.row("SELECT * FROM t WHERE id = $1 AND n = $2", &[&"b", &2])).expect("row");
        assert_eq!(one.map(|r| r.id).as_deref(), Some("b"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_row_read_as_two_structs_gives_each_its_columns() {
        #[derive(serde::Deserialize)]
        struct Flag {
            flag: bool,
        }
        let (readers, _writer, dir) = database();
        let pair: Option<(Row, Flag)> =
            readers.read(|s| s.row_pair("SELECT * FROM t WHERE id = $1", &[&"a"])).expect("pair");
        let (row, flag) = pair.expect("found");
        assert_eq!((row.n, flag.flag), (1, true));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_time_is_bound_as_sqlx_stores_it() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 23, 49, 16).single().expect("time");
        assert_eq!(timestamp(at), "2026-12-01T23:49:16+00:00");
        let later = at + chrono::Duration::milliseconds(250);
        assert_eq!(timestamp(later), "2026-12-01T23:49:16.250+00:00");
        assert!(timestamp(at) < timestamp(later), "text order is time order");
    }

    #[test]
    fn a_read_sees_one_snapshot_and_the_next_read_sees_later_commits() {
        let (readers, writer, dir) = database();
        let (before, after) = readers
            .read(|s| {
                let before: Vec<Row> = s.rows("SELECT * FROM t", &[])?;
                writer.execute("INSERT INTO t VALUES ('c', 3, 0, NULL)", []).expect("insert");
                let after: Vec<Row> = s.rows("SELECT * FROM t", &[])?;
                Ok((before.len(), after.len()))
            })
            .expect("read");
        assert_eq!((before, after), (2, 2), "a commit during a read is not seen by it");
        let next: Vec<Row> = readers.read(|s| s.rows("SELECT * FROM t", &[])).expect("read");
        assert_eq!(next.len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn writes_and_unbound_parameters_are_refused_and_a_failed_read_leaves_its_connection_fit_for_the_next() {
        let (readers, _writer, dir) = database();
        let refused = readers.read(|s| s.rows::<Row>("DELETE FROM t RETURNING *", &[]));
        assert!(matches!(refused, Err(StorageError::Sqlite(_))), "{refused:?}");
        let unbound = readers.read(|s| s.rows::<Row>("SELECT * FROM t WHERE id = $2", &[&"a"]));
        assert!(matches!(unbound, Err(StorageError::Sqlite(_))), "a parameter without a value: {unbound:?}");
        let wrong_shape = readers.read(|s| s.rows::<Row>("SELECT id FROM t", &[]));
        assert!(matches!(wrong_shape, Err(StorageError::RowShape(_))), "{wrong_shape:?}");
        let rows: Vec<Row> = readers.read(|s| s.rows("SELECT * FROM t", &[])).expect("still reads");
        assert_eq!(rows.len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
