//! WeChat Pay API v3 (Global) on loopback, for the demo and the tests: it checks each
//! request's merchant signature, signs each answer with its own platform key, creates
//! payments with code URLs and H5 pages, lets a test ([`WechatSimulator::pay`]) or a person
//! (its `/scan` page) pay them, sends signed and encrypted notifications on WeChat's retry
//! schedule (compressed), refunds, serves the daily bill, and misbehaves on request
//! ([`Faults`]). Its keys are made when it starts; [`WechatSimulator::merchant_config`] is
//! what a platform talking to it is configured with.

use crate::payments::keys::{KeyError, SigningKey, VerifyingKey};
use crate::payments::simulated::{self, Faults, Ledger, SentNotice, SimPayment, SimRefund};
use crate::payments::wechat::WechatConfig;
use crate::payments::wechat::protocol::{
    self, ApiError, ApiV3Key, Notification, RefundRecord, Transaction, TransactionAmount,
};
mod statements;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// WeChat Pay's notification retry schedule, in seconds after the first attempt's failure.
pub const RETRY_SCHEDULE: [u64; 15] =
    [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];
pub const MCHID: &str = "1900000001";
pub const APPID: &str = "wxd678efh567hg6787";
const MERCHANT_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A72SIM";
const PLATFORM_SERIAL: &str = "PUB_KEY_ID_0119000000012026SIMULATOR";

struct Keys {
    platform: SigningKey,
    merchant: SigningKey,
    merchant_public: VerifyingKey,
    platform_public: VerifyingKey,
    /// Signs forged notifications.
    forger: SigningKey,
    api_v3_key: ApiV3Key,
    api_v3_text: String,
}

/// One simulated WeChat Pay; clones share it.
#[derive(Clone)]
pub struct WechatSimulator {
    ledger: Arc<Mutex<Ledger>>,
    keys: Arc<Keys>,
    base: Arc<Mutex<String>>,
    compress: u32,
}

