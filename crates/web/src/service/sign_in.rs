//! Signing in with a password, the same for applicants and staff: throttling, a password
//! check that costs the same whether or not the login exists, and a fresh session that
//! replaces the one the browser held (session rotation, so a planted session id is useless).

use crate::auth::{SessionKind, new_token};
use crate::error::seconds;
use crate::error::{AppError, FieldErrors};
use crate::service::passwords;
use crate::state::AppState;
use chrono::{Duration, Utc};
use lingshi_storage::accounts::Credentials;
use lingshi_storage::sessions::{self, Session};
use lingshi_storage::{Tx, throttle};

/// Failed logins allowed per login, and per client, in the window.
const FAILURES_PER_LOGIN: i64 = 5;
const FAILURES_PER_CLIENT: i64 = 30;
const FAILURE_WINDOW: Duration = Duration::minutes(15);

/// Starts a session for `principal_id` in `tx`, returning its token.
pub async fn open_session(tx: &mut Tx, kind: SessionKind, principal_id: &str) -> Result<String, AppError> {
    let token = new_token()?;
    let session = Session { kind: kind.principal(), principal_id: principal_id.to_owned() };
    sessions::create(tx, &token, &session, kind.lifetime(), Utc::now()).await?;
    Ok(token)
}

/// Checks `password` against `credentials` (looked up under `login_key`; `None` when the
/// login does not exist) and opens a session of `kind`. Returns the principal's id and the
/// new session token.
pub async fn sign_in(
    state: &AppState,
    kind: SessionKind,
    login_key: &str,
    credentials: Option<Credentials>,
    password: String,
    client: &[u8],
    previous_token: Option<String>,
) -> Result<(String, String), AppError> {
    let since = Utc::now() - FAILURE_WINDOW;
    let (by_login, by_client) = throttle::recent_failures(&state.db, login_key, client, since).await?;
    if by_login >= FAILURES_PER_LOGIN || by_client >= FAILURES_PER_CLIENT {
        return Err(AppError::TooMany("too_many_attempts", seconds(FAILURE_WINDOW)));
    }
    let matches = passwords::verify(password, credentials.as_ref().map(|c| c.password_hash.clone())).await?;
    let usable = credentials.filter(|c| matches && !c.disabled);
    throttle::record_login(&state.db, login_key, client, usable.is_some(), Utc::now()).await?;
    let credentials = usable.ok_or_else(|| AppError::from(FieldErrors::single("password", "login_failed")))?;
    let mut tx = state.db.begin().await?;
    if let Some(previous) = previous_token {
        sessions::delete(&mut tx, &previous).await?;
    }
    let token = open_session(&mut tx, kind, &credentials.id).await?;
    tx.commit().await?;
    Ok((credentials.id, token))
}
