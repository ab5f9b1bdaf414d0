//! The storage contract: every test runs on SQLite and on PostgreSQL (`both_backends!`).

#[path = "contract/audit.rs"]
mod audit_chain;
#[path = "contract/backup.rs"]
mod backup_contract;
#[path = "contract/blobs.rs"]
mod blobs_contract;
#[path = "contract/claims.rs"]
mod claims_contract;
#[path = "contract/deliveries.rs"]
mod deliveries_contract;
#[path = "contract/forecast.rs"]
mod forecast_contract;
#[path = "contract/group_commit.rs"]
mod group_commit;
#[path = "contract/interviews.rs"]
mod interviews_contract;
#[path = "contract/orders.rs"]
mod orders_contract;

use chrono::{Duration, Utc};
use lingshi_domain::order::StaffRole;
use lingshi_domain::{ContactAddress, IdentityDocument, IdentityState, PersonName};
use lingshi_storage::accounts::{self, FaceStep};
use lingshi_storage::codes::{self, CodeCheck, NewCode, Purpose};
use lingshi_storage::jobs::{self, Fate};
use lingshi_storage::sessions::{self, Lifetime, PrincipalKind, Session};
use lingshi_storage::staff::{self, NewStaff};
use lingshi_storage::{
    Db, MasterKey, StorageError, Vault, both_backends, dev_outbox, migrate, missions, seed, throttle,
};

