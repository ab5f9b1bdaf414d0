//! Online payments and their refunds, as the platform keeps them beside the provider's
//! record: what was asked, where the payer was sent, what the provider last reported. They
//! change only together with their order (under its lock and version), so they have no lock
//! of their own. A refund's reason may name people, so it is stored encrypted.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, Utc};
use lingshi_domain::payment::{PaymentState, RefundState};

pub(crate) const REASON_FIELD: &str = "online_refunds.reason";

/// One attempt to pay an order online.
#[derive(Debug, Clone)]
pub struct OnlinePayment {
    pub id: String,
    pub order_id: String,
    /// `wechat_pay` or `alipay`.
    pub provider: String,
    pub out_trade_no: String,
    pub state: PaymentState,
    pub amount_minor: i64,
    pub currency: String,
    /// The estimate in yuan shown before paying, and the date of its rate.
    pub estimate_minor: Option<i64>,
    pub estimate_currency: Option<String>,
    pub rate_date: Option<NaiveDate>,
    /// Where the payer goes on (JSON of the provider's checkout), once the provider answered.
    pub checkout: Option<String>,
    pub transaction_id: Option<String>,
    pub payer_total: Option<i64>,
    pub payer_currency: Option<String>,
    /// Set when something needs staff: `amount_mismatch`.
    pub flag: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct PaymentRow {
    id: String,
    order_id: String,
    provider: String,
    out_trade_no: String,
    state: String,
    amount_minor: i64,
    currency: String,
    estimate_minor: Option<i64>,
    estimate_currency: Option<String>,
    rate_date: Option<NaiveDate>,
    checkout: Option<String>,
    transaction_id: Option<String>,
    payer_total: Option<i64>,
    payer_currency: Option<String>,
    flag: Option<String>,
    expires_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<PaymentRow> for OnlinePayment {
    type Error = StorageError;
    fn try_from(row: PaymentRow) -> Result<Self, StorageError> {
        Ok(Self {
            state: PaymentState::from_code(&row.state).ok_or(StorageError::Corrupt("online_payments.state"))?,
            id: row.id,
            order_id: row.order_id,
            provider: row.provider,
            out_trade_no: row.out_trade_no,
            amount_minor: row.amount_minor,
            currency: row.currency,
            estimate_minor: row.estimate_minor,
            estimate_currency: row.estimate_currency,
            rate_date: row.rate_date,
            checkout: row.checkout,
            transaction_id: row.transaction_id,
            payer_total: row.payer_total,
            payer_currency: row.payer_currency,
            flag: row.flag,
            expires_at: row.expires_at,
            paid_at: row.paid_at,
            created_at: row.created_at,
        })
    }
}

fn open_all(rows: Vec<PaymentRow>) -> Result<Vec<OnlinePayment>, StorageError> {
    rows.into_iter().map(OnlinePayment::try_from).collect()
}

macro_rules! select_payments {
    ($rest:literal) => {
        concat!(
            "SELECT p.id, p.order_id, p.provider, p.out_trade_no, p.state, p.amount_minor, p.currency,
                 p.estimate_minor, p.estimate_currency, p.rate_date, p.checkout, p.transaction_id, p.payer_total,
                 p.payer_currency, p.flag, p.expires_at, p.paid_at, p.created_at FROM online_payments p ",
            $rest
        )
    };
}

/// Records a new attempt (state `created`).
pub async fn insert(tx: &mut Tx, payment: &OnlinePayment) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO online_payments (id, order_id, provider, out_trade_no, state, amount_minor, currency,
                 estimate_minor, estimate_currency, rate_date, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(&payment.id)
        .bind(&payment.order_id)
        .bind(&payment.provider)
        .bind(&payment.out_trade_no)
        .bind(payment.state.code())
        .bind(payment.amount_minor)
        .bind(&payment.currency)
        .bind(payment.estimate_minor)
        .bind(&payment.estimate_currency)
        .bind(payment.rate_date)
        .bind(payment.expires_at)
        .bind(payment.created_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The payment `out_trade_no`, unlocked.
pub async fn find(db: &Db, out_trade_no: &str) -> Result<Option<OnlinePayment>, StorageError> {
    let row: Option<PaymentRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_payments!("WHERE p.out_trade_no = $1")).bind(out_trade_no).fetch_optional(pool).await
    })?;
    row.map(OnlinePayment::try_from).transpose()
}

/// Writes what may change after creation.
pub async fn update(tx: &mut Tx, payment: &OnlinePayment, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE online_payments SET state = $1, checkout = $2, transaction_id = $3, payer_total = $4,
                 payer_currency = $5, flag = $6, paid_at = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(payment.state.code())
        .bind(&payment.checkout)
        .bind(&payment.transaction_id)
        .bind(payment.payer_total)
        .bind(&payment.payer_currency)
        .bind(&payment.flag)
        .bind(payment.paid_at)
        .bind(now)
        .bind(&payment.id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl crate::orders::lists::OrderList for OnlinePayment {
    type Row = PaymentRow;
    /// Oldest first.
    const SQL: &'static str = select_payments!("WHERE p.order_id = $1 ORDER BY p.created_at, p.id");
    fn open(row: PaymentRow, _vault: &Vault) -> Result<Self, StorageError> {
        Self::try_from(row)
    }
}

/// The online payments of `order_id`, oldest first.
pub async fn for_order(db: &Db, order_id: &str) -> Result<Vec<OnlinePayment>, StorageError> {
    let sql = <OnlinePayment as crate::orders::lists::OrderList>::SQL;
    open_all(crate::db_run!(db, |pool| sqlx::query_as(sql).bind(order_id).fetch_all(pool).await)?)
}

/// Payments flagged for staff, of one mission (or all), newest first.
pub async fn flagged(db: &Db, mission_id: Option<&str>) -> Result<Vec<OnlinePayment>, StorageError> {
    let sql = select_payments!(
        "JOIN orders o ON o.id = p.order_id
         WHERE p.flag IS NOT NULL AND ($1 IS NULL OR o.mission_id = $1) ORDER BY p.created_at DESC LIMIT 100"
    );
    open_all(crate::db_run!(db, |pool| sqlx::query_as(sql).bind(mission_id).fetch_all(pool).await)?)
}

/// A refund of an online payment.
#[derive(Debug, Clone)]
pub struct OnlineRefund {
    pub id: String,
    pub payment_id: String,
    pub order_id: String,
    pub out_refund_no: String,
    pub state: RefundState,
    pub amount_minor: i64,
    pub currency: String,
    pub reason: String,
    pub refund_id: Option<String>,
    /// Who asked (none when the platform refunded a payment that bought nothing).
    pub staff_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct RefundRow {
    id: String,
    payment_id: String,
    order_id: String,
    out_refund_no: String,
    state: String,
    amount_minor: i64,
    currency: String,
    reason: Vec<u8>,
    refund_id: Option<String>,
    staff_id: Option<String>,
    created_at: DateTime<Utc>,
}

impl RefundRow {
    fn open(self, vault: &Vault) -> Result<OnlineRefund, StorageError> {
        Ok(OnlineRefund {
            state: RefundState::from_code(&self.state).ok_or(StorageError::Corrupt("online_refunds.state"))?,
            reason: vault.decrypt_string(REASON_FIELD, &self.reason)?,
            id: self.id,
            payment_id: self.payment_id,
            order_id: self.order_id,
            out_refund_no: self.out_refund_no,
            amount_minor: self.amount_minor,
            currency: self.currency,
            refund_id: self.refund_id,
            staff_id: self.staff_id,
            created_at: self.created_at,
        })
    }
}

macro_rules! select_refunds {
    ($rest:literal) => {
        concat!(
            "SELECT id, payment_id, order_id, out_refund_no, state, amount_minor, currency, reason, refund_id,
                 staff_id, created_at FROM online_refunds ",
            $rest
        )
    };
}

pub async fn insert_refund(tx: &mut Tx, vault: &Vault, refund: &OnlineRefund) -> Result<(), StorageError> {
    let reason = vault.encrypt_str(REASON_FIELD, &refund.reason)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO online_refunds (id, payment_id, order_id, out_refund_no, state, amount_minor, currency, reason,
                 staff_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&refund.id)
        .bind(&refund.payment_id)
        .bind(&refund.order_id)
        .bind(&refund.out_refund_no)
        .bind(refund.state.code())
        .bind(refund.amount_minor)
        .bind(&refund.currency)
        .bind(reason)
        .bind(&refund.staff_id)
        .bind(refund.created_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// The refund `out_refund_no`, unlocked.
pub async fn find_refund(db: &Db, vault: &Vault, out_refund_no: &str) -> Result<Option<OnlineRefund>, StorageError> {
    let row: Option<RefundRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_refunds!("WHERE out_refund_no = $1")).bind(out_refund_no).fetch_optional(pool).await
    })?;
    row.map(|r| r.open(vault)).transpose()
}

pub async fn update_refund(tx: &mut Tx, refund: &OnlineRefund, now: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE online_refunds SET state = $1, refund_id = $2, updated_at = $3 WHERE id = $4")
            .bind(refund.state.code())
            .bind(&refund.refund_id)
            .bind(now)
            .bind(&refund.id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(())
}

impl crate::orders::lists::OrderList for OnlineRefund {
    type Row = RefundRow;
    /// Oldest first.
    const SQL: &'static str = select_refunds!("WHERE order_id = $1 ORDER BY created_at, id");
    fn open(row: RefundRow, vault: &Vault) -> Result<Self, StorageError> {
        row.open(vault)
    }
}

/// What was settled with `provider` between `from` and `to`: paid payments and refunded
/// refunds as (kind, reference, amount, currency), for reconciliation.
pub async fn settled_between(
    db: &Db,
    provider: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(String, String, i64, String)>, StorageError> {
    let sql = "SELECT 'payment', out_trade_no, amount_minor, currency FROM online_payments
               WHERE provider = $1 AND state = 'paid' AND paid_at >= $2 AND paid_at < $3
               UNION ALL
               SELECT 'refund', r.out_refund_no, r.amount_minor, r.currency FROM online_refunds r
               JOIN online_payments p ON p.id = r.payment_id
               WHERE p.provider = $1 AND r.state = 'refunded' AND r.updated_at >= $2 AND r.updated_at < $3";
    Ok(crate::db_run!(db, |pool| sqlx::query_as(sql).bind(provider).bind(from).bind(to).fetch_all(pool).await)?)
}
