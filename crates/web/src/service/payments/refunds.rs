//! Refunds of online payments, through the original channel (FAQ 6): asked by a cashier or
//! mission admin (partial refunds allowed; never the emergency travel document's fee), or
//! by the platform itself for a payment that bought nothing. A refund is recorded as asked
//! and a job sends it to the provider, our `out_refund_no` being its idempotency key.

use super::jobs::SEND_REFUND;
use crate::error::{AppError, FieldErrors};
use crate::service::orders::{Loaded, Record};
use chrono::Utc;
use lingshi_domain::payment::{PaymentState, RefundCause, RefundState, refund_allowed};
use lingshi_storage::online_payments::{OnlinePayment, OnlineRefund};
use serde_json::json;

/// The reason recorded on a refund the platform made by itself.
const UNWANTED_REASON: &str = "订单已不再等待此笔付款，自动退回 · the order no longer waited for this payment";

/// What is left to refund of `payment`: its amount less the refunds asked and not failed.
fn refundable(loaded: &Loaded, payment: &OnlinePayment) -> i64 {
    let asked: i64 = loaded
        .online
        .refunds
        .iter()
        .filter(|r| r.payment_id == payment.id && r.state != RefundState::Failed)
        .map(|r| r.amount_minor)
        .sum();
    payment.amount_minor - asked
}

fn ask(payment: &OnlinePayment, amount_minor: i64, reason: String, staff_id: Option<String>) -> Vec<Record> {
    let now = Utc::now();
    let refund = OnlineRefund {
        id: uuid::Uuid::new_v4().to_string(),
        payment_id: payment.id.clone(),
        order_id: payment.order_id.clone(),
        out_refund_no: format!("RF{}", uuid::Uuid::new_v4().simple()),
        state: RefundState::Requested,
        amount_minor,
        currency: payment.currency.clone(),
        reason,
        refund_id: None,
        staff_id,
        created_at: now,
    };
    let job = Record::Job(SEND_REFUND, json!({"out_refund_no": refund.out_refund_no}), now);
    vec![Record::NewOnlineRefund(Box::new(refund)), job]
}

/// A staff refund of `amount_minor`, through the online payment that can take it, if the
/// order was paid online; `None` when it was paid at the counter (the cashier hands the
/// money back there).
pub fn staff_refund(
    loaded: &Loaded,
    amount_minor: i64,
    reason: &str,
    staff_id: &str,
) -> Result<Option<Vec<Record>>, AppError> {
    let paid_online =
        loaded.online.payments.iter().filter(|p| p.state == PaymentState::Paid && p.flag.is_none()).collect::<Vec<_>>();
    let newest_counter = loaded.payments.iter().rev().find(|p| p.kind == "payment");
    let online_last = newest_counter.is_some_and(|p| paid_online.iter().any(|o| o.transaction_id == p.reference));
    if !online_last {
        return Ok(None);
    }
    refund_allowed(loaded.service.kind(), RefundCause::Staff).map_err(|e| AppError::Conflict(e.code()))?;
    let payment = paid_online
        .into_iter()
        .rev()
        .find(|p| refundable(loaded, p) >= amount_minor)
        .ok_or_else(|| AppError::from(FieldErrors::single("amount", "amount_invalid")))?;
    Ok(Some(ask(payment, amount_minor, reason.to_owned(), Some(staff_id.to_owned()))))
}

/// The whole of `payment` back, for an order that no longer waited for it.
pub(super) fn unwanted(loaded: &Loaded, payment: &OnlinePayment) -> Result<Vec<Record>, AppError> {
    refund_allowed(loaded.service.kind(), RefundCause::Unwanted).map_err(|e| AppError::Conflict(e.code()))?;
    Ok(ask(payment, payment.amount_minor, UNWANTED_REASON.to_owned(), None))
}
