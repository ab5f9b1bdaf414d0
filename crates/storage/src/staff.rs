//! Staff accounts: consular officers of one mission, or system administrators.

use crate::accounts::Credentials;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::order::StaffRole;

/// A staff member as the application sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub mission_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub disabled: bool,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct StaffRow {
    id: String,
    mission_id: Option<String>,
    username: String,
    display_name: String,
    role: String,
    disabled: bool,
}

impl StaffRow {
    fn into_staff(self) -> Option<Staff> {
        Some(Staff {
            role: StaffRole::from_code(&self.role)?,
            id: self.id,
            mission_id: self.mission_id,
            username: self.username,
            display_name: self.display_name,
            disabled: self.disabled,
        })
    }
}

/// A staff member to create.
pub struct NewStaff<'a> {
    pub mission_id: Option<&'a str>,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: StaffRole,
    pub password_hash: &'a str,
}

pub async fn create(tx: &mut Tx, new: &NewStaff<'_>, now: DateTime<Utc>) -> Result<Staff, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO staff (id, mission_id, username, display_name, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(new.mission_id)
        .bind(new.username)
        .bind(new.display_name)
        .bind(new.role.code())
        .bind(new.password_hash)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "staff.username"))?;
    Ok(Staff {
        id,
        mission_id: new.mission_id.map(str::to_owned),
        username: new.username.to_owned(),
        display_name: new.display_name.to_owned(),
        role: new.role,
        disabled: false,
    })
}

const COLUMNS_BY_ID: &str = "SELECT id, mission_id, username, display_name, role, disabled FROM staff WHERE id = $1";

pub async fn find(db: &Db, id: &str) -> Result<Option<Staff>, StorageError> {
    let row: Option<StaffRow> =
        crate::db_run!(db, |pool| sqlx::query_as(COLUMNS_BY_ID).bind(id).fetch_optional(pool).await)?;
    Ok(row.and_then(StaffRow::into_staff))
}

/// The staff member signed in with `token`, if their session is live (sliding it as
/// [`crate::sessions::touch`] does), in one query.
pub async fn by_session(
    db: &Db,
    token: &str,
    idle: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Option<Staff>, StorageError> {
    const SQL: &str = crate::sessions::live_session!(
        "p.id, p.mission_id, p.username, p.display_name, p.role, p.disabled",
        "JOIN staff p ON p.id = s.principal_id AND s.principal_kind = 'staff'"
    );
    Ok(crate::sessions::touch_row::<StaffRow>(db, SQL, token, idle, now).await?.and_then(StaffRow::into_staff))
}

/// The id, password hash and state of a username, for login.
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as("SELECT id, password_hash, disabled FROM staff WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await
    })?)
}

/// Disables or re-enables a staff member by username; returns their id.
pub async fn set_disabled(tx: &mut Tx, username: &str, disabled: bool) -> Result<String, StorageError> {
    let id: Option<String> = crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("UPDATE staff SET disabled = $1 WHERE username = $2 RETURNING id")
            .bind(disabled)
            .bind(username)
            .fetch_optional(conn)
            .await
    })?;
    id.ok_or(StorageError::NotFound)
}

/// Every staff member, by mission then username.
pub async fn list(db: &Db) -> Result<Vec<Staff>, StorageError> {
    let rows: Vec<StaffRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, mission_id, username, display_name, role, disabled FROM staff ORDER BY mission_id, username",
        )
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().filter_map(StaffRow::into_staff).collect())
}
