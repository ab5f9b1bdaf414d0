//! Embedded schema migrations, one list per backend, applied in order exactly once.
//!
//! Each migration runs in its own transaction together with its bookkeeping row, so a
//! failed migration leaves nothing half-applied. On PostgreSQL a transaction-scoped
//! advisory lock makes nodes that start together apply each migration once; SQLite's
//! `BEGIN IMMEDIATE` does the same. A migration edited after it was applied is reported.

use crate::db::{Db, Tx};
use crate::error::StorageError;

/// One schema change: its version, a name, and its SQL for each backend.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "orders",
        sqlite: include_str!("../migrations/sqlite/0002_orders.sql"),
        postgres: include_str!("../migrations/postgres/0002_orders.sql"),
    },
    Migration {
        version: 3,
        name: "staff_work",
        sqlite: include_str!("../migrations/sqlite/0003_staff_work.sql"),
        postgres: include_str!("../migrations/postgres/0003_staff_work.sql"),
    },
    Migration {
        version: 4,
        name: "public_services",
        sqlite: include_str!("../migrations/sqlite/0004_public_services.sql"),
        postgres: include_str!("../migrations/postgres/0004_public_services.sql"),
    },
    Migration {
        version: 5,
        name: "pensions",
        sqlite: include_str!("../migrations/sqlite/0005_pensions.sql"),
        postgres: include_str!("../migrations/postgres/0005_pensions.sql"),
    },
    Migration {
        version: 6,
        name: "state_checks",
        sqlite: include_str!("../migrations/sqlite/0006_state_checks.sql"),
        postgres: include_str!("../migrations/postgres/0006_state_checks.sql"),
    },
    Migration {
        version: 7,
        name: "online_payments",
        sqlite: include_str!("../migrations/sqlite/0007_online_payments.sql"),
        postgres: include_str!("../migrations/postgres/0007_online_payments.sql"),
    },
    Migration {
        version: 8,
        name: "interviews",
        sqlite: include_str!("../migrations/sqlite/0008_interviews.sql"),
        postgres: include_str!("../migrations/postgres/0008_interviews.sql"),
    },
    Migration {
        version: 9,
        name: "sealed_check_codes",
        sqlite: include_str!("../migrations/sqlite/0009_sealed_check_codes.sql"),
        postgres: include_str!("../migrations/postgres/0009_sealed_check_codes.sql"),
    },
    Migration {
        version: 10,
        name: "queue_at_scale",
        sqlite: include_str!("../migrations/sqlite/0010_queue_at_scale.sql"),
        postgres: include_str!("../migrations/postgres/0010_queue_at_scale.sql"),
    },
    Migration {
        version: 11,
        name: "name_search_in_order",
        sqlite: include_str!("../migrations/sqlite/0011_name_search_in_order.sql"),
        postgres: include_str!("../migrations/postgres/0011_name_search_in_order.sql"),
    },
    Migration {
        version: 12,
        name: "inbox",
        sqlite: include_str!("../migrations/sqlite/0012_inbox.sql"),
        postgres: include_str!("../migrations/postgres/0012_inbox.sql"),
    },
    Migration {
        version: 13,
        name: "message_deliveries",
        sqlite: include_str!("../migrations/sqlite/0013_message_deliveries.sql"),
        postgres: include_str!("../migrations/postgres/0013_message_deliveries.sql"),
    },
    Migration {
        version: 14,
        name: "notification_settings",
        sqlite: include_str!("../migrations/sqlite/0014_notification_settings.sql"),
        postgres: include_str!("../migrations/postgres/0014_notification_settings.sql"),
    },
    Migration {
        version: 15,
        name: "mail_failing",
        sqlite: include_str!("../migrations/sqlite/0015_mail_failing.sql"),
        postgres: include_str!("../migrations/postgres/0015_mail_failing.sql"),
    },
    Migration {
        version: 16,
        name: "four_eyes",
        sqlite: include_str!("../migrations/sqlite/0016_four_eyes.sql"),
        postgres: include_str!("../migrations/postgres/0016_four_eyes.sql"),
    },
    Migration {
        version: 17,
        name: "claims",
        sqlite: include_str!("../migrations/sqlite/0017_claims.sql"),
        postgres: include_str!("../migrations/postgres/0017_claims.sql"),
    },
    Migration {
        version: 18,
        name: "zone_readings",
        sqlite: include_str!("../migrations/sqlite/0018_zone_readings.sql"),
        postgres: include_str!("../migrations/postgres/0018_zone_readings.sql"),
    },
    Migration {
        version: 19,
        name: "forecast_history",
        sqlite: include_str!("../migrations/sqlite/0019_forecast_history.sql"),
        postgres: include_str!("../migrations/postgres/0019_forecast_history.sql"),
    },
];

const LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
)";

fn checksum(sql: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, sql.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies every migration not yet applied; returns how many ran.
pub async fn run(db: &Db) -> Result<usize, StorageError> {
    let mut applied = 0;
    for migration in MIGRATIONS {
        let mut tx = db.begin().await?;
        tx.take_turns("schema migrations").await?;
        crate::tx_run!(&mut tx, |conn| sqlx::query(LEDGER).execute(conn).await.map(|done| done.rows_affected()))?;
        let recorded: Option<String> = crate::tx_run!(&mut tx, |conn| {
            sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1")
                .bind(migration.version)
                .fetch_optional(conn)
                .await
        })?;
        let sql = match &tx {
            Tx::Sqlite(_) => migration.sqlite,
            Tx::Postgres(_) => migration.postgres,
        };
        match recorded {
            Some(sum) if sum == checksum(sql) => continue,
            Some(_) => return Err(StorageError::MigrationChanged(migration.version)),
            None => {}
        }
        crate::tx_run!(&mut tx, |conn| sqlx::raw_sql(sql).execute(&mut *conn).await.map(|done| done.rows_affected()))?;
        crate::tx_run!(&mut tx, |conn| {
            sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                .bind(migration.version)
                .bind(migration.name)
                .bind(checksum(sql))
                .bind(chrono::Utc::now().to_rfc3339())
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        applied += 1;
        tracing::info!(migration.version = migration.version, migration.name = migration.name, "migration applied");
    }
    Ok(applied)
}

/// The highest migration applied to `db` (0 for a database never migrated).
pub async fn applied_version(db: &Db) -> Result<i64, StorageError> {
    let version: Option<i64> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(pool).await
    })?;
    Ok(version.unwrap_or(0))
}
