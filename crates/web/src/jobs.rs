//! The job runner: drains the outbox written by services and performs the work against
//! the outside world. Every handler is idempotent enough for at-least-once delivery.

use crate::service::interviews::notices as interviews;
use crate::service::payments::jobs as payments;
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_integrations::mail::{FileAttachment, InlineImage, OutgoingMail};
use lingshi_integrations::sms::{Sms, SmsFailure};
use lingshi_storage::deliveries::{self, Attempt};
use lingshi_storage::jobs::{self, ClaimedJob, Fate};
use serde::{Deserialize, Serialize};

/// Kind of the job that delivers a message (a code, a notice) by mail or SMS.
pub const DELIVER_MESSAGE: &str = "deliver_message";

const LEASE: Duration = Duration::seconds(120);
const BATCH: i64 = 10;
const IDLE_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// A message to deliver; stored encrypted in the job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    /// `email` or `mobile`.
    pub channel: String,
    pub to: String,
    /// How `to` may appear in logs and the development outbox.
    pub masked_to: String,
    pub subject: String,
    pub body: String,
    /// QR codes the mail shows (a payment notice's); a text message has the link alone.
    #[serde(default)]
    pub qr_codes: Vec<QrLink>,
    /// A calendar entry (RFC 5545) the mail carries as `interview.ics`; a text message has
    /// the time in its text alone.
    #[serde(default)]
    pub calendar: Option<String>,
    /// The order the message is about, if any: staff see its delivery there.
    #[serde(default)]
    pub order_id: Option<String>,
}

/// A link shown in a mail as a QR code, under its label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QrLink {
    /// Names the image in the mail: letters, digits and `-`.
    pub id: String,
    pub label: String,
    pub url: String,
}

/// The mail of `message`, its QR codes drawn.
fn mail_of(message: Message) -> Result<OutgoingMail, String> {
    let images = message
        .qr_codes
        .iter()
        .map(|code| {
            let png = crate::qr::png(&code.url).map_err(|e| e.code().to_owned())?;
            Ok(InlineImage { content_id: code.id.clone(), label: code.label.clone(), png })
        })
        .collect::<Result<_, String>>()?;
    let attachments = message
        .calendar
        .map(|ics| FileAttachment {
            filename: "interview.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
            bytes: ics.into_bytes(),
        })
        .into_iter()
        .collect();
    let html = message.order_id.is_some();
    Ok(OutgoingMail { to: message.to, subject: message.subject, body: message.body, images, attachments, html })
}

/// Sends a mail; one about an order is recorded as sent for staff to see on it.
async fn send_mail(state: &AppState, job_id: &str, message: Message) -> Result<(), String> {
    let (order_id, masked) = (message.order_id.clone(), message.masked_to.clone());
    let message_id = state.mailer.send(&mail_of(message)?).await.map_err(|e| e.to_string())?;
    let Some(order_id) = order_id else { return Ok(()) };
    // A bounce names the message by its Message-ID: the part is recorded under it.
    let accepted = [(0, message_id)];
    let attempt = Attempt {
        id: job_id,
        order_id: Some(&order_id),
        channel: "email",
        recipient: &masked,
        parts: 1,
        accepted: &accepted,
        failure: None,
    };
    // The mail is gone: failing the job now would send it again.
    if let Err(error) = deliveries::record_attempt(&state.db, &attempt, Utc::now()).await {
        tracing::error!(job.id = %job_id, error.cause = %error.diagnostic(), "could not record a mail as sent");
    }
    Ok(())
}

/// Sends a text message, skipping the parts an earlier attempt got accepted, and records
/// what became of it. A number the gateway refuses ends the job (undeliverable, shown to
/// staff); a gateway that is down or busy fails it, for the outbox to try again.
async fn send_text(state: &AppState, job_id: &str, message: &Message) -> Result<(), String> {
    let done = deliveries::accepted_parts(&state.db, job_id).await.map_err(|e| e.to_string())?;
    let sms = Sms { key: job_id, to: &message.to, masked: &message.masked_to, body: &message.body, done: &done };
    let report = state.sms.send(&sms).await;
    let accepted: Vec<(usize, String)> =
        report.accepted.iter().map(|sent| (sent.part, sent.message_id.clone())).collect();
    let undeliverable = match &report.failure {
        Some(SmsFailure::Undeliverable(why)) => Some(why.as_str()),
        _ => None,
    };
    let attempt = Attempt {
        id: job_id,
        order_id: message.order_id.as_deref(),
        channel: "mobile",
        recipient: &message.masked_to,
        parts: report.parts,
        accepted: &accepted,
        failure: undeliverable,
    };
    deliveries::record_attempt(&state.db, &attempt, Utc::now()).await.map_err(|e| e.to_string())?;
    match report.failure {
        Some(SmsFailure::Unavailable(why)) => Err(why),
        Some(SmsFailure::Undeliverable(why)) => {
            tracing::warn!(job.id = %job_id, sms.to = %message.masked_to, error.cause = %why, "text message undeliverable");
            Ok(())
        }
        None => Ok(()),
    }
}

