//! WeChat Pay API v3 for cross-border (Global) merchants: Native payments (a `code_url`
//! shown as a QR code) and H5 payments (a page for a phone's browser), queries, closing,
//! refunds and the daily trade bill. Every request carries the `WECHATPAY2-SHA256-RSA2048`
//! authorization signed with the merchant key; every answer and notification must be
//! signed by a platform key we hold (matched by serial) within five minutes; notification
//! resources are opened with the API v3 key.

pub mod protocol;

use crate::payments::keys::{SigningKey, VerifyingKey};
use crate::payments::{
    BillKind, BillLine, Charge, Checkout, Notice, NoticeError, PaymentProvider, PaymentReport, Provider, ProviderError,
    Refund, RefundReport, RefundSettlement, Scene, Settlement, transport,
};
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use protocol::{ApiError, ApiV3Key, BillLocation, Notification, RefundRecord, Transaction};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

/// A merchant's settings (`LINGSHI_WECHATPAY_*`).
#[derive(Clone, Debug)]
pub struct WechatConfig {
    /// `https://apihk.mch.weixin.qq.com` for cross-border merchants.
    pub base_url: String,
    pub mchid: String,
    pub appid: String,
    /// The serial number of the merchant's API certificate.
    pub merchant_serial: String,
    pub merchant_key: SigningKey,
    /// The platform's public keys by serial (or public-key id).
    pub platform_keys: BTreeMap<String, VerifyingKey>,
    pub api_v3_key: ApiV3Key,
    pub timeout: Duration,
}

/// The client.
pub struct WechatPay {
    config: WechatConfig,
    http: reqwest::Client,
}

impl WechatPay {
    pub fn new(config: WechatConfig) -> Result<Self, ProviderError> {
        Ok(Self { http: crate::payments::http_client(config.timeout)?, config })
    }

    fn authorization(&self, method: &str, path_and_query: &str, body: &str) -> Result<String, ProviderError> {
        let timestamp = Utc::now().timestamp();
        let nonce = crate::payments::nonce();
        let message = protocol::request_message(method, path_and_query, timestamp, &nonce, body);
        let signature =
            self.config.merchant_key.sign(message.as_bytes()).map_err(|e| ProviderError::Transient(e.to_string()))?;
        Ok(format!(
            "{} mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
            protocol::SCHEME,
            self.config.mchid,
            self.config.merchant_serial
        ))
    }

    /// Sends a signed request; returns the verified body of a 2xx answer.
    async fn call(&self, method: &str, path_and_query: &str, body: Option<String>) -> Result<Vec<u8>, ProviderError> {
        let text = body.unwrap_or_default();
        let url = format!("{}{path_and_query}", self.config.base_url);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).header("content-type", "application/json").body(text.clone()),
        };
        let response = request
            .header("authorization", self.authorization(method, path_and_query, &text)?)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        if status.is_success() {
            protocol::verify_signed(&headers, &bytes, Utc::now(), |serial| self.platform_key(serial))
                .map_err(|e| ProviderError::Transient(format!("answer refused: {e}")))?;
            return Ok(bytes.to_vec());
        }
        let code = serde_json::from_slice::<ApiError>(&bytes).map_or_else(|_| format!("HTTP {status}"), |e| e.code);
        if status.is_server_error() || status.as_u16() == 429 {
            Err(ProviderError::Transient(code))
        } else {
            Err(ProviderError::Refused(code))
        }
    }

    fn platform_key(&self, serial: &str) -> Option<VerifyingKey> {
        self.config.platform_keys.get(serial).cloned()
    }

    fn read<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ProviderError> {
        serde_json::from_slice(bytes).map_err(|_| ProviderError::Transient("unreadable answer".into()))
    }
}

/// A transaction as the platform reads it.
pub fn report(transaction: &Transaction) -> PaymentReport {
    let settlement = match transaction.trade_state.as_str() {
        "SUCCESS" | "REFUND" => Settlement::Paid,
        "CLOSED" | "REVOKED" => Settlement::Closed,
        "PAYERROR" => Settlement::Failed,
        _ => Settlement::Pending,
    };
    PaymentReport {
        out_trade_no: transaction.out_trade_no.clone(),
        settlement,
        transaction_id: transaction.id.clone(),
        amount_minor: transaction.amount.total,
        currency: transaction.amount.currency.clone(),
        payer_total: transaction.amount.payer_total,
        payer_currency: transaction.amount.payer_currency.clone(),
        paid_at: transaction
            .success_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc)),
    }
}

