//! Erasing an applicant's account at their request (GDPR article 17): the orders they never
//! submitted go entirely (records, files, timeline); the account keeps only an id, so that
//! the submitted orders it filed — the mission's records, kept for its legal period and then
//! deleted by retention — still have a submitter; its login, password, identity and face
//! capture are gone, and the address and document may be registered again.

use crate::db::Tx;
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// What an erasure removed, and the blobs no record names any more (to delete from disk
/// once the transaction commits).
#[derive(Debug, Default)]
pub struct Erased {
    pub drafts: u64,
    pub submitted_kept: i64,
    pub unnamed_blobs: Vec<String>,
}

/// The orders of the account that were never submitted.
const NEVER_SUBMITTED: &str = "SELECT id FROM orders WHERE submitter_id = $1 AND submitted_at IS NULL";

/// Erases `account_id` within `tx`.
pub async fn erase_account(tx: &mut Tx, account_id: &str, now: DateTime<Utc>) -> Result<Erased, StorageError> {
    let drafts: Vec<String> =
        crate::tx_run!(tx, |conn| sqlx::query_scalar(NEVER_SUBMITTED).bind(account_id).fetch_all(conn).await)?;
    let mut unnamed = Vec::new();
    for draft in &drafts {
        unnamed.extend(crate::retention::delete_order_record(tx, draft).await?);
    }
    let submitted_kept: i64 = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE submitter_id = $1").bind(account_id).fetch_one(conn).await
    })?;
    let face: Option<Option<String>> = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT face_capture_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(conn)
            .await
    })?;
    unnamed.extend(face.flatten());
    crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM inbox_messages WHERE account_id = $1")
            .bind(account_id)
            .execute(conn)
            .await
            .map(|d| d.rows_affected())
    })?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE accounts SET login = $2, password_hash = '', disabled = $3, identity_state = 'unverified',
                 real_name = NULL, notify_mobile = NULL, notify_mobile_masked = NULL, notify_via = 'login', mail_failing = NULL, mail_failing_at = NULL, id_kind = NULL, id_number = NULL, id_number_index = NULL,
                 face_capture_key = NULL, verified_at = NULL, updated_at = $4
             WHERE id = $1",
        )
        .bind(account_id)
        .bind(crate::retention::erased_login(account_id))
        .bind(true)
        .bind(now)
        .execute(conn)
        .await
        .map(|d| d.rows_affected())
    })?;
    Ok(Erased { drafts: drafts.len() as u64, submitted_kept, unnamed_blobs: unnamed })
}
