//! The staff side of orders over the JSON API, on both backends: the lifecycle from review
//! to hand-over with a supplement answered online, the roles and missions that may (not) see
//! or do what, forbidden transitions, two officers acting at once, and the audit chain.

use crate::orders::{Applicant, filled_renewal, pdf};
use crate::support::{TestApp, error_code};
use lingshi_domain::order::StaffRole;
use lingshi_storage::audit::ChainCheck;
use lingshi_storage::staff::NewStaff;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// An officer of the Embassy in Belgium.
pub async fn officer(app: &TestApp, role: StaffRole, username: &str) -> Officer {
    Officer::new(app, Some("be-embassy"), role, username).await
}

/// An officer signed in with the staff cookie.
pub struct Officer {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Officer {
    pub async fn new(app: &TestApp, mission: Option<&str>, role: StaffRole, username: &str) -> Self {
        let mut tx = app.db.begin().await.expect("begin");
        let new = NewStaff { mission_id: mission, username, display_name: username, role, password_hash: "unused" };
        let staff = lingshi_storage::staff::create(&mut tx, &new, chrono::Utc::now()).await.expect("staff");
        let token =
            lingshi_web::service::sign_in::open_session(&mut tx, lingshi_web::auth::SessionKind::Staff, &staff.id)
                .await
                .expect("session");
        tx.commit().await.expect("commit");
        Self { base: app.base.clone(), token, client: reqwest::Client::new() }
    }

    /// The `Cookie` header's value, for a client other than reqwest (a WebSocket).
    pub fn cookie(&self) -> String {
        format!("ls_staff={}", self.token)
    }

    /// A request with the staff cookie, to a page or the API.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).header("cookie", self.cookie())
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    /// Sends `body` as JSON-typed bytes, whatever they are.
    pub async fn call_raw(&self, method: Method, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .request(method, path)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        (response.status(), response.json().await.unwrap_or(Value::Null))
    }

    /// A page's status and HTML.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.request(Method::GET, path).send().await.expect("request");
        (response.status(), response.text().await.unwrap_or_default())
    }

    pub async fn order(&self, id: &str) -> (StatusCode, Value) {
        self.call(Method::GET, &format!("/api/v1/staff/orders/{id}"), None).await
    }

    /// Takes `action` on the version the officer last saw.
    pub async fn act(&self, id: &str, action: Value) -> (StatusCode, Value) {
        let (_, order) = self.order(id).await;
        let mut body = action;
        body["version"] = order["version"].clone();
        self.call(Method::POST, &format!("/api/v1/staff/orders/{id}/actions"), Some(body)).await
    }
}

pub async fn submitted_renewal(app: &TestApp, email: &str, passport: &str) -> (Applicant, String, String) {
    let applicant = Applicant::verified(app, email, passport).await;
    let id = filled_renewal(&applicant).await;
    let (status, order) = applicant.submit(&id, None).await;
    assert_eq!(status, StatusCode::OK);
    (applicant, id, order["number"].as_str().expect("number").to_owned())
}

