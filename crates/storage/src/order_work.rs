//! What staff record on an order besides its state: payments and refunds taken at the
//! counter, and the supplements they ask of the applicant, item by item. References and
//! reasons may name people, so they are stored encrypted.

use crate::crypto::Vault;
use crate::db::Tx;
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, Utc};

pub(crate) const REFERENCE_FIELD: &str = "order_payments.reference";
pub(crate) const REASON_FIELD: &str = "supplement_requests.reason";

/// A payment (`kind` = `payment`) or a refund (`refund`), in minor units.
#[derive(Debug, Clone)]
pub struct Payment {
    pub id: String,
    pub kind: String,
    /// `card`, `wechat`, `alipay`, `cash` (payments) or the channel refunded through.
    pub method: String,
    pub amount_minor: i64,
    pub currency: String,
    /// The terminal's reference, or the refund's reason.
    pub reference: Option<String>,
    pub staff_id: String,
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct PaymentRow {
    id: String,
    kind: String,
    method: String,
    amount_minor: i64,
    currency: String,
    reference: Option<Vec<u8>>,
    staff_id: String,
    at: DateTime<Utc>,
}

/// A payment or refund to record.
pub struct NewPayment<'a> {
    pub order_id: &'a str,
    pub kind: &'a str,
    pub method: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub reference: Option<&'a str>,
    pub staff_id: &'a str,
}

pub async fn record_payment(
    tx: &mut Tx,
    vault: &Vault,
    new: &NewPayment<'_>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let reference = new.reference.map(|r| vault.encrypt_str(REFERENCE_FIELD, r)).transpose()?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO order_payments (id, order_id, kind, method, amount_minor, currency, reference, staff_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(new.order_id)
        .bind(new.kind)
        .bind(new.method)
        .bind(new.amount_minor)
        .bind(new.currency)
        .bind(reference)
        .bind(new.staff_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl crate::orders::lists::OrderList for Payment {
    type Row = PaymentRow;
    /// Oldest first.
    const SQL: &'static str =
        "SELECT id, kind, method, amount_minor, currency, reference, staff_id, at FROM order_payments
         WHERE order_id = $1 ORDER BY at, id";
    fn open(row: PaymentRow, vault: &Vault) -> Result<Self, StorageError> {
        Ok(Payment {
            reference: row.reference.map(|r| vault.decrypt_string(REFERENCE_FIELD, &r)).transpose()?,
            id: row.id,
            kind: row.kind,
            method: row.method,
            amount_minor: row.amount_minor,
            currency: row.currency,
            staff_id: row.staff_id,
            at: row.at,
        })
    }
}

/// Paid minus refunded.
pub fn net_paid(payments: &[Payment]) -> i64 {
    payments.iter().map(|p| if p.kind == "refund" { -p.amount_minor } else { p.amount_minor }).sum()
}

/// One item the mission asks the applicant to supply.
#[derive(Debug, Clone)]
pub struct Supplement {
    pub id: String,
    /// A material code (`other` for anything not on the case's list).
    pub material: String,
    pub reason: String,
    pub due_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct SupplementRow {
    id: String,
    material: String,
    reason: Vec<u8>,
    due_on: Option<NaiveDate>,
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
}

/// Records one requested item.
pub async fn request_supplement(
    tx: &mut Tx,
    vault: &Vault,
    order_id: &str,
    (material, reason, due_on): (&str, &str, Option<NaiveDate>),
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let reason = vault.encrypt_str(REASON_FIELD, reason)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO supplement_requests (id, order_id, material, reason, due_on, staff_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(order_id)
        .bind(material)
        .bind(reason)
        .bind(due_on)
        .bind(staff_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl crate::orders::lists::OrderList for Supplement {
    type Row = SupplementRow;
    /// Oldest first.
    const SQL: &'static str = "SELECT id, material, reason, due_on, created_at, answered_at FROM supplement_requests
         WHERE order_id = $1 ORDER BY created_at, id";
    fn open(row: SupplementRow, vault: &Vault) -> Result<Self, StorageError> {
        Ok(Supplement {
            reason: vault.decrypt_string(REASON_FIELD, &row.reason)?,
            id: row.id,
            material: row.material,
            due_on: row.due_on,
            created_at: row.created_at,
            answered_at: row.answered_at,
        })
    }
}

/// Marks the open supplements of `order_id` answered.
pub async fn answer_supplements(tx: &mut Tx, order_id: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE supplement_requests SET answered_at = $1 WHERE order_id = $2 AND answered_at IS NULL")
            .bind(now)
            .bind(order_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}
