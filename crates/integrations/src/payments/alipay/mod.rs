//! Alipay through Antom's payments API (Alipay+ for merchants abroad): a cashier payment
//! with the Alipay wallet of mainland China (`ALIPAY_CN`), a QR code on a computer or
//! Antom's page on a phone, inquiries, cancelling, refunds and their inquiries. Every request
//! is signed with the merchant's key (RSA256 over `POST PATH\nClient-Id.Request-Time.body`);
//! every answer and notification must be signed by Antom's key within five minutes.
//! Antom delivers its settlement reports by SFTP, not over this API: [`AlipayPay::bill`]
//! says so and the reconciliation skips Alipay.

pub mod protocol;

use crate::payments::keys::{SigningKey, VerifyingKey};
use crate::payments::{
    BillLine, Charge, Checkout, Notice, NoticeError, PaymentProvider, PaymentReport, Provider, ProviderError, Refund,
    RefundReport, RefundSettlement, Scene, Settlement, transport,
};
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use protocol::{Amount, Answer, PayAnswer, PaymentRecord, RefundRecord};
use serde_json::{Value, json};
use std::time::Duration;

/// A merchant's settings (`LINGSHI_ALIPAY_*`).
#[derive(Clone, Debug)]
pub struct AlipayConfig {
    /// `https://open-de-global.alipay.com` for merchants in Europe.
    pub base_url: String,
    pub client_id: String,
    pub merchant_key: SigningKey,
    /// The version of the merchant key registered with Antom.
    pub key_version: String,
    /// Antom's public key, which signs answers and notifications.
    pub antom_key: VerifyingKey,
    /// The path of our notification endpoint, as the notifications sign it.
    pub notify_path: String,
    pub timeout: Duration,
}

/// The client.
pub struct AlipayPay {
    config: AlipayConfig,
    http: reqwest::Client,
}

impl AlipayPay {
    pub fn new(config: AlipayConfig) -> Result<Self, ProviderError> {
        Ok(Self { http: crate::payments::http_client(config.timeout)?, config })
    }

    /// Sends a signed request to `path`; returns the verified body of its answer.
    async fn call(&self, path: &str, body: &Value) -> Result<Vec<u8>, ProviderError> {
        let text = body.to_string();
        let time = Utc::now().timestamp_millis().to_string();
        let content = protocol::signed_content("POST", path, &self.config.client_id, &time, text.as_bytes());
        let response = self
            .http
            .post(format!("{}{path}", self.config.base_url))
            .header("content-type", "application/json; charset=UTF-8")
            .header(protocol::CLIENT_ID, &self.config.client_id)
            .header(protocol::REQUEST_TIME, time)
            .header(
                protocol::SIGNATURE,
                protocol::signature_header(&self.config.merchant_key, &self.config.key_version, &content),
            )
            .body(text)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        if !status.is_success() {
            let message = format!("HTTP {status}");
            return Err(if status.is_client_error() && status.as_u16() != 429 {
                ProviderError::Refused(message)
            } else {
                ProviderError::Transient(message)
            });
        }
        let signer = (self.config.client_id.as_str(), &self.config.antom_key);
        protocol::verify(&headers, ("POST", path), protocol::RESPONSE_TIME, signer, &bytes, Utc::now())
            .map_err(|e| ProviderError::Transient(format!("answer refused: {e}")))?;
        let answer: Answer = read(&bytes)?;
        match answer.result.result_status.as_str() {
            "F" => Err(ProviderError::Refused(answer.result.result_code)),
            "S" => Ok(bytes.to_vec()),
            // `U` is the normal answer of a payment or refund under way; anything else
            // unknown is worth asking again.
            _ if answer.result.result_code.ends_with("_IN_PROCESS") => Ok(bytes.to_vec()),
            _ => Err(ProviderError::Transient(answer.result.result_code)),
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ProviderError> {
    serde_json::from_slice(bytes).map_err(|_| ProviderError::Transient("unreadable answer".into()))
}

fn time_of(text: Option<&str>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&Utc))
}

/// The status of a payment or refund: as an inquiry names it, or as a notification's (or a
/// refund request's) result implies it.
fn status_of<'a>(named: Option<&'a str>, result: &protocol::ResultInfo) -> &'a str {
    match (named, result.result_status.as_str()) {
        (Some(status), _) => status,
        (None, "S") => "SUCCESS",
        (None, "F") => "FAIL",
        (None, _) => "PROCESSING",
    }
}

/// A payment as the platform reads it, from an inquiry (its `paymentStatus`) or a
/// notification (its result). Antom does not report what the wallet charged in yuan.
pub fn report(record: &PaymentRecord) -> PaymentReport {
    let settlement = match status_of(record.payment_status.as_deref(), &record.result) {
        "SUCCESS" => Settlement::Paid,
        "FAIL" => Settlement::Failed,
        "CANCELLED" => Settlement::Closed,
        _ => Settlement::Pending,
    };
    PaymentReport {
        out_trade_no: record.payment_request_id.clone(),
        settlement,
        transaction_id: record.payment_id.clone(),
        amount_minor: record.payment_amount.minor().unwrap_or(-1),
        currency: record.payment_amount.currency.clone(),
        payer_total: None,
        payer_currency: None,
        paid_at: time_of(record.payment_time.as_deref()),
    }
}

fn refund_report(record: &RefundRecord) -> RefundReport {
    let settlement = match status_of(record.refund_status.as_deref(), &record.result) {
        "SUCCESS" => RefundSettlement::Refunded,
        "FAIL" => RefundSettlement::Failed,
        _ => RefundSettlement::Pending,
    };
    RefundReport { out_refund_no: record.refund_request_id.clone(), settlement, refund_id: record.refund_id.clone() }
}

