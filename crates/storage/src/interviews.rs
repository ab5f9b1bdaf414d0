//! Video interviews as stored: each mission's weekly slot patterns, the bookings of its
//! dated slots, and the count of places taken in each slot. A place is taken by one atomic
//! statement that refuses when the slot is full, so concurrent bookings of a slot's last
//! place end with one booking on both backends. A booking changes only together with its
//! order (under the order's lock); the officer's note on the outcome is stored encrypted.

use crate::crypto::Vault;
use crate::db::{Db, Tx};
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use lingshi_domain::interview::{BookingState, SlotPattern};
use std::collections::BTreeSet;

pub(crate) const NOTE_FIELD: &str = "interview_bookings.outcome_note";

/// A published pattern and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPattern {
    pub id: String,
    pub pattern: SlotPattern,
}

#[derive(sqlx::FromRow)]
struct PatternRow {
    id: String,
    weekday: i32,
    start_time: String,
    minutes: i32,
    parallel: i32,
    officer_id: Option<String>,
    exceptions: String,
}

impl TryFrom<PatternRow> for StoredPattern {
    type Error = StorageError;
    fn try_from(row: PatternRow) -> Result<Self, StorageError> {
        let corrupt = || StorageError::Corrupt("interview_patterns");
        let weekday = u8::try_from(row.weekday).ok().and_then(|d| Weekday::try_from(d).ok()).ok_or_else(corrupt)?;
        let start = NaiveTime::parse_from_str(&row.start_time, "%H:%M").map_err(|_| corrupt())?;
        let exceptions: BTreeSet<NaiveDate> = serde_json::from_str(&row.exceptions).map_err(|_| corrupt())?;
        Ok(Self {
            id: row.id,
            pattern: SlotPattern {
                weekday,
                start,
                minutes: u16::try_from(row.minutes).map_err(|_| corrupt())?,
                parallel: u16::try_from(row.parallel).map_err(|_| corrupt())?,
                officer: row.officer_id,
                exceptions,
            },
        })
    }
}

fn exceptions_json(pattern: &SlotPattern) -> Result<String, StorageError> {
    serde_json::to_string(&pattern.exceptions).map_err(|_| StorageError::Corrupt("interview_patterns.exceptions"))
}

