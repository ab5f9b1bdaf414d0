//! The mission's interview slots: the weekly patterns its administrators and reviewers
//! publish (audited), the free slots an applicant may book, and the staff's calendar of a
//! week with its bookings.

use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use lingshi_domain::interview::{self, Slot, SlotPattern};
use lingshi_domain::mission::Mission;
use lingshi_domain::order::StaffRole;
use lingshi_storage::interviews::{self as stored, CalendarEntry, StoredPattern};
use lingshi_storage::staff::Staff;
use std::collections::BTreeSet;
use std::sync::Arc;

/// How far ahead applicants see free slots.
pub const BOOKING_HORIZON_DAYS: i64 = 28;
/// Most exception dates one pattern holds.
const MAX_EXCEPTIONS: usize = 366;

/// A pattern as typed: ISO weekday (1 = Monday), `HH:MM`, minutes, places, officer's id,
/// days off (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default)]
pub struct PatternInput {
    pub weekday: String,
    pub start: String,
    pub minutes: String,
    pub parallel: String,
    pub officer: Option<String>,
    pub exceptions: Vec<String>,
}

/// The mission's time zone.
pub fn zone_of(mission: &Mission) -> Tz {
    mission.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// Whether `staff` publishes slots and holds interviews: reviewers and administrators of a
/// mission.
fn holds_interviews(staff: &Staff) -> Result<&str, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    if matches!(staff.role, StaffRole::Reviewer | StaffRole::MissionAdmin) {
        Ok(mission)
    } else {
        Err(AppError::Forbidden("not_your_role"))
    }
}

/// The dates of `texts`, or the field error of the first that is not one.
pub fn dates(texts: &[String]) -> Result<BTreeSet<NaiveDate>, AppError> {
    if texts.len() > MAX_EXCEPTIONS {
        return Err(FieldErrors::single("exceptions", "too_long").into());
    }
    texts
        .iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::from(FieldErrors::single("exceptions", "date_format")))
        })
        .collect()
}

/// Reads a typed pattern into the domain's, checking the officer is one of the mission's.
async fn parse(state: &AppState, mission: &str, input: &PatternInput) -> Result<SlotPattern, AppError> {
    let mut errors = FieldErrors::default();
    let weekday = input.weekday.trim().parse::<u8>().ok().filter(|d| (1..=7).contains(d));
    if weekday.is_none() {
        errors.push("weekday", "unknown_choice");
    }
    let start = NaiveTime::parse_from_str(input.start.trim(), "%H:%M").ok();
    if start.is_none() {
        errors.push("start", "time_format");
    }
    let minutes = input.minutes.trim().parse::<u16>().ok();
    if minutes.is_none() {
        errors.push("minutes", "interview_length");
    }
    let parallel = input.parallel.trim().parse::<u16>().ok();
    if parallel.is_none() {
        errors.push("parallel", "interview_parallel");
    }
    let officer = input.officer.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned);
    if let Some(id) = &officer {
        let theirs = lingshi_storage::staff::find(&state.db, id).await?.is_some_and(|s| {
            s.mission_id.as_deref() == Some(mission)
                && !s.disabled
                && matches!(s.role, StaffRole::Reviewer | StaffRole::MissionAdmin)
        });
        if !theirs {
            errors.push("officer", "unknown_choice");
        }
    }
    if let (Some(minutes), Some(parallel)) = (minutes, parallel) {
        let probe = SlotPattern {
            weekday: Weekday::Mon,
            start: start.unwrap_or(NaiveTime::MIN),
            minutes,
            parallel,
            officer: None,
            exceptions: BTreeSet::new(),
        };
        if let Err(error) = probe.validate() {
            let field = match error {
                interview::PatternError::Parallel => "parallel",
                interview::PatternError::Length | interview::PatternError::PastMidnight => "minutes",
            };
            errors.push(field, error.code());
        }
    }
    let exceptions = dates(&input.exceptions);
    errors.into_result()?;
    let (Some(weekday), Some(start), Some(minutes), Some(parallel)) = (weekday, start, minutes, parallel) else {
        return Err(AppError::internal("a checked field is missing"));
    };
    Ok(SlotPattern {
        weekday: Weekday::try_from(weekday - 1).map_err(AppError::internal)?,
        start,
        minutes,
        parallel,
        officer,
        exceptions: exceptions?,
    })
}

