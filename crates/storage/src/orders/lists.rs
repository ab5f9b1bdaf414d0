//! The lists an order is read with — its files, counter payments, supplement requests, online
//! payments and refunds, interview bookings and timeline — each one query on the order's id.
//!
//! Under load an order read spends its time handing queries to SQLite's connection threads
//! (sqlx runs each SQLite connection on a thread of its own and passes every query over a
//! channel), not in SQLite itself. On SQLite the seven lists are therefore one command of seven
//! statements: one hand-off instead of seven; reading an order, the order itself is the first
//! statement of the same command. PostgreSQL, which takes one statement per prepared query,
//! reads them one after another on one connection.

use super::{Order, OrderEvent, OrderFile, OrderRow, Scope};
use crate::crypto::Vault;
use crate::db::Db;
use crate::error::StorageError;
use crate::interviews::Booking;
use crate::online_payments::{OnlinePayment, OnlineRefund};
use crate::order_work::{Payment, Supplement};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteQueryResult, SqliteRow};
use sqlx::{Either, FromRow};
use std::sync::LazyLock;

/// One of an order's lists: the query that selects it and how a stored row is opened.
pub(crate) trait OrderList: Sized {
    type Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin;
    /// Selects the list of the order `$1` (its only parameter), in the order it is shown.
    const SQL: &'static str;
    fn open(row: Self::Row, vault: &Vault) -> Result<Self, StorageError>;
}

/// One list of `order_id`.
pub(crate) async fn read<L: OrderList>(db: &Db, vault: &Vault, order_id: &str) -> Result<Vec<L>, StorageError> {
    let rows: Vec<L::Row> = crate::db_run!(db, |pool| sqlx::query_as(L::SQL).bind(order_id).fetch_all(pool).await)?;
    rows.into_iter().map(|row| L::open(row, vault)).collect()
}

/// One list of `order_id`, on a PostgreSQL connection already taken.
async fn read_on<L: OrderList>(conn: &mut PgConnection, vault: &Vault, order_id: &str) -> Result<Vec<L>, StorageError> {
    let rows: Vec<L::Row> = sqlx::query_as(L::SQL).bind(order_id).fetch_all(conn).await?;
    rows.into_iter().map(|row| L::open(row, vault)).collect()
}

/// Everything listed under an order.
#[derive(Debug, Clone, Default)]
pub struct OrderLists {
    pub files: Vec<OrderFile>,
    pub payments: Vec<Payment>,
    pub supplements: Vec<Supplement>,
    pub online_payments: Vec<OnlinePayment>,
    pub online_refunds: Vec<OnlineRefund>,
    pub interviews: Vec<Booking>,
    pub events: Vec<OrderEvent>,
}

/// The seven queries, in [`OrderLists`]' order.
const LIST_QUERIES: [&str; 7] = [
    OrderFile::SQL,
    Payment::SQL,
    Supplement::SQL,
    OnlinePayment::SQL,
    OnlineRefund::SQL,
    Booking::SQL,
    OrderEvent::SQL,
];

/// `first` then the seven lists, as one SQLite command.
fn sqlite_command(first: Option<&str>) -> String {
    first.into_iter().chain(LIST_QUERIES).collect::<Vec<_>>().join(";\n")
}

/// The seven queries as one SQLite command.
static SQLITE_COMMAND: LazyLock<String> = LazyLock::new(|| sqlite_command(None));

/// The order in each scope, then its seven lists, as one SQLite command.
static SQLITE_FIND_COMMANDS: LazyLock<[String; 3]> = LazyLock::new(|| {
    [Scope::Submitter(""), Scope::Mission(None), Scope::Platform].map(|scope| sqlite_command(Some(scope.sql())))
});

