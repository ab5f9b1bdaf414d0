//! Video-interview slots (Step 4 五, 视频面审): the weekly patterns a mission publishes
//! (a weekday, a start in the mission's wall-clock time, a length, how many interviews run in
//! parallel, an officer or any), expanded into dated slots in UTC across daylight-saving
//! changes, skipping the mission's holidays and the patterns' own exceptions; and the rule of
//! when a booking may still be changed or cancelled.
//!
//! A wall-clock start that does not exist on a day (the hour skipped when clocks go forward)
//! yields no slot that day; one that happens twice (clocks going back) is the first.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Shortest and longest interview, in minutes.
pub const MINUTES: std::ops::RangeInclusive<u16> = 10..=240;
/// Most interviews one slot runs at once.
pub const MAX_PARALLEL: u16 = 20;
/// Until how long before its start a booking may be changed or cancelled, by default.
pub const DEFAULT_CUTOFF: Duration = Duration::hours(2);

/// Why a pattern was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("an interview lasts from 10 to 240 minutes")]
    Length,
    #[error("a slot runs from 1 to 20 interviews at once")]
    Parallel,
    #[error("an interview ends on the day it starts")]
    PastMidnight,
}

impl PatternError {
    pub fn code(self) -> &'static str {
        match self {
            PatternError::Length => "interview_length",
            PatternError::Parallel => "interview_parallel",
            PatternError::PastMidnight => "interview_past_midnight",
        }
    }
}

/// A weekly pattern of slots, in the mission's wall-clock time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotPattern {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub minutes: u16,
    pub parallel: u16,
    /// The officer who holds these interviews (a staff id), or any reviewer.
    pub officer: Option<String>,
    /// Days this pattern does not run although the mission is open.
    pub exceptions: BTreeSet<NaiveDate>,
}

impl SlotPattern {
    /// Checks the pattern's length and parallel interviews.
    pub fn validate(&self) -> Result<(), PatternError> {
        if !MINUTES.contains(&self.minutes) {
            return Err(PatternError::Length);
        }
        if !(1..=MAX_PARALLEL).contains(&self.parallel) {
            return Err(PatternError::Parallel);
        }
        let (_, wrapped) = self.start.overflowing_add_signed(Duration::minutes(i64::from(self.minutes)));
        if wrapped != 0 {
            return Err(PatternError::PastMidnight);
        }
        Ok(())
    }
}

/// One dated slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub parallel: u16,
    pub officer: Option<String>,
}

impl Slot {
    /// The slot's start as a wall clock of `zone` (the applicant's, or the mission's).
    pub fn local_start(&self, zone: Tz) -> chrono::NaiveDateTime {
        self.starts_at.with_timezone(&zone).naive_local()
    }
}

/// The slots of `patterns` from `from` to `until` (inclusive, the mission's dates) in the
/// mission's `zone`, except on `holidays`, sorted by start. Patterns starting at the same
/// moment make one slot: their places add up, and it runs until the longer ends.
pub fn expand(
    patterns: &[SlotPattern],
    (from, until): (NaiveDate, NaiveDate),
    zone: Tz,
    holidays: &[NaiveDate],
) -> Vec<Slot> {
    let mut slots: Vec<Slot> = from
        .iter_days()
        .take_while(|day| *day <= until)
        .filter(|day| !holidays.contains(day))
        .flat_map(|day| {
            patterns.iter().filter(move |p| p.weekday == day.weekday() && !p.exceptions.contains(&day)).filter_map(
                move |pattern| {
                    let starts_at = zone.from_local_datetime(&day.and_time(pattern.start)).earliest()?;
                    let starts_at = starts_at.with_timezone(&Utc);
                    Some(Slot {
                        starts_at,
                        ends_at: starts_at + Duration::minutes(i64::from(pattern.minutes)),
                        parallel: pattern.parallel,
                        officer: pattern.officer.clone(),
                    })
                },
            )
        })
        .collect();
    slots.sort_by_key(|slot| slot.starts_at);
    slots.dedup_by(|later, kept| {
        let same = later.starts_at == kept.starts_at;
        if same {
            kept.parallel = kept.parallel.saturating_add(later.parallel);
            kept.ends_at = kept.ends_at.max(later.ends_at);
            if kept.officer != later.officer {
                kept.officer = None;
            }
        }
        same
    });
    slots
}

