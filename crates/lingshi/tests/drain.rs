//! A node asked to stop (SIGTERM) drains before it goes: for LINGSHI_DRAIN_SECONDS its health
//! check answers 503 `draining`, so a load balancer stops sending it requests, while requests
//! that still arrive are served; then it stops accepting, lets what is in flight finish and
//! exits cleanly.

mod support;

use std::time::{Duration, Instant};
use support::{free_port, serve_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_node_reports_draining_keeps_serving_for_the_drain_then_exits() {
    let data = std::env::temp_dir().join(format!("lingshi-drain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let mut server = serve_with(&data, port, &[("LINGSHI_DRAIN_SECONDS", "2")]).await;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    assert_eq!(client.get(format!("{base}/healthz")).send().await.expect("health").status(), 200);

    server.terminate();
    let asked = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = client.get(format!("{base}/healthz")).send().await.expect("health while draining");
    assert_eq!(health.status(), 503);
    assert_eq!(health.json::<serde_json::Value>().await.expect("json")["status"], "draining");
    let missions = client.get(format!("{base}/api/v1/missions")).send().await.expect("served while draining");
    assert_eq!(missions.status(), 200, "requests that still arrive are served");
    assert!(server.exited().is_none(), "still up during the drain");

    let status = loop {
        if let Some(status) = server.exited() {
            break status;
        }
        assert!(asked.elapsed() < Duration::from_secs(30), "the node stops after its drain");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(asked.elapsed() >= Duration::from_secs(2), "not before the drain was over");
    assert!(client.get(format!("{base}/healthz")).send().await.is_err(), "nothing listens any more");
    let _ = std::fs::remove_dir_all(&data);
}
