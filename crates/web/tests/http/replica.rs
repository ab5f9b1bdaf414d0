//! Reads from a PostgreSQL hot standby (`scripts/replica.sh` starts one of the local server):
//! the staff queue is read there, and an officer who has just acted reads the result at once
//! (the position of their change brought back as a header or a cookie) though the standby's
//! replay is held still; an officer who brings none reads the standby as it is.

use crate::sms::eventually;
use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use lingshi_domain::order::StaffRole;
use lingshi_storage::replica::Replica;
use lingshi_storage::testing::TestDb;
use lingshi_storage::{Backend, db_run};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

const DEFAULT_REPLICA: &str = "postgres://postgres@127.0.0.1:5433/postgres";

/// The standby's server (`LINGSHI_TEST_POSTGRES_REPLICA`), database `name` on it.
fn replica_url(name: &str) -> String {
    let server = std::env::var("LINGSHI_TEST_POSTGRES_REPLICA").unwrap_or_else(|_| DEFAULT_REPLICA.to_owned());
    let (server, _) = server.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}")
}

/// The state of order `id` in a queue answer.
fn state_in(queue: &Value, id: &str) -> Option<String> {
    queue["orders"].as_array()?.iter().find(|o| o["id"] == id).and_then(|o| o["state"].as_str()).map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_is_read_on_the_replica_and_an_officer_reads_their_own_change() {
    let fresh = TestDb::create(Backend::Postgres).await;
    let name: String =
        db_run!(&fresh.db, |pool| sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await).expect("name");
    let mut connected = None;
    assert!(
        eventually(10, async || {
            connected = Replica::connect(&replica_url(&name)).await.ok();
            connected.is_some()
        })
        .await,
        "the standby at {} serves the new database (scripts/replica.sh start)",
        replica_url(&name)
    );
    let replica = Arc::new(connected.expect("replica"));
    let standby = sqlx::PgPool::connect(&replica_url("postgres")).await.expect("the standby's admin connection");
    let app = TestApp::start_reading_from(fresh.db.clone(), fresh.dir.clone(), replica.clone()).await;
    let (_, id, _) = submitted_renewal(&app, "replica@example.org", "E12345678").await;
    let writer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "writer").await;
    let other = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "other").await;
    let queue_of = async |officer: &Officer| officer.call(Method::GET, "/api/v1/staff/orders", None).await.1;
    assert!(
        eventually(10, async || state_in(&queue_of(&other).await, &id).as_deref() == Some("under_review")).await,
        "the standby caught up with the submission"
    );

    sqlx::query("SELECT pg_wal_replay_pause()").execute(&standby).await.expect("pause the standby's replay");
    let (_, order) = writer.order(&id).await;
    let accepted = writer
        .request(Method::POST, &format!("/api/v1/staff/orders/{id}/actions"))
        .json(&json!({"version": order["version"], "action": "accept"}))
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), StatusCode::OK);
    let position = accepted.headers()["lingshi-read-after"].to_str().expect("text").to_owned();
    assert!(position.parse::<i64>().expect("a WAL position") > 0);
    let cookie = accepted
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ls_read_after="));
    assert_eq!(
        cookie.map(|c| c.split(';').next().unwrap_or_default().to_owned()),
        Some(format!("ls_read_after={position}"))
    );

    // The officer who acted reads the change: by the header (an API client)…
    let by_header = writer.request(Method::GET, "/api/v1/staff/orders").header("lingshi-read-after", &position);
    let queue: Value = by_header.send().await.expect("queue").json().await.expect("json");
    assert_eq!(state_in(&queue, &id).as_deref(), Some("awaiting_production"));
    // …and by the cookie (a browser).
    let by_cookie = reqwest::Client::new()
        .get(app.url("/api/v1/staff/orders"))
        .header("cookie", format!("{}; ls_read_after={position}", writer.cookie()));
    let queue: Value = by_cookie.send().await.expect("queue").json().await.expect("json");
    assert_eq!(state_in(&queue, &id).as_deref(), Some("awaiting_production"));
    // Another officer reads the standby, whose replay is held: the queue does come from there.
    assert_eq!(state_in(&queue_of(&other).await, &id).as_deref(), Some("under_review"));

    sqlx::query("SELECT pg_wal_replay_resume()").execute(&standby).await.expect("resume the standby's replay");
    assert!(
        eventually(10, async || state_in(&queue_of(&other).await, &id).as_deref() == Some("awaiting_production")).await,
        "once replayed, every officer reads the change"
    );
    replica.close().await;
    standby.close().await;
    fresh.destroy().await;
}
