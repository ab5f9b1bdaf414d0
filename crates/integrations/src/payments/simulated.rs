//! What the two payment simulators share: the faults a test can ask for, the ledger of
//! payments and refunds, delivery of notifications on the provider's retry schedule
//! (compressed in time), and the page where a person "scans and pays" in the demo.

use std::collections::BTreeMap;
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
    /// `NOTPAY`, `SUCCESS` or `CLOSED`.
    pub state: &'static str,
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
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

/// A refund as the simulated provider keeps it.
#[derive(Debug, Clone)]
pub struct SimRefund {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub amount_minor: i64,
    pub currency: String,
    /// `PROCESSING`, `SUCCESS` or `ABNORMAL`.
    pub state: &'static str,
    pub at: chrono::DateTime<chrono::Utc>,
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
pub fn scan_page(provider: &str, payment: &SimPayment, redirect: Option<&str>) -> String {
    let amount = format!("{}.{:02} {}", payment.amount_minor / 100, payment.amount_minor % 100, payment.currency);
    let back = redirect
        .map(escape)
        .map(|url| format!("<p><a href=\"{url}\">返回商户页面 · Back to Lingshi</a></p>"))
        .unwrap_or_default();
    let body = match payment.state {
        "NOTPAY" => format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <input type=\"hidden\" name=\"redirect\" value=\"{}\"><button type=\"submit\">确认支付 · Pay</button></form>",
            escape(&payment.token),
            redirect.map(escape).unwrap_or_default()
        ),
        "SUCCESS" => "<p role=\"status\">支付成功 · Paid</p>".to_owned(),
        _ => "<p role=\"status\">订单已关闭 · Closed</p>".to_owned(),
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
