//! Text messages. No gateway is configured in the embedded default, so messages go to the
//! development outbox (a table staff can read in the console) and the server log, both
//! labelled as a development sink. A gateway adapter implements [`SmsSender`].

use async_trait::async_trait;
use lingshi_storage::{Db, dev_outbox};

/// Why a text message was not sent.
#[derive(Debug, thiserror::Error)]
#[error("the text message could not be sent: {0}")]
pub struct SmsError(pub String);

/// Sends a text message to a mainland mobile number.
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// `masked` is the recipient as it may appear in logs (`138****8000`).
    async fn send(&self, mobile: &str, masked: &str, body: &str) -> Result<(), SmsError>;
}

/// The development sink.
pub struct DevSmsOutbox {
    db: Db,
}

impl DevSmsOutbox {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SmsSender for DevSmsOutbox {
    async fn send(&self, _mobile: &str, masked: &str, body: &str) -> Result<(), SmsError> {
        dev_outbox::add(&self.db, "sms", masked, body, chrono::Utc::now())
            .await
            .map_err(|e| SmsError(e.to_string()))?;
        tracing::warn!(
            sms.to = masked,
            sms.body = body,
            "DEVELOPMENT SMS SINK: no gateway configured, message not sent"
        );
        Ok(())
    }
}
