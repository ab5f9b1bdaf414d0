//! 我的消息 (issue 19, the inbox), on both backends: a notice the mission sends is also a
//! message in the applicant's inbox, in their language, sealed to them; the unread count, marking
//! read one or all, another account's message out of reach, the page, the data export.

use crate::orders::Applicant;
use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::TestApp;
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::path::PathBuf;

both_backends!(every_notice_is_kept_in_the_applicants_inbox, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (applicant, id, number) = submitted_renewal(&app, "inbox.owner@example.org", "E12345678").await;
    let (status, empty) = applicant.call(Method::GET, "/api/v1/me/messages", None).await;
    assert_eq!((status, empty["unread"].as_i64()), (StatusCode::OK, Some(0)));

    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "inbox.reviewer").await;
    let (status, _) = reviewer.act(&id, json!({"action": "accept"})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, inbox) = applicant.call(Method::GET, "/api/v1/me/messages", None).await;
    assert_eq!(inbox["unread"].as_i64(), Some(1), "{inbox}");
    let message = &inbox["messages"][0];
    assert_eq!((message["order_id"].as_str(), message["read"].as_bool()), (Some(id.as_str()), Some(false)));
    assert!(message["subject"].as_str().is_some_and(|s| s.contains(&number)), "{message}");
    assert!(message["body"].as_str().is_some_and(|b| b.contains("待制证")), "the new state, in Chinese: {message}");
    let (_, count) = applicant.call(Method::GET, "/api/v1/me/messages/unread", None).await;
    assert_eq!(count["unread"].as_i64(), Some(1));

    // Another account sees none of it and cannot mark it.
    let other = Applicant::verified(&app, "inbox.other@example.org", "E23456789").await;
    let (_, theirs) = other.call(Method::GET, "/api/v1/me/messages", None).await;
    assert_eq!(theirs["messages"].as_array().map(Vec::len), Some(0));
    let message_id = message["id"].as_str().expect("id").to_owned();
    let (status, _) = other.call(Method::POST, &format!("/api/v1/me/messages/{message_id}/read"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The page lists it and marks it read.
    let page = applicant.request(Method::GET, "/messages").send().await.expect("page").text().await.expect("html");
    assert!(page.contains(&number) && page.contains("标为已读"), "the page shows the unread message");
    let (status, _) = applicant.call(Method::POST, &format!("/api/v1/me/messages/{message_id}/read"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, inbox) = applicant.call(Method::GET, "/api/v1/me/messages", None).await;
    assert_eq!((inbox["unread"].as_i64(), inbox["messages"][0]["read"].as_bool()), (Some(0), Some(true)));
    assert_eq!(applicant.call(Method::POST, "/api/v1/me/messages/read", None).await.0, StatusCode::NO_CONTENT);

    // The data export carries it.
    let export = applicant.request(Method::GET, "/api/v1/me/export").send().await.expect("export");
    let bytes = export.bytes().await.expect("zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("zip");
    let data: serde_json::Value = serde_json::from_reader(zip.by_name("data.json").expect("data.json")).expect("json");
    assert_eq!(data["messages"][0]["id"].as_str(), Some(message_id.as_str()));
});
