//! Verification of consular legalizations, on both backends: registering, importing a CSV
//! with a report per row, the public check that tells a wrong number from a wrong code in no
//! way, and its rate limit.

use crate::support::{TestApp, error_code, field_code};
use lingshi_domain::order::StaffRole;
use lingshi_storage::staff::NewStaff;
use lingshi_storage::{Db, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;

async fn staff_cookie(app: &TestApp, role: StaffRole, username: &str) -> String {
    let mut tx = app.db.begin().await.expect("begin");
    let new = NewStaff { mission_id: Some("be-embassy"), username, display_name: username, role, password_hash: "x" };
    let staff = lingshi_storage::staff::create(&mut tx, &new, chrono::Utc::now()).await.expect("staff");
    let token = lingshi_web::service::sign_in::open_session(&mut tx, lingshi_web::auth::SessionKind::Staff, &staff.id)
        .await
        .expect("session");
    tx.commit().await.expect("commit");
    format!("ls_staff={token}")
}

async fn send(app: &TestApp, cookie: &str, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

async fn check(app: &TestApp, client: &str, number: &str, code: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/legalization-checks"))
        .header("x-forwarded-for", client)
        .json(&json!({"certificate_no": number, "check_code": code}))
        .send()
        .await
        .expect("request");
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

both_backends!(a_registered_legalization_is_checked_without_revealing_others, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let issuer = staff_cookie(&app, StaffRole::Issuer, "issuer").await;
    let reviewer = staff_cookie(&app, StaffRole::Reviewer, "reviewer").await;
    let one = json!({"certificate_no": "BE-2026-000123", "check_code": "A1B2C3", "document_type": "出生公证书",
                     "issued_on": "2026-03-01", "holder_name": "张三"});
    let body = serde_json::to_vec(&one).expect("json");
    let (status, answer) = send(&app, &reviewer, "/api/v1/staff/legalizations", "application/json", body.clone()).await;
    assert_eq!((status, error_code(&answer)), (StatusCode::FORBIDDEN, "not_your_role"));
    assert_eq!(
        send(&app, &issuer, "/api/v1/staff/legalizations", "application/json", body.clone()).await.0,
        StatusCode::CREATED
    );
    let (status, answer) = send(&app, &issuer, "/api/v1/staff/legalizations", "application/json", body).await;
    assert_eq!(
        (status, field_code(&answer, "certificate_no")),
        (StatusCode::UNPROCESSABLE_ENTITY, "certificate_duplicate".into())
    );

    let (status, genuine) = check(&app, "203.0.113.1", "be-2026-000123", "a1b2c3").await;
    assert_eq!((status, genuine["genuine"].as_bool()), (StatusCode::OK, Some(true)));
    assert_eq!(
        (genuine["certificate"]["holder"].as_str(), genuine["certificate"]["document_type"].as_str()),
        (Some("张*"), Some("出生公证书"))
    );
    let (_, wrong_code) = check(&app, "203.0.113.1", "BE-2026-000123", "ZZZZZZ").await;
    let (_, wrong_number) = check(&app, "203.0.113.1", "BE-2026-999999", "A1B2C3").await;
    assert_eq!(wrong_code, wrong_number, "a wrong code says the same as a wrong number");
    assert_eq!(wrong_code, json!({"genuine": false, "certificate": null}));
    let (status, answer) = check(&app, "203.0.113.1", "x", "").await;
    assert_eq!((status, field_code(&answer, "check_code")), (StatusCode::UNPROCESSABLE_ENTITY, "required".into()));
    for _ in 0..7 {
        check(&app, "203.0.113.1", "BE-2026-000001", "AAAA").await;
    }
    let (status, answer) = check(&app, "203.0.113.1", "BE-2026-000123", "A1B2C3").await;
    assert_eq!(
        (status, error_code(&answer)),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_checks"),
        "ten checks per 15 minutes"
    );
    assert_eq!(check(&app, "203.0.113.2", "BE-2026-000123", "A1B2C3").await.0, StatusCode::OK, "per client");
});

both_backends!(a_csv_import_registers_good_rows_and_reports_each_bad_one, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let admin = staff_cookie(&app, StaffRole::MissionAdmin, "admin").await;
    let csv = "certificate_no,check_code,document_type,issued_on,holder_name\n\
               BE-2026-000200,CODE01,出生公证书,2026-01-05,张三\n\
               BE-2026-000201,CODE02,\"Diploma, with comma\",2026-01-06,李四\n\
               BE-2026-000200,CODE03,重复,2026-01-07,王五\n\
               bad number!,X,,2030-01-01,<b>\n\
               only,three,columns\n";
    let (status, report) =
        send(&app, &admin, "/api/v1/staff/legalizations/import", "text/csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["registered"].as_u64(), report["refused"].as_u64()), (Some(2), Some(3)));
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(rows[2]["row"], 4);
    assert_eq!(rows[2]["errors"], json!([["certificate_no", "certificate_duplicate"]]));
    let bad_fields: Vec<&str> =
        rows[3]["errors"].as_array().expect("errors").iter().filter_map(|e| e[0].as_str()).collect();
    assert_eq!(bad_fields, ["certificate_no", "check_code", "document_type", "issued_on", "holder_name"]);
    assert_eq!(rows[4]["errors"], json!([["row", "csv_row_shape"]]));
    let (_, found) = check(&app, "198.51.100.7", "BE-2026-000201", "CODE02").await;
    assert_eq!(found["certificate"]["document_type"], "Diploma, with comma");

    let (status, answer) =
        send(&app, &admin, "/api/v1/staff/legalizations/import", "text/csv", b"number,code\n1,2\n".to_vec()).await;
    assert_eq!((status, field_code(&answer, "file")), (StatusCode::UNPROCESSABLE_ENTITY, "csv_header".into()));
    let (status, answer) =
        send(&app, &admin, "/api/v1/staff/legalizations/import", "text/csv", vec![0xff, 0xfe, 0x00]).await;
    assert_eq!((status, field_code(&answer, "file")), (StatusCode::UNPROCESSABLE_ENTITY, "csv_malformed".into()));
});

both_backends!(
    notices_are_published_by_their_mission_and_rendered_without_scripts,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let writer = staff_cookie(&app, StaffRole::Reviewer, "writer").await;
        let body = json!({"language": "zh-CN", "title": "春节期间暂停对外办公",
                      "body": "# 通知\n\n2月17日休息。<script>alert(1)</script> [详情](javascript:alert(1)) [电话](tel:+3226633001)"});
        let (status, created) =
            send(&app, &writer, "/api/v1/staff/notices", "application/json", serde_json::to_vec(&body).expect("json"))
                .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().expect("id").to_owned();
        let (_, public) = app.get_json("/api/v1/missions/be-embassy/notices").await;
        assert_eq!(public["notices"].as_array().map(Vec::len), Some(0), "not published yet");

        let mut tx = app.db.begin().await.expect("begin");
        let new = NewStaff {
            mission_id: Some("nl-embassy"),
            username: "nl",
            display_name: "nl",
            role: StaffRole::MissionAdmin,
            password_hash: "x",
        };
        let dutch = lingshi_storage::staff::create(&mut tx, &new, chrono::Utc::now()).await.expect("staff");
        let token =
            lingshi_web::service::sign_in::open_session(&mut tx, lingshi_web::auth::SessionKind::Staff, &dutch.id)
                .await
                .expect("session");
        tx.commit().await.expect("commit");
        let (status, _) = send(
            &app,
            &format!("ls_staff={token}"),
            &format!("/api/v1/staff/notices/{id}/publish"),
            "application/json",
            Vec::new(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another mission cannot publish it");

        let (status, _) =
            send(&app, &writer, &format!("/api/v1/staff/notices/{id}/publish"), "application/json", Vec::new()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, public) = app.get_json("/api/v1/missions/be-embassy/notices").await;
        let html = public["notices"][0]["html"].as_str().unwrap_or_default().to_owned();
        assert!(
            html.contains("<h1>通知</h1>") && html.contains("&lt;script&gt;") && !html.contains("<script"),
            "{html}"
        );
        assert!(!html.contains("javascript:") && html.contains("href=\"tel:+3226633001\""), "{html}");
        let page = app.page("/missions/be-embassy/notices").await;
        assert!(page.contains("春节期间暂停对外办公") && !page.contains("<script>alert"));

        let empty = json!({"language": "de", "title": "", "body": ""});
        let (status, answer) =
            send(&app, &writer, "/api/v1/staff/notices", "application/json", serde_json::to_vec(&empty).expect("json"))
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["language", "title", "body"] {
            assert!(!field_code(&answer, field).is_empty(), "{field} refused: {answer}");
        }
    }
);
