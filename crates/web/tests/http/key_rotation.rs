//! Rotating the master key on both backends: a rotation that crashes after its first batch
//! leaves data under both keys, running it again finishes the job (and a third run finds
//! nothing to do), and a node under the new key finds everything — identities and orders by
//! their keyed indexes, forms, supplement reasons, files, the legalization check, an intact
//! audit chain — while the old key opens nothing.

use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use lingshi_domain::documents::IdentityDocument;
use lingshi_domain::order::StaffRole;
use lingshi_storage::audit::{self, ChainCheck};
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{Db, KeyChange, MasterKey, Vault, both_backends};
use lingshi_web::service::key_rotation::{Rotated, rotate};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

const REASON: &str = "请补充比利时居留卡";

async fn sealed_form(db: &Db, order_id: &str) -> Vec<u8> {
    lingshi_storage::db_run!(db, |pool| {
        sqlx::query_scalar("SELECT form FROM orders WHERE id = $1").bind(order_id).fetch_one(pool).await
    })
    .expect("form")
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    lingshi_storage::db_run!(db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await).expect("count")
}

/// Runs the rotation as a task that dies (like a killed process) when its first batch has
/// committed.
async fn crash_after_first_batch(db: Db, blobs: BlobStore, old: Arc<Vault>, new: Arc<Vault>) {
    let crashed = tokio::spawn(async move {
        let keys = KeyChange { old: &old, new: &new };
        let _ = rotate(&db, &blobs, keys, 1, &mut |_: &str, _: u64| panic!("the power is cut")).await;
    })
    .await;
    assert!(crashed.is_err_and(|e| e.is_panic()), "the rotation died mid-way");
}

both_backends!(a_rotation_killed_mid_way_is_finished_by_running_it_again, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir.clone()).await;
    let (_, order_id, _) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer").await;
    let ask = json!({"action": "request_supplement", "items": [{"material": "other", "reason": REASON, "due_on": "2030-01-31"}]});
    assert_eq!(reviewer.act(&order_id, ask).await.0, StatusCode::OK);
    let issuer = Officer::new(&app, Some("be-embassy"), StaffRole::Issuer, "issuer").await;
    let legalization = json!({"certificate_no": "BE-2026-000123", "check_code": "A1B2C3", "document_type": "出生公证书",
                              "issued_on": "2026-03-01", "holder_name": "张三"});
    let (status, _) = issuer.call(Method::POST, "/api/v1/staff/legalizations", Some(legalization)).await;
    assert_eq!(status, StatusCode::CREATED);
    let passport = IdentityDocument::parse("passport", "E12345678", chrono::Utc::now().date_naive()).expect("doc");
    let old = app.state.vault.clone();
    let account_id =
        lingshi_storage::accounts::find_by_document(&db, &old, &passport).await.expect("lookup").expect("account");
    let photo = lingshi_storage::orders::files(&db, &app.state.vault, &order_id).await.expect("files");
    let photo_key = photo.iter().find(|f| f.slot == "photo").map(|f| f.blob_key.clone()).expect("a photo");
    let photo_bytes = app.state.blobs.get(&old, "order_files", &photo_key).await.expect("photo");
    assert!(count(&db, "SELECT COUNT(*) FROM one_time_codes").await > 0, "sign-up left its codes");

    let new = Arc::new(Vault::new(&MasterKey::generate().expect("key")));
    let blobs = app.state.blobs.clone();
    crash_after_first_batch(db.clone(), blobs.clone(), old.clone(), new.clone()).await;
    let identity = lingshi_storage::accounts::raw_identity_columns(&db, &account_id).await.expect("raw");
    assert!(new.decrypt("accounts.id_number", &identity[1]).is_ok(), "the first batch committed under the new key");
    let form = sealed_form(&db, &order_id).await;
    assert!(old.decrypt(&format!("orders.form/{order_id}"), &form).is_ok(), "later steps had not run");

    let keys = KeyChange { old: &old, new: &new };
    let finished = rotate(&db, &blobs, keys, 1, &mut |_: &str, _: u64| {}).await.expect("the rotation finishes");
    assert!(finished.values > 0 && finished.files > 0 && finished.audit_rows > 0, "{finished:?}");
    assert_eq!((finished.unreadable_files, finished.hashed_check_codes), (0, 0), "{finished:?}");
    let again = rotate(&db, &blobs, keys, 500, &mut |_: &str, _: u64| {}).await.expect("a third run");
    assert_eq!(again, Rotated::default(), "nothing is left under the old key");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM one_time_codes").await, 0, "codes keyed by the old key are gone");

    let rotated = app.node_with_vault(dir, new.clone()).await;
    let reviewer = Officer::new(&rotated, Some("be-embassy"), StaffRole::Reviewer, "reviewer2").await;
    for term in ["e12345678", "%E5%BC%A0%E4%B8%89", "zhang%20san"] {
        let (_, found) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders?q={term}"), None).await;
        assert_eq!(found["orders"].as_array().map(Vec::len), Some(1), "found by {term} under the new key");
    }
    let (status, order) = reviewer.order(&order_id).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["supplements"][0]["reason"], REASON, "{order}");
    assert_eq!(
        lingshi_storage::accounts::find_by_document(&db, &new, &passport).await.expect("lookup"),
        Some(account_id.clone())
    );
    let identity = lingshi_storage::accounts::identity(&db, &new, &account_id).await.expect("identity").expect("some");
    assert_eq!(identity.document_number, "E12345678");
    let check = json!({"certificate_no": "BE-2026-000123", "check_code": "a1b2c3"});
    let response = rotated.client.post(rotated.url("/api/v1/legalization-checks")).json(&check).send().await;
    assert_eq!(response.expect("check").status(), StatusCode::OK, "the check code carried over");
    assert_eq!(rotated.state.blobs.get(&new, "order_files", &photo_key).await.expect("the photo opens"), photo_bytes);
    assert!(rotated.state.blobs.get(&old, "order_files", &photo_key).await.is_err(), "the old key opens no file");
    assert!(old.decrypt(&format!("orders.form/{order_id}"), &sealed_form(&db, &order_id).await).is_err());

    assert!(matches!(audit::verify(&db).await.expect("verify"), ChainCheck::Intact { .. }));
    let trail = audit::for_order(&db, &order_id).await.expect("trail");
    let reasons: Vec<_> = trail.iter().filter_map(|row| row.reason_text(&new).expect("opens")).collect();
    assert!(reasons.iter().any(|r| r.contains(REASON)), "{reasons:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'key_rotated'").await, 1);
});
