//! What became of each message, on both backends: attempts recorded once per part, parts
//! remembered across attempts, receipts that arrive before or after their part, and the state
//! staff see (sending, sent, delivered, undeliverable, expired); retention takes an order's
//! deliveries with it.

use chrono::Utc;
use lingshi_storage::deliveries::{self, Attempt, DeliveryState};
use lingshi_storage::{Db, both_backends};

fn attempt<'a>(id: &'a str, parts: usize, accepted: &'a [(usize, String)], failure: Option<&'a str>) -> Attempt<'a> {
    Attempt { id, order_id: Some("order-1"), channel: "mobile", recipient: "138****8000", parts, accepted, failure }
}

async fn state(db: &Db, id: &str) -> DeliveryState {
    deliveries::by_id(db, id).await.expect("read").expect("recorded").state
}

both_backends!(deliveries_follow_parts_and_receipts, |db: Db, _dir| async move {
    let now = Utc::now();
    // Two parts of three accepted: still sending, and the next attempt knows which.
    let first = [(0, "gw-1".to_owned()), (1, "gw-2".to_owned())];
    deliveries::record_attempt(&db, &attempt("job-1", 3, &first, None), now).await.expect("record");
    assert_eq!(state(&db, "job-1").await, DeliveryState::Sending);
    assert_eq!(deliveries::accepted_parts(&db, "job-1").await.expect("parts"), vec![0, 1]);
    // A receipt for the last part arrives before the part is recorded.
    deliveries::record_receipt(&db, "gw-3", "delivered", now).await.expect("receipt");
    let rest = [(2, "gw-3".to_owned()), (1, "gw-2".to_owned())];
    deliveries::record_attempt(&db, &attempt("job-1", 3, &rest, None), now).await.expect("record again");
    assert_eq!(deliveries::accepted_parts(&db, "job-1").await.expect("parts"), vec![0, 1, 2]);
    assert_eq!(state(&db, "job-1").await, DeliveryState::Sent, "two parts have no receipt yet");
    for id in ["gw-1", "gw-2"] {
        deliveries::record_receipt(&db, id, "delivered", now).await.expect("receipt");
    }
    assert_eq!(state(&db, "job-1").await, DeliveryState::Delivered);

    // One part expired: expired; one undeliverable: undeliverable.
    let parts = [(0, "gw-4".to_owned()), (1, "gw-5".to_owned())];
    deliveries::record_attempt(&db, &attempt("job-2", 2, &parts, None), now).await.expect("record");
    deliveries::record_receipt(&db, "gw-4", "delivered", now).await.expect("receipt");
    deliveries::record_receipt(&db, "gw-5", "expired", now).await.expect("receipt");
    assert_eq!(state(&db, "job-2").await, DeliveryState::Expired);
    deliveries::record_receipt(&db, "gw-5", "undeliverable", now).await.expect("receipt");
    assert_eq!(state(&db, "job-2").await, DeliveryState::Undeliverable);

    // Refused by the gateway: undeliverable, with the reason.
    deliveries::record_attempt(&db, &attempt("job-3", 1, &[], Some("the gateway refused the number")), now)
        .await
        .expect("record");
    let refused = deliveries::by_id(&db, "job-3").await.expect("read").expect("recorded");
    assert_eq!(
        (refused.state, refused.failure.as_deref()),
        (DeliveryState::Undeliverable, Some("the gateway refused the number"))
    );

    let listed: Vec<String> =
        deliveries::for_order(&db, "order-1").await.expect("list").into_iter().map(|d| d.id).collect();
    assert_eq!(listed.len(), 3);
    assert!(deliveries::for_order(&db, "order-2").await.expect("list").is_empty());

    let mut tx = db.begin().await.expect("begin");
    lingshi_storage::retention::delete_order_record(&mut tx, "order-1").await.expect("delete");
    tx.commit().await.expect("commit");
    assert!(deliveries::for_order(&db, "order-1").await.expect("list").is_empty());
    assert!(deliveries::accepted_parts(&db, "job-1").await.expect("parts").is_empty());
});
