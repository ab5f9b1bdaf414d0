//! Predicted completion dates (预计办结日期) and the typical processing times of a mission
//! page, from the mission's own recent history (the method: `lingshi_domain::forecast`).
//!
//! A mission's history (every order whose clock started in the last year: clock start,
//! "ready", state) is read with one query and kept per node for [`FRESH_FOR`]; an order's
//! page then costs a lookup and a binary search, not a query. Within that time a new
//! submission is missing from the queue others see, which moves nobody's estimate by more
//! than a day; the order's own progress (its timeline) is always current. Nothing personal
//! is cached: services, types, states and times.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use lingshi_domain::forecast::{Basis, Durations, Estimate, Situation, Typical, WorkingDays, choose, estimate};
use lingshi_domain::mission::Mission;
use lingshi_domain::order::OrderState;
use lingshi_storage::forecast::{CLOCK_STARTS, Progress, mission_progress};
use lingshi_storage::{Db, StorageError};
use serde_json::{Value, json};

use crate::error::AppError;
use crate::i18n::{Catalogs, Locale};
use crate::service::orders::Loaded;
use crate::state::AppState;

/// How long a node uses a mission's history before reading it again.
pub const FRESH_FOR: StdDuration = StdDuration::from_secs(300);
/// The orders made ready within this many days are the history.
const HISTORY_DAYS: i64 = 180;
/// Completions per day are counted over this many days.
const THROUGHPUT_DAYS: i64 = 28;
/// How far back clock starts are read (an order still in process after a year is rare).
const LOOK_BACK_DAYS: i64 = 365;
/// The states in which an order is being processed, and so in the queue.
const IN_PROCESS: [OrderState; 4] = [
    OrderState::UnderReview,
    OrderState::InterviewRequired,
    OrderState::InterviewBooked,
    OrderState::AwaitingProduction,
];

/// A mission's recent history, ready for estimates.
#[derive(Debug, Default)]
pub struct MissionHistory {
    by_type: HashMap<(String, Option<String>), Durations>,
    by_service: HashMap<String, Durations>,
    ready_per_day: HashMap<String, f64>,
    /// Per service, the clock starts of the orders in process, oldest first.
    queue: HashMap<String, Vec<DateTime<Utc>>>,
}

impl MissionHistory {
    /// The history in `progress` as of `now`.
    pub fn from_progress(progress: &[Progress], now: DateTime<Utc>) -> Self {
        let mut durations: HashMap<(String, Option<String>), Vec<f64>> = HashMap::new();
        let mut history = MissionHistory::default();
        for order in progress {
            match order.ready_at {
                Some(ready) if ready >= now - Duration::days(HISTORY_DAYS) => {
                    let days = (ready - order.clock_start).num_seconds() as f64 / 86_400.0;
                    durations.entry((order.service.clone(), order.application_type.clone())).or_default().push(days);
                    if ready >= now - Duration::days(THROUGHPUT_DAYS) {
                        *history.ready_per_day.entry(order.service.clone()).or_default() +=
                            1.0 / THROUGHPUT_DAYS as f64;
                    }
                }
                Some(_) => {}
                None if OrderState::from_code(&order.state).is_some_and(|s| IN_PROCESS.contains(&s)) => {
                    history.queue.entry(order.service.clone()).or_default().push(order.clock_start);
                }
                None => {}
            }
        }
        let mut by_service: HashMap<String, Vec<f64>> = HashMap::new();
        for ((service, kind), days) in durations {
            by_service.entry(service.clone()).or_default().extend(days.iter().copied());
            history.by_type.insert((service, kind), Durations::new(days));
        }
        history.by_service = by_service.into_iter().map(|(service, days)| (service, Durations::new(days))).collect();
        history.queue.values_mut().for_each(|starts| starts.sort_unstable());
        history
    }

    /// The estimate for an order of `service` and `kind` whose clock started at `start`.
    pub fn estimate(
        &self,
        (service, kind): (&str, Option<&str>),
        start: DateTime<Utc>,
        now: DateTime<Utc>,
        mission: &Mission,
    ) -> Option<Estimate> {
        let of_type = self.by_type.get(&(service.to_owned(), kind.map(str::to_owned)));
        let queue_ahead = self.queue.get(service).map_or(0, |starts| starts.partition_point(|s| *s < start));
        let situation = Situation {
            clock_start: start,
            now,
            queue_ahead,
            ready_per_day: self.ready_per_day.get(service).copied().unwrap_or(0.0),
        };
        let time_zone = mission.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let calendar = WorkingDays { time_zone, holidays: &mission.holidays };
        let history = choose(of_type, self.by_service.get(service));
        estimate(history, &situation, &calendar, mission.standard_processing_days.get(service).copied())
    }

    /// The typical processing time of `service`, if its history is long enough.
    pub fn typical(&self, service: &str) -> Option<Typical> {
        self.by_service.get(service).and_then(Durations::typical)
    }
}

/// The histories of the missions, cached per node. One request at a time reads a history
/// again; meanwhile the others are served the one it replaces (or wait, the first time).
#[derive(Default)]
pub struct Forecasts {
    missions: RwLock<HashMap<String, (Instant, Arc<MissionHistory>)>>,
    reading: tokio::sync::Mutex<()>,
}

