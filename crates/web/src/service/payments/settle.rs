//! What a provider's report (a notification, or the answer to our query) does: the payment
//! or refund moves as [`lingshi_domain::payment`] says, and the order with it. A paid
//! payment is recorded as the order's payment and moves an order waiting for it on; one that
//! arrives for an order no longer waiting is refunded by itself; an amount other than the
//! one asked is flagged for staff and settles nothing.

use super::{client, refunds};
use crate::error::AppError;
use crate::service::orders::{self, FileChange, Loaded, Outcome, Principal, Record};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::actions::Action;
use lingshi_domain::order::{Actor, OrderAction, OrderState, transition};
use lingshi_domain::payment::{PaymentState, RefundReported, RefundState, Reported, amount_matches};
use lingshi_integrations::payments::{Notice, PaymentReport, Provider, RefundReport, RefundSettlement, Settlement};

/// Flag of a payment whose amount is not the one asked.
pub const AMOUNT_MISMATCH: &str = "amount_mismatch";
/// Changes tried again when another change to the order came first.
const ATTEMPTS: usize = 5;

fn reported(settlement: Settlement) -> Reported {
    match settlement {
        Settlement::Pending => Reported::Pending,
        Settlement::Paid => Reported::Paid,
        Settlement::Closed => Reported::Closed,
        Settlement::Failed => Reported::Failed,
    }
}

/// Applies `decide` to order `order_id` as the platform, again when another change came
/// first; `decide` returns `None` when there is nothing to do.
async fn change_as_system(
    state: &AppState,
    provider: Provider,
    order_id: &str,
    decide: impl Fn(&mut Loaded) -> Result<Option<Outcome>, AppError>,
) -> Result<(), AppError> {
    let principal = Principal::System(provider.code());
    for attempt in 0..ATTEMPTS {
        let seen = orders::load_as(state, principal, order_id).await?;
        let result = orders::change_as(state, principal, order_id, Some(seen.order.version), FileChange::None, &decide);
        match result.await {
            // The other change may not be visible yet (its flush is still to come): back off.
            Err(AppError::Conflict("concurrent_change")) => {
                tokio::time::sleep(std::time::Duration::from_millis(4 << attempt)).await;
            }
            other => return other.map(|_| ()),
        }
    }
    Err(AppError::Conflict("concurrent_change"))
}

/// Applies what the provider reports of a payment. A payment we never made is ignored
/// (the reconciliation shows it).
pub async fn settle_payment(state: &AppState, provider: Provider, report: &PaymentReport) -> Result<(), AppError> {
    let Some(known) = lingshi_storage::online_payments::find(&state.db, &report.out_trade_no).await? else {
        tracing::warn!(payment.provider = provider.code(), "report of a payment this platform did not make");
        return Ok(());
    };
    if known.provider != provider.code() {
        return Err(AppError::Conflict("payment_of_another_provider"));
    }
    change_as_system(state, provider, &known.order_id, |loaded| decide_payment(loaded, provider, report)).await
}

fn decide_payment(
    loaded: &mut Loaded,
    provider: Provider,
    report: &PaymentReport,
) -> Result<Option<Outcome>, AppError> {
    let Some(mut payment) = loaded.online.payments.iter().find(|p| p.out_trade_no == report.out_trade_no).cloned()
    else {
        return Ok(None);
    };
    let after = payment.state.observe(reported(report.settlement));
    if after == payment.state {
        return Ok(None); // a duplicate, a late report, or no news
    }
    payment.state = after;
    if after != PaymentState::Paid {
        return Ok(Some(Outcome {
            event: "payment_closed",
            note: None,
            records: vec![Record::OnlinePaymentChanged(Box::new(payment))],
        }));
    }
    payment.transaction_id.clone_from(&report.transaction_id);
    payment.payer_total = report.payer_total;
    payment.payer_currency.clone_from(&report.payer_currency);
    payment.paid_at = Some(report.paid_at.unwrap_or_else(Utc::now));
    if !amount_matches(payment.amount_minor, &payment.currency, report.amount_minor, &report.currency) {
        payment.flag = Some(AMOUNT_MISMATCH.into());
        let note = format!("{} {}", report.amount_minor, report.currency);
        let records = vec![Record::OnlinePaymentChanged(Box::new(payment))];
        return Ok(Some(Outcome { event: "payment_amount_mismatch", note: Some(note), records }));
    }
    let wanted = loaded.ensure(Action::PayOnline, Actor::Applicant).is_ok();
    let mut records = vec![Record::Money {
        kind: "payment",
        method: provider.code().to_owned(),
        amount_minor: payment.amount_minor,
        currency: payment.currency.clone(),
        reference: payment.transaction_id.clone(),
    }];
    let event = if wanted {
        if loaded.order.state == OrderState::PendingPayment {
            loaded.order.state =
                transition(loaded.order.state, OrderAction::ConfirmPayment, Actor::System, loaded.facts())
                    .map_err(|e| AppError::Conflict(e.code()))?;
        }
        "payment_confirmed"
    } else {
        records.extend(refunds::unwanted(loaded, &payment)?);
        "payment_refunded_unwanted"
    };
    records.insert(0, Record::OnlinePaymentChanged(Box::new(payment)));
    Ok(Some(Outcome { event, note: None, records }))
}

