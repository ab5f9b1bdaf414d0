//! A mission's history built from generated progress, and the estimates it gives.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).single().expect("time")
}

fn mission() -> Mission {
    lingshi_storage::seed::missions().into_iter().next().expect("the Embassy in Belgium")
}

/// `count` renewals made ready over the last 100 days, taking 5 to 15 days each, and `open`
/// renewals in process submitted over the last week.
fn generated(count: usize, open: usize) -> Vec<Progress> {
    let order = |n: usize, start: DateTime<Utc>, ready: Option<DateTime<Utc>>, state: &str| Progress {
        order_id: format!("order-{n}"),
        service: "passport".into(),
        application_type: Some("renewal.passport.renewal".into()),
        state: state.into(),
        clock_start: start,
        ready_at: ready,
    };
    let done = (0..count).map(|n| {
        let ready = now() - Duration::hours((n * 2400 / count.max(1)) as i64);
        let took = Duration::hours(120 + ((n * 37) % 240) as i64);
        order(n, ready - took, Some(ready), "completed")
    });
    let waiting = (0..open)
        .map(|n| order(count + n, now() - Duration::hours(1 + (n * 168 / open.max(1)) as i64), None, "under_review"));
    done.chain(waiting).collect()
}

#[test]
fn a_history_gives_a_date_range_and_the_typical_time() {
    let history = MissionHistory::from_progress(&generated(60, 3), now());
    let estimate = history
        .estimate(("passport", Some("renewal.passport.renewal")), now(), now(), &mission())
        .expect("an estimate");
    assert_eq!(estimate.basis, Basis::History { orders: 60 });
    assert!(estimate.earliest >= now().date_naive() + Duration::days(5), "{estimate:?}");
    assert!(estimate.latest <= now().date_naive() + Duration::days(17), "{estimate:?}");
    let typical = history.typical("passport").expect("typical");
    assert!((5.0..=15.0).contains(&typical.median_days) && typical.orders == 60, "{typical:?}");
    assert_eq!(history.typical("emergency"), None, "another service has no history of its own");
}

#[test]
fn the_queue_ahead_counts_earlier_orders_in_process_only() {
    let calm = MissionHistory::from_progress(&generated(60, 3), now());
    let backlog = MissionHistory::from_progress(&generated(60, 400), now());
    let kind = ("passport", Some("renewal.passport.renewal"));
    let (calm, backlog) = (
        calm.estimate(kind, now(), now(), &mission()).expect("estimate"),
        backlog.estimate(kind, now(), now(), &mission()).expect("estimate"),
    );
    // 400 waiting at about 0.6 made ready a day: months, not days.
    assert!(backlog.earliest > calm.latest, "{calm:?} then {backlog:?}");
    let first_in_line = MissionHistory::from_progress(&generated(60, 400), now());
    let early = first_in_line.estimate(kind, now() - Duration::days(8), now(), &mission()).expect("estimate");
    assert!(early.earliest < backlog.earliest, "an order submitted before the backlog is ahead of it");
}

#[test]
fn without_history_the_published_standard_time_or_nothing() {
    let empty = MissionHistory::from_progress(&generated(5, 0), now());
    let kind = ("passport", None);
    assert_eq!(empty.estimate(kind, now(), now(), &mission()), None, "the seeded mission publishes no time");
    let mut publishing = mission();
    publishing.standard_processing_days.insert("passport".into(), 8);
    let standard = empty.estimate(kind, now(), now(), &publishing).expect("the standard time");
    assert_eq!(standard.basis, Basis::Standard { working_days: 8 });
}
