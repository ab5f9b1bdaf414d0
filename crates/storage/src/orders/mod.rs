//! Orders: an application from its first draft to its end, its files, its timeline and the
//! idempotency keys of submissions.
//!
//! The application form (every answer the applicant gave) is one JSON document encrypted
//! with the order's id as associated data, so a sealed form cannot be moved to another
//! order. Columns hold only what queues and guards need: mission, service, type, state,
//! flags. Every update checks and bumps `version`, so two writers cannot both win.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::order::OrderState;

mod events;
pub(crate) use events::NOTE_PREFIX;
pub(crate) use files::READING_PREFIX;
mod files;

pub use events::{OrderEvent, add_event, events};
pub use files::{NewFile, OrderFile, files, put_file, remove_file};
pub use lists::{OrderLists, find_listed, read_all as lists};
pub use queue::{QUEUE_BIND_TYPES, QueueFilter, counts_by_state, queue, queue_sql};

/// An order with its form decrypted.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: String,
    pub number: String,
    pub mission_id: String,
    pub service: String,
    pub application_type: Option<String>,
    pub state: OrderState,
    /// The account that filed the order; `None` for a walk-in registered by staff.
    pub submitter_id: Option<String>,
    /// The officer who registered a walk-in at the counter.
    pub intake_staff_id: Option<String>,
    /// The officer who accepted the order (four-eyes issuance).
    pub accepted_by: Option<String>,
    /// The officer who claimed the order and when they last worked on it ([`crate::claims`]);
    /// written only through that module.
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub on_behalf: bool,
    /// Index (in the service's steps) of the first step not yet completed.
    pub progress: i32,
    /// The form as JSON.
    pub form: serde_json::Value,
    /// Keyed index of the applicant's document number, for staff search.
    pub document_index: Option<Vec<u8>>,
    /// Keyed indexes of the applicant's Chinese name and of its pinyin, for staff search.
    pub name_index: Option<Vec<u8>>,
    pub pinyin_index: Option<Vec<u8>>,
    pub minor: bool,
    pub face_state: Option<String>,
    pub photo_passed: Option<bool>,
    pub payment_method: Option<String>,
    pub fee_minor: Option<i64>,
    pub fee_currency: Option<String>,
    pub fingerprint_requested_at: Option<DateTime<Utc>>,
    /// The applicant has news they have not seen (a state change by the mission).
    pub unread: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct OrderRow {
    id: String,
    number: String,
    mission_id: String,
    service: String,
    application_type: Option<String>,
    state: String,
    submitter_id: Option<String>,
    intake_staff_id: Option<String>,
    accepted_by: Option<String>,
    claimed_by: Option<String>,
    claimed_at: Option<DateTime<Utc>>,
    on_behalf: bool,
    progress: i32,
    form: Vec<u8>,
    document_index: Option<Vec<u8>>,
    name_index: Option<Vec<u8>>,
    pinyin_index: Option<Vec<u8>>,
    minor: bool,
    face_state: Option<String>,
    photo_passed: Option<bool>,
    payment_method: Option<String>,
    fee_minor: Option<i64>,
    fee_currency: Option<String>,
    fingerprint_requested_at: Option<DateTime<Utc>>,
    unread: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
}

/// The columns of [`OrderRow`], for `concat!` (the driver takes only static SQL).
/// The states staff never see ([`OrderState::seen_by_staff`]), as SQL; a test holds the two
/// together.
macro_rules! hidden_from_staff {
    () => {
        "('draft', 'deleted')"
    };
}

macro_rules! select_orders {
    ($($rest:expr),*) => {
        concat!(
            "SELECT id, number, mission_id, service, application_type, state, submitter_id, intake_staff_id, accepted_by, claimed_by, claimed_at, on_behalf, progress,
                 form, document_index, name_index, pinyin_index, minor, face_state, photo_passed, payment_method, fee_minor, fee_currency,
                 fingerprint_requested_at, unread, version, created_at, updated_at, submitted_at FROM orders ",
            $($rest),*
        )
    };
}

/// Binds the order's id and, if the scope's query has one, its second value.
macro_rules! bind_scope {
    ($query:expr, $id:expr, $scope:expr) => {
        match $scope.second() {
            Some(second) => $query.bind($id).bind(second),
            None => $query.bind($id),
        }
    };
}

// After the macros they use.
pub(crate) mod lists;
mod queue;

/// The encryption context prefix of an order's form (see [`crate::crypto::row_field`]).
pub(crate) const FORM_PREFIX: &str = "orders.form";

fn form_field(order_id: &str) -> String {
    crate::crypto::row_field(FORM_PREFIX, order_id)
}