#[async_trait::async_trait]
impl PaymentProvider for AlipayPay {
    fn provider(&self) -> Provider {
        Provider::Alipay
    }

    async fn create(&self, charge: &Charge<'_>) -> Result<Checkout, ProviderError> {
        let amount = Amount::new(charge.amount_minor, charge.currency);
        let terminal = match charge.scene {
            Scene::Desktop => json!({"terminalType": "WEB"}),
            Scene::Mobile => json!({"terminalType": "WAP", "clientIp": charge.payer_ip}),
        };
        let body = json!({
            "productCode": "CASHIER_PAYMENT",
            "paymentRequestId": charge.out_trade_no,
            "order": {
                "referenceOrderId": charge.out_trade_no,
                "orderDescription": charge.description,
                "orderAmount": amount,
            },
            "paymentAmount": amount,
            "paymentMethod": {"paymentMethodType": protocol::PAYMENT_METHOD},
            "paymentExpiryTime": charge.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            "paymentNotifyUrl": charge.notify_url,
            "settlementStrategy": {"settlementCurrency": charge.currency},
            "env": terminal,
        });
        let answer: PayAnswer = read(&self.call(protocol::PAY, &body).await?)?;
        let code = answer.order_code_form.and_then(|form| form.code_details.into_iter().next()).map(|c| c.code_value);
        match (charge.scene, code, answer.normal_url) {
            (Scene::Desktop, Some(code), _) => Ok(Checkout::QrCode(code)),
            (_, _, Some(url)) => Ok(Checkout::Redirect(url)),
            _ => Err(ProviderError::Transient("no payment url in the answer".into())),
        }
    }

    async fn query(&self, out_trade_no: &str) -> Result<PaymentReport, ProviderError> {
        let body = json!({"paymentRequestId": out_trade_no});
        Ok(report(&read(&self.call(protocol::INQUIRY_PAYMENT, &body).await?)?))
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), ProviderError> {
        self.call(protocol::CANCEL, &json!({"paymentRequestId": out_trade_no})).await.map(|_| ())
    }

    async fn refund(&self, refund: &Refund<'_>) -> Result<RefundReport, ProviderError> {
        let body = json!({
            "refundRequestId": refund.out_refund_no,
            "paymentId": refund.transaction_id,
            "refundAmount": Amount::new(refund.amount_minor, refund.currency),
            "refundReason": refund.reason,
            "refundNotifyUrl": refund.notify_url,
        });
        let mut record: RefundRecord = read(&self.call(protocol::REFUND, &body).await?)?;
        if record.refund_request_id.is_empty() {
            record.refund_request_id = refund.out_refund_no.to_owned();
        }
        Ok(refund_report(&record))
    }

    async fn query_refund(&self, out_refund_no: &str) -> Result<RefundReport, ProviderError> {
        let body = json!({"refundRequestId": out_refund_no});
        Ok(refund_report(&read(&self.call(protocol::INQUIRY_REFUND, &body).await?)?))
    }

    async fn bill(&self, _date: NaiveDate) -> Result<Vec<BillLine>, ProviderError> {
        Err(ProviderError::Unsupported("Antom delivers settlement reports by SFTP"))
    }

    fn open_notice(&self, headers: &HeaderMap, body: &[u8], now: DateTime<Utc>) -> Result<Notice, NoticeError> {
        let signer = (self.config.client_id.as_str(), &self.config.antom_key);
        protocol::verify(headers, ("POST", &self.config.notify_path), protocol::REQUEST_TIME, signer, body, now)?;
        let kind: Value = serde_json::from_slice(body).map_err(|_| NoticeError::Malformed)?;
        match kind.get("notifyType").and_then(Value::as_str) {
            Some("PAYMENT_RESULT") => {
                let record: PaymentRecord = serde_json::from_slice(body).map_err(|_| NoticeError::Malformed)?;
                Ok(Notice::Payment(report(&record)))
            }
            Some("REFUND_RESULT") => {
                let record: RefundRecord = serde_json::from_slice(body).map_err(|_| NoticeError::Malformed)?;
                Ok(Notice::Refund(refund_report(&record)))
            }
            _ => Err(NoticeError::Malformed),
        }
    }

    fn answer(&self, taken: bool) -> (u16, String) {
        let (status, result) = if taken {
            (200, protocol::ResultInfo::new("S", "SUCCESS"))
        } else {
            (400, protocol::ResultInfo::new("F", "PROCESS_FAIL"))
        };
        (status, json!({"result": result}).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::ResultInfo;

    fn record(result_status: &str, payment_status: Option<&str>) -> PaymentRecord {
        PaymentRecord {
            result: ResultInfo::new(result_status, "X"),
            notify_type: None,
            payment_status: payment_status.map(str::to_owned),
            payment_request_id: "LS1".into(),
            payment_id: None,
            payment_amount: Amount::new(1600, "EUR"),
            payment_time: None,
        }
    }

    #[test]
    fn payment_statuses_and_notified_results_map_to_settlements() {
        for (status, settlement) in [
            ("SUCCESS", Settlement::Paid),
            ("FAIL", Settlement::Failed),
            ("CANCELLED", Settlement::Closed),
            ("PROCESSING", Settlement::Pending),
            ("PENDING", Settlement::Pending),
        ] {
            assert_eq!(report(&record("S", Some(status))).settlement, settlement, "{status}");
        }
        assert_eq!(report(&record("S", None)).settlement, Settlement::Paid, "a notified success");
        assert_eq!(report(&record("F", None)).settlement, Settlement::Failed, "a notified failure");
        let mut garbled = record("S", None);
        garbled.payment_amount.value = "16.00".into();
        assert_eq!(report(&garbled).amount_minor, -1, "an unreadable amount never matches the fee");
    }
}
