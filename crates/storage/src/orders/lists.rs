//! The lists an order is read with — its files, counter payments, supplement requests, online
//! payments and refunds, interview bookings and timeline — each one query on the order's id.
//!
//! On SQLite an order and its lists are read on the calling thread, in one snapshot
//! ([`crate::inline_readers`]); PostgreSQL reads them one after another on one connection.

use super::{Order, OrderEvent, OrderFile, OrderRow, Scope};
use crate::crypto::Vault;
use crate::db::Db;
use crate::error::StorageError;
use crate::inline_readers::Snapshot;
use crate::interviews::Booking;
use crate::online_payments::{OnlinePayment, OnlineRefund};
use crate::order_work::{Payment, Supplement};
use rusqlite::ToSql;
use serde::de::DeserializeOwned;
use sqlx::FromRow;
use sqlx::postgres::{PgConnection, PgRow};

/// One of an order's lists: the query that selects it and how a stored row is opened.
pub(crate) trait OrderList: Sized {
    type Row: DeserializeOwned + for<'r> FromRow<'r, PgRow> + Send + Unpin;
    /// Selects the list of the order `$1` (its only parameter), in the order it is shown.
    const SQL: &'static str;
    fn open(row: Self::Row, vault: &Vault) -> Result<Self, StorageError>;
}

/// One list of `order_id`.
pub(crate) async fn read<L: OrderList>(db: &Db, vault: &Vault, order_id: &str) -> Result<Vec<L>, StorageError> {
    match db {
        Db::Sqlite(sqlite) => sqlite.inline().read(|snapshot| read_in(snapshot, vault, order_id)),
        Db::Postgres(pool) => read_on(&mut *pool.acquire().await?, vault, order_id).await,
    }
}

/// One list of `order_id`, in a SQLite snapshot.
fn read_in<L: OrderList>(snapshot: &Snapshot<'_>, vault: &Vault, order_id: &str) -> Result<Vec<L>, StorageError> {
    let rows: Vec<L::Row> = snapshot.rows(L::SQL, &[&order_id])?;
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

/// Every list of `order_id`.
pub async fn read_all(db: &Db, vault: &Vault, order_id: &str) -> Result<OrderLists, StorageError> {
    match db {
        Db::Sqlite(sqlite) => sqlite.inline().read(|snapshot| read_all_in(snapshot, vault, order_id)),
        // One connection for the seven: the pool's ping when a connection goes back is a
        // round trip of its own.
        Db::Postgres(pool) => read_all_on(&mut *pool.acquire().await?, vault, order_id).await,
    }
}

/// The order `id` if it is in `scope`, with its lists: one snapshot on SQLite, one
/// connection on PostgreSQL.
pub async fn find_listed(
    db: &Db,
    vault: &Vault,
    id: &str,
    scope: Scope<'_>,
) -> Result<Option<(Order, OrderLists)>, StorageError> {
    match db {
        Db::Sqlite(sqlite) => sqlite.inline().read(|snapshot| {
            let second = scope.second();
            let params: &[&dyn ToSql] = match &second {
                Some(second) => &[&id, second],
                None => &[&id],
            };
            let Some(row) = snapshot.row::<OrderRow>(scope.sql(), params)? else { return Ok(None) };
            Ok(Some((row.open(vault)?, read_all_in(snapshot, vault, id)?)))
        }),
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

/// Every list of `order_id`, in a SQLite snapshot.
fn read_all_in(snapshot: &Snapshot<'_>, vault: &Vault, order_id: &str) -> Result<OrderLists, StorageError> {
    Ok(OrderLists {
        files: read_in(snapshot, vault, order_id)?,
        payments: read_in(snapshot, vault, order_id)?,
        supplements: read_in(snapshot, vault, order_id)?,
        online_payments: read_in(snapshot, vault, order_id)?,
        online_refunds: read_in(snapshot, vault, order_id)?,
        interviews: read_in(snapshot, vault, order_id)?,
        events: read_in(snapshot, vault, order_id)?,
    })
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
