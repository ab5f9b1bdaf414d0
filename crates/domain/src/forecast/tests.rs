//! The estimate on generated histories.

use super::*;
use chrono::TimeZone;

/// `count` orders taking from `shortest` to `longest` days, evenly spread, in a shuffled order.
fn generated(count: usize, shortest: f64, longest: f64) -> Durations {
    let step = (longest - shortest) / (count - 1) as f64;
    Durations::new((0..count).map(|i| shortest + step * ((i * 7) % count) as f64).collect())
}

fn brussels() -> WorkingDays<'static> {
    WorkingDays { time_zone: chrono_tz::Europe::Brussels, holidays: &[] }
}

/// Monday 2026-11-30, 09:00 in Brussels.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).single().expect("time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn submitted_today(queue_ahead: usize, ready_per_day: f64) -> Situation {
    Situation { clock_start: monday(), now: monday(), queue_ahead, ready_per_day }
}

#[test]
fn a_fresh_order_gets_the_historys_eighty_percent_interval() {
    let history = generated(101, 4.0, 14.0);
    let estimate = estimate(Some(&history), &submitted_today(0, 5.0), &brussels(), None).expect("estimate");
    // The 10th and 90th percentiles: 5 and 13 days from Monday 30 November.
    assert_eq!((estimate.earliest, estimate.latest), (date(2026, 12, 7), date(2026, 12, 14)));
    assert_eq!(estimate.basis, Basis::History { orders: 101 });
}

#[test]
fn a_backlog_lengthens_the_estimate() {
    let history = generated(101, 4.0, 14.0);
    let calm = estimate(Some(&history), &submitted_today(10, 5.0), &brussels(), None).expect("calm");
    let backlog = estimate(Some(&history), &submitted_today(150, 5.0), &brussels(), None).expect("backlog");
    assert!(backlog.earliest > calm.earliest && backlog.latest > calm.latest, "{calm:?} then {backlog:?}");
    // 150 orders at 5 a day: 30 days before this one's turn, the interval's width kept.
    assert_eq!(backlog.earliest, date(2026, 12, 30));
    assert_eq!((backlog.latest - backlog.earliest).num_days(), (calm.latest - calm.earliest).num_days() + 1);
}

#[test]
fn a_supplement_restarts_the_clock() {
    let history = generated(101, 4.0, 14.0);
    let now = monday() + Duration::days(9);
    let without = Situation { clock_start: monday(), now, queue_ahead: 0, ready_per_day: 5.0 };
    // The applicant answered a supplement request yesterday: the clock starts from there.
    let answered = Situation { clock_start: now - Duration::days(1), ..without };
    let (first, after_supplement) = (
        estimate(Some(&history), &without, &brussels(), None).expect("estimate"),
        estimate(Some(&history), &answered, &brussels(), None).expect("estimate"),
    );
    assert!(after_supplement.earliest > first.earliest, "{first:?} then {after_supplement:?}");
}

#[test]
fn the_estimate_updates_as_the_order_moves() {
    let history = generated(101, 4.0, 14.0);
    let at = |days_in: i64| {
        let situation = Situation {
            clock_start: monday(),
            now: monday() + Duration::days(days_in),
            queue_ahead: 0,
            ready_per_day: 5.0,
        };
        estimate(Some(&history), &situation, &brussels(), None).expect("estimate")
    };
    let (day_one, day_eight) = (at(1), at(8));
    // A week on, the slow half of the history is what remains: the interval is narrower and
    // never before today.
    assert!(day_eight.latest - day_eight.earliest <= day_one.latest - day_one.earliest);
    assert!(day_eight.earliest >= date(2026, 12, 8));
    // Slower than the whole history: from today, the history's spread.
    let overdue = at(20);
    assert_eq!(overdue.earliest, brussels().on_or_after(date(2026, 12, 20)));
}

#[test]
fn too_little_history_shows_the_published_standard_time_instead_of_a_guess() {
    let short = generated(MIN_HISTORY - 1, 4.0, 14.0);
    let estimate_with = |standard| estimate(Some(&short), &submitted_today(0, 1.0), &brussels(), standard);
    let standard = estimate_with(Some(10)).expect("the standard time");
    // Ten working days from Monday 30 November: Monday 14 December.
    assert_eq!((standard.earliest, standard.latest), (date(2026, 12, 14), date(2026, 12, 14)));
    assert_eq!(standard.basis, Basis::Standard { working_days: 10 });
    assert_eq!(estimate_with(None), None, "no history and no published time: no date at all");
    assert_eq!(choose(Some(&short), None), None);
    let service = generated(40, 4.0, 14.0);
    assert_eq!(choose(Some(&short), Some(&service)), Some(&service), "the service's history stands in for its type's");
}

#[test]
fn dates_fall_on_working_days() {
    let holidays = [date(2026, 12, 7)];
    let calendar = WorkingDays { time_zone: chrono_tz::Europe::Brussels, holidays: &holidays };
    // Saturday 5 December → Monday 7 is a holiday → Tuesday 8.
    assert_eq!(calendar.on_or_after(date(2026, 12, 5)), date(2026, 12, 8));
    let history = generated(30, 5.0, 5.0);
    let estimate = estimate(Some(&history), &submitted_today(0, 1.0), &calendar, None).expect("estimate");
    assert_eq!((estimate.earliest, estimate.latest), (date(2026, 12, 8), date(2026, 12, 8)));
}

#[test]
fn typical_times_need_a_trusted_history() {
    assert_eq!(generated(MIN_HISTORY - 1, 1.0, 9.0).typical(), None);
    let typical = generated(101, 4.0, 14.0).typical().expect("typical");
    assert_eq!((typical.median_days, typical.low_days, typical.high_days, typical.orders), (9.0, 5.0, 13.0, 101));
}
