//! Who is making the request: applicant and staff sessions, their cookies and the
//! extractors that require them. A session token arrives in an HttpOnly cookie (pages) or
//! an `Authorization: Bearer` header (native apps).

use crate::error::AppError;
use crate::extract::cookie;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use lingshi_storage::accounts::{self, Account};
use lingshi_storage::sessions::{Lifetime, PrincipalKind};
use lingshi_storage::staff::{self, Staff};
use ring::rand::{SecureRandom, SystemRandom};

/// Cookie of an applicant's session.
pub const APPLICANT_COOKIE: &str = "ls_session";
/// Cookie of a staff session, separate so one browser can hold both.
pub const STAFF_COOKIE: &str = "ls_staff";

/// Applicants fill long forms: an hour of inactivity, a week at most.
pub const APPLICANT_LIFETIME: Lifetime = Lifetime { idle: Duration::hours(1), absolute: Duration::days(7) };
/// Staff sessions end sooner.
pub const STAFF_LIFETIME: Lifetime = Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(12) };

/// Which kind of session a cookie belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Applicant,
    Staff,
}

impl SessionKind {
    pub fn cookie_name(self) -> &'static str {
        match self {
            SessionKind::Applicant => APPLICANT_COOKIE,
            SessionKind::Staff => STAFF_COOKIE,
        }
    }

    pub fn lifetime(self) -> Lifetime {
        match self {
            SessionKind::Applicant => APPLICANT_LIFETIME,
            SessionKind::Staff => STAFF_LIFETIME,
        }
    }

    pub fn principal(self) -> PrincipalKind {
        match self {
            SessionKind::Applicant => PrincipalKind::Account,
            SessionKind::Staff => PrincipalKind::Staff,
        }
    }
}

/// A fresh 256-bit session token.
pub fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).map_err(|_| AppError::internal("random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// `Set-Cookie` value that stores `token` (or clears the cookie when `None`).
pub fn session_cookie(kind: SessionKind, token: Option<&str>, secure: bool) -> HeaderValue {
    let max_age = match token {
        Some(_) => kind.lifetime().absolute.num_seconds(),
        None => 0,
    };
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        kind.cookie_name(),
        token.unwrap_or("")
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session token a request presents for `kind`: the bearer token, else the cookie.
pub fn presented_token(headers: &HeaderMap, kind: SessionKind) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|_| kind == SessionKind::Applicant);
    bearer
        .or_else(|| cookie(headers, kind.cookie_name()))
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .map(str::to_owned)
}

/// A signed-in, enabled applicant account.
pub struct CurrentAccount {
    pub account: Account,
    pub token: String,
}

impl FromRequestParts<AppState> for CurrentAccount {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let kind = SessionKind::Applicant;
        let token = presented_token(&parts.headers, kind).ok_or(AppError::Unauthenticated)?;
        let account = accounts::by_session(&state.db, &token, kind.lifetime().idle, Utc::now())
            .await?
            .filter(|a| !a.disabled)
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self { account, token })
    }
}

/// A signed-in applicant if there is one (pages that show more when signed in).
pub struct MaybeAccount(pub Option<Account>);

impl FromRequestParts<AppState> for MaybeAccount {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match CurrentAccount::from_request_parts(parts, state).await {
            Ok(current) => Ok(Self(Some(current.account))),
            Err(AppError::Unauthenticated) => Ok(Self(None)),
            Err(other) => Err(other),
        }
    }
}

/// A signed-in, enabled staff member.
pub struct CurrentStaff {
    pub staff: Staff,
    pub token: String,
}

impl FromRequestParts<AppState> for CurrentStaff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let kind = SessionKind::Staff;
        let token = presented_token(&parts.headers, kind).ok_or(AppError::Unauthenticated)?;
        let staff = staff::by_session(&state.db, &token, kind.lifetime().idle, Utc::now())
            .await?
            .filter(|s| !s.disabled)
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self { staff, token })
    }
}
