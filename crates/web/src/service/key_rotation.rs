//! Rotating the master key: everything sealed under the old key — every sealed column, the
//! audit log's reasons, every file — sealed again under the new one, and the keyed indexes
//! staff and sign-up search by computed again. Each step skips what is already done, so an
//! interrupted rotation is finished by running it again with the same two keys. The platform
//! is stopped meanwhile (`lingshi serve` refuses to start while a rotation is unfinished).

use crate::service::{identity, order_files, orders};
use chrono::Utc;
use lingshi_domain::application_form::Form;
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::rekey::{self, OrderIndexes, Progress};
use lingshi_storage::{Db, KeyChange, StorageError};

/// What one run of the rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rotated {
    /// Values sealed again in database columns (document numbers and forms included).
    pub values: u64,
    /// Audit rows re-linked after their reasons were sealed again.
    pub audit_rows: usize,
    pub files: u64,
    /// Files neither key opens (left as they are).
    pub unreadable_files: u64,
    /// One-time codes and rate-limit windows deleted.
    pub forgotten: u64,
    /// Legalizations whose check code is a keyed hash, uncheckable after the rotation.
    pub hashed_check_codes: i64,
}

fn order_indexes(form: serde_json::Value, vault: &lingshi_storage::Vault) -> Result<OrderIndexes, StorageError> {
    let form: Form = serde_json::from_value(form)?;
    Ok(form.details.map(|details| orders::applicant_indexes(&details, vault)).unwrap_or_default())
}

/// Runs every step of the rotation, `batch` rows per transaction.
pub async fn rotate(
    db: &Db,
    blobs: &BlobStore,
    keys: KeyChange<'_>,
    batch: i64,
    progress: Progress<'_>,
) -> Result<Rotated, StorageError> {
    let mut rotated =
        Rotated { values: rekey::reseal_identities(db, keys, batch, progress).await?, ..Rotated::default() };
    rotated.values += rekey::reseal_orders(db, keys, batch, &order_indexes, progress).await?;
    rotated.values += rekey::reseal_columns(db, keys, batch, progress).await?;
    rotated.audit_rows = lingshi_storage::audit::reseal_chain(db, keys, Utc::now()).await?;
    let kinds = [order_files::BLOB_KIND, identity::CAPTURE_KIND];
    (rotated.files, rotated.unreadable_files) =
        blobs.reseal_all(keys, &kinds, &mut |done| progress("files", done)).await?;
    rotated.forgotten = rekey::forget_unkeyable(db).await?;
    rotated.hashed_check_codes = rekey::hashed_check_codes(db).await?;
    Ok(rotated)
}
