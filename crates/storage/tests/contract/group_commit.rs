//! Write transactions under concurrency, on SQLite (group commit) and PostgreSQL: every
//! committed change is there, a failing change fails alone, a dropped change leaves nothing
//! and holds no lock; on SQLite, concurrent changes share flushes.

use chrono::Utc;
use lingshi_storage::{Db, both_backends, throttle};

/// Records a rate event in its own transaction, failing it after the insert when `fail`.
async fn change(db: &Db, key: &str, fail: bool) -> Result<(), lingshi_storage::StorageError> {
    let mut tx = db.begin().await?;
    lingshi_storage::tx_run!(&mut tx, |conn| {
        sqlx::query("INSERT INTO rate_events (id, kind, client_key, at) VALUES ($1, 'group_test', $2, $3)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(key.as_bytes())
            .bind(Utc::now())
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    if fail {
        // A second statement that the database refuses: the change fails after writing.
        lingshi_storage::tx_run!(&mut tx, |conn| {
            sqlx::query("INSERT INTO rate_events (id, kind, client_key, at) VALUES (NULL, NULL, NULL, NULL)")
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    tx.commit().await
}

async fn count(db: &Db, key: &str) -> i64 {
    lingshi_storage::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM rate_events WHERE kind = 'group_test' AND client_key = $1")
            .bind(key.as_bytes())
            .fetch_one(pool)
            .await
    })
    .expect("count")
}

both_backends!(concurrent_changes_all_commit_and_a_failing_one_fails_alone, |db: Db, _dir| async move {
    let before = db.group_commit_stats();
    let tasks: Vec<_> = (0..64)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { change(&db, &format!("key-{n}"), n % 16 == 7).await })
        })
        .collect();
    let mut failed = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        if task.await.expect("task").is_err() {
            failed.push(n);
        }
    }
    assert_eq!(failed, vec![7, 23, 39, 55], "exactly the failing changes failed");
    for n in 0..64 {
        let expected = i64::from(n % 16 != 7);
        assert_eq!(count(&db, &format!("key-{n}")).await, expected, "change {n}");
    }
    if let (Some(before), Some(after)) = (before, db.group_commit_stats()) {
        let (changes, flushes) = (after.changes - before.changes, after.flushes - before.flushes);
        assert_eq!(changes, 60);
        assert!(flushes < changes, "concurrent changes share flushes: {changes} changes in {flushes} flushes");
    }
});

both_backends!(a_dropped_change_leaves_nothing_and_holds_no_lock, |db: Db, _dir| async move {
    let mut tx = db.begin().await.expect("begin");
    lingshi_storage::tx_run!(&mut tx, |conn| {
        sqlx::query("INSERT INTO rate_events (id, kind, client_key, at) VALUES ('dropped', 'group_test', $1, $2)")
            .bind(b"dropped".as_slice())
            .bind(Utc::now())
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })
    .expect("insert");
    drop(tx);
    // A write outside any transaction (throttling) goes through at once, and a new change too.
    let quick = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        throttle::record_event(&db, "group_test", b"after", Utc::now()),
    );
    quick.await.expect("the write lock was released").expect("event");
    change(&db, "later", false).await.expect("a later change");
    assert_eq!(count(&db, "dropped").await, 0);
    assert_eq!(count(&db, "after").await, 1);
    assert_eq!(count(&db, "later").await, 1);
});

/// PostgreSQL's group commit is its own (`commit_delay`, `commit_siblings`, set for the
/// database or the server); whatever else is configured there, the platform's sessions commit
/// synchronously.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_sessions_commit_synchronously_and_take_the_servers_commit_delay() {
    lingshi_storage::testing::run_on(lingshi_storage::Backend::Postgres, |db: Db, _dir| async move {
        let Db::Postgres(pool) = &db else { panic!("a PostgreSQL database") };
        let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.expect("name");
        for setting in ["synchronous_commit = off", "commit_delay = 200", "commit_siblings = 3"] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ALTER DATABASE {name} SET {setting}")))
                .execute(pool)
                .await
                .expect("alter database");
        }
        let url = lingshi_storage::testing::postgres_url(&name);
        let fresh = Db::connect(&url).await.expect("connect");
        let Db::Postgres(fresh_pool) = &fresh else { panic!("a PostgreSQL database") };
        let show = |setting: &'static str| async move {
            let value: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SHOW {setting}")))
                .fetch_one(fresh_pool)
                .await
                .expect("show");
            value
        };
        assert_eq!(show("synchronous_commit").await, "on", "never off for the platform");
        assert_eq!(show("commit_delay").await, "200");
        assert_eq!(show("commit_siblings").await, "3");
        fresh.close().await;
    })
    .await;
}
