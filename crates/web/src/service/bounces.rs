//! Bounces: a delivery status report that reaches the inbound mail server marks each failed
//! address's account (the applicant is asked to add a mobile for notices; staff see it on
//! their orders) and the notice it returned undeliverable (通知送达 on the order).

use crate::state::AppState;
use chrono::Utc;
use lingshi_integrations::bounce::Bounce;
use lingshi_storage::{StorageError, deliveries, notify_settings};

/// The status recorded when a report gives none.
const UNSPECIFIED_FAILURE: &str = "5.0.0";

pub async fn record(state: &AppState, bounce: &Bounce) -> Result<(), StorageError> {
    let now = Utc::now();
    let mut accounts = 0;
    for failed in &bounce.failed {
        let status = if failed.status.is_empty() { UNSPECIFIED_FAILURE } else { failed.status.as_str() };
        if notify_settings::mark_mail_failing(&state.db, &failed.address, status, now).await? {
            accounts += 1;
        }
    }
    if let Some(message_id) = &bounce.message_id {
        deliveries::record_receipt(&state.db, message_id, "undeliverable", now).await?;
    }
    tracing::warn!(bounce.recipients = bounce.failed.len(), bounce.accounts = accounts, "a delivery report came back");
    Ok(())
}