pub fn mail_about(app: &TestApp, to: &str, number: &str) -> Option<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let found =
            app.mail.messages().into_iter().find(|m| m.to.iter().any(|t| t == to) && m.subject.contains(number));
        if let Some(mail) = found {
            return Some(mail.body);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

both_backends!(an_order_goes_from_review_to_hand_over_with_a_supplement, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir).await;
    let (applicant, id, number) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer").await;
    let issuer = Officer::new(&app, Some("be-embassy"), StaffRole::Issuer, "issuer").await;
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;

    let (status, queue) = reviewer.call(Method::GET, "/api/v1/staff/orders?state=under_review", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(queue["counts"]["under_review"], 1);
    assert_eq!(queue["orders"][0]["number"].as_str(), Some(number.as_str()));
    let (_, found) = reviewer.call(Method::GET, "/api/v1/staff/orders?q=e12345678", None).await;
    assert_eq!(found["orders"].as_array().map(Vec::len), Some(1), "found by the document number's keyed index");
    for term in ["%E5%BC%A0%E4%B8%89", "zhang%20san", number.as_str()] {
        let (_, found) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders?q={term}"), None).await;
        assert_eq!(found["orders"].as_array().map(Vec::len), Some(1), "found by {term}");
    }
    let (_, none) = reviewer.call(Method::GET, "/api/v1/staff/orders?q=li%20si", None).await;
    assert_eq!(none["orders"].as_array().map(Vec::len), Some(0));
    // The console's filter form sends its untouched date fields empty: absent, not errors.
    let filtered = format!("/api/v1/staff/orders?q={number}&from=&until=&state=");
    let (status, found) = reviewer.call(Method::GET, &filtered, None).await;
    assert_eq!((status, found["orders"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{found}");
    let far = format!("/api/v1/staff/orders?page={}", u32::MAX);
    let (status, beyond) = reviewer.call(Method::GET, &far, None).await;
    assert_eq!((status, beyond["orders"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "a page past the end");
    let (status, body) = reviewer.call(Method::GET, "/api/v1/staff/orders?from=30-11-2026", None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "malformed_query"));
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("日期")), "{body}");
    let page = reviewer
        .request(Method::GET, &format!("/staff/orders?q={number}&from=&until="))
        .send()
        .await
        .expect("queue page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("html").contains(number.as_str()), "the page finds the order");
    let (_, order) = reviewer.order(&id).await;
    assert_eq!(
        order["photo"]["report"]["rules"].as_array().map(Vec::len),
        Some(lingshi_photo::Rule::ALL.len()),
        "staff see the photo's report"
    );
    assert_eq!(
        order["actions"],
        json!(["accept", "reject", "request_supplement", "require_interview"]),
        "the reviewer is offered what the domain allows"
    );
    let (_, as_cashier) = cashier.order(&id).await;
    assert_eq!(as_cashier["actions"], json!(["record_payment"]));
    let photo = order["photo"]["file"]["id"].as_str().expect("photo");
    let (status, _) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/files/{photo}"), None).await;
    assert_ne!(status, StatusCode::NOT_FOUND);

    let ask = json!({"action": "request_supplement", "items": [{"material": "other", "reason": "请补充比利时居留卡", "due_on": "2030-01-31"}]});
    let (status, order) = reviewer.act(&id, ask).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("supplement_required")), "{order}");
    let body = mail_about(&app, "zhang@example.org", &number).expect("the applicant is told by e-mail");
    assert!(body.contains("待补充材料"), "{body}");
    let (_, mine) = applicant.call(Method::GET, "/api/v1/orders", None).await;
    assert_eq!(mine["orders"][0]["state"], "supplement_required");
    let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(
        (seen["unread"].as_bool(), seen["supplements"][0]["reason"].as_str()),
        (Some(true), Some("请补充比利时居留卡"))
    );
    assert_eq!(seen["actions"], json!(["withdraw", "provide_supplement", "request_fingerprints"]), "{seen}");
    let (_, seen_again) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(seen_again["unread"], false, "opening the order reads the news");
    let (status, body) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/supplement"), None).await;
    assert_eq!(
        (status, crate::support::field_code(&body, "other")),
        (StatusCode::UNPROCESSABLE_ENTITY, "material_missing".to_owned()),
        "nothing uploaded since the request"
    );
    let page = applicant.request(Method::POST, &format!("/orders/{id}/supplement")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"supplement-error-other\""), "the message stands beside the item: {html}");
    let (status, _) = applicant.upload(&id, "other", "application/pdf", pdf()).await;
    assert_eq!(status, StatusCode::OK, "a supplement is uploaded online");
    // 增加、删减或修改: what was added for the supplement can be taken back before sending.
    let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    let added = seen["supplements"][0]["files"][0]["id"].as_str().expect("the added file").to_owned();
    let path = format!("/api/v1/orders/{id}/files/{added}");
    assert_eq!(applicant.call(Method::DELETE, &path, None).await.0, StatusCode::OK);
    let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    assert_eq!(seen["supplements"][0]["files"].as_array().map(Vec::len), Some(0), "{seen}");
    let reviewed = seen["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    let (status, body) = applicant.call(Method::DELETE, &format!("/api/v1/orders/{id}/files/{reviewed}"), None).await;
    assert_eq!(status.as_u16() / 100, 4, "what staff reviewed stays: {body}");
    let timeline = seen["timeline"].as_array().expect("timeline");
    assert!(
        timeline.iter().all(|e| e["at_local"].as_str().is_some_and(|t| t.ends_with("CET") || t.ends_with("CEST"))),
        "times on the mission's clock, labelled: {timeline:?}"
    );
    let (status, _) = applicant.upload(&id, "other", "application/pdf", pdf()).await;
    assert_eq!(status, StatusCode::OK, "a supplement is uploaded online");
    let (status, order) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/supplement"), None).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("under_review")));

    let (status, _) = issuer.act(&id, json!({"action": "accept"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "an issuer does not accept");
    let (status, order) = reviewer.act(&id, json!({"action": "accept"})).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("awaiting_production")));
    let (status, body) = issuer.act(&id, json!({"action": "hand_over", "method": "counter"})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "transition_not_from_state"), "not before ready");
    assert_eq!(issuer.act(&id, json!({"action": "mark_ready"})).await.0, StatusCode::OK);
    let (status, body) = issuer.act(&id, json!({"action": "hand_over", "method": "counter"})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "fee_unpaid"));
    let (status, body) =
        cashier.act(&id, json!({"action": "record_payment", "method": "card", "amount": "16,00"})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"));
    let payment = json!({"action": "record_payment", "method": "card", "amount": "16.00", "reference": "POS 0042"});
    assert_eq!(cashier.act(&id, payment).await.0, StatusCode::OK);
    assert_eq!(issuer.act(&id, json!({"action": "old_document_cancelled"})).await.0, StatusCode::OK);
    let (status, order) = issuer.act(&id, json!({"action": "hand_over", "method": "counter"})).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("completed")));

    let (_, trail) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
    let actions: Vec<&str> =
        trail["audit"].as_array().expect("audit").iter().filter_map(|r| r["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "supplement_requested",
            "supplement_provided",
            "accepted",
            "ready",
            "payment_recorded",
            "old_document_cancelled",
            "handed_over"
        ]
    );
    assert_eq!(trail["audit"][1]["role"], "reviewer");
    assert_eq!(trail["audit"][1]["reason"], "请补充比利时居留卡");
    assert!(matches!(lingshi_storage::audit::verify(&db).await.expect("verify"), ChainCheck::Intact { rows: 8 }));
    let (status, body) = reviewer.call(Method::GET, "/api/v1/staff/audit.csv", None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "not_your_role"), "only a mission admin exports");
    let admin = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "admin").await;
    let csv = admin
        .client
        .get(app.url("/api/v1/staff/audit.csv"))
        .header("cookie", format!("ls_staff={}", admin.token))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 9, "a header and the eight rows");
    assert!(
        lines[0].starts_with("seq,at_utc")
            && lines[2].contains("supplement_requested")
            && lines[2].contains("请补充比利时居留卡")
    );
    let elsewhere = Officer::new(&app, Some("nl-embassy"), StaffRole::MissionAdmin, "nl.admin").await;
    let theirs = elsewhere
        .client
        .get(app.url("/api/v1/staff/audit.csv"))
        .header("cookie", format!("ls_staff={}", elsewhere.token))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert_eq!(theirs.lines().count(), 1, "another mission's admin exports only their own (empty) log");
    let (status, board) = reviewer.call(Method::GET, "/api/v1/staff/dashboard", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(board["counts"]["completed"], 1);
    let today = board["per_day"].as_array().and_then(|d| d.last()).cloned().unwrap_or(Value::Null);
    assert_eq!((today[1].as_u64(), today[2].as_u64()), (Some(1), Some(1)), "received and completed today: {today}");
    assert!(board["median_days_to_ready"].as_f64().is_some_and(|d| (0.0..1.0).contains(&d)));
    assert_eq!(board["top_supplement_reasons"][0], json!(["请补充比利时居留卡", 1]));
});