impl WechatSimulator {
    /// A simulator whose retry schedule runs `compress` times faster than WeChat's.
    pub fn new(compress: u32) -> Result<Self, KeyError> {
        let (platform, platform_public, _) = SigningKey::generate()?;
        let (merchant, merchant_public, _) = SigningKey::generate()?;
        let (forger, _, _) = SigningKey::generate()?;
        let api_v3_text: String = crate::payments::nonce().chars().take(32).collect();
        let api_v3_key = ApiV3Key::new(&api_v3_text).ok_or_else(|| KeyError::from("cannot make the API v3 key"))?;
        let keys = Keys { platform, merchant, merchant_public, platform_public, forger, api_v3_key, api_v3_text };
        Ok(Self { ledger: Arc::default(), keys: Arc::new(keys), base: Arc::default(), compress })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Ledger) -> T) -> T {
        f(&mut self.ledger.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Serves the API on `listener` in the background; returns its base URL.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<String> {
        let base = format!("http://{}", listener.local_addr()?);
        *self.base.lock().unwrap_or_else(PoisonError::into_inner) = base.clone();
        let app = axum::Router::new()
            .route("/v3/global/transactions/native", post(create))
            .route("/v3/global/transactions/h5", post(create))
            .route("/v3/global/transactions/out-trade-no/{no}", get(query))
            .route("/v3/global/transactions/out-trade-no/{no}/close", post(close))
            .route("/v3/global/refunds", post(refund))
            .route("/v3/global/refunds/out-refund-no/{no}", get(query_refund))
            .route("/v3/global/bill/tradebill", get(statements::bill))
            .route("/v3/billdownload/file", get(statements::download))
            .route("/scan", get(statements::scan_page).post(statements::scan_pay))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(base)
    }

    /// What a platform talking to this simulator is configured with.
    pub fn merchant_config(&self, timeout: Duration) -> WechatConfig {
        WechatConfig {
            base_url: self.base.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            mchid: MCHID.into(),
            appid: APPID.into(),
            merchant_serial: MERCHANT_SERIAL.into(),
            merchant_key: self.keys.merchant.clone(),
            platform_keys: BTreeMap::from([(PLATFORM_SERIAL.to_owned(), self.keys.platform_public.clone())]),
            api_v3_key: self.keys.api_v3_key.clone(),
            timeout,
        }
    }

    /// The API v3 key, for tests that seal resources of their own.
    pub fn api_v3_key_text(&self) -> String {
        self.keys.api_v3_text.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.with(|ledger| ledger.faults = faults);
    }

    /// Pays the payment a code URL (or H5 page) names, as a payer scanning it would.
    pub fn pay(&self, code_url: &str) -> bool {
        let token = code_url.rsplit(['=', '/']).next().unwrap_or_default().to_owned();
        let paid = self.with(|ledger| match ledger.by_token(&token) {
            Some(payment) if payment.state == "NOTPAY" => {
                payment.state = "SUCCESS";
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

    /// The payments made so far, by `out_trade_no`.
    pub fn payments(&self) -> Vec<SimPayment> {
        self.with(|ledger| ledger.payments.values().cloned().collect())
    }

    pub fn refunds(&self) -> Vec<SimRefund> {
        self.with(|ledger| ledger.refunds.values().cloned().collect())
    }

    /// Every notification sent so far, exactly as sent.
    pub fn sent_notices(&self) -> Vec<SentNotice> {
        self.with(|ledger| ledger.sent.clone())
    }

    fn transaction(&self, payment: &SimPayment, faults: &Faults) -> Transaction {
        let paid = payment.state == "SUCCESS";
        Transaction {
            mchid: MCHID.into(),
            appid: APPID.into(),
            out_trade_no: payment.out_trade_no.clone(),
            id: paid.then(|| payment.transaction_id.clone()),
            trade_state: if paid && payment.refunded_minor > 0 { "REFUND" } else { payment.state }.into(),
            trade_type: "NATIVE".into(),
            amount: TransactionAmount {
                total: payment.reported_amount(faults),
                currency: payment.currency.clone(),
                payer_total: paid.then(|| payment.payer_total()),
                payer_currency: paid.then(|| "CNY".to_owned()),
            },
            success_time: payment.paid_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }

    fn notify_payment(&self, payment: &SimPayment) {
        let faults = self.with(|ledger| ledger.faults.clone());
        let plain = serde_json::to_vec(&self.transaction(payment, &faults)).unwrap_or_default();
        self.notify(&payment.notify_url, "TRANSACTION.SUCCESS", "transaction", &plain);
    }

    /// Seals, signs (or forges) and sends a notification, with its duplicates.
    fn notify(&self, url: &str, event_type: &str, original_type: &str, plain: &[u8]) {
        let faults = self.with(|ledger| ledger.faults.clone());
        if faults.no_notification {
            return;
        }
        let notification = Notification {
            id: uuid::Uuid::new_v4().to_string(),
            create_time: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            event_type: event_type.into(),
            resource_type: "encrypt-resource".into(),
            summary: "支付成功".into(),
            resource: self.keys.api_v3_key.seal(original_type, plain),
        };
        let body = serde_json::to_vec(&notification).unwrap_or_default();
        let key = if faults.forged_signature { &self.keys.forger } else { &self.keys.platform };
        let age = if faults.stale_timestamp { 600 } else { 0 };
        let headers: Vec<(String, String)> =
            protocol::signed_headers(key, PLATFORM_SERIAL, &body, Utc::now().timestamp() - age)
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .chain([("content-type".to_owned(), "application/json".to_owned())])
                .collect();
        self.with(|ledger| ledger.sent.push((headers.clone(), body.clone())));
        for _ in 0..=faults.duplicate_notices {
            let compress = self.compress;
            tokio::spawn(simulated::deliver(url.to_owned(), headers.clone(), body.clone(), &RETRY_SCHEDULE, compress));
        }
    }

    fn authorized(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> bool {
        let header = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let Some(fields) = protocol::authorization_fields(header) else { return false };
        let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
        let Ok(timestamp) = field("timestamp").parse::<i64>() else { return false };
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or_default();
        let message = protocol::request_message(
            method.as_str(),
            path,
            timestamp,
            field("nonce_str"),
            &String::from_utf8_lossy(body),
        );
        field("mchid") == MCHID
            && field("serial_no") == MERCHANT_SERIAL
            && (Utc::now().timestamp() - timestamp).abs() <= crate::payments::TIMESTAMP_TOLERANCE_SECONDS
            && self.keys.merchant_public.verify(message.as_bytes(), field("signature"))
    }

    /// A signed answer.
    fn answer(&self, status: StatusCode, body: &Value) -> Response {
        let bytes = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
        let mut response = (status, bytes.clone()).into_response();
        for (name, value) in
            protocol::signed_headers(&self.keys.platform, PLATFORM_SERIAL, &bytes, Utc::now().timestamp())
        {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        response.headers_mut().insert("content-type", axum::http::HeaderValue::from_static("application/json"));
        response
    }

    fn error(&self, status: StatusCode, code: &str) -> Response {
        self.answer(
            status,
            &serde_json::to_value(ApiError { code: code.into(), message: code.into() }).unwrap_or_default(),
        )
    }

    /// Refuses unsigned requests and fails on purpose when asked to.
    fn admit(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), Box<Response>> {
        if !self.authorized(method, uri, headers, body) {
            return Err(Box::new(self.error(StatusCode::UNAUTHORIZED, "SIGN_ERROR")));
        }
        if self.with(Ledger::failing_call) {
            return Err(Box::new(self.error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR")));
        }
        Ok(())
    }

    /// [`Self::admit`], then the request's JSON body.
    fn admit_json(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Value, Box<Response>> {
        self.admit(method, uri, headers, body)?;
        serde_json::from_slice(body).map_err(|_| Box::new(self.error(StatusCode::BAD_REQUEST, "PARAM_ERROR")))
    }

    fn base(&self) -> String {
        self.base.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

async fn create(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = match sim.admit_json(&method, &uri, &headers, &body) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    let total = request.pointer("/amount/total").and_then(Value::as_i64).unwrap_or(0);
    let currency = request.pointer("/amount/currency").and_then(Value::as_str).unwrap_or_default().to_owned();
    let out_trade_no = text("out_trade_no");
    if total <= 0 || currency.len() != 3 || out_trade_no.is_empty() || text("notify_url").is_empty() {
        return sim.error(StatusCode::BAD_REQUEST, "PARAM_ERROR");
    }
    let created = sim.with(|ledger| {
        let payment = ledger.payments.entry(out_trade_no.clone()).or_insert_with(|| SimPayment {
            out_trade_no: out_trade_no.clone(),
            token: crate::payments::nonce(),
            transaction_id: format!("4200{}", &crate::payments::nonce()[..24]),
            amount_minor: total,
            currency: currency.clone(),
            notify_url: text("notify_url"),
            state: "NOTPAY",
            paid_at: None,
            refunded_minor: 0,
        });
        // The same out_trade_no again is the same payment, if it asks the same.
        (payment.amount_minor == total && payment.currency == currency).then(|| payment.token.clone())
    });
    let Some(token) = created else { return sim.error(StatusCode::BAD_REQUEST, "OUT_TRADE_NO_USED") };
    if uri.path().ends_with("/h5") {
        sim.answer(StatusCode::OK, &json!({"h5_url": format!("{}/scan?pr={token}", sim.base())}))
    } else {
        sim.answer(StatusCode::OK, &json!({"code_url": format!("weixin://wxpay/bizpayurl?pr={token}")}))
    }
}

async fn query(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(no): Path<String>,
) -> Response {
    if let Err(refused) = sim.admit(&method, &uri, &headers, b"") {
        return *refused;
    }
    let found = sim.with(|ledger| ledger.payments.get(&no).cloned().map(|p| (p, ledger.faults.clone())));
    match found {
        Some((payment, faults)) => {
            sim.answer(StatusCode::OK, &serde_json::to_value(sim.transaction(&payment, &faults)).unwrap_or_default())
        }
        None => sim.error(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST"),
    }
}

async fn close(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(no): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = sim.admit(&method, &uri, &headers, &body) {
        return *refused;
    }
    let outcome = sim.with(|ledger| match ledger.payments.get_mut(&no) {
        Some(payment) if payment.state == "SUCCESS" => Err("ORDERPAID"),
        Some(payment) => {
            payment.state = "CLOSED";
            Ok(())
        }
        None => Err("ORDER_NOT_EXIST"),
    });
    match outcome {
        Ok(()) => sim.answer(StatusCode::NO_CONTENT, &Value::Null),
        Err(code) => sim.error(StatusCode::BAD_REQUEST, code),
    }
}

async fn refund(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = match sim.admit_json(&method, &uri, &headers, &body) {
        Ok(request) => request,
        Err(refused) => return *refused,
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    let amount = request.pointer("/amount/refund").and_then(Value::as_i64).unwrap_or(0);
    let (out_trade_no, out_refund_no, notify_url) = (text("out_trade_no"), text("out_refund_no"), text("notify_url"));
    let recorded = sim.with(|ledger| {
        if let Some(existing) = ledger.refunds.get(&out_refund_no) {
            return Ok((existing.clone(), false)); // the same request again
        }
        let payment =
            ledger.payments.get_mut(&out_trade_no).filter(|p| p.state == "SUCCESS").ok_or("ORDER_NOT_PAID")?;
        if amount <= 0 || amount > payment.amount_minor - payment.refunded_minor || out_refund_no.is_empty() {
            return Err("INVALID_REFUND_AMOUNT");
        }
        payment.refunded_minor += amount;
        let refund = SimRefund {
            out_refund_no: out_refund_no.clone(),
            out_trade_no: out_trade_no.clone(),
            refund_id: format!("5030{}", &crate::payments::nonce()[..24]),
            amount_minor: amount,
            currency: payment.currency.clone(),
            state: "PROCESSING",
            at: Utc::now(),
        };
        ledger.refunds.insert(out_refund_no.clone(), refund.clone());
        Ok((refund, true))
    });
    match recorded {
        Ok((refund, new)) => {
            if new {
                tokio::spawn(sim.clone().settle_refund(refund.out_refund_no.clone(), notify_url));
            }
            sim.answer(StatusCode::OK, &refund_json(&refund))
        }
        Err(code) => sim.error(StatusCode::BAD_REQUEST, code),
    }
}

impl WechatSimulator {
    /// A moment after the request, the refund succeeds (or fails, when asked to) and is notified.
    async fn settle_refund(self, out_refund_no: String, notify_url: String) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let settled = self.with(|ledger| {
            let fails = ledger.faults.refund_fails;
            let refund = ledger.refunds.get_mut(&out_refund_no)?;
            refund.state = if fails { "ABNORMAL" } else { "SUCCESS" };
            let refund = refund.clone();
            if fails && let Some(payment) = ledger.payments.get_mut(&refund.out_trade_no) {
                payment.refunded_minor -= refund.amount_minor;
            }
            let payment = ledger.payments.get(&refund.out_trade_no).cloned();
            Some((refund, payment, ledger.faults.out_of_order))
        });
        let Some((refund, payment, out_of_order)) = settled else { return };
        let event = if refund.state == "SUCCESS" { "REFUND.SUCCESS" } else { "REFUND.ABNORMAL" };
        self.notify(&notify_url, event, "refund", refund_json(&refund).to_string().as_bytes());
        if out_of_order && let Some(payment) = payment {
            self.notify_payment(&payment);
        }
    }
}

fn refund_json(refund: &SimRefund) -> Value {
    let record = RefundRecord {
        out_trade_no: refund.out_trade_no.clone(),
        out_refund_no: refund.out_refund_no.clone(),
        refund_id: Some(refund.refund_id.clone()),
        refund_status: refund.state.into(),
    };
    serde_json::to_value(record).unwrap_or_default()
}

async fn query_refund(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(no): Path<String>,
) -> Response {
    if let Err(refused) = sim.admit(&method, &uri, &headers, b"") {
        return *refused;
    }
    match sim.with(|ledger| ledger.refunds.get(&no).cloned()) {
        Some(refund) => sim.answer(StatusCode::OK, &refund_json(&refund)),
        None => sim.error(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS"),
    }
}
