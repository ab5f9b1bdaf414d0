//! Four-eyes issuance, per mission and service: which services' orders must be marked ready
//! and handed over by another officer than the one who accepted them
//! ([`lingshi_domain::four_eyes`] says what that forbids).

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};

/// Whether the mission requires four eyes for orders of `service`.
pub async fn required(db: &Db, mission_id: &str, service: &str) -> Result<bool, StorageError> {
    let found: Option<i32> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT 1 FROM four_eyes_services WHERE mission_id = $1 AND service = $2")
            .bind(mission_id)
            .bind(service)
            .fetch_optional(pool)
            .await
    })?;
    Ok(found.is_some())
}

/// The services for which the mission requires four eyes, by code.
pub async fn services(db: &Db, mission_id: &str) -> Result<Vec<String>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT service FROM four_eyes_services WHERE mission_id = $1 ORDER BY service")
            .bind(mission_id)
            .fetch_all(pool)
            .await
    })?)
}

/// Makes `services` the mission's four-eyes services, as set by the officer `by`.
pub async fn set(
    tx: &mut Tx,
    mission_id: &str,
    services: &[&str],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM four_eyes_services WHERE mission_id = $1")
            .bind(mission_id)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    for service in services {
        crate::tx_run!(tx, |conn| {
            sqlx::query("INSERT INTO four_eyes_services (mission_id, service, set_by, set_at) VALUES ($1, $2, $3, $4)")
                .bind(mission_id)
                .bind(service)
                .bind(by)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}