impl OrderRow {
    pub(crate) fn open(self, vault: &Vault) -> Result<Order, StorageError> {
        let form = serde_json::from_slice(&vault.decrypt(&form_field(&self.id), &self.form)?)?;
        Ok(Order {
            state: OrderState::from_code(&self.state).ok_or(StorageError::Corrupt("orders.state"))?,
            id: self.id,
            number: self.number,
            mission_id: self.mission_id,
            service: self.service,
            application_type: self.application_type,
            submitter_id: self.submitter_id,
            intake_staff_id: self.intake_staff_id,
            accepted_by: self.accepted_by,
            claimed_by: self.claimed_by,
            claimed_at: self.claimed_at,
            on_behalf: self.on_behalf,
            progress: self.progress,
            form,
            document_index: self.document_index,
            name_index: self.name_index,
            pinyin_index: self.pinyin_index,
            minor: self.minor,
            face_state: self.face_state,
            photo_passed: self.photo_passed,
            payment_method: self.payment_method,
            fee_minor: self.fee_minor,
            fee_currency: self.fee_currency,
            fingerprint_requested_at: self.fingerprint_requested_at,
            unread: self.unread,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            submitted_at: self.submitted_at,
        })
    }
}

/// What a new draft starts with.
pub struct NewOrder<'a> {
    pub number: &'a str,
    pub mission_id: &'a str,
    pub service: &'a str,
    /// The filing account, or `None` for a walk-in.
    pub submitter_id: Option<&'a str>,
    pub intake_staff_id: Option<&'a str>,
    pub on_behalf: bool,
    /// The application type, when it is known at the start.
    pub application_type: Option<&'a str>,
    pub form: &'a serde_json::Value,
}

/// Creates a draft; [`StorageError::Conflict`] `orders.number` if the number is taken.
pub async fn create(
    tx: &mut Tx,
    vault: &Vault,
    new: &NewOrder<'_>,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    let form = vault.encrypt(&form_field(&id), &serde_json::to_vec(new.form)?)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO orders (id, number, mission_id, service, state, submitter_id, intake_staff_id, on_behalf, form,
                 created_at, updated_at, application_type)
             VALUES ($1, $2, $3, $4, $5, $6, $10, $7, $8, $9, $9, $11)",
        )
        .bind(&id)
        .bind(new.number)
        .bind(new.mission_id)
        .bind(new.service)
        .bind(OrderState::Draft.code())
        .bind(new.submitter_id)
        .bind(new.on_behalf)
        .bind(form)
        .bind(now)
        .bind(new.intake_staff_id)
        .bind(new.application_type)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "orders.number"))?;
    Ok(id)
}

/// The order `id` if `account_id` submitted it; `None` otherwise, whether or not it exists.
pub async fn find_for_submitter(
    db: &Db,
    vault: &Vault,
    id: &str,
    account_id: &str,
) -> Result<Option<Order>, StorageError> {
    find_in(db, vault, id, Scope::Submitter(account_id)).await
}

/// Whose an order must be to be found: an order outside the scope is not found, whether or
/// not it exists.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Filed by this account (and not deleted).
    Submitter(&'a str),
    /// Submitted to this mission (any mission when `None`, for system administrators);
    /// drafts are the applicant's alone.
    Mission(Option<&'a str>),
    /// Any order, in whatever state (for the platform itself: a payment provider's report
    /// may concern a draft).
    Platform,
}

impl<'a> Scope<'a> {
    /// The query selecting order `$1` in this scope (`$2` the account or the mission).
    pub(crate) const fn sql(self) -> &'static str {
        match self {
            Scope::Submitter(_) => select_orders!("WHERE id = $1 AND submitter_id = $2 AND state <> 'deleted'"),
            Scope::Mission(_) => select_orders!(
                "WHERE id = $1 AND ($2 IS NULL OR mission_id = $2) AND state NOT IN ",
                hidden_from_staff!()
            ),
            Scope::Platform => select_orders!("WHERE id = $1"),
        }
    }

    /// The value bound to `$2`, if the query has one.
    pub(crate) fn second(self) -> Option<Option<&'a str>> {
        match self {
            Scope::Submitter(account_id) => Some(Some(account_id)),
            Scope::Mission(mission_id) => Some(mission_id),
            Scope::Platform => None,
        }
    }
}

async fn find_in(db: &Db, vault: &Vault, id: &str, scope: Scope<'_>) -> Result<Option<Order>, StorageError> {
    let row: Option<OrderRow> =
        crate::db_run!(db, |pool| { bind_scope!(sqlx::query_as(scope.sql()), id, scope).fetch_optional(pool).await })?;
    row.map(|r| r.open(vault)).transpose()
}

/// The order `id`, in whatever state (for the platform itself: a payment provider's report
/// may concern a draft).
pub async fn find(db: &Db, vault: &Vault, id: &str) -> Result<Option<Order>, StorageError> {
    find_in(db, vault, id, Scope::Platform).await
}