fn vault() -> Vault {
    Vault::new(&MasterKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").expect("key"))
}

fn address(text: &str) -> ContactAddress {
    ContactAddress::parse(text).expect("valid address")
}

async fn new_account(db: &Db, login: &str) -> accounts::Account {
    let mut tx = db.begin().await.expect("begin");
    let account = accounts::create(&mut tx, &address(login), "hash", "zh-CN", Utc::now()).await.expect("create");
    tx.commit().await.expect("commit");
    account
}

both_backends!(migrations_apply_once, |db: Db, _dir| async move {
    assert_eq!(migrate::run(&db).await.expect("rerun"), 0, "a second run applies nothing");
});

// A rolling upgrade: a newer node has applied an expanding migration (a new table, a new
// nullable column) while older nodes still run; an older node that restarts starts on that
// schema and its writes still work (docs/DEPLOYMENT.md, expand and contract).
both_backends!(an_older_node_starts_and_writes_on_a_newer_expanded_schema, |db: Db, _dir| async move {
    let newer = [
        "CREATE TABLE newer_release_notes (id TEXT PRIMARY KEY, note TEXT)",
        "ALTER TABLE accounts ADD COLUMN newer_release_flag TEXT",
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'newer_release', 'unknown here', '2026-12-01T00:00:00Z')",
    ];
    for sql in newer {
        lingshi_storage::db_run!(&db, |pool| sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .expect("newer migration");
    }
    assert_eq!(migrate::run(&db).await.expect("an older node starts"), 0);
    let account = new_account(&db, "older.node@example.com").await;
    assert!(accounts::find(&db, &account.id).await.expect("find").is_some(), "its writes still work");
});

both_backends!(seeded_directory_holds_belgium_as_the_guide_gives_it, |db: Db, _dir| async move {
    assert_eq!(seed::seed_missions(&db).await.expect("seed"), seed::missions().len());
    assert_eq!(seed::seed_missions(&db).await.expect("reseed"), 0, "seeding is idempotent");
    let belgium = missions::find(&db, seed::BELGIUM).await.expect("find").expect("Belgium is seeded");
    assert_eq!(belgium.address, "439 Avenue de Tervuren, 1150 Woluwe-Saint-Pierre, Bruxelles");
    assert_eq!(belgium.phone.as_deref(), Some("0032-26633001"));
    assert_eq!(belgium.address_note.as_ref().map(|n| n.zh.as_str()), Some("使馆正门北侧约 15 米"));
    assert_eq!(belgium.email.as_deref(), Some("belconsulate@mfa.gov.cn"));
    assert_eq!(
        (belgium.name.get("zh-Hant"), belgium.name.get("fr"), belgium.country.get("nl")),
        ("中國駐比利時大使館", "Ambassade de la République populaire de Chine en Belgique", "België"),
        "the translations are stored with the directory"
    );
    assert!(belgium.serves("BE") && !belgium.serves("FR"));
    let all = missions::list(&db).await.expect("list");
    assert!(all.len() >= 5, "at least four missions besides Belgium");
    assert!(missions::find(&db, "atlantis").await.expect("find").is_none());
});

both_backends!(a_login_is_taken_once, |db: Db, _dir| async move {
    new_account(&db, "zs@example.com").await;
    let mut tx = db.begin().await.expect("begin");
    let again = accounts::create(&mut tx, &address("ZS@example.com"), "h", "en", Utc::now()).await;
    assert!(matches!(again, Err(StorageError::Conflict("accounts.login"))));
    let found = accounts::find_by_login(&db, "zs@example.com").await.expect("find").expect("exists");
    assert_eq!(found.identity_state, IdentityState::Unverified);
});

both_backends!(identity_is_encrypted_at_rest_and_bound_to_one_account, |db: Db, _dir| async move {
    let vault = vault();
    let first = new_account(&db, "a@example.com").await;
    let second = new_account(&db, "b@example.com").await;
    let name = PersonName::parse("张三").expect("name");
    let today = Utc::now().date_naive();
    let document = IdentityDocument::parse("resident_id", "11010519491231002X", today).expect("id");

    let mut tx = db.begin().await.expect("begin");
    accounts::record_identity(&mut tx, &vault, &first.id, &name, &document, Utc::now()).await.expect("record");
    tx.commit().await.expect("commit");

    let raw = accounts::raw_identity_columns(&db, &first.id).await.expect("raw");
    assert_eq!(raw.len(), 2);
    for column in &raw {
        assert!(!column.windows(6).any(|w| w == "张三".as_bytes()));
        assert!(!column.windows(8).any(|w| w == b"19491231"));
    }
    let identity = accounts::identity(&db, &vault, &first.id).await.expect("read").expect("present");
    assert_eq!((identity.name.as_str(), identity.document_number.as_str()), ("张三", "11010519491231002X"));
    assert_eq!(accounts::find_by_document(&db, &vault, &document).await.expect("lookup"), Some(first.id.clone()));

    let mut tx = db.begin().await.expect("begin");
    let taken = accounts::record_identity(&mut tx, &vault, &second.id, &name, &document, Utc::now()).await;
    assert!(matches!(taken, Err(StorageError::Conflict("accounts.id_number_index"))));
});

both_backends!(face_step_needs_an_identity_first_and_skipping_flags, |db: Db, _dir| async move {
    let vault = vault();
    let account = new_account(&db, "c@example.com").await;
    let mut tx = db.begin().await.expect("begin");
    let early = accounts::record_face_step(&mut tx, &account.id, &FaceStep::Skipped, Utc::now()).await;
    assert!(matches!(early, Err(StorageError::NotFound)));
    drop(tx);

    let name = PersonName::parse("李四").expect("name");
    let passport = IdentityDocument::parse("passport", "E12345678", Utc::now().date_naive()).expect("passport");
    let mut tx = db.begin().await.expect("begin");
    accounts::record_identity(&mut tx, &vault, &account.id, &name, &passport, Utc::now()).await.expect("record");
    let state = accounts::record_face_step(&mut tx, &account.id, &FaceStep::Skipped, Utc::now()).await.expect("skip");
    tx.commit().await.expect("commit");
    assert_eq!(state, IdentityState::FaceSkipped);
    let stored = accounts::find(&db, &account.id).await.expect("find").expect("exists");
    assert!(stored.identity_state.may_apply() && stored.identity_state.flags_orders());
});

both_backends!(an_uncommitted_transaction_leaves_nothing, |db: Db, _dir| async move {
    let mut tx = db.begin().await.expect("begin");
    accounts::create(&mut tx, &address("gone@example.com"), "h", "en", Utc::now()).await.expect("create");
    drop(tx);
    assert!(accounts::find_by_login(&db, "gone@example.com").await.expect("find").is_none());
});

fn code<'a>(address: &'a str, code: &'a str, client: &'a [u8]) -> NewCode<'a> {
    NewCode {
        purpose: Purpose::Register,
        address,
        code,
        pending_secret: Some("argon2-hash"),
        locale: "en",
        client_key: client,
        ttl: Duration::minutes(10),
    }
}

