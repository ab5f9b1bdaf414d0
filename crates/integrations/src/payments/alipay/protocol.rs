//! Antom's (Alipay+) wire rules, shared by the client and the simulator: the signed content
//! of a request, an answer or a notification (`METHOD PATH\nClient-Id.Time.body`), the
//! `Signature` header (`algorithm=RSA256,keyVersion=…,signature=<URL-encoded base64>`), the
//! time headers (milliseconds since the epoch, or ISO 8601), and the JSON of amounts, results,
//! payments, refunds and notifications. Amounts are strings of minor units.

use crate::payments::keys::{SigningKey, VerifyingKey};
use crate::payments::{NoticeError, TIMESTAMP_TOLERANCE_SECONDS};
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const CLIENT_ID: &str = "client-id";
pub const REQUEST_TIME: &str = "request-time";
pub const RESPONSE_TIME: &str = "response-time";
pub const SIGNATURE: &str = "signature";
/// The API's paths.
pub const PAY: &str = "/ams/api/v1/payments/pay";
pub const INQUIRY_PAYMENT: &str = "/ams/api/v1/payments/inquiryPayment";
pub const CANCEL: &str = "/ams/api/v1/payments/cancel";
pub const REFUND: &str = "/ams/api/v1/payments/refund";
pub const INQUIRY_REFUND: &str = "/ams/api/v1/payments/inquiryRefund";
/// The wallet paid with: Alipay of mainland China.
pub const PAYMENT_METHOD: &str = "ALIPAY_CN";

/// What a request, an answer or a notification signs.
pub fn signed_content(method: &str, path: &str, client_id: &str, time: &str, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{method} {path}\n{client_id}.{time}.").into_bytes();
    content.extend_from_slice(body);
    content
}

/// The `Signature` header of `content` signed with `key`.
pub fn signature_header(key: &SigningKey, key_version: &str, content: &[u8]) -> String {
    let signature = key.sign(content).unwrap_or_default();
    let encoded = serde_urlencoded::to_string([("s", signature)]).unwrap_or_default();
    format!("algorithm=RSA256,keyVersion={key_version},signature={}", encoded.trim_start_matches("s="))
}

/// The base64 signature a `Signature` header carries, if it is of RSA256.
pub fn signature_of(header: &str) -> Option<String> {
    let mut algorithm = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("algorithm", value)) => algorithm = Some(value.trim()),
            Some(("signature", value)) => signature = Some(value.trim()),
            _ => {}
        }
    }
    if algorithm != Some("RSA256") {
        return None;
    }
    let decoded: Vec<(String, String)> = serde_urlencoded::from_str(&format!("s={}", signature?)).ok()?;
    decoded.into_iter().next().map(|(_, value)| value)
}

/// A time header: milliseconds since the epoch, or ISO 8601.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    match text.parse::<i64>() {
        Ok(millis) => DateTime::from_timestamp_millis(millis),
        Err(_) => DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc)),
    }
}

/// The headers that sign `body`, sent as `method path` by `client_id` at `time`.
pub fn signed_headers(
    key: &SigningKey,
    (method, path): (&str, &str),
    client_id: &str,
    time_header: &'static str,
    time: DateTime<Utc>,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let stamp = time.timestamp_millis().to_string();
    let signature = signature_header(key, "1", &signed_content(method, path, client_id, &stamp, body));
    vec![(CLIENT_ID, client_id.to_owned()), (time_header, stamp), (SIGNATURE, signature)]
}

/// Checks that `body`, sent as `method path`, is signed by `key` for `client_id` within
/// five minutes of `now`, the time read from `time_header`.
pub fn verify(
    headers: &HeaderMap,
    (method, path): (&str, &str),
    time_header: &str,
    (client_id, key): (&str, &VerifyingKey),
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), NoticeError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(sent_by), Some(time), Some(signature)) = (header(CLIENT_ID), header(time_header), header(SIGNATURE))
    else {
        return Err(NoticeError::BadSignature);
    };
    let signature = signature_of(&signature).ok_or(NoticeError::BadSignature)?;
    if sent_by != client_id || !key.verify(&signed_content(method, path, client_id, &time, body), &signature) {
        return Err(NoticeError::BadSignature);
    }
    let at = parse_time(&time).ok_or(NoticeError::BadSignature)?;
    if (now - at).num_seconds().abs() > TIMESTAMP_TOLERANCE_SECONDS {
        return Err(NoticeError::Stale);
    }
    Ok(())
}

