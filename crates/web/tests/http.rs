//! HTTP tests of the whole platform, each run on SQLite and on PostgreSQL.

#[path = "http/alipay.rs"]
mod alipay;
#[path = "http/bounces.rs"]
mod bounces;
#[path = "http/claims.rs"]
mod claims;
#[path = "http/data_rights.rs"]
mod data_rights;
#[path = "http/drain.rs"]
mod drain;
#[path = "http/forecast.rs"]
mod forecast;
#[path = "http/four_eyes.rs"]
mod four_eyes;
#[path = "http/hostile.rs"]
mod hostile;
#[path = "http/interviews.rs"]
mod interviews;
#[path = "http/key_rotation.rs"]
mod key_rotation;
#[path = "http/legalizations.rs"]
mod legalizations;
#[path = "http/messages.rs"]
mod messages;
#[path = "http/notify_settings.rs"]
mod notify_settings;
#[path = "http/orders.rs"]
mod orders;
#[path = "http/payments.rs"]
mod payments;
#[path = "http/pensions.rs"]
mod pensions;
#[path = "http/reach.rs"]
mod reach;
#[path = "http/replica.rs"]
mod replica;
#[path = "http/retention.rs"]
mod retention;
#[path = "http/signalling.rs"]
mod signalling;
#[path = "http/sms.rs"]
mod sms;
#[path = "http/staff_orders.rs"]
mod staff_orders;
mod support;

use lingshi_storage::{Db, both_backends};
use lingshi_web::Settings;
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;
use support::{PASSWORD, TestApp, error_code, field_code, new_client};

const RESIDENT_ID: &str = "11010519491231002X";
/// The PNG magic number and the start of a header, but no image.
const PNG_HEADER_ONLY: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// A small real PNG with no face in it.
fn png() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_fn(48, 64, |x, y| image::Rgb([(x * 4) as u8, (y * 3) as u8, 200]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), 48, 64, image::ExtendedColorType::Rgb8)
        .expect("encode");
    out
}

both_backends!(
    registration_by_email_sends_a_code_over_smtp_and_confirming_signs_in,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let created = app.register("zhang.san@example.com").await;
        assert_eq!(created["account"]["login"], "zhang.san@example.com");
        assert_eq!(created["account"]["identity_state"], "unverified");
        assert_eq!(created["account"]["may_apply"], false);
        let (status, me) = app.get_json("/api/v1/me").await;
        assert_eq!((status, me["login"].as_str()), (StatusCode::OK, Some("zhang.san@example.com")));

        let bearer = new_client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(created["token"].as_str().expect("token"))
            .send()
            .await
            .expect("request");
        assert_eq!(bearer.status(), StatusCode::OK, "native apps use the bearer token");
    }
);