async fn check(db: &Db, address: &str, attempt: &str, now: chrono::DateTime<Utc>) -> CodeCheck {
    let mut tx = db.begin().await.expect("begin");
    let outcome = codes::check(&mut tx, &vault(), Purpose::Register, address, attempt, 5, now).await.expect("check");
    tx.commit().await.expect("commit");
    outcome
}

async fn issue(db: &Db, new: NewCode<'_>, now: chrono::DateTime<Utc>) {
    let mut tx = db.begin().await.expect("begin");
    codes::issue(&mut tx, &vault(), new, now).await.expect("issue");
    tx.commit().await.expect("commit");
}

both_backends!(codes_are_single_use_and_count_wrong_tries, |db: Db, _dir| async move {
    let now = Utc::now();
    issue(&db, code("d@example.com", "123456", b"client"), now).await;
    assert_eq!(check(&db, "d@example.com", "000000", now).await, CodeCheck::Wrong { tries_left: 4 });
    assert_eq!(
        check(&db, "d@example.com", "123456", now).await,
        CodeCheck::Accepted { pending_secret: Some("argon2-hash".into()), locale: "en".into() }
    );
    assert_eq!(check(&db, "d@example.com", "123456", now).await, CodeCheck::Unknown, "a used code is gone");
});

both_backends!(codes_expire_and_lock_after_five_tries, |db: Db, _dir| async move {
    let now = Utc::now();
    issue(&db, code("e@example.com", "111111", b"client"), now).await;
    assert_eq!(check(&db, "e@example.com", "111111", now + Duration::minutes(11)).await, CodeCheck::Expired);

    issue(&db, code("f@example.com", "222222", b"client"), now).await;
    for _ in 0..5 {
        assert!(matches!(check(&db, "f@example.com", "999999", now).await, CodeCheck::Wrong { .. }));
    }
    assert_eq!(check(&db, "f@example.com", "222222", now).await, CodeCheck::TooManyTries);
});

both_backends!(a_new_code_voids_the_previous_one, |db: Db, _dir| async move {
    let now = Utc::now();
    issue(&db, code("g@example.com", "333333", b"client"), now).await;
    issue(&db, code("g@example.com", "444444", b"client"), now + Duration::seconds(1)).await;
    assert!(matches!(check(&db, "g@example.com", "333333", now).await, CodeCheck::Wrong { .. }));
    assert!(matches!(check(&db, "g@example.com", "444444", now).await, CodeCheck::Accepted { .. }));
    let since = now - Duration::hours(1);
    let counts = codes::issue_counts(&db, "g@example.com", Purpose::Register, b"client", since).await.expect("counts");
    assert_eq!((counts.to_address, counts.to_client), (2, 2));
    assert!(counts.last_for_purpose.is_some());
    let reset =
        codes::issue_counts(&db, "g@example.com", Purpose::ResetPassword, b"client", since).await.expect("counts");
    assert_eq!((reset.to_address, reset.last_for_purpose), (2, None), "the interval is per purpose, the cap is not");
    let other = codes::issue_counts(&db, "h@example.com", Purpose::Register, b"other", since).await.expect("counts");
    assert_eq!((other.to_address, other.to_client, other.last_for_purpose), (0, 0, None));
});

