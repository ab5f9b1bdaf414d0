//! One-time codes: rate-limited issuing, delivery through the outbox, and checking.

use crate::error::seconds;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::jobs::{DELIVER_MESSAGE, Message};
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_domain::ContactAddress;
use lingshi_storage::codes::{self, CodeCheck, NewCode, Purpose};
use lingshi_storage::jobs;
use lingshi_storage::{StorageError, Tx};
use ring::rand::{SecureRandom, SystemRandom};

/// A code is valid this long.
pub const CODE_TTL: Duration = Duration::minutes(10);
/// Wrong tries before a code is dead.
pub const MAX_TRIES: i32 = 5;
/// At most this many codes per address per hour…
const PER_ADDRESS_PER_HOUR: i64 = 5;
/// …at least this long apart…
const MIN_INTERVAL: Duration = Duration::seconds(60);
/// …and at most this many per client per hour.
const PER_CLIENT_PER_HOUR: i64 = 20;

/// A uniformly random six-digit code.
pub fn new_code() -> Result<String, AppError> {
    let random = SystemRandom::new();
    loop {
        let mut bytes = [0u8; 4];
        random.fill(&mut bytes).map_err(|_| AppError::internal("random generator failed"))?;
        let n = u32::from_be_bytes(bytes);
        // Reject the top sliver so that every code is equally likely.
        if n < u32::MAX - u32::MAX % 1_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Refuses a new code when the address or the client has asked too often.
async fn check_rate(
    state: &AppState,
    address: &ContactAddress,
    purpose: Purpose,
    client: &[u8],
) -> Result<(), AppError> {
    let now = Utc::now();
    let counts = codes::issue_counts(&state.db, address.as_str(), purpose, client, now - Duration::hours(1)).await?;
    if let Some(last) = counts.last_for_purpose.filter(|last| now - *last < MIN_INTERVAL) {
        return Err(AppError::TooMany("code_recently_sent", seconds(MIN_INTERVAL - (now - last))));
    }
    if counts.to_address >= PER_ADDRESS_PER_HOUR || counts.to_client >= PER_CLIENT_PER_HOUR {
        return Err(AppError::TooMany("too_many_codes", seconds(Duration::hours(1))));
    }
    Ok(())
}

/// Queues a message to `address` in the caller's transaction.
pub async fn enqueue_message(
    tx: &mut Tx,
    state: &AppState,
    address: &ContactAddress,
    subject: String,
    body: String,
) -> Result<(), StorageError> {
    enqueue(tx, state, &message_to(address, subject, body)).await
}

/// A plain message to `address`, by the channel it is (mail or text message).
pub fn message_to(address: &ContactAddress, subject: String, body: String) -> Message {
    Message {
        channel: address.channel().to_owned(),
        to: address.recipient(),
        masked_to: address.masked(),
        subject,
        body,
        qr_codes: Vec::new(),
        calendar: None,
        order_id: None,
    }
}

/// Puts `message` in the outbox, in the caller's transaction.
pub async fn enqueue(tx: &mut Tx, state: &AppState, message: &Message) -> Result<(), StorageError> {
    let payload = serde_json::to_value(message)?;
    jobs::enqueue(tx, &state.vault, DELIVER_MESSAGE, &payload, jobs::DEFAULT_MAX_ATTEMPTS, Utc::now()).await?;
    Ok(())
}

/// What to tell the address along with the code.
#[derive(Debug, Clone, Copy)]
pub enum Notice {
    /// The code, to confirm a new account.
    RegistrationCode,
    /// The code, to reset the password.
    ResetCode,
    /// No code: this address already has an account. Sent instead of a registration
    /// code so that registering does not reveal which addresses exist.
    AlreadyRegistered,
    /// The code, to add a mobile number for notifications.
    MobileCode,
}

/// Issues a code for `purpose` and queues the message, after checking the rate limits.
pub async fn send(
    state: &AppState,
    purpose: Purpose,
    notice: Notice,
    address: &ContactAddress,
    pending_secret: Option<&str>,
    locale: Locale,
    client: &[u8],
) -> Result<(), AppError> {
    check_rate(state, address, purpose, client).await?;
    let code = new_code()?;
    let catalogs = &state.catalogs;
    let (subject_key, body_key) = match notice {
        Notice::RegistrationCode => ("mail_register_subject", "mail_register_body"),
        Notice::ResetCode => ("mail_reset_subject", "mail_reset_body"),
        Notice::AlreadyRegistered => ("mail_exists_subject", "mail_exists_body"),
        Notice::MobileCode => ("sms_notify_mobile_subject", "sms_notify_mobile_body"),
    };
    let body = catalogs.text(locale, body_key).replace("{code}", &code);
    let mut tx = state.db.begin().await?;
    let new = NewCode {
        purpose,
        address: address.as_str(),
        code: &code,
        pending_secret,
        locale: locale.tag(),
        client_key: client,
        ttl: CODE_TTL,
    };
    codes::issue(&mut tx, &state.vault, new, Utc::now()).await?;
    enqueue_message(&mut tx, state, address, catalogs.text(locale, subject_key).to_owned(), body).await?;
    tx.commit().await?;
    state.jobs_waiting.notify_one();
    Ok(())
}

/// Checks a code in `tx`. Wrong tries are counted even though the check fails, so the
/// caller commits `tx` before returning the error.
pub async fn check(
    tx: &mut Tx,
    state: &AppState,
    purpose: Purpose,
    address: &ContactAddress,
    code: &str,
) -> Result<Result<(Option<String>, String), AppError>, AppError> {
    let outcome = codes::check(tx, &state.vault, purpose, address.as_str(), code.trim(), MAX_TRIES, Utc::now()).await?;
    Ok(match outcome {
        CodeCheck::Accepted { pending_secret, locale } => Ok((pending_secret, locale)),
        CodeCheck::Unknown => Err(FieldErrors::single("code", "code_unknown").into()),
        CodeCheck::Expired => Err(FieldErrors::single("code", "code_expired").into()),
        CodeCheck::Wrong { .. } => Err(FieldErrors::single("code", "code_wrong").into()),
        // The code is spent; a new one may be asked for after the usual interval.
        CodeCheck::TooManyTries => Err(AppError::TooMany("code_too_many_tries", seconds(MIN_INTERVAL))),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = super::new_code().expect("code");
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
