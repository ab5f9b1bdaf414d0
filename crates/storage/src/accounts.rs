//! Applicant accounts and their real-name identity. The name and document number are
//! encrypted at rest; the document number also has a blind index so that one identity can
//! be bound to one account only.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::{ContactAddress, IdentityDocument, IdentityState, PersonName};

pub(crate) const NAME_FIELD: &str = "accounts.real_name";
pub(crate) const ID_FIELD: &str = "accounts.id_number";

/// An account as the application sees it (no secrets, no decrypted identity).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub login: String,
    pub login_channel: String,
    pub locale: String,
    pub disabled: bool,
    pub identity_state: IdentityState,
    pub verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct AccountRow {
    id: String,
    login: String,
    login_channel: String,
    locale: String,
    disabled: bool,
    identity_state: String,
    verified_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Self {
            id: row.id,
            login: row.login,
            login_channel: row.login_channel,
            locale: row.locale,
            disabled: row.disabled,
            identity_state: IdentityState::from_code(&row.identity_state).unwrap_or(IdentityState::Unverified),
            verified_at: row.verified_at,
            created_at: row.created_at,
        }
    }
}

const SELECT_BY_ID: &str = "SELECT id, login, login_channel, locale, disabled, identity_state, verified_at, created_at
     FROM accounts WHERE id = $1";
const SELECT_BY_LOGIN: &str =
    "SELECT id, login, login_channel, locale, disabled, identity_state, verified_at, created_at
     FROM accounts WHERE login = $1";

/// What login needs, for applicants and staff alike: the id, the password hash and whether
/// the principal is disabled.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// Creates an account; [`StorageError::Conflict`] when the login is taken.
pub async fn create(
    tx: &mut Tx,
    login: &ContactAddress,
    password_hash: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> Result<Account, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO accounts (id, login, login_channel, password_hash, locale, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(login.as_str())
        .bind(login.channel())
        .bind(password_hash)
        .bind(locale)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "accounts.login"))?;
    Ok(Account {
        id,
        login: login.as_str().to_owned(),
        login_channel: login.channel().to_owned(),
        locale: locale.to_owned(),
        disabled: false,
        identity_state: IdentityState::Unverified,
        verified_at: None,
        created_at: now,
    })
}

pub async fn find(db: &Db, id: &str) -> Result<Option<Account>, StorageError> {
    let row: Option<AccountRow> =
        crate::db_run!(db, |pool| sqlx::query_as(SELECT_BY_ID).bind(id).fetch_optional(pool).await)?;
    Ok(row.map(Account::from))
}

/// The account signed in with `token`, if its session is live (sliding it as
/// [`crate::sessions::touch`] does), in one query.
pub async fn by_session(
    db: &Db,
    token: &str,
    idle: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Option<Account>, StorageError> {
    const SQL: &str = crate::sessions::live_session!(
        "p.id, p.login, p.login_channel, p.locale, p.disabled, p.identity_state, p.verified_at, p.created_at",
        "JOIN accounts p ON p.id = s.principal_id AND s.principal_kind = 'account'"
    );
    Ok(crate::sessions::touch_row::<AccountRow>(db, SQL, token, idle, now).await?.map(Account::from))
}

pub async fn find_by_login(db: &Db, login: &str) -> Result<Option<Account>, StorageError> {
    let row: Option<AccountRow> =
        crate::db_run!(db, |pool| sqlx::query_as(SELECT_BY_LOGIN).bind(login).fetch_optional(pool).await)?;
    Ok(row.map(Account::from))
}

pub async fn credentials(db: &Db, login: &str) -> Result<Option<Credentials>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT id, password_hash, disabled FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_optional(pool)
            .await
    })?)
}

/// Replaces the password hash of the account with this login; `NotFound` if none.
pub async fn set_password(
    tx: &mut Tx,
    login: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id: Option<String> = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE login = $3 RETURNING id")
            .bind(password_hash)
            .bind(now)
            .bind(login)
            .fetch_optional(conn)
            .await
    })?;
    id.ok_or(StorageError::NotFound)
}

