//! Text messages over SMPP 3.4, the protocol SMS gateways and operators speak, through the
//! `rusmpp` codec: one bound transceiver session per node ([`session`]), texts made into
//! GSM 7-bit or UCS-2 parts with concatenation headers ([`compose`]), and delivery receipts
//! read from the SMSC's `deliver_sm` ([`receipt`]) and recorded against each part
//! ([`record_receipts`]).
//!
//! A part is sent once per job: [`SmppSender`] skips the parts an earlier attempt of the same
//! job got accepted (the caller keeps them), resends a part whose link broke before its
//! response (SMPP 3.4 has no idempotency key: a part the SMSC took just before the link broke
//! is the one case that can arrive twice), waits out `ESME_RTHROTTLED`, and reports a refused
//! number as undeliverable so that the outbox does not retry it.

mod compose;
mod config;
pub mod receipt;
mod session;

pub use compose::{ComposeError, parts};
pub use config::{SmppConfig, SmppConfigError};
pub use receipt::{Outcome, Receipt};

use crate::sms::{SentPart, Sms, SmsFailure, SmsReport, SmsSender};
use async_trait::async_trait;
use lingshi_storage::{Db, deliveries};
use session::{SessionHandle, SubmitError};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The receipts a session reads, to be recorded by [`record_receipts`].
pub type Receipts = mpsc::UnboundedReceiver<Receipt>;

/// Sends text messages through the mission's SMSC.
pub struct SmppSender {
    source: String,
    send_timeout: Duration,
    session: SessionHandle,
}

const FIRST_THROTTLE_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_THROTTLE_PAUSE: Duration = Duration::from_secs(2);

impl SmppSender {
    /// Starts the session with the SMSC `config` names; it binds in the background and
    /// keeps binding until it succeeds.
    pub fn start(config: SmppConfig) -> (Self, Receipts) {
        let (receipts, receipts_in) = mpsc::unbounded_channel();
        let sender = Self {
            source: config.source.clone(),
            send_timeout: config.send_timeout,
            session: session::start(config, receipts),
        };
        (sender, receipts_in)
    }

    /// Sends one part until the SMSC accepts or refuses it for good, or the deadline passes.
    async fn send_part(&self, part: &rusmpp::pdus::SubmitSm, deadline: Instant) -> Result<String, SmsFailure> {
        let mut throttle_pause = FIRST_THROTTLE_PAUSE;
        loop {
            match self.session.submit(part.clone(), deadline).await {
                Ok(message_id) => return Ok(message_id),
                Err(SubmitError::Disconnected) if Instant::now() < deadline => {
                    tokio::time::sleep(FIRST_THROTTLE_PAUSE).await;
                }
                Err(SubmitError::Throttled) if Instant::now() + throttle_pause < deadline => {
                    tokio::time::sleep(throttle_pause).await;
                    throttle_pause = (throttle_pause * 2).min(LONGEST_THROTTLE_PAUSE);
                }
                Err(SubmitError::Rejected(status)) => {
                    return Err(SmsFailure::Undeliverable(format!("the gateway refused the number (0x{status:08X})")));
                }
                Err(SubmitError::Failed(status)) => {
                    return Err(SmsFailure::Unavailable(format!("the gateway refused the message (0x{status:08X})")));
                }
                Err(SubmitError::Throttled) => {
                    return Err(SmsFailure::Unavailable("the gateway kept throttling".into()));
                }
                Err(SubmitError::Disconnected | SubmitError::TimedOut) => {
                    return Err(SmsFailure::Unavailable("the gateway cannot be reached".into()));
                }
            }
        }
    }
}

#[async_trait]
impl SmsSender for SmppSender {
    async fn send(&self, sms: &Sms<'_>) -> SmsReport {
        let parts = match compose::parts(&self.source, sms.to, sms.body, reference(sms.key)) {
            Ok(parts) => parts,
            Err(error) => return SmsReport::failed(SmsFailure::Undeliverable(error.to_string())),
        };
        let deadline = Instant::now() + self.send_timeout;
        let mut report = SmsReport { parts: parts.len(), accepted: Vec::new(), failure: None };
        for (index, part) in parts.iter().enumerate().filter(|(index, _)| !sms.done.contains(index)) {
            match self.send_part(part, deadline).await {
                Ok(message_id) => report.accepted.push(SentPart { part: index, message_id }),
                Err(failure) => {
                    report.failure = Some(failure);
                    break;
                }
            }
        }
        report
    }
}

/// The concatenation reference of a message: the same for every attempt of one job, so that
/// parts sent on a retry join those accepted before.
fn reference(key: &str) -> u8 {
    key.bytes().fold(0x811C_9DC5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)) as u8
}

/// Records the receipts the session reads, until the session stops.
pub async fn record_receipts(db: Db, mut receipts: Receipts) {
    while let Some(receipt) = receipts.recv().await {
        if let Err(error) =
            deliveries::record_receipt(&db, &receipt.message_id, receipt.outcome.as_str(), chrono::Utc::now()).await
        {
            tracing::error!(error.cause = %error, "could not record a delivery receipt");
        }
    }
}
