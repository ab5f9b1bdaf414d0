//! Consular notices (领事实用资讯) written by mission staff, in one language each, published
//! or not.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// A notice.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Notice {
    pub id: String,
    pub mission_id: String,
    /// `zh-CN` or `en`.
    pub language: String,
    pub title: String,
    /// Markdown, as written.
    pub body: String,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
}

/// A notice's content, checked by the caller.
pub struct NoticeContent<'a> {
    pub language: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

pub async fn create(
    tx: &mut Tx,
    mission_id: &str,
    content: &NoticeContent<'_>,
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO notices (id, mission_id, language, title, body, staff_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&id)
        .bind(mission_id)
        .bind(content.language)
        .bind(content.title)
        .bind(content.body)
        .bind(staff_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// Publishes or withdraws notice `id` of `mission_id`; `NotFound` for another mission's.
pub async fn set_published(
    tx: &mut Tx,
    id: &str,
    mission_id: &str,
    published: bool,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let changed = crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE notices SET published = $1, updated_at = $2 WHERE id = $3 AND mission_id = $4")
            .bind(published)
            .bind(now)
            .bind(id)
            .bind(mission_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    if changed == 1 { Ok(()) } else { Err(StorageError::NotFound) }
}

/// The mission's notices, newest first: all of them, or only the published ones.
pub async fn list(db: &Db, mission_id: &str, published_only: bool) -> Result<Vec<Notice>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, mission_id, language, title, body, published, updated_at FROM notices
             WHERE mission_id = $1 AND ($2 = FALSE OR published = TRUE) ORDER BY updated_at DESC, id LIMIT 100",
        )
        .bind(mission_id)
        .bind(published_only)
        .fetch_all(pool)
        .await
    })?)
}