/// Applies what the provider reports of a refund.
pub async fn settle_refund(state: &AppState, provider: Provider, report: &RefundReport) -> Result<(), AppError> {
    let Some(known) =
        lingshi_storage::online_payments::find_refund(&state.db, &state.vault, &report.out_refund_no).await?
    else {
        tracing::warn!(payment.provider = provider.code(), "report of a refund this platform did not ask for");
        return Ok(());
    };
    change_as_system(state, provider, &known.order_id, |loaded| decide_refund(loaded, provider, report)).await
}

fn decide_refund(loaded: &mut Loaded, provider: Provider, report: &RefundReport) -> Result<Option<Outcome>, AppError> {
    let Some(mut refund) = loaded.online.refunds.iter().find(|r| r.out_refund_no == report.out_refund_no).cloned()
    else {
        return Ok(None);
    };
    let seen = match report.settlement {
        RefundSettlement::Pending => RefundReported::Pending,
        RefundSettlement::Refunded => RefundReported::Refunded,
        RefundSettlement::Failed => RefundReported::Failed,
    };
    let after = refund.state.observe(seen);
    if after == refund.state {
        return Ok(None);
    }
    refund.state = after;
    if refund.refund_id.is_none() {
        refund.refund_id.clone_from(&report.refund_id);
    }
    let mut records = Vec::new();
    let event = if after == RefundState::Refunded {
        records.push(Record::Money {
            kind: "refund",
            method: provider.code().to_owned(),
            amount_minor: refund.amount_minor,
            currency: refund.currency.clone(),
            reference: Some(refund.reason.clone()),
        });
        "refund_confirmed"
    } else {
        "refund_failed"
    };
    records.insert(0, Record::OnlineRefundChanged(Box::new(refund)));
    Ok(Some(Outcome { event, note: None, records }))
}

/// A notification posted by `provider_code`: verified, opened and applied. Returns the
/// status and body the provider expects; anything refused records nothing.
pub async fn receive_notice(
    state: &AppState,
    provider_code: &str,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> Result<(u16, String), AppError> {
    let provider = Provider::from_code(provider_code).ok_or(AppError::NotFound)?;
    let client = client(state, provider)?;
    let notice = match client.open_notice(headers, body, Utc::now()) {
        Ok(notice) => notice,
        Err(refused) => {
            metrics::counter!("lingshi_payment_notices_refused_total", "provider" => provider.code()).increment(1);
            tracing::warn!(payment.provider = provider.code(), notice.refused = %refused, "payment notification refused");
            return Ok(client.answer(false));
        }
    };
    let applied = match &notice {
        Notice::Payment(report) => settle_payment(state, provider, report).await,
        Notice::Refund(report) => settle_refund(state, provider, report).await,
    };
    match applied {
        Ok(()) => Ok(client.answer(true)),
        // The provider tries again later; nothing was recorded.
        Err(error) => {
            tracing::error!(
                payment.provider = provider.code(),
                error.code = error.code(),
                "payment notification not applied"
            );
            let (_, body) = client.answer(false);
            Ok((500, body))
        }
    }
}
