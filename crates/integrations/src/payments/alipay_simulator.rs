//! Antom's payments API (Alipay) on loopback, for the demo and the tests: it checks each
//! request's merchant signature, signs each answer with its own key, creates cashier
//! payments with a QR code and a payment page, lets a test ([`Simulator::pay`]) or a person
//! (its `/scan` page) pay them, sends signed notifications on Antom's retry schedule
//! (compressed), cancels, refunds, and misbehaves on request ([`Faults`]). Its keys are made
//! when it starts; [`AlipaySimulator::merchant_config`] is what a platform talking to it is
//! configured with.

use crate::payments::alipay::AlipayConfig;
use crate::payments::alipay::protocol::{
    self, Amount, CodeDetail, OrderCodeForm, PayAnswer, PaymentRecord, RefundRecord, ResultInfo,
};
use crate::payments::keys::{KeyError, SigningKey, VerifyingKey};
use crate::payments::simulated::{
    self, Core, Faults, NewPayment, NewRefund, Refusal, SimPayment, SimRefund, SimRefundState, SimState, Simulator,
    text_at as text,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Antom's notification retry schedule, in seconds after the first attempt's failure.
pub const RETRY_SCHEDULE: [u64; 7] = [120, 600, 600, 3600, 7200, 21600, 54000];
pub const CLIENT_ID: &str = "SANDBOX_5YSIMULATED0000";

struct Keys {
    antom: SigningKey,
    antom_public: VerifyingKey,
    merchant: SigningKey,
    merchant_public: VerifyingKey,
    /// Signs forged notifications.
    forger: SigningKey,
}

/// One simulated Antom; clones share it.
#[derive(Clone)]
pub struct AlipaySimulator {
    core: Core,
    keys: Arc<Keys>,
}

impl Simulator for AlipaySimulator {
    const NAME: &'static str = "支付宝";

    fn core(&self) -> &Core {
        &self.core
    }

    fn notify_payment(&self, payment: &SimPayment) {
        let faults = self.core.with(|ledger| ledger.faults.clone());
        let mut record = payment_record(payment, &faults);
        record.notify_type = Some("PAYMENT_RESULT".into());
        record.payment_status = None;
        self.notify(&payment.notify_url, &record);
    }

    fn notify_refund(&self, refund: &SimRefund) {
        let mut record = refund_record(refund);
        record.notify_type = Some("REFUND_RESULT".into());
        self.notify(&refund.notify_url, &record);
    }
}

impl AlipaySimulator {
    /// A simulator whose retry schedule runs `compress` times faster than Antom's.
    pub fn new(compress: u32) -> Result<Self, KeyError> {
        let (antom, antom_public, _) = SigningKey::generate()?;
        let (merchant, merchant_public, _) = SigningKey::generate()?;
        let (forger, _, _) = SigningKey::generate()?;
        let keys = Keys { antom, antom_public, merchant, merchant_public, forger };
        Ok(Self { core: Core::new(compress), keys: Arc::new(keys) })
    }

    /// Serves the API on `listener` in the background; returns its base URL.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<String> {
        let base = self.core.listen_on(&listener)?;
        let app = axum::Router::new()
            .route(protocol::PAY, post(pay))
            .route(protocol::INQUIRY_PAYMENT, post(inquiry_payment))
            .route(protocol::CANCEL, post(cancel))
            .route(protocol::REFUND, post(refund))
            .route(protocol::INQUIRY_REFUND, post(inquiry_refund))
            .merge(simulated::scan_routes())
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(base)
    }

    /// What a platform talking to this simulator is configured with; `notify_path` is the
    /// path of the platform's notification endpoint.
    pub fn merchant_config(&self, notify_path: &str, timeout: Duration) -> AlipayConfig {
        AlipayConfig {
            base_url: self.core.base(),
            client_id: CLIENT_ID.into(),
            merchant_key: self.keys.merchant.clone(),
            key_version: "1".into(),
            antom_key: self.keys.antom_public.clone(),
            notify_path: notify_path.into(),
            timeout,
        }
    }

    /// Signs (or forges) and sends a notification.
    fn notify(&self, url: &str, record: &impl Serialize) {
        let faults = self.core.with(|ledger| ledger.faults.clone());
        let body = serde_json::to_vec(record).unwrap_or_default();
        let path = reqwest::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_default();
        let key = if faults.forged_signature { &self.keys.forger } else { &self.keys.antom };
        let at = Utc::now() - chrono::Duration::seconds(if faults.stale_timestamp { 600 } else { 0 });
        let headers: Vec<(String, String)> =
            protocol::signed_headers(key, ("POST", &path), CLIENT_ID, protocol::REQUEST_TIME, at, &body)
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .chain([("content-type".to_owned(), "application/json; charset=UTF-8".to_owned())])
                .collect();
        self.core.send(url, headers, body, &RETRY_SCHEDULE);
    }

    /// A signed answer to a request to `path`.
    fn answer(&self, path: &str, body: &impl Serialize) -> Response {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let headers = protocol::signed_headers(
            &self.keys.antom,
            ("POST", path),
            CLIENT_ID,
            protocol::RESPONSE_TIME,
            Utc::now(),
            &bytes,
        );
        let mut response = (StatusCode::OK, bytes).into_response();
        for (name, value) in headers {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        response.headers_mut().insert("content-type", axum::http::HeaderValue::from_static("application/json"));
        response
    }

    /// A result alone (failures, and the answers that carry nothing else).
    fn result(&self, path: &str, status: &str, code: &str) -> Response {
        self.answer(path, &serde_json::json!({"result": ResultInfo::new(status, code)}))
    }

    /// A refusal of the ledger, as Antom answers it.
    fn refused(&self, path: &str, refusal: Refusal) -> Response {
        let code = match refusal {
            Refusal::Unknown => "ORDER_NOT_EXIST",
            Refusal::ReferenceUsed => "REPEAT_REQ_INCONSISTENT",
            Refusal::AlreadyPaid => "ORDER_STATUS_INVALID",
            Refusal::NotPaid => "ORDER_STATUS_INVALID",
            Refusal::BadRefundAmount => "REFUND_AMOUNT_EXCEED",
        };
        self.result(path, "F", code)
    }

    /// Refuses unsigned requests (401, unsigned, as a gateway would), fails on purpose when
    /// asked to, and reads the request's JSON.
    fn admit(&self, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Value, Box<Response>> {
        let signer = (CLIENT_ID, &self.keys.merchant_public);
        if protocol::verify(headers, ("POST", uri.path()), protocol::REQUEST_TIME, signer, body, Utc::now()).is_err() {
            return Err(Box::new((StatusCode::UNAUTHORIZED, "INVALID_SIGNATURE").into_response()));
        }
        if self.core.with(simulated::Ledger::failing_call) {
            return Err(Box::new((StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR").into_response()));
        }
        serde_json::from_slice(body).map_err(|_| Box::new(self.result(uri.path(), "F", "PARAM_ILLEGAL")))
    }
}

fn payment_record(payment: &SimPayment, faults: &Faults) -> PaymentRecord {
    let status = match payment.state {
        SimState::Paid => "SUCCESS",
        SimState::Unpaid => "PROCESSING",
        SimState::Closed => "CANCELLED",
    };
    PaymentRecord {
        result: ResultInfo::new("S", "SUCCESS"),
        notify_type: None,
        payment_status: Some(status.into()),
        payment_request_id: payment.out_trade_no.clone(),
        payment_id: Some(payment.transaction_id.clone()),
        payment_amount: Amount::new(payment.reported_amount(faults), &payment.currency),
        payment_time: payment.paid_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
    }
}

fn refund_record(refund: &SimRefund) -> RefundRecord {
    let status = match refund.state {
        SimRefundState::Processing => "PROCESSING",
        SimRefundState::Refunded => "SUCCESS",
        SimRefundState::Failed => "FAIL",
    };
    RefundRecord {
        result: ResultInfo::new("S", "SUCCESS"),
        notify_type: None,
        refund_status: Some(status.into()),
        refund_request_id: refund.out_refund_no.clone(),
        refund_id: Some(refund.refund_id.clone()),
    }
}

/// Unwraps an admitted request, or answers with the refusal.
macro_rules! admitted {
    ($sim:expr, $uri:expr, $headers:expr, $body:expr) => {
        match $sim.admit(&$uri, &$headers, &$body) {
            Ok(request) => request,
            Err(refused) => return *refused,
        }
    };
}

async fn pay(State(sim): State<AlipaySimulator>, uri: Uri, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request = admitted!(sim, uri, headers, body);
    let amount = request.pointer("/paymentAmount/value").and_then(Value::as_str).and_then(|v| v.parse::<i64>().ok());
    let (out_trade_no, currency) = (text(&request, "/paymentRequestId"), text(&request, "/paymentAmount/currency"));
    let notify_url = text(&request, "/paymentNotifyUrl");
    let Some(amount) = amount.filter(|a| *a > 0) else { return sim.result(protocol::PAY, "F", "PARAM_ILLEGAL") };
    if currency.len() != 3 || out_trade_no.is_empty() || notify_url.is_empty() {
        return sim.result(protocol::PAY, "F", "PARAM_ILLEGAL");
    }
    let new = NewPayment {
        out_trade_no: &out_trade_no,
        amount_minor: amount,
        currency: &currency,
        notify_url: &notify_url,
        id_prefix: "2026",
    };
    let payment = match sim.core.with(|ledger| ledger.create(&new)) {
        Ok(payment) => payment,
        Err(refusal) => return sim.refused(protocol::PAY, refusal),
    };
    let answer = PayAnswer {
        result: ResultInfo::new("U", "PAYMENT_IN_PROCESS"),
        payment_id: Some(payment.transaction_id),
        normal_url: Some(format!("{}/scan?pr={}", sim.core.base(), payment.token)),
        order_code_form: Some(OrderCodeForm {
            code_details: vec![CodeDetail {
                code_value: format!("https://qr.alipay.com/{}", payment.token),
                display_type: "TEXT".into(),
            }],
        }),
    };
    sim.answer(protocol::PAY, &answer)
}

async fn inquiry_payment(
    State(sim): State<AlipaySimulator>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = admitted!(sim, uri, headers, body);
    let no = text(&request, "/paymentRequestId");
    match sim.core.with(|ledger| ledger.payments.get(&no).cloned().map(|p| (p, ledger.faults.clone()))) {
        Some((payment, faults)) => sim.answer(protocol::INQUIRY_PAYMENT, &payment_record(&payment, &faults)),
        None => sim.refused(protocol::INQUIRY_PAYMENT, Refusal::Unknown),
    }
}

async fn cancel(State(sim): State<AlipaySimulator>, uri: Uri, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request = admitted!(sim, uri, headers, body);
    match sim.core.with(|ledger| ledger.close(&text(&request, "/paymentRequestId"))) {
        Ok(()) => sim.result(protocol::CANCEL, "S", "SUCCESS"),
        Err(refusal) => sim.refused(protocol::CANCEL, refusal),
    }
}

async fn refund(State(sim): State<AlipaySimulator>, uri: Uri, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request = admitted!(sim, uri, headers, body);
    let payment_id = text(&request, "/paymentId");
    let Some(out_trade_no) = sim.core.with(|ledger| {
        ledger.payments.values().find(|p| p.transaction_id == payment_id).map(|p| p.out_trade_no.clone())
    }) else {
        return sim.refused(protocol::REFUND, Refusal::Unknown);
    };
    let (out_refund_no, notify_url) = (text(&request, "/refundRequestId"), text(&request, "/refundNotifyUrl"));
    let new = NewRefund {
        out_refund_no: &out_refund_no,
        out_trade_no: &out_trade_no,
        amount_minor: text(&request, "/refundAmount/value").parse().unwrap_or(0),
        notify_url: &notify_url,
        id_prefix: "2026R",
    };
    match sim.core.with(|ledger| ledger.refund(&new)) {
        Ok((refund, new)) => {
            if new {
                sim.settle_refund_later(refund.out_refund_no.clone());
            }
            let mut record = refund_record(&refund);
            record.result = ResultInfo::new("U", "REFUND_IN_PROCESS");
            record.refund_status = None;
            sim.answer(protocol::REFUND, &record)
        }
        Err(refusal) => sim.refused(protocol::REFUND, refusal),
    }
}

async fn inquiry_refund(
    State(sim): State<AlipaySimulator>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = admitted!(sim, uri, headers, body);
    match sim.core.with(|ledger| ledger.refunds.get(&text(&request, "/refundRequestId")).cloned()) {
        Some(refund) => sim.answer(protocol::INQUIRY_REFUND, &refund_record(&refund)),
        None => sim.refused(protocol::INQUIRY_REFUND, Refusal::Unknown),
    }
}
