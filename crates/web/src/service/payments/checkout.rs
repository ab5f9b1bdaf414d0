//! The applicant's side of an online payment: the checkout (a live attempt reused, or a new
//! one recorded before the provider is asked, so that a notification never arrives for a
//! payment we do not know), asking the provider again, and abandoning the payment to choose
//! another way.

use super::jobs::{CLOSE_PAYMENT, CREATE_PAYMENT, POLL_PAYMENT, query_and_settle};
use super::{client, notify_url};
use crate::error::AppError;
use crate::service::orders::{self, FileChange, Loaded, Outcome, Principal, Record};
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_domain::actions::Action;
use lingshi_domain::application::Step;
use lingshi_domain::order::{Actor, OrderAction, OrderState, transition};
use lingshi_domain::payment::{EURO, PaymentState, convert};
use lingshi_integrations::payments::{Charge, Checkout, Provider, ProviderError, Scene};
use lingshi_storage::accounts::Account;
use lingshi_storage::online_payments::OnlinePayment;
use serde_json::json;

/// A payment attempt and where the payer goes on.
pub struct CheckoutView {
    pub payment: OnlinePayment,
    /// `None` while the provider cannot be reached; the same attempt is asked again next time.
    pub checkout: Option<Checkout>,
}

/// An attempt is reused while it has this long left to be paid.
const REUSE_MARGIN: i64 = 2;

/// What is still due on the order, in minor units of its currency.
fn due(loaded: &Loaded) -> (i64, String) {
    let fee = loaded.order.fee_minor.unwrap_or(0);
    let currency = loaded.order.fee_currency.clone().unwrap_or_else(|| loaded.mission.currency.clone());
    (fee - lingshi_storage::order_work::net_paid(&loaded.payments), currency)
}

/// The providers the applicant may pay this order with: WeChat Pay alone for an order
/// submitted paying with it (the guide's 微信支付), every configured one for a fee due by
/// the payment notice (微信或支付宝).
pub fn offered(state: &AppState, loaded: &Loaded) -> Vec<Provider> {
    let providers = state.settings.payments.providers.keys().copied();
    if loaded.order.state == OrderState::PendingPayment {
        providers.filter(|p| *p == Provider::WechatPay).collect()
    } else {
        providers.collect()
    }
}

/// The estimate in yuan of `amount` at the newest reference rates, with the rates' date.
async fn estimate(state: &AppState, amount: i64, currency: &str) -> Result<Option<(i64, chrono::NaiveDate)>, AppError> {
    let Some(yuan) = lingshi_storage::rates::latest(&state.db, "CNY").await? else { return Ok(None) };
    let from = if currency == "EUR" {
        Some((EURO, yuan.date))
    } else {
        lingshi_storage::rates::latest(&state.db, currency).await?.map(|r| (r.per_euro_micros, r.date.min(yuan.date)))
    };
    Ok(from.and_then(|(per_euro, date)| convert(amount, per_euro, yuan.per_euro_micros).map(|e| (e, date))))
}

/// The order's checkout with `provider`: the live attempt, or a new one.
pub async fn checkout(
    state: &AppState,
    account: &Account,
    order_id: &str,
    provider: Provider,
    (scene, payer_ip): (Scene, &str),
) -> Result<CheckoutView, AppError> {
    let loaded = orders::load(state, account, order_id).await?;
    loaded.ensure(Action::PayOnline, Actor::Applicant)?;
    if !offered(state, &loaded).contains(&provider) {
        return Err(AppError::Conflict("payment_provider_not_offered"));
    }
    let (amount, currency) = due(&loaded);
    if amount <= 0 {
        return Err(AppError::Conflict("fee_settled"));
    }
    let now = Utc::now();
    let live = loaded.online.payments.iter().rev().find(|p| {
        p.provider == provider.code()
            && p.state == PaymentState::Created
            && p.amount_minor == amount
            && p.expires_at > now + Duration::minutes(REUSE_MARGIN)
    });
    let payment = match live {
        Some(payment) => payment.clone(),
        None => {
            let estimate = estimate(state, amount, &currency).await?;
            let payment = OnlinePayment {
                id: uuid::Uuid::new_v4().to_string(),
                order_id: order_id.to_owned(),
                provider: provider.code().to_owned(),
                out_trade_no: format!("LS{}", uuid::Uuid::new_v4().simple()),
                state: PaymentState::Created,
                amount_minor: amount,
                currency: currency.clone(),
                estimate_minor: estimate.map(|e| e.0),
                estimate_currency: estimate.map(|_| "CNY".to_owned()),
                rate_date: estimate.map(|e| e.1),
                checkout: None,
                transaction_id: None,
                payer_total: None,
                payer_currency: None,
                flag: None,
                expires_at: now + state.settings.payments.expires_after,
                paid_at: None,
                created_at: now,
            };
            let poll = Record::Job(
                POLL_PAYMENT,
                json!({"out_trade_no": payment.out_trade_no}),
                now + state.settings.payments.query_every,
            );
            let records = vec![Record::NewOnlinePayment(Box::new(payment.clone())), poll];
            orders::change(state, account, order_id, FileChange::None, |_| Ok(Some(Outcome::quiet(records)))).await?;
            payment
        }
    };
    if let Some(stored) = payment.checkout.as_deref().and_then(|c| serde_json::from_str::<Checkout>(c).ok()) {
        return Ok(CheckoutView { payment, checkout: Some(stored) });
    }
    match create_at_provider(state, Principal::Applicant(account), &payment, (scene, payer_ip)).await {
        Ok(checkout) => Ok(CheckoutView { payment: checkout.0, checkout: Some(checkout.1) }),
        Err(error) => {
            tracing::warn!(payment.provider = provider.code(), error.cause = %error, "the provider did not create the payment");
            // Asked again with the outbox's backoff; the applicant sees the payment pending.
            let retry =
                json!({"out_trade_no": payment.out_trade_no, "mobile": scene == Scene::Mobile, "payer_ip": payer_ip});
            super::jobs::enqueue(state, CREATE_PAYMENT, retry, now).await.map_err(AppError::internal)?;
            Ok(CheckoutView { payment, checkout: None })
        }
    }
}

