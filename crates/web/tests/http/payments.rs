//! Online payment against the WeChat Pay simulator (`lingshi_integrations::payments::
//! wechat_simulator`, the one the demo runs), started by each test with its own keys (beside
//! the Alipay simulator, whose own tests are in `alipay.rs`):
//! paying by scan, notifications replayed, forged or never sent, the wrong amount, the
//! provider failing, refunds through the original channel, a payment for an abandoned
//! order, the payment notice of an offline payer, and the daily reconciliation. Both
//! backends.

use crate::orders::{Applicant, filled_renewal};
use crate::staff_orders::Officer;
use crate::support::{TestApp, error_code};
use lingshi_domain::order::StaffRole;
use lingshi_integrations::payments::Provider;
use lingshi_integrations::payments::alipay::AlipayPay;
use lingshi_integrations::payments::alipay_simulator::AlipaySimulator;
use lingshi_integrations::payments::simulated::{Faults, Simulator, UNKNOWN_BILL_PAYMENT};
use lingshi_integrations::payments::wechat::WechatPay;
use lingshi_integrations::payments::wechat_simulator::WechatSimulator;
use lingshi_integrations::testing::ReceivedMail;
use lingshi_storage::{Db, both_backends};
use lingshi_web::Settings;
use lingshi_web::state::PaymentSettings;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The platform wired to a fresh WeChat Pay simulator (notifications retried at once),
/// unsettled payments queried every 200 ms, and the demo's reference rates imported.
async fn platform(db: Db, dir: PathBuf) -> (TestApp, WechatSimulator) {
    let (app, wechat, _) = platform_with_both(db, dir).await;
    (app, wechat)
}

/// [`platform`] with the Alipay simulator too.
pub(crate) async fn platform_with_both(db: Db, dir: PathBuf) -> (TestApp, WechatSimulator, AlipaySimulator) {
    let wechat = WechatSimulator::new(1000).expect("simulator");
    wechat.serve(tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind")).expect("serve");
    let alipay = AlipaySimulator::new(1000).expect("simulator");
    alipay.serve(tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind")).expect("serve");
    let mut payments = PaymentSettings::none();
    let client = WechatPay::new(wechat.merchant_config(Duration::from_secs(5))).expect("client");
    payments.providers.insert(Provider::WechatPay, Arc::new(client));
    let path = lingshi_web::service::payments::notification_path(Provider::Alipay);
    let client = AlipayPay::new(alipay.merchant_config(&path, Duration::from_secs(5))).expect("client");
    payments.providers.insert(Provider::Alipay, Arc::new(client));
    payments.query_every = chrono::Duration::milliseconds(200);
    let settings = Settings { payments, ..crate::support::settings() };
    let app = TestApp::start_with(db, dir, settings).await;
    lingshi_web::service::payments::rates::import_demo(&app.state).await.expect("rates");
    (app, wechat, alipay)
}

/// A renewal submitted paying with WeChat Pay, and its checkout; returns (order, checkout).
async fn submitted_paying_online(applicant: &Applicant) -> (String, Value) {
    let id = filled_renewal(applicant).await;
    let (status, order) = applicant.step(&id, "payment", json!({"method": "wechat"})).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    let (status, order) = applicant.submit(&id, None).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("pending_payment")), "{order}");
    assert!(order["actions"].as_array().expect("actions").contains(&json!("pay_online")), "{order}");
    let checkout = checkout(applicant, &id).await;
    (id, checkout)
}

async fn checkout(applicant: &Applicant, id: &str) -> Value {
    checkout_with(applicant, id, "wechat_pay").await
}

pub(crate) async fn checkout_with(applicant: &Applicant, id: &str, provider: &str) -> Value {
    let body = json!({"provider": provider});
    let (status, checkout) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/payments"), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{checkout}");
    checkout
}

pub(crate) fn code_url(checkout: &Value) -> String {
    assert_eq!(checkout["checkout"]["kind"], "qr_code", "{checkout}");
    checkout["checkout"]["url"].as_str().expect("code url").to_owned()
}

