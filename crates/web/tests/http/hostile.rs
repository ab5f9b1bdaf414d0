//! Hostile bodies against every JSON endpoint that writes: each gets a 4xx in the one error
//! shape, never a 5xx, and nothing is written.

use crate::orders::{Applicant, filled_renewal};
use crate::staff_orders::officer;
use crate::support::TestApp;
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::PathBuf;

/// Bodies no endpoint should choke on.
fn hostile_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    vec![
        ("truncated", b"{\"service\": \"passport\", ".to_vec()),
        ("array", b"[]".to_vec()),
        ("null", b"null".to_vec()),
        ("wrong types", br#"{"service": 7, "statement_accepted": "yes", "version": "x", "items": 3}"#.to_vec()),
        ("deeply nested", deep.into_bytes()),
        ("binary", vec![0xFF, 0x00, 0xC3, 0x28, 0x7B]),
        ("huge string", format!(r#"{{"title": "{}"}}"#, "长".repeat(20_000)).into_bytes()),
        ("control characters", "{\"reason\": \"\u{0000}\u{0007}\u{202e}\"}".as_bytes().to_vec()),
    ]
}

both_backends!(hostile_bodies_get_a_clear_4xx_everywhere, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = filled_renewal(&applicant).await;
    let staff = officer(&app, StaffRole::MissionAdmin, "admin").await;
    let applicant_paths = [
        (Method::POST, "/api/v1/orders".to_owned()),
        (Method::POST, "/api/v1/application-types".to_owned()),
        (Method::PUT, format!("/api/v1/orders/{id}/steps/details")),
        (Method::PUT, format!("/api/v1/orders/{id}/steps/payment")),
        (Method::POST, format!("/api/v1/orders/{id}/withdraw")),
        (Method::POST, "/api/v1/pensions".to_owned()),
        (Method::POST, "/api/v1/legalization-checks".to_owned()),
        (Method::POST, "/api/v1/pension/callbacks".to_owned()),
    ];
    let staff_paths = [
        (Method::POST, format!("/api/v1/staff/orders/{id}/actions")),
        (Method::POST, "/api/v1/staff/walk-ins".to_owned()),
        (Method::POST, "/api/v1/staff/legalizations".to_owned()),
        (Method::POST, "/api/v1/staff/notices".to_owned()),
        (Method::POST, "/api/v1/staff/members".to_owned()),
    ];
    for (name, body) in hostile_bodies() {
        for (method, path) in &applicant_paths {
            let response = applicant
                .request(method.clone(), path)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("request");
            let status = response.status();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            assert!(status.is_client_error(), "{name} → {path}: {status}");
            assert!(answer["error"]["code"].is_string(), "{name} → {path}: {answer}");
        }
        for (method, path) in &staff_paths {
            let (status, answer) = staff.call_raw(method.clone(), path, body.clone()).await;
            assert!(status.is_client_error(), "{name} → {path}: {status}");
            assert!(answer["error"]["code"].is_string(), "{name} → {path}: {answer}");
        }
    }
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(order["state"], "draft", "nothing moved the order");
    assert_eq!(order["form"]["details"]["surname_zh"], "张", "nothing overwrote what was saved");
    let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(mine["orders"].as_array().map(Vec::len), Some(1), "no order was created");
    let (status, _) = applicant.call(Method::GET, "/api/v1/pensions", None).await;
    assert_eq!(status, StatusCode::OK);
});
