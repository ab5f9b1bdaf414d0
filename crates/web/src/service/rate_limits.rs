//! Per-client limits on what anyone may ask without an account (legalization checks, photo
//! checks): events counted in the database, so that every node sees the same counts, and
//! keyed by a blind index of the client's address, so that no address is stored.

use crate::error::AppError;
use crate::error::seconds;
use chrono::{DateTime, Duration, Utc};

/// One kind of limited request: at most `allowed` per `window` for one client.
pub struct RateLimit {
    pub kind: &'static str,
    pub allowed: i64,
    pub window: Duration,
    /// The error code of a refusal (429).
    pub refusal: &'static str,
}

impl RateLimit {
    /// Refuses `client` once it has used its allowance in the window ending `now`.
    pub async fn ensure_allowed(
        &self,
        db: &lingshi_storage::Db,
        client: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let used = lingshi_storage::throttle::recent_events(db, self.kind, client, now - self.window).await?;
        if used >= self.allowed { Err(AppError::TooMany(self.refusal, seconds(self.window))) } else { Ok(()) }
    }

    /// Counts one request of `client` at `now`.
    pub async fn record(&self, db: &lingshi_storage::Db, client: &[u8], now: DateTime<Utc>) -> Result<(), AppError> {
        Ok(lingshi_storage::throttle::record_event(db, self.kind, client, now).await?)
    }
}
