//! Applications over the JSON API, end to end on both backends: starting, every step in the
//! guide's order, uploads, submission with idempotency, "My orders", withdrawal, fingerprint
//! appointments, and what another account can see of it all (nothing).

use crate::support::{TestApp, error_code, field_code, new_client};
use image::ImageEncoder;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;

/// A signed-in, verified applicant speaking through a bearer token, as a native app would.
pub struct Applicant {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Applicant {
    pub async fn verified(app: &TestApp, email: &str, passport: &str) -> Self {
        let created = app.register(email).await;
        Self::verify(app, created["token"].as_str().expect("token"), passport).await
    }

    /// The account signed in with `token`, its real name verified.
    pub async fn verify(app: &TestApp, token: &str, passport: &str) -> Self {
        let applicant = Self { base: app.base.clone(), token: token.to_owned(), client: new_client() };
        let identity = json!({"name": "张三", "document_kind": "passport", "document_number": passport});
        let (status, body) = applicant.call(Method::PUT, "/api/v1/me/identity", Some(identity)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = applicant.call(Method::POST, "/api/v1/me/identity/face/skip", None).await;
        assert_eq!((status, body["may_apply"].as_bool()), (StatusCode::OK, Some(true)));
        applicant
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    /// The `Authorization` header's value, for a client other than reqwest (a WebSocket).
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn start(&self, body: Value, key: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.request(Method::POST, "/api/v1/orders").json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn step(&self, id: &str, step: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, &format!("/api/v1/orders/{id}/steps/{step}"), Some(body)).await
    }

    pub async fn upload(&self, id: &str, slot: &str, content_type: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .request(Method::PUT, &format!("/api/v1/orders/{id}/files/{slot}"))
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn submit(&self, id: &str, key: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.request(Method::POST, &format!("/api/v1/orders/{id}/submit"));
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }
}

pub fn renewal_start() -> Value {
    json!({
        "service": "passport",
        "statement_accepted": true,
        "mission_id": "be-embassy",
        "residence_country": "BE",
        "route": {"held": "ordinary_passport", "lost": false},
        "application_type": "renewal.passport.renewal",
    })
}

pub fn adult_details() -> Value {
    json!({
        "surname_zh": "张", "given_name_zh": "三", "surname_pinyin": "ZHANG", "given_name_pinyin": "SAN",
        "sex": "male", "birth_date": "1990-05-01", "birth_place": "北京", "document_number": "E12345678",
        "address": "Avenue Louise 1, 1050 Bruxelles", "phone": "+32 470 12 34 56", "email": "zhang@example.org",
        "occupation": "工程师", "emergency_contact_name": "李四", "emergency_contact_phone": "+32 2 663 30 01",
    })
}

fn signature_png() -> Vec<u8> {
    let mut pixels = image::RgbaImage::from_pixel(300, 120, image::Rgba([255, 255, 255, 0]));
    for x in 20..280 {
        pixels.put_pixel(x, 60 + (x % 20), image::Rgba([0, 0, 0, 255]));
    }
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(pixels.as_raw(), 300, 120, image::ExtendedColorType::Rgba8)
        .expect("png");
    out
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

fn photo() -> Vec<u8> {
    lingshi_photo::testing::fixture("astronaut.png")
}

/// Starts a renewal and gives its personal details; returns the order's id.
pub async fn renewal_with_details(applicant: &Applicant) -> String {
    let (status, order) = applicant.start(renewal_start(), None).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_owned();
    assert_eq!(applicant.step(&id, "details", adult_details()).await.0, StatusCode::OK);
    id
}

/// Fills a renewal up to (not including) submission.
pub async fn filled_renewal(applicant: &Applicant) -> String {
    let id = renewal_with_details(applicant).await;
    assert_eq!(applicant.step(&id, "annotations", json!({"kind": "none"})).await.0, StatusCode::OK);
    assert_eq!(applicant.upload(&id, "photo", "image/png", photo()).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "photo", json!({})).await.0, StatusCode::OK);
    assert_eq!(applicant.upload(&id, "signature", "image/png", signature_png()).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "declaration", json!({"signer": "applicant"})).await.0, StatusCode::OK);
    assert_eq!(applicant.upload(&id, "current_document_page", "application/pdf", pdf()).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "materials", json!({})).await.0, StatusCode::OK);
    let delivery = json!({"submission": "by_post", "pickup": "at_mission"});
    assert_eq!(applicant.step(&id, "delivery", delivery).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "review", json!({"confirmed": true})).await.0, StatusCode::OK);
    let (status, _) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/face/skip"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, order) = applicant.step(&id, "payment", json!({"method": "offline"})).await;
    assert_eq!((status, order["next_step"].is_null()), (StatusCode::OK, true), "{order}");
    id
}

both_backends!(a_renewal_goes_from_the_statement_to_under_review, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = filled_renewal(&applicant).await;
    let (status, first) = applicant.submit(&id, Some("submit-0001")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["state"], "under_review");
    assert_eq!(first["state_name"], "审核中");
    assert_eq!(first["fee"]["display"], "16.00 EUR");
    assert_eq!(first["face_state"], "skipped");
    let number = first["number"].as_str().expect("number");
    assert!(number.starts_with("BE") && number.len() == 14, "{number}");
    let (status, again) = applicant.submit(&id, Some("submit-0001")).await;
    assert_eq!((status, &again["id"], &again["state"]), (StatusCode::OK, &first["id"], &first["state"]));
    let (status, body) = applicant.submit(&id, Some("submit-0002")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "order_not_draft"));
    let events: Vec<&str> =
        again["timeline"].as_array().expect("timeline").iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(events, ["created", "submitted"], "one submission, however many requests");