/// The order once `done` holds of it (within ten seconds).
pub(crate) async fn order_when(applicant: &Applicant, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
        if done(&order) {
            return order;
        }
        last = order;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the order never got there: {last}");
}

pub(crate) fn events(order: &Value) -> Vec<String> {
    order["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["event"].as_str().map(str::to_owned))
        .collect()
}

pub(crate) async fn payment_rows(db: &Db) -> i64 {
    let count: (i64,) = lingshi_storage::db_run!(db, |pool| {
        sqlx::query_as("SELECT COUNT(*) FROM order_payments WHERE kind = 'payment'").fetch_one(pool).await
    })
    .expect("count");
    count.0
}

both_backends!(
    a_renewal_paid_with_wechat_pay_goes_to_review_with_what_was_charged,
    |db: Db, dir: PathBuf| async move {
        let (app, simulator) = platform(db.clone(), dir).await;
        let applicant = Applicant::verified(&app, "wang@example.org", "E12345678").await;
        let (id, first) = submitted_paying_online(&applicant).await;
        assert_eq!(first["amount"], "16.00 EUR");
        assert_eq!(first["estimate_minor"], 12_320, "16 EUR at 7.7000, the rate of the day");
        let again = checkout(&applicant, &id).await;
        assert_eq!(again["out_trade_no"], first["out_trade_no"], "the live attempt is reused, never a second charge");
        assert!(simulator.pay(&code_url(&first)));
        let order = order_when(&applicant, &id, |o| o["state"] == "under_review").await;
        let payment = &order["online"]["payments"][0];
        assert_eq!((payment["state"].as_str(), payment["charged"].as_str()), (Some("paid"), Some("123.20 CNY")));
        assert!(payment["transaction_id"].as_str().is_some_and(|t| t.starts_with("4200")), "{payment}");
        assert_eq!(order["paid"], "16.00 EUR");
        assert!(events(&order).contains(&"payment_confirmed".to_owned()), "{:?}", events(&order));
        let officer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer").await;
        let (_, seen) = officer.order(&id).await;
        assert_eq!(seen["online"]["payments"][0]["state"], "paid", "staff see the payment too");
        let (_, trail) = officer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
        assert!(trail.to_string().contains("payment_confirmed"), "audited: {trail}");
        assert_eq!(payment_rows(&db).await, 1);
    }
);

both_backends!(a_hundred_identical_notifications_record_one_payment, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db.clone(), dir).await;
    let applicant = Applicant::verified(&app, "li@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    simulator.set_faults(Faults { duplicate_notices: 3, ..Faults::default() });
    assert!(simulator.pay(&code_url(&checkout)));
    order_when(&applicant, &id, |o| o["state"] == "under_review").await;
    let (headers, body) = simulator.sent_notices().pop().expect("a notification was sent");
    let url = app.url("/api/v1/payments/wechat_pay/notifications");
    for _ in 0..100 {
        let mut request = reqwest::Client::new().post(&url).body(body.clone());
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        assert_eq!(request.send().await.expect("post").status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(payment_rows(&db).await, 1);
    let order = order_when(&applicant, &id, |_| true).await;
    assert_eq!(events(&order).iter().filter(|e| *e == "payment_confirmed").count(), 1);
});

both_backends!(forged_and_stale_notifications_record_nothing, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db.clone(), dir).await;
    let applicant = Applicant::verified(&app, "zhao@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    let (_, second) = submitted_elsewhere(&app).await;
    // The platform must not find it by querying either while the forgeries are checked.
    simulator.set_faults(Faults { forged_signature: true, failing_calls: 1000, ..Faults::default() });
    assert!(simulator.pay(&code_url(&checkout)));
    let (headers, body) = simulator.sent_notices().pop().expect("a forged notification");
    let url = app.url("/api/v1/payments/wechat_pay/notifications");
    let post = |headers: Vec<(String, String)>, body: Vec<u8>| {
        let url = url.clone();
        async move {
            let mut request = reqwest::Client::new().post(&url).body(body);
            for (name, value) in &headers {
                request = request.header(name.as_str(), value.as_str());
            }
            request.send().await.expect("post").status()
        }
    };
    for _ in 0..100 {
        assert_eq!(post(headers.clone(), body.clone()).await, StatusCode::BAD_REQUEST);
    }
    simulator.set_faults(Faults { stale_timestamp: true, failing_calls: 1000, ..Faults::default() });
    assert!(simulator.pay(&code_url(&second)));
    let (stale_headers, stale_body) = simulator.sent_notices().pop().expect("a stale notification");
    assert_eq!(post(stale_headers, stale_body).await, StatusCode::BAD_REQUEST, "{second}");
    let mut truncated = body.clone();
    truncated.truncate(body.len() / 2);
    assert_eq!(post(headers.clone(), truncated).await, StatusCode::BAD_REQUEST);
    assert_eq!(post(vec![], vec![b'x'; 70 * 1024]).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(post(headers, body).await, StatusCode::BAD_REQUEST);
    assert_eq!(payment_rows(&db).await, 0);
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(
        (order["state"].as_str(), order["online"]["payments"][0]["state"].as_str()),
        (Some("pending_payment"), Some("created"))
    );
    let (status, _) = reqwest::Client::new()
        .post(app.url("/api/v1/payments/paypal/notifications"))
        .body("{}")
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("post");
    assert_eq!(status, StatusCode::NOT_FOUND);
});

/// The payment notice mailed about order `number` (within ten seconds).
pub(crate) fn payment_notice(app: &TestApp, number: &str) -> Option<ReceivedMail> {
    for _ in 0..200 {
        let notice =
            app.mail.messages().into_iter().find(|m| m.subject.contains("缴费通知") && m.subject.contains(number));
        if notice.is_some() {
            return notice;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Another applicant's order submitted paying online, and its checkout.
async fn submitted_elsewhere(app: &TestApp) -> (String, Value) {
    let other = Applicant::verified(app, "sun@example.org", "E87654321").await;
    submitted_paying_online(&other).await
}

both_backends!(without_a_notification_the_platform_finds_the_payment_by_querying, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db, dir).await;
    let applicant = Applicant::verified(&app, "qian@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    simulator.set_faults(Faults { no_notification: true, ..Faults::default() });
    assert!(simulator.pay(&code_url(&checkout)));
    assert!(simulator.sent_notices().is_empty());
    let order = order_when(&applicant, &id, |o| o["state"] == "under_review").await;
    assert_eq!(order["online"]["payments"][0]["state"], "paid");
});

both_backends!(
    a_provider_that_fails_leaves_the_payment_pending_and_the_retry_reuses_it,
    |db: Db, dir: PathBuf| async move {
        let (app, simulator) = platform(db, dir).await;
        let applicant = Applicant::verified(&app, "feng@example.org", "E12345678").await;
        let id = filled_renewal(&applicant).await;
        applicant.step(&id, "payment", json!({"method": "wechat"})).await;
        applicant.submit(&id, None).await;
        simulator.set_faults(Faults { failing_calls: 1, ..Faults::default() });
        let failed = checkout(&applicant, &id).await;
        assert_eq!((failed["pending"].as_bool(), failed["checkout"].is_null()), (Some(true), true), "{failed}");
        // The outbox asks the provider again by itself.
        for _ in 0..200 {
            if !simulator.payments().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(simulator.payments().len(), 1, "created by the retry job, without the applicant");
        let retried = checkout(&applicant, &id).await;
        assert_eq!(retried["out_trade_no"], failed["out_trade_no"]);
        assert!(simulator.pay(&code_url(&retried)));
        order_when(&applicant, &id, |o| o["state"] == "under_review").await;
        assert_eq!(simulator.payments().len(), 1, "one payment at the provider");
    }
);

both_backends!(a_payment_of_another_amount_is_flagged_and_settles_nothing, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db.clone(), dir).await;
    let applicant = Applicant::verified(&app, "chen@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    simulator.set_faults(Faults { wrong_amount: true, ..Faults::default() });
    assert!(simulator.pay(&code_url(&checkout)));
    let order = order_when(&applicant, &id, |o| o["online"]["payments"][0]["flag"] == "amount_mismatch").await;
    assert_eq!(order["state"], "pending_payment");
    assert_eq!(payment_rows(&db).await, 0);
    let flagged = lingshi_storage::online_payments::flagged(&db, Some("be-embassy")).await.expect("flagged");
    assert_eq!(flagged.len(), 1);
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
    let (_, board) = cashier.call(Method::GET, "/api/v1/staff/dashboard", None).await;
    let shown = &board["payment_checks"]["flagged"];
    assert_eq!(
        (shown[0]["order_id"].as_str(), shown[0]["flag"].as_str()),
        (Some(id.as_str()), Some("amount_mismatch"))
    );
    let (_, page) = cashier.page("/staff/dashboard").await;
    assert!(page.contains("id=\"flagged-payments\"") && page.contains(&format!("/staff/orders/{id}")), "{page}");
});

both_backends!(
    a_cashier_refunds_through_wechat_pay_in_part_and_a_failed_refund_shows,
    |db: Db, dir: PathBuf| async move {
        let (app, simulator) = platform(db, dir).await;
        let applicant = Applicant::verified(&app, "zhou@example.org", "E12345678").await;
        let (id, checkout) = submitted_paying_online(&applicant).await;
        assert!(simulator.pay(&code_url(&checkout)));
        order_when(&applicant, &id, |o| o["state"] == "under_review").await;
        let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
        let (status, body) =
            cashier.act(&id, json!({"action": "record_refund", "amount": "6.00", "reason": "差额退还"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        order_when(&applicant, &id, |o| o["online"]["refunds"][0]["state"] == "refunded").await;
        order_when(&applicant, &id, |o| o["paid"] == "10.00 EUR").await;
        assert_eq!(simulator.refunds()[0].amount_minor, 600);
        let (status, body) =
            cashier.act(&id, json!({"action": "record_refund", "amount": "20", "reason": "太多"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        simulator.set_faults(Faults { refund_fails: true, ..Faults::default() });
        let (status, _) = cashier.act(&id, json!({"action": "record_refund", "amount": "4", "reason": "再退"})).await;
        assert_eq!(status, StatusCode::OK);
        let order = order_when(&applicant, &id, |o| o["online"]["refunds"][1]["state"] == "failed").await;
        assert_eq!(order["paid"], "10.00 EUR", "a failed refund gives nothing back");
        assert!(events(&order).contains(&"refund_failed".to_owned()));
    }
);

both_backends!(a_payment_for_an_order_no_longer_waiting_goes_back_by_itself, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db, dir).await;
    let applicant = Applicant::verified(&app, "wu@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    // The provider is down while the applicant leaves: the attempt cannot be closed yet.
    simulator.set_faults(Faults { failing_calls: 1000, ..Faults::default() });
    let (status, draft) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/payments/abandon"), None).await;
    assert_eq!(
        (status, draft["state"].as_str(), draft["next_step"].as_str()),
        (StatusCode::OK, Some("draft"), Some("payment"))
    );
    assert!(simulator.pay(&code_url(&checkout)), "the payer scanned it anyway");
    simulator.set_faults(Faults { out_of_order: true, ..Faults::default() });
    order_when(&applicant, &id, |o| o["online"]["refunds"][0]["state"] == "refunded").await;
    let order = order_when(&applicant, &id, |o| o["paid"] == "0.00 EUR").await;
    assert_eq!(order["state"], "draft");
    assert!(events(&order).contains(&"payment_refunded_unwanted".to_owned()), "{:?}", events(&order));
    let (_, body) = applicant
        .call(Method::POST, &format!("/api/v1/orders/{id}/payments"), Some(json!({"provider": "wechat_pay"})))
        .await;
    assert_eq!(error_code(&body), "transition_not_from_state", "{body}");
});

/// A renewal submitted to pay offline with the document sent by post, made ready by the
/// mission's `admin`: its fee is now due by the payment notice. Returns (order, number).
pub(crate) async fn ready_to_pay_by_notice(applicant: &Applicant, admin: &Officer) -> (String, String) {
    let id = filled_renewal(applicant).await;
    let by_post = json!({"submission": "by_post", "pickup": "by_post"});
    assert_eq!(applicant.step(&id, "delivery", by_post).await.0, StatusCode::OK);
    let (status, order) = applicant.submit(&id, None).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("under_review")), "{order}");
    let number = order["number"].as_str().expect("number").to_owned();
    for action in ["accept", "mark_ready"] {
        let (status, body) = admin.act(&id, json!({"action": action})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    (id, number)
}

pub(crate) async fn mission_admin(app: &TestApp) -> Officer {
    Officer::new(app, Some("be-embassy"), StaffRole::MissionAdmin, "admin").await
}

both_backends!(
    an_offline_payer_pays_the_mailed_payment_notice_and_the_document_goes_by_post,
    |db: Db, dir: PathBuf| async move {
        let (app, simulator) = platform(db, dir).await;
        let applicant = Applicant::verified(&app, "he@example.org", "E12345678").await;
        let admin = mission_admin(&app).await;
        let (id, number) = ready_to_pay_by_notice(&applicant, &admin).await;
        let (status, body) =
            admin.act(&id, json!({"action": "hand_over", "method": "post", "tracking": "EE123"})).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "fee_unpaid"));
        let notice = payment_notice(&app, &number).expect("the payment notice").body;
        assert!(notice.contains(&format!("/orders/{id}/pay")) && notice.contains("扫描支付二维码"), "{notice}");
        let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
        assert!(order["actions"].as_array().expect("actions").contains(&json!("pay_online")), "{order}");
        assert!(simulator.pay(&code_url(&checkout(&applicant, &id).await)));
        order_when(&applicant, &id, |o| o["paid"] == "16.00 EUR").await;
        let (status, body) =
            admin.act(&id, json!({"action": "hand_over", "method": "post", "tracking": "EE123"})).await;
        assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("completed")), "{body}");
    }
);

both_backends!(the_reconciliation_finds_a_payment_only_the_bill_has, |db: Db, dir: PathBuf| async move {
    let (app, simulator) = platform(db.clone(), dir).await;
    let applicant = Applicant::verified(&app, "lin@example.org", "E12345678").await;
    let (id, checkout) = submitted_paying_online(&applicant).await;
    assert!(simulator.pay(&code_url(&checkout)));
    order_when(&applicant, &id, |o| o["state"] == "under_review").await;
    simulator.set_faults(Faults { unknown_bill_payment: true, ..Faults::default() });
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let run =
        lingshi_web::service::payments::reconcile::run(&app.state, Provider::WechatPay, today).await.expect("run");
    assert_eq!(run.lines, 2);
    let found: Vec<(&str, &str)> = run.differences.iter().map(|d| (d.kind.as_str(), d.reference.as_str())).collect();
    assert_eq!(found, [("missing_ours", UNKNOWN_BILL_PAYMENT)]);
    let stored = lingshi_storage::reconciliation::differences(&db, Some(today)).await.expect("stored");
    assert_eq!(stored.len(), 1);
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
    let (_, board) = cashier.call(Method::GET, "/api/v1/staff/dashboard", None).await;
    let shown = &board["payment_checks"]["differences"][0];
    assert_eq!(
        (shown["reference"].as_str(), shown["theirs"].as_str()),
        (Some(UNKNOWN_BILL_PAYMENT), Some("16.00 EUR"))
    );
    let (_, page) = cashier.page("/staff/dashboard").await;
    assert!(page.contains("id=\"reconciliation-differences\"") && page.contains(UNKNOWN_BILL_PAYMENT), "{page}");
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer").await;
    let (_, board) = reviewer.call(Method::GET, "/api/v1/staff/dashboard", None).await;
    assert_eq!(board["payment_checks"]["differences"], json!([]), "a reviewer settles no money");
    simulator.set_faults(Faults::default());
    let again =
        lingshi_web::service::payments::reconcile::run(&app.state, Provider::WechatPay, today).await.expect("run");
    assert!(again.differences.is_empty(), "a second run replaces the first");
    assert!(lingshi_storage::reconciliation::differences(&db, Some(today)).await.expect("stored").is_empty());
});
