//! The applicant's own data: one zip with everything the platform holds about them and none
//! of anyone else's (GDPR articles 15 and 20), and deleting the account (article 17), from
//! the API and from the account page.

use crate::orders::filled_renewal;
use crate::staff_orders::submitted_renewal;
use crate::support::{TestApp, error_code, new_client};
use lingshi_storage::accounts;
use lingshi_storage::audit::{self, ChainCheck};
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use serde_json::json;
use std::io::Read;
use std::path::PathBuf;

/// The entries of a zip, by name.
fn entries(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read");
            (entry.name().expect("a UTF-8 name").to_string(), content)
        })
        .collect()
}

both_backends!(an_applicant_downloads_all_of_their_data_and_nobody_elses, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (applicant, id, number) = submitted_renewal(&app, "li@example.org", "E12345678").await;
    let (_, _, other_number) = submitted_renewal(&app, "zhou@example.org", "E87654321").await;

    let response = applicant.request(Method::GET, "/api/v1/me/export").send().await.expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "application/zip");
    assert!(header("content-disposition").starts_with("attachment; filename=\"lingshi-data-"));
    let files = entries(&response.bytes().await.expect("body"));
    let text = String::from_utf8(files["data.json"].clone()).expect("UTF-8");
    assert!(!text.contains(&other_number) && !text.contains("E87654321"), "another applicant's data leaked");
    let data: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(data["account"]["login"], "li@example.org");
    assert_eq!(
        (data["identity"]["name"].as_str(), data["identity"]["document_number"].as_str()),
        (Some("张三"), Some("E12345678"))
    );
    let orders = data["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["number"].as_str(), Some(number.as_str()));
    assert!(orders[0]["timeline"].as_array().is_some_and(|t| !t.is_empty()), "the order as its page shows it");
    let exported = orders[0]["exported_files"].as_array().expect("files");
    assert!(exported.len() >= 3, "photo, signature, document page: {exported:?}");
    for file in exported {
        let path = file["path"].as_str().expect("path");
        assert!(files.contains_key(path), "{path} is in the zip");
    }
    let photo = orders[0]["photo"]["file"]["id"].as_str().expect("photo");
    let original = applicant.request(Method::GET, &format!("/api/v1/orders/{id}/files/{photo}")).send().await;
    let original = original.expect("download").bytes().await.expect("bytes");
    let in_zip = exported.iter().find(|f| f["slot"] == "photo").and_then(|f| f["path"].as_str()).expect("photo path");
    assert_eq!(files[in_zip], original.to_vec(), "the photo decrypted, as uploaded");

    let anonymous = new_client().get(app.url("/api/v1/me/export")).send().await.expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&anonymous.json::<Value>().await.expect("json")), "unauthenticated");
    let page = applicant.request(Method::GET, "/account").send().await.expect("page").text().await.expect("html");
    assert!(page.contains("下载我的数据") && page.contains("href=\"/account/export\""), "{page}");
    let from_page = applicant.request(Method::GET, "/account/export").send().await.expect("export");
    assert_eq!(from_page.status(), StatusCode::OK);
    assert!(entries(&from_page.bytes().await.expect("body")).contains_key("data.json"));
});

both_backends!(
    an_applicant_deletes_their_account_and_the_mission_keeps_its_records,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let (applicant, submitted, _) = submitted_renewal(&app, "sun@example.org", "E12345678").await;
        let draft = filled_renewal(&applicant).await;
        let draft_blobs: Vec<String> = lingshi_storage::orders::files(&app.db, &app.state.vault, &draft)
            .await
            .expect("files")
            .into_iter()
            .map(|f| f.blob_key)
            .collect();
        assert!(!draft_blobs.is_empty(), "the draft has its photo and materials");
        let (_, me) = applicant.call(Method::GET, "/api/v1/me", None).await;
        let account_id = me["id"].as_str().expect("id").to_owned();
        let page =
            applicant.request(Method::GET, "/account/delete").send().await.expect("page").text().await.expect("html");
        assert!(page.contains("删除账户") && page.contains("name=\"password\""), "{page}");

        let wrong = json!({"password": "not my password"});
        let (status, body) = applicant.call(Method::POST, "/api/v1/me/delete", Some(wrong)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(crate::support::field_code(&body, "password"), "password_not_confirmed");
        assert_eq!(applicant.call(Method::GET, "/api/v1/me", None).await.0, StatusCode::OK, "nothing changed");

        let confirmed = json!({"password": crate::support::PASSWORD});
        let (status, body) = applicant.call(Method::POST, "/api/v1/me/delete", Some(confirmed)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            (body["unsubmitted_orders_deleted"].as_u64(), body["submitted_orders_kept"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(applicant.call(Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED, "sessions ended");
        assert!(lingshi_storage::orders::find(&app.db, &app.state.vault, &draft).await.expect("find").is_none());
        for key in &draft_blobs {
            assert!(
                app.state.blobs.get(&app.state.vault, "order_files", key).await.is_err(),
                "the draft's file {key} is gone"
            );
        }
        let kept = lingshi_storage::orders::find(&app.db, &app.state.vault, &submitted).await.expect("find");
        assert!(kept.is_some(), "the submitted order stays with the mission");
        assert!(accounts::raw_identity_columns(&app.db, &account_id).await.expect("columns").is_empty());
        assert!(
            accounts::find_by_login(&app.db, "sun@example.org").await.expect("find").is_none(),
            "the address is free"
        );
        assert!(matches!(audit::verify(&app.db).await.expect("verify"), ChainCheck::Intact { rows } if rows >= 1));
    }
);
