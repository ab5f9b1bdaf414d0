//! Pension-eligibility certifications. The form (names, ID and social-security numbers,
//! address) and the department's reason are sealed with the certification's id as context.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, Utc};
use lingshi_domain::pension::{PensionForm, PensionStatus};

/// A certification with its form unsealed.
#[derive(Debug, Clone)]
pub struct Pension {
    pub id: String,
    /// What the department and the applicant quote.
    pub reference: String,
    pub account_id: String,
    pub mission_id: String,
    pub region: String,
    pub form: PensionForm,
    pub status: PensionStatus,
    pub face_state: Option<String>,
    pub receipt: Option<String>,
    pub reason: Option<String>,
    pub version: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    reference: String,
    account_id: String,
    mission_id: String,
    region: String,
    form: Vec<u8>,
    status: String,
    face_state: Option<String>,
    receipt: Option<String>,
    reason: Option<Vec<u8>>,
    version: i32,
    submitted_at: Option<DateTime<Utc>>,
    decided_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

macro_rules! select_pensions {
    ($rest:literal) => {
        concat!(
            "SELECT id, reference, account_id, mission_id, region, form, status, face_state, receipt, reason, version,
                 submitted_at, decided_at, updated_at FROM pensions ",
            $rest
        )
    };
}

pub(crate) const FORM_PREFIX: &str = "pensions.form";
pub(crate) const REASON_PREFIX: &str = "pensions.reason";

fn form_field(id: &str) -> String {
    crate::crypto::row_field(FORM_PREFIX, id)
}

fn reason_field(id: &str) -> String {
    crate::crypto::row_field(REASON_PREFIX, id)
}

impl Row {
    fn open(self, vault: &Vault) -> Result<Pension, StorageError> {
        let form = serde_json::from_slice(&vault.decrypt(&form_field(&self.id), &self.form)?)?;
        let reason = self.reason.map(|r| vault.decrypt_string(&reason_field(&self.id), &r)).transpose()?;
        Ok(Pension {
            status: PensionStatus::from_code(&self.status).ok_or(StorageError::Corrupt("pensions.status"))?,
            id: self.id,
            reference: self.reference,
            account_id: self.account_id,
            mission_id: self.mission_id,
            region: self.region,
            form,
            face_state: self.face_state,
            receipt: self.receipt,
            reason,
            version: self.version,
            submitted_at: self.submitted_at,
            decided_at: self.decided_at,
            updated_at: self.updated_at,
        })
    }
}

/// Creates a draft certification; returns its id.
pub async fn create(
    tx: &mut Tx,
    vault: &Vault,
    (reference, account_id, mission_id): (&str, &str, &str),
    form: &PensionForm,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    let sealed = vault.encrypt(&form_field(&id), &serde_json::to_vec(form)?)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO pensions (id, reference, account_id, mission_id, region, form, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(reference)
        .bind(account_id)
        .bind(mission_id)
        .bind(&form.region)
        .bind(sealed)
        .bind(PensionStatus::Draft.code())
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "pensions.reference"))?;
    Ok(id)
}

/// Saves status, face, receipt, reason and times if the version is still `pension.version`.
pub async fn save(tx: &mut Tx, vault: &Vault, pension: &Pension, now: DateTime<Utc>) -> Result<(), StorageError> {
    let reason = pension.reason.as_deref().map(|r| vault.encrypt_str(&reason_field(&pension.id), r)).transpose()?;
    let updated = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE pensions SET status = $1, face_state = $2, receipt = $3, reason = $4, submitted_at = $5,
                 decided_at = $6, updated_at = $7, version = version + 1
             WHERE id = $8 AND version = $9",
        )
        .bind(pension.status.code())
        .bind(&pension.face_state)
        .bind(&pension.receipt)
        .bind(reason)
        .bind(pension.submitted_at)
        .bind(pension.decided_at)
        .bind(now)
        .bind(&pension.id)
        .bind(pension.version)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    if updated == 1 { Ok(()) } else { Err(StorageError::Conflict("pensions.version")) }
}

pub async fn find(db: &Db, vault: &Vault, id: &str) -> Result<Option<Pension>, StorageError> {
    let row: Option<Row> = crate::db_run!(db, |pool| sqlx::query_as(select_pensions!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    row.map(|r| r.open(vault)).transpose()
}

pub async fn find_by_reference(db: &Db, vault: &Vault, reference: &str) -> Result<Option<Pension>, StorageError> {
    let row: Option<Row> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_pensions!("WHERE reference = $1")).bind(reference).fetch_optional(pool).await
    })?;
    row.map(|r| r.open(vault)).transpose()
}

/// The account's certifications, newest first.
pub async fn for_account(db: &Db, vault: &Vault, account_id: &str) -> Result<Vec<Pension>, StorageError> {
    let rows: Vec<Row> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_pensions!("WHERE account_id = $1 ORDER BY updated_at DESC, id LIMIT 100"))
            .bind(account_id)
            .fetch_all(pool)
            .await
    })?;
    rows.into_iter().map(|r| r.open(vault)).collect()
}

/// The mission's submitted certifications, newest first.
pub async fn for_mission(db: &Db, vault: &Vault, mission_id: &str) -> Result<Vec<Pension>, StorageError> {
    let rows: Vec<Row> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_pensions!(
            "WHERE mission_id = $1 AND status <> 'draft' ORDER BY submitted_at DESC, id LIMIT 200"
        ))
        .bind(mission_id)
        .fetch_all(pool)
        .await
    })?;
    rows.into_iter().map(|r| r.open(vault)).collect()
}
