//! Deleting one's own account (GDPR article 17), confirmed with the password: drafts and the
//! account's personal data go ([`lingshi_storage::erasure`]), every session ends, an audit
//! row says what was done; submitted orders stay with the mission for its legal period.

use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use chrono::Utc;
use lingshi_storage::accounts::{self, Account};
use lingshi_storage::audit::{AuditActor, AuditEntry};
use lingshi_storage::erasure::{self, Erased};
use lingshi_storage::sessions::{self, PrincipalKind};

/// Erases `account` if `password` is its password; nothing changes otherwise.
pub async fn erase(state: &AppState, account: &Account, password: String) -> Result<Erased, AppError> {
    let stored = accounts::credentials(&state.db, &account.login).await?.map(|c| c.password_hash);
    if !crate::service::passwords::verify(password, stored).await? {
        return Err(AppError::Invalid(FieldErrors::single("password", "password_not_confirmed")));
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let erased = erasure::erase_account(&mut tx, &account.id, now).await?;
    sessions::delete_all_for(&mut tx, PrincipalKind::Account, &account.id).await?;
    let reason =
        format!("{} unsubmitted orders deleted, {} submitted orders kept", erased.drafts, erased.submitted_kept);
    let actor = AuditActor { kind: "applicant", id: account.id.clone(), role: None };
    let entry = AuditEntry {
        mission_id: None,
        actor: &actor,
        action: "account_erased",
        order_id: None,
        before_state: None,
        after_state: None,
        reason: Some(&reason),
    };
    lingshi_storage::audit::append(&mut tx, &state.vault, &entry, now).await?;
    tx.commit().await?;
    for key in &erased.unnamed_blobs {
        state.blobs.delete(key).await?;
    }
    Ok(erased)
}