async fn handle(state: &AppState, job: &ClaimedJob) -> Result<(), String> {
    match job.kind.as_str() {
        DELIVER_MESSAGE => {
            let message: Message = serde_json::from_value(job.payload.clone()).map_err(|e| e.to_string())?;
            match message.channel.as_str() {
                "email" => send_mail(state, &job.id, message).await,
                "mobile" => send_text(state, &job.id, &message).await,
                other => Err(format!("unknown channel {other}")),
            }
        }
        crate::service::pensions::PUSH => crate::service::pensions::run_push(state, &job.payload).await,
        crate::service::pensions::POLL => crate::service::pensions::run_poll(state, &job.payload).await,
        crate::service::pensions::REMINDER => crate::service::pensions::run_reminder(state, &job.payload).await,
        interviews::NOTICE => interviews::run_notice(state, &job.payload).await,
        interviews::NO_SHOW => crate::service::interviews::booking::run_no_show(state, &job.payload).await,
        payments::CREATE_PAYMENT => payments::run_create(state, &job.payload).await,
        payments::POLL_PAYMENT => payments::run_poll(state, &job.payload).await,
        payments::CLOSE_PAYMENT => payments::run_close(state, &job.payload).await,
        payments::SEND_REFUND => payments::run_send_refund(state, &job.payload).await,
        payments::POLL_REFUND => payments::run_poll_refund(state, &job.payload).await,
        other => Err(format!("no handler for job kind {other}")),
    }
}

/// What follows when a job is given up for good.
async fn gave_up(state: &AppState, job: &ClaimedJob) {
    if matches!(job.kind.as_str(), payments::SEND_REFUND | payments::POLL_REFUND)
        && let Err(error) = payments::refund_gave_up(state, &job.payload).await
    {
        tracing::error!(job.id = %job.id, error.cause = %error, "could not record a refund given up");
    }
    if job.kind == crate::service::pensions::PUSH
        && let Err(error) = crate::service::pensions::push_gave_up(state, &job.payload).await
    {
        tracing::error!(job.id = %job.id, error.cause = %error, "could not record a failed pension push");
    }
}

/// Claims and runs one batch of due jobs. Messages go side by side (a text message waiting
/// for its gateway does not hold up the rest, and the SMPP window fills); the other jobs,
/// which change orders, one after another, as before.
pub async fn run_once(state: &AppState) -> Result<usize, lingshi_storage::StorageError> {
    let now = Utc::now();
    let claimed = jobs::claim(&state.db, &state.vault, LEASE, BATCH, now).await?;
    let (messages, others): (Vec<&ClaimedJob>, Vec<&ClaimedJob>) =
        claimed.iter().partition(|job| job.kind == DELIVER_MESSAGE);
    let sent = futures_util::future::join_all(messages.into_iter().map(|job| run_one(state, job))).await;
    sent.into_iter().collect::<Result<Vec<()>, _>>()?;
    for job in others {
        run_one(state, job).await?;
    }
    Ok(claimed.len())
}

async fn run_one(state: &AppState, job: &ClaimedJob) -> Result<(), lingshi_storage::StorageError> {
    match handle(state, job).await {
        Ok(()) => {
            if !jobs::complete(&state.db, job, Utc::now()).await? {
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, "job finished after its lease went to another runner");
            }
        }
        Err(error) => match jobs::fail(&state.db, job, &error, Utc::now()).await? {
            None => {
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, error.cause = %error, "job failed after its lease went to another runner")
            }
            Some(Fate::RetryAt(at)) => {
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, job.attempts = job.attempts, job.retry_at = %at, error.cause = %error, "job failed; will retry")
            }
            Some(Fate::Dead) => {
                tracing::error!(job.id = %job.id, job.kind = %job.kind, job.attempts = job.attempts, error.cause = %error, "job failed for good; marked dead");
                gave_up(state, job).await;
            }
        },
    }
    Ok(())
}

/// Runs jobs until the node drains: at once when this node enqueues one, otherwise by
/// polling (jobs enqueued by other nodes, retries coming due). Once draining it claims no
/// more and returns when the batch in hand is finished, so no lease is left to lapse.
pub async fn run_forever(state: AppState) {
    let mut draining = state.draining.subscribe();
    while !*draining.borrow_and_update() {
        match run_once(&state).await {
            Ok(count) if count > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::error!(error.cause = %error.diagnostic(), "job runner: storage error"),
        }
        tokio::select! {
            _ = tokio::time::timeout(IDLE_POLL, state.jobs_waiting.notified()) => {}
            _ = draining.changed() => {}
        }
    }
}
