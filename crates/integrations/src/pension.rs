//! The human-resources and social-security departments that confirm a pensioner abroad is
//! alive and eligible (养老金资格认证). Each region's department is reached at its own base
//! URL; the protocol, documented in `docs/PENSION_PROTOCOL.md`, is JSON over HTTPS:
//!
//! - `POST {base}/certifications` with the record → `202 {"receipt": "…"}`;
//! - `GET {base}/certifications/{reference}` → `{"status": "pending" | "approved" |
//!   "not_approved", "reason": "…"}`;
//! - the department may instead call back `POST /api/v1/pension/callbacks` with
//!   `{"reference", "status", "reason"}`.
//!
//! Every request and callback carries `X-Lingshi-Signature: t=<unix seconds>,v1=<hex>`, the
//! HMAC-SHA256 with the shared secret of `"<t>.<body>"`; a signature more than five minutes
//! old or new is refused.

use chrono::{DateTime, Utc};
use ring::hmac;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "x-lingshi-signature";
/// How far a signature's time may be from ours.
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// The shared secret of the signatures.
#[derive(Clone)]
pub struct SigningKey(hmac::Key);

impl SigningKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    fn tag(&self, timestamp: i64, body: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(timestamp.to_string().as_bytes());
        context.update(b".");
        context.update(body);
        context.sign()
    }

    /// The header value signing `body` at `now`.
    pub fn sign(&self, body: &[u8], now: DateTime<Utc>) -> String {
        let timestamp = now.timestamp();
        let hex: String = self.tag(timestamp, body).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("t={timestamp},v1={hex}")
    }

    /// Whether `header` signs `body` and is recent.
    pub fn verify(&self, header: &str, body: &[u8], now: DateTime<Utc>) -> bool {
        let mut timestamp = None;
        let mut signature = None;
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
                Some(("v1", value)) => signature = decode_hex(value),
                _ => {}
            }
        }
        let (Some(timestamp), Some(signature)) = (timestamp, signature) else { return false };
        if (now.timestamp() - timestamp).abs() > SIGNATURE_TOLERANCE_SECONDS {
            return false;
        }
        let mut message = timestamp.to_string().into_bytes();
        message.push(b'.');
        message.extend_from_slice(body);
        hmac::verify(&self.0, &message, &signature).is_ok()
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// What is sent to the department.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificationRecord {
    pub reference: String,
    pub name: String,
    pub id_number: String,
    pub region: String,
    pub social_security_no: String,
    pub address_abroad: String,
    pub phone: String,
    /// `verified` or `skipped`.
    pub face: String,
    pub submitted_at: DateTime<Utc>,
}

/// The department's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// `pending`, `approved` or `not_approved`.
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why a call did not work.
#[derive(Debug, thiserror::Error)]
pub enum DepartmentError {
    /// Worth retrying: no answer in time, a server error, an answer we cannot read.
    #[error("the department did not answer usefully: {0}")]
    Transient(String),
    /// Not worth retrying: the department refused the record.
    #[error("the department refused the request: HTTP {0}")]
    Refused(u16),
}

/// A client of one region's department.
pub struct DepartmentClient {
    http: reqwest::Client,
    base: String,
    key: SigningKey,
}

#[derive(Deserialize)]
struct Receipt {
    receipt: String,
}

impl DepartmentClient {
    pub fn new(base: &str, key: SigningKey, timeout: Duration) -> Result<Self, DepartmentError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| DepartmentError::Transient(e.to_string()))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned(), key })
    }

    fn classify(error: reqwest::Error) -> DepartmentError {
        DepartmentError::Transient(crate::failure_kind(&error).to_owned())
    }

    /// Pushes a record; returns the department's receipt.
    pub async fn push(&self, record: &CertificationRecord) -> Result<String, DepartmentError> {
        let body = serde_json::to_vec(record).map_err(|e| DepartmentError::Transient(e.to_string()))?;
        let response = self
            .http
            .post(format!("{}/certifications", self.base))
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, self.key.sign(&body, Utc::now()))
            .body(body)
            .send()
            .await
            .map_err(Self::classify)?;
        let status = response.status();
        if status.is_client_error() {
            return Err(DepartmentError::Refused(status.as_u16()));
        }
        if !status.is_success() {
            return Err(DepartmentError::Transient(format!("HTTP {}", status.as_u16())));
        }
        let receipt: Receipt =
            response.json().await.map_err(|_| DepartmentError::Transient("unreadable answer".into()))?;
        Ok(receipt.receipt)
    }

    /// Asks for the decision on `reference`.
    pub async fn poll(&self, reference: &str) -> Result<Decision, DepartmentError> {
        let path = format!("/certifications/{reference}");
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(SIGNATURE_HEADER, self.key.sign(path.as_bytes(), Utc::now()))
            .send()
            .await
            .map_err(Self::classify)?;
        let status = response.status();
        if !status.is_success() {
            return Err(DepartmentError::Transient(format!("HTTP {}", status.as_u16())));
        }
        let decision: Decision =
            response.json().await.map_err(|_| DepartmentError::Transient("unreadable answer".into()))?;
        if matches!(decision.status.as_str(), "pending" | "approved" | "not_approved") {
            Ok(decision)
        } else {
            Err(DepartmentError::Transient("unknown status".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_key_and_time() {
        let key = SigningKey::new(b"shared secret");
        let now = Utc::now();
        let header = key.sign(b"{\"a\":1}", now);
        assert!(key.verify(&header, b"{\"a\":1}", now));
        assert!(!key.verify(&header, b"{\"a\":2}", now), "another body");
        assert!(!SigningKey::new(b"other").verify(&header, b"{\"a\":1}", now), "another key");
        assert!(!key.verify(&header, b"{\"a\":1}", now + chrono::Duration::minutes(6)), "too old");
        assert!(!key.verify("t=1,v1=zz", b"", now) && !key.verify("garbage", b"", now));
    }
}
