//! Claims on orders: one owner however many officers claim at once, a claim that lapses when
//! idle, released only by its holder (or anyone's by an admin), kept alive by work.

use crate::orders_contract::{account, draft};
use chrono::{Duration, Utc};
use lingshi_storage::claims::{self, Claimed};
use lingshi_storage::{Db, MasterKey, Vault, both_backends, seed};

const IDLE: Duration = Duration::minutes(30);

async fn claim(db: &Db, order: &str, officer: &str, now: chrono::DateTime<Utc>) -> Claimed {
    let mut tx = db.begin().await.expect("begin");
    let claimed = claims::claim(&mut tx, order, officer, now, IDLE).await.expect("claim");
    tx.commit().await.expect("commit");
    claimed
}

both_backends!(officers_claiming_at_once_end_with_one_owner, |db: Db, _dir| async move {
    let vault = Vault::new(&MasterKey::generate().expect("key"));
    let submitter = account(&db, "claims@example.org").await;
    let order = draft(&db, &vault, &submitter, "BE261201CLAIM1").await.expect("order");
    let now = Utc::now();
    let attempts = (0..12).map(|n| {
        let (db, order) = (db.clone(), order.clone());
        tokio::spawn(async move { (n, claim(&db, &order, &format!("officer-{n}"), now).await) })
    });
    let outcomes: Vec<_> =
        futures_util::future::join_all(attempts).await.into_iter().map(|r| r.expect("join")).collect();
    let winners: Vec<_> = outcomes.iter().filter(|(_, c)| *c == Claimed::Yours).map(|(n, _)| *n).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    let owner = format!("officer-{}", winners[0]);
    assert!(outcomes.iter().all(|(_, c)| *c == Claimed::Yours || *c == Claimed::HeldBy(owner.clone())));
    assert_eq!(claims::holder(&db, &order, now, IDLE).await.expect("holder"), Some(owner.clone()));
    assert_eq!(claims::held_by(&db, seed::BELGIUM, &owner, now, IDLE).await.expect("mine"), vec![order.clone()]);
});

both_backends!(a_claim_lapses_when_idle_and_work_keeps_it_alive, |db: Db, _dir| async move {
    let vault = Vault::new(&MasterKey::generate().expect("key"));
    let submitter = account(&db, "idle@example.org").await;
    let order = draft(&db, &vault, &submitter, "BE261201CLAIM2").await.expect("order");
    let start = Utc::now() - Duration::hours(2);
    assert_eq!(claim(&db, &order, "first", start).await, Claimed::Yours);
    assert_eq!(claim(&db, &order, "second", start + Duration::minutes(20)).await, Claimed::HeldBy("first".into()));
    // The holder works on it at 25 minutes: still theirs at 50.
    let mut tx = db.begin().await.expect("begin");
    claims::touch(&mut tx, &order, "first", start + Duration::minutes(25)).await.expect("touch");
    claims::touch(&mut tx, &order, "second", start + Duration::minutes(26)).await.expect("a stranger's work");
    tx.commit().await.expect("commit");
    assert_eq!(claim(&db, &order, "second", start + Duration::minutes(50)).await, Claimed::HeldBy("first".into()));
    // Idle past the limit, it goes to whoever claims it.
    assert_eq!(claims::holder(&db, &order, start + Duration::minutes(56), IDLE).await.expect("holder"), None);
    assert_eq!(claim(&db, &order, "second", start + Duration::minutes(56)).await, Claimed::Yours);
    let mut tx = db.begin().await.expect("begin");
    assert!(!claims::release(&mut tx, &order, Some("first")).await.expect("release"), "not theirs any more");
    assert!(claims::release(&mut tx, &order, Some("second")).await.expect("release"));
    claims::assign(&mut tx, &order, "third", start + Duration::minutes(57)).await.expect("assign");
    assert!(claims::release(&mut tx, &order, None).await.expect("an admin releases anyone's"));
    tx.commit().await.expect("commit");
    assert_eq!(claims::holder(&db, &order, start + Duration::minutes(58), IDLE).await.expect("holder"), None);
});
