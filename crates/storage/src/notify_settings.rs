//! How an applicant is told of their orders: by their login address, by a mobile number they
//! added and confirmed (sealed to the account, shown masked), or both; and whether a bounce
//! said their e-mail login cannot be reached.

use crate::crypto::{Vault, row_field};
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// The encryption context prefix of the added mobile: the account's id completes it.
pub(crate) const MOBILE_PREFIX: &str = "accounts.notify_mobile";

/// An account's notification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// `login`, `mobile` or `both`.
    pub via: String,
    /// The added mobile, E.164.
    pub mobile: Option<String>,
    pub mobile_masked: Option<String>,
    /// The status code of the bounce that said the e-mail login cannot be reached.
    pub mail_failing: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    notify_via: String,
    notify_mobile: Option<Vec<u8>>,
    notify_mobile_masked: Option<String>,
    mail_failing: Option<String>,
}

/// The settings of account `id` (`NotFound` when there is no such account).
pub async fn of(db: &Db, vault: &Vault, id: &str) -> Result<NotifySettings, StorageError> {
    let row: Option<SettingsRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT notify_via, notify_mobile, notify_mobile_masked, mail_failing FROM accounts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })?;
    let row = row.ok_or(StorageError::NotFound)?;
    let mobile =
        row.notify_mobile.map(|sealed| vault.decrypt_string(&row_field(MOBILE_PREFIX, id), &sealed)).transpose()?;
    Ok(NotifySettings {
        via: row.notify_via,
        mobile,
        mobile_masked: row.notify_mobile_masked,
        mail_failing: row.mail_failing,
    })
}

/// Sets (or, with `None`, removes) the added mobile `(e164, masked)`; removing it sends
/// notices to the login address again.
pub async fn set_mobile(
    tx: &mut Tx,
    vault: &Vault,
    id: &str,
    mobile: Option<(&str, &str)>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let sealed = mobile.map(|(e164, _)| vault.encrypt_str(&row_field(MOBILE_PREFIX, id), e164)).transpose()?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE accounts SET notify_mobile = $1, notify_mobile_masked = $2,
                 notify_via = CASE WHEN $1 IS NULL THEN 'login' ELSE notify_via END, updated_at = $3
             WHERE id = $4",
        )
        .bind(&sealed)
        .bind(mobile.map(|(_, masked)| masked))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Sets how account `id` is told: `login`, `mobile` or `both` (the caller checks that a mobile
/// is there for the last two).
pub async fn set_via(db: &Db, id: &str, via: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query("UPDATE accounts SET notify_via = $1, updated_at = $2 WHERE id = $3")
            .bind(via)
            .bind(now)
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Marks the account whose e-mail login is `address` as unreachable, with the bounce's
/// `status`; returns whether there is such an account.
pub async fn mark_mail_failing(db: &Db, address: &str, status: &str, now: DateTime<Utc>) -> Result<bool, StorageError> {
    let marked = crate::db_run!(db, |pool| {
        sqlx::query(
            "UPDATE accounts SET mail_failing = $1, mail_failing_at = $2
             WHERE login = $3 AND login_channel = 'email'",
        )
        .bind(status)
        .bind(now)
        .bind(address)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(marked > 0)
}