    let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
    let listed = mine["orders"].as_array().expect("orders");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["applicant"], "张三 (ZHANG SAN)");
    let path = format!("/api/v1/orders/{id}/fingerprint-appointment");
    let (status, order) = applicant.call(Method::POST, &path, None).await;
    assert!(status == StatusCode::OK && order["fingerprint_requested_at"].is_string());
    let (status, order) = applicant
        .call(Method::POST, &format!("/api/v1/orders/{id}/withdraw"), Some(json!({"reason": "行程变更"})))
        .await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("withdrawn")));
    assert_eq!(order["timeline"].as_array().and_then(|t| t.last()).map(|e| e["note"].clone()), Some(json!("行程变更")));
    let (status, _) = applicant.call(Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "no fingerprints for a withdrawn order");
});

both_backends!(a_submission_and_its_idempotency_key_commit_together_or_not_at_all, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = filled_renewal(&applicant).await;
    // The key's row cannot be written (as if the process died before it was): the
    // submission must not stay behind without it.
    match &db {
        Db::Sqlite(sqlite) => {
            sqlx::query(
                "CREATE TRIGGER refuse_key BEFORE INSERT ON idempotency_keys WHEN NEW.idempotency_key = 'crash-between'
                     BEGIN SELECT RAISE(ABORT, 'simulated crash'); END",
            )
            .execute(&mut *sqlite.reader().await.expect("a reader"))
            .await
            .expect("trigger");
        }
        Db::Postgres(pool) => {
            sqlx::query(
                "CREATE FUNCTION refuse_key() RETURNS trigger AS $$ BEGIN
                       IF NEW.idempotency_key = 'crash-between' THEN RAISE EXCEPTION 'simulated crash'; END IF;
                       RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .execute(pool)
            .await
            .expect("function");
            sqlx::query(
                    "CREATE TRIGGER refuse_key BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_key()",
                )
                .execute(pool)
                .await
                .expect("trigger");
        }
    }
    let (status, _) = applicant.submit(&id, Some("crash-between")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(order["state"], "draft", "no submission without its key: {order}");
    match &db {
        Db::Sqlite(sqlite) => sqlx::query("DROP TRIGGER refuse_key")
            .execute(&mut *sqlite.reader().await.expect("a reader"))
            .await
            .map(|_| ()),
        Db::Postgres(pool) => {
            sqlx::query("DROP TRIGGER refuse_key ON idempotency_keys").execute(pool).await.map(|_| ())
        }
    }
    .expect("drop");
    let (status, first) = applicant.submit(&id, Some("crash-between")).await;
    assert_eq!((status, first["state"].as_str()), (StatusCode::OK, Some("under_review")), "{first}");
    let (status, again) = applicant.submit(&id, Some("crash-between")).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first["id"]), "the retry answers with the submission");
});