both_backends!(sessions_slide_expire_and_end, |db: Db, _dir| async move {
    let now = Utc::now();
    let lifetime = Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(8) };
    let session = Session { kind: PrincipalKind::Account, principal_id: "acct-1".into() };
    let mut tx = db.begin().await.expect("begin");
    sessions::create(&mut tx, "token-a", &session, lifetime, now).await.expect("create");
    sessions::create(&mut tx, "token-b", &session, lifetime, now).await.expect("create");
    tx.commit().await.expect("commit");

    let idle = lifetime.idle;
    assert_eq!(sessions::touch(&db, "token-a", idle, now).await.expect("touch"), Some(session.clone()));
    assert_eq!(
        sessions::touch(&db, "token-a", idle, now + Duration::minutes(25)).await.expect("t"),
        Some(session.clone())
    );
    assert_eq!(
        sessions::touch(&db, "token-a", idle, now + Duration::minutes(50)).await.expect("t"),
        Some(session.clone()),
        "use slides the idle expiry"
    );
    assert_eq!(
        sessions::touch(&db, "token-a", idle, now + Duration::minutes(90)).await.expect("t"),
        None,
        "idle too long"
    );
    assert_eq!(sessions::touch(&db, "unknown", idle, now).await.expect("t"), None);

    let mut tx = db.begin().await.expect("begin");
    assert_eq!(sessions::delete_all_for(&mut tx, PrincipalKind::Account, "acct-1").await.expect("delete"), 2);
    tx.commit().await.expect("commit");
    assert_eq!(sessions::touch(&db, "token-b", idle, now).await.expect("t"), None);
});

both_backends!(a_read_inside_the_minute_writes_nothing_and_the_idle_promise_holds, |db: Db, _dir| async move {
    let now = Utc::now();
    let lifetime = Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(8) };
    let session = Session { kind: PrincipalKind::Account, principal_id: "acct-1".into() };
    let mut tx = db.begin().await.expect("begin");
    sessions::create(&mut tx, "token", &session, lifetime, now).await.expect("create");
    tx.commit().await.expect("commit");
    let expiry = || sessions::idle_expires_at(&db, "token");
    let created = expiry().await.expect("read").expect("session");
    for seconds in [1, 20, 59] {
        let at = now + Duration::seconds(seconds);
        assert!(sessions::touch(&db, "token", lifetime.idle, at).await.expect("touch").is_some());
        assert_eq!(expiry().await.expect("read"), Some(created), "a read at +{seconds} s wrote nothing");
    }
    let later = now + Duration::seconds(90);
    sessions::touch(&db, "token", lifetime.idle, later).await.expect("touch");
    let slid = expiry().await.expect("read").expect("session");
    assert!(slid >= later + lifetime.idle, "at least the idle window after the last use: {slid}");
    assert!(slid > created, "slid forward");
    // An older request arriving late cannot move the expiry back.
    sessions::touch(&db, "token", lifetime.idle, now + Duration::seconds(61)).await.expect("touch");
    assert_eq!(expiry().await.expect("read"), Some(slid));
});

