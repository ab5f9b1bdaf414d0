//! Test support: a fresh, migrated database per test on either backend, so every storage
//! test (and every HTTP test above it) runs on SQLite and on PostgreSQL alike.
//!
//! PostgreSQL is reached at `LINGSHI_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); a missing server fails the test loudly.

use crate::db::{Backend, Db};
use std::future::Future;
use std::path::PathBuf;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A throwaway database and where it lives, removed by [`TestDb::destroy`].
pub struct TestDb {
    pub db: Db,
    /// A scratch directory for this test (SQLite file, blobs, keys).
    pub dir: PathBuf,
    pg_database: Option<String>,
}

fn admin_url() -> String {
    std::env::var("LINGSHI_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// The URL of the test server's database `name` (a test that opens a second pool on it).
pub fn postgres_url(name: &str) -> String {
    database_url(&admin_url(), name)
}

fn database_url(admin: &str, name: &str) -> String {
    match admin.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{admin}/{name}"),
    }
}

/// Creates the empty (unmigrated) database `name` on the test PostgreSQL server, dropping one
/// a crashed run left under that name; returns its URL. Panics when the server cannot be
/// reached: a test that cannot run must fail, not pass.
pub async fn create_postgres_database(name: &str) -> String {
    let admin = sqlx::PgPool::connect(&admin_url())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {} is required for tests: {e}", admin_url()));
    for sql in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
    }
    admin.close().await;
    postgres_url(name)
}

/// Drops the database [`create_postgres_database`] made (quietly: cleanup only).
pub async fn drop_postgres_database(name: &str) {
    if let Ok(admin) = sqlx::PgPool::connect(&admin_url()).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&admin)
            .await;
        admin.close().await;
    }
}

impl TestDb {
    /// Creates an empty, migrated database on `backend`. Panics with a clear message when
    /// the backend cannot be reached: a test that cannot run must fail, not pass.
    pub async fn create(backend: Backend) -> Self {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("lingshi-test-{id}"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let (url, pg_database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}", dir.join("lingshi.db").display()), None),
            Backend::Postgres => {
                let name = format!("lingshi_test_{id}");
                (create_postgres_database(&name).await, Some(name))
            }
        };
        let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("cannot open test database: {e}"));
        crate::migrate::run(&db).await.unwrap_or_else(|e| panic!("migrations failed: {e}"));
        Self { db, dir, pg_database }
    }

    /// Closes the pool and removes the database and scratch directory.
    pub async fn destroy(self) {
        self.db.close().await;
        if let Some(name) = self.pg_database {
            drop_postgres_database(&name).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `test` against a fresh database on `backend`, then removes it.
pub async fn run_on<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Db, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let fresh = TestDb::create(backend).await;
    test(fresh.db.clone(), fresh.dir.clone()).await;
    fresh.destroy().await;
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `both_backends!(name, |db, dir| async move { … });` makes `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $test:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::run_on($crate::Backend::Sqlite, $test).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::run_on($crate::Backend::Postgres, $test).await;
            }
        }
    };
}

/// The test S3 server's endpoint: `LINGSHI_TEST_S3_ENDPOINT`, default SeaweedFS's S3 port on
/// this machine as `scripts/s3.sh` starts it.
const DEFAULT_S3_ENDPOINT: &str = "http://127.0.0.1:8333";
/// The bucket and the identity `scripts/s3.sh` creates on its SeaweedFS.
pub const S3_BUCKET: &str = "lingshi-test";
pub const S3_ACCESS_KEY: &str = "lingshi-test";
pub const S3_SECRET_KEY: &str = "lingshi-test-secret";

/// The `AWS_*` settings that reach the test S3 server.
pub fn s3_settings() -> Vec<(&'static str, String)> {
    let endpoint = std::env::var("LINGSHI_TEST_S3_ENDPOINT").unwrap_or_else(|_| DEFAULT_S3_ENDPOINT.to_owned());
    vec![
        ("AWS_ENDPOINT", endpoint),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", S3_ACCESS_KEY.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", S3_SECRET_KEY.to_owned()),
        ("AWS_ALLOW_HTTP", "true".to_owned()),
    ]
}

/// A blob store under a fresh prefix of the test S3 server's bucket. Panics when the server
/// cannot be reached: a test that cannot run must fail, not pass.
pub async fn s3_blob_store() -> crate::blobs::BlobStore {
    let url = format!("s3://{S3_BUCKET}/run-{}", uuid::Uuid::new_v4().simple());
    crate::blobs::BlobStore::open_url(&url, s3_settings()).await.unwrap_or_else(|e| {
        panic!("an S3 server is required for tests (scripts/s3.sh start; LINGSHI_TEST_S3_ENDPOINT): {e}")
    })
}

/// Declares a test that runs once on a local blob store and once on the test S3 server:
/// `both_blob_stores!(name, |store| async move { … });` makes `name::local` and `name::s3`.
#[macro_export]
macro_rules! both_blob_stores {
    ($name:ident, $test:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() {
                let dir = std::env::temp_dir().join(format!("lingshi-blobs-{}", uuid::Uuid::new_v4().simple()));
                let store = $crate::blobs::BlobStore::open(&dir).expect("open");
                ($test)(store).await;
                let _ = std::fs::remove_dir_all(&dir);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                ($test)($crate::testing::s3_blob_store().await).await;
            }
        }
    };
}