/// The slot of `patterns` that starts exactly at `starts_at`, if the mission runs one then.
pub fn slot_at(patterns: &[SlotPattern], starts_at: DateTime<Utc>, zone: Tz, holidays: &[NaiveDate]) -> Option<Slot> {
    let day = starts_at.with_timezone(&zone).date_naive();
    expand(patterns, (day, day), zone, holidays).into_iter().find(|slot| slot.starts_at == starts_at)
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    Booked,
    /// Cancelled by the applicant, or by staff offering another slot.
    Cancelled,
    Done,
    /// The applicant did not come (marked by the officer, or by the platform after the slot).
    NoShow,
    /// Held, but to be held again.
    ToRepeat,
}

impl BookingState {
    pub const ALL: [BookingState; 5] = [
        BookingState::Booked,
        BookingState::Cancelled,
        BookingState::Done,
        BookingState::NoShow,
        BookingState::ToRepeat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            BookingState::Booked => "booked",
            BookingState::Cancelled => "cancelled",
            BookingState::Done => "done",
            BookingState::NoShow => "no_show",
            BookingState::ToRepeat => "to_repeat",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What the officer may record after the call: done, no-show, to repeat.
    pub fn outcome(code: &str) -> Option<Self> {
        Self::from_code(code)
            .filter(|s| matches!(s, BookingState::Done | BookingState::NoShow | BookingState::ToRepeat))
    }
}

/// When the officer may start the call of a slot: from ten minutes before it starts until it
/// ends (an earlier or later call needs an override, which is audited).
pub fn may_start_call(slot: (DateTime<Utc>, DateTime<Utc>), now: DateTime<Utc>) -> bool {
    let (starts_at, ends_at) = slot;
    starts_at - EARLY_CALL <= now && now <= ends_at
}

/// How early before its slot a call may start.
pub const EARLY_CALL: Duration = Duration::minutes(10);
/// How long after its slot an interview nobody recorded is marked missed.
pub const NO_SHOW_AFTER: Duration = Duration::minutes(30);

/// Whether a booking of a slot starting at `starts_at` may still be made, changed or
/// cancelled at `now`, `cutoff` before it.
pub fn may_change(starts_at: DateTime<Utc>, now: DateTime<Utc>, cutoff: Duration) -> bool {
    now + cutoff <= starts_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn monday_ten() -> SlotPattern {
        SlotPattern {
            weekday: Weekday::Mon,
            start: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
            minutes: 30,
            parallel: 2,
            officer: None,
            exceptions: BTreeSet::new(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_brussels_slot_keeps_its_wall_clock_across_daylight_saving_and_reads_right_in_beijing() {
        // 2026-03-23 is before Europe's clocks go forward (29 March), 2026-03-30 after.
        let slots = expand(&[monday_ten()], (day(2026, 3, 23), day(2026, 3, 30)), chrono_tz::Europe::Brussels, &[]);
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].starts_at.to_rfc3339(), "2026-03-23T09:00:00+00:00", "CET is UTC+1");
        assert_eq!(slots[1].starts_at.to_rfc3339(), "2026-03-30T08:00:00+00:00", "CEST is UTC+2");
        let beijing = chrono_tz::Asia::Shanghai;
        assert_eq!(slots[0].local_start(beijing).to_string(), "2026-03-23 17:00:00");
        assert_eq!(slots[1].local_start(beijing).to_string(), "2026-03-30 16:00:00");
        assert_eq!(slots[1].local_start(chrono_tz::Europe::Brussels).to_string(), "2026-03-30 10:00:00");
        assert_eq!(slots[1].ends_at - slots[1].starts_at, Duration::minutes(30));
    }

    #[test]
    fn holidays_exceptions_and_a_skipped_hour_yield_no_slot() {
        let mut pattern = monday_ten();
        pattern.exceptions.insert(day(2026, 12, 7));
        let december = (day(2026, 11, 30), day(2026, 12, 21));
        let slots = expand(&[pattern], december, chrono_tz::Europe::Brussels, &[day(2026, 12, 14)]);
        let days: Vec<NaiveDate> = slots.iter().map(|s| s.starts_at.date_naive()).collect();
        assert_eq!(days, [day(2026, 11, 30), day(2026, 12, 21)]);
        let night = SlotPattern {
            weekday: Weekday::Sun,
            start: NaiveTime::from_hms_opt(2, 30, 0).expect("time"),
            ..monday_ten()
        };
        let around = (day(2026, 3, 22), day(2026, 4, 5));
        assert_eq!(expand(&[night], around, chrono_tz::Europe::Brussels, &[]).len(), 2, "29 March has no 02:30");
    }

    #[test]
    fn patterns_are_checked_and_bookings_close_at_the_cutoff() {
        assert_eq!(SlotPattern { minutes: 5, ..monday_ten() }.validate(), Err(PatternError::Length));
        assert_eq!(SlotPattern { parallel: 0, ..monday_ten() }.validate(), Err(PatternError::Parallel));
        let late = SlotPattern { start: NaiveTime::from_hms_opt(23, 45, 0).expect("time"), ..monday_ten() };
        assert_eq!(late.validate(), Err(PatternError::PastMidnight));
        assert_eq!(monday_ten().validate(), Ok(()));
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().expect("time");
        assert!(may_change(start, start - Duration::hours(2), DEFAULT_CUTOFF));
        assert!(!may_change(start, start - Duration::minutes(119), DEFAULT_CUTOFF));
    }

    #[test]
    fn two_patterns_at_one_moment_make_one_slot_and_a_slot_is_found_by_its_start() {
        let other = SlotPattern { minutes: 45, parallel: 3, officer: Some("staff-2".into()), ..monday_ten() };
        let slots =
            expand(&[monday_ten(), other], (day(2026, 12, 7), day(2026, 12, 7)), chrono_tz::Europe::Brussels, &[]);
        assert_eq!(slots.len(), 1);
        assert_eq!((slots[0].parallel, slots[0].ends_at - slots[0].starts_at), (5, Duration::minutes(45)));
        assert_eq!(slots[0].officer, None, "two officers: anyone");
        let start = slots[0].starts_at;
        let found = slot_at(&[monday_ten()], start, chrono_tz::Europe::Brussels, &[]);
        assert_eq!(found.map(|s| s.parallel), Some(2));
        assert_eq!(slot_at(&[monday_ten()], start + Duration::minutes(5), chrono_tz::Europe::Brussels, &[]), None);
        assert_eq!(slot_at(&[monday_ten()], start, chrono_tz::Europe::Brussels, &[day(2026, 12, 7)]), None);
    }

    #[test]
    fn a_call_starts_within_its_slot_and_outcomes_are_the_three_the_officer_records() {
        let start = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().expect("time");
        let slot = (start, start + Duration::minutes(30));
        assert!(may_start_call(slot, start - Duration::minutes(10)));
        assert!(!may_start_call(slot, start - Duration::minutes(11)));
        assert!(may_start_call(slot, start + Duration::minutes(30)));
        assert!(!may_start_call(slot, start + Duration::minutes(31)));
        assert_eq!(BookingState::outcome("no_show"), Some(BookingState::NoShow));
        assert_eq!(BookingState::outcome("booked"), None);
        assert_eq!(BookingState::outcome("cancelled"), None);
        for state in BookingState::ALL {
            assert_eq!(BookingState::from_code(state.code()), Some(state));
        }
    }

    proptest! {
        #[test]
        fn every_slot_starts_at_its_patterns_wall_clock_on_its_weekday(
            offset in 0i64..730, hour in 0u32..23, minute in 0u32..60, weekday in 0u8..7
        ) {
            let pattern = SlotPattern {
                weekday: Weekday::try_from(weekday).expect("weekday"),
                start: NaiveTime::from_hms_opt(hour, minute, 0).expect("time"),
                ..monday_ten()
            };
            let from = day(2026, 1, 1) + Duration::days(offset);
            let zone = chrono_tz::Europe::Brussels;
            for slot in expand(std::slice::from_ref(&pattern), (from, from + Duration::days(13)), zone, &[]) {
                let local = slot.local_start(zone);
                prop_assert_eq!(local.weekday(), pattern.weekday);
                prop_assert_eq!(local.time(), pattern.start);
            }
        }
    }
}