both_backends!(no_role_or_mission_reaches_what_it_should_not, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (applicant, id, _) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let (_, draft) = applicant.start(crate::orders::renewal_start(), None).await;
    let draft_id = draft["id"].as_str().expect("draft").to_owned();
    let elsewhere = Officer::new(&app, Some("nl-embassy"), StaffRole::MissionAdmin, "nl.admin").await;
    let paths = [
        (Method::GET, format!("/api/v1/staff/orders/{id}")),
        (Method::GET, format!("/api/v1/staff/orders/{id}/audit")),
        (Method::GET, format!("/api/v1/staff/orders/{id}/files/anything")),
        (Method::POST, format!("/api/v1/staff/orders/{id}/actions")),
    ];
    for (method, path) in &paths {
        let body = (*method == Method::POST).then(|| json!({"version": 0, "action": "accept"}));
        let (status, answer) = elsewhere.call(method.clone(), path, body).await;
        assert_eq!((status, error_code(&answer)), (StatusCode::NOT_FOUND, "not_found"), "{path}");
    }
    let (_, queue) = elsewhere.call(Method::GET, "/api/v1/staff/orders", None).await;
    assert_eq!(queue["orders"].as_array().map(Vec::len), Some(0), "another mission's queue is empty of ours");
    let own = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "be.reviewer").await;
    let (status, _) = own.order(&draft_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "drafts are the applicant's alone");
    for (role, name) in [(StaffRole::Issuer, "i"), (StaffRole::Cashier, "c")] {
        let officer = Officer::new(&app, Some("be-embassy"), role, name).await;
        for action in ["accept", "reject", "require_interview"] {
            let (status, body) = officer.act(&id, json!({"action": action, "reason": "x"})).await;
            assert_eq!(
                (status, error_code(&body)),
                (StatusCode::CONFLICT, "transition_not_permitted"),
                "{role:?} {action}"
            );
        }
    }
    let anonymous = reqwest::get(app.url(&format!("/api/v1/staff/orders/{id}"))).await.expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let as_applicant = applicant.request(Method::GET, &format!("/api/v1/staff/orders/{id}")).send().await.expect("get");
    assert_eq!(as_applicant.status(), StatusCode::UNAUTHORIZED, "an applicant's session is not a staff session");
    let (_, order) = own.order(&id).await;
    assert_eq!(order["state"], "under_review", "nothing above changed the order");
});

