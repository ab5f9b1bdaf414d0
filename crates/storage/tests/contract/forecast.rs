//! The history behind predicted completion dates: each order's last clock start (submission or
//! an answered supplement) and the "ready" after it, from the timeline, mission by mission.

use crate::orders_contract::{account, draft, vault};
use chrono::{DateTime, Duration, Utc};
use lingshi_domain::order::OrderState;
use lingshi_storage::forecast::{self, Progress};
use lingshi_storage::{Db, both_backends, orders};

async fn event(db: &Db, order: &str, event: &str, at: DateTime<Utc>) {
    let mut tx = db.begin().await.expect("begin");
    orders::add_event(&mut tx, &vault(), order, OrderState::UnderReview, event, None, at).await.expect("event");
    tx.commit().await.expect("commit");
}

both_backends!(the_clock_starts_at_submission_restarts_at_a_supplement_and_stops_at_ready, |db: Db, _dir| async move {
    let vault = vault();
    let submitter = account(&db, "forecast@example.org").await;
    let t0 = Utc::now() - Duration::days(20);
    let straight = draft(&db, &vault, &submitter, "BE261201FCST01").await.expect("order");
    event(&db, &straight, "submitted", t0).await;
    event(&db, &straight, "accepted", t0 + Duration::days(1)).await;
    event(&db, &straight, "ready", t0 + Duration::days(6)).await;
    let supplemented = draft(&db, &vault, &submitter, "BE261201FCST02").await.expect("order");
    event(&db, &supplemented, "submitted", t0).await;
    event(&db, &supplemented, "supplement_requested", t0 + Duration::days(2)).await;
    event(&db, &supplemented, "supplement_provided", t0 + Duration::days(5)).await;
    event(&db, &supplemented, "ready", t0 + Duration::days(9)).await;
    let open = draft(&db, &vault, &submitter, "BE261201FCST03").await.expect("order");
    event(&db, &open, "submitted", t0 + Duration::days(10)).await;
    let before_the_period = draft(&db, &vault, &submitter, "BE261201FCST04").await.expect("order");
    event(&db, &before_the_period, "submitted", t0 - Duration::days(400)).await;
    event(&db, &before_the_period, "ready", t0 + Duration::days(1)).await;

    let mut progress = forecast::mission_progress(&db, lingshi_storage::seed::BELGIUM, t0 - Duration::days(30))
        .await
        .expect("progress");
    progress.sort_by_key(|p| p.order_id.clone());
    let mut expected = vec![
        (straight.clone(), t0, Some(t0 + Duration::days(6))),
        (supplemented.clone(), t0 + Duration::days(5), Some(t0 + Duration::days(9))),
        (open.clone(), t0 + Duration::days(10), None),
    ];
    expected.sort_by_key(|e| e.0.clone());
    let seconds = |t: DateTime<Utc>| t.timestamp();
    let got: Vec<_> = progress
        .iter()
        .map(|p: &Progress| (p.order_id.clone(), seconds(p.clock_start), p.ready_at.map(seconds)))
        .collect();
    let want: Vec<_> =
        expected.into_iter().map(|(id, start, ready)| (id, seconds(start), ready.map(seconds))).collect();
    assert_eq!(got, want, "the order whose clock started before the period is left out");
    assert!(progress.iter().all(|p| p.service == "passport" && p.state == "draft"));
    let elsewhere = forecast::mission_progress(&db, "fr-embassy", t0 - Duration::days(30)).await.expect("progress");
    assert!(elsewhere.is_empty(), "another mission's history is its own");
});