both_backends!(starting_twice_with_one_idempotency_key_makes_one_draft, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let (first_status, first) = applicant.start(renewal_start(), Some("start-key-1")).await;
    let (second_status, second) = applicant.start(renewal_start(), Some("start-key-1")).await;
    assert_eq!((first_status, second_status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["id"], second["id"]);
    let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(mine["orders"].as_array().map(Vec::len), Some(1));
    let (status, body) = applicant.start(renewal_start(), Some("short")).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "idempotency_key_invalid"));
});

both_backends!(a_missing_material_blocks_with_its_name, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = renewal_with_details(&applicant).await;
    let (_, order) = applicant.step(&id, "annotations", json!({"kind": "special_spelling", "text": "Cheung"})).await;
    let names: Vec<&str> =
        order["materials"].as_array().expect("materials").iter().filter_map(|m| m["name"].as_str()).collect();
    assert_eq!(names[1], "2、护照姓名拼写或曾用名加注信息", "numbered as in the guide");
    applicant.upload(&id, "photo", "image/png", photo()).await;
    applicant.step(&id, "photo", json!({})).await;
    applicant.upload(&id, "signature", "image/png", signature_png()).await;
    applicant.step(&id, "declaration", json!({"signer": "applicant"})).await;
    applicant.upload(&id, "current_document_page", "application/pdf", pdf()).await;
    let (status, body) = applicant.step(&id, "materials", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&body, "annotation_page"), "material_missing", "annotated, so the page is required");
    let message = body["error"]["fields"][0]["message"].as_str().unwrap_or("");
    assert!(message.starts_with("护照姓名拼写或曾用名加注信息"), "{message}");
    let english = applicant
        .request(Method::PUT, &format!("/api/v1/orders/{id}/steps/materials"))
        .header("accept-language", "en")
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    let english: Value = english.json().await.expect("json");
    assert!(english["error"]["fields"][0]["message"].as_str().unwrap_or("").starts_with("Annotation page"));
    let (_, order) = applicant.upload(&id, "annotation_page", "image/png", photo()).await;
    assert_eq!(applicant.step(&id, "materials", json!({})).await.0, StatusCode::OK);
    assert_eq!(order["fee"]["display"], "16.00 EUR", "the annotation is free at this mission");
    let file_id = order["materials"][1]["files"][0]["id"].as_str().expect("file").to_owned();
    let (status, order) = applicant.call(Method::DELETE, &format!("/api/v1/orders/{id}/files/{file_id}"), None).await;
    assert_eq!((status, order["materials"][1]["files"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let (status, body) = applicant.step(&id, "materials", json!({})).await;
    assert_eq!(
        (status, field_code(&body, "annotation_page")),
        (StatusCode::UNPROCESSABLE_ENTITY, "material_missing".into())
    );
});

both_backends!(steps_go_in_order_and_bad_input_loses_nothing, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let (_, order) = applicant.start(renewal_start(), None).await;
    let id = order["id"].as_str().expect("id").to_owned();
    let (status, body) =
        applicant.step(&id, "delivery", json!({"submission": "by_post", "pickup": "at_mission"})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "step_out_of_order"));
    let (status, body) = applicant.upload(&id, "photo", "image/png", photo()).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "step_out_of_order"), "no photo before details");
    let mut bad = adult_details();
    bad["phone"] = json!("call me");
    bad["birth_date"] = json!("01/05/1990");
    bad["given_name_pinyin"] = json!("SAN 3");
    bad["document_number"] = json!("PE1234567");
    let (status, body) = applicant.step(&id, "details", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&body, "phone"), "phone_format");
    assert_eq!(field_code(&body, "birth_date"), "date_format");
    assert_eq!(field_code(&body, "given_name_pinyin"), "pinyin_charset");
    assert_eq!(field_code(&body, "document_number"), "official_passport");
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert!(order["form"]["details"].is_null(), "a refused screen saves nothing");
    assert_eq!(applicant.step(&id, "details", adult_details()).await.0, StatusCode::OK);
    assert_eq!(applicant.step(&id, "annotations", json!({})).await.0, StatusCode::OK);
    let (status, _) = applicant.upload(&id, "photo", "text/plain", b"hello".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = applicant.upload(&id, "photo", "image/png", b"not an image at all".to_vec()).await;
    assert_eq!(
        (status, field_code(&body, "photo")),
        (StatusCode::UNPROCESSABLE_ENTITY, "image_not_jpeg_or_png".into())
    );
    let (status, order) = applicant.upload(&id, "photo", "image/png", photo()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        order["photo"]["report"]["rules"].as_array().map(Vec::len),
        Some(lingshi_photo::Rule::ALL.len()),
        "the advisory check is shown"
    );
    let huge = vec![0xFF; 5 * 1024 * 1024 + 1];
    let (status, _) = applicant.upload(&id, "photo", "image/jpeg", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert!(order["photo"]["file"]["id"].is_string(), "the photo saved before survives a refused upload");
    let (status, body) = applicant.step(&id, "photo", json!([])).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "unexpected_json"));
    let (status, _) = applicant.step(&id, "teleport", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = applicant.submit(&id, None).await;
    assert_eq!((status, field_code(&body, "step")), (StatusCode::UNPROCESSABLE_ENTITY, "step_incomplete_photo".into()));
    let (status, _) = applicant.upload(&id, "birth_certificate", "application/pdf", pdf()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a material of an adult's renewal");
});