both_backends!(a_session_and_its_principal_are_read_together_and_by_kind_only, |db: Db, _dir| async move {
    seed::seed_missions(&db).await.expect("seed");
    let now = Utc::now();
    let lifetime = Lifetime { idle: Duration::minutes(30), absolute: Duration::hours(8) };
    let account = new_account(&db, "by.session@example.com").await;
    let new = NewStaff {
        mission_id: Some(seed::BELGIUM),
        username: "li.session",
        display_name: "李",
        role: StaffRole::Reviewer,
        password_hash: "hash",
    };
    let mut tx = db.begin().await.expect("begin");
    let officer = staff::create(&mut tx, &new, now).await.expect("staff");
    let applicant = Session { kind: PrincipalKind::Account, principal_id: account.id.clone() };
    let officer_session = Session { kind: PrincipalKind::Staff, principal_id: officer.id.clone() };
    sessions::create(&mut tx, "applicant-token", &applicant, lifetime, now).await.expect("create");
    sessions::create(&mut tx, "staff-token", &officer_session, lifetime, now).await.expect("create");
    tx.commit().await.expect("commit");

    let idle = lifetime.idle;
    let found = accounts::by_session(&db, "applicant-token", idle, now).await.expect("read").expect("signed in");
    assert_eq!((found.id, found.login), (account.id.clone(), account.login.clone()));
    let found = staff::by_session(&db, "staff-token", idle, now).await.expect("read").expect("signed in");
    assert_eq!(found, officer);
    assert!(
        accounts::by_session(&db, "staff-token", idle, now).await.expect("read").is_none(),
        "a staff token is not an applicant's"
    );
    assert!(staff::by_session(&db, "applicant-token", idle, now).await.expect("read").is_none(), "nor the reverse");
    assert!(accounts::by_session(&db, "unknown", idle, now).await.expect("read").is_none());

    let created = sessions::idle_expires_at(&db, "applicant-token").await.expect("read");
    accounts::by_session(&db, "applicant-token", idle, now + Duration::seconds(30)).await.expect("read");
    assert_eq!(
        sessions::idle_expires_at(&db, "applicant-token").await.expect("read"),
        created,
        "no write within the minute"
    );
    let later = now + Duration::minutes(20);
    accounts::by_session(&db, "applicant-token", idle, later).await.expect("read").expect("still live");
    let slid = sessions::idle_expires_at(&db, "applicant-token").await.expect("read").expect("session");
    assert!(slid >= later + idle, "slid like any session: {slid}");
    let gone = later + Duration::minutes(95);
    assert!(accounts::by_session(&db, "applicant-token", idle, gone).await.expect("read").is_none(), "idle too long");
});

both_backends!(sessions_end_at_their_absolute_lifetime, |db: Db, _dir| async move {
    let now = Utc::now();
    let lifetime = Lifetime { idle: Duration::hours(2), absolute: Duration::hours(3) };
    let session = Session { kind: PrincipalKind::Staff, principal_id: "staff-1".into() };
    let mut tx = db.begin().await.expect("begin");
    sessions::create(&mut tx, "token", &session, lifetime, now).await.expect("create");
    tx.commit().await.expect("commit");
    for hour in 1..3 {
        assert!(sessions::touch(&db, "token", lifetime.idle, now + Duration::hours(hour)).await.expect("t").is_some());
    }
    assert_eq!(sessions::touch(&db, "token", lifetime.idle, now + Duration::minutes(181)).await.expect("t"), None);
    assert_eq!(sessions::purge_expired(&db, now + Duration::hours(4)).await.expect("purge"), 1);
});

async fn enqueue(db: &Db, kind: &str, max_attempts: i32) -> String {
    let mut tx = db.begin().await.expect("begin");
    let id =
        jobs::enqueue(&mut tx, &vault(), kind, &serde_json::json!({"to": "z@example.com"}), max_attempts, Utc::now())
            .await
            .expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

both_backends!(jobs_are_leased_retried_and_finally_dead, |db: Db, _dir| async move {
    let vault = vault();
    let id = enqueue(&db, "send_mail", 2).await;
    let now = Utc::now() + Duration::seconds(1);
    let lease = Duration::seconds(60);
    let claimed = jobs::claim(&db, &vault, lease, 10, now).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].payload["to"], "z@example.com");
    assert!(
        jobs::claim(&db, &vault, lease, 10, now).await.expect("claim").is_empty(),
        "leased jobs are not handed out twice"
    );

    let fate = jobs::fail(&db, &claimed[0], "smtp refused", now).await.expect("fail");
    assert_eq!(fate, Some(Fate::RetryAt(now + jobs::backoff(1))));
    assert!(jobs::claim(&db, &vault, lease, 10, now).await.expect("claim").is_empty(), "not before the backoff");
    let later = now + Duration::seconds(6);
    let retried = jobs::claim(&db, &vault, lease, 10, later).await.expect("claim");
    assert_eq!(retried[0].attempts, 2);
    assert_eq!(jobs::fail(&db, &retried[0], "smtp refused", later).await.expect("fail"), Some(Fate::Dead));
    let dead = jobs::list(&db, "dead", 10).await.expect("list");
    assert_eq!((dead[0].id.as_str(), dead[0].last_error.as_deref()), (id.as_str(), Some("smtp refused")));
    assert!(jobs::claim(&db, &vault, lease, 10, later + Duration::days(1)).await.expect("claim").is_empty());
});

