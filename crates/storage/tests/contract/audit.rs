//! The audit chain, on SQLite and on PostgreSQL: appended rows verify, and any edit,
//! deletion or reordering is caught at the first row it breaks.

use chrono::Utc;
use lingshi_storage::audit::{self, AuditActor, AuditEntry, ChainCheck};
use lingshi_storage::{Db, MasterKey, Vault, both_backends};

fn vault() -> Vault {
    Vault::new(&MasterKey::generate().expect("key"))
}

async fn append_three(db: &Db, vault: &Vault) {
    let officer = AuditActor { kind: "staff", id: "officer-1".into(), role: Some("reviewer".into()) };
    for (action, reason) in [("accept", None), ("reject", Some("照片不符合要求")), ("mark_ready", None)] {
        let entry = AuditEntry {
            mission_id: Some("be-embassy"),
            actor: &officer,
            action,
            order_id: Some("order-1"),
            before_state: Some("under_review"),
            after_state: Some("awaiting_production"),
            reason,
        };
        let mut tx = db.begin().await.expect("begin");
        audit::append(&mut tx, vault, &entry, Utc::now()).await.expect("append");
        tx.commit().await.expect("commit");
    }
}

async fn execute(db: &Db, sql: &'static str) {
    lingshi_storage::db_run!(db, |pool| sqlx::query(sql).execute(pool).await.map(|d| d.rows_affected()))
        .expect("tamper");
}

both_backends!(an_untouched_chain_verifies_and_keeps_reasons_sealed, |db: Db, _dir| async move {
    let vault = vault();
    assert_eq!(audit::verify(&db).await.expect("verify"), ChainCheck::Intact { rows: 0 });
    append_three(&db, &vault).await;
    assert_eq!(audit::verify(&db).await.expect("verify"), ChainCheck::Intact { rows: 3 });
    let trail = audit::for_order(&db, "order-1").await.expect("trail");
    assert_eq!(trail[1].reason_text(&vault).expect("decrypt").as_deref(), Some("照片不符合要求"));
    assert!(!String::from_utf8_lossy(trail[1].reason.as_deref().unwrap_or_default()).contains("照片"));
    assert_eq!(audit::for_mission(&db, "be-embassy").await.expect("mission").len(), 3);
});

both_backends!(an_edited_row_is_caught_where_it_was_edited, |db: Db, _dir| async move {
    append_three(&db, &vault()).await;
    execute(&db, "UPDATE audit_log SET action = 'accept' WHERE seq = 2").await;
    assert_eq!(audit::verify(&db).await.expect("verify"), ChainCheck::BrokenAt { seq: 2 });
});

both_backends!(a_deleted_row_is_caught, |db: Db, _dir| async move {
    append_three(&db, &vault()).await;
    execute(&db, "DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(audit::verify(&db).await.expect("verify"), ChainCheck::BrokenAt { seq: 2 });
});

both_backends!(a_rehashed_row_still_breaks_the_next_link, |db: Db, _dir| async move {
    append_three(&db, &vault()).await;
    // Whoever edits a row and recomputes its hash must also rewrite every later row.
    execute(&db, "UPDATE audit_log SET hash = prev_hash WHERE seq = 1").await;
    assert_eq!(audit::verify(&db).await.expect("verify"), ChainCheck::BrokenAt { seq: 1 });
});
