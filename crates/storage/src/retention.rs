//! Which files the retention policy deletes, and deleting their records: the files of closed
//! orders (rejected, completed, withdrawn, deleted) kept past their time, and the whole record
//! of a closed order whose applicant erased their account. An order's last change is when it
//! closed: nothing changes a closed order but this.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::order::OrderState;

/// The slots holding biometric captures: the face step's capture and the interview's
/// snapshots, kept a short time after the order closes.
pub const BIOMETRIC_SLOTS: [&str; 2] = ["face", "interview_snapshot"];

/// A file due for deletion.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueFile {
    pub id: String,
    pub order_id: String,
    pub slot: String,
    pub blob_key: String,
    /// The closed order's state.
    pub state: String,
}

/// Which files of an order a sweep takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The [`BIOMETRIC_SLOTS`].
    Biometric,
    /// Every other slot: the photo, the signature, documents and supplements.
    Material,
}

fn closed_states() -> Vec<String> {
    OrderState::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.code().to_owned()).collect()
}

/// Up to `limit` files of `kind` of `mission_id`'s orders closed before `closed_before`.
pub async fn due_files(
    db: &Db,
    mission_id: &str,
    kind: Kind,
    closed_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueFile>, StorageError> {
    let slot_test = match kind {
        Kind::Biometric => "f.slot IN ($3, $4)",
        Kind::Material => "f.slot NOT IN ($3, $4)",
    };
    let [face, snapshot] = BIOMETRIC_SLOTS;
    let states = closed_states();
    let state_marks: Vec<String> = (0..states.len()).map(|i| format!("${}", 6 + i)).collect();
    let sql = format!(
        "SELECT f.id, f.order_id, f.slot, f.blob_key, o.state FROM order_files f JOIN orders o ON o.id = f.order_id
         WHERE o.mission_id = $1 AND o.updated_at < $2 AND {slot_test} AND o.state IN ({})
         ORDER BY o.updated_at, f.id LIMIT $5",
        state_marks.join(", ")
    );
    Ok(crate::db_run!(db, |pool| {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(mission_id)
            .bind(closed_before)
            .bind(face)
            .bind(snapshot)
            .bind(limit);
        for state in &states {
            query = query.bind(state);
        }
        query.fetch_all(pool).await
    })?)
}

/// Deletes the record of file `file_id`; whether another record still names `blob_key`
/// (then the blob itself must stay).
pub async fn forget_file(tx: &mut Tx, file_id: &str, blob_key: &str) -> Result<bool, StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM order_files WHERE id = $1")
            .bind(file_id)
            .execute(conn)
            .await
            .map(|d| d.rows_affected())
    })?;
    let still_named: i64 = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM order_files WHERE blob_key = $1").bind(blob_key).fetch_one(conn).await
    })?;
    Ok(still_named > 0)
}

/// The login an erased account keeps: its own id, marked (see [`crate::erasure`]).
pub(crate) fn erased_login(account_id: &str) -> String {
    format!("erased:{account_id}")
}

/// Up to `limit` orders of `mission_id` closed before `closed_before` whose applicant erased
/// their account, with their state.
pub async fn due_erased_orders(
    db: &Db,
    mission_id: &str,
    closed_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<(String, String)>, StorageError> {
    let states = closed_states();
    let state_marks: Vec<String> = (0..states.len()).map(|i| format!("${}", 4 + i)).collect();
    let sql = format!(
        "SELECT o.id, o.state FROM orders o JOIN accounts a ON a.id = o.submitter_id
         WHERE o.mission_id = $1 AND o.updated_at < $2 AND a.login = 'erased:' || a.id AND o.state IN ({})
         ORDER BY o.updated_at, o.id LIMIT $3",
        state_marks.join(", ")
    );
    Ok(crate::db_run!(db, |pool| {
        let mut query =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(mission_id).bind(closed_before).bind(limit);
        for state in &states {
            query = query.bind(state);
        }
        query.fetch_all(pool).await
    })?)
}

/// What is filed under an order, children before parents.
const FILED_UNDER_ORDER: [&str; 11] = [
    "message_delivery_parts",
    "message_deliveries",
    "inbox_messages",
    "online_refunds",
    "online_payments",
    "interview_bookings",
    "supplement_requests",
    "order_payments",
    "order_events",
    "order_files",
    "idempotency_keys",
];

/// Deletes order `order_id` and everything filed under it (its audit rows stay: the chain
/// keeps them). Returns the blobs its files named that no record names any more, to delete
/// from disk once the transaction commits.
pub async fn delete_order_record(tx: &mut Tx, order_id: &str) -> Result<Vec<String>, StorageError> {
    let keys: Vec<String> = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT DISTINCT blob_key FROM order_files WHERE order_id = $1")
            .bind(order_id)
            .fetch_all(conn)
            .await
    })?;
    for table in FILED_UNDER_ORDER.into_iter().chain(["orders"]) {
        let key = if table == "orders" { "id" } else { "order_id" };
        let sql = format!("DELETE FROM {table} WHERE {key} = $1");
        crate::tx_run!(tx, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(order_id).execute(conn).await.map(|d| d.rows_affected())
        })?;
    }
    let mut unnamed = Vec::new();
    for key in keys {
        let still_named: i64 = crate::tx_run!(tx, |conn| {
            sqlx::query_scalar("SELECT COUNT(*) FROM order_files WHERE blob_key = $1").bind(&key).fetch_one(conn).await
        })?;
        if still_named == 0 {
            unnamed.push(key);
        }
    }
    Ok(unnamed)
}
