//! Registration, login, logout and password reset for applicants.

use crate::auth::SessionKind;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Locale;
use crate::service::sign_in::{open_session, sign_in};
use crate::service::{codes, passwords};
use crate::state::AppState;
use chrono::Utc;
use lingshi_domain::{ContactAddress, Password};
use lingshi_storage::StorageError;
use lingshi_storage::accounts::{self, Account};
use lingshi_storage::codes::Purpose;
use lingshi_storage::sessions;

/// A checked address and new password: what registering and resetting a password take.
pub struct AddressAndPassword {
    pub address: ContactAddress,
    pub password: Password,
}

impl AddressAndPassword {
    pub fn parse(address: &str, password: &str) -> Result<Self, FieldErrors> {
        match (ContactAddress::parse(address), Password::parse(password)) {
            (Ok(address), Ok(password)) => Ok(Self { address, password }),
            (a, p) => Err(FieldErrors::collect([("address", a.as_ref().err()), ("password", p.as_ref().err())])),
        }
    }
}

/// Parses the address field alone.
pub fn parse_address(address: &str) -> Result<ContactAddress, FieldErrors> {
    ContactAddress::parse(address).map_err(|e| FieldErrors::collect([("address", Some(&e))]))
}

/// Sends a confirmation code to the address. If the address already has an account, a
/// notice is sent instead; the caller cannot tell which.
pub async fn start_registration(
    state: &AppState,
    registration: AddressAndPassword,
    locale: Locale,
    client: &[u8],
) -> Result<(), AppError> {
    let address = &registration.address;
    if accounts::find_by_login(&state.db, address.as_str()).await?.is_some() {
        return codes::send(state, Purpose::Register, codes::Notice::AlreadyRegistered, address, None, locale, client)
            .await;
    }
    let hash = passwords::hash(registration.password.expose().to_owned()).await?;
    codes::send(state, Purpose::Register, codes::Notice::RegistrationCode, address, Some(&hash), locale, client).await
}

/// Confirms the address with its code, creates the account and signs it in.
pub async fn confirm_registration(
    state: &AppState,
    address: &ContactAddress,
    code: &str,
) -> Result<(Account, String), AppError> {
    let mut tx = state.db.begin().await?;
    let checked = codes::check(&mut tx, state, Purpose::Register, address, code).await?;
    let (pending_secret, locale) = match checked {
        Ok(accepted) => accepted,
        Err(refusal) => {
            tx.commit().await?;
            return Err(refusal);
        }
    };
    let hash = pending_secret.ok_or(AppError::Conflict("already_registered"))?;
    let account = accounts::create(&mut tx, address, &hash, &locale, Utc::now()).await.map_err(|e| match e {
        StorageError::Conflict(_) => AppError::Conflict("already_registered"),
        other => other.into(),
    })?;
    let token = open_session(&mut tx, SessionKind::Applicant, &account.id).await?;
    tx.commit().await?;
    tracing::info!(account.id = %account.id, account.channel = account.login_channel, "account registered");
    Ok((account, token))
}

/// Signs in with address and password.
pub async fn login(
    state: &AppState,
    address: &ContactAddress,
    password: String,
    client: &[u8],
    previous_token: Option<String>,
) -> Result<(Account, String), AppError> {
    let credentials = accounts::credentials(&state.db, address.as_str()).await?;
    let (id, token) =
        sign_in(state, SessionKind::Applicant, address.as_str(), credentials, password, client, previous_token).await?;
    let account = accounts::find(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    Ok((account, token))
}

/// Ends the session with this token.
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    sessions::delete(&mut tx, token).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a reset code if the address has an account; answers the same either way.
pub async fn start_reset(
    state: &AppState,
    address: &ContactAddress,
    locale: Locale,
    client: &[u8],
) -> Result<(), AppError> {
    if accounts::find_by_login(&state.db, address.as_str()).await?.is_none() {
        return Ok(());
    }
    codes::send(state, Purpose::ResetPassword, codes::Notice::ResetCode, address, None, locale, client).await
}

/// Sets a new password with a reset code and ends every session of the account.
pub async fn confirm_reset(state: &AppState, reset: &AddressAndPassword, code: &str) -> Result<(), AppError> {
    let address = &reset.address;
    let hash = passwords::hash(reset.password.expose().to_owned()).await?;
    let mut tx = state.db.begin().await?;
    if let Err(refusal) = codes::check(&mut tx, state, Purpose::ResetPassword, address, code).await? {
        tx.commit().await?;
        return Err(refusal);
    }
    let id = accounts::set_password(&mut tx, address.as_str(), &hash, Utc::now()).await?;
    sessions::delete_all_for(&mut tx, SessionKind::Applicant.principal(), &id).await?;
    tx.commit().await?;
    tracing::info!(account.id = %id, "password reset");
    Ok(())
}
