//! The orders contract, on SQLite and on PostgreSQL: drafts, encrypted forms, optimistic
//! versions, files, the timeline and idempotency keys.

use chrono::Utc;
use lingshi_domain::ContactAddress;
use lingshi_domain::order::OrderState;
use lingshi_storage::orders::{self, NewFile, NewOrder};
use lingshi_storage::{Db, MasterKey, StorageError, Vault, accounts, both_backends, seed};
use serde_json::json;

pub fn vault() -> Vault {
    Vault::new(&MasterKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").expect("key"))
}

/// Runs `sql` (`$1` the value, `$2` the row's id) straight on the database, past the code.
async fn set_column(db: &Db, sql: &'static str, value: &'static str, id: &str) -> Result<u64, sqlx::Error> {
    lingshi_storage::db_run!(db, |pool| {
        sqlx::query(sql).bind(value).bind(id).execute(pool).await.map(|done| done.rows_affected())
    })
}

pub async fn account(db: &Db, login: &str) -> String {
    let mut tx = db.begin().await.expect("begin");
    let address = ContactAddress::parse(login).expect("address");
    let account = accounts::create(&mut tx, &address, "hash", "zh-CN", Utc::now()).await.expect("create");
    tx.commit().await.expect("commit");
    account.id
}

pub async fn draft(db: &Db, vault: &Vault, submitter: &str, number: &str) -> Result<String, StorageError> {
    seed::seed_missions(db).await.expect("seed");
    let form = json!({"details": {"surname_zh": "张", "given_name_zh": "三"}});
    let new = NewOrder {
        number,
        mission_id: seed::BELGIUM,
        service: "passport",
        submitter_id: Some(submitter),
        intake_staff_id: None,
        on_behalf: false,
        application_type: Some("renewal.passport.renewal"),
        form: &form,
    };
    let mut tx = db.begin().await.expect("begin");
    let id = orders::create(&mut tx, vault, &new, Utc::now()).await?;
    tx.commit().await.expect("commit");
    Ok(id)
}

both_backends!(a_draft_is_its_submitters_alone_and_its_form_is_sealed, |db: Db, _dir| async move {
    let vault = vault();
    let owner = account(&db, "owner@example.org").await;
    let stranger = account(&db, "stranger@example.org").await;
    let id = draft(&db, &vault, &owner, "BE261125AAAAAA").await.expect("draft");
    let order = orders::find_for_submitter(&db, &vault, &id, &owner).await.expect("find").expect("owner sees it");
    assert_eq!((order.state, order.form["details"]["surname_zh"].as_str()), (OrderState::Draft, Some("张")));
    assert_eq!(order.application_type.as_deref(), Some("renewal.passport.renewal"), "the type given at the start");
    assert!(orders::find_for_submitter(&db, &vault, &id, &stranger).await.expect("find").is_none());
    assert_eq!(orders::list_for_submitter(&db, &vault, &owner).await.expect("list").len(), 1);
    assert!(orders::list_for_submitter(&db, &vault, &stranger).await.expect("list").is_empty());
    let other_key = Vault::new(&MasterKey::generate().expect("key"));
    assert!(matches!(orders::find_for_submitter(&db, &other_key, &id, &owner).await, Err(StorageError::Crypto)));
    let duplicate = draft(&db, &vault, &owner, "BE261125AAAAAA").await;
    assert!(matches!(duplicate, Err(StorageError::Conflict("orders.number"))));
    // The database takes every state the domain has, and refuses any other.
    let set_state = |state: &'static str| set_column(&db, "UPDATE orders SET state = $1 WHERE id = $2", state, &id);
    for state in OrderState::ALL {
        assert_eq!(set_state(state.code()).await.expect("a domain state"), 1, "{state:?}");
    }
    assert!(set_state("teleported").await.is_err(), "the database refuses a state no code writes");
    // Were it there all the same (a check dropped by hand), it is named as corrupt, not
    // mistaken for a decryption failure.
    match &db {
        Db::Sqlite(sqlite) => sqlx::query("DROP TRIGGER orders_state_known_on_update")
            .execute(&mut *sqlite.reader().await.expect("a reader"))
            .await
            .map(|_| ()),
        Db::Postgres(pool) => {
            sqlx::query("ALTER TABLE orders DROP CONSTRAINT orders_state_known").execute(pool).await.map(|_| ())
        }
    }
    .expect("drop the check");
    set_state("teleported").await.expect("unchecked");
    let corrupt = orders::find_for_submitter(&db, &vault, &id, &owner).await;
    assert!(matches!(corrupt, Err(StorageError::Corrupt("orders.state"))), "{corrupt:?}");
});

both_backends!(accounts_hold_only_the_identity_states_their_code_writes, |db: Db, _dir| async move {
    let id = account(&db, "checked@example.org").await;
    let set =
        |state: &'static str| set_column(&db, "UPDATE accounts SET identity_state = $1 WHERE id = $2", state, &id);
    for state in lingshi_domain::IdentityState::ALL {
        assert_eq!(set(state.code()).await.expect("a domain state"), 1, "{state:?}");
    }
    assert!(set("half_verified").await.is_err());
});

both_backends!(two_writers_of_one_version_cannot_both_win, |db: Db, _dir| async move {
    let vault = vault();
    let owner = account(&db, "owner@example.org").await;
    let id = draft(&db, &vault, &owner, "BE261125BBBBBB").await.expect("draft");
    let first = orders::find_for_submitter(&db, &vault, &id, &owner).await.expect("find").expect("order");
    let mut second = first.clone();
    let mut tx = db.begin().await.expect("begin");
    let version = orders::save(&mut tx, &vault, &OrderWith::progress(first, 3), Utc::now()).await.expect("first wins");
    tx.commit().await.expect("commit");
    assert_eq!(version, 1);
    second.state = OrderState::Deleted;
    let mut tx = db.begin().await.expect("begin");
    let lost = orders::save(&mut tx, &vault, &second, Utc::now()).await;
    assert!(matches!(lost, Err(StorageError::Conflict("orders.version"))));
    drop(tx);
    let now = orders::find_for_submitter(&db, &vault, &id, &owner).await.expect("find").expect("still there");
    assert_eq!((now.progress, now.state, now.version), (3, OrderState::Draft, 1));
});

struct OrderWith;

impl OrderWith {
    fn progress(mut order: orders::Order, progress: i32) -> orders::Order {
        order.progress = progress;
        order
    }
}

both_backends!(files_replace_or_accumulate_and_the_timeline_keeps_notes_sealed, |db: Db, _dir| async move {
    let vault = vault();
    let owner = account(&db, "owner@example.org").await;
    let id = draft(&db, &vault, &owner, "BE261125CCCCCC").await.expect("draft");
    let file =
        |slot, key| NewFile { slot, blob_key: key, content_kind: "jpeg", size_bytes: 10, report: None, reading: None };
    let mut tx = db.begin().await.expect("begin");
    orders::put_file(&mut tx, &vault, &id, &file("photo", "a"), true, Utc::now()).await.expect("photo");
    orders::put_file(&mut tx, &vault, &id, &file("photo", "b"), true, Utc::now()).await.expect("new photo");
    orders::put_file(&mut tx, &vault, &id, &file("other", "c"), false, Utc::now()).await.expect("other");
    let second_other =
        orders::put_file(&mut tx, &vault, &id, &file("other", "d"), false, Utc::now()).await.expect("other");
    orders::add_event(&mut tx, &vault, &id, OrderState::Draft, "created", Some("护照遗失"), Utc::now())
        .await
        .expect("event");
    tx.commit().await.expect("commit");
    let keys: Vec<String> =
        orders::files(&db, &vault, &id).await.expect("files").into_iter().map(|f| f.blob_key).collect();
    assert_eq!(keys, ["c", "d", "b"]);
    let mut tx = db.begin().await.expect("begin");
    orders::remove_file(&mut tx, &id, &second_other).await.expect("remove");
    assert!(matches!(orders::remove_file(&mut tx, "another-order", &second_other).await, Err(StorageError::NotFound)));
    tx.commit().await.expect("commit");
    assert_eq!(orders::files(&db, &vault, &id).await.expect("files").len(), 2);
    let events = orders::events(&db, &vault, &id).await.expect("events");
    assert_eq!(events[0].note.as_deref(), Some("护照遗失"));
});

both_backends!(an_orders_lists_are_read_together_each_in_its_place, |db: Db, _dir| async move {
    use lingshi_storage::order_work::{self, NewPayment};
    let vault = vault();
    let owner = account(&db, "lists@example.org").await;
    let id = draft(&db, &vault, &owner, "BE261125EEEEEE").await.expect("draft");
    let other = draft(&db, &vault, &owner, "BE261125FFFFFF").await.expect("draft");
    let mut tx = db.begin().await.expect("begin");
    for order in [&id, &other] {
        let file = NewFile {
            slot: "photo",
            blob_key: order,
            content_kind: "jpeg",
            size_bytes: 10,
            report: None,
            reading: None,
        };
        orders::put_file(&mut tx, &vault, order, &file, true, Utc::now()).await.expect("photo");
    }
    orders::add_event(&mut tx, &vault, &id, OrderState::Draft, "created", Some("护照遗失"), Utc::now())
        .await
        .expect("event");
    let payment = NewPayment {
        order_id: &id,
        kind: "payment",
        method: "card",
        amount_minor: 1600,
        currency: "EUR",
        reference: Some("T-1"),
        staff_id: "officer",
    };
    order_work::record_payment(&mut tx, &vault, &payment, Utc::now()).await.expect("payment");
    order_work::request_supplement(&mut tx, &vault, &id, ("photo", "背景不白", None), "officer", Utc::now())
        .await
        .expect("supplement");
    tx.commit().await.expect("commit");

    let lists = orders::lists(&db, &vault, &id).await.expect("lists");
    assert_eq!(lists.files.iter().map(|f| f.blob_key.as_str()).collect::<Vec<_>>(), [id.as_str()], "its own file only");
    assert_eq!(lists.events.iter().map(|e| e.note.as_deref()).collect::<Vec<_>>(), [Some("护照遗失")]);
    assert_eq!(lists.payments.iter().map(|p| p.reference.as_deref()).collect::<Vec<_>>(), [Some("T-1")]);
    assert_eq!(lists.supplements.iter().map(|s| s.reason.as_str()).collect::<Vec<_>>(), ["背景不白"]);
    assert!(lists.online_payments.is_empty() && lists.online_refunds.is_empty() && lists.interviews.is_empty());
    let others = orders::lists(&db, &vault, &other).await.expect("lists");
    assert_eq!(
        (others.files.len(), others.events.len(), others.payments.len(), others.supplements.len()),
        (1, 0, 0, 0)
    );
    // Read twice on one connection: the prepared command is reused, not run half.
    let again = orders::lists(&db, &vault, &id).await.expect("lists");
    assert_eq!((again.files.len(), again.events.len(), again.payments.len()), (1, 1, 1));

    // The order and its lists in one read, found only in its scope.
    use orders::Scope;
    let (order, listed) =
        orders::find_listed(&db, &vault, &id, Scope::Submitter(&owner)).await.expect("find").expect("the submitter's");
    assert_eq!((order.id.as_str(), order.form["details"]["surname_zh"].as_str()), (id.as_str(), Some("张")));
    assert_eq!(
        (listed.files.len(), listed.events.len(), listed.payments.len(), listed.supplements.len()),
        (1, 1, 1, 1)
    );
    let stranger = account(&db, "stranger@example.org").await;
    assert!(orders::find_listed(&db, &vault, &id, Scope::Submitter(&stranger)).await.expect("find").is_none());
    assert!(
        orders::find_listed(&db, &vault, &id, Scope::Mission(None)).await.expect("find").is_none(),
        "staff never see a draft"
    );
    let (_, platform) = orders::find_listed(&db, &vault, &other, Scope::Platform).await.expect("find").expect("any");
    assert_eq!((platform.files.len(), platform.events.len()), (1, 0), "the other order's own lists");
    set_column(&db, "UPDATE orders SET state = $1 WHERE id = $2", "under_review", &id).await.expect("submitted");
    assert!(orders::find_listed(&db, &vault, &id, Scope::Mission(Some(seed::BELGIUM))).await.expect("find").is_some());
    let elsewhere = orders::find_listed(&db, &vault, &id, Scope::Mission(Some("fr-embassy"))).await.expect("find");
    assert!(elsewhere.is_none(), "another mission's staff do not find it");
    assert!(orders::find_listed(&db, &vault, "no-such-order", Scope::Platform).await.expect("find").is_none());
});

both_backends!(an_idempotency_key_names_one_order_per_account, |db: Db, _dir| async move {
    let vault = vault();
    let owner = account(&db, "owner@example.org").await;
    let other = account(&db, "other@example.org").await;
    let id = draft(&db, &vault, &owner, "BE261125DDDDDD").await.expect("draft");
    let mut tx = db.begin().await.expect("begin");
    assert_eq!(orders::idempotent_order(&mut tx, &owner, "k1").await.expect("lookup"), None);
    orders::remember_idempotency_key(&mut tx, &owner, "k1", &id, Utc::now()).await.expect("remember");
    tx.commit().await.expect("commit");
    let mut tx = db.begin().await.expect("begin");
    assert_eq!(orders::idempotent_order(&mut tx, &owner, "k1").await.expect("lookup"), Some(id.clone()));
    assert_eq!(orders::idempotent_order(&mut tx, &other, "k1").await.expect("lookup"), None, "keys are per account");
    let again = orders::remember_idempotency_key(&mut tx, &owner, "k1", &id, Utc::now()).await;
    assert!(matches!(again, Err(StorageError::Conflict("idempotency_keys"))));
});