both_backends!(an_expired_lease_is_reclaimed_and_done_jobs_drop_their_payload, |db: Db, _dir| async move {
    let vault = vault();
    enqueue(&db, "send_mail", 5).await;
    let now = Utc::now() + Duration::seconds(1);
    let first = jobs::claim(&db, &vault, Duration::seconds(30), 10, now).await.expect("claim");
    let again = jobs::claim(&db, &vault, Duration::seconds(30), 10, now + Duration::seconds(31)).await.expect("claim");
    assert_eq!(first[0].id, again[0].id, "a runner that died loses its job to another");
    // The first runner was only slow: its late word changes nothing, the lease holder's does.
    assert!(!jobs::complete(&db, &first[0], now).await.expect("complete"), "not the lease holder");
    assert_eq!(jobs::fail(&db, &first[0], "timeout", now).await.expect("fail"), None);
    assert_eq!(jobs::list(&db, "running", 10).await.expect("list").len(), 1, "still the second runner's");
    assert!(jobs::complete(&db, &again[0], now).await.expect("complete"));
    let done = jobs::list(&db, "done", 10).await.expect("list");
    assert_eq!(done.len(), 1);
    assert!(
        jobs::claim(&db, &vault, Duration::seconds(30), 10, now + Duration::hours(1)).await.expect("claim").is_empty()
    );
});

