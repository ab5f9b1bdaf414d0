//! The applicant's own data (GDPR articles 15 and 20): one zip with everything the platform
//! holds about them and none of anyone else's, from the API and from the account page.

use crate::staff_orders::submitted_renewal;
use crate::support::{TestApp, error_code, new_client};
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::Value;
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