both_backends!(a_foreign_mobile_number_is_refused_with_the_guides_explanation, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, body) =
        app.post_json("/api/v1/registrations", json!({"address": "+32 470 12 34 56", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&body, "address"), "foreign_mobile");
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap_or("").contains("电子邮箱"));
    let english = app
        .client
        .post(app.url("/api/v1/registrations"))
        .header("accept-language", "en")
        .json(&json!({"address": "0032470123456", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = english.json().await.expect("json");
    assert!(body["error"]["fields"][0]["message"].as_str().unwrap_or("").contains("Foreign mobile numbers"));
});

both_backends!(registration_by_mobile_goes_to_the_development_sms_outbox, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, _) =
        app.post_json("/api/v1/registrations", json!({"address": "+86 138 0013 8000", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mut message = None;
    for _ in 0..100 {
        message = lingshi_storage::dev_outbox::recent(&app.db, 1).await.expect("outbox").pop();
        if message.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let message = message.expect("the SMS reached the development outbox");
    assert_eq!(message.recipient, "138****8000");
    let code = support::six_digits(&message.body).expect("code");
    let (status, body) =
        app.post_json("/api/v1/registrations/confirm", json!({"address": "13800138000", "code": code})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["account"]["channel"], "mobile");
});

both_backends!(a_code_works_once_and_wrong_codes_use_up_the_tries, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("once@example.com").await;
    let (status, body) =
        app.post_json("/api/v1/registrations/confirm", json!({"address": "once@example.com", "code": "000000"})).await;
    assert_eq!(
        (status, field_code(&body, "code")),
        (StatusCode::UNPROCESSABLE_ENTITY, "code_unknown".into()),
        "a used code is gone"
    );

    app.post_json("/api/v1/registrations", json!({"address": "tries@example.com", "password": PASSWORD})).await;
    let code = app.code_mailed_to("tries@example.com").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..5 {
        let (status, body) = app
            .post_json("/api/v1/registrations/confirm", json!({"address": "tries@example.com", "code": wrong}))
            .await;
        assert_eq!((status, field_code(&body, "code")), (StatusCode::UNPROCESSABLE_ENTITY, "code_wrong".into()));
    }
    let (status, body) =
        app.post_json("/api/v1/registrations/confirm", json!({"address": "tries@example.com", "code": code})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::TOO_MANY_REQUESTS, "code_too_many_tries"));
    assert!(lingshi_storage::accounts::find_by_login(&app.db, "tries@example.com").await.expect("find").is_none());
});

both_backends!(codes_cannot_be_requested_again_at_once, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let request = json!({"address": "quick@example.com", "password": PASSWORD});
    assert_eq!(app.post_json("/api/v1/registrations", request.clone()).await.0, StatusCode::ACCEPTED);
    let again = app.client.post(app.url("/api/v1/registrations")).json(&request).send().await.expect("request");
    let retry_after: Option<u64> =
        again.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    assert!(retry_after.is_some_and(|s| (1..=60).contains(&s)), "when to come back: {retry_after:?}");
    let (status, body) = (again.status(), again.json::<serde_json::Value>().await.expect("json"));
    assert_eq!((status, error_code(&body)), (StatusCode::TOO_MANY_REQUESTS, "code_recently_sent"));
});

both_backends!(registering_a_taken_address_looks_the_same_but_sends_a_notice, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir).await;
    let address = lingshi_domain::ContactAddress::parse("taken@example.com").expect("address");
    let mut tx = db.begin().await.expect("begin");
    lingshi_storage::accounts::create(&mut tx, &address, "hash", "zh-CN", chrono::Utc::now()).await.expect("account");
    tx.commit().await.expect("commit");
    let other = new_client();
    let response = other
        .post(app.url("/api/v1/registrations"))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"address": "taken@example.com", "password": "another password"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mail = app.mail.clone();
    let notice = tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            let found = mail.messages().into_iter().find(|m| m.to.iter().any(|t| t == "taken@example.com"));
            if found.is_some() {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    })
    .await
    .expect("join")
    .expect("a mail arrived");
    assert!(support::six_digits(&notice.body).is_none(), "the notice carries no code");
});

