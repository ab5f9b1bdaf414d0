//! Booking, moving and cancelling an order's interview (预约时间 → 立即预约), starting the
//! call, and its outcome. Each goes through the state machine and `orders::change_as`, so it
//! is checked, audited and saved with its order in one transaction; the slot's place is
//! taken in that transaction too. Each schedules the applicant's notice (with its calendar
//! entry), and a booking its reminder and the check for a missed interview.

use super::notices::{NO_SHOW, NOTICE, NoticeKind};
use super::slots::zone_of;
use crate::error::{AppError, FieldErrors};
use crate::service::orders::{self, FileChange, Loaded, Outcome, Principal, Record};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use lingshi_domain::actions::Action;
use lingshi_domain::interview::{self, BookingState};
use lingshi_domain::order::{Actor, OrderAction};
use lingshi_storage::interviews::{self as stored, Booking};
use lingshi_storage::staff::Staff;
use serde_json::json;

/// The order's live booking, if any.
pub fn live(loaded: &Loaded) -> Option<&Booking> {
    loaded.interviews.iter().rev().find(|b| b.state == BookingState::Booked)
}

/// The live booking, or the refusal to act on an order without one.
fn live_or_refuse(loaded: &Loaded) -> Result<Booking, AppError> {
    live(loaded).cloned().ok_or(AppError::Conflict("no_interview_booked"))
}

/// The job telling the applicant about `booking`.
fn notice(booking: &Booking, kind: NoticeKind, at: DateTime<Utc>) -> Record {
    Record::Job(NOTICE, json!({"booking": booking.id, "kind": kind.code()}), at)
}

/// `booking` closed as `state`, its place given back when the slot is still to come.
fn closed(booking: Booking, state: BookingState) -> Record {
    let release = state == BookingState::Cancelled;
    Record::BookingChanged { booking: Box::new(Booking { state, ..booking }), release }
}