/// Asks the provider to create `payment` (the same `out_trade_no` again is the same payment
/// there) and keeps where the payer goes on; returns the payment as stored and its checkout.
pub(super) async fn create_at_provider(
    state: &AppState,
    principal: Principal<'_>,
    payment: &OnlinePayment,
    (scene, payer_ip): (Scene, &str),
) -> Result<(OnlinePayment, Checkout), ProviderError> {
    let provider = Provider::from_code(&payment.provider).ok_or(ProviderError::Unsupported("unknown provider"))?;
    let unavailable = |error: AppError| ProviderError::Transient(error.code().to_owned());
    let client = client(state, provider).map_err(unavailable)?;
    let loaded = orders::load_as(state, principal, &payment.order_id).await.map_err(unavailable)?;
    let description = format!("{} {}", loaded.mission.name.zh, loaded.order.number);
    let charge = Charge {
        out_trade_no: &payment.out_trade_no,
        description: &description,
        amount_minor: payment.amount_minor,
        currency: &payment.currency,
        scene,
        payer_ip,
        expires_at: payment.expires_at,
        notify_url: &notify_url(state, provider),
    };
    let checkout = client.create(&charge).await?;
    let mut stored = payment.clone();
    stored.checkout = Some(serde_json::to_string(&checkout).map_err(|_| ProviderError::Transient("checkout".into()))?);
    let records = vec![Record::OnlinePaymentChanged(Box::new(stored.clone()))];
    orders::change_as(state, principal, &payment.order_id, None, FileChange::None, |loaded| {
        // Settled meanwhile (a fast payer): keep what the provider said.
        let current = loaded.online.payments.iter().find(|p| p.id == stored.id);
        Ok(current.filter(|p| p.state == PaymentState::Created).map(|_| Outcome::quiet(records)))
    })
    .await
    .map_err(unavailable)?;
    Ok((stored, checkout))
}

/// Asks the provider about the order's unsettled payments now (the applicant says they
/// paid), instead of waiting for the notification or the next query.
pub async fn refresh(state: &AppState, account: &Account, order_id: &str) -> Result<Loaded, AppError> {
    let loaded = orders::load(state, account, order_id).await?;
    for payment in loaded.online.payments.iter().filter(|p| p.state == PaymentState::Created) {
        if let Err(error) = query_and_settle(state, payment).await {
            tracing::warn!(error.cause = %error, "asking the provider about a payment failed");
        }
    }
    orders::load(state, account, order_id).await
}

/// The applicant leaves the payment and goes back to the draft (to choose 线下支付): the
/// order returns to its payment step, and its unpaid attempts are closed at the provider.
pub async fn abandon(state: &AppState, account: &Account, order_id: &str) -> Result<Loaded, AppError> {
    orders::change(state, account, order_id, FileChange::None, |loaded| {
        loaded.order.state =
            transition(loaded.order.state, OrderAction::AbandonPayment, Actor::Applicant, loaded.facts())
                .map_err(|e| AppError::Conflict(e.code()))?;
        let payment_step = loaded.steps().iter().position(|s| *s == Step::Payment).unwrap_or(0);
        loaded.order.progress = i32::try_from(payment_step).unwrap_or(0);
        let now = Utc::now();
        let records = loaded
            .online
            .payments
            .iter()
            .filter(|p| p.state == PaymentState::Created)
            .map(|p| Record::Job(CLOSE_PAYMENT, json!({"out_trade_no": p.out_trade_no}), now))
            .collect();
        Ok(Some(Outcome { event: "payment_abandoned", note: None, records }))
    })
    .await
}