both_backends!(login_rotates_the_session_and_logout_ends_it, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let created = app.register("login@example.com").await;
    let first_token = created["token"].as_str().expect("token").to_owned();
    let (status, body) =
        app.post_json("/api/v1/sessions", json!({"address": "LOGIN@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(body["token"].as_str(), Some(first_token.as_str()));
    let old = new_client().get(app.url("/api/v1/me")).bearer_auth(&first_token).send().await.expect("request");
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "the session held before login was ended");

    let response = app.client.delete(app.url("/api/v1/sessions/current")).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = app.get_json("/api/v1/me").await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
});

both_backends!(guessing_passwords_is_stopped_after_five_failures, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("guess@example.com").await;
    for _ in 0..5 {
        let (status, body) = app
            .post_json("/api/v1/sessions", json!({"address": "guess@example.com", "password": "wrong password"}))
            .await;
        assert_eq!((status, field_code(&body, "password")), (StatusCode::UNPROCESSABLE_ENTITY, "login_failed".into()));
    }
    let (status, body) =
        app.post_json("/api/v1/sessions", json!({"address": "guess@example.com", "password": PASSWORD})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"));
    let (status, body) =
        app.post_json("/api/v1/sessions", json!({"address": "nobody@example.com", "password": PASSWORD})).await;
    assert_eq!(
        (status, field_code(&body, "password")),
        (StatusCode::UNPROCESSABLE_ENTITY, "login_failed".into()),
        "unknown logins fail the same way"
    );
});

both_backends!(a_password_reset_by_code_ends_every_session, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("reset@example.com").await;
    let (status, _) = app.post_json("/api/v1/password-resets", json!({"address": "reset@example.com"})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = app.mail.clone();
    let reset_mail = tokio::task::spawn_blocking(move || {
        for _ in 0..200 {
            let found = mail.messages().into_iter().find(|m| m.subject.contains("找回密码"));
            if found.is_some() {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        None
    })
    .await
    .expect("join")
    .expect("reset mail");
    let code = support::six_digits(&reset_mail.body).expect("code");
    let request = json!({"address": "reset@example.com", "code": code, "password": "a brand new password"});
    let (status, _) = app.post_json("/api/v1/password-resets/confirm", request.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "old sessions ended");
    let (status, _) =
        app.post_json("/api/v1/sessions", json!({"address": "reset@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post_json("/api/v1/sessions", json!({"address": "reset@example.com", "password": "a brand new password"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.post_json("/api/v1/password-resets/confirm", request).await;
    assert_eq!(
        (status, field_code(&body, "code")),
        (StatusCode::UNPROCESSABLE_ENTITY, "code_unknown".into()),
        "replayed code"
    );
    let (status, _) = app.post_json("/api/v1/password-resets", json!({"address": "stranger@example.com"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "unknown addresses get the same answer");
});

both_backends!(real_name_verification_checks_each_field_and_stores_it_encrypted, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let created = app.register("verify@example.com").await;
    let id = created["account"]["id"].as_str().expect("id").to_owned();
    let cases = [
        (
            json!({"name": "张三", "document_kind": "resident_id", "document_number": "110105194912310021"}),
            "document_number",
            "resident_id_checksum",
        ),
        (
            json!({"name": "张三", "document_kind": "resident_id", "document_number": "99010519491231002X"}),
            "document_number",
            "resident_id_region",
        ),
        (
            json!({"name": "张三", "document_kind": "passport", "document_number": "PE1234567"}),
            "document_number",
            "official_passport",
        ),
        (
            json!({"name": "张三<b>", "document_kind": "passport", "document_number": "E12345678"}),
            "name",
            "name_charset",
        ),
        (
            json!({"name": "张三", "document_kind": "driving_licence", "document_number": "E12345678"}),
            "document_kind",
            "unknown_choice",
        ),
    ];
    for (request, field, code) in cases {
        let (status, body) = app.put_json("/api/v1/me/identity", request).await;
        assert_eq!((status, field_code(&body, field)), (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned()));
    }
    let (status, body) = app.put_json("/api/v1/me/identity/face/skip", json!({})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"), "skip is a POST");
    let skip_early = app.client.post(app.url("/api/v1/me/identity/face/skip")).send().await.expect("request");
    assert_eq!(skip_early.status(), StatusCode::CONFLICT, "identity details come first");

    let (status, body) = app
        .put_json(
            "/api/v1/me/identity",
            json!({"name": "张三", "document_kind": "resident_id", "document_number": RESIDENT_ID}),
        )
        .await;
    assert_eq!((status, body["identity_state"].as_str()), (StatusCode::OK, Some("awaiting_face")));
    let raw = lingshi_storage::accounts::raw_identity_columns(&app.db, &id).await.expect("raw");
    assert!(raw.iter().all(|column| !column.windows(18).any(|w| w == RESIDENT_ID.as_bytes())), "stored encrypted");

    let (status, body) = app.put_face("image/jpeg", b"not a photo".to_vec()).await;
    assert_eq!(
        (status, field_code(&body, "capture")),
        (StatusCode::UNPROCESSABLE_ENTITY, "image_not_jpeg_or_png".into())
    );
    let (status, _) = app.put_face("text/plain", png()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = app.put_face("image/png", PNG_HEADER_ONLY.to_vec()).await;
    assert_eq!((status, field_code(&body, "capture")), (StatusCode::UNPROCESSABLE_ENTITY, "image_corrupt".into()));
    let (status, body) = app.put_face("image/png", png()).await;
    assert_eq!((status, field_code(&body, "capture")), (StatusCode::UNPROCESSABLE_ENTITY, "face_none_found".into()));
    let (status, body) = app.put_face("image/png", lingshi_photo::testing::astronaut_in_dark_glasses()).await;
    assert_eq!((status, field_code(&body, "capture")), (StatusCode::UNPROCESSABLE_ENTITY, "face_eyes_hidden".into()));
    let (status, body) = app.put_face("image/png", lingshi_photo::testing::fixture("astronaut.png")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["identity_state"].as_str(), body["may_apply"].as_bool()), (Some("verified"), Some(true)));
});

both_backends!(skipping_the_face_step_allows_applying_but_flags_the_account, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("skip@example.com").await;
    app.put_json(
        "/api/v1/me/identity",
        json!({"name": "李四", "document_kind": "passport", "document_number": "E12345678"}),
    )
    .await;
    let response = app.client.post(app.url("/api/v1/me/identity/face/skip")).send().await.expect("request");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!((body["identity_state"].as_str(), body["may_apply"].as_bool()), (Some("face_skipped"), Some(true)));
});

both_backends!(one_identity_document_binds_one_account, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("first@example.com").await;
    let claim = json!({"name": "王五", "document_kind": "resident_id", "document_number": RESIDENT_ID});
    assert_eq!(app.put_json("/api/v1/me/identity", claim.clone()).await.0, StatusCode::OK);
    let second = TestApp { client: new_client(), ..app };
    second.register("second@example.com").await;
    let (status, body) = second.put_json("/api/v1/me/identity", claim).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "identity_already_bound"));
});

both_backends!(malformed_and_oversized_input_gets_a_clear_4xx_and_writes_nothing, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        app.client.post(app.url("/api/v1/registrations")).header("content-type", content_type).body(body).send()
    };
    let cases: Vec<(Vec<u8>, &str, StatusCode, &str)> = vec![
        (b"{not json".to_vec(), "application/json", StatusCode::BAD_REQUEST, "malformed_json"),
        (
            br#"{"address":"a@example.com","password":"longenough","admin":true}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "unexpected_json",
        ),
        (
            br#"{"address":7,"password":"longenough"}"#.to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "unexpected_json",
        ),
        (
            br#"{"address":"a@example.com","password":"longenough"}"#.to_vec(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            format!(r#"{{"address":"a@example.com","password":"{}"}}"#, "x".repeat(40_000)).into_bytes(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (vec![0xFF, 0xFE, 0x00, 0x7B], "application/json", StatusCode::BAD_REQUEST, "malformed_json"),
    ];
    for (body, content_type, status, code) in cases {
        let response = post(body, content_type).await.expect("request");
        assert_eq!(response.status(), status, "{code}");
        let body: serde_json::Value = response.json().await.expect("every error is JSON");
        assert_eq!(error_code(&body), code);
    }
    assert!(lingshi_storage::accounts::find_by_login(&app.db, "a@example.com").await.expect("find").is_none());

    let created = app.register("big@example.com").await;
    let token = created["token"].as_str().expect("token").to_owned();
    app.put_json(
        "/api/v1/me/identity",
        json!({"name": "赵六", "document_kind": "passport", "document_number": "E87654321"}),
    )
    .await;
    let mut huge = png();
    huge.resize(7 * 1024 * 1024, 0);
    // A client of its own: the server may answer 413 and close the connection before the
    // client has finished sending.
    let response = new_client()
        .put(app.url("/api/v1/me/identity/face"))
        .bearer_auth(&token)
        .header("content-type", "image/png")
        .body(huge)
        .send()
        .await;
    if let Ok(response) = response {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    let (_, me) = app.get_json("/api/v1/me").await;
    assert_eq!(me["identity_state"], "awaiting_face", "an oversized capture changes nothing");
    let (status, body) = app.get_json("/api/v1/no-such-thing").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
});

both_backends!(writes_from_another_origin_are_refused, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let response = app
        .client
        .post(app.url("/api/v1/registrations"))
        .header("origin", "https://evil.example")
        .json(&json!({"address": "csrf@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "cross_origin");
});

both_backends!(the_missions_directory_is_browsable_as_json, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, body) = app.get_json("/api/v1/missions").await;
    assert_eq!(status, StatusCode::OK);
    let europe = &body["continents"][0];
    assert_eq!(europe["code"], "europe");
    let countries = europe["countries"].as_array().expect("countries");
    assert!(countries.len() >= 5);
    let (status, belgium) = app.get_json("/api/v1/missions/be-embassy").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(belgium["address"], "439 Avenue de Tervuren, 1150 Woluwe-Saint-Pierre, Bruxelles");
    assert_eq!(belgium["email"], "belconsulate@mfa.gov.cn");
    assert_eq!(belgium["phone_link"], "tel:+3226633001");
    assert_eq!(belgium["phone"], "+32 2 663 30 01", "shown in international form, by libphonenumber's rules");
    assert_eq!(belgium["submission_methods"], json!(["by_post"]));
    let (status, body) = app.get_json("/api/v1/missions/atlantis").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"));
});

both_backends!(health_metrics_and_the_openapi_document_are_served, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, spec) = app.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/registrations",
        "/api/v1/sessions",
        "/api/v1/me/identity",
        "/api/v1/me/identity/face",
        "/api/v1/missions/{id}",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} documented");
    }
    // Every operation declares each parameter its path names, and no two paths differ only
    // in the names of their parameters (OpenAPI forbids both; clients cannot be generated).
    let paths = spec["paths"].as_object().expect("paths");
    let mut shapes = std::collections::HashSet::new();
    let mut declared = 0;
    for (path, operations) in paths {
        let names: Vec<&str> = path.split('/').filter_map(|part| part.strip_prefix('{')?.strip_suffix('}')).collect();
        let shape: Vec<&str> = path.split('/').map(|part| if part.starts_with('{') { "{}" } else { part }).collect();
        assert!(shapes.insert(shape.join("/")), "{path} differs from another path only by its parameters' names");
        for (method, operation) in operations.as_object().expect("operations") {
            let in_path: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|list| list.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for name in &names {
                assert!(in_path.contains(name), "{method} {path} does not declare {{{name}}}");
                declared += 1;
            }
        }
    }
    assert!(declared > 30, "the check saw the parameterised operations ({declared})");
    // Each operation says who may call it and answers its refusals in the one error shape;
    // no two share a name. The session check is what it says: a secured operation called
    // without a session answers the 401 it documents.
    let mut names = std::collections::HashSet::new();
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            assert!(names.insert(operation["operationId"].as_str().unwrap_or("").to_owned()), "{method} {path} name");
            let security = operation["security"].as_array().expect("security");
            let secured = !security.iter().any(|s| s.as_object().is_some_and(|o| o.is_empty()));
            let refusal = &operation["responses"][if secured { "401" } else { "400" }];
            let schema = &refusal["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path}: {refusal}");
        }
    }
    for scheme in ["applicant_bearer", "applicant_cookie", "staff_cookie"] {
        assert!(spec["components"]["securitySchemes"].get(scheme).is_some(), "{scheme}");
    }
    let orders = &spec["paths"]["/api/v1/orders"]["get"]["security"];
    assert_eq!(orders[0]["applicant_bearer"], serde_json::json!([]), "{orders}");
    let (status, body) = app.get_json("/api/v1/orders").await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    // A query the handler cannot read is answered in the API's one error shape, not plain text.
    let (status, body) = app.get_json("/api/v1/pinyin-suggestions").await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "malformed_request"), "{body}");
    // So are unknown routes and wrong methods under /api, the latter with what is allowed.
    let (status, body) = app.get_json("/api/v1/no-such-thing").await;
    assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{body}");
    let wrong = app.client.delete(app.url("/api/v1/missions")).send().await.expect("request");
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = wrong.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(allow.contains("GET"), "Allow: {allow}");
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(error_code(&body), "method_not_allowed", "{body}");
    let metrics = app.client.get(app.url("/metrics")).send().await.expect("request").text().await.expect("text");
    assert!(metrics.contains("http_requests_total"));
});

