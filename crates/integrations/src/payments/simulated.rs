//! What the two payment simulators share: the faults a test can ask for, the ledger of
//! payments and refunds and what may be done to it (create, pay, close, refund), delivery of
//! notifications on the provider's retry schedule (compressed in time), and the page where a
//! person "scans and pays" in the demo. Each simulator adds only its provider's wire format
//! ([`Simulator`]).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Ways a simulated provider misbehaves on purpose; all off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Each notification is sent this many extra times.
    pub duplicate_notices: u32,
    /// After a refund's notification, the payment's is sent again, late.
    pub out_of_order: bool,
    /// Notifications are signed with a key the platform does not know.
    pub forged_signature: bool,
    /// Notifications carry a timestamp ten minutes old.
    pub stale_timestamp: bool,
    /// Payments are reported (notified and queried) for one cent more than asked.
    pub wrong_amount: bool,
    /// No notification at all: the platform must query.
    pub no_notification: bool,
    /// Refunds end in failure.
    pub refund_fails: bool,
    /// The bill holds a payment the platform never saw.
    pub unknown_bill_payment: bool,
    /// The next this-many API calls answer 500.
    pub failing_calls: u32,
}

/// The reference of the payment the bill invents under [`Faults::unknown_bill_payment`].
pub const UNKNOWN_BILL_PAYMENT: &str = "LS-NEVER-SEEN";

/// Where a simulated payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimState {
    Unpaid,
    Paid,
    Closed,
}

/// A payment as the simulated provider keeps it.
#[derive(Debug, Clone)]
pub struct SimPayment {
    pub out_trade_no: String,
    /// What the code URL or payment page names.
    pub token: String,
    pub transaction_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub notify_url: String,
    pub state: SimState,
    pub paid_at: Option<DateTime<Utc>>,
    pub refunded_minor: i64,
}

impl SimPayment {
    /// The amount reported, wrong on purpose under [`Faults::wrong_amount`].
    pub fn reported_amount(&self, faults: &Faults) -> i64 {
        self.amount_minor + i64::from(faults.wrong_amount)
    }

    /// What the payer was charged in fen, at the simulator's 7.7 yuan to the unit.
    pub fn payer_total(&self) -> i64 {
        (self.amount_minor * 77 + 5) / 10
    }
}

/// Where a simulated refund is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimRefundState {
    Processing,
    Refunded,
    Failed,
}

/// A refund as the simulated provider keeps it.
#[derive(Debug, Clone)]
pub struct SimRefund {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub notify_url: String,
    pub state: SimRefundState,
    pub at: DateTime<Utc>,
}

/// Why the simulated provider refuses a request; each protocol names it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No payment (or refund) of that reference.
    Unknown,
    /// The reference is taken by a payment asking something else.
    ReferenceUsed,
    /// The payment is paid and cannot be closed.
    AlreadyPaid,
    /// A refund of a payment that is not paid.
    NotPaid,
    /// A refund of nothing, or of more than is left.
    BadRefundAmount,
}

/// A notification exactly as sent: its headers and its body.
pub type SentNotice = (Vec<(String, String)>, Vec<u8>);

/// Everything a simulated provider holds.
#[derive(Debug, Default)]
pub struct Ledger {
    pub payments: BTreeMap<String, SimPayment>,
    pub refunds: BTreeMap<String, SimRefund>,
    pub faults: Faults,
    /// Every notification sent, as sent: headers and body (for replay tests).
    pub sent: Vec<SentNotice>,
}

/// A payment to open in the ledger.
pub struct NewPayment<'a> {
    pub out_trade_no: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub notify_url: &'a str,
    /// How the provider's own references begin (`4200` for WeChat, `2026` for Antom).
    pub id_prefix: &'a str,
}

/// A refund to record in the ledger.
pub struct NewRefund<'a> {
    pub out_refund_no: &'a str,
    pub out_trade_no: &'a str,
    pub amount_minor: i64,
    pub notify_url: &'a str,
    pub id_prefix: &'a str,
}

impl Ledger {
    /// Whether this API call should fail (and counts it).
    pub fn failing_call(&mut self) -> bool {
        if self.faults.failing_calls > 0 {
            self.faults.failing_calls -= 1;
            return true;
        }
        false
    }

