//! The missions directory: continent → country → mission, each mission's full profile
//! stored as one JSON document beside the columns the picker filters on.

use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::Utc;
use lingshi_domain::mission::Mission;

/// Inserts or replaces a mission's profile.
pub async fn upsert(tx: &mut Tx, mission: &Mission, sort_key: i32) -> Result<(), StorageError> {
    let profile = serde_json::to_string(mission)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO missions (id, continent, country_code, sort_key, profile, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET continent = excluded.continent,
                 country_code = excluded.country_code, sort_key = excluded.sort_key,
                 profile = excluded.profile, updated_at = excluded.updated_at",
        )
        .bind(&mission.id)
        .bind(mission.continent.code())
        .bind(&mission.country_code)
        .bind(sort_key)
        .bind(profile)
        .bind(Utc::now())
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Every mission, ordered by continent, country and the directory's own order.
pub async fn list(db: &Db) -> Result<Vec<Mission>, StorageError> {
    let profiles: Vec<String> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT profile FROM missions ORDER BY continent, country_code, sort_key, id")
            .fetch_all(pool)
            .await
    })?;
    profiles.iter().map(|p| Ok(serde_json::from_str(p)?)).collect()
}

/// One mission by its id, or `None`.
pub async fn find(db: &Db, id: &str) -> Result<Option<Mission>, StorageError> {
    let profile: Option<String> = crate::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT profile FROM missions WHERE id = $1").bind(id).fetch_optional(pool).await
    })?;
    profile.map(|p| serde_json::from_str(&p).map_err(StorageError::from)).transpose()
}
