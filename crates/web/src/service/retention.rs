//! The retention policy, carried out: the biometric captures of a closed order (its face
//! capture, the interview's snapshots) are deleted [`RetentionPolicy::biometric`] after it
//! closed, every other file of it after its mission's `material_retention_days`, and then the
//! whole record of the order if its applicant erased their account (GDPR article 17: kept for
//! the mission's legal period only). Each
//! order's deletions are one transaction with a line on its timeline and an audit row; the
//! blobs go after the commit (a crash between leaves an unnamed blob, never a record
//! naming a missing file). The job runs every hour on every node; two nodes sweeping at
//! once delete each record once.

use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use lingshi_domain::order::OrderState;
use lingshi_storage::StorageError;
use lingshi_storage::audit::{AuditActor, AuditEntry};
use lingshi_storage::retention::{self, DueFile, Kind};
use std::collections::BTreeMap;

/// How long biometric captures outlive their order.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    pub biometric: Duration,
}

/// Files deleted per query, so one sweep never holds much in memory.
const BATCH: i64 = 200;

/// What one sweep deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub files: usize,
    pub orders: usize,
    /// Whole order records deleted (erased accounts' orders past the records period).
    pub records: usize,
}

/// Deletes every file due at `now`, mission by mission.
pub async fn sweep(state: &AppState, policy: RetentionPolicy, now: DateTime<Utc>) -> Result<Swept, StorageError> {
    let mut swept = Swept::default();
    for mission in state.directory.list(&state.db).await?.iter() {
        let material = Duration::days(i64::from(mission.material_retention_days));
        for (kind, kept_for) in [(Kind::Biometric, policy.biometric), (Kind::Material, material)] {
            loop {
                let due = retention::due_files(&state.db, &mission.id, kind, now - kept_for, BATCH).await?;
                if due.is_empty() {
                    break;
                }
                let mut by_order: BTreeMap<String, Vec<DueFile>> = BTreeMap::new();
                for file in due {
                    by_order.entry(file.order_id.clone()).or_default().push(file);
                }
                for (order_id, files) in by_order {
                    swept.files += delete_files(state, &mission.id, kind, &order_id, &files, now).await?;
                    swept.orders += 1;
                }
            }
        }
        loop {
            let due = retention::due_erased_orders(&state.db, &mission.id, now - material, BATCH).await?;
            if due.is_empty() {
                break;
            }
            for (order_id, order_state) in due {
                delete_record(state, &mission.id, &order_id, &order_state, now).await?;
                swept.records += 1;
            }
        }
    }
    Ok(swept)
}

/// Deletes the whole record of a closed order whose applicant erased their account, with an
/// audit row (which names no one), then the blobs no record names any more.
async fn delete_record(
    state: &AppState,
    mission_id: &str,
    order_id: &str,
    order_state: &str,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let mut tx = state.db.begin().await?;
    let unnamed = retention::delete_order_record(&mut tx, order_id).await?;
    let system = AuditActor { kind: "system", id: "retention".into(), role: None };
    let entry = AuditEntry {
        mission_id: Some(mission_id),
        actor: &system,
        action: "retention_record_deleted",
        order_id: Some(order_id),
        before_state: Some(order_state),
        after_state: None,
        reason: Some("the applicant erased their account; the records period is over"),
    };
    lingshi_storage::audit::append(&mut tx, &state.vault, &entry, now).await?;
    tx.commit().await?;
    for key in unnamed {
        state.blobs.delete(&key).await?;
    }
    Ok(())
}

/// Deletes `files` of one closed order: records, timeline line and audit row together, then
/// the blobs no record names any more. Returns how many records were deleted.
async fn delete_files(
    state: &AppState,
    mission_id: &str,
    kind: Kind,
    order_id: &str,
    files: &[DueFile],
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let order_state =
        files.first().and_then(|f| OrderState::from_code(&f.state)).ok_or(StorageError::Corrupt("orders.state"))?;
    let mut tx = state.db.begin().await?;
    let mut unnamed = Vec::new();
    for file in files {
        if !retention::forget_file(&mut tx, &file.id, &file.blob_key).await? {
            unnamed.push(file.blob_key.as_str());
        }
    }
    let (event, what) = match kind {
        Kind::Biometric => ("retention_biometrics_deleted", "face capture and interview snapshots"),
        Kind::Material => ("retention_materials_deleted", "photo, signature and materials"),
    };
    lingshi_storage::orders::add_event(&mut tx, &state.vault, order_id, order_state, event, None, now).await?;
    let reason = format!("{} files: {what}", files.len());
    let system = AuditActor { kind: "system", id: "retention".into(), role: None };
    let entry = AuditEntry {
        mission_id: Some(mission_id),
        actor: &system,
        action: event,
        order_id: Some(order_id),
        before_state: Some(order_state.code()),
        after_state: Some(order_state.code()),
        reason: Some(&reason),
    };
    lingshi_storage::audit::append(&mut tx, &state.vault, &entry, now).await?;
    tx.commit().await?;
    for key in unnamed {
        state.blobs.delete(key).await?;
    }
    Ok(files.len())
}

/// Sweeps every hour, for as long as the node runs.
pub async fn run_forever(state: AppState, policy: RetentionPolicy) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match sweep(&state, policy, Utc::now()).await {
            Ok(swept) if swept.files > 0 || swept.records > 0 => {
                tracing::info!(
                    files = swept.files,
                    orders = swept.orders,
                    records = swept.records,
                    "retention: files and records deleted"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::error!(error.cause = %error.diagnostic(), "retention sweep failed"),
        }
    }
}
