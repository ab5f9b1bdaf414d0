//! WeChat Pay API v3 (Global) on loopback, for the demo and the tests: it checks each
//! request's merchant signature, signs each answer with its own platform key, creates
//! payments with code URLs and H5 pages, lets a test ([`WechatSimulator::pay`]) or a person
//! (its `/scan` page) pay them, sends signed and encrypted notifications on WeChat's retry
//! schedule (compressed), refunds, serves the daily bill, and misbehaves on request
//! ([`Faults`]). Its keys are made when it starts; [`WechatSimulator::merchant_config`] is
//! what a platform talking to it is configured with.

use crate::payments::keys::{KeyError, SigningKey, VerifyingKey};
use crate::payments::simulated::{
    self, Core, Faults, NewPayment, NewRefund, Refusal, SimPayment, SimRefund, SimRefundState, SimState, Simulator,
};
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
use std::sync::Arc;
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
    core: Core,
    keys: Arc<Keys>,
}

impl Simulator for WechatSimulator {
    const NAME: &'static str = "微信支付";

    fn core(&self) -> &Core {
        &self.core
    }

    fn notify_payment(&self, payment: &SimPayment) {
        let faults = self.core.with(|ledger| ledger.faults.clone());
        let plain = serde_json::to_vec(&self.transaction(payment, &faults)).unwrap_or_default();
        self.notify(&payment.notify_url, "TRANSACTION.SUCCESS", "transaction", &plain);
    }

