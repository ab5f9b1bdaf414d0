//! The payment work the job runner does, each step idempotent: creating at the provider a
//! payment it failed to create when the applicant asked, querying a payment no
//! notification settled (and closing it once it expires), closing an abandoned one, sending
//! a refund, and querying a refund until the provider settles it. A provider that times out
//! or fails is tried again with the outbox's backoff; the applicant meanwhile sees the
//! payment pending, and the same `out_trade_no` / `out_refund_no` is reused, so nothing is
//! ever charged or refunded twice.

use super::{client, provider_of, settle_payment, settle_refund};
use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_domain::payment::RefundState;
use lingshi_integrations::payments::{ProviderError, Refund, RefundReport, RefundSettlement, Scene};
use lingshi_storage::online_payments::{self, OnlinePayment, OnlineRefund};
use serde_json::{Value, json};

/// Asks the provider again to create a payment it did not create when the applicant asked
/// (`{"out_trade_no", "mobile", "payer_ip"}`).
pub const CREATE_PAYMENT: &str = "payment_create";
/// Asks the provider about a payment still unsettled (`{"out_trade_no"}`).
pub const POLL_PAYMENT: &str = "payment_poll";
/// Closes a payment the applicant abandoned (`{"out_trade_no"}`).
pub const CLOSE_PAYMENT: &str = "payment_close";
/// Sends a refund to the provider (`{"out_refund_no"}`).
pub const SEND_REFUND: &str = "refund_send";
/// Asks the provider about a refund still unsettled (`{"out_refund_no"}`).
pub const POLL_REFUND: &str = "refund_poll";

fn field<'a>(payload: &'a Value, name: &str) -> Result<&'a str, String> {
    payload.get(name).and_then(Value::as_str).ok_or_else(|| format!("payload without {name}"))
}

fn failed(error: AppError) -> String {
    format!("{error:?}")
}

fn provider_failed(error: ProviderError) -> String {
    error.to_string()
}

pub(super) async fn enqueue(
    state: &AppState,
    kind: &'static str,
    payload: Value,
    at: DateTime<Utc>,
) -> Result<(), String> {
    let work = async {
        let mut tx = state.db.begin().await?;
        let max = lingshi_storage::jobs::DEFAULT_MAX_ATTEMPTS;
        lingshi_storage::jobs::enqueue_at(&mut tx, &state.vault, (kind, &payload, max), at, Utc::now()).await?;
        tx.commit().await
    };
    work.await.map_err(|e: lingshi_storage::StorageError| e.to_string())?;
    state.jobs_waiting.notify_one();
    Ok(())
}

async fn payment(state: &AppState, out_trade_no: &str) -> Result<Option<OnlinePayment>, String> {
    online_payments::find(&state.db, out_trade_no).await.map_err(|e| e.to_string())
}

/// Queries the provider and applies what it says.
pub(super) async fn query_and_settle(state: &AppState, payment: &OnlinePayment) -> Result<(), String> {
    let provider = provider_of(&payment.provider).map_err(failed)?;
    let client = client(state, provider).map_err(failed)?;
    match client.query(&payment.out_trade_no).await {
        Ok(report) => settle_payment(state, provider, &report).await.map_err(failed),
        // Never created there (its creation failed): nothing to settle yet.
        Err(ProviderError::Refused(_)) => Ok(()),
        Err(transient) => Err(provider_failed(transient)),
    }
}

pub async fn run_create(state: &AppState, payload: &Value) -> Result<(), String> {
    let out_trade_no = field(payload, "out_trade_no")?;
    let Some(known) = payment(state, out_trade_no).await? else { return Ok(()) };
    if known.state.is_final() || known.checkout.is_some() || Utc::now() >= known.expires_at {
        return Ok(());
    }
    let scene =
        if payload.get("mobile").and_then(Value::as_bool) == Some(true) { Scene::Mobile } else { Scene::Desktop };
    let principal = crate::service::orders::Principal::System(provider_of(&known.provider).map_err(failed)?.code());
    match super::checkout::create_at_provider(state, principal, &known, (scene, field(payload, "payer_ip")?)).await {
        // Refused for good: the query job closes the attempt when it expires.
        Ok(_) | Err(ProviderError::Refused(_) | ProviderError::Unsupported(_)) => Ok(()),
        Err(transient) => Err(provider_failed(transient)),
    }
}

pub async fn run_poll(state: &AppState, payload: &Value) -> Result<(), String> {
    let out_trade_no = field(payload, "out_trade_no")?;
    let Some(known) = payment(state, out_trade_no).await? else { return Ok(()) };
    if known.state.is_final() {
        return Ok(());
    }
    query_and_settle(state, &known).await?;
    let Some(now_known) = payment(state, out_trade_no).await? else { return Ok(()) };
    if now_known.state.is_final() {
        return Ok(());
    }
    let now = Utc::now();
    if now >= now_known.expires_at {
        return close_and_settle(state, &now_known).await;
    }
    let next = (now + state.settings.payments.query_every).min(now_known.expires_at);
    enqueue(state, POLL_PAYMENT, json!({"out_trade_no": out_trade_no}), next).await
}