/// An amount: a currency and a string of minor units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Amount {
    pub currency: String,
    pub value: String,
}

impl Amount {
    pub fn new(minor: i64, currency: &str) -> Self {
        Self { currency: currency.to_owned(), value: minor.to_string() }
    }

    pub fn minor(&self) -> Option<i64> {
        self.value.parse().ok()
    }
}

/// How a call ended: `resultStatus` `S` (success), `F` (failure) or `U` (unknown, or in
/// process), with its code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResultInfo {
    pub result_code: String,
    pub result_status: String,
    #[serde(default)]
    pub result_message: String,
}

impl ResultInfo {
    pub fn new(status: &str, code: &str) -> Self {
        Self { result_code: code.into(), result_status: status.into(), result_message: code.to_lowercase() }
    }
}

/// Any answer: its result, and whatever else it holds.
#[derive(Debug, Clone, Deserialize)]
pub struct Answer {
    pub result: ResultInfo,
}

/// A QR code of the `pay` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDetail {
    pub code_value: String,
    pub display_type: String,
}

/// The QR codes of the `pay` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCodeForm {
    pub code_details: Vec<CodeDetail>,
}

/// The answer to `pay`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayAnswer {
    pub result: ResultInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_code_form: Option<OrderCodeForm>,
}

/// A payment: answering `inquiryPayment`, and in a `PAYMENT_RESULT` notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    pub result: ResultInfo,
    /// Notifications only: `PAYMENT_RESULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_type: Option<String>,
    /// Inquiries only: `SUCCESS`, `FAIL`, `PROCESSING`, `CANCELLED`, `PENDING`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<String>,
    pub payment_request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    pub payment_amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_time: Option<String>,
}

/// A refund: answering `refund` and `inquiryRefund`, and in a `REFUND_RESULT` notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRecord {
    pub result: ResultInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_type: Option<String>,
    /// Inquiries and notifications: `SUCCESS`, `PROCESSING`, `FAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_status: Option<String>,
    pub refund_request_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_header_reads_back_its_url_encoded_signature() {
        let (key, public, _) = SigningKey::generate().expect("key");
        let content = signed_content("POST", PAY, "SANDBOX_5Y", "1685599933871", b"{\"a\":1}");
        assert!(content.starts_with(b"POST /ams/api/v1/payments/pay\nSANDBOX_5Y.1685599933871.{"));
        let header = signature_header(&key, "1", &content);
        assert!(header.starts_with("algorithm=RSA256,keyVersion=1,signature="), "{header}");
        let signature = signature_of(&header).expect("signature");
        assert!(public.verify(&content, &signature));
        assert!(signature_of("algorithm=RSA1024,signature=abc").is_none());
        assert_eq!(parse_time("1685599933871").map(|t| t.timestamp()), Some(1_685_599_933));
        assert_eq!(parse_time("2019-04-04T12:08:56.253+05:30").map(|t| t.timestamp()), Some(1_554_359_936));
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn a_notification_must_be_signed_for_its_path_and_client_and_be_recent() {
        let (key, public, _) = SigningKey::generate().expect("key");
        let now = Utc::now();
        let body = br#"{"notifyType":"PAYMENT_RESULT"}"#;
        let path = "/api/v1/payments/alipay/notifications";
        let mut headers = HeaderMap::new();
        for (name, value) in signed_headers(&key, ("POST", path), "CLIENT", REQUEST_TIME, now, body) {
            headers.insert(name, value.parse().expect("header"));
        }
        let check = |path: &str, client: &str, at: DateTime<Utc>| {
            verify(&headers, ("POST", path), REQUEST_TIME, (client, &public), body, at)
        };
        assert_eq!(check(path, "CLIENT", now), Ok(()));
        assert_eq!(check("/elsewhere", "CLIENT", now), Err(NoticeError::BadSignature));
        assert_eq!(check(path, "OTHER", now), Err(NoticeError::BadSignature));
        assert_eq!(check(path, "CLIENT", now + chrono::Duration::minutes(6)), Err(NoticeError::Stale));
    }
}
