//! Text messages through an SMPP gateway (issue 19), on both backends: a thousand notices
//! through a gateway that drops the connection twice each arrive exactly once and end
//! delivered; an applicant registered by mobile gets the code and the order's notices by
//! text, and staff see on the order which arrived and which could not be delivered.

use crate::orders::{Applicant, filled_renewal};
use crate::staff_orders::Officer;
use crate::support::{PASSWORD, TestApp, six_digits};
use lingshi_domain::order::StaffRole;
use lingshi_integrations::smpp::{Outcome, SmppConfig, SmppSender};
use lingshi_integrations::smsc_simulator::{Behaviour, ReceiptPlan, Smsc};
use lingshi_storage::deliveries::{self, DeliveryState};
use lingshi_storage::{Db, both_backends};
use lingshi_web::jobs::Message;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The platform with its text messages going to `smsc`, receipts recorded.
pub async fn platform_with_gateway(db: Db, dir: PathBuf, smsc: &Smsc) -> TestApp {
    let (sender, receipts) = SmppSender::start(SmppConfig::from_url(&smsc.url("CNEmbassy")).expect("url"));
    tokio::spawn(lingshi_integrations::smpp::record_receipts(db.clone(), receipts));
    TestApp::start_with_sms(db, dir, Arc::new(sender)).await
}

/// Waits up to `seconds` for `done`.
pub async fn eventually(seconds: u64, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

both_backends!(
    a_thousand_texts_through_a_gateway_that_drops_twice_arrive_once_each,
    |db: Db, dir: PathBuf| async move {
        let smsc = Smsc::start(Behaviour { drop_on: vec![300, 700], ..Behaviour::default() }).await.expect("smsc");
        let app = platform_with_gateway(db.clone(), dir, &smsc).await;
        let mut tx = db.begin().await.expect("begin");
        for i in 0..1000 {
            let message = Message {
                channel: "mobile".into(),
                to: format!("+32470{i:06}"),
                masked_to: "+32470****".into(),
                subject: String::new(),
                body: format!("Lingshi notice {i}"),
                qr_codes: Vec::new(),
                calendar: None,
                order_id: None,
            };
            lingshi_web::service::codes::enqueue(&mut tx, &app.state, &message).await.expect("enqueue");
        }
        tx.commit().await.expect("commit");

        let all_in = eventually(120, async || smsc.log().accepted.len() >= 1000).await;
        let log = smsc.log();
        assert!(all_in, "{} of 1000 accepted", log.accepted.len());
        assert_eq!(log.drops, 2, "the gateway dropped the connection twice");
        assert!(log.binds >= 3, "the session bound again after each drop: {} binds", log.binds);
        let mut texts: Vec<String> = smsc.texts().into_iter().map(|(_, text)| text).collect();
        texts.sort();
        let mut expected: Vec<String> = (0..1000).map(|i| format!("Lingshi notice {i}")).collect();
        expected.sort();
        assert_eq!(texts.len(), 1000, "no text was sent twice");
        assert_eq!(texts, expected, "every text once");

        let delivered = eventually(60, async || {
            let ids: Vec<String> = lingshi_storage::db_run!(&db, |pool| {
                sqlx::query_scalar("SELECT id FROM message_deliveries").fetch_all(pool).await
            })
            .expect("ids");
            let mut states = Vec::new();
            for id in &ids {
                states.push(deliveries::by_id(&db, id).await.expect("read").map(|d| d.state));
            }
            ids.len() == 1000 && states.iter().all(|state| *state == Some(DeliveryState::Delivered))
        })
        .await;
        assert!(delivered, "every message ends delivered, its receipt recorded");
    }
);

/// The code the gateway carried to `destination` (international digits), the newest first.
pub async fn code_texted_to(smsc: &Smsc, destination: &str) -> String {
    let mut code = None;
    let arrived = eventually(20, async || {
        code = smsc.texts().into_iter().rev().find(|(to, _)| to == destination).and_then(|(_, text)| six_digits(&text));
        code.is_some()
    })
    .await;
    assert!(arrived, "a code went to {destination}");
    code.expect("code")
}

/// Registers `mobile`, reading the code the gateway was given.
async fn registered_by_mobile(app: &TestApp, smsc: &Smsc, mobile: &str) -> String {
    let (status, _) = app.post_json("/api/v1/registrations", json!({"address": mobile, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let code = code_texted_to(smsc, &format!("86{mobile}")).await;
    let (status, body) = app.post_json("/api/v1/registrations/confirm", json!({"address": mobile, "code": code})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

both_backends!(staff_see_which_notices_reached_the_applicant, |db: Db, dir: PathBuf| async move {
    let mut behaviour = Behaviour::default();
    behaviour.receipts_for.insert("8613900139000".into(), ReceiptPlan::After(Duration::ZERO, Outcome::Undeliverable));
    let smsc = Smsc::start(behaviour).await.expect("smsc");
    let app = platform_with_gateway(db.clone(), dir, &smsc).await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "sms.reviewer").await;

    let mut orders = Vec::new();
    for (mobile, passport) in [("13800138000", "E12345678"), ("13900139000", "E23456789")] {
        let token = registered_by_mobile(&app, &smsc, mobile).await;
        let applicant = Applicant::verify(&app, &token, passport).await;
        let id = filled_renewal(&applicant).await;
        assert_eq!(applicant.submit(&id, None).await.0, StatusCode::OK);
        let (status, _) = reviewer.act(&id, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK);
        orders.push(id);
    }

    let states = |order: &str| {
        let order = order.to_owned();
        let reviewer = &reviewer;
        async move {
            let (_, view) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{order}"), None).await;
            let found: Vec<String> = view["notifications"]
                .as_array()
                .map(|sent| sent.iter().filter_map(|n| n["state"].as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            (found, view)
        }
    };
    let settled = eventually(30, async || {
        states(&orders[0]).await.0 == ["delivered"] && states(&orders[1]).await.0 == ["undeliverable"]
    })
    .await;
    let (delivered, view) = states(&orders[0]).await;
    assert!(settled, "delivered: {delivered:?}; undeliverable: {:?}", states(&orders[1]).await.0);
    let notice = &view["notifications"][0];
    assert_eq!((notice["channel"].as_str(), notice["recipient"].as_str()), (Some("mobile"), Some("138****8000")));
    assert!(
        smsc.texts().iter().any(|(to, text)| to == "8613800138000" && text.contains("待制证")),
        "the notice in Chinese, UCS-2"
    );

    let page = reviewer.request(Method::GET, &format!("/staff/orders/{}", orders[1])).send().await.expect("page");
    let html = page.text().await.expect("html");
    assert!(
        html.contains("通知送达") && html.contains("无法送达") && html.contains("139****9000"),
        "the console shows it"
    );
});
