//! WeChat Pay API v3's wire rules, shared by the client and the simulator: the signed
//! message of a request (`METHOD\nPATH\ntimestamp\nnonce\nbody\n`) and of an answer or a
//! notification (`timestamp\nnonce\nbody\n`), the `Authorization` header, the `Wechatpay-*`
//! headers, the AEAD_AES_256_GCM resource of a notification, and the JSON of a transaction,
//! a refund and a notification.

use crate::payments::keys::{SigningKey, VerifyingKey};
use crate::payments::{NoticeError, TIMESTAMP_TOLERANCE_SECONDS};
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};

/// The `Authorization` scheme of merchant requests.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";
pub const TIMESTAMP: &str = "wechatpay-timestamp";
pub const NONCE: &str = "wechatpay-nonce";
pub const SIGNATURE: &str = "wechatpay-signature";
pub const SERIAL: &str = "wechatpay-serial";
/// The merchant category code sent with each payment: government services.
pub const MERCHANT_CATEGORY_CODE: &str = "9399";

/// What a merchant request signs.
pub fn request_message(method: &str, path_and_query: &str, timestamp: i64, nonce: &str, body: &str) -> String {
    format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body}\n")
}

/// What an answer or a notification signs.
pub fn answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// The fields of an `Authorization` header (`mchid`, `nonce_str`, `signature`, `timestamp`,
/// `serial_no`), or `None` when it is not of the scheme.
pub fn authorization_fields(header: &str) -> Option<std::collections::HashMap<String, String>> {
    let rest = header.strip_prefix(SCHEME)?.trim();
    let mut fields = std::collections::HashMap::new();
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        fields.insert(name.to_owned(), value.trim_matches('"').to_owned());
    }
    Some(fields)
}

/// The `Wechatpay-*` headers signing `body` with `key` (registered under `serial`).
pub fn signed_headers(key: &SigningKey, serial: &str, body: &[u8], timestamp: i64) -> Vec<(&'static str, String)> {
    let nonce = crate::payments::nonce();
    let stamp = timestamp.to_string();
    let signature = key.sign(&answer_message(&stamp, &nonce, body)).unwrap_or_default();
    vec![(TIMESTAMP, stamp), (NONCE, nonce), (SIGNATURE, signature), (SERIAL, serial.to_owned())]
}

/// Checks the `Wechatpay-*` headers against `body`: signed by the key registered under the
/// named serial, and no more than five minutes away from `now`.
pub fn verify_signed(
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
    key_for: impl Fn(&str) -> Option<VerifyingKey>,
) -> Result<(), NoticeError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(timestamp), Some(nonce), Some(signature), Some(serial)) =
        (header(TIMESTAMP), header(NONCE), header(SIGNATURE), header(SERIAL))
    else {
        return Err(NoticeError::BadSignature);
    };
    let key = key_for(&serial).ok_or(NoticeError::BadSignature)?;
    if !key.verify(&answer_message(&timestamp, &nonce, body), &signature) {
        return Err(NoticeError::BadSignature);
    }
    let at = timestamp.parse::<i64>().map_err(|_| NoticeError::BadSignature)?;
    if (now.timestamp() - at).abs() > TIMESTAMP_TOLERANCE_SECONDS {
        return Err(NoticeError::Stale);
    }
    Ok(())
}

/// The API v3 key: 32 bytes that encrypt notification resources.
#[derive(Clone)]
pub struct ApiV3Key(std::sync::Arc<LessSafeKey>);

impl std::fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiV3Key(redacted)")
    }
}

impl ApiV3Key {
    /// The key as the merchant platform shows it: 32 ASCII characters.
    pub fn new(text: &str) -> Option<Self> {
        let bytes = text.trim().as_bytes();
        if bytes.len() != 32 {
            return None;
        }
        let key = UnboundKey::new(&AES_256_GCM, bytes).ok()?;
        Some(Self(std::sync::Arc::new(LessSafeKey::new(key))))
    }

    /// Decrypts a notification's resource.
    pub fn open(&self, resource: &Resource) -> Result<Vec<u8>, NoticeError> {
        if resource.algorithm != "AEAD_AES_256_GCM" {
            return Err(NoticeError::Malformed);
        }
        let nonce = Nonce::try_assume_unique_for_key(resource.nonce.as_bytes()).map_err(|_| NoticeError::Malformed)?;
        let mut data = STANDARD.decode(&resource.ciphertext).map_err(|_| NoticeError::Malformed)?;
        let aad = Aad::from(resource.associated_data.as_bytes());
        // A resource that does not open under our key was not sealed by the provider.
        let plain = self.0.open_in_place(nonce, aad, &mut data).map_err(|_| NoticeError::BadSignature)?;
        Ok(plain.to_vec())
    }