both_backends!(nodes_starting_together_create_the_demo_account_once, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let ensure = || lingshi_web::service::staff::ensure_demo_admin(&app.db);
    let results = tokio::join!(ensure(), ensure(), ensure(), ensure());
    let outcomes = [results.0, results.1, results.2, results.3];
    assert!(outcomes.iter().all(Result::is_ok), "no node fails: {outcomes:?}");
    let created = outcomes.iter().filter(|o| matches!(o, Ok(Some(_)))).count();
    assert_eq!(created, 1, "exactly one node prints the password");
});

both_backends!(pages_show_errors_beside_fields_and_require_a_session, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let response = app
        .client
        .post(app.url("/register"))
        .form(&[("address", "+32470123456"), ("password", "short")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("html");
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("目前暂不能用境外手机号注册"));
    assert!(html.contains("value=\"+32470123456\""), "what was typed is kept");

    let account = app.client.get(app.url("/account")).send().await.expect("request");
    assert_eq!(account.status(), StatusCode::SEE_OTHER);
    assert_eq!(account.headers()["location"], "/login?next=%2Faccount", "back to the page asked for once signed in");
    let outside = app.client.get(app.url("/login?next=//evil.example/")).send().await.expect("request");
    let html = outside.text().await.expect("html");
    assert!(!html.contains("evil.example"), "only paths on this site are kept");

    let switch = app.client.get(app.url("/lang?to=en&back=/register")).send().await.expect("request");
    assert_eq!(switch.headers()["location"], "/register");
    let english = app.client.get(app.url("/register")).send().await.expect("request").text().await.expect("html");
    assert!(
        english.contains("<html lang=\"en\">") && english.contains("Register with a mainland China mobile number"),
        "{english}"
    );
    let offsite = app.client.get(app.url("/lang?to=en&back=//evil.example")).send().await.expect("request");
    assert_eq!(offsite.headers()["location"], "/");
});