/// Publishes a weekly pattern for the officer's mission; returns its id.
pub async fn publish(state: &AppState, staff: &Staff, input: &PatternInput) -> Result<String, AppError> {
    let mission = holds_interviews(staff)?;
    let pattern = parse(state, mission, input).await?;
    let mut tx = state.db.begin().await?;
    let id = stored::add_pattern(&mut tx, mission, &pattern, Utc::now()).await?;
    crate::service::staff::audit_mission_act(&mut tx, state, staff, "interview_slots_published", &id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets the days pattern `id` does not run.
pub async fn set_exceptions(state: &AppState, staff: &Staff, id: &str, exceptions: &[String]) -> Result<(), AppError> {
    let mission = holds_interviews(staff)?;
    let days = dates(exceptions)?;
    let mut tx = state.db.begin().await?;
    if !stored::set_exceptions(&mut tx, mission, id, &days).await? {
        return Err(AppError::NotFound);
    }
    crate::service::staff::audit_mission_act(&mut tx, state, staff, "interview_slots_excepted", id).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws pattern `id`; bookings already made stand.
pub async fn withdraw(state: &AppState, staff: &Staff, id: &str) -> Result<(), AppError> {
    let mission = holds_interviews(staff)?;
    let mut tx = state.db.begin().await?;
    if !stored::remove_pattern(&mut tx, mission, id).await? {
        return Err(AppError::NotFound);
    }
    crate::service::staff::audit_mission_act(&mut tx, state, staff, "interview_slots_withdrawn", id).await?;
    tx.commit().await?;
    Ok(())
}

/// In demo mode, weekday slots for the Embassy in Belgium (10:00 and 15:00, half an hour,
/// two at once) unless it publishes its own: a newcomer can book at once. True if added.
pub async fn seed_demo(db: &lingshi_storage::Db) -> Result<bool, lingshi_storage::StorageError> {
    let mission = lingshi_storage::seed::BELGIUM;
    // Nodes starting together take turns: only the first finds no slots and publishes them.
    let mut tx = db.begin().await?;
    tx.take_turns("demo interview slots").await?;
    if stored::pattern_count(&mut tx, mission).await? > 0 {
        return Ok(false);
    }
    for weekday in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
        for (hour, minute) in [(10, 0), (15, 0)] {
            let pattern = SlotPattern {
                weekday,
                start: NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN),
                minutes: 30,
                parallel: 2,
                officer: None,
                exceptions: BTreeSet::new(),
            };
            stored::add_pattern(&mut tx, mission, &pattern, Utc::now()).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// The officer's mission's patterns.
pub async fn patterns(state: &AppState, staff: &Staff) -> Result<Vec<StoredPattern>, AppError> {
    let mission = crate::service::staff::own_mission(staff)?;
    Ok(stored::patterns(&state.db, mission).await?)
}

/// A slot and how many of its places are free.
#[derive(Debug, Clone)]
pub struct FreeSlot {
    pub slot: Slot,
    pub free: i64,
}

/// The mission's slots from `from` to `until` (its dates) and the places taken in each.
async fn slots_with_places(
    state: &AppState,
    mission: &Mission,
    (from, until): (NaiveDate, NaiveDate),
) -> Result<Vec<FreeSlot>, AppError> {
    let zone = zone_of(mission);
    let patterns: Vec<SlotPattern> =
        stored::patterns(&state.db, &mission.id).await?.into_iter().map(|p| p.pattern).collect();
    let slots = interview::expand(&patterns, (from, until), zone, &mission.holidays);
    let (Some(first), Some(last)) = (slots.first(), slots.last()) else { return Ok(Vec::new()) };
    let taken = stored::places_taken(&state.db, &mission.id, (first.starts_at, last.starts_at)).await?;
    Ok(slots
        .into_iter()
        .map(|slot| {
            let used = taken.iter().find(|(at, _)| *at == slot.starts_at).map_or(0, |(_, n)| *n);
            FreeSlot { free: i64::from(slot.parallel) - used, slot }
        })
        .collect())
}

/// The slots an applicant may book now: from after the cut-off to the horizon, with a place.
pub async fn free_slots(state: &AppState, mission: &Mission, now: DateTime<Utc>) -> Result<Vec<FreeSlot>, AppError> {
    let today = now.with_timezone(&zone_of(mission)).date_naive();
    let until = today + Duration::days(BOOKING_HORIZON_DAYS);
    let cutoff = state.settings.interviews.cutoff;
    Ok(slots_with_places(state, mission, (today, until))
        .await?
        .into_iter()
        .filter(|s| s.free > 0 && interview::may_change(s.slot.starts_at, now, cutoff))
        .collect())
}

/// One day of the staff calendar: its slots with their places, and the bookings of the day.
#[derive(Debug, Clone)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub slots: Vec<FreeSlot>,
    pub bookings: Vec<CalendarEntry>,
}

/// The week starting on `monday` (the mission's dates) of the officer's mission.
pub async fn week(
    state: &AppState,
    staff: &Staff,
    monday: NaiveDate,
) -> Result<(Arc<Mission>, Vec<CalendarDay>), AppError> {
    let mission_id = crate::service::staff::own_mission(staff)?;
    let mission = state.directory.find(&state.db, mission_id).await?.ok_or(AppError::NotFound)?;
    let zone = zone_of(&mission);
    let sunday = monday + Duration::days(6);
    let slots = slots_with_places(state, &mission, (monday, sunday)).await?;
    let bounds = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .and_then(|midnight| midnight.and_local_timezone(zone).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(until)) = (bounds(monday), bounds(sunday + Duration::days(1))) else {
        return Err(AppError::internal("a calendar day without a midnight"));
    };
    let bookings = stored::calendar(&state.db, &state.vault, mission_id, (from, until)).await?;
    let local_day = |at: DateTime<Utc>| at.with_timezone(&zone).date_naive();
    let days = monday
        .iter_days()
        .take(7)
        .map(|date| CalendarDay {
            date,
            slots: slots.iter().filter(|s| local_day(s.slot.starts_at) == date).cloned().collect(),
            bookings: bookings.iter().filter(|b| local_day(b.booking.starts_at) == date).cloned().collect(),
        })
        .collect();
    Ok((mission, days))
}
