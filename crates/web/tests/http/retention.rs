//! The retention policy on both backends: a closed order's face capture and interview
//! snapshot go after the biometric period, its photo and materials after the mission's
//! period, each with a timeline line and an audit row; an open order keeps everything; the
//! whole record of a closed order goes after the mission's period if its applicant erased
//! their account, and stays otherwise.

use crate::staff_orders::submitted_renewal;
use crate::support::TestApp;
use chrono::{Duration, Utc};
use lingshi_storage::audit::{self, ChainCheck};
use lingshi_storage::orders::{self, NewFile};
use lingshi_storage::{Db, both_backends};
use lingshi_web::service::retention::{RetentionPolicy, Swept, sweep};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

/// Attaches a face capture and an interview snapshot to `order_id`; returns their blob keys.
async fn biometrics(app: &TestApp, order_id: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for slot in ["face", "interview_snapshot"] {
        let key = app.state.blobs.put(&app.state.vault, "order_files", b"\xFF\xD8 a capture").await.expect("blob");
        let file = NewFile { slot, blob_key: &key, content_kind: "jpeg", size_bytes: 12, report: None, reading: None };
        let mut tx = app.db.begin().await.expect("begin");
        orders::put_file(&mut tx, &app.state.vault, order_id, &file, false, Utc::now()).await.expect("file");
        tx.commit().await.expect("commit");
        keys.push(key);
    }
    keys
}

async fn slots(app: &TestApp, order_id: &str) -> Vec<String> {
    orders::files(&app.db, &app.state.vault, order_id).await.expect("files").into_iter().map(|f| f.slot).collect()
}

both_backends!(
    closed_orders_lose_biometrics_then_materials_and_open_ones_keep_all,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let (applicant, closed, _) = submitted_renewal(&app, "wang@example.org", "E12345678").await;
        let (_, open, _) = submitted_renewal(&app, "zhao@example.org", "E87654321").await;
        let closed_keys = biometrics(&app, &closed).await;
        biometrics(&app, &open).await;
        let withdraw = json!({"reason": "行程变更"});
        let (status, _) =
            applicant.call(Method::POST, &format!("/api/v1/orders/{closed}/withdraw"), Some(withdraw)).await;
        assert_eq!(status, StatusCode::OK);
        let materials =
            slots(&app, &closed).await.into_iter().filter(|s| s != "face" && s != "interview_snapshot").count();
        assert!(materials >= 3, "photo, signature, document page");
        let open_files = slots(&app, &open).await;

        let policy = RetentionPolicy { biometric: Duration::days(90) };
        let now = Utc::now();
        assert_eq!(sweep(&app.state, policy, now).await.expect("sweep"), Swept::default(), "nothing is due yet");

        let swept = sweep(&app.state, policy, now + Duration::days(91)).await.expect("sweep");
        assert_eq!(swept, Swept { files: 2, orders: 1, records: 0 });
        let left = slots(&app, &closed).await;
        assert!(!left.iter().any(|s| s == "face" || s == "interview_snapshot"), "{left:?}");
        assert_eq!(left.len(), materials, "the materials stay for the mission's period");
        for key in &closed_keys {
            assert!(
                app.state.blobs.get(&app.state.vault, "order_files", key).await.is_err(),
                "blob {key} is gone from disk"
            );
        }
        let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{closed}"), None).await;
        let events: Vec<&str> =
            seen["timeline"].as_array().expect("timeline").iter().filter_map(|e| e["event"].as_str()).collect();
        assert!(events.contains(&"retention_biometrics_deleted"), "{events:?}");
        assert_eq!(sweep(&app.state, policy, now + Duration::days(91)).await.expect("sweep"), Swept::default(), "once");

        let swept = sweep(&app.state, policy, now + Duration::days(1827)).await.expect("sweep");
        assert_eq!(swept, Swept { files: materials, orders: 1, records: 0 });
        assert!(slots(&app, &closed).await.is_empty());
        assert_eq!(slots(&app, &open).await, open_files, "an open order keeps every file");
        let trail = audit::for_order(&app.db, &closed).await.expect("audit");
        let actions: Vec<&str> = trail.iter().map(|row| row.action.as_str()).collect();
        assert!(actions.contains(&"retention_biometrics_deleted") && actions.contains(&"retention_materials_deleted"));
        assert!(matches!(audit::verify(&app.db).await.expect("verify"), ChainCheck::Intact { .. }));
    }
);

both_backends!(
    an_erased_applicants_closed_order_goes_whole_after_the_records_period,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let (erased, gone, _) = submitted_renewal(&app, "li@example.org", "E12345678").await;
        let (staying, kept, _) = submitted_renewal(&app, "zhou@example.org", "E87654321").await;
        for (applicant, id) in [(&erased, &gone), (&staying, &kept)] {
            let withdraw = json!({"reason": "行程变更"});
            let (status, _) =
                applicant.call(Method::POST, &format!("/api/v1/orders/{id}/withdraw"), Some(withdraw)).await;
            assert_eq!(status, StatusCode::OK);
        }
        let confirmed = json!({"password": crate::support::PASSWORD});
        assert_eq!(erased.call(Method::POST, "/api/v1/me/delete", Some(confirmed)).await.0, StatusCode::OK);
        let keys: Vec<String> = orders::files(&app.db, &app.state.vault, &gone)
            .await
            .expect("files")
            .into_iter()
            .map(|f| f.blob_key)
            .collect();
        assert!(!keys.is_empty());

        let policy = RetentionPolicy { biometric: Duration::days(90) };
        let now = Utc::now();
        let early = sweep(&app.state, policy, now + Duration::days(91)).await.expect("sweep");
        assert_eq!(early.records, 0, "the mission keeps the record for its period");
        assert!(orders::find(&app.db, &app.state.vault, &gone).await.expect("find").is_some());

        let withdrawn = |counts: Vec<(String, i64)>| counts.into_iter().find(|(s, _)| s == "withdrawn").map(|(_, n)| n);
        let counted = orders::counts_by_state(&app.db, Some("be-embassy")).await.expect("counts");
        assert_eq!(withdrawn(counted), Some(2), "the queue counts both withdrawn orders");
        let swept = sweep(&app.state, policy, now + Duration::days(1827)).await.expect("sweep");
        assert_eq!(swept.records, 1, "{swept:?}");
        let counted = orders::counts_by_state(&app.db, Some("be-embassy")).await.expect("counts");
        assert_eq!(withdrawn(counted), Some(1), "the state counts follow a deleted record");
        assert!(orders::find(&app.db, &app.state.vault, &gone).await.expect("find").is_none(), "the record is gone");
        assert!(orders::events(&app.db, &app.state.vault, &gone).await.expect("events").is_empty());
        for key in &keys {
            assert!(
                app.state.blobs.get(&app.state.vault, "order_files", key).await.is_err(),
                "blob {key} is gone from disk"
            );
        }
        assert!(
            orders::find(&app.db, &app.state.vault, &kept).await.expect("find").is_some(),
            "a kept account's stays"
        );
        let trail = audit::for_order(&app.db, &gone).await.expect("audit");
        assert!(trail.iter().any(|row| row.action == "retention_record_deleted"));
        assert!(matches!(audit::verify(&app.db).await.expect("verify"), ChainCheck::Intact { .. }));
        let again = sweep(&app.state, policy, now + Duration::days(1827)).await.expect("sweep");
        assert_eq!(again.records, 0, "once");
    }
);
