//! 通知方式: besides the address they sign in with, an applicant may add a mobile number of any
//! country (confirmed by a code sent to it by text message) and choose whether notices go to
//! the login address, that mobile, or both. Codes always go to the login address; the inbox
//! keeps every notice whatever the choice.

use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::jobs::Message;
use crate::service::codes::{self, Notice};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::phone::PhoneNumber;
use lingshi_domain::{ContactAddress, NotifyVia};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::Account;
use lingshi_storage::codes::Purpose;
use lingshi_storage::notify_settings::{self, NotifySettings};

/// The account's settings.
pub async fn settings(state: &AppState, account: &Account) -> Result<NotifySettings, AppError> {
    Ok(notify_settings::of(&state.db, &state.vault, &account.id).await?)
}

fn mobile(number: &str) -> Result<PhoneNumber, AppError> {
    PhoneNumber::parse_mobile(number, None).map_err(|e| FieldErrors::single("number", e.code()).into())
}

/// Sends a code to `number` (a mobile, with its country code unless mainland) to add it.
pub async fn request_code(
    state: &AppState,
    account: &Account,
    number: &str,
    locale: Locale,
    client: &[u8],
) -> Result<(), AppError> {
    let address = ContactAddress::Notify(mobile(number)?);
    codes::send(state, Purpose::NotifyMobile, Notice::MobileCode, &address, Some(&account.id), locale, client).await
}

/// Adds `number` with the code sent to it. The code was asked for by this account: another
/// account holding it gets `code_unknown`.
pub async fn confirm(state: &AppState, account: &Account, number: &str, code: &str) -> Result<(), AppError> {
    let number = mobile(number)?;
    let address = ContactAddress::Notify(number.clone());
    let mut tx = state.db.begin().await?;
    let checked = codes::check(&mut tx, state, Purpose::NotifyMobile, &address, code).await?;
    let outcome = match checked {
        Ok((asked_by, _)) if asked_by.as_deref() == Some(account.id.as_str()) => {
            let added = (number.e164(), number.masked());
            notify_settings::set_mobile(&mut tx, &state.vault, &account.id, Some((added.0, &added.1)), Utc::now())
                .await?;
            Ok(())
        }
        Ok(_) => Err(FieldErrors::single("code", "code_unknown").into()),
        Err(refused) => Err(refused),
    };
    // Wrong tries count even when the code is refused.
    tx.commit().await?;
    outcome
}

/// Removes the added mobile; notices go to the login address again.
pub async fn remove(state: &AppState, account: &Account) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    notify_settings::set_mobile(&mut tx, &state.vault, &account.id, None, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Chooses where notices go; the mobile must have been added first.
pub async fn choose(state: &AppState, account: &Account, via: &str) -> Result<NotifyVia, AppError> {
    let via = NotifyVia::parse(via).map_err(|e| FieldErrors::single("via", e.code()))?;
    if via.to_mobile() && settings(state, account).await?.mobile.is_none() {
        return Err(FieldErrors::single("via", "notify_mobile_missing").into());
    }
    notify_settings::set_via(&state.db, &account.id, via.code(), Utc::now()).await?;
    Ok(via)
}

/// Whether the applicant should be asked to add a mobile: a bounce said their e-mail login
/// cannot be reached, and notices still go only there.
pub async fn mail_failing_banner(state: &AppState, account: &Account) -> Result<bool, AppError> {
    let settings = settings(state, account).await?;
    let via = NotifyVia::parse(&settings.via).unwrap_or(NotifyVia::Login);
    Ok(settings.mail_failing.is_some() && !via.to_mobile())
}

/// The copies of `message` (written to the login address) the account's settings ask for.
pub async fn copies(state: &AppState, account: &Account, message: &Message) -> Result<Vec<Message>, StorageError> {
    let settings = notify_settings::of(&state.db, &state.vault, &account.id).await?;
    let via = NotifyVia::parse(&settings.via).unwrap_or(NotifyVia::Login);
    let mut copies = Vec::with_capacity(2);
    if via.to_login() || settings.mobile.is_none() {
        copies.push(message.clone());
    }
    if let (true, Some(mobile), Some(masked)) = (via.to_mobile(), settings.mobile, settings.mobile_masked) {
        copies.push(Message {
            channel: "mobile".into(),
            to: mobile,
            masked_to: masked,
            qr_codes: Vec::new(),
            calendar: None,
            ..message.clone()
        });
    }
    Ok(copies)
}