both_backends!(staff_sign_in_and_see_the_development_outbox, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir).await;
    let password = lingshi_web::service::staff::ensure_demo_admin(&db).await.expect("demo").expect("created");
    assert!(lingshi_web::service::staff::ensure_demo_admin(&db).await.expect("again").is_none(), "printed once");
    app.post_json("/api/v1/registrations", json!({"address": "13900139000", "password": PASSWORD})).await;
    let wrong = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "demo.admin"), ("password", "wrong-password")])
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let login = app
        .client
        .post(app.url("/staff/login"))
        .form(&[("username", "demo.admin"), ("password", password.as_str())])
        .send()
        .await
        .expect("request");
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let mut page = String::new();
    for _ in 0..100 {
        page = app.client.get(app.url("/staff")).send().await.expect("request").text().await.expect("html");
        if page.contains("139****9000") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("139****9000") && page.contains("开发短信箱"));
    let applicant_cookie_only = new_client().get(app.url("/staff")).send().await.expect("request");
    assert_eq!(applicant_cookie_only.headers()["location"], "/staff/login");
});

both_backends!(the_photo_check_explains_each_rule_and_never_blocks, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let check = |body: Vec<u8>, language: &'static str| {
        app.client
            .post(app.url("/api/v1/photo-checks"))
            .header("content-type", "image/png")
            .header("accept-language", language)
            .body(body)
            .send()
    };
    let response = check(lingshi_photo::testing::phone_snapshot(), "zh-CN").await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let report: serde_json::Value = response.json().await.expect("json");
    let rules = report["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), lingshi_photo::Rule::ALL.len());
    let head = rules.iter().find(|r| r["rule"] == "head_height").expect("head height");
    assert_eq!(head["verdict"], "fail");
    assert!(head["measured"].as_f64().is_some_and(|v| v < 331.0));
    assert!(head["requirement"].as_str().unwrap_or("").contains("头部高度"));
    assert_eq!((&head["unit"], &head["unit_name"]), (&serde_json::json!("px"), &serde_json::json!("像素")));
    assert!(report["suggested_crop"]["width"].as_u64().is_some(), "a loose snapshot gets a crop");
    assert!(
        head["advice"].as_str().is_some_and(|a| a.starts_with("头部太小")),
        "what to do comes first, which way it is off: {head}"
    );
    let outline = &report["outline"];
    let eyes = [&outline["landmarks"]["right_eye"], &outline["landmarks"]["left_eye"]];
    assert!(eyes.iter().all(|eye| eye["x"].as_f64().is_some()), "the landmarks reach the page: {outline}");
    let tilt = rules.iter().find(|r| r["rule"] == "head_tilt").expect("head tilt");
    assert_eq!((&tilt["verdict"], &tilt["unit_name"]), (&serde_json::json!("pass"), &serde_json::json!("度")));
    assert!(
        outline["face"]["width"].as_u64().is_some()
            && outline["crown_band"][1].as_f64() > outline["crown_band"][0].as_f64(),
        "{outline}"
    );

    let english: serde_json::Value = check(lingshi_photo::testing::fixture("astronaut.png"), "en")
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(english["rules"][0]["requirement"].as_str().unwrap_or("").starts_with("The photo shows one face"));
    let units: Vec<&str> =
        english["rules"].as_array().expect("rules").iter().filter_map(|r| r["unit_name"].as_str()).collect();
    assert_eq!(units.len(), lingshi_photo::Rule::ALL.len(), "every measure has its unit named");
    assert!(units.contains(&"width : height") && !units.iter().any(|u| u.starts_with("photo_unit_")), "{units:?}");

    for (body, code) in [(b"plain text".to_vec(), "image_not_jpeg_or_png"), (Vec::new(), "image_empty")] {
        let response = check(body, "en").await.expect("request");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(field_code(&body, "photo"), code);
    }
    let (status, spec) = app.get_json("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"].get("/api/v1/photo-checks").is_some());
});