/// The verdict of `rule` in an order's photo report.
fn photo_verdict(order: &Value, rule: &str) -> String {
    let rules = order["photo"]["report"]["rules"].as_array().expect("report");
    let found = rules.iter().find(|r| r["rule"] == rule).unwrap_or_else(|| panic!("{rule} missing"));
    found["verdict"].as_str().expect("verdict").to_owned()
}

both_backends!(the_suggested_crop_replaces_the_photo_and_is_checked_again, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = renewal_with_details(&applicant).await;
    applicant.step(&id, "annotations", json!({"kind": "none"})).await;
    let crop_of = |file: &str| format!("/api/v1/orders/{id}/files/{file}/crop");

    let wall = image::RgbImage::from_pixel(390, 567, image::Rgb([240, 240, 240]));
    let mut wall_png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut wall_png)
        .write_image(wall.as_raw(), 390, 567, image::ExtendedColorType::Rgb8)
        .expect("png");
    let (_, order) = applicant.upload(&id, "photo", "image/png", wall_png).await;
    assert!(order["photo"]["report"]["suggested_crop"].is_null(), "no face, no crop");
    let wall_id = order["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    let (status, body) = applicant.call(Method::POST, &crop_of(&wall_id), None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "photo_has_no_crop"));

    let (_, order) = applicant.upload(&id, "photo", "image/png", photo()).await;
    assert!(
        order["photo"]["report"]["suggested_crop"].is_null(),
        "a 512 px snapshot: any crop fixing the head would be below the print size"
    );
    let (_, order) = applicant.upload(&id, "photo", "image/png", lingshi_photo::testing::phone_snapshot()).await;
    let loose_id = order["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    let crop = order["photo"]["report"]["suggested_crop"].clone();
    assert_eq!(photo_verdict(&order, "proportions"), "fail", "a square snapshot");
    let (status, cropped) = applicant.call(Method::POST, &crop_of(&loose_id), None).await;
    assert_eq!(status, StatusCode::OK, "{cropped}");
    let cropped_id = cropped["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    assert_ne!(cropped_id, loose_id, "the crop replaces the photo");
    assert_eq!(photo_verdict(&cropped, "proportions"), "pass", "checked again: the crop is 33:48");
    let stored = applicant
        .request(Method::GET, &format!("/api/v1/orders/{id}/files/{cropped_id}"))
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    let stored = image::load_from_memory(&stored).expect("the crop decodes");
    assert_eq!(
        (Some(u64::from(stored.width())), Some(u64::from(stored.height()))),
        (crop["width"].as_u64(), crop["height"].as_u64())
    );
    let (status, _) = applicant.call(Method::POST, &crop_of(&loose_id), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the replaced photo is no longer the order's");
});

both_backends!(another_account_cannot_read_change_or_detect_an_order, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let owner = Applicant::verified(&app, "owner@example.org", "E12345678").await;
    let stranger = Applicant::verified(&app, "stranger@example.org", "E87654321").await;
    let id = filled_renewal(&owner).await;
    let (_, order) = owner.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    let photo_id = order["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    let download =
        owner.request(Method::GET, &format!("/api/v1/orders/{id}/files/{photo_id}")).send().await.expect("get");
    assert_eq!(download.status(), StatusCode::OK);
    for probe in [id.as_str(), "00000000-0000-0000-0000-000000000000"] {
        let attempts = [
            stranger.call(Method::GET, &format!("/api/v1/orders/{probe}"), None).await,
            stranger.step(probe, "details", adult_details()).await,
            stranger.upload(probe, "photo", "image/png", photo()).await,
            stranger.call(Method::GET, &format!("/api/v1/orders/{probe}/files/{photo_id}"), None).await,
            stranger.call(Method::DELETE, &format!("/api/v1/orders/{probe}/files/{photo_id}"), None).await,
            stranger.call(Method::POST, &format!("/api/v1/orders/{probe}/files/{photo_id}/crop"), None).await,
            stranger.submit(probe, None).await,
            stranger.call(Method::POST, &format!("/api/v1/orders/{probe}/withdraw"), Some(json!({}))).await,
            stranger.call(Method::DELETE, &format!("/api/v1/orders/{probe}"), None).await,
        ];
        for (status, body) in attempts {
            assert_eq!((status, error_code(&body)), (StatusCode::NOT_FOUND, "not_found"), "{probe}");
        }
    }
    let (_, theirs) = stranger.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(theirs["orders"].as_array().map(Vec::len), Some(0));
    let (status, order) = owner.submit(&id, None).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("under_review")), "untouched by the stranger");
    let anonymous = new_client().get(app.url(&format!("/api/v1/orders/{id}"))).send().await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
});

