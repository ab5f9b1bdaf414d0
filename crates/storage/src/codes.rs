//! One-time codes sent to confirm an address (registration) or to reset a password.
//!
//! A code is stored only as an HMAC of address and code, so a database leak does not reveal
//! live codes and they cannot be brute-forced offline. Issuing a new code voids the earlier
//! ones for the same address and purpose; each code is good for one use, a limited time and
//! a limited number of tries.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Duration, Utc};

const CODE_FIELD: &str = "one_time_codes.code";

/// Why a code is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    ResetPassword,
    /// Confirms a mobile number an account adds for notifications.
    NotifyMobile,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::ResetPassword => "reset_password",
            Purpose::NotifyMobile => "notify_mobile",
        }
    }
}

/// A code about to be stored.
pub struct NewCode<'a> {
    pub purpose: Purpose,
    pub address: &'a str,
    pub code: &'a str,
    /// For registration: the hash of the password chosen, kept until the address is confirmed.
    pub pending_secret: Option<&'a str>,
    pub locale: &'a str,
    pub client_key: &'a [u8],
    pub ttl: Duration,
}

fn code_value(address: &str, code: &str) -> String {
    format!("{address}\u{0}{code}")
}

/// Stores a new code and voids the address's earlier unused codes for the same purpose.
pub async fn issue(tx: &mut Tx, vault: &Vault, new: NewCode<'_>, now: DateTime<Utc>) -> Result<(), StorageError> {
    let purpose = new.purpose.code();
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE one_time_codes SET consumed_at = $1
             WHERE address = $2 AND purpose = $3 AND consumed_at IS NULL",
        )
        .bind(now)
        .bind(new.address)
        .bind(purpose)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO one_time_codes
                 (id, purpose, address, code_hash, pending_secret, locale, client_key, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(purpose)
        .bind(new.address)
        .bind(vault.blind_index(CODE_FIELD, &code_value(new.address, new.code)))
        .bind(new.pending_secret)
        .bind(new.locale)
        .bind(new.client_key)
        .bind(now)
        .bind(now + new.ttl)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// How many codes were issued since `since`: to this address (any purpose) and to this
/// client; and when the last one for this address and purpose was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueCounts {
    pub to_address: i64,
    pub to_client: i64,
    pub last_for_purpose: Option<DateTime<Utc>>,
}

pub async fn issue_counts(
    db: &Db,
    address: &str,
    purpose: Purpose,
    client_key: &[u8],
    since: DateTime<Utc>,
) -> Result<IssueCounts, StorageError> {
    let to_address: i64 = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM one_time_codes WHERE address = $1 AND created_at >= $2")
            .bind(address)
            .bind(since)
            .fetch_one(pool)
            .await
    })?;
    let last_for_purpose: Option<DateTime<Utc>> = crate::db_run!(db, |pool| {
        sqlx::query_scalar(
            "SELECT MAX(created_at) FROM one_time_codes WHERE address = $1 AND purpose = $2 AND created_at >= $3",
        )
        .bind(address)
        .bind(purpose.code())
        .bind(since)
        .fetch_one(pool)
        .await
    })?;
    let to_client: i64 = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM one_time_codes WHERE client_key = $1 AND created_at >= $2")
            .bind(client_key)
            .bind(since)
            .fetch_one(pool)
            .await
    })?;
    Ok(IssueCounts { to_address, to_client, last_for_purpose })
}

/// The result of checking a code. Failures that change state (a counted wrong try) are
/// written in the same transaction, which the caller commits whatever the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Correct: the code is now used. Carries what was kept with it.
    Accepted {
        pending_secret: Option<String>,
        locale: String,
    },
    /// No live code for this address (never sent, already used or voided).
    Unknown,
    Expired,
    /// Wrong code; `tries_left` more are allowed.
    Wrong {
        tries_left: i32,
    },
    TooManyTries,
}

#[derive(sqlx::FromRow)]
struct LiveCode {
    id: String,
    code_hash: Vec<u8>,
    pending_secret: Option<String>,
    locale: String,
    attempts: i32,
    expires_at: DateTime<Utc>,
}

/// Checks `code` against the newest live code for `address` and `purpose`.
pub async fn check(
    tx: &mut Tx,
    vault: &Vault,
    purpose: Purpose,
    address: &str,
    code: &str,
    max_tries: i32,
    now: DateTime<Utc>,
) -> Result<CodeCheck, StorageError> {
    let live: Option<LiveCode> = crate::tx_run!(tx, |conn| {
        sqlx::query_as(
            "SELECT id, code_hash, pending_secret, locale, attempts, expires_at FROM one_time_codes
             WHERE address = $1 AND purpose = $2 AND consumed_at IS NULL
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(address)
        .bind(purpose.code())
        .fetch_optional(conn)
        .await
    })?;
    let Some(live) = live else {
        return Ok(CodeCheck::Unknown);
    };
    if live.expires_at <= now {
        return Ok(CodeCheck::Expired);
    }
    if live.attempts >= max_tries {
        return Ok(CodeCheck::TooManyTries);
    }
    if vault.matches_blind_index(CODE_FIELD, &code_value(address, code), &live.code_hash) {
        crate::tx_run!(tx, |conn| {
            sqlx::query("UPDATE one_time_codes SET consumed_at = $1, attempts = attempts + 1 WHERE id = $2")
                .bind(now)
                .bind(&live.id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        return Ok(CodeCheck::Accepted { pending_secret: live.pending_secret, locale: live.locale });
    }
    crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1")
            .bind(&live.id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    let outcome = CodeCheck::Wrong { tries_left: max_tries - live.attempts - 1 };
    Ok(outcome)
}