both_backends!(one_client_gets_thirty_photo_checks_in_ten_minutes, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let check = |client: &'static str| {
        app.client
            .post(app.url("/api/v1/photo-checks"))
            .header("content-type", "image/png")
            .header("x-forwarded-for", client)
            .body(b"not a photo".to_vec())
            .send()
    };
    for _ in 0..30 {
        let response = check("203.0.113.7").await.expect("request");
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "looked at, and refused as no image");
    }
    let response = check("203.0.113.7").await.expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "too_many_photo_checks");
    assert_eq!(check("203.0.113.8").await.expect("request").status(), StatusCode::UNPROCESSABLE_ENTITY, "per client");
});

both_backends!(the_photo_size_limit_is_configurable, |db: Db, dir: PathBuf| async move {
    let one_megabyte = lingshi_photo::IntakeLimits::PHOTO.with_max_bytes(1024 * 1024);
    let settings = Settings { photo_limits: one_megabyte, ..support::settings() };
    let app = TestApp::start_with(db, dir, settings).await;
    let mut photo = lingshi_photo::testing::fixture("astronaut.png");
    photo.resize(1024 * 1024 + 1, 0);
    let send = |path: &'static str, body: Vec<u8>| {
        app.client.post(app.url(path)).header("content-type", "image/png").body(body).send()
    };
    let response = send("/api/v1/photo-checks", photo.clone()).await.expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    photo.truncate(1024 * 1024);
    let response = send("/api/v1/photo-checks", photo).await.expect("request");
    assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "a file at the limit is looked at");
});

