//! Video interviews (Step 4 五, 视频面审): the mission publishes slots, the applicant books
//! one (预约时间 → 立即预约) and is told with a calendar entry and reminded, the officer
//! calls at the booked time in the browser (signalling in [`crate::signalling`]), takes
//! snapshots onto the order and records the outcome; a missed interview is marked by itself.

pub mod booking;
pub mod ics;
pub mod notices;
pub mod slots;
pub mod snapshots;

use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lingshi_domain::mission::Mission;

/// `at` on the wall clock of `zone`, with the zone's abbreviation, written as a reader of
/// `locale` writes dates: year first in Chinese and English (`2026-12-07 17:00 CET`), day
/// first in French (`07/12/2026 17:00 CET`) and Dutch (`07-12-2026 17:00 CET`).
pub fn zoned_time(zone: Tz, at: DateTime<Utc>, locale: Locale) -> String {
    let format = match locale {
        Locale::Fr => "%d/%m/%Y %H:%M %Z",
        Locale::Nl => "%d-%m-%Y %H:%M %Z",
        Locale::Zh | Locale::ZhHant | Locale::En => "%Y-%m-%d %H:%M %Z",
    };
    at.with_timezone(&zone).format(format).to_string()
}

/// `at` on the mission's wall clock, as pages in `locale` show times.
pub fn mission_time(mission: &Mission, at: DateTime<Utc>, locale: Locale) -> String {
    zoned_time(slots::zone_of(mission), at, locale)
}