    /// Encrypts `plain` as a resource of `original_type` (what the provider does).
    pub fn seal(&self, original_type: &str, plain: &[u8]) -> Resource {
        let nonce_text: String = crate::payments::nonce().chars().take(12).collect();
        let mut data = plain.to_vec();
        let nonce = Nonce::try_assume_unique_for_key(nonce_text.as_bytes()).ok();
        let sealed =
            nonce.and_then(|n| self.0.seal_in_place_append_tag(n, Aad::from(original_type.as_bytes()), &mut data).ok());
        if sealed.is_none() {
            data.clear();
        }
        Resource {
            algorithm: "AEAD_AES_256_GCM".into(),
            ciphertext: STANDARD.encode(data),
            associated_data: original_type.into(),
            nonce: nonce_text,
            original_type: original_type.into(),
        }
    }
}

/// A notification's encrypted payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub algorithm: String,
    pub ciphertext: String,
    #[serde(default)]
    pub associated_data: String,
    pub nonce: String,
    #[serde(default)]
    pub original_type: String,
}

/// A notification as posted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub create_time: String,
    pub event_type: String,
    #[serde(default)]
    pub resource_type: String,
    #[serde(default)]
    pub summary: String,
    pub resource: Resource,
}

/// An amount as the API writes it: what was asked, and what the payer paid in yuan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TransactionAmount {
    pub total: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// A transaction: answering a query, and in a `TRANSACTION.*` notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transaction {
    pub mchid: String,
    #[serde(default)]
    pub appid: String,
    pub out_trade_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `SUCCESS`, `REFUND`, `NOTPAY`, `CLOSED`, `REVOKED`, `USERPAYING`, `PAYERROR`.
    pub trade_state: String,
    #[serde(default)]
    pub trade_type: String,
    pub amount: TransactionAmount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
}

/// A refund: answering a request or a query, and in a `REFUND.*` notification.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundRecord {
    #[serde(default)]
    pub out_trade_no: String,
    pub out_refund_no: String,
    #[serde(default, alias = "id", skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    /// `SUCCESS`, `PROCESSING`, `ABNORMAL`, `CLOSED`.
    #[serde(alias = "status")]
    pub refund_status: String,
}

/// The JSON of an error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// Where a day's bill is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BillLocation {
    pub download_url: String,
    pub hash_type: String,
    pub hash_value: String,
}

/// The columns of the trade bill this platform reads, by their header names.
pub const BILL_COLUMNS: [&str; 6] = ["交易时间", "商户订单号", "交易状态", "货币种类", "应结订单金额", "商户退款单号"];
/// The bill's refund amount column.
pub const BILL_REFUND_COLUMN: &str = "退款金额";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_opens_only_under_its_key_and_associated_data() {
        let key = ApiV3Key::new("0123456789abcdef0123456789abcdef").expect("32 characters");
        let resource = key.seal("transaction", b"{\"a\":1}");
        assert_eq!(key.open(&resource).expect("opens"), b"{\"a\":1}");
        let other = ApiV3Key::new("fedcba9876543210fedcba9876543210").expect("key");
        assert_eq!(other.open(&resource), Err(NoticeError::BadSignature));
        let tampered = Resource { associated_data: "refund".into(), ..resource.clone() };
        assert_eq!(key.open(&tampered), Err(NoticeError::BadSignature));
        let garbled = Resource { ciphertext: "%%%".into(), ..resource };
        assert_eq!(key.open(&garbled), Err(NoticeError::Malformed));
        assert!(ApiV3Key::new("short").is_none());
    }

    #[test]
    fn the_authorization_header_reads_back_its_fields() {
        let header =
            format!("{SCHEME} mchid=\"1900000001\",nonce_str=\"N\",signature=\"S==\",timestamp=\"1\",serial_no=\"AB\"");
        let fields = authorization_fields(&header).expect("fields");
        assert_eq!(fields.get("signature").map(String::as_str), Some("S=="));
        assert_eq!(fields.get("serial_no").map(String::as_str), Some("AB"));
        assert!(authorization_fields("Bearer x").is_none());
    }
}