both_backends!(concurrent_runners_never_share_a_job, |db: Db, _dir| async move {
    for _ in 0..40 {
        enqueue(&db, "send_mail", 5).await;
    }
    let now = Utc::now() + Duration::seconds(1);
    let mut runners = Vec::new();
    for _ in 0..4 {
        let db = db.clone();
        runners.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = jobs::claim(&db, &vault(), Duration::seconds(60), 3, now).await.expect("claim");
                if batch.is_empty() {
                    break mine;
                }
                mine.extend(batch.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for runner in runners {
        all.extend(runner.await.expect("runner"));
    }
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!((total, all.len()), (40, 40));
});

both_backends!(staff_usernames_are_unique_and_staff_can_be_disabled, |db: Db, _dir| async move {
    seed::seed_missions(&db).await.expect("seed");
    let new = NewStaff {
        mission_id: Some(seed::BELGIUM),
        username: "wang.reviewer",
        display_name: "王审核",
        role: StaffRole::Reviewer,
        password_hash: "hash",
    };
    let mut tx = db.begin().await.expect("begin");
    let created = staff::create(&mut tx, &new, Utc::now()).await.expect("create");
    tx.commit().await.expect("commit");
    // A failed statement ends a PostgreSQL transaction, so the duplicate gets its own.
    let mut tx = db.begin().await.expect("begin");
    assert!(matches!(staff::create(&mut tx, &new, Utc::now()).await, Err(StorageError::Conflict("staff.username"))));
    drop(tx);
    let mut tx = db.begin().await.expect("begin");
    assert_eq!(staff::set_disabled(&mut tx, "wang.reviewer", true).await.expect("disable"), created.id);
    assert!(matches!(staff::set_disabled(&mut tx, "nobody", true).await, Err(StorageError::NotFound)));
    tx.commit().await.expect("commit");
    let found = staff::find(&db, &created.id).await.expect("find").expect("exists");
    assert!(found.disabled);
    assert_eq!(found.role, StaffRole::Reviewer);
    assert_eq!(staff::list(&db).await.expect("list").len(), 1);
});

both_backends!(login_failures_are_counted_per_login_and_per_client, |db: Db, _dir| async move {
    let now = Utc::now();
    for _ in 0..3 {
        throttle::record_login(&db, "i@example.com", b"client-1", false, now).await.expect("record");
    }
    throttle::record_login(&db, "i@example.com", b"client-2", false, now).await.expect("record");
    throttle::record_login(&db, "i@example.com", b"client-1", true, now).await.expect("record");
    let since = now - Duration::minutes(15);
    assert_eq!(throttle::recent_failures(&db, "i@example.com", b"client-1", since).await.expect("count"), (4, 3));
    let later = now + Duration::minutes(1);
    assert_eq!(throttle::recent_failures(&db, "i@example.com", b"client-1", later).await.expect("count"), (0, 0));
});

both_backends!(the_development_sink_keeps_messages_newest_first, |db: Db, _dir| async move {
    let now = Utc::now();
    dev_outbox::add(&db, "sms", "138****8000", "code 1", now).await.expect("add");
    dev_outbox::add(&db, "sms", "138****8000", "code 2", now + Duration::seconds(1)).await.expect("add");
    let recent = dev_outbox::recent(&db, 10).await.expect("recent");
    assert_eq!(recent.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["code 2", "code 1"]);
});

both_backends!(inbox_messages_are_sealed_to_their_account_and_read_once, |db: Db, _dir| async move {
    let vault = vault();
    let owner = new_account(&db, "inbox@example.com").await;
    let other = new_account(&db, "other.inbox@example.com").await;
    let now = Utc::now();
    let mut tx = db.begin().await.expect("begin");
    let first = lingshi_storage::inbox::add(&mut tx, &vault, (&owner.id, None), ("提醒", "请再次认证"), now)
        .await
        .expect("add");
    let second = lingshi_storage::inbox::add(
        &mut tx,
        &vault,
        (&owner.id, Some("order-1")),
        ("订单 BE1 状态更新", "您的订单 BE1 状态已更新为：审核中。"),
        now + Duration::seconds(1),
    )
    .await
    .expect("add");
    tx.commit().await.expect("commit");

    let listed = lingshi_storage::inbox::list(&db, &vault, &owner.id).await.expect("list");
    assert_eq!(
        listed.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
        [second.as_str(), first.as_str()],
        "newest first"
    );
    assert_eq!((listed[0].subject.as_str(), listed[0].order_id.as_deref()), ("订单 BE1 状态更新", Some("order-1")));
    assert_eq!(lingshi_storage::inbox::unread(&db, &owner.id).await.expect("count"), 2);
    assert!(lingshi_storage::inbox::list(&db, &vault, &other.id).await.expect("list").is_empty());
    let raw: Vec<u8> = lingshi_storage::db_run!(&db, |pool| {
        sqlx::query_scalar("SELECT body FROM inbox_messages WHERE id = $1").bind(&second).fetch_one(pool).await
    })
    .expect("raw");
    assert!(!String::from_utf8_lossy(&raw).contains("BE1"), "sealed at rest");

    let mut tx = db.begin().await.expect("begin");
    let stolen = lingshi_storage::inbox::mark_read(&mut tx, &other.id, Some(&first), now).await;
    assert!(matches!(stolen, Err(StorageError::NotFound)), "another account cannot touch it");
    lingshi_storage::inbox::mark_read(&mut tx, &owner.id, Some(&first), now).await.expect("read");
    tx.commit().await.expect("commit");
    assert_eq!(lingshi_storage::inbox::unread(&db, &owner.id).await.expect("count"), 1);
    let mut tx = db.begin().await.expect("begin");
    lingshi_storage::inbox::mark_read(&mut tx, &owner.id, None, now + Duration::minutes(5)).await.expect("all");
    tx.commit().await.expect("commit");
    let listed = lingshi_storage::inbox::list(&db, &vault, &owner.id).await.expect("list");
    assert!(listed.iter().all(|m| m.read_at.is_some()));
    let first_read = listed.iter().find(|m| m.id == first).and_then(|m| m.read_at).expect("read");
    assert!(first_read < now + Duration::minutes(1), "reading again keeps the first time");

    let mut tx = db.begin().await.expect("begin");
    lingshi_storage::erasure::erase_account(&mut tx, &owner.id, now).await.expect("erase");
    tx.commit().await.expect("commit");
    assert!(lingshi_storage::inbox::list(&db, &vault, &owner.id).await.expect("list").is_empty(), "erasure takes them");
});
