//! Online payment providers behind one interface ([`PaymentProvider`]): create a payment
//! for an order, query it, close it, refund it, query a refund, fetch the daily bill, and
//! open the provider's signed notifications. Amounts are integer minor units of the
//! charged currency throughout; no float ever holds money.
//!
//! - [`wechat`]: WeChat Pay API v3 for cross-border (Global) merchants, Native and H5.
//! - [`alipay`]: Alipay+ through Antom's payments API, for the payment notice's QR code.
//! - [`wechat_simulator`], [`alipay_simulator`]: each protocol served on loopback with its
//!   own keys, for the demo and the tests, able to misbehave on purpose.
//! - [`ecb`]: the European Central Bank's daily euro reference rates, for the estimate in
//!   yuan shown before paying.

pub mod alipay;
pub mod alipay_simulator;
pub mod ecb;
pub mod keys;
pub mod simulated;
pub mod wechat;
pub mod wechat_simulator;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Which provider a payment goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    WechatPay,
    Alipay,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::WechatPay, Provider::Alipay];

    pub fn code(self) -> &'static str {
        match self {
            Provider::WechatPay => "wechat_pay",
            Provider::Alipay => "alipay",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Where the payer is: a desktop shows a QR code to scan, a phone's browser is sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    Desktop,
    Mobile,
}

/// A payment to create.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    /// Our reference, unique per attempt; the provider's idempotency key.
    pub out_trade_no: &'a str,
    pub description: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub scene: Scene,
    /// The payer's address, which providers ask for with H5 payments.
    pub payer_ip: &'a str,
    pub expires_at: DateTime<Utc>,
    /// Where the provider sends its notifications.
    pub notify_url: &'a str,
}

/// How the payer goes on to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "url", rename_all = "snake_case")]
pub enum Checkout {
    /// A code URL to show as a QR code.
    QrCode(String),
    /// A page to send the payer's browser to.
    Redirect(String),
}

/// What the provider says of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    Pending,
    Paid,
    Closed,
    Failed,
}

/// A payment as the provider reports it (answering a query, or in a notification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReport {
    pub out_trade_no: String,
    pub settlement: Settlement,
    /// The provider's own reference (WeChat's `transaction_id`, Antom's `paymentId`).
    pub transaction_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    /// What the payer was actually charged, in their currency (yuan for WeChat Pay).
    pub payer_total: Option<i64>,
    pub payer_currency: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// What the provider says of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundSettlement {
    Pending,
    Refunded,
    Failed,
}

/// A refund as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReport {
    pub out_refund_no: String,
    pub settlement: RefundSettlement,
    pub refund_id: Option<String>,
}

/// A refund to ask for; `out_refund_no` is its idempotency key.
#[derive(Debug, Clone)]
pub struct Refund<'a> {
    pub out_trade_no: &'a str,
    /// The provider's reference of the payment refunded.
    pub transaction_id: &'a str,
    pub out_refund_no: &'a str,
    pub amount_minor: i64,
    /// The payment's whole amount.
    pub total_minor: i64,
    pub currency: &'a str,
    pub reason: &'a str,
    pub notify_url: &'a str,
}

/// One line of a provider's daily bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillLine {
    pub kind: BillKind,
    /// `out_trade_no` of a payment, `out_refund_no` of a refund.
    pub reference: String,
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BillKind {
    Payment,
    Refund,
}

/// A notification, verified and opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Payment(PaymentReport),
    Refund(RefundReport),
}

/// Why a call to the provider did not work.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Worth retrying: no answer in time, a server error, an answer that was not signed.
    #[error("the provider did not answer usefully: {0}")]
    Transient(String),
    /// Not worth retrying: the provider refused the request, with its code.
    #[error("the provider refused the request: {0}")]
    Refused(String),
    /// The provider does not offer this over its API.
    #[error("not offered by this provider's API: {0}")]
    Unsupported(&'static str),
}

/// Why a notification was refused; nothing is recorded for any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    #[error("the notification is not signed by the provider")]
    BadSignature,
    #[error("the notification's timestamp is more than five minutes away")]
    Stale,
    #[error("the notification cannot be read")]
    Malformed,
}

/// How far a signed timestamp may be from ours (both providers' five minutes).
pub const TIMESTAMP_TOLERANCE_SECONDS: i64 = 300;

/// One payment provider, as the platform uses it.
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    fn provider(&self) -> Provider;
    async fn create(&self, charge: &Charge<'_>) -> Result<Checkout, ProviderError>;
    async fn query(&self, out_trade_no: &str) -> Result<PaymentReport, ProviderError>;
    /// Closes an unpaid payment so that it can no longer be paid.
    async fn close(&self, out_trade_no: &str) -> Result<(), ProviderError>;
    async fn refund(&self, refund: &Refund<'_>) -> Result<RefundReport, ProviderError>;
    async fn query_refund(&self, out_refund_no: &str) -> Result<RefundReport, ProviderError>;
    /// The provider's bill of `date` (its time zone's day).
    async fn bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, ProviderError>;
    /// Verifies and opens a notification posted to us.
    fn open_notice(
        &self,
        headers: &axum::http::HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Notice, NoticeError>;
    /// The status and body the provider expects back: `taken` or not (then it retries).
    fn answer(&self, taken: bool) -> (u16, String);
}

/// A reqwest error as a transient failure, by kind only ([`crate::failure_kind`]).
pub(crate) fn transport(error: &reqwest::Error) -> ProviderError {
    ProviderError::Transient(crate::failure_kind(error).to_owned())
}

/// The HTTP client of a provider's API, giving up after `timeout`.
pub(crate) fn http_client(timeout: std::time::Duration) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder().timeout(timeout).build().map_err(|e| transport(&e))
}

/// A random reference of 32 upper-case hexadecimal digits (nonces, simulated ids).
pub(crate) fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string().to_uppercase()
}
