//! The floor of issue 14's R2: bare durable writes, one insert per commit, from `connections`
//! concurrent connections for `seconds`, on the database at `url` with the platform's own
//! durability settings (SQLite: WAL, `synchronous=FULL`; PostgreSQL: as configured). Prints
//! the inserts per second. A scratch table is created and dropped.
//!
//!   insert_floor URL SECONDS CONNECTIONS

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS insert_floor (id TEXT PRIMARY KEY, body TEXT NOT NULL, at TEXT NOT NULL)";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, seconds, connections] = args.as_slice() else {
        eprintln!("usage: insert_floor URL SECONDS CONNECTIONS");
        std::process::exit(2);
    };
    let seconds: u64 = seconds.parse().expect("seconds");
    let connections: u32 = connections.parse().expect("connections");
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    macro_rules! hammer {
        ($pool:expr) => {{
            let pool = $pool;
            sqlx::query(TABLE).execute(&pool).await.expect("table");
            let tasks: Vec<_> = (0..connections)
                .map(|task| {
                    let (pool, done) = (pool.clone(), done.clone());
                    tokio::spawn(async move {
                        let mut n = 0u64;
                        while Instant::now() < deadline {
                            sqlx::query("INSERT INTO insert_floor (id, body, at) VALUES ($1, $2, $3)")
                                .bind(format!("{task}-{n}"))
                                .bind("a bare row")
                                .bind("2026-11-30T00:00:00Z")
                                .execute(&pool)
                                .await
                                .expect("insert");
                            n += 1;
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
            sqlx::query("DROP TABLE insert_floor").execute(&pool).await.expect("drop");
        }};
    }
    let started = Instant::now();
    if url.starts_with("postgres") {
        hammer!(PgPoolOptions::new().max_connections(connections).connect(url).await.expect("postgres"));
    } else {
        let options = SqliteConnectOptions::from_str(url)
            .expect("url")
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        hammer!(SqlitePoolOptions::new().max_connections(connections).connect_with(options).await.expect("sqlite"));
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("{rate:.0}");
}