both_backends!(starting_follows_the_guide_and_the_faq, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    app.register("fresh@example.org").await;
    let (status, body) = app.post_json("/api/v1/orders", renewal_start()).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "identity_unverified"));
    let tile = app.client.get(app.url("/apply/passport")).send().await.expect("page");
    assert_eq!(tile.headers()["location"], "/verify?why=apply", "sent to real-name verification first");
    let html = app.page("/verify?why=apply").await;
    assert!(html.contains("id=\"verify-why\"") && html.contains("请先完成实名认证"), "and told why: {html}");
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = renewal_start();
        change(&mut body);
        body
    };
    let cases: [(Value, &str, &str); 5] = [
        (with(&|b| b["statement_accepted"] = json!(false)), "statement_accepted", "statement_required"),
        (with(&|b| b["residence_country"] = json!("FR")), "residence_country", "outside_district"),
        (
            with(&|b| b["route"] = json!({"held": "official_passport", "lost": false})),
            "route",
            "route_official_passport",
        ),
        (
            with(&|b| b["route"] = json!({"held": "none_of_these", "under_16": false})),
            "route",
            "route_adult_without_document",
        ),
        (with(&|b| b["application_type"] = json!("minor_first.passport.issue")), "application_type", "unknown_choice"),
    ];
    for (body, field, code) in cases {
        let (status, answer) = applicant.start(body, None).await;
        assert_eq!(
            (status, field_code(&answer, field)),
            (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned()),
            "{answer}"
        );
    }
    let message = {
        let (_, answer) = applicant.start(with(&|b| b["residence_country"] = json!("FR")), None).await;
        answer["error"]["fields"][0]["message"].as_str().unwrap_or("").to_owned()
    };
    assert!(message.contains("领区"), "FAQ 3's explanation: {message}");
    let (status, types) = applicant
        .call(
            Method::POST,
            "/api/v1/application-types",
            Some(json!({"held": "hk_macau_taiwan_or_other", "lost": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> =
        types["types"].as_array().expect("types").iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["旅行证颁发", "旅行证换发"]);
    let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(mine["orders"].as_array().map(Vec::len), Some(0), "no refused start left a draft");
    let (_, spec) = app.get_json("/openapi.json").await;
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/steps/{step}",
        "/api/v1/orders/{id}/submit",
        "/api/v1/application-types",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} is documented");
    }
});

