//! Notifying an applicant: the message goes out by mail or text message through the outbox,
//! and is kept in their 我的消息 in the same transaction, so that what the mission said is
//! there even when the mail or text never arrived.

use crate::jobs::Message;
use crate::service::codes::enqueue;
use crate::state::AppState;
use lingshi_storage::accounts::Account;
use lingshi_storage::{StorageError, Tx};

/// Sends `message` to `account` and keeps it in their inbox (about `order_id`, if any).
pub async fn notify(
    tx: &mut Tx,
    state: &AppState,
    (account, order_id): (&Account, Option<&str>),
    message: &Message,
) -> Result<(), StorageError> {
    let about_order = Message { order_id: order_id.map(str::to_owned), ..message.clone() };
    for copy in crate::service::notify_settings::copies(state, account, &about_order).await? {
        enqueue(tx, state, &copy).await?;
    }
    let now = chrono::Utc::now();
    lingshi_storage::inbox::add(tx, &state.vault, (&account.id, order_id), (&message.subject, &message.body), now)
        .await?;
    Ok(())
}
