//! Text messages, through an [`SmsSender`]: [`crate::smpp::SmppSender`] when the mission's
//! gateway is configured, otherwise the development outbox (a table staff can read in the
//! console) and the server log, both labelled as a development sink.

use async_trait::async_trait;
use lingshi_storage::{Db, dev_outbox};

/// One text message to send.
#[derive(Debug, Clone, Copy)]
pub struct Sms<'a> {
    /// Names the message across attempts (the outbox job's id).
    pub key: &'a str,
    /// The number, international (`+32470123456`, or a mainland mobile's 11 digits).
    pub to: &'a str,
    /// The recipient as it may appear in logs (`138****8000`).
    pub masked: &'a str,
    pub body: &'a str,
    /// Parts an earlier attempt got accepted: they are not sent again.
    pub done: &'a [usize],
}

/// A part the gateway accepted, under the id its receipts will name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentPart {
    pub part: usize,
    pub message_id: String,
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsFailure {
    /// The number cannot receive it: sending again will not help.
    #[error("undeliverable: {0}")]
    Undeliverable(String),
    /// The gateway is down, busy or failing: the outbox tries again later.
    #[error("gateway unavailable: {0}")]
    Unavailable(String),
}

/// What became of a message: how many parts it has, those accepted in this attempt, and why
/// the rest were not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsReport {
    pub parts: usize,
    pub accepted: Vec<SentPart>,
    pub failure: Option<SmsFailure>,
}

impl SmsReport {
    pub fn failed(failure: SmsFailure) -> Self {
        Self { parts: 0, accepted: Vec::new(), failure: Some(failure) }
    }
}

/// Sends text messages.
#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, sms: &Sms<'_>) -> SmsReport;
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
    async fn send(&self, sms: &Sms<'_>) -> SmsReport {
        if sms.done.contains(&0) {
            return SmsReport { parts: 1, accepted: Vec::new(), failure: None };
        }
        if let Err(error) = dev_outbox::add(&self.db, "sms", sms.masked, sms.body, chrono::Utc::now()).await {
            return SmsReport::failed(SmsFailure::Unavailable(error.to_string()));
        }
        tracing::warn!(
            sms.to = sms.masked,
            sms.body = sms.body,
            "DEVELOPMENT SMS SINK: no gateway configured, message not sent"
        );
        SmsReport {
            parts: 1,
            accepted: vec![SentPart { part: 0, message_id: format!("dev-{}", sms.key) }],
            failure: None,
        }
    }
}