impl Forecasts {
    fn cached(&self, mission_id: &str) -> Option<(Instant, Arc<MissionHistory>)> {
        self.missions.read().ok().and_then(|m| m.get(mission_id).cloned())
    }

    /// `mission_id`'s history, read again once older than [`FRESH_FOR`].
    pub async fn of_mission(&self, db: &Db, mission_id: &str) -> Result<Arc<MissionHistory>, StorageError> {
        let cached = self.cached(mission_id);
        if let Some((_, history)) = cached.as_ref().filter(|(at, _)| at.elapsed() < FRESH_FOR) {
            return Ok(history.clone());
        }
        let _reading = match (self.reading.try_lock(), cached) {
            (Ok(turn), _) => turn,
            (Err(_), Some((_, stale))) => return Ok(stale),
            (Err(_), None) => self.reading.lock().await,
        };
        // Another request may have read it while this one waited.
        if let Some((_, history)) = self.cached(mission_id).filter(|(at, _)| at.elapsed() < FRESH_FOR) {
            return Ok(history);
        }
        let now = Utc::now();
        let progress = mission_progress(db, mission_id, now - Duration::days(LOOK_BACK_DAYS)).await?;
        let history = Arc::new(MissionHistory::from_progress(&progress, now));
        if let Ok(mut missions) = self.missions.write() {
            missions.insert(mission_id.to_owned(), (Instant::now(), history.clone()));
        }
        Ok(history)
    }
}

/// A date as the reader writes it (`12月8日`, `8/12`).
fn day(catalogs: &Catalogs, locale: Locale, date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    catalogs
        .text(locale, "forecast_day")
        .replace("{month}", &date.month().to_string())
        .replace("{day}", &date.day().to_string())
}

/// The order's predicted completion for its page: `null` before submission and once ready,
/// `paused` while the applicant owes a supplement, else the dates (ISO and as the reader
/// writes them) and what they rest on; `unknown` when there is neither history nor a
/// published time.
pub async fn view(state: &AppState, loaded: &Loaded, locale: Locale) -> Result<Value, AppError> {
    let catalogs = &state.catalogs;
    let text = |key: &str| catalogs.text(locale, key).to_owned();
    if loaded.order.state == OrderState::SupplementRequired {
        return Ok(json!({"status": "paused", "text": text("forecast_paused")}));
    }
    let start = loaded.events.iter().rev().find(|e| CLOCK_STARTS.contains(&e.event.as_str())).map(|e| e.at);
    let Some(start) = start.filter(|_| IN_PROCESS.contains(&loaded.order.state)) else {
        return Ok(Value::Null);
    };
    let history = state.forecasts.of_mission(&state.db, &loaded.mission.id).await?;
    let kind = loaded.order.application_type.as_deref();
    let Some(estimate) = history.estimate((&loaded.order.service, kind), start, Utc::now(), &loaded.mission) else {
        return Ok(json!({"status": "unknown", "text": text("forecast_unknown")}));
    };
    let (from, to) = (day(catalogs, locale, estimate.earliest), day(catalogs, locale, estimate.latest));
    let dates = if estimate.earliest == estimate.latest {
        text("forecast_single").replace("{date}", &from)
    } else {
        text("forecast_range").replace("{from}", &from).replace("{to}", &to)
    };
    let basis = match estimate.basis {
        Basis::History { orders } => text("forecast_basis_history").replace("{orders}", &orders.to_string()),
        Basis::Standard { working_days } => {
            text("forecast_basis_standard").replace("{days}", &working_days.to_string())
        }
    };
    Ok(json!({"status": "estimated", "estimate": estimate, "text": dates, "basis_text": basis}))
}

/// The typical processing time of each service of `mission`, as its page shows them.
pub async fn typical_times(state: &AppState, mission: &Mission, locale: Locale) -> Result<Vec<Value>, AppError> {
    let history = state.forecasts.of_mission(&state.db, &mission.id).await?;
    let catalogs = &state.catalogs;
    let days = |d: f64| format!("{}", (d * 10.0).round() / 10.0);
    Ok(lingshi_domain::application::Service::ALL
        .iter()
        .map(|service| {
            let code = service.code();
            let text = match (history.typical(code), mission.standard_processing_days.get(code)) {
                (Some(typical), _) => catalogs
                    .text(locale, "typical_times_history")
                    .replace("{median}", &days(typical.median_days))
                    .replace("{low}", &days(typical.low_days))
                    .replace("{high}", &days(typical.high_days))
                    .replace("{orders}", &typical.orders.to_string()),
                (None, Some(working_days)) => {
                    catalogs.text(locale, "typical_times_standard").replace("{days}", &working_days.to_string())
                }
                (None, None) => catalogs.text(locale, "typical_times_none").to_owned(),
            };
            json!({"service": code, "service_name": catalogs.text(locale, &format!("service_{code}")), "text": text,
                   "typical": history.typical(code)})
        })
        .collect())
}

#[cfg(test)]
mod tests;