/// Books the slot starting at `starts_at` for order `id`, or moves its booking there: the
/// applicant up to the cut-off, or staff offering a slot.
pub async fn book(
    state: &AppState,
    principal: Principal<'_>,
    id: &str,
    starts_at: DateTime<Utc>,
) -> Result<Loaded, AppError> {
    let before = orders::load_as(state, principal, id).await?;
    let mission = &before.mission;
    let patterns: Vec<_> = stored::patterns(&state.db, &mission.id).await?.into_iter().map(|p| p.pattern).collect();
    let slot = interview::slot_at(&patterns, starts_at, zone_of(mission), &mission.holidays)
        .ok_or(FieldErrors::single("starts_at", "interview_slot_unknown"))?;
    let now = Utc::now();
    let settings = &state.settings.interviews;
    if !interview::may_change(slot.starts_at, now, settings.cutoff) {
        return Err(FieldErrors::single("starts_at", "interview_too_late").into());
    }
    let actor = principal.actor();
    orders::change_as(state, principal, id, None, FileChange::None, |loaded| {
        loaded.ensure(Action::BookInterview, actor)?;
        let mut records = Vec::new();
        let current = live(loaded).cloned();
        if let Some(current) = current.clone() {
            if current.starts_at == slot.starts_at {
                return Err(AppError::Conflict("interview_already_booked"));
            }
            if actor == Actor::Applicant && !interview::may_change(current.starts_at, now, settings.cutoff) {
                return Err(AppError::Conflict("interview_cutoff_passed"));
            }
            records.push(closed(current, BookingState::Cancelled));
        }
        let booking = Booking {
            id: uuid::Uuid::new_v4().to_string(),
            order_id: loaded.order.id.clone(),
            mission_id: loaded.order.mission_id.clone(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            officer_id: slot.officer.clone(),
            state: BookingState::Booked,
            outcome_note: None,
            call_started_at: None,
            created_at: now,
        };
        let (event, kind) = match (&current, actor) {
            (Some(_), _) => ("interview_moved", NoticeKind::Moved),
            (None, Actor::Applicant) => ("interview_booked", NoticeKind::Booked),
            (None, _) => ("interview_offered", NoticeKind::Offered),
        };
        records.push(Record::NewBooking(Box::new(booking.clone()), slot.parallel));
        records.push(notice(&booking, kind, now));
        let reminder_at = booking.starts_at - settings.reminder_before;
        if reminder_at > now {
            records.push(notice(&booking, NoticeKind::Reminder, reminder_at));
        }
        records.push(Record::Job(NO_SHOW, json!({"booking": booking.id}), booking.ends_at + interview::NO_SHOW_AFTER));
        loaded.step(OrderAction::BookInterview, actor)?;
        // The timeline note is written once for every reader: year first, unambiguous in any language.
        let when = super::mission_time(&loaded.mission, booking.starts_at, crate::i18n::Locale::En);
        Ok(Some(Outcome { event, note: Some(when), records }))
    })
    .await
}

/// Cancels the order's booking: the applicant up to the cut-off, staff at any time. The
/// order waits for a new booking.
pub async fn cancel(state: &AppState, principal: Principal<'_>, id: &str) -> Result<Loaded, AppError> {
    let now = Utc::now();
    let cutoff = state.settings.interviews.cutoff;
    let actor = principal.actor();
    orders::change_as(state, principal, id, None, FileChange::None, |loaded| {
        loaded.ensure(Action::CancelInterview, actor)?;
        let booking = live_or_refuse(loaded)?;
        if actor == Actor::Applicant && !interview::may_change(booking.starts_at, now, cutoff) {
            return Err(AppError::Conflict("interview_cutoff_passed"));
        }
        loaded.step(OrderAction::CancelInterview, actor)?;
        let records = vec![notice(&booking, NoticeKind::Cancelled, now), closed(booking, BookingState::Cancelled)];
        Ok(Some(Outcome { event: "interview_cancelled", note: None, records }))
    })
    .await
}

/// The officer starts the call: within the booked slot, or outside it with a reason, which
/// the audit log keeps. Starting again (a reconnection) changes nothing.
pub async fn start_call(
    state: &AppState,
    staff: &Staff,
    id: &str,
    override_reason: Option<&str>,
) -> Result<Loaded, AppError> {
    let reason = override_reason
        .map(|text| {
            lingshi_domain::application_form::short_text(text, 500)
                .map_err(|e| AppError::from(FieldErrors::single("reason", e.code())))
        })
        .transpose()?;
    let now = Utc::now();
    orders::change_as(state, Principal::Staff(staff), id, None, FileChange::None, |loaded| {
        loaded.ensure(Action::CompleteInterview, Actor::Staff(staff.role))?;
        let booking = live_or_refuse(loaded)?;
        if booking.call_started_at.is_some() {
            return Ok(None);
        }
        let within = interview::may_start_call((booking.starts_at, booking.ends_at), now);
        let event = match (&reason, within) {
            (_, true) => "interview_call_started",
            (Some(_), false) => "interview_call_started_outside_slot",
            (None, false) => return Err(AppError::Conflict("call_outside_slot")),
        };
        let started = Booking { call_started_at: Some(now), ..booking };
        let records = vec![Record::BookingChanged { booking: Box::new(started), release: false }];
        Ok(Some(Outcome { event, note: reason.clone().filter(|_| !within), records }))
    })
    .await
}

/// What recording `outcome` does to the order: done moves it on to review (as "interview
/// done" did); a no-show or an interview to repeat sends the applicant back to booking.
pub fn conclude(
    loaded: &mut Loaded,
    actor: Actor,
    outcome: BookingState,
    note: Option<String>,
) -> Result<Outcome, AppError> {
    let booking = live_or_refuse(loaded)?;
    let (action, event, kind) = match outcome {
        BookingState::Done => (OrderAction::CompleteInterview, "interview_completed", None),
        BookingState::NoShow => (OrderAction::CancelInterview, "interview_missed", Some(NoticeKind::Missed)),
        BookingState::ToRepeat => (OrderAction::CancelInterview, "interview_to_repeat", Some(NoticeKind::Repeat)),
        BookingState::Booked | BookingState::Cancelled => {
            return Err(FieldErrors::single("outcome", "unknown_choice").into());
        }
    };
    loaded.step(action, actor)?;
    let mut records: Vec<Record> = kind.into_iter().map(|kind| notice(&booking, kind, Utc::now())).collect();
    let concluded = Booking { outcome_note: note.clone(), ..booking };
    records.push(closed(concluded, outcome));
    Ok(Outcome { event, note, records })
}

/// The officer records the interview's outcome, with a note.
pub async fn record_outcome(
    state: &AppState,
    staff: &Staff,
    id: &str,
    outcome: BookingState,
    note: Option<&str>,
) -> Result<Loaded, AppError> {
    let note = note
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|text| {
            lingshi_domain::application_form::short_text(text, 500)
                .map_err(|e| AppError::from(FieldErrors::single("note", e.code())))
        })
        .transpose()?;
    orders::change_as(state, Principal::Staff(staff), id, None, FileChange::None, |loaded| {
        conclude(loaded, Actor::Staff(staff.role), outcome, note).map(Some)
    })
    .await
}

/// A booking still open half an hour after its slot is marked missed, and the applicant
/// asked to book again. Nothing happens if the officer recorded an outcome.
pub async fn run_no_show(state: &AppState, payload: &serde_json::Value) -> Result<(), String> {
    let id = payload["booking"].as_str().ok_or("no booking in the payload")?;
    let booking = stored::find_booking(&state.db, &state.vault, id).await.map_err(|e| e.diagnostic())?;
    let Some(booking) = booking.filter(|b| b.state == BookingState::Booked) else { return Ok(()) };
    let result =
        orders::change_as(state, Principal::System("interview"), &booking.order_id, None, FileChange::None, |loaded| {
            if live(loaded).is_none_or(|live| live.id != booking.id) {
                return Ok(None);
            }
            conclude(loaded, Actor::System, BookingState::NoShow, None).map(Some)
        })
        .await;
    result.map(|_| ()).map_err(|e| format!("{e:?}"))
}

/// The records that close a live booking when the order leaves the interview (withdrawn).
pub fn released_on_leaving(loaded: &Loaded) -> Vec<Record> {
    live(loaded).cloned().map(|booking| closed(booking, BookingState::Cancelled)).into_iter().collect()
}
