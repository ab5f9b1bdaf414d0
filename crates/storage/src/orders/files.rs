//! The files attached to an order (photo, signature, face capture, materials): their
//! metadata and slot; the content itself is in the encrypted blob store.

use crate::crypto::{Vault, row_field};
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// The encryption context prefix of a file's reading: the file's id completes it.
pub(crate) const READING_PREFIX: &str = "order_files.reading";

/// A file attached to an order: the photo, the signature, the face capture or a material.
#[derive(Debug, Clone)]
pub struct OrderFile {
    pub id: String,
    pub slot: String,
    pub blob_key: String,
    pub content_kind: String,
    pub size_bytes: i64,
    /// The photo check's report as JSON, for photos.
    pub report: Option<String>,
    /// What was read off the file as JSON (a passport page's machine-readable zone), opened.
    pub reading: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An order file as stored, its reading sealed.
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct FileRow {
    id: String,
    slot: String,
    blob_key: String,
    content_kind: String,
    size_bytes: i64,
    report: Option<String>,
    reading: Option<Vec<u8>>,
    created_at: DateTime<Utc>,
}

/// What is recorded about a stored file.
pub struct NewFile<'a> {
    pub slot: &'a str,
    pub blob_key: &'a str,
    pub content_kind: &'a str,
    pub size_bytes: i64,
    pub report: Option<&'a str>,
    /// Sealed when stored.
    pub reading: Option<&'a str>,
}

/// Attaches a file to `order_id`; with `replace`, the slot's earlier files are detached.
pub async fn put_file(
    tx: &mut Tx,
    vault: &Vault,
    order_id: &str,
    file: &NewFile<'_>,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    if replace {
        crate::tx_run!(tx, |conn| {
            sqlx::query("DELETE FROM order_files WHERE order_id = $1 AND slot = $2")
                .bind(order_id)
                .bind(file.slot)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let reading = file.reading.map(|r| vault.encrypt_str(&row_field(READING_PREFIX, &id), r)).transpose()?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO order_files (id, order_id, slot, blob_key, content_kind, size_bytes, report, reading,
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(order_id)
        .bind(file.slot)
        .bind(file.blob_key)
        .bind(file.content_kind)
        .bind(file.size_bytes)
        .bind(file.report)
        .bind(&reading)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// Detaches file `file_id` from `order_id`; `NotFound` if it is not that order's.
pub async fn remove_file(tx: &mut Tx, order_id: &str, file_id: &str) -> Result<(), StorageError> {
    let removed = crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM order_files WHERE order_id = $1 AND id = $2")
            .bind(order_id)
            .bind(file_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    if removed == 1 { Ok(()) } else { Err(StorageError::NotFound) }
}

impl super::lists::OrderList for OrderFile {
    type Row = FileRow;
    /// By slot, then age.
    const SQL: &'static str = "SELECT id, slot, blob_key, content_kind, size_bytes, report, reading, created_at
         FROM order_files WHERE order_id = $1 ORDER BY slot, created_at, id";
    fn open(row: FileRow, vault: &Vault) -> Result<Self, StorageError> {
        let reading = row.reading.map(|r| vault.decrypt_string(&row_field(READING_PREFIX, &row.id), &r)).transpose()?;
        Ok(OrderFile {
            id: row.id,
            slot: row.slot,
            blob_key: row.blob_key,
            content_kind: row.content_kind,
            size_bytes: row.size_bytes,
            report: row.report,
            reading,
            created_at: row.created_at,
        })
    }
}

/// The files of `order_id`, by slot then age.
pub async fn files(db: &Db, vault: &Vault, order_id: &str) -> Result<Vec<OrderFile>, StorageError> {
    super::lists::read(db, vault, order_id).await
}
