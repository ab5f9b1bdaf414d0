//! Bounces (issue 19, item 3), on both backends: a delivery status report about a notice,
//! arriving at the inbound mail server, marks the applicant's e-mail as failing — they see a
//! banner asking for a mobile, which goes once notices go to one — and staff see the address
//! failing and that notice undeliverable on the order.

use crate::notify_settings::add_mobile;
use crate::sms::{eventually, platform_with_gateway};
use crate::staff_orders::{Officer, mail_about, submitted_renewal};
use lingshi_domain::order::StaffRole;
use lingshi_integrations::smsc_simulator::{Behaviour, Smsc};
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

/// Sends `raw` over SMTP to `port` with the null reverse path, as a mail server sends reports.
async fn send_report(port: u16, to: &str, raw: String) {
    let to: lettre::Address = to.parse().expect("to");
    tokio::task::spawn_blocking(move || {
        let envelope = lettre::address::Envelope::new(None, vec![to]).expect("envelope");
        let transport = lettre::SmtpTransport::builder_dangerous("127.0.0.1").port(port).build();
        lettre::Transport::send_raw(&transport, &envelope, raw.as_bytes()).expect("sent");
    })
    .await
    .expect("join");
}

both_backends!(a_bounce_marks_the_address_and_the_notice, |db: Db, dir: PathBuf| async move {
    let smsc = Smsc::start(Behaviour::default()).await.expect("smsc");
    let app = platform_with_gateway(db, dir, &smsc).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (sink, inbox) = tokio::sync::mpsc::channel(4);
    lingshi_integrations::inbound::serve(listener, "lingshi.test", sink).expect("inbound");
    tokio::spawn(lingshi_web::service::inbound_mail::run(app.state.clone(), inbox));

    let address = "bounce.me@example.org";
    let (applicant, id, number) = submitted_renewal(&app, address, "E12345678").await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "bounce.reviewer").await;
    assert_eq!(reviewer.act(&id, json!({"action": "accept"})).await.0, StatusCode::OK);
    assert!(mail_about(&app, address, &number).is_some(), "the notice went by mail");
    let sent = app.mail.messages().into_iter().find(|m| m.subject.contains(&number)).expect("the notice");
    let message_id = sent
        .header_text
        .lines()
        .find_map(|line| line.strip_prefix("Message-ID:").map(|id| id.trim().to_owned()))
        .expect("a Message-ID");
    let page = |path: &'static str| {
        let request = applicant.request(Method::GET, path);
        async move { request.send().await.expect("page").text().await.expect("html") }
    };
    assert!(!page("/account").await.contains("id=\"mail-failing\""), "no banner before a bounce");

    let report = lingshi_integrations::testing::delivery_report(address, "failed", &message_id);
    send_report(port, "noreply@lingshi.test", report).await;
    let marked = eventually(20, async || {
        let (_, order) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{id}"), None).await;
        order["applicant_mail_failing"] == "5.1.1" && order["notifications"][0]["state"] == "undeliverable"
    })
    .await;
    assert!(marked, "staff see the address failing and the notice undeliverable");
    let console = reviewer.request(Method::GET, &format!("/staff/orders/{id}")).send().await.expect("page");
    assert!(console.text().await.expect("html").contains("id=\"applicant-mail-failing\""));
    assert!(page("/account").await.contains("id=\"mail-failing\""), "the applicant is asked for a mobile");
    assert!(page("/orders").await.contains("id=\"mail-failing\""), "on My orders too");

    // Once notices go to a mobile, the banner goes.
    add_mobile(&applicant, &smsc, "+32 470 55 44 33", "32470554433").await;
    assert!(!page("/account").await.contains("id=\"mail-failing\""));
});