fn find_command(scope: Scope<'_>) -> &'static str {
    let index = match scope {
        Scope::Submitter(_) => 0,
        Scope::Mission(_) => 1,
        Scope::Platform => 2,
    };
    &SQLITE_FIND_COMMANDS[index]
}

/// Every list of `order_id`: in one round trip on SQLite.
pub async fn read_all(db: &Db, vault: &Vault, order_id: &str) -> Result<OrderLists, StorageError> {
    match db {
        Db::Sqlite(sqlite) => {
            let mut reader = sqlite.reader().await?;
            #[allow(deprecated)] // see `statement_rows`
            let rows = statement_rows(sqlx::query(SQLITE_COMMAND.as_str()).bind(order_id).fetch_many(&mut *reader));
            open_lists(rows.await?, vault)
        }
        // One connection for the seven: the pool's ping when a connection goes back is a
        // round trip of its own.
        Db::Postgres(pool) => read_all_on(&mut *pool.acquire().await?, vault, order_id).await,
    }
}

/// The order `id` if it is in `scope`, with its lists: one round trip on SQLite, one
/// connection on PostgreSQL.
pub async fn find_listed(
    db: &Db,
    vault: &Vault,
    id: &str,
    scope: Scope<'_>,
) -> Result<Option<(Order, OrderLists)>, StorageError> {
    match db {
        Db::Sqlite(sqlite) => {
            let mut reader = sqlite.reader().await?;
            #[allow(deprecated)] // see `statement_rows`
            let rows =
                statement_rows(bind_scope!(sqlx::query(find_command(scope)), id, scope).fetch_many(&mut *reader));
            let [order, files, payments, supplements, online_payments, online_refunds, interviews, events] =
                rows.await?;
            let Some(row) = order.first() else { return Ok(None) };
            let order = <OrderRow as FromRow<SqliteRow>>::from_row(row)?.open(vault)?;
            let lists =
                open_lists([files, payments, supplements, online_payments, online_refunds, interviews, events], vault)?;
            Ok(Some((order, lists)))
        }
        Db::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            let row: Option<OrderRow> =
                bind_scope!(sqlx::query_as(scope.sql()), id, scope).fetch_optional(&mut *conn).await?;
            let Some(order) = row.map(|r| r.open(vault)).transpose()? else { return Ok(None) };
            let lists = read_all_on(&mut conn, vault, id).await?;
            Ok(Some((order, lists)))
        }
    }
}

/// Every list of `order_id`, on a PostgreSQL connection already taken.
async fn read_all_on(conn: &mut PgConnection, vault: &Vault, order_id: &str) -> Result<OrderLists, StorageError> {
    Ok(OrderLists {
        files: read_on(conn, vault, order_id).await?,
        payments: read_on(conn, vault, order_id).await?,
        supplements: read_on(conn, vault, order_id).await?,
        online_payments: read_on(conn, vault, order_id).await?,
        online_refunds: read_on(conn, vault, order_id).await?,
        interviews: read_on(conn, vault, order_id).await?,
        events: read_on(conn, vault, order_id).await?,
    })
}

/// The seven lists from their SQLite rows, in [`OrderLists`]' order.
fn open_lists(rows: [Vec<SqliteRow>; 7], vault: &Vault) -> Result<OrderLists, StorageError> {
    let [files, payments, supplements, online_payments, online_refunds, interviews, events] = rows;
    Ok(OrderLists {
        files: open_rows(files, vault)?,
        payments: open_rows(payments, vault)?,
        supplements: open_rows(supplements, vault)?,
        online_payments: open_rows(online_payments, vault)?,
        online_refunds: open_rows(online_refunds, vault)?,
        interviews: open_rows(interviews, vault)?,
        events: open_rows(events, vault)?,
    })
}

/// The rows of each statement of a command of `N` statements.
///
/// sqlx marks several statements in one prepared query as deprecated because only its SQLite
/// driver runs them; that driver is the one used here, and the contract tests read every list
/// through it on SQLite.
async fn statement_rows<const N: usize>(
    mut results: impl futures_util::Stream<Item = Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>> + Unpin,
) -> Result<[Vec<SqliteRow>; N], StorageError> {
    let mut finished = Vec::with_capacity(N);
    let mut current = Vec::new();
    while let Some(result) = results.try_next().await? {
        match result {
            Either::Left(_) => finished.push(std::mem::take(&mut current)),
            Either::Right(row) => current.push(row),
        }
    }
    finished.try_into().map_err(|_| StorageError::Corrupt("order lists: statement count"))
}

fn open_rows<L: OrderList>(rows: Vec<SqliteRow>, vault: &Vault) -> Result<Vec<L>, StorageError> {
    rows.iter().map(|row| L::open(<L::Row as FromRow<SqliteRow>>::from_row(row)?, vault)).collect()
}
