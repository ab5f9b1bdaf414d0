//! The interviews contract, on SQLite and on PostgreSQL: patterns kept as published, and a
//! slot's last place taken by exactly one of fifty concurrent bookings.

use crate::orders_contract::{account, draft, vault};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use lingshi_domain::interview::{BookingState, SlotPattern};
use lingshi_storage::interviews::{self, Booking};
use lingshi_storage::{Db, both_backends, seed};
use std::collections::BTreeSet;

both_backends!(patterns_are_kept_as_published_and_withdrawn_by_their_mission_only, |db: Db, _dir| async move {
    seed::seed_missions(&db).await.expect("seed");
    let pattern = SlotPattern {
        weekday: Weekday::Tue,
        start: NaiveTime::from_hms_opt(9, 30, 0).expect("time"),
        minutes: 20,
        parallel: 3,
        officer: None,
        exceptions: BTreeSet::from([NaiveDate::from_ymd_opt(2026, 12, 29).expect("date")]),
    };
    let mut tx = db.begin().await.expect("begin");
    let id = interviews::add_pattern(&mut tx, seed::BELGIUM, &pattern, Utc::now()).await.expect("add");
    tx.commit().await.expect("commit");
    let stored = interviews::patterns(&db, seed::BELGIUM).await.expect("list");
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id.as_str(), &stored[0].pattern), (id.as_str(), &pattern));

    let mut tx = db.begin().await.expect("begin");
    let days = BTreeSet::from([NaiveDate::from_ymd_opt(2027, 1, 5).expect("date")]);
    assert!(!interviews::set_exceptions(&mut tx, "nl-embassy", &id, &days).await.expect("other mission"));
    assert!(interviews::set_exceptions(&mut tx, seed::BELGIUM, &id, &days).await.expect("own mission"));
    assert!(!interviews::remove_pattern(&mut tx, "nl-embassy", &id).await.expect("other mission"));
    tx.commit().await.expect("commit");
    assert_eq!(interviews::patterns(&db, seed::BELGIUM).await.expect("list")[0].pattern.exceptions, days);
    let mut tx = db.begin().await.expect("begin");
    assert!(interviews::remove_pattern(&mut tx, seed::BELGIUM, &id).await.expect("remove"));
    tx.commit().await.expect("commit");
    assert!(interviews::patterns(&db, seed::BELGIUM).await.expect("list").is_empty());
});

both_backends!(fifty_concurrent_bookings_of_a_slots_last_place_end_with_one_booking, |db: Db, _dir| async move {
    let vault = vault();
    let owner = account(&db, "many.orders@example.org").await;
    let mut orders = Vec::new();
    for n in 0..50 {
        orders.push(draft(&db, &vault, &owner, &format!("BE261207B{n:05}")).await.expect("draft"));
    }
    let starts_at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).single().expect("time");
    let mut tx = db.begin().await.expect("begin");
    assert!(interviews::take_place(&mut tx, seed::BELGIUM, starts_at, 2).await.expect("first place"));
    tx.commit().await.expect("commit");

    let attempts = orders.into_iter().map(|order_id| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.expect("begin");
            if !interviews::take_place(&mut tx, seed::BELGIUM, starts_at, 2).await.expect("take") {
                return false;
            }
            let booking = Booking {
                id: uuid::Uuid::new_v4().to_string(),
                order_id,
                mission_id: seed::BELGIUM.into(),
                starts_at,
                ends_at: starts_at + chrono::Duration::minutes(30),
                officer_id: None,
                state: BookingState::Booked,
                outcome_note: None,
                call_started_at: None,
                created_at: Utc::now(),
            };
            interviews::insert_booking(&mut tx, &booking).await.expect("insert");
            tx.commit().await.expect("commit");
            true
        })
    });
    let mut booked = 0;
    for attempt in attempts.collect::<Vec<_>>() {
        booked += usize::from(attempt.await.expect("task"));
    }
    assert_eq!(booked, 1, "exactly one took the last place");
    let window = (starts_at, starts_at);
    assert_eq!(interviews::places_taken(&db, seed::BELGIUM, window).await.expect("taken"), vec![(starts_at, 2)]);
    let calendar = interviews::calendar(&db, &vault, seed::BELGIUM, window).await.expect("calendar");
    assert_eq!(calendar.len(), 1);

    let mut tx = db.begin().await.expect("begin");
    interviews::release_place(&mut tx, seed::BELGIUM, starts_at).await.expect("release");
    assert!(interviews::take_place(&mut tx, seed::BELGIUM, starts_at, 2).await.expect("a freed place"));
    assert!(!interviews::take_place(&mut tx, seed::BELGIUM, starts_at, 2).await.expect("full again"));
    tx.commit().await.expect("commit");
});
