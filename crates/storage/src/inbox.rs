//! 我的消息: every notification an applicant is sent (a state change, a payment notice, an
//! interview's booking or reminder, a pension reminder) is also a message kept here, so that
//! nothing depends on delivery alone. Subject and body are sealed to the account (a sealed
//! message cannot be moved to another); a message is read once its owner marks it.

use crate::crypto::{Vault, row_field};
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// The encryption context prefixes of a message's subject and body: the account's id
/// completes them.
pub(crate) const SUBJECT_PREFIX: &str = "inbox_messages.subject";
pub(crate) const BODY_PREFIX: &str = "inbox_messages.body";

/// The newest messages a list shows.
pub const LIST_LIMIT: i64 = 100;

/// A message as its owner reads it.
#[derive(Debug, Clone)]
pub struct InboxMessage {
    pub id: String,
    pub order_id: Option<String>,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: String,
    order_id: Option<String>,
    subject: Vec<u8>,
    body: Vec<u8>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

/// Keeps a message for `account_id` (about `order_id`, if any).
pub async fn add(
    tx: &mut Tx,
    vault: &Vault,
    (account_id, order_id): (&str, Option<&str>),
    (subject, body): (&str, &str),
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    let subject = vault.encrypt_str(&row_field(SUBJECT_PREFIX, account_id), subject)?;
    let body = vault.encrypt_str(&row_field(BODY_PREFIX, account_id), body)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO inbox_messages (id, account_id, order_id, subject, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(account_id)
        .bind(order_id)
        .bind(&subject)
        .bind(&body)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// The newest [`LIST_LIMIT`] messages of `account_id`, newest first.
pub async fn list(db: &Db, vault: &Vault, account_id: &str) -> Result<Vec<InboxMessage>, StorageError> {
    let rows: Vec<MessageRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, order_id, subject, body, created_at, read_at FROM inbox_messages
             WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(LIST_LIMIT)
        .fetch_all(pool)
        .await
    })?;
    rows.into_iter()
        .map(|row| {
            Ok(InboxMessage {
                subject: vault.decrypt_string(&row_field(SUBJECT_PREFIX, account_id), &row.subject)?,
                body: vault.decrypt_string(&row_field(BODY_PREFIX, account_id), &row.body)?,
                id: row.id,
                order_id: row.order_id,
                created_at: row.created_at,
                read_at: row.read_at,
            })
        })
        .collect()
}

/// How many of `account_id`'s messages are unread.
pub async fn unread(db: &Db, account_id: &str) -> Result<i64, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox_messages WHERE account_id = $1 AND read_at IS NULL")
            .bind(account_id)
            .fetch_one(pool)
            .await
    })?)
}

/// Marks `account_id`'s message `id` read (all its messages when `id` is `None`); `NotFound`
/// when the message is not the account's. Reading again keeps the first time.
pub async fn mark_read(
    tx: &mut Tx,
    account_id: &str,
    id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let found: i64 = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox_messages WHERE account_id = $1 AND ($2 IS NULL OR id = $2)")
            .bind(account_id)
            .bind(id)
            .fetch_one(conn)
            .await
    })?;
    if id.is_some() && found == 0 {
        return Err(StorageError::NotFound);
    }
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE inbox_messages SET read_at = $3
             WHERE account_id = $1 AND ($2 IS NULL OR id = $2) AND read_at IS NULL",
        )
        .bind(account_id)
        .bind(id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}
