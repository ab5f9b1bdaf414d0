//! The ECB's euro reference rates, for the estimate in yuan shown before paying ("约 ¥…"):
//! imported from `LINGSHI_ECB_RATES_URL` (a URL or a file in the published XML) when the
//! platform starts and every six hours after; a failed import keeps the last good day,
//! whose date the pages show. In demo mode with no source, the demo's simulated feed.

use crate::state::AppState;
use chrono::Utc;
use lingshi_integrations::payments::ecb::{self, DailyRates};

/// How often the rates are imported (the ECB publishes once a working day, around 16:00 CET).
const EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Imports the feed at `source`; the rates stored before stay when it fails.
pub async fn import(state: &AppState, source: &str) -> Result<DailyRates, String> {
    let rates = ecb::parse(&ecb::fetch(source).await?).map_err(|e| e.to_string())?;
    lingshi_storage::rates::save(&state.db, rates.date, &rates.rates, Utc::now()).await.map_err(|e| e.to_string())?;
    Ok(rates)
}

/// Imports the demo's simulated feed, dated today.
pub async fn import_demo(state: &AppState) -> Result<DailyRates, String> {
    let rates = ecb::parse(&ecb::demo_feed(Utc::now().date_naive())).map_err(|e| e.to_string())?;
    lingshi_storage::rates::save(&state.db, rates.date, &rates.rates, Utc::now()).await.map_err(|e| e.to_string())?;
    Ok(rates)
}

/// Imports the configured feed now and every six hours, logging failures (the last good
/// rates stay in use).
pub async fn run_forever(state: AppState, source: String) {
    let mut every = tokio::time::interval(EVERY);
    loop {
        every.tick().await;
        match import(&state, &source).await {
            Ok(rates) => {
                tracing::info!(rates.date = %rates.date, rates.count = rates.rates.len(), "reference rates imported")
            }
            Err(error) => tracing::warn!(error.cause = %error, "reference rates not imported; the last good ones stay"),
        }
    }
}
