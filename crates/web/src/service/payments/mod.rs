//! Online payment (Step 4 四, FAQ 6): paying an order with WeChat Pay when it is submitted,
//! or the mission's payment notice with WeChat Pay or Alipay; the provider's notifications
//! and our queries settling it; refunds through the original channel; the yuan estimate
//! from the ECB's rates; and the daily reconciliation with each provider's bill.
//!
//! An online payment changes only together with its order ([`crate::service::orders::change_as`]
//! as [`Principal::System`](crate::service::orders::Principal::System)), under the order's
//! lock and version, with its timeline entry and audit row: a notification delivered twice,
//! or racing a query, is applied once.

mod checkout;
pub mod jobs;
pub mod rates;
pub mod reconcile;
mod refunds;
mod settle;

pub use checkout::{CheckoutView, abandon, checkout, offered, refresh};
pub use refunds::staff_refund;
pub use settle::{receive_notice, settle_payment, settle_refund};

use crate::error::AppError;
use crate::state::AppState;
use lingshi_integrations::payments::{PaymentProvider, Provider};
use std::sync::Arc;

/// The provider configured for `provider`, or 404 (a mission that does not take it).
fn client(state: &AppState, provider: Provider) -> Result<Arc<dyn PaymentProvider>, AppError> {
    state.settings.payments.provider(provider).cloned().ok_or(AppError::NotFound)
}

/// The path `provider` posts its notifications to.
pub fn notification_path(provider: Provider) -> String {
    format!("/api/v1/payments/{}/notifications", provider.code())
}

/// Where `provider` posts its notifications to us.
fn notify_url(state: &AppState, provider: Provider) -> String {
    format!("{}{}", state.settings.payments.notify_base, notification_path(provider))
}

/// The provider an order's payment names (`wechat_pay`, `alipay`).
fn provider_of(code: &str) -> Result<Provider, AppError> {
    Provider::from_code(code).ok_or_else(|| AppError::internal("a payment of an unknown provider"))
}