fn refund_report(record: &RefundRecord) -> RefundReport {
    let settlement = match record.refund_status.as_str() {
        "SUCCESS" => RefundSettlement::Refunded,
        "ABNORMAL" | "CLOSED" => RefundSettlement::Failed,
        _ => RefundSettlement::Pending,
    };
    RefundReport { out_refund_no: record.out_refund_no.clone(), settlement, refund_id: record.refund_id.clone() }
}

/// An amount written in the bill (`16.00`) in minor units.
fn bill_amount(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let cents = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

/// Reads a trade bill: a header line naming the columns, one line per trade (each value
/// prefixed with a backtick), then the totals, which are not read.
pub fn parse_bill(text: &str) -> Result<Vec<BillLine>, ProviderError> {
    let unreadable = || ProviderError::Transient("unreadable bill".into());
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or_else(unreadable)?.split(',').map(str::trim).collect();
    let column = |name: &str| header.iter().position(|h| *h == name).ok_or_else(unreadable);
    let [_, trade_no, state, currency, amount, refund_no] = protocol::BILL_COLUMNS.map(column);
    let (trade_no, state, currency, amount, refund_no) = (trade_no?, state?, currency?, amount?, refund_no?);
    let refund_amount = column(protocol::BILL_REFUND_COLUMN)?;
    let mut bill = Vec::new();
    for line in lines {
        if !line.starts_with('`') {
            break; // the totals
        }
        let values: Vec<&str> = line.split(',').map(|v| v.trim().trim_start_matches('`')).collect();
        let value = |i: usize| values.get(i).copied().ok_or_else(unreadable);
        let (kind, reference, minor) = match value(state)? {
            "REFUND" => (BillKind::Refund, value(refund_no)?, value(refund_amount)?),
            _ => (BillKind::Payment, value(trade_no)?, value(amount)?),
        };
        bill.push(BillLine {
            kind,
            reference: reference.to_owned(),
            amount_minor: bill_amount(minor).ok_or_else(unreadable)?,
            currency: value(currency)?.to_owned(),
        });
    }
    Ok(bill)
}

#[async_trait::async_trait]
impl PaymentProvider for WechatPay {
    fn provider(&self) -> Provider {
        Provider::WechatPay
    }

    async fn create(&self, charge: &Charge<'_>) -> Result<Checkout, ProviderError> {
        let (path, trade_type) = match charge.scene {
            Scene::Desktop => ("/v3/global/transactions/native", "NATIVE"),
            Scene::Mobile => ("/v3/global/transactions/h5", "MWEB"),
        };
        let mut body = json!({
            "mchid": self.config.mchid,
            "appid": self.config.appid,
            "description": charge.description,
            "out_trade_no": charge.out_trade_no,
            "notify_url": charge.notify_url,
            "trade_type": trade_type,
            "merchant_category_code": protocol::MERCHANT_CATEGORY_CODE,
            "time_expire": charge.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            "amount": {"total": charge.amount_minor, "currency": charge.currency},
        });
        if charge.scene == Scene::Mobile {
            body["scene_info"] = json!({"payer_client_ip": charge.payer_ip, "h5_info": {"type": "Wap"}});
        }
        let answer: serde_json::Value = Self::read(&self.call("POST", path, Some(body.to_string())).await?)?;
        let url = |name: &str| answer.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        match charge.scene {
            Scene::Desktop => url("code_url").map(Checkout::QrCode),
            Scene::Mobile => url("h5_url").map(Checkout::Redirect),
        }
        .ok_or_else(|| ProviderError::Transient("no payment url in the answer".into()))
    }

    async fn query(&self, out_trade_no: &str) -> Result<PaymentReport, ProviderError> {
        let path = format!("/v3/global/transactions/out-trade-no/{out_trade_no}?mchid={}", self.config.mchid);
        Ok(report(&Self::read(&self.call("GET", &path, None).await?)?))
    }

    async fn close(&self, out_trade_no: &str) -> Result<(), ProviderError> {
        let path = format!("/v3/global/transactions/out-trade-no/{out_trade_no}/close");
        self.call("POST", &path, Some(json!({"mchid": self.config.mchid}).to_string())).await.map(|_| ())
    }

    async fn refund(&self, refund: &Refund<'_>) -> Result<RefundReport, ProviderError> {
        let body = json!({
            "mchid": self.config.mchid,
            "appid": self.config.appid,
            "out_trade_no": refund.out_trade_no,
            "transaction_id": refund.transaction_id,
            "out_refund_no": refund.out_refund_no,
            "reason": refund.reason,
            "notify_url": refund.notify_url,
            "amount": {"refund": refund.amount_minor, "total": refund.total_minor, "currency": refund.currency},
        });
        Ok(refund_report(&Self::read(&self.call("POST", "/v3/global/refunds", Some(body.to_string())).await?)?))
    }

    async fn query_refund(&self, out_refund_no: &str) -> Result<RefundReport, ProviderError> {
        let path = format!("/v3/global/refunds/out-refund-no/{out_refund_no}?mchid={}", self.config.mchid);
        Ok(refund_report(&Self::read(&self.call("GET", &path, None).await?)?))
    }

    async fn bill(&self, date: NaiveDate) -> Result<Vec<BillLine>, ProviderError> {
        let path = format!("/v3/global/bill/tradebill?mchid={}&bill_date={date}", self.config.mchid);
        let location: BillLocation = Self::read(&self.call("GET", &path, None).await?)?;
        let download_path = location
            .download_url
            .strip_prefix(&self.config.base_url)
            .ok_or_else(|| ProviderError::Transient("the bill is elsewhere than the API".into()))?
            .to_owned();
        // The file itself is not signed: its SHA-1, given in the signed answer, vouches for it.
        let response = self
            .http
            .get(&location.download_url)
            .header("authorization", self.authorization("GET", &download_path, "")?)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(ProviderError::Transient(format!("bill download: HTTP {}", response.status())));
        }
        let bytes = response.bytes().await.map_err(|e| transport(&e))?;
        let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &bytes);
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        if location.hash_type != "SHA1" || !hex.eq_ignore_ascii_case(&location.hash_value) {
            return Err(ProviderError::Transient("the bill does not match its hash".into()));
        }
        parse_bill(&String::from_utf8_lossy(&bytes))
    }

    fn open_notice(&self, headers: &HeaderMap, body: &[u8], now: DateTime<Utc>) -> Result<Notice, NoticeError> {
        protocol::verify_signed(headers, body, now, |serial| self.platform_key(serial))?;
        let notification: Notification = serde_json::from_slice(body).map_err(|_| NoticeError::Malformed)?;
        let plain = self.config.api_v3_key.open(&notification.resource)?;
        if notification.event_type.starts_with("TRANSACTION.") {
            let transaction: Transaction = serde_json::from_slice(&plain).map_err(|_| NoticeError::Malformed)?;
            if transaction.mchid != self.config.mchid {
                return Err(NoticeError::Malformed);
            }
            Ok(Notice::Payment(report(&transaction)))
        } else if notification.event_type.starts_with("REFUND.") {
            let record: RefundRecord = serde_json::from_slice(&plain).map_err(|_| NoticeError::Malformed)?;
            Ok(Notice::Refund(refund_report(&record)))
        } else {
            Err(NoticeError::Malformed)
        }
    }

    fn answer(&self, taken: bool) -> (u16, String) {
        if taken { (204, String::new()) } else { (400, json!({"code": "FAIL", "message": "失败"}).to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bill_is_read_by_its_column_names_up_to_the_totals() {
        let text = "交易时间,商户订单号,交易状态,货币种类,应结订单金额,商户退款单号,退款金额\n\
            `2026-11-29 10:00:00,`LS1,`SUCCESS,`EUR,`16.00,`,`0.00\n\
            `2026-11-29 11:00:00,`LS1,`REFUND,`EUR,`16.00,`RF1,`6.5\n\
            总交易单数,应结订单总金额\n`2,`16.00\n";
        let bill = parse_bill(text).expect("bill");
        assert_eq!(bill.len(), 2);
        assert_eq!((bill[0].kind, bill[0].reference.as_str(), bill[0].amount_minor), (BillKind::Payment, "LS1", 1600));
        assert_eq!((bill[1].kind, bill[1].reference.as_str(), bill[1].amount_minor), (BillKind::Refund, "RF1", 650));
        assert!(parse_bill("交易时间\n`x\n").is_err(), "columns missing");
        assert!(bill_amount("1.234").is_none() && bill_amount("-1").is_none() && bill_amount("").is_none());
    }

    #[test]
    fn trade_states_map_to_settlements() {
        let mut t = Transaction {
            mchid: "1".into(),
            appid: String::new(),
            out_trade_no: "LS1".into(),
            id: None,
            trade_state: "NOTPAY".into(),
            trade_type: "NATIVE".into(),
            amount: protocol::TransactionAmount { total: 1600, currency: "EUR".into(), ..Default::default() },
            success_time: None,
        };
        assert_eq!(report(&t).settlement, Settlement::Pending);
        for (state, settlement) in [
            ("SUCCESS", Settlement::Paid),
            ("REFUND", Settlement::Paid),
            ("CLOSED", Settlement::Closed),
            ("PAYERROR", Settlement::Failed),
            ("USERPAYING", Settlement::Pending),
        ] {
            t.trade_state = state.into();
            assert_eq!(report(&t).settlement, settlement, "{state}");
        }
    }
}
