//! The simulator's daily bill and its download.

use super::WechatSimulator;
use crate::payments::simulated::{SimRefundState, UNKNOWN_BILL_PAYMENT};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;
use std::collections::HashMap;

/// The bill of a day (in China's time, as WeChat's), as text.
fn bill_text(sim: &WechatSimulator, date: chrono::NaiveDate) -> String {
    let on_day = |at: chrono::DateTime<Utc>| (at + chrono::Duration::hours(8)).date_naive() == date;
    let money = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
    let mut text = String::from("交易时间,商户订单号,交易状态,货币种类,应结订单金额,商户退款单号,退款金额\n");
    sim.core.with(|ledger| {
        for payment in ledger.payments.values().filter(|p| p.paid_at.is_some_and(on_day)) {
            let amount = money(payment.reported_amount(&ledger.faults));
            text.push_str(&format!(
                "`{date} 10:00:00,`{},`SUCCESS,`{},`{amount},`,`0.00\n",
                payment.out_trade_no, payment.currency
            ));
        }
        for refund in ledger.refunds.values().filter(|r| r.state == SimRefundState::Refunded && on_day(r.at)) {
            text.push_str(&format!(
                "`{date} 11:00:00,`{},`REFUND,`{},`0.00,`{},`{}\n",
                refund.out_trade_no,
                refund.currency,
                refund.out_refund_no,
                money(refund.amount_minor)
            ));
        }
        if ledger.faults.unknown_bill_payment {
            text.push_str(&format!("`{date} 12:00:00,`{UNKNOWN_BILL_PAYMENT},`SUCCESS,`EUR,`16.00,`,`0.00\n"));
        }
    });
    text.push_str("总交易单数,应结订单总金额\n`0,`0.00\n");
    text
}

pub(super) async fn bill(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = sim.admit(&method, &uri, &headers, b"") {
        return *refused;
    }
    let Some(date) = query.get("bill_date").and_then(|d| d.parse::<chrono::NaiveDate>().ok()) else {
        return sim.error(StatusCode::BAD_REQUEST, "PARAM_ERROR");
    };
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bill_text(&sim, date).as_bytes());
    let hash: String = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    let url = format!("{}/v3/billdownload/file?token={date}", sim.core.base());
    sim.answer(StatusCode::OK, &json!({"download_url": url, "hash_type": "SHA1", "hash_value": hash}))
}

pub(super) async fn download(
    State(sim): State<WechatSimulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !sim.authorized(&method, &uri, &headers, b"") {
        return sim.error(StatusCode::UNAUTHORIZED, "SIGN_ERROR");
    }
    match query.get("token").and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
        Some(date) => (StatusCode::OK, bill_text(&sim, date)).into_response(),
        None => sim.error(StatusCode::NOT_FOUND, "NO_STATEMENT_EXIST"),
    }
}