    pub fn by_token(&mut self, token: &str) -> Option<&mut SimPayment> {
        self.payments.values_mut().find(|p| p.token == token)
    }

    /// Opens a payment; the same reference asking the same again is the same payment.
    pub fn create(&mut self, new: &NewPayment<'_>) -> Result<SimPayment, Refusal> {
        let payment = self.payments.entry(new.out_trade_no.to_owned()).or_insert_with(|| SimPayment {
            out_trade_no: new.out_trade_no.to_owned(),
            token: crate::payments::nonce(),
            transaction_id: format!("{}{}", new.id_prefix, &crate::payments::nonce()[..24]),
            amount_minor: new.amount_minor,
            currency: new.currency.to_owned(),
            notify_url: new.notify_url.to_owned(),
            state: SimState::Unpaid,
            paid_at: None,
            refunded_minor: 0,
        });
        if payment.amount_minor == new.amount_minor && payment.currency == new.currency {
            Ok(payment.clone())
        } else {
            Err(Refusal::ReferenceUsed)
        }
    }

    /// Closes an unpaid payment.
    pub fn close(&mut self, out_trade_no: &str) -> Result<(), Refusal> {
        match self.payments.get_mut(out_trade_no) {
            Some(payment) if payment.state == SimState::Paid => Err(Refusal::AlreadyPaid),
            Some(payment) => {
                payment.state = SimState::Closed;
                Ok(())
            }
            None => Err(Refusal::Unknown),
        }
    }

    /// Records a refund (the same `out_refund_no` again is the same refund: `false`).
    pub fn refund(&mut self, new: &NewRefund<'_>) -> Result<(SimRefund, bool), Refusal> {
        if let Some(existing) = self.refunds.get(new.out_refund_no) {
            return Ok((existing.clone(), false));
        }
        let payment =
            self.payments.get_mut(new.out_trade_no).filter(|p| p.state == SimState::Paid).ok_or(Refusal::NotPaid)?;
        if new.amount_minor <= 0
            || new.amount_minor > payment.amount_minor - payment.refunded_minor
            || new.out_refund_no.is_empty()
        {
            return Err(Refusal::BadRefundAmount);
        }
        payment.refunded_minor += new.amount_minor;
        let refund = SimRefund {
            out_refund_no: new.out_refund_no.to_owned(),
            out_trade_no: new.out_trade_no.to_owned(),
            refund_id: format!("{}{}", new.id_prefix, &crate::payments::nonce()[..24]),
            amount_minor: new.amount_minor,
            currency: payment.currency.clone(),
            notify_url: new.notify_url.to_owned(),
            state: SimRefundState::Processing,
            at: Utc::now(),
        };
        self.refunds.insert(new.out_refund_no.to_owned(), refund.clone());
        Ok((refund, true))
    }

    /// Ends a refund (in failure, when asked to); returns it and its payment.
    fn settle_refund(&mut self, out_refund_no: &str) -> Option<(SimRefund, Option<SimPayment>)> {
        let fails = self.faults.refund_fails;
        let refund = self.refunds.get_mut(out_refund_no)?;
        refund.state = if fails { SimRefundState::Failed } else { SimRefundState::Refunded };
        let refund = refund.clone();
        if fails && let Some(payment) = self.payments.get_mut(&refund.out_trade_no) {
            payment.refunded_minor -= refund.amount_minor;
        }
        Some((refund.clone(), self.payments.get(&refund.out_trade_no).cloned()))
    }
}

/// The state a simulator keeps; clones share it.
#[derive(Clone)]
pub struct Core {
    ledger: Arc<Mutex<Ledger>>,
    base: Arc<Mutex<String>>,
    /// How many times faster than the provider's the retry schedule runs.
    pub compress: u32,
}

