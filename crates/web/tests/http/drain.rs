//! A node that has begun to drain reports it to the load balancer and leaves new jobs to the
//! other nodes, while the jobs it had already claimed were finished.

use crate::support::{PASSWORD, TestApp};
use lingshi_storage::{Db, both_backends, jobs};
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

both_backends!(a_draining_node_reports_it_and_claims_no_more_jobs, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("before@example.org").await;
    assert_eq!(app.get_json("/healthz").await.0, StatusCode::OK);

    app.state.begin_draining();
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("draining")));
    // Requests still served: a registration is taken, its code mail queued…
    let (status, _) =
        app.post_json("/api/v1/registrations", json!({"address": "after@example.org", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // …and left for another node: this runner, woken by the enqueue and polling, claims nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let queued = jobs::list(&app.db, "pending", 10).await.expect("jobs");
    assert_eq!(queued.iter().filter(|job| job.kind == lingshi_web::jobs::DELIVER_MESSAGE).count(), 1, "{queued:?}");
    assert!(jobs::list(&app.db, "running", 10).await.expect("jobs").is_empty(), "no lease left to lapse");
});