both_backends!(two_officers_acting_at_once_cannot_both_win, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (_, id, _) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let first = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "first").await;
    let second = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "second").await;
    let (_, seen) = first.order(&id).await;
    let version = seen["version"].clone();
    let path = format!("/api/v1/staff/orders/{id}/actions");
    let accept = json!({"version": version, "action": "accept"});
    let reject = json!({"version": version, "action": "reject", "reason": "材料不全"});
    let (a, b) =
        tokio::join!(first.call(Method::POST, &path, Some(accept)), second.call(Method::POST, &path, Some(reject)));
    let statuses = [a.0, b.0];
    assert!(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let (_, order) = first.order(&id).await;
    let winner = if a.0 == StatusCode::OK { "awaiting_production" } else { "rejected" };
    assert_eq!(order["state"], winner);
    let stale = json!({"version": version, "action": "accept"});
    let (status, body) = first.call(Method::POST, &path, Some(stale)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "concurrent_change"),
        "a second tab with the old page"
    );
});

both_backends!(an_emergency_fee_is_never_refunded, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let applicant = Applicant::verified(&app, "urgent@example.org", "E12345678").await;
    let start = json!({"service": "emergency", "statement_accepted": true, "mission_id": "be-embassy", "residence_country": "BE"});
    let (_, order) = applicant.start(start, None).await;
    let id = order["id"].as_str().expect("id").to_owned();
    let mut details = crate::orders::adult_details();
    details["document_number"] = json!("");
    applicant.step(&id, "details", details).await;
    applicant.upload(&id, "photo", "image/png", lingshi_photo::testing::fixture("astronaut.png")).await;
    applicant.step(&id, "photo", json!({})).await;
    applicant.step(&id, "review", json!({"confirmed": true})).await;
    applicant.call(Method::POST, &format!("/api/v1/orders/{id}/face/skip"), None).await;
    applicant.step(&id, "pickup", json!({"method": "self"})).await;
    applicant.step(&id, "payment", json!({"method": "offline", "irreversible_acknowledged": true})).await;
    assert_eq!(applicant.submit(&id, None).await.0, StatusCode::OK);
    let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
    assert_eq!(
        cashier.act(&id, json!({"action": "record_payment", "method": "cash", "amount": "16"})).await.0,
        StatusCode::OK
    );
    let (status, body) =
        cashier.act(&id, json!({"action": "record_refund", "amount": "16", "reason": "客户要求"})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "emergency_not_refunded"));
    let (_, order) = cashier.order(&id).await;
    assert_eq!(order["paid_minor"], 1600, "the refusal wrote nothing");
});

