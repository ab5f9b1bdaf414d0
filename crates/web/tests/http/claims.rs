//! Sharing the work: an officer claims an order ("我来处理") and colleagues see who has it and
//! cannot claim it too; the holder lists it among their orders and releases it; a mission
//! admin reassigns it; everything through the API and the console, each step audited.

use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

both_backends!(officers_claim_release_and_an_admin_reassigns, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (_, id, number) = submitted_renewal(&app, "claimed@example.org", "E12345678").await;
    let wang = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "wang").await;
    let li = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "li").await;
    let admin = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "chief").await;
    let elsewhere = Officer::new(&app, Some("nl-embassy"), StaffRole::Reviewer, "elsewhere").await;
    let claim_path = format!("/api/v1/staff/orders/{id}/claim");

    assert_eq!(wang.order(&id).await.1["claimed_by"], json!(null), "nobody has it yet");
    assert_eq!(elsewhere.call(Method::POST, &claim_path, None).await.0, StatusCode::NOT_FOUND, "another mission's");
    let (status, body) = wang.call(Method::POST, &claim_path, None).await;
    assert_eq!((status, body["claimed_by"]["username"].as_str()), (StatusCode::OK, Some("wang")));
    let (status, body) = li.call(Method::POST, &claim_path, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("claimed_by_other")));
    assert_eq!(li.order(&id).await.1["claimed_by"], json!({"username": "wang", "name": "wang", "yours": false}));
    assert_eq!(wang.order(&id).await.1["claimed_by"]["yours"], true);
    let (_, held) = wang.call(Method::GET, "/api/v1/staff/my-orders", None).await;
    assert_eq!(held["orders"][0]["number"].as_str(), Some(number.as_str()));
    assert_eq!(li.call(Method::GET, "/api/v1/staff/my-orders", None).await.1, json!({"orders": []}));
    assert!(wang.page("/staff/my-orders").await.1.contains(&format!(">{number}</a>")), "我处理的订单 lists it");
    let (_, queue) = li.call(Method::GET, "/api/v1/staff/orders", None).await;
    assert_eq!(queue["orders"][0]["claimed_by"], "wang", "the queue shows who handles it");
    assert!(li.page("/staff/orders").await.1.contains("<td class=\"holder\">wang</td>"));
    assert!(li.page("/staff/my-orders").await.1.contains("id=\"my-orders-empty\""));
    // Only the holder (or an admin) releases it.
    assert_eq!(li.call(Method::DELETE, &claim_path, None).await.0, StatusCode::CONFLICT, "not li's to release");

    // The console: who has it, and the buttons each may use.
    let (_, page) = li.page(&format!("/staff/orders/{id}")).await;
    assert!(page.contains("id=\"claimed-by\"") && page.contains("<strong>wang</strong>"), "{page}");
    assert!(!page.contains("id=\"claim-take\"") && !page.contains("id=\"claim-release\""));
    let (_, page) = admin.page(&format!("/staff/orders/{id}")).await;
    assert!(page.contains("id=\"claim-release\"") && page.contains("id=\"claim-reassign\""));
    let reassign = |to: &str| {
        admin
            .request(Method::POST, &format!("/staff/orders/{id}/reassign"))
            .header("origin", &app.base)
            .form(&[("username", to)])
    };
    assert_eq!(reassign("elsewhere").send().await.expect("post").status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reassign("li").send().await.expect("post").status().is_success());
    assert_eq!(li.order(&id).await.1["claimed_by"]["yours"], true, "reassigned to li");
    let (status, _) = wang.call(Method::PUT, &claim_path, Some(json!({"username": "wang"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only an admin reassigns");

    let release = li.request(Method::POST, &format!("/staff/orders/{id}/release")).header("origin", &app.base);
    assert!(release.send().await.expect("post").status().is_success());
    let (_, page) = wang.page(&format!("/staff/orders/{id}")).await;
    assert!(page.contains("id=\"claim-take\""), "free again: 我来处理 offered");
    let take = wang.request(Method::POST, &format!("/staff/orders/{id}/claim")).header("origin", &app.base);
    assert!(take.send().await.expect("post").status().is_success());
    assert_eq!(wang.order(&id).await.1["claimed_by"]["yours"], true);

    let (_, trail) = admin.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
    let actions: Vec<&str> =
        trail["audit"].as_array().expect("rows").iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| a.starts_with("claim")).copied().collect::<Vec<_>>(),
        ["claimed", "claim_reassigned", "claim_released", "claimed"]
    );
});