/// The order with this number, whoever's it is (for mail addressed by order number; the
/// caller checks the sender).
pub async fn find_by_number(db: &Db, vault: &Vault, number: &str) -> Result<Option<Order>, StorageError> {
    let row: Option<OrderRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_orders!("WHERE number = $1")).bind(number).fetch_optional(pool).await
    })?;
    row.map(|r| r.open(vault)).transpose()
}

/// The order `id` inside a transaction, locked for update on PostgreSQL (SQLite's
/// transactions already hold the write lock).
pub async fn lock(tx: &mut Tx, vault: &Vault, id: &str) -> Result<Option<Order>, StorageError> {
    let row: Option<OrderRow> = match tx {
        Tx::Sqlite(change) => {
            sqlx::query_as(select_orders!("WHERE id = $1")).bind(id).fetch_optional(change.connection()).await?
        }
        Tx::Postgres(t) => {
            sqlx::query_as(select_orders!("WHERE id = $1 FOR UPDATE")).bind(id).fetch_optional(&mut **t).await?
        }
    };
    row.map(|r| r.open(vault)).transpose()
}

/// Every order `account_id` submitted (for themselves or for others), newest first, drafts
/// included, deleted drafts not.
pub async fn list_for_submitter(db: &Db, vault: &Vault, account_id: &str) -> Result<Vec<Order>, StorageError> {
    let sql = select_orders!("WHERE submitter_id = $1 AND state <> 'deleted' ORDER BY updated_at DESC, id LIMIT 200");
    let rows: Vec<OrderRow> = crate::db_run!(db, |pool| sqlx::query_as(sql).bind(account_id).fetch_all(pool).await)?;
    rows.into_iter().map(|r| r.open(vault)).collect()
}

/// Writes every mutable column of `order` if its version is still `order.version`, and
/// bumps the version. [`StorageError::Conflict`] `orders.version` when someone else wrote
/// first.
pub async fn save(tx: &mut Tx, vault: &Vault, order: &Order, now: DateTime<Utc>) -> Result<i32, StorageError> {
    let form = vault.encrypt(&form_field(&order.id), &serde_json::to_vec(&order.form)?)?;
    let updated = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE orders SET application_type = $1, state = $2, progress = $3, form = $4, document_index = $5,
                 minor = $6, face_state = $7, photo_passed = $8, payment_method = $9, fee_minor = $10,
                 fee_currency = $11, fingerprint_requested_at = $12, submitted_at = $13, updated_at = $14,
                 unread = $17, name_index = $18, pinyin_index = $19, accepted_by = $20, version = version + 1
             WHERE id = $15 AND version = $16",
        )
        .bind(&order.application_type)
        .bind(order.state.code())
        .bind(order.progress)
        .bind(form)
        .bind(&order.document_index)
        .bind(order.minor)
        .bind(&order.face_state)
        .bind(order.photo_passed)
        .bind(&order.payment_method)
        .bind(order.fee_minor)
        .bind(&order.fee_currency)
        .bind(order.fingerprint_requested_at)
        .bind(order.submitted_at)
        .bind(now)
        .bind(&order.id)
        .bind(order.version)
        .bind(order.unread)
        .bind(&order.name_index)
        .bind(&order.pinyin_index)
        .bind(&order.accepted_by)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if updated == 1 { Ok(order.version + 1) } else { Err(StorageError::Conflict("orders.version")) }
}

/// Clears the unread mark once the submitter has opened the order (no version change: it is
/// not a change of the order).
pub async fn mark_read(db: &Db, id: &str, submitter_id: &str) -> Result<(), StorageError> {
    crate::db_run!(db, |pool| {
        sqlx::query("UPDATE orders SET unread = FALSE WHERE id = $1 AND submitter_id = $2 AND unread = TRUE")
            .bind(id)
            .bind(submitter_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The order an earlier submission with this idempotency key created, if any.
pub async fn idempotent_order(tx: &mut Tx, account_id: &str, key: &str) -> Result<Option<String>, StorageError> {
    Ok(crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT order_id FROM idempotency_keys WHERE account_id = $1 AND idempotency_key = $2")
            .bind(account_id)
            .bind(key)
            .fetch_optional(conn)
            .await
    })?)
}

/// Remembers that `key` submitted `order_id`.
pub async fn remember_idempotency_key(
    tx: &mut Tx,
    account_id: &str,
    key: &str,
    order_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO idempotency_keys (account_id, idempotency_key, order_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account_id)
        .bind(key)
        .bind(order_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "idempotency_keys"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_hides_from_staff_exactly_the_states_the_domain_hides() {
        let hidden: Vec<String> =
            OrderState::ALL.iter().filter(|s| !s.seen_by_staff()).map(|s| format!("'{}'", s.code())).collect();
        assert_eq!(hidden_from_staff!(), format!("({})", hidden.join(", ")));
    }
}