both_backends!(
    a_visitor_who_lost_a_passport_gets_an_emergency_document_where_they_are_not_a_passport,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let applicant = Applicant::verified(&app, "visitor@example.org", "E12345678").await;
        let visitor = |service: &str, present: &str| {
            json!({"service": service, "statement_accepted": true, "mission_id": "be-embassy",
                   "residence_country": "CN", "present_country": present})
        };
        let (status, order) = applicant.start(visitor("emergency", "BE"), None).await;
        assert_eq!(status, StatusCode::CREATED, "a short-stay visitor in Belgium (Step 4 二): {order}");
        let mut passport = visitor("passport", "BE");
        passport["route"] = json!({"held": "ordinary_passport", "lost": true});
        passport["application_type"] = json!("replacement.passport.replacement");
        let (status, answer) = applicant.start(passport, None).await;
        assert_eq!(
            (status, field_code(&answer, "residence_country")),
            (StatusCode::UNPROCESSABLE_ENTITY, "outside_district".to_owned()),
            "passports stay with the mission where the applicant lives: {answer}"
        );
        let (status, answer) = applicant.start(visitor("emergency", "FR"), None).await;
        assert_eq!(
            (status, field_code(&answer, "present_country")),
            (StatusCode::UNPROCESSABLE_ENTITY, "present_outside_district".to_owned()),
            "{answer}"
        );
        let (status, answer) = applicant.start(visitor("emergency", "Belgium"), None).await;
        assert_eq!(
            (status, field_code(&answer, "present_country")),
            (StatusCode::UNPROCESSABLE_ENTITY, "unknown_choice".to_owned()),
            "{answer}"
        );
        let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
        assert_eq!(mine["orders"].as_array().map(Vec::len), Some(1), "only the accepted start left a draft");
    }
);

both_backends!(
    an_emergency_document_is_confirmed_irreversible_and_cannot_be_withdrawn,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
        let start = json!({"service": "emergency", "statement_accepted": true, "mission_id": "be-embassy", "residence_country": "BE"});
        let (status, order) = applicant.start(start, None).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let steps: Vec<&str> =
            order["steps"].as_array().expect("steps").iter().filter_map(|s| s["step"].as_str()).collect();
        assert_eq!(steps, ["details", "photo", "review", "face", "pickup", "payment"]);
        let id = order["id"].as_str().expect("id").to_owned();
        let mut details = adult_details();
        details["document_number"] = json!("");
        assert_eq!(applicant.step(&id, "details", details).await.0, StatusCode::OK);
        applicant.upload(&id, "photo", "image/png", photo()).await;
        assert_eq!(applicant.step(&id, "photo", json!({})).await.0, StatusCode::OK);
        let (status, _) = applicant.upload(&id, "signature", "image/png", signature_png()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "no declaration for an emergency document");
        assert_eq!(applicant.step(&id, "review", json!({"confirmed": true})).await.0, StatusCode::OK);
        applicant.call(Method::POST, &format!("/api/v1/orders/{id}/face/skip"), None).await;
        let proxy = json!({"method": "proxy", "proxy_name": "李四", "proxy_document_kind": "resident_id", "proxy_document_number": "110105194912310021"});
        let (status, body) = applicant.step(&id, "pickup", proxy.clone()).await;
        assert_eq!(
            (status, field_code(&body, "proxy_document_number")),
            (StatusCode::UNPROCESSABLE_ENTITY, "resident_id_checksum".into())
        );
        let mut proxy = proxy;
        proxy["proxy_document_number"] = json!("11010519491231002X");
        assert_eq!(applicant.step(&id, "pickup", proxy).await.0, StatusCode::OK);
        let (status, body) = applicant.step(&id, "payment", json!({"method": "offline"})).await;
        assert_eq!(field_code(&body, "irreversible_acknowledged"), "irreversible_unconfirmed", "{status}");
        let (status, body) =
            applicant.step(&id, "payment", json!({"method": "wechat", "irreversible_acknowledged": true})).await;
        assert_eq!(
            (status, field_code(&body, "method")),
            (StatusCode::UNPROCESSABLE_ENTITY, "payment_unavailable".into())
        );
        let payment = json!({"method": "offline", "irreversible_acknowledged": true});
        assert_eq!(applicant.step(&id, "payment", payment).await.0, StatusCode::OK);
        let (status, order) = applicant.submit(&id, None).await;
        assert_eq!(
            (status, order["state"].as_str(), order["may_withdraw"].as_bool()),
            (StatusCode::OK, Some("under_review"), Some(false))
        );
        let (status, body) =
            applicant.call(Method::POST, &format!("/api/v1/orders/{id}/withdraw"), Some(json!({}))).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "emergency_irrevocable"));
    }
);

