//! Four-eyes issuance: once a mission admin holds passports to four eyes, the officer who
//! accepted an order can neither mark it ready nor hand it over — by the API or the console,
//! where they are told why — while another officer can; the audit names both. Without the
//! rule one officer may do all three.

use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Sets the services the officer's mission holds to four eyes.
async fn set(officer: &Officer, services: Value) -> (StatusCode, Value) {
    officer.call(Method::PUT, "/api/v1/staff/four-eyes", Some(json!({"services": services}))).await
}

fn offered(order: &Value, action: &str) -> bool {
    order["actions"].as_array().is_some_and(|all| all.iter().any(|a| a == action))
}

/// Records the fee at the counter, so that the document may be handed over.
async fn paid(cashier: &Officer, id: &str) {
    let payment = json!({"action": "record_payment", "method": "card", "amount": "16.00", "reference": "POS 1"});
    let (status, body) = cashier.act(id, payment).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

both_backends!(the_officer_who_accepted_neither_makes_ready_nor_hands_over, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (_, id, _) = submitted_renewal(&app, "four.eyes@example.org", "E12345678").await;
    let first = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "admin.first").await;
    let second = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "admin.second").await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer.four").await;
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier.four").await;

    assert_eq!(set(&reviewer, json!(["passport"])).await.0, StatusCode::FORBIDDEN, "mission admins set it");
    let (status, body) = set(&first, json!(["visa"])).await;
    assert_eq!(
        (status, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("services"))
    );
    let (status, body) = set(&first, json!(["passport", "passport"])).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"services": ["passport"]})));
    assert_eq!(first.call(Method::GET, "/api/v1/staff/four-eyes", None).await.1, json!({"services": ["passport"]}));
    let (_, members) = first.page("/staff/members").await;
    assert!(members.contains("id=\"four-eyes-passport\" checked") && members.contains("id=\"four-eyes-emergency\">"));

    assert_eq!(first.act(&id, json!({"action": "accept"})).await.0, StatusCode::OK);
    let (_, order) = first.order(&id).await;
    assert!(!offered(&order, "mark_ready"), "not offered to the officer who accepted");
    assert_eq!(order["four_eyes"], json!({"required": true, "holds_you_back": true}));
    let (status, body) = first.act(&id, json!({"action": "mark_ready"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("four_eyes")));
    // The console says why the button is missing, and its form is refused the same way.
    let (_, page) = first.page(&format!("/staff/orders/{id}")).await;
    assert!(page.contains("id=\"four-eyes-note\"") && !page.contains("id=\"act-mark_ready\""), "{page}");
    let form = [("version", order["version"].to_string()), ("action", "mark_ready".to_owned())];
    let posted = first.request(Method::POST, &format!("/staff/orders/{id}")).header("origin", &app.base).form(&form);
    let refused = posted.send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.expect("page").contains("另一位工作人员"), "the refusal says why");

    let (_, order) = second.order(&id).await;
    assert!(offered(&order, "mark_ready") && order["four_eyes"]["holds_you_back"] == false);
    assert_eq!(second.act(&id, json!({"action": "mark_ready"})).await.0, StatusCode::OK);
    paid(&cashier, &id).await;
    let (status, body) = first.act(&id, json!({"action": "hand_over", "method": "counter"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("four_eyes")));
    let (status, order) = second.act(&id, json!({"action": "hand_over", "method": "counter"})).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("completed")));

    let (_, trail) = second.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
    let actor_of = |action: &str| {
        trail["audit"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["action"] == action))
            .map(|r| r["actor_id"].clone())
    };
    let (accepted, ready, handed) = (actor_of("accepted"), actor_of("ready"), actor_of("handed_over"));
    assert!(accepted.is_some() && ready.is_some() && accepted != ready, "the audit names both officers: {trail}");
    assert_eq!(ready, handed);
    assert!(actor_of("four_eyes_set").is_none(), "the setting is the mission's, not the order's");

    // Unticked on the console's page: without the rule, one officer may accept, make ready
    // and hand over.
    let cleared =
        first.request(Method::POST, "/staff/four-eyes").header("origin", &app.base).form(&[("emergency", "on")]);
    assert!(cleared.send().await.expect("post").status().is_success(), "back on the page");
    assert_eq!(first.call(Method::GET, "/api/v1/staff/four-eyes", None).await.1, json!({"services": ["emergency"]}));
    let (_, other, _) = submitted_renewal(&app, "one.officer@example.org", "E87654321").await;
    assert_eq!(first.act(&other, json!({"action": "accept"})).await.0, StatusCode::OK);
    assert_eq!(first.act(&other, json!({"action": "mark_ready"})).await.0, StatusCode::OK);
    paid(&cashier, &other).await;
    assert_eq!(first.act(&other, json!({"action": "hand_over", "method": "counter"})).await.0, StatusCode::OK);
});
