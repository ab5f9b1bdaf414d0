//! 预计办结日期: when a submitted order is likely to be ready, from the mission's own recent
//! history, and the typical processing times a mission page shows.
//!
//! The method, for an order whose clock started at `start` (its submission, or the moment the
//! applicant answered the last supplement request: a request restarts the clock) and is not
//! ready at `now`, `elapsed` days later:
//!
//! 1. **History**: the days from clock start to "ready" of the orders of the same service and
//!    application type made ready recently (the caller chooses the window; the web layer
//!    uses 180 days). Fewer than [`MIN_HISTORY`] such orders, and the service's orders of
//!    every type are used; fewer still, and the mission's published standard time for the
//!    service is shown instead of a guess (or nothing, if it publishes none).
//! 2. **The order's own progress**: of the history, only the orders that took longer than
//!    `elapsed` say anything about this one; their remaining days (`d − elapsed`) give the
//!    80 % interval, from their 10th to their 90th percentile. An order slower than all but
//!    [`MIN_TAIL`] of its history is given the history's own spread from today.
//! 3. **Today's queue**: the orders of the service whose clock started earlier and are still
//!    in process, divided by the service's completions per day lately, is the time the
//!    queue ahead needs. When that is longer than the history's lower bound, the interval
//!    moves to begin there, keeping its width: a backlog lengthens the estimate, a short
//!    queue never shortens what history says.
//! 4. **Dates**: both bounds are turned into the mission's local dates and moved to its next
//!    working day (Monday to Friday, not a holiday of its profile).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

/// Orders a history needs before it is trusted.
pub const MIN_HISTORY: usize = 20;
/// Orders slower than this one a tail needs before its percentiles are used.
pub const MIN_TAIL: usize = 5;
/// The share of orders the interval holds.
pub const INTERVAL: (f64, f64) = (0.1, 0.9);

/// Days from clock start to "ready" of a set of orders, sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Durations(Vec<f64>);

impl Durations {
    pub fn new(mut days: Vec<f64>) -> Self {
        days.retain(|d| d.is_finite() && *d >= 0.0);
        days.sort_by(f64::total_cmp);
        Self(days)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `q` quantile (0–1) by linear interpolation between order statistics.
    fn quantile(days: &[f64], q: f64) -> Option<f64> {
        let last = days.len().checked_sub(1)?;
        let position = q.clamp(0.0, 1.0) * last as f64;
        let (below, above) = (position.floor() as usize, position.ceil() as usize);
        Some(days[below] + (days[above] - days[below]) * (position - below as f64))
    }

    /// The median and the 80 % interval, in days, if the history is long enough to trust.
    pub fn typical(&self) -> Option<Typical> {
        (self.len() >= MIN_HISTORY).then(|| Typical {
            median_days: Self::quantile(&self.0, 0.5).unwrap_or_default(),
            low_days: Self::quantile(&self.0, INTERVAL.0).unwrap_or_default(),
            high_days: Self::quantile(&self.0, INTERVAL.1).unwrap_or_default(),
            orders: self.len(),
        })
    }

    /// The remaining days of the orders that took longer than `elapsed`: low and high bounds.
    fn remaining_after(&self, elapsed: f64) -> (f64, f64) {
        let tail: Vec<f64> = self.0.iter().filter(|d| **d > elapsed).map(|d| d - elapsed).collect();
        if tail.len() >= MIN_TAIL {
            let bound = |q| Self::quantile(&tail, q).unwrap_or_default();
            (bound(INTERVAL.0), bound(INTERVAL.1))
        } else {
            let spread = Self::quantile(&self.0, INTERVAL.1).unwrap_or_default()
                - Self::quantile(&self.0, INTERVAL.0).unwrap_or_default();
            (0.0, spread.max(1.0))
        }
    }
}

/// A service's typical processing time.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Typical {
    pub median_days: f64,
    pub low_days: f64,
    pub high_days: f64,
    pub orders: usize,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy)]
pub struct Situation {
    /// Its submission, or when the applicant answered the last supplement request.
    pub clock_start: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// Orders of its service whose clock started earlier and are still in process.
    pub queue_ahead: usize,
    /// Its service's orders made ready per day lately.
    pub ready_per_day: f64,
}

/// What an estimate rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum Basis {
    /// This many orders of the mission's recent history.
    History { orders: usize },
    /// The mission's published standard time, in working days.
    Standard { working_days: u32 },
}

/// An order's predicted completion: between two dates (the same one for a standard time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Estimate {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    #[serde(flatten)]
    pub basis: Basis,
}

/// The mission's working days: Monday to Friday, not on its holidays.
#[derive(Debug, Clone)]
pub struct WorkingDays<'a> {
    pub time_zone: Tz,
    pub holidays: &'a [NaiveDate],
}

impl WorkingDays<'_> {
    fn works(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// `day`, or the first working day after it.
    pub fn on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut day = day;
        // A year of holidays ends well within a few hundred days.
        for _ in 0..400 {
            if self.works(day) {
                break;
            }
            day = day.succ_opt().unwrap_or(day);
        }
        day
    }

    /// The working day `count` working days after `day`.
    pub fn after(&self, day: NaiveDate, count: u32) -> NaiveDate {
        let mut day = day;
        for _ in 0..count {
            day = self.on_or_after(day.succ_opt().unwrap_or(day));
        }
        day
    }

    /// The mission's local date of `at`.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }
}

fn days(duration: f64) -> Duration {
    Duration::seconds((duration * 86_400.0).round() as i64)
}

/// The predicted completion of an order in `situation`, from `history` (its type's, else its
/// service's: the caller passes the first that is long enough, see [`choose`]) or else the
/// published `standard` working days; `None` when there is neither.
pub fn estimate(
    history: Option<&Durations>,
    situation: &Situation,
    calendar: &WorkingDays<'_>,
    standard: Option<u32>,
) -> Option<Estimate> {
    let Some(history) = history.filter(|h| h.len() >= MIN_HISTORY) else {
        let working_days = standard?;
        let due = calendar.after(calendar.date_of(situation.clock_start), working_days);
        let due = due.max(calendar.on_or_after(calendar.date_of(situation.now)));
        return Some(Estimate { earliest: due, latest: due, basis: Basis::Standard { working_days } });
    };
    let elapsed = (situation.now - situation.clock_start).num_seconds().max(0) as f64 / 86_400.0;
    let (mut low, mut high) = history.remaining_after(elapsed);
    if situation.ready_per_day > 0.0 {
        let queue_needs = situation.queue_ahead as f64 / situation.ready_per_day;
        if queue_needs > low {
            (low, high) = (queue_needs, queue_needs + (high - low));
        }
    }
    let earliest = calendar.on_or_after(calendar.date_of(situation.now + days(low)));
    let latest = calendar.on_or_after(calendar.date_of(situation.now + days(high))).max(earliest);
    Some(Estimate { earliest, latest, basis: Basis::History { orders: history.len() } })
}

/// The history an order is estimated from: its application type's if long enough, else its
/// service's (every type) if long enough, else none.
pub fn choose<'a>(of_type: Option<&'a Durations>, of_service: Option<&'a Durations>) -> Option<&'a Durations> {
    [of_type, of_service].into_iter().flatten().find(|h| h.len() >= MIN_HISTORY)
}

#[cfg(test)]
mod tests;