impl Core {
    pub fn new(compress: u32) -> Self {
        Self { ledger: Arc::default(), base: Arc::default(), compress }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        f(&mut self.ledger.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The base URL it serves on (set by `serve`).
    pub fn base(&self) -> String {
        self.base.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Remembers where it serves: `listener`'s address; returns that base URL.
    pub fn listen_on(&self, listener: &tokio::net::TcpListener) -> std::io::Result<String> {
        let base = format!("http://{}", listener.local_addr()?);
        *self.base.lock().unwrap_or_else(PoisonError::into_inner) = base.clone();
        Ok(base)
    }

    /// Sends a notification as the provider would: recorded as sent, then delivered (with
    /// its duplicates) on `schedule`; nothing at all under [`Faults::no_notification`].
    pub fn send(&self, url: &str, headers: Vec<(String, String)>, body: Vec<u8>, schedule: &'static [u64]) {
        let faults = self.with(|ledger| ledger.faults.clone());
        if faults.no_notification {
            return;
        }
        self.with(|ledger| ledger.sent.push((headers.clone(), body.clone())));
        for _ in 0..=faults.duplicate_notices {
            tokio::spawn(deliver(url.to_owned(), headers.clone(), body.clone(), schedule, self.compress));
        }
    }
}

/// A simulated provider: the shared [`Core`] and its protocol's notifications.
pub trait Simulator: Clone + Send + Sync + 'static {
    /// The provider's name on the payer's page (微信支付, 支付宝).
    const NAME: &'static str;

    fn core(&self) -> &Core;
    fn notify_payment(&self, payment: &SimPayment);
    fn notify_refund(&self, refund: &SimRefund);

    fn set_faults(&self, faults: Faults) {
        self.core().with(|ledger| ledger.faults = faults);
    }

    /// Pays the payment a code URL (or payment page) names, as a payer scanning it would.
    fn pay(&self, code_url: &str) -> bool {
        let token = token_of(code_url).to_owned();
        let paid = self.core().with(|ledger| match ledger.by_token(&token) {
            Some(payment) if payment.state == SimState::Unpaid => {
                payment.state = SimState::Paid;
                payment.paid_at = Some(Utc::now());
                Some(payment.clone())
            }
            _ => None,
        });
        match paid {
            Some(payment) => {
                self.notify_payment(&payment);
                true
            }
            None => false,
        }
    }

    /// The payments made so far, by reference.
    fn payments(&self) -> Vec<SimPayment> {
        self.core().with(|ledger| ledger.payments.values().cloned().collect())
    }

    fn refunds(&self) -> Vec<SimRefund> {
        self.core().with(|ledger| ledger.refunds.values().cloned().collect())
    }

    /// Every notification sent so far, exactly as sent.
    fn sent_notices(&self) -> Vec<SentNotice> {
        self.core().with(|ledger| ledger.sent.clone())
    }

    /// A moment after it was asked for, the refund ends (in failure, when asked to) and is
    /// notified; out of order, the payment's notification follows it.
    fn settle_refund_later(&self, out_refund_no: String) {
        let sim = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let out_of_order = sim.core().with(|ledger| ledger.faults.out_of_order);
            let Some((refund, payment)) = sim.core().with(|ledger| ledger.settle_refund(&out_refund_no)) else {
                return;
            };
            sim.notify_refund(&refund);
            if out_of_order && let Some(payment) = payment {
                sim.notify_payment(&payment);
            }
        });
    }
}

/// The string at `pointer` (`/a/b`) of a request's JSON, or empty.
pub fn text_at(request: &serde_json::Value, pointer: &str) -> String {
    request.pointer(pointer).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned()
}

/// The token a code URL or payment page names: what follows its last `=` or `/`.
pub fn token_of(code_url: &str) -> &str {
    code_url.rsplit(['=', '/']).next().unwrap_or_default()
}

/// The payer's page of the demo (`/scan?pr=<token>`): what is asked, and a button that pays.
pub fn scan_routes<S: Simulator>() -> axum::Router<S> {
    axum::Router::new().route("/scan", axum::routing::get(scan::<S>).post(scan_pay::<S>))
}