both_backends!(each_mission_has_a_download_page_with_a_qr_code_to_itself, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let page = app.client.get(app.url("/download/be-embassy")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    // Templates escape "/" in text as "&#x2f;".
    let html = page.text().await.expect("html").replace("&#x2f;", "/");
    let host = app.base.trim_start_matches("http://");
    let expected_url = format!("http://{host}/download/be-embassy");
    assert!(html.contains(&expected_url) && html.contains("/download/be-embassy/qr.svg"));
    let qr = app.client.get(app.url("/download/be-embassy/qr.svg")).send().await.expect("qr");
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    let svg = qr.text().await.expect("svg");
    assert_eq!(svg, lingshi_web::qr::svg(&expected_url).expect("svg"), "the code leads to the page");
    assert!(svg.contains("<svg") && !svg.contains("http://www.w3.org/1999/xlink\" href"), "self-contained");
    let other =
        app.client.get(app.url("/download/nl-embassy/qr.svg")).send().await.expect("qr").text().await.expect("svg");
    assert_ne!(svg, other, "each mission's code is its own");
    let missing = app.client.get(app.url("/download/nowhere/qr.svg")).send().await.expect("qr");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
});

both_backends!(the_mission_page_says_whether_it_is_open_now_in_its_own_time_zone, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, belgium) = app.get_json("/api/v1/missions/be-embassy").await;
    assert_eq!(status, StatusCode::OK);
    let mission = lingshi_storage::seed::belgium();
    let local = lingshi_web::pages::missions::local_now(&mission, chrono::Utc::now()).expect("Brussels time");
    assert_eq!(belgium["open_now"].as_bool(), mission.is_open_at(local), "{belgium}");
    assert_eq!(belgium["local_time"].as_str(), Some(local.format("%H:%M").to_string().as_str()));
    assert!(belgium["map_link"].as_str().is_some_and(|l| l.contains("439+Avenue+de+Tervuren")));
    let (_, netherlands) = app.get_json("/api/v1/missions/nl-embassy").await;
    assert!(netherlands["open_now"].is_null(), "hours not published: no guess");
    let html = app.client.get(app.url("/missions/be-embassy")).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("tel:+861012308") && html.contains("tel:+3226633001"), "tap to call");
});
