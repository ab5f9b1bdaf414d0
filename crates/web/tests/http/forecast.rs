//! Predicted completion dates end to end: with 25 renewals of the Embassy in Belgium made
//! ready in about six days each lately, a newly submitted order shows a date range resting on
//! them; the mission page shows the typical time; a supplement request pauses the estimate,
//! and answering it restarts the clock. Without history, and with no published standard time,
//! the order says so instead of guessing.

use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use chrono::{Duration, Utc};
use lingshi_domain::order::{OrderState, StaffRole};
use lingshi_storage::orders::{self, NewOrder};
use lingshi_storage::{Db, both_backends, seed};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

/// `count` passport orders of the Embassy in Belgium, each submitted and made ready six days
/// later, over the last month.
async fn history(app: &TestApp, count: i64) {
    for n in 0..count {
        let form = json!({});
        let number = format!("BE2611HIST{n:04}");
        let new = NewOrder {
            number: &number,
            mission_id: seed::BELGIUM,
            service: "passport",
            submitter_id: None,
            intake_staff_id: None,
            on_behalf: false,
            application_type: None,
            form: &form,
        };
        let submitted = Utc::now() - Duration::days(8 + n % 20) - Duration::hours(n);
        let mut tx = app.db.begin().await.expect("begin");
        let id = orders::create(&mut tx, &app.state.vault, &new, submitted).await.expect("order");
        for (event, at) in [("submitted", submitted), ("ready", submitted + Duration::days(6))] {
            orders::add_event(&mut tx, &app.state.vault, &id, OrderState::ReadyForPickup, event, None, at)
                .await
                .expect("event");
        }
        tx.commit().await.expect("commit");
    }
}

both_backends!(
    a_submitted_order_shows_its_predicted_completion_and_a_supplement_pauses_it,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        history(&app, 25).await;
        let (applicant, id, _) = submitted_renewal(&app, "forecast@example.org", "E12345678").await;
        let (status, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        let forecast = &order["forecast"];
        assert_eq!(
            (forecast["status"].as_str(), forecast["estimate"]["basis"].as_str()),
            (Some("estimated"), Some("history")),
            "{forecast}"
        );
        assert_eq!(forecast["estimate"]["orders"], 25);
        let earliest: chrono::NaiveDate =
            forecast["estimate"]["earliest"].as_str().expect("date").parse().expect("iso date");
        let today = Utc::now().date_naive();
        // Six days for every order of the history: about six days from now, on a working day.
        assert!((today + Duration::days(5)..=today + Duration::days(9)).contains(&earliest), "{forecast}");
        assert!(forecast["text"].as_str().is_some_and(|t| t.starts_with("预计 ") && t.contains('月')), "{forecast}");

        let html = app.page("/missions/be-embassy").await;
        assert!(
            html.contains("一般 6 天") && html.contains("近期 25 份订单"),
            "the mission page shows the typical time"
        );

        let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "forecast.reviewer").await;
        let ask = json!({"action": "request_supplement", "items": [{"material": "other", "reason": "请补充居留卡", "due_on": "2030-01-31"}]});
        assert_eq!(reviewer.act(&id, ask).await.0, StatusCode::OK);
        let (_, paused) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
        assert_eq!(paused["forecast"]["status"], "paused", "the estimate waits for the applicant");
        let (_, staff_view) = reviewer.order(&id).await;
        assert_eq!(staff_view["forecast"]["status"], "paused", "staff see the same");
    }
);

both_backends!(without_history_or_a_published_time_no_date_is_guessed, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    history(&app, 3).await;
    let (applicant, id, _) = submitted_renewal(&app, "early@example.org", "E12345678").await;
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(order["forecast"]["status"], "unknown", "{}", order["forecast"]);
    let html = app.page("/missions/be-embassy").await;
    assert!(html.contains("暂无足够的近期办理记录"));
});
