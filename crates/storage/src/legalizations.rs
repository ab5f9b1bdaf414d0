//! Registered legalizations. The check code is sealed under the master key, bound to its
//! certificate number: a leaked table does not let anyone pass a check, and a key rotation
//! carries it over. Rows registered before codes were sealed keep a keyed hash.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, Utc};
use lingshi_domain::legalization::{CheckCode, Legalization};

/// The encryption context prefix of a check code: the certificate number completes it.
pub(crate) const CHECK_CODE_PREFIX: &str = "legalizations.check_code";

/// A registered legalization as the public check shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Registered {
    pub certificate_no: String,
    pub mission_id: String,
    pub document_type: String,
    pub issued_on: NaiveDate,
    #[serde(rename = "holder")]
    pub holder_masked: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    certificate_no: String,
    mission_id: String,
    check_code: Option<Vec<u8>>,
    check_code_hash: Option<Vec<u8>>,
    document_type: String,
    issued_on: NaiveDate,
    holder_masked: String,
}

fn code_key(certificate_no: &str, code: &str) -> String {
    format!("{certificate_no}:{code}")
}

/// Registers one legalization; [`StorageError::Conflict`] if the number is already registered.
pub async fn register(
    tx: &mut Tx,
    vault: &Vault,
    mission_id: &str,
    legalization: &Legalization,
    staff_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let number = legalization.certificate_no.as_str();
    let sealed =
        vault.encrypt_str(&crate::crypto::row_field(CHECK_CODE_PREFIX, number), legalization.check_code.as_str())?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO legalizations (certificate_no, mission_id, check_code, document_type, issued_on,
                 holder_masked, staff_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(number)
        .bind(mission_id)
        .bind(sealed)
        .bind(&legalization.document_type)
        .bind(legalization.issued_on)
        .bind(&legalization.holder_masked)
        .bind(staff_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })
    .map_err(|e| StorageError::on_unique(e, "legalizations.certificate_no"))?;
    Ok(())
}

/// The legalization with this number if the check code matches; `None` for a wrong number
/// and for a wrong code alike, after the same work.
pub async fn check(
    db: &Db,
    vault: &Vault,
    certificate_no: &str,
    code: &CheckCode,
) -> Result<Option<Registered>, StorageError> {
    let row: Option<Row> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT certificate_no, mission_id, check_code, check_code_hash, document_type, issued_on, holder_masked
             FROM legalizations WHERE certificate_no = $1",
        )
        .bind(certificate_no)
        .fetch_optional(pool)
        .await
    })?;
    let key = code_key(certificate_no, code.as_str());
    // Compare (in constant time, as keyed hashes) even without a row, so both misses cost the same.
    let stored = match row.as_ref().map(|r| (&r.check_code, &r.check_code_hash)) {
        Some((Some(sealed), _)) => {
            let kept = vault.decrypt_string(&crate::crypto::row_field(CHECK_CODE_PREFIX, certificate_no), sealed)?;
            vault.blind_index(CHECK_CODE_PREFIX, &code_key(certificate_no, &kept))
        }
        Some((None, Some(hash))) => hash.clone(),
        _ => Vec::new(),
    };
    let matches = vault.matches_blind_index(CHECK_CODE_PREFIX, &key, &stored);
    Ok(row.filter(|_| matches).map(|r| Registered {
        certificate_no: r.certificate_no,
        mission_id: r.mission_id,
        document_type: r.document_type,
        issued_on: r.issued_on,
        holder_masked: r.holder_masked,
    }))
}

/// The mission's registered legalizations, newest first.
pub async fn list(db: &Db, mission_id: &str, limit: i64) -> Result<Vec<Registered>, StorageError> {
    Ok(crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT certificate_no, mission_id, document_type, issued_on, holder_masked FROM legalizations
             WHERE mission_id = $1 ORDER BY created_at DESC, certificate_no LIMIT $2",
        )
        .bind(mission_id)
        .bind(limit)
        .fetch_all(pool)
        .await
    })?)
}