both_backends!(mission_admins_manage_their_own_staff_only, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db.clone(), dir).await;
    let admin = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "be.admin").await;
    let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "be.reviewer").await;
    let dutch = Officer::new(&app, Some("nl-embassy"), StaffRole::Reviewer, "nl.reviewer").await;
    let add = json!({"username": "be.cashier", "name": "王收费", "role": "cashier"});
    let (status, body) = reviewer.call(Method::POST, "/api/v1/staff/members", Some(add.clone())).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "not_your_role"));
    let (status, body) = admin.call(Method::POST, "/api/v1/staff/members", Some(add.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        (body["member"]["mission_id"].as_str(), body["member"]["role"].as_str()),
        (Some("be-embassy"), Some("cashier"))
    );
    assert!(body["generated_password"].as_str().is_some_and(|p| p.len() == 16));
    let (status, _) = admin.call(Method::POST, "/api/v1/staff/members", Some(add)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let escalate = json!({"username": "be.root", "name": "Root", "role": "system_admin"});
    assert_eq!(
        admin.call(Method::POST, "/api/v1/staff/members", Some(escalate)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (_, listed) = admin.call(Method::GET, "/api/v1/staff/members", None).await;
    let names: Vec<&str> =
        listed["members"].as_array().expect("members").iter().filter_map(|m| m["username"].as_str()).collect();
    assert!(names.contains(&"be.cashier") && !names.contains(&"nl.reviewer"), "{names:?}");
    let (status, _) = admin.call(Method::POST, "/api/v1/staff/members/nl.reviewer/disable", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another mission's staff are not theirs to touch");
    let (status, _) = admin.call(Method::POST, "/api/v1/staff/members/be.reviewer/disable", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        reviewer.call(Method::GET, "/api/v1/staff/orders", None).await.0,
        StatusCode::UNAUTHORIZED,
        "sessions end"
    );
    assert_eq!(dutch.call(Method::GET, "/api/v1/staff/orders", None).await.0, StatusCode::OK);
    let (status, body) = admin.call(Method::POST, "/api/v1/staff/members/be.admin/disable", None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "cannot_disable_self"));
    let actions: Vec<String> = lingshi_storage::audit::for_mission(&db, "be-embassy")
        .await
        .expect("audit")
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(actions, ["staff_created", "staff_disabled"]);
});

both_backends!(
    a_walk_in_is_registered_at_the_counter_and_follows_the_same_lifecycle,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "reviewer").await;
        let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
        let mut details = crate::orders::adult_details();
        details["document_number"] = json!("");
        let walk_in = json!({"service": "emergency", "residence_country": "BE", "details": details, "pickup": {"method": "self"}});
        let (status, body) = cashier.call(Method::POST, "/api/v1/staff/walk-ins", Some(walk_in.clone())).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "transition_not_permitted"));
        let mut bad = walk_in.clone();
        bad["details"]["phone"] = json!("no phone");
        let (status, body) = reviewer.call(Method::POST, "/api/v1/staff/walk-ins", Some(bad)).await;
        assert_eq!(
            (status, crate::support::field_code(&body, "phone")),
            (StatusCode::UNPROCESSABLE_ENTITY, "phone_format".to_owned())
        );
        let (_, queue) = reviewer.call(Method::GET, "/api/v1/staff/orders", None).await;
        assert_eq!(queue["orders"].as_array().map(Vec::len), Some(0), "a refused walk-in leaves nothing");

        let (status, order) = reviewer.call(Method::POST, "/api/v1/staff/walk-ins", Some(walk_in)).await;
        assert_eq!((status, order["state"].as_str()), (StatusCode::CREATED, Some("under_review")), "{order}");
        let id = order["id"].as_str().expect("id").to_owned();
        let upload = reviewer
            .client
            .put(app.url(&format!("/api/v1/staff/orders/{id}/files/photo")))
            .header("cookie", format!("ls_staff={}", reviewer.token))
            .header("content-type", "image/png")
            .body(lingshi_photo::testing::fixture("astronaut.png"))
            .send()
            .await
            .expect("upload");
        assert_eq!(upload.status(), StatusCode::OK);
        let (_, order) = reviewer.order(&id).await;
        assert_eq!(order["photo"]["report"]["rules"].as_array().map(Vec::len), Some(lingshi_photo::Rule::ALL.len()));
        let (_, photo_failed) = reviewer.call(Method::GET, "/api/v1/staff/orders?photo_failed=true", None).await;
        assert_eq!(photo_failed["orders"].as_array().map(Vec::len), Some(1), "the walk-in's photo check is flagged");
        let (status, order) = reviewer.act(&id, json!({"action": "accept"})).await;
        assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("awaiting_production")));
        let (_, trail) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
        let actions: Vec<&str> =
            trail["audit"].as_array().expect("audit").iter().filter_map(|r| r["action"].as_str()).collect();
        assert_eq!(actions, ["walk_in_registered", "file_added_at_counter", "accepted"]);
        let (_, board) = reviewer.call(Method::GET, "/api/v1/staff/dashboard", None).await;
        let today = board["per_day"].as_array().and_then(|d| d.last()).cloned().unwrap_or(Value::Null);
        assert_eq!(today[1].as_u64(), Some(1), "a walk-in counts as received: {today}");

        let (_, applicant_order, _) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
        let upload = reviewer
            .client
            .put(app.url(&format!("/api/v1/staff/orders/{applicant_order}/files/photo")))
            .header("cookie", format!("ls_staff={}", reviewer.token))
            .header("content-type", "image/png")
            .body(lingshi_photo::testing::fixture("astronaut.png"))
            .send()
            .await
            .expect("upload");
        assert_eq!(upload.status(), StatusCode::CONFLICT, "an applicant's evidence is theirs");
    }
);