    fn notify_refund(&self, refund: &SimRefund) {
        let event = if refund.state == SimRefundState::Refunded { "REFUND.SUCCESS" } else { "REFUND.ABNORMAL" };
        self.notify(&refund.notify_url, event, "refund", refund_json(refund).to_string().as_bytes());
    }
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
        Ok(Self { core: Core::new(compress), keys: Arc::new(keys) })
    }

    /// Serves the API on `listener` in the background; returns its base URL.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<String> {
        let base = self.core.listen_on(&listener)?;
        let app = axum::Router::new()
            .route("/v3/global/transactions/native", post(create))
            .route("/v3/global/transactions/h5", post(create))
            .route("/v3/global/transactions/out-trade-no/{no}", get(query))
            .route("/v3/global/transactions/out-trade-no/{no}/close", post(close))
            .route("/v3/global/refunds", post(refund))
            .route("/v3/global/refunds/out-refund-no/{no}", get(query_refund))
            .route("/v3/global/bill/tradebill", get(statements::bill))
            .route("/v3/billdownload/file", get(statements::download))
            .merge(simulated::scan_routes())
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(base)
    }

    /// What a platform talking to this simulator is configured with.
    pub fn merchant_config(&self, timeout: Duration) -> WechatConfig {
        WechatConfig {
            base_url: self.core.base(),
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

    fn transaction(&self, payment: &SimPayment, faults: &Faults) -> Transaction {
        let paid = payment.state == SimState::Paid;
        let state = match payment.state {
            SimState::Paid if payment.refunded_minor > 0 => "REFUND",
            SimState::Paid => "SUCCESS",
            SimState::Unpaid => "NOTPAY",
            SimState::Closed => "CLOSED",
        };
        Transaction {
            mchid: MCHID.into(),
            appid: APPID.into(),
            out_trade_no: payment.out_trade_no.clone(),
            id: paid.then(|| payment.transaction_id.clone()),
            trade_state: state.into(),
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

    /// Seals, signs (or forges) and sends a notification.
    fn notify(&self, url: &str, event_type: &str, original_type: &str, plain: &[u8]) {
        let faults = self.core.with(|ledger| ledger.faults.clone());
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
        self.core.send(url, headers, body, &RETRY_SCHEDULE);
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

    /// A refusal of the ledger, as WeChat Pay answers it.
    fn refused(&self, refusal: Refusal) -> Response {
        match refusal {
            Refusal::Unknown => self.error(StatusCode::NOT_FOUND, "ORDER_NOT_EXIST"),
            Refusal::ReferenceUsed => self.error(StatusCode::BAD_REQUEST, "OUT_TRADE_NO_USED"),
            Refusal::AlreadyPaid => self.error(StatusCode::BAD_REQUEST, "ORDERPAID"),
            Refusal::NotPaid => self.error(StatusCode::BAD_REQUEST, "ORDER_NOT_PAID"),
            Refusal::BadRefundAmount => self.error(StatusCode::BAD_REQUEST, "INVALID_REFUND_AMOUNT"),
        }
    }

    /// Refuses unsigned requests and fails on purpose when asked to.
    fn admit(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), Box<Response>> {
        if !self.authorized(method, uri, headers, body) {
            return Err(Box::new(self.error(StatusCode::UNAUTHORIZED, "SIGN_ERROR")));
        }
        if self.core.with(simulated::Ledger::failing_call) {
            return Err(Box::new(self.error(StatusCode::INTERNAL_SERVER_ERROR, "SYSTEM_ERROR")));
        }
        Ok(())
    }

    /// [`Self::admit`], then the request's JSON body.
    fn admit_json(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Value, Box<Response>> {
        self.admit(method, uri, headers, body)?;
        serde_json::from_slice(body).map_err(|_| Box::new(self.error(StatusCode::BAD_REQUEST, "PARAM_ERROR")))
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
    let total = request.pointer("/amount/total").and_then(Value::as_i64).unwrap_or(0);
    let currency = simulated::text_at(&request, "/amount/currency");
    let (out_trade_no, notify_url) =
        (simulated::text_at(&request, "/out_trade_no"), simulated::text_at(&request, "/notify_url"));
    if total <= 0 || currency.len() != 3 || out_trade_no.is_empty() || notify_url.is_empty() {
        return sim.error(StatusCode::BAD_REQUEST, "PARAM_ERROR");
    }
    let new = NewPayment {
        out_trade_no: &out_trade_no,
        amount_minor: total,
        currency: &currency,
        notify_url: &notify_url,
        id_prefix: "4200",
    };
    let token = match sim.core.with(|ledger| ledger.create(&new)) {
        Ok(payment) => payment.token,
        Err(refusal) => return sim.refused(refusal),
    };
    if uri.path().ends_with("/h5") {
        sim.answer(StatusCode::OK, &json!({"h5_url": format!("{}/scan?pr={token}", sim.core.base())}))
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
    let found = sim.core.with(|ledger| ledger.payments.get(&no).cloned().map(|p| (p, ledger.faults.clone())));
    match found {
        Some((payment, faults)) => {
            sim.answer(StatusCode::OK, &serde_json::to_value(sim.transaction(&payment, &faults)).unwrap_or_default())
        }
        None => sim.refused(Refusal::Unknown),
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
    match sim.core.with(|ledger| ledger.close(&no)) {
        Ok(()) => sim.answer(StatusCode::NO_CONTENT, &Value::Null),
        Err(refusal) => sim.refused(refusal),
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
    let text = |name: &str| simulated::text_at(&request, &format!("/{name}"));
    let (out_trade_no, out_refund_no, notify_url) = (text("out_trade_no"), text("out_refund_no"), text("notify_url"));
    let new = NewRefund {
        out_refund_no: &out_refund_no,
        out_trade_no: &out_trade_no,
        amount_minor: request.pointer("/amount/refund").and_then(Value::as_i64).unwrap_or(0),
        notify_url: &notify_url,
        id_prefix: "5030",
    };
    match sim.core.with(|ledger| ledger.refund(&new)) {
        Ok((refund, new)) => {
            if new {
                sim.settle_refund_later(refund.out_refund_no.clone());
            }
            sim.answer(StatusCode::OK, &refund_json(&refund))
        }
        Err(refusal) => sim.refused(refusal),
    }
}

fn refund_json(refund: &SimRefund) -> Value {
    let status = match refund.state {
        SimRefundState::Processing => "PROCESSING",
        SimRefundState::Refunded => "SUCCESS",
        SimRefundState::Failed => "ABNORMAL",
    };
    let record = RefundRecord {
        out_trade_no: refund.out_trade_no.clone(),
        out_refund_no: refund.out_refund_no.clone(),
        refund_id: Some(refund.refund_id.clone()),
        refund_status: status.into(),
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
    match sim.core.with(|ledger| ledger.refunds.get(&no).cloned()) {
        Some(refund) => sim.answer(StatusCode::OK, &refund_json(&refund)),
        None => sim.error(StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS"),
    }
}
