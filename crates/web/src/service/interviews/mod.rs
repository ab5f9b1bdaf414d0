//! Video interviews (Step 4 五, 视频面审): the mission publishes slots, the applicant books
//! one (预约时间 → 立即预约) and is told with a calendar entry and reminded, the officer
//! calls at the booked time in the browser (signalling in [`crate::signalling`]), takes
//! snapshots onto the order and records the outcome; a missed interview is marked by itself.

pub mod booking;
pub mod ics;
pub mod notices;
pub mod slots;
pub mod snapshots;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lingshi_domain::mission::Mission;

/// `at` on the wall clock of `zone`, with the zone's abbreviation: `2026-12-07 17:00 CST`.
pub fn zoned_time(zone: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M %Z").to_string()
}

/// `at` on the mission's wall clock, as pages show times.
pub fn mission_time(mission: &Mission, at: DateTime<Utc>) -> String {
    zoned_time(slots::zone_of(mission), at)
}
