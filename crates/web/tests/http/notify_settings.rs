//! 通知方式 (issue 19, items 2 and 5), on both backends: an applicant registered by e-mail adds a
//! foreign mobile confirmed by a code sent to it by text message, then chooses where notices
//! go — both, the mobile alone, back to the login address when the mobile is removed; a code
//! asked for by one account does not add the number to another; numbers that are not mobiles,
//! or lack a country code, are refused with the field's message; the page shows it all.

use crate::orders::Applicant;
use crate::sms::{code_texted_to, eventually, platform_with_gateway};
use crate::staff_orders::{Officer, mail_about, submitted_renewal};
use crate::support::{TestApp, field_code};
use lingshi_domain::order::StaffRole;
use lingshi_integrations::smsc_simulator::{Behaviour, Smsc};
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Adds `written` (reaching the gateway as `digits`) to `applicant`'s notifications with the code
/// texted to it, and sends notices to both; returns the settings as confirmed.
pub async fn add_mobile(applicant: &Applicant, smsc: &Smsc, written: &str, digits: &str) -> Value {
    let asked = json!({"number": written});
    let (status, _) = applicant.call(Method::POST, "/api/v1/me/notifications/mobile", Some(asked)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let confirm = json!({"number": written, "code": code_texted_to(smsc, digits).await});
    let (status, settings) =
        applicant.call(Method::POST, "/api/v1/me/notifications/mobile/confirm", Some(confirm)).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    let (status, _) = applicant.call(Method::PUT, "/api/v1/me/notifications", Some(json!({"via": "both"}))).await;
    assert_eq!(status, StatusCode::OK);
    settings
}

/// The texts the gateway carried to `destination` that name `number`.
fn texts_about(smsc: &Smsc, destination: &str, number: &str) -> usize {
    smsc.texts().iter().filter(|(to, text)| to == destination && text.contains(number)).count()
}

fn mails_about(app: &TestApp, to: &str, number: &str) -> usize {
    app.mail.messages().iter().filter(|m| m.to.iter().any(|t| t == to) && m.subject.contains(number)).count()
}

both_backends!(notices_go_to_an_added_mobile_as_the_applicant_chooses, |db: Db, dir: PathBuf| async move {
    let smsc = Smsc::start(Behaviour::default()).await.expect("smsc");
    let app = platform_with_gateway(db, dir, &smsc).await;
    let (applicant, id, number) = submitted_renewal(&app, "notify.owner@example.org", "E12345678").await;
    let (other, _, _) = submitted_renewal(&app, "notify.other@example.org", "E23456789").await;

    let (status, settings) = applicant.call(Method::GET, "/api/v1/me/notifications", None).await;
    assert_eq!((status, settings["via"].as_str(), settings["mobile"].as_str()), (StatusCode::OK, Some("login"), None));
    let (status, body) = applicant.call(Method::PUT, "/api/v1/me/notifications", Some(json!({"via": "mobile"}))).await;
    assert_eq!(
        (status, field_code(&body, "via").as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "notify_mobile_missing")
    );
    for (written, code) in [("+32 2 663 30 01", "not_a_mobile"), ("0470 12 34 56", "phone_format"), ("", "required")] {
        let (status, body) =
            applicant.call(Method::POST, "/api/v1/me/notifications/mobile", Some(json!({"number": written}))).await;
        assert_eq!(
            (status, field_code(&body, "number").as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{written}"
        );
    }

    // A code the owner asked for does not add the number to another account.
    let asked = json!({"number": "+32 470 11 22 33"});
    assert_eq!(
        applicant.call(Method::POST, "/api/v1/me/notifications/mobile", Some(asked)).await.0,
        StatusCode::ACCEPTED
    );
    let code = code_texted_to(&smsc, "32470112233").await;
    let stolen = json!({"number": "+32 470 11 22 33", "code": code});
    let (status, body) = other.call(Method::POST, "/api/v1/me/notifications/mobile/confirm", Some(stolen)).await;
    assert_eq!((status, field_code(&body, "code").as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "code_unknown"));
    assert_eq!(other.call(Method::GET, "/api/v1/me/notifications", None).await.1["mobile"], json!(null));

    // The owner adds a number of their own, and asks for both.
    let settings = add_mobile(&applicant, &smsc, "0032 470 99 88 77", "32470998877").await;
    assert_eq!(settings["mobile"].as_str(), Some("+3247*****77"), "{settings}");

    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "notify.reviewer").await;
    assert_eq!(reviewer.act(&id, json!({"action": "accept"})).await.0, StatusCode::OK);
    assert!(mail_about(&app, "notify.owner@example.org", &number).is_some(), "the mail still goes");
    assert!(
        eventually(20, async || texts_about(&smsc, "32470998877", &number) == 1).await,
        "and the text: {:?}",
        smsc.texts()
    );

    // The mobile alone: the next notice is a text and no mail.
    let (status, _) = applicant.call(Method::PUT, "/api/v1/me/notifications", Some(json!({"via": "mobile"}))).await;
    assert_eq!(status, StatusCode::OK);
    let issuer = Officer::new(&app, Some("be-embassy"), StaffRole::Issuer, "notify.issuer").await;
    assert_eq!(issuer.act(&id, json!({"action": "mark_ready"})).await.0, StatusCode::OK);
    assert!(
        eventually(20, async || texts_about(&smsc, "32470998877", &number) == 2).await,
        "the second notice by text"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(mails_about(&app, "notify.owner@example.org", &number), 1, "no mail for the second notice");
    let (_, inbox) = applicant.call(Method::GET, "/api/v1/me/messages", None).await;
    assert_eq!(inbox["messages"].as_array().map(Vec::len), Some(2), "the inbox keeps both whatever the channel");

    // The page shows the choice; removing the number sends notices to the login again.
    let page = applicant.request(Method::GET, "/account/notifications").send().await.expect("page");
    let html = page.text().await.expect("html");
    assert!(
        html.contains("通知方式") && html.contains("+3247*****77") && html.contains("value=\"mobile\" checked"),
        "{html}"
    );
    assert_eq!(applicant.call(Method::DELETE, "/api/v1/me/notifications/mobile", None).await.0, StatusCode::NO_CONTENT);
    let (_, settings) = applicant.call(Method::GET, "/api/v1/me/notifications", None).await;
    assert_eq!((settings["via"].as_str(), settings["mobile"].as_str()), (Some("login"), None));
});