both_backends!(a_minors_first_application_needs_parents_and_their_papers, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let parent = Applicant::verified(&app, "parent@example.org", "E12345678").await;
    let start = json!({
        "service": "passport", "statement_accepted": true, "mission_id": "be-embassy", "residence_country": "BE",
        "on_behalf": true, "route": {"held": "none_of_these", "under_16": true},
        "application_type": "minor_first.passport.issue",
    });
    let (_, order) = parent.start(start, None).await;
    let id = order["id"].as_str().expect("id").to_owned();
    let mut child = adult_details();
    child["birth_date"] = json!("2019-03-02");
    child["document_number"] = json!("");
    let (status, body) = parent.step(&id, "details", child.clone()).await;
    assert_eq!((status, field_code(&body, "father_name")), (StatusCode::UNPROCESSABLE_ENTITY, "required".into()));
    child["father_name"] = json!("张大");
    child["father_document"] = json!("E11111111");
    child["mother_name"] = json!("王芳");
    child["mother_document"] = json!("E22222222");
    let (status, order) = parent.step(&id, "details", child).await;
    assert_eq!((status, order["parent_must_sign"].as_bool()), (StatusCode::OK, Some(true)));
    let required: Vec<&str> = order["materials"]
        .as_array()
        .expect("materials")
        .iter()
        .filter(|m| m["need"] == "required")
        .filter_map(|m| m["item"].as_str())
        .collect();
    assert_eq!(required, ["birth_certificate", "parents_passports", "parents_residence_permits", "parental_consent"]);
    parent.step(&id, "annotations", json!({})).await;
    parent.upload(&id, "photo", "image/png", photo()).await;
    parent.step(&id, "photo", json!({})).await;
    parent.upload(&id, "signature", "image/png", signature_png()).await;
    let (status, body) = parent.step(&id, "declaration", json!({"signer": "applicant"})).await;
    assert_eq!((status, field_code(&body, "signer")), (StatusCode::UNPROCESSABLE_ENTITY, "parent_must_sign".into()));
    assert_eq!(parent.step(&id, "declaration", json!({"signer": "parent"})).await.0, StatusCode::OK);
    let (_, mine) = parent.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(mine["orders"][0]["on_behalf"], true, "filed for someone else");
});

both_backends!(every_screen_of_an_application_renders_with_real_data, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "zhang@example.org", "E12345678").await;
    let id = filled_renewal(&applicant).await;
    for step in ["details", "annotations", "photo", "declaration", "materials", "delivery", "review", "face", "payment"]
    {
        let response = applicant.request(Method::GET, &format!("/orders/{id}/steps/{step}")).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK, "{step}");
        let html = response.text().await.expect("html");
        assert!(html.contains("<form method=\"post\""), "{step} has its form");
    }
    let (status, _) = applicant.submit(&id, None).await;
    assert_eq!(status, StatusCode::OK);
    let order_page = applicant.request(Method::GET, &format!("/orders/{id}")).send().await.expect("get");
    let html = order_page.text().await.expect("html");
    assert!(html.contains("审核中") && html.contains("撤回申请"), "state and the withdraw button");
    let step_page = applicant.request(Method::GET, &format!("/orders/{id}/steps/details")).send().await.expect("get");
    assert_eq!(step_page.status(), StatusCode::SEE_OTHER, "a submitted order's screens lead to the order");
    let list = applicant.request(Method::GET, "/orders").send().await.expect("get").text().await.expect("html");
    assert!(list.contains("护照换发"));
});

both_backends!(pinyin_is_suggested_with_surnames_read_as_surnames, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (status, body) = app.get_json("/api/v1/pinyin-suggestions?name=%E6%9B%BE%E5%B0%8F%E6%98%8E").await;
    assert_eq!(
        (status, body["surname"].as_str(), body["given_name"].as_str()),
        (StatusCode::OK, Some("ZENG"), Some("XIAOMING"))
    );
    let (status, _) = app.get_json("/api/v1/pinyin-suggestions?name=Smith").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let long = "张".repeat(40);
    let (status, body) = app.get_json(&format!("/api/v1/pinyin-suggestions?name={long}")).await;
    assert_eq!((status, field_code(&body, "name")), (StatusCode::UNPROCESSABLE_ENTITY, "too_long".into()));
});