/// Publishes `pattern` for `mission_id`; returns its id.
pub async fn add_pattern(
    tx: &mut Tx,
    mission_id: &str,
    pattern: &SlotPattern,
    now: DateTime<Utc>,
) -> Result<String, StorageError> {
    let id = uuid::Uuid::new_v4().to_string();
    let exceptions = exceptions_json(pattern)?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO interview_patterns (id, mission_id, weekday, start_time, minutes, parallel, officer_id,
                 exceptions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(mission_id)
        .bind(i32::try_from(pattern.weekday.num_days_from_monday()).unwrap_or_default())
        .bind(pattern.start.format("%H:%M").to_string())
        .bind(i32::from(pattern.minutes))
        .bind(i32::from(pattern.parallel))
        .bind(&pattern.officer)
        .bind(&exceptions)
        .bind(now)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// The days pattern `id` of `mission_id` does not run; false when there is no such pattern.
pub async fn set_exceptions(
    tx: &mut Tx,
    mission_id: &str,
    id: &str,
    exceptions: &BTreeSet<NaiveDate>,
) -> Result<bool, StorageError> {
    let json = serde_json::to_string(exceptions).map_err(|_| StorageError::Corrupt("interview_patterns.exceptions"))?;
    let changed = crate::tx_run!(tx, |conn| {
        sqlx::query("UPDATE interview_patterns SET exceptions = $1 WHERE id = $2 AND mission_id = $3")
            .bind(&json)
            .bind(id)
            .bind(mission_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Withdraws pattern `id` of `mission_id` (bookings already made stand); false when absent.
pub async fn remove_pattern(tx: &mut Tx, mission_id: &str, id: &str) -> Result<bool, StorageError> {
    let removed = crate::tx_run!(tx, |conn| {
        sqlx::query("DELETE FROM interview_patterns WHERE id = $1 AND mission_id = $2")
            .bind(id)
            .bind(mission_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(removed == 1)
}

/// How many patterns the mission has, seen from inside `tx`.
pub async fn pattern_count(tx: &mut Tx, mission_id: &str) -> Result<i64, StorageError> {
    Ok(crate::tx_run!(tx, |conn| {
        sqlx::query_scalar("SELECT COUNT(*) FROM interview_patterns WHERE mission_id = $1")
            .bind(mission_id)
            .fetch_one(conn)
            .await
    })?)
}

/// The mission's patterns, by weekday and start.
pub async fn patterns(db: &Db, mission_id: &str) -> Result<Vec<StoredPattern>, StorageError> {
    let rows: Vec<PatternRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT id, weekday, start_time, minutes, parallel, officer_id, exceptions FROM interview_patterns
             WHERE mission_id = $1 ORDER BY weekday, start_time, id",
        )
        .bind(mission_id)
        .fetch_all(pool)
        .await
    })?;
    rows.into_iter().map(StoredPattern::try_from).collect()
}

/// Takes one place of the slot of `mission_id` starting at `starts_at`, which has
/// `parallel` places: false when they are all taken. One statement, so concurrent callers
/// cannot both take the last place.
pub async fn take_place(
    tx: &mut Tx,
    mission_id: &str,
    starts_at: DateTime<Utc>,
    parallel: u16,
) -> Result<bool, StorageError> {
    let taken = crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO interview_slot_places (mission_id, starts_at, taken) VALUES ($1, $2, 1)
             ON CONFLICT (mission_id, starts_at) DO UPDATE SET taken = interview_slot_places.taken + 1
             WHERE interview_slot_places.taken < $3",
        )
        .bind(mission_id)
        .bind(starts_at)
        .bind(i32::from(parallel))
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(taken == 1)
}

/// Gives back a place of a slot (a booking cancelled or moved).
pub async fn release_place(tx: &mut Tx, mission_id: &str, starts_at: DateTime<Utc>) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE interview_slot_places SET taken = taken - 1 WHERE mission_id = $1 AND starts_at = $2 AND taken > 0",
        )
        .bind(mission_id)
        .bind(starts_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// How many places are taken in each slot of `mission_id` starting from `from` to `until`.
pub async fn places_taken(
    db: &Db,
    mission_id: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<(DateTime<Utc>, i64)>, StorageError> {
    let rows: Vec<(DateTime<Utc>, i32)> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT starts_at, taken FROM interview_slot_places
             WHERE mission_id = $1 AND starts_at >= $2 AND starts_at <= $3 AND taken > 0 ORDER BY starts_at",
        )
        .bind(mission_id)
        .bind(from)
        .bind(until)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(|(at, taken)| (at, i64::from(taken))).collect())
}

/// A booking of a slot for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: String,
    pub order_id: String,
    pub mission_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub officer_id: Option<String>,
    pub state: BookingState,
    /// The officer's note on the outcome.
    pub outcome_note: Option<String>,
    pub call_started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct BookingRow {
    id: String,
    order_id: String,
    mission_id: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    officer_id: Option<String>,
    state: String,
    outcome_note: Option<Vec<u8>>,
    call_started_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl BookingRow {
    fn open(self, vault: &Vault) -> Result<Booking, StorageError> {
        Ok(Booking {
            state: BookingState::from_code(&self.state).ok_or(StorageError::Corrupt("interview_bookings.state"))?,
            outcome_note: self.outcome_note.map(|note| vault.decrypt_string(NOTE_FIELD, &note)).transpose()?,
            id: self.id,
            order_id: self.order_id,
            mission_id: self.mission_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            officer_id: self.officer_id,
            call_started_at: self.call_started_at,
            created_at: self.created_at,
        })
    }
}

macro_rules! select_bookings {
    ($rest:literal) => {
        concat!(
            "SELECT id, order_id, mission_id, starts_at, ends_at, officer_id, state, outcome_note, call_started_at,
                 created_at FROM interview_bookings ",
            $rest
        )
    };
}

/// Records a new booking.
pub async fn insert_booking(tx: &mut Tx, booking: &Booking) -> Result<(), StorageError> {
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "INSERT INTO interview_bookings (id, order_id, mission_id, starts_at, ends_at, officer_id, state,
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&booking.id)
        .bind(&booking.order_id)
        .bind(&booking.mission_id)
        .bind(booking.starts_at)
        .bind(booking.ends_at)
        .bind(&booking.officer_id)
        .bind(booking.state.code())
        .bind(booking.created_at)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Saves a booking's state, outcome note and call start.
pub async fn update_booking(
    tx: &mut Tx,
    vault: &Vault,
    booking: &Booking,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let note = booking.outcome_note.as_deref().map(|n| vault.encrypt_str(NOTE_FIELD, n)).transpose()?;
    crate::tx_run!(tx, |conn| {
        sqlx::query(
            "UPDATE interview_bookings SET state = $1, outcome_note = $2, call_started_at = $3, updated_at = $4
             WHERE id = $5",
        )
        .bind(booking.state.code())
        .bind(&note)
        .bind(booking.call_started_at)
        .bind(now)
        .bind(&booking.id)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(())
}

/// Every booking of an order, oldest first.
pub async fn for_order(db: &Db, vault: &Vault, order_id: &str) -> Result<Vec<Booking>, StorageError> {
    crate::orders::lists::read(db, vault, order_id).await
}

impl crate::orders::lists::OrderList for Booking {
    type Row = BookingRow;
    /// Oldest first.
    const SQL: &'static str = select_bookings!("WHERE order_id = $1 ORDER BY created_at, id");
    fn open(row: BookingRow, vault: &Vault) -> Result<Self, StorageError> {
        row.open(vault)
    }
}

/// A booking of the mission's calendar, with its order's number and state.
#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub booking: Booking,
    pub order_number: String,
}

/// The mission's bookings of slots starting from `from` to `until`, by start.
pub async fn calendar(
    db: &Db,
    vault: &Vault,
    mission_id: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<CalendarEntry>, StorageError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        booking: BookingRow,
        number: String,
    }
    let rows: Vec<Row> = crate::db_run!(db, |pool| {
        sqlx::query_as(
            "SELECT b.id, b.order_id, b.mission_id, b.starts_at, b.ends_at, b.officer_id, b.state, b.outcome_note,
                 b.call_started_at, b.created_at, o.number FROM interview_bookings b JOIN orders o ON o.id = b.order_id
             WHERE b.mission_id = $1 AND b.starts_at >= $2 AND b.starts_at <= $3 ORDER BY b.starts_at, b.created_at",
        )
        .bind(mission_id)
        .bind(from)
        .bind(until)
        .fetch_all(pool)
        .await
    })?;
    rows.into_iter()
        .map(|row| Ok(CalendarEntry { booking: row.booking.open(vault)?, order_number: row.number }))
        .collect()
}

/// The booking `id`.
pub async fn find_booking(db: &Db, vault: &Vault, id: &str) -> Result<Option<Booking>, StorageError> {
    let row: Option<BookingRow> = crate::db_run!(db, |pool| {
        sqlx::query_as(select_bookings!("WHERE id = $1")).bind(id).fetch_optional(pool).await
    })?;
    row.map(|r| r.open(vault)).transpose()
}
