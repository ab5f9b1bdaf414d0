//! Alipay (Antom) against its simulator, beside WeChat Pay's: the payment notice of an
//! offline payer with a QR code for each provider (read back from the mail's images), paid
//! with Alipay; Antom's notifications replayed, forged, stale or never sent; a refund through
//! Alipay. Both backends.

use crate::orders::Applicant;
use crate::payments::{
    checkout_with, code_url, events, mission_admin, order_when, payment_notice, payment_rows, platform_with_both,
    ready_to_pay_by_notice,
};
use crate::staff_orders::Officer;
use lingshi_domain::order::StaffRole;
use lingshi_integrations::payments::simulated::{Faults, Simulator};
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

/// The text of a PNG QR code.
fn decoded(png: &[u8]) -> String {
    let image = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one code in the image");
    grids[0].decode().expect("a readable code").1
}

/// Posts a notification exactly as sent, to Alipay's endpoint.
async fn post(url: &str, (headers, body): (Vec<(String, String)>, Vec<u8>)) -> StatusCode {
    let mut request = reqwest::Client::new().post(url).body(body);
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request.send().await.expect("post").status()
}

both_backends!(the_payment_notice_carries_both_qr_codes_and_alipay_pays_it, |db: Db, dir: PathBuf| async move {
    let (app, _, alipay) = platform_with_both(db, dir).await;
    let applicant = Applicant::verified(&app, "tang@example.org", "E12345678").await;
    let admin = mission_admin(&app).await;
    let (id, number) = ready_to_pay_by_notice(&applicant, &admin).await;
    let notice = payment_notice(&app, &number).expect("the payment notice");
    assert!(notice.body.contains("微信支付或支付宝扫描支付二维码付款"), "the guide's words: {}", notice.body);
    let codes: Vec<String> = notice.images.iter().map(|(_, png)| decoded(png)).collect();
    let pay_page = format!("/orders/{id}/pay?provider=");
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes[0].ends_with(&format!("{pay_page}wechat_pay")), "{codes:?}");
    assert!(codes[1].ends_with(&format!("{pay_page}alipay")), "{codes:?}");
    let checkout = checkout_with(&applicant, &id, "alipay").await;
    assert!(code_url(&checkout).starts_with("https://qr.alipay.com/"), "{checkout}");
    assert!(alipay.pay(&code_url(&checkout)));
    let order = order_when(&applicant, &id, |o| o["paid"] == "16.00 EUR").await;
    let payment = &order["online"]["payments"][0];
    assert_eq!((payment["provider"].as_str(), payment["state"].as_str()), (Some("alipay"), Some("paid")));
    assert!(payment["transaction_id"].as_str().is_some_and(|t| t.starts_with("2026")), "{payment}");
    let (status, body) = admin.act(&id, json!({"action": "hand_over", "method": "post", "tracking": "EE123"})).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("completed")), "{body}");
});

both_backends!(
    alipay_notifications_count_once_and_forged_or_stale_ones_record_nothing,
    |db: Db, dir: PathBuf| async move {
        let (app, _, alipay) = platform_with_both(db.clone(), dir).await;
        let url = app.url("/api/v1/payments/alipay/notifications");
        let admin = mission_admin(&app).await;
        let first = Applicant::verified(&app, "song@example.org", "E12345678").await;
        let (first_id, _) = ready_to_pay_by_notice(&first, &admin).await;
        let second = Applicant::verified(&app, "xu@example.org", "E87654321").await;
        let (second_id, _) = ready_to_pay_by_notice(&second, &admin).await;
        let forged_checkout = checkout_with(&second, &second_id, "alipay").await;
        let stale_checkout = checkout_with(&first, &first_id, "alipay").await;
        // Forged, then stale: while they are checked, the platform cannot learn by querying.
        alipay.set_faults(Faults { forged_signature: true, failing_calls: 1000, ..Faults::default() });
        assert!(alipay.pay(&code_url(&forged_checkout)));
        let forged = alipay.sent_notices().pop().expect("a forged notification");
        for _ in 0..100 {
            assert_eq!(post(&url, forged.clone()).await, StatusCode::BAD_REQUEST);
        }
        alipay.set_faults(Faults { stale_timestamp: true, failing_calls: 1000, ..Faults::default() });
        assert!(alipay.pay(&code_url(&stale_checkout)));
        let stale = alipay.sent_notices().pop().expect("a stale notification");
        assert_eq!(post(&url, stale).await, StatusCode::BAD_REQUEST);
        assert_eq!(payment_rows(&db).await, 0, "nothing recorded from a forged or stale notification");
        // Once the provider answers again, the query job finds both payments.
        alipay.set_faults(Faults { duplicate_notices: 3, ..Faults::default() });
        order_when(&first, &first_id, |o| o["paid"] == "16.00 EUR").await;
        order_when(&second, &second_id, |o| o["paid"] == "16.00 EUR").await;
        let third = Applicant::verified(&app, "ma@example.org", "E11223344").await;
        let (third_id, _) = ready_to_pay_by_notice(&third, &admin).await;
        assert!(alipay.pay(&code_url(&checkout_with(&third, &third_id, "alipay").await)));
        let genuine = alipay.sent_notices().pop().expect("a genuine notification");
        for _ in 0..100 {
            assert_eq!(post(&url, genuine.clone()).await, StatusCode::OK);
        }
        let order = order_when(&third, &third_id, |o| o["paid"] == "16.00 EUR").await;
        assert_eq!(events(&order).iter().filter(|e| *e == "payment_confirmed").count(), 1);
        assert_eq!(payment_rows(&db).await, 3, "one payment per order, however often notified");
    }
);

both_backends!(a_cashier_refunds_an_alipay_payment_through_alipay, |db: Db, dir: PathBuf| async move {
    let (app, _, alipay) = platform_with_both(db, dir).await;
    let applicant = Applicant::verified(&app, "guo@example.org", "E12345678").await;
    let (id, _) = ready_to_pay_by_notice(&applicant, &mission_admin(&app).await).await;
    alipay.set_faults(Faults { no_notification: true, ..Faults::default() });
    assert!(alipay.pay(&code_url(&checkout_with(&applicant, &id, "alipay").await)));
    order_when(&applicant, &id, |o| o["paid"] == "16.00 EUR").await;
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
    let (status, body) =
        cashier.act(&id, json!({"action": "record_refund", "amount": "5.50", "reason": "差额退还"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    order_when(&applicant, &id, |o| o["online"]["refunds"][0]["state"] == "refunded").await;
    order_when(&applicant, &id, |o| o["paid"] == "10.50 EUR").await;
    let refunds = alipay.refunds();
    assert_eq!((refunds.len(), refunds[0].amount_minor), (1, 550), "the refund went to Alipay");
    let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(seen["online"]["refunds"][0]["provider"], "alipay", "{seen}");
});