/// Sets the language the account's messages are written in (a BCP 47 tag).
pub async fn set_locale(tx: &mut Tx, id: &str, locale: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE accounts SET locale = $1, updated_at = $2 WHERE id = $3")
            .bind(locale)
            .bind(now)
            .bind(id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The blind index of an identity document: its kind and number, keyed.
fn document_index(vault: &Vault, document: &IdentityDocument) -> Vec<u8> {
    identity_index(vault, document.kind(), document.number())
}

/// The blind index of a document of kind `kind` numbered `number`.
pub(crate) fn identity_index(vault: &Vault, kind: &str, number: &str) -> Vec<u8> {
    vault.blind_index(ID_FIELD, &format!("{kind}:{number}"))
}

/// Records the real name and identity document given for verification and moves the
/// account to the face step. [`StorageError::Conflict`] when the document is already bound
/// to another account.
pub async fn record_identity(
    tx: &mut Tx,
    vault: &Vault,
    account_id: &str,
    name: &PersonName,
    document: &IdentityDocument,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let index = document_index(vault, document);
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE accounts SET real_name = $1, id_kind = $2, id_number = $3, id_number_index = $4,
                 identity_state = $5, face_capture_key = NULL, verified_at = NULL, updated_at = $6
             WHERE id = $7",
        )
        .bind(vault.encrypt_str(NAME_FIELD, name.as_str())?)
        .bind(document.kind())
        .bind(vault.encrypt_str(ID_FIELD, document.number())?)
        .bind(index)
        .bind(IdentityState::AwaitingFace.code())
        .bind(now)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
        .map_err(|e| StorageError::on_unique(e, "accounts.id_number_index"))
    })?;
    Ok(())
}

/// The outcome of one face step.
#[derive(Debug, Clone)]
pub enum FaceStep {
    /// A capture with exactly one face, stored under this blob key.
    Verified {
        capture_key: String,
    },
    Skipped,
}

/// Records a face step and returns the new identity state.
pub async fn record_face_step(
    tx: &mut Tx,
    account_id: &str,
    step: &FaceStep,
    now: DateTime<Utc>,
) -> Result<IdentityState, StorageError> {
    let (state, key) = match step {
        FaceStep::Verified { capture_key } => (IdentityState::Verified, Some(capture_key.as_str())),
        FaceStep::Skipped => (IdentityState::FaceSkipped, None),
    };
    let updated = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE accounts SET identity_state = $1, face_capture_key = $2, verified_at = $3,
                 face_attempts = face_attempts + 1, updated_at = $3
             WHERE id = $4 AND identity_state <> 'unverified'",
        )
        .bind(state.code())
        .bind(key)
        .bind(now)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if updated == 0 {
        return Err(StorageError::NotFound);
    }
    Ok(state)
}

/// The decrypted identity of an account, for the account owner and for staff.
#[derive(Debug, Clone)]
pub struct Identity {
    pub name: String,
    pub document_kind: String,
    pub document_number: String,
}

#[derive(sqlx::FromRow)]
struct IdentityRow {
    real_name: Option<Vec<u8>>,
    id_kind: Option<String>,
    id_number: Option<Vec<u8>>,
}

pub async fn identity(db: &Db, vault: &Vault, account_id: &str) -> Result<Option<Identity>, StorageError> {
    let row: Option<IdentityRow> = crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT real_name, id_kind, id_number FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    let Some(IdentityRow { real_name: Some(name), id_kind: Some(kind), id_number: Some(number) }) = row else {
        return Ok(None);
    };
    Ok(Some(Identity {
        name: vault.decrypt_string(NAME_FIELD, &name)?,
        document_kind: kind,
        document_number: vault.decrypt_string(ID_FIELD, &number)?,
    }))
}

/// The account bound to this identity document, if any (via the blind index).
pub async fn find_by_document(
    db: &Db,
    vault: &Vault,
    document: &IdentityDocument,
) -> Result<Option<String>, StorageError> {
    let index = document_index(vault, document);
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT id FROM accounts WHERE id_number_index = $1").bind(index).fetch_optional(pool).await
    })?)
}

/// Raw stored bytes of the identity columns, so tests can prove they are not plaintext.
pub async fn raw_identity_columns(db: &Db, account_id: &str) -> Result<Vec<Vec<u8>>, StorageError> {
    let row: Option<IdentityRow> = crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT real_name, id_kind, id_number FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(|r| [r.real_name, r.id_number].into_iter().flatten().collect()).unwrap_or_default())
}

/// The blob key of the account's own real-name face capture, if one is kept.
pub async fn face_capture_key(db: &Db, account_id: &str) -> Result<Option<String>, StorageError> {
    let key: Option<Option<String>> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT face_capture_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(key.flatten())
}