async fn scan<S: Simulator>(State(sim): State<S>, Query(query): Query<HashMap<String, String>>) -> Response {
    let token = query.get("pr").cloned().unwrap_or_default();
    match sim.core().with(|ledger| ledger.by_token(&token).cloned()) {
        Some(payment) => {
            Html(scan_page(S::NAME, &payment, query.get("redirect_url").map(String::as_str))).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such payment").into_response(),
    }
}

async fn scan_pay<S: Simulator>(
    State(sim): State<S>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let token = form.get("token").cloned().unwrap_or_default();
    sim.pay(&token);
    let mut query = vec![("pr", token.as_str())];
    if let Some(redirect) = form.get("redirect").filter(|r| !r.is_empty()) {
        query.push(("redirect_url", redirect));
    }
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    axum::response::Redirect::to(&format!("/scan?{query}")).into_response()
}

/// Posts a notification until the platform takes it (a 2xx), waiting between attempts as
/// the provider's `schedule` says, divided by `compress`.
pub async fn deliver(url: String, headers: Vec<(String, String)>, body: Vec<u8>, schedule: &[u64], compress: u32) {
    let client = reqwest::Client::new();
    for wait in std::iter::once(&0).chain(schedule) {
        tokio::time::sleep(Duration::from_millis(wait * 1000 / u64::from(compress.max(1)))).await;
        let mut request = client.post(&url).body(body.clone());
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if request.send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
    }
    tracing::warn!("simulated provider gave up a notification");
}

/// The payer's page in the demo: what is asked, and a button that pays it.
fn scan_page(provider: &str, payment: &SimPayment, redirect: Option<&str>) -> String {
    let amount = format!("{}.{:02} {}", payment.amount_minor / 100, payment.amount_minor % 100, payment.currency);
    let back = redirect
        .map(escape)
        .map(|url| format!("<p><a href=\"{url}\">返回商户页面 · Back to Lingshi</a></p>"))
        .unwrap_or_default();
    let body = match payment.state {
        SimState::Unpaid => format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <input type=\"hidden\" name=\"redirect\" value=\"{}\"><button type=\"submit\">确认支付 · Pay</button></form>",
            escape(&payment.token),
            redirect.map(escape).unwrap_or_default()
        ),
        SimState::Paid => "<p role=\"status\">支付成功 · Paid</p>".to_owned(),
        SimState::Closed => "<p role=\"status\">订单已关闭 · Closed</p>".to_owned(),
    };
    format!(
        "<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{provider}（模拟）</title></head><body><p><strong>模拟{provider} · simulated {provider}: no money moves</strong></p>\
         <h1>{provider}</h1><p>应付 · Amount: <strong>{amount}</strong></p><p>约 ¥{}.{:02}</p>{body}{back}</body></html>",
        payment.payer_total() / 100,
        payment.payer_total() % 100
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_payment(no: &str, amount: i64) -> NewPayment<'_> {
        NewPayment {
            out_trade_no: no,
            amount_minor: amount,
            currency: "EUR",
            notify_url: "http://x/n",
            id_prefix: "42",
        }
    }

    #[test]
    fn the_ledger_keeps_one_payment_per_reference_and_refunds_no_more_than_was_paid() {
        let mut ledger = Ledger::default();
        let first = ledger.create(&new_payment("LS1", 1600)).expect("created");
        assert_eq!(ledger.create(&new_payment("LS1", 1600)).expect("again").token, first.token);
        assert_eq!(ledger.create(&new_payment("LS1", 1700)).err(), Some(Refusal::ReferenceUsed));
        let refund = |out_refund_no: &'static str, amount_minor: i64| NewRefund {
            out_refund_no,
            out_trade_no: "LS1",
            amount_minor,
            notify_url: "http://x/n",
            id_prefix: "50",
        };
        assert_eq!(ledger.refund(&refund("RF0", 100)).err(), Some(Refusal::NotPaid));
        ledger.by_token(&first.token).expect("found").state = SimState::Paid;
        assert_eq!(ledger.close("LS1"), Err(Refusal::AlreadyPaid));
        assert_eq!(ledger.close("LS2"), Err(Refusal::Unknown));
        assert!(ledger.refund(&refund("RF1", 600)).expect("refunded").1);
        assert!(!ledger.refund(&refund("RF1", 600)).expect("the same refund").1, "idempotent by out_refund_no");
        assert_eq!(ledger.refund(&refund("RF2", 1001)).err(), Some(Refusal::BadRefundAmount));
        ledger.faults.refund_fails = true;
        let (failed, payment) = ledger.settle_refund("RF1").expect("settled");
        assert_eq!(failed.state, SimRefundState::Failed);
        assert_eq!(payment.expect("payment").refunded_minor, 0, "a failed refund gives the amount back");
    }

    #[test]
    fn a_token_is_what_follows_the_last_equals_sign_or_slash() {
        assert_eq!(token_of("weixin://wxpay/bizpayurl?pr=ABC"), "ABC");
        assert_eq!(token_of("https://qr.alipay.com/XYZ"), "XYZ");
    }
}