async fn close_and_settle(state: &AppState, payment: &OnlinePayment) -> Result<(), String> {
    let provider = provider_of(&payment.provider).map_err(failed)?;
    let client = client(state, provider).map_err(failed)?;
    match client.close(&payment.out_trade_no).await {
        // Refused: paid meanwhile, or never created there; the query says which.
        Ok(()) | Err(ProviderError::Refused(_)) => {}
        Err(transient) => return Err(provider_failed(transient)),
    }
    query_and_settle(state, payment).await?;
    let still_open = payment_still_open(state, &payment.out_trade_no).await?;
    if still_open {
        // Never created at the provider: closed on our side alone.
        let closed = lingshi_integrations::payments::PaymentReport {
            out_trade_no: payment.out_trade_no.clone(),
            settlement: lingshi_integrations::payments::Settlement::Closed,
            transaction_id: None,
            amount_minor: payment.amount_minor,
            currency: payment.currency.clone(),
            payer_total: None,
            payer_currency: None,
            paid_at: None,
        };
        settle_payment(state, provider, &closed).await.map_err(failed)?;
    }
    Ok(())
}

async fn payment_still_open(state: &AppState, out_trade_no: &str) -> Result<bool, String> {
    Ok(payment(state, out_trade_no).await?.is_some_and(|p| !p.state.is_final()))
}

pub async fn run_close(state: &AppState, payload: &Value) -> Result<(), String> {
    let out_trade_no = field(payload, "out_trade_no")?;
    match payment(state, out_trade_no).await? {
        Some(known) if !known.state.is_final() => close_and_settle(state, &known).await,
        _ => Ok(()),
    }
}

/// The refund a job names, with the payment it refunds.
async fn refund_of(state: &AppState, payload: &Value) -> Result<Option<(OnlineRefund, OnlinePayment)>, String> {
    let out_refund_no = field(payload, "out_refund_no")?;
    let refund =
        online_payments::find_refund(&state.db, &state.vault, out_refund_no).await.map_err(|e| e.to_string())?;
    let Some(refund) = refund else { return Ok(None) };
    let payments = online_payments::for_order(&state.db, &refund.order_id).await.map_err(|e| e.to_string())?;
    let paid = payments.into_iter().find(|p| p.id == refund.payment_id).ok_or("a refund of an unknown payment")?;
    Ok(Some((refund, paid)))
}

/// After a report that leaves a refund pending, the provider is asked again later.
async fn poll_refund_later(state: &AppState, report: &RefundReport) -> Result<(), String> {
    if report.settlement != RefundSettlement::Pending {
        return Ok(());
    }
    let next = Utc::now() + state.settings.payments.query_every;
    enqueue(state, POLL_REFUND, json!({"out_refund_no": report.out_refund_no}), next).await
}

pub async fn run_send_refund(state: &AppState, payload: &Value) -> Result<(), String> {
    let Some((refund, paid)) = refund_of(state, payload).await? else { return Ok(()) };
    if refund.state != RefundState::Requested {
        return Ok(());
    }
    let out_refund_no = refund.out_refund_no.as_str();
    let provider = provider_of(&paid.provider).map_err(failed)?;
    let client = client(state, provider).map_err(failed)?;
    let asked = Refund {
        out_trade_no: &paid.out_trade_no,
        transaction_id: paid.transaction_id.as_deref().unwrap_or_default(),
        out_refund_no,
        amount_minor: refund.amount_minor,
        total_minor: paid.amount_minor,
        currency: &refund.currency,
        reason: "consular fee refund",
        notify_url: &super::notify_url(state, provider),
    };
    let report = match client.refund(&asked).await {
        Ok(report) => report,
        Err(ProviderError::Refused(code)) => {
            tracing::warn!(payment.provider = provider.code(), refund.refused = %code, "refund refused by the provider");
            RefundReport {
                out_refund_no: out_refund_no.to_owned(),
                settlement: RefundSettlement::Failed,
                refund_id: None,
            }
        }
        Err(transient) => return Err(provider_failed(transient)),
    };
    settle_refund(state, provider, &report).await.map_err(failed)?;
    poll_refund_later(state, &report).await
}

pub async fn run_poll_refund(state: &AppState, payload: &Value) -> Result<(), String> {
    let Some((refund, paid)) = refund_of(state, payload).await? else { return Ok(()) };
    if refund.state != RefundState::Requested {
        return Ok(());
    }
    let provider = provider_of(&paid.provider).map_err(failed)?;
    let client = client(state, provider).map_err(failed)?;
    let report = client.query_refund(&refund.out_refund_no).await.map_err(provider_failed)?;
    settle_refund(state, provider, &report).await.map_err(failed)?;
    poll_refund_later(state, &report).await
}

/// A refund whose sending was given up (the provider never answered usefully) is failed, for
/// staff to see and settle by hand.
pub async fn refund_gave_up(state: &AppState, payload: &Value) -> Result<(), String> {
    let Some((refund, paid)) = refund_of(state, payload).await? else { return Ok(()) };
    let provider = provider_of(&paid.provider).map_err(failed)?;
    let failed_report =
        RefundReport { out_refund_no: refund.out_refund_no, settlement: RefundSettlement::Failed, refund_id: None };
    settle_refund(state, provider, &failed_report).await.map_err(failed)
}