/// Every staff endpoint that names an order, with the request to make.
fn order_endpoints(id: &str, file: &str) -> Vec<(Method, String, Option<Value>)> {
    let mut all = vec![
        (Method::GET, format!("/api/v1/staff/orders/{id}"), None),
        (Method::GET, format!("/api/v1/staff/orders/{id}/audit"), None),
        (Method::GET, format!("/api/v1/staff/orders/{id}/files/{file}"), None),
    ];
    for action in [
        "accept",
        "reject",
        "request_supplement",
        "require_interview",
        "complete_interview",
        "mark_ready",
        "hand_over",
        "old_document_cancelled",
        "record_payment",
        "record_refund",
    ] {
        let body = json!({"version": 1, "action": action, "reason": "原因", "method": "card", "amount": "16",
                          "items": [{"material": "other", "reason": "原因"}]});
        all.push((Method::POST, format!("/api/v1/staff/orders/{id}/actions"), Some(body)));
    }
    all
}

both_backends!(every_staff_endpoint_with_every_role_and_mission_leaks_nothing, |db: Db, dir: PathBuf| async move {
    let app = TestApp::start(db, dir).await;
    let (_, id, number) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let admin = Officer::new(&app, Some("be-embassy"), StaffRole::MissionAdmin, "be.admin").await;
    let (_, order) = admin.order(&id).await;
    let file = order["photo"]["file"]["id"].as_str().expect("photo").to_owned();
    for role in [StaffRole::Reviewer, StaffRole::Issuer, StaffRole::Cashier, StaffRole::MissionAdmin] {
        let outsider = Officer::new(&app, Some("nl-embassy"), role, &format!("nl.{}", role.code())).await;
        for (method, path, body) in order_endpoints(&id, &file) {
            let (status, answer) = outsider.call(method, &path, body).await;
            assert_eq!((status, error_code(&answer)), (StatusCode::NOT_FOUND, "not_found"), "{role:?} {path}");
        }
        let (_, queue) = outsider.call(Method::GET, &format!("/api/v1/staff/orders?q={number}"), None).await;
        assert_eq!(queue["orders"].as_array().map(Vec::len), Some(0), "{role:?} cannot find it by number");
        let (status, board) = outsider.call(Method::GET, "/api/v1/staff/dashboard", None).await;
        assert!(status == StatusCode::OK && board["counts"].as_object().is_some_and(|c| c.is_empty()), "{role:?}");
        let insider = Officer::new(&app, Some("be-embassy"), role, &format!("be.{}", role.code())).await;
        for (method, path, body) in order_endpoints(&id, &file) {
            let (status, _) = insider.call(method, &path, body).await;
            assert!(
                [StatusCode::OK, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                "{role:?} {path}: {status}"
            );
        }
    }
    let root = Officer::new(&app, None, StaffRole::SystemAdmin, "root").await;
    assert_eq!(root.order(&id).await.0, StatusCode::OK, "a system administrator sees every mission");
});

/// Sends a message with one PDF attachment over SMTP to `port`.
async fn mail_attachment(port: u16, from: &str, to: &str) {
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, MultiPart, SinglePart};
    let (from, to) = (from.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || {
        let message = lettre::Message::builder()
            .from(from.parse().expect("from"))
            .to(to.parse().expect("to"))
            .subject("补充材料")
            .multipart(
                MultiPart::mixed().singlepart(SinglePart::plain("见附件".to_owned())).singlepart(
                    Attachment::new("residence.pdf".into())
                        .body(crate::orders::pdf(), ContentType::parse("application/pdf").expect("type")),
                ),
            )
            .expect("message");
        let transport = lettre::SmtpTransport::builder_dangerous("127.0.0.1").port(port).build();
        lettre::Transport::send(&transport, &message).expect("sent");
    })
    .await
    .expect("join");
}

