//! Four `lingshi serve` nodes started at the same moment on one empty PostgreSQL database:
//! every start-up step (migrations, missions, the demo account, the demo interview slots,
//! the demo reference rates) is safe to run concurrently, so all four come up healthy and
//! each seeded thing exists once.

mod support;

use lingshi_storage::testing::{create_postgres_database, drop_postgres_database};
use support::{free_port, serve_with};

const NODES: usize = 4;
const MASTER_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

async fn count(pool: &sqlx::PgPool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_nodes_starting_together_on_one_database_all_come_up() {
    let name = format!("lingshi_cluster_{}", std::process::id());
    let url = create_postgres_database(&name).await;
    let root = std::env::temp_dir().join(format!("lingshi-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let ports: Vec<u16> = (0..NODES).map(|_| free_port()).collect();
    // Every node's process is started before any is waited for.
    let starts: Vec<_> = ports
        .iter()
        .enumerate()
        .map(|(n, &port)| {
            let (data, url) = (root.join(format!("node{n}")), url.clone());
            tokio::spawn(async move {
                serve_with(&data, port, &[("DATABASE_URL", url.as_str()), ("LINGSHI_MASTER_KEY", MASTER_KEY)]).await
            })
        })
        .collect();
    let mut nodes = Vec::new();
    for start in starts {
        nodes.push(start.await.expect("a node started"));
    }
    for port in &ports {
        let health = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await.expect("health");
        assert!(health.status().is_success(), "node on {port} is healthy");
    }

    let db = sqlx::PgPool::connect(&url).await.expect("the cluster's database");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM staff WHERE username = 'demo.admin'").await, 1, "one demo account");
    let patterns = count(&db, "SELECT COUNT(*) FROM interview_patterns WHERE mission_id = 'be-embassy'").await;
    assert_eq!(patterns, 10, "the demo slots once: weekdays at 10:00 and 15:00");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM schema_migrations").await,
        count(&db, "SELECT MAX(version) FROM schema_migrations").await
    );
    db.close().await;
    drop(nodes);
    drop_postgres_database(&name).await;
    let _ = std::fs::remove_dir_all(&root);
}
