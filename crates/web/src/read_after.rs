//! Reads that may go to a replica (`DATABASE_READ_URL`), and read-your-writes across it.
//!
//! The staff queue, its counts and the dashboard tolerate a replica's lag; an applicant's own
//! orders and everything that decides a change are always read from the primary. So that an
//! officer who has just acted sees the result in the queue, the answer to every successful
//! change carries the primary's WAL position after it: as the cookie `ls_read_after` for
//! browsers, and as the header `Lingshi-Read-After`, which API clients send back as a request
//! header. A lag-tolerant read goes to the replica only when the replica has replayed past the
//! position the request brings, else to the primary.

use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use lingshi_storage::Db;
use lingshi_storage::replica::{Replica, write_position};
use std::sync::Arc;
use std::time::Duration;

pub const COOKIE: &str = "ls_read_after";
pub const HEADER: &str = "lingshi-read-after";
/// How often a node polls what its replica has replayed.
const POLL: Duration = Duration::from_millis(50);
/// How long the browser keeps the position: far longer than any replica should lag.
const COOKIE_MAX_AGE_SECONDS: u32 = 600;

/// The WAL position the client's last change reached (0 when it brought none).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadAfter(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ReadAfter {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let from_header = parts.headers.get(HEADER).and_then(|v| v.to_str().ok());
        let brought = from_header.or_else(|| crate::extract::cookie(&parts.headers, COOKIE));
        Ok(Self(brought.and_then(|text| text.trim().parse().ok()).unwrap_or(0).max(0)))
    }
}

impl AppState {
    /// The database a lag-tolerant read goes to: the replica, when one is configured and has
    /// replayed past `after`; otherwise the primary.
    pub fn lag_tolerant(&self, after: ReadAfter) -> &Db {
        match &self.replica {
            Some(replica) if replica.has_replayed(after.0) => replica.db(),
            _ => &self.db,
        }
    }
}

/// Middleware: stamps the answer to each successful change with the position it reached
/// (only when a replica is configured: otherwise every read is from the primary anyway).
pub async fn stamp_changes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut response = next.run(request).await;
    if !changes || state.replica.is_none() || response.status().is_client_error() || response.status().is_server_error()
    {
        return response;
    }
    let position = match write_position(&state.db).await {
        Ok(Some(position)) => position,
        Ok(None) => return response,
        Err(error) => {
            tracing::warn!(error.cause = %error.diagnostic(), "the write position could not be read");
            return response;
        }
    };
    let secure = if state.settings.secure_cookies { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={position}; Path=/; Max-Age={COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response.headers_mut().insert(HEADER, HeaderValue::from(position));
    response
}

/// Polls what `replica` has replayed, for as long as the node runs.
pub async fn watch(replica: Arc<Replica>) {
    loop {
        replica.refresh().await;
        tokio::time::sleep(POLL).await;
    }
}