both_backends!(supplements_can_be_mailed_from_the_registered_address, |db: Db, dir: PathBuf| async move {
    let settings =
        lingshi_web::Settings { supplement_mail: Some("supplement@lingshi.test".into()), ..crate::support::settings() };
    let app = TestApp::start_with(db, dir, settings).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (sink, inbox) = tokio::sync::mpsc::channel(4);
    lingshi_integrations::inbound::serve(listener, "lingshi.test", sink).expect("inbound");
    tokio::spawn(lingshi_web::service::inbound_mail::run(app.state.clone(), inbox));

    let (applicant, id, number) = submitted_renewal(&app, "zhang@example.org", "E12345678").await;
    let reviewer = officer(&app, StaffRole::Reviewer, "reviewer").await;
    let ask = json!({"action": "request_supplement", "items": [{"material": "other", "reason": "请补充居留卡"}]});
    assert_eq!(reviewer.act(&id, ask).await.0, StatusCode::OK);
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    let address = format!("supplement+{number}@lingshi.test");
    assert_eq!(order["supplement_mail"].as_str(), Some(address.as_str()));

    mail_attachment(port, "stranger@example.org", &address).await;
    mail_attachment(port, "ZHANG@example.org", &address).await;
    let mut others = 0;
    for _ in 0..100 {
        let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
        others = order["materials"]
            .as_array()
            .and_then(|m| m.iter().find(|i| i["item"] == "other"))
            .and_then(|i| i["files"].as_array())
            .map_or(0, Vec::len);
        if others > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(others > 0, "the submitter's mail is taken");
    // Both mails have been handled in order by now; had the stranger's been taken, there
    // would be two files.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, order) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}"), None).await;
    let files = order["materials"]
        .as_array()
        .and_then(|m| m.iter().find(|i| i["item"] == "other"))
        .and_then(|i| i["files"].as_array())
        .map_or(0, Vec::len);
    assert_eq!(files, 1, "only the submitter's mail is taken");
    assert!(order["timeline"].as_array().expect("timeline").iter().any(|e| e["event"] == "supplement_by_mail"));
    let (status, order) = applicant.call(Method::POST, &format!("/api/v1/orders/{id}/supplement"), None).await;
    assert_eq!(
        (status, order["state"].as_str()),
        (StatusCode::OK, Some("under_review")),
        "the mailed file answers the request"
    );
});
