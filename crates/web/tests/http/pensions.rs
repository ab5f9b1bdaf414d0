//! Pension-eligibility certification against the simulated social-security department
//! (`lingshi_integrations::pension_simulator`, the one the demo runs) that this test starts: it accepts, rejects, times out, answers twice or answers garbage;
//! decisions come by signed callback or by polling. Both backends.

use crate::orders::Applicant;
use crate::support::{TestApp, error_code, field_code};
use chrono::Utc;
use lingshi_integrations::pension::{SIGNATURE_HEADER, SigningKey};
use lingshi_integrations::pension_simulator::{Behaviour as Mode, Department};
use lingshi_storage::{Db, both_backends};
use lingshi_web::Settings;
use lingshi_web::state::PensionSettings;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

const SECRET: &[u8] = b"department shared secret";

async fn start_department(mode: Mode) -> (String, Department) {
    let department = Department::new(SigningKey::new(SECRET), mode, Duration::from_millis(100));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = department.serve(listener).expect("serve");
    (url, department)
}

/// The platform wired to a department in `mode`; pushes are tried once, polls come at once.
async fn platform(db: Db, dir: PathBuf, mode: Mode, deadline: chrono::Duration) -> (TestApp, Department) {
    let (url, department) = start_department(mode).await;
    let mut pension = PensionSettings::none();
    pension.departments.insert("110000".into(), url);
    pension.key = SigningKey::new(SECRET);
    // Short only where the test is about a department too slow to answer.
    pension.timeout = if mode == Mode::Slow { Duration::from_secs(1) } else { Duration::from_secs(10) };
    pension.poll_after = chrono::Duration::zero();
    pension.deadline = deadline;
    pension.push_attempts = 1;
    let settings = Settings { pension, ..crate::support::settings() };
    let app = TestApp::start_with(db, dir, settings).await;
    department.set_platform(&app.base);
    (app, department)
}

fn form() -> Value {
    json!({"mission_id": "be-embassy", "name": "张三", "id_number": "11010519491231002X", "region": "110000",
           "social_security_no": "110105194912", "address_abroad": "Rue Neuve 1, 1000 Bruxelles", "phone": "+32 470 00 00 00"})
}

/// Fills and submits (face skipped); returns the certification's id.
async fn submitted(applicant: &Applicant) -> String {
    let (status, started) = applicant.call(Method::POST, "/api/v1/pensions", Some(form())).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let id = started["id"].as_str().expect("id").to_owned();
    let (status, body) = applicant.call(Method::POST, &format!("/api/v1/pensions/{id}/face/skip"), None).await;
    // The push job may already have run by the time the answer is read.
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["submitted_at"].is_string() && body["status"] != "draft", "{body}");
    id
}

async fn wait_for(applicant: &Applicant, id: &str, status: &str) -> Value {
    for _ in 0..150 {
        let (_, body) = applicant.call(Method::GET, &format!("/api/v1/pensions/{id}"), None).await;
        if body["status"] == status {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("certification {id} never reached {status}");
}

both_backends!(an_approved_certification_arrives_by_signed_callback, |db: Db, dir: PathBuf| async move {
    let (app, department) = platform(db, dir, Mode::Approve, chrono::Duration::days(30)).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    let approved = wait_for(&applicant, &id, "approved").await;
    assert_eq!(approved["paper_form"], false);
    let received = department.received();
    assert_eq!(received.len(), 1);
    assert_eq!((received[0].id_number.as_str(), received[0].face.as_str()), ("11010519491231002X", "skipped"));
});

both_backends!(a_rejection_carries_its_reason, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db, dir, Mode::Reject, chrono::Duration::days(30)).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    let refused = wait_for(&applicant, &id, "not_approved").await;
    assert_eq!(refused["reason"], lingshi_integrations::pension_simulator::REJECTION_REASON);
});

both_backends!(answering_twice_or_contradicting_changes_nothing, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db, dir, Mode::Twice, chrono::Duration::days(30)).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    wait_for(&applicant, &id, "approved").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, still) = applicant.call(Method::GET, &format!("/api/v1/pensions/{id}"), None).await;
    assert_eq!(still["status"], "approved", "the first decision stands");
    // Every status change is audited, in one chain, and the repeated answers add nothing.
    let rows = lingshi_storage::audit::for_mission(&app.db, "be-embassy").await.expect("audit");
    let mine: Vec<_> = rows.iter().filter(|r| r.order_id.as_deref() == Some(id.as_str())).collect();
    let actions: Vec<&str> = mine.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions.first(), Some(&"pension_submitted"), "{actions:?}");
    assert_eq!(actions.iter().filter(|a| a.ends_with("approved")).count(), 1, "one decision: {actions:?}");
    assert_eq!(actions.last(), Some(&"pension_approved"), "{actions:?}");
    for pair in mine.windows(2) {
        assert_eq!(pair[0].after_state, pair[1].before_state, "each row starts where the last ended");
    }
    let chain = lingshi_storage::audit::verify(&app.db).await.expect("verify");
    assert!(matches!(chain, lingshi_storage::audit::ChainCheck::Intact { .. }), "{chain:?}");
});

both_backends!(
    a_slow_or_garbled_department_sends_the_applicant_to_the_paper_form_and_staff_can_push_again,
    |db: Db, dir: PathBuf| async move {
        let (app, department) = platform(db, dir, Mode::Slow, chrono::Duration::days(30)).await;
        let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
        let id = submitted(&applicant).await;
        let failed = wait_for(&applicant, &id, "failed").await;
        assert_eq!(failed["paper_form"], true);
        assert_eq!(failed["mission"]["phone"], "+32 2 663 30 01", "with the mission's contacts");

        department.set_behaviour(Mode::Garbage);
        let officer =
            crate::staff_orders::officer(&app, lingshi_domain::order::StaffRole::Reviewer, "be.reviewer").await;
        let (status, body) = officer.call(Method::POST, &format!("/api/v1/staff/pensions/{id}/repush"), None).await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("submitted")));
        wait_for(&applicant, &id, "failed").await;
        department.set_behaviour(Mode::Approve);
        let (status, _) = officer.call(Method::POST, &format!("/api/v1/staff/pensions/{id}/repush"), None).await;
        assert_eq!(status, StatusCode::OK);
        wait_for(&applicant, &id, "approved").await;
        let (status, body) = officer.call(Method::POST, &format!("/api/v1/staff/pensions/{id}/repush"), None).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::CONFLICT, "transition_not_from_state"),
            "only failed ones"
        );
        let (_, listed) = officer.call(Method::GET, "/api/v1/staff/pensions", None).await;
        assert_eq!(listed["pensions"].as_array().map(Vec::len), Some(1));
    }
);

both_backends!(
    a_decision_is_fetched_by_polling_and_none_in_time_means_the_paper_form,
    |db: Db, dir: PathBuf| async move {
        let (app, _) = platform(db, dir, Mode::DecideWhenPolled, chrono::Duration::days(30)).await;
        let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
        let id = submitted(&applicant).await;
        wait_for(&applicant, &id, "approved").await;
    }
);

both_backends!(no_decision_within_the_deadline_fails_the_certification, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db, dir, Mode::NeverDecide, chrono::Duration::zero()).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    let failed = wait_for(&applicant, &id, "failed").await;
    assert_eq!(failed["paper_form"], true);
});

both_backends!(a_callback_with_a_bad_signature_is_refused_and_changes_nothing, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db, dir, Mode::NeverDecide, chrono::Duration::days(30)).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    let pushed = wait_for(&applicant, &id, "pushed").await;
    let (_, mine) = applicant.call(Method::GET, "/api/v1/pensions", None).await;
    let reference = mine["pensions"][0]["reference"].as_str().expect("reference").to_owned();
    let body = serde_json::to_vec(&json!({"reference": reference, "status": "approved"})).expect("json");
    let forged = SigningKey::new(b"not the department's secret").sign(&body, Utc::now());
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/pension/callbacks"))
        .header(SIGNATURE_HEADER, forged)
        .body(body.clone())
        .send()
        .await
        .expect("callback");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let unsigned =
        reqwest::Client::new().post(app.url("/api/v1/pension/callbacks")).body(body).send().await.expect("callback");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let garbage = b"{not json".to_vec();
    let signed_garbage = SigningKey::new(SECRET).sign(&garbage, Utc::now());
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/pension/callbacks"))
        .header(SIGNATURE_HEADER, signed_garbage)
        .body(garbage)
        .send()
        .await
        .expect("callback");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, after) = applicant.call(Method::GET, &format!("/api/v1/pensions/{id}"), None).await;
    assert_eq!((after["status"].clone(), after["decided_at"].clone()), (pushed["status"].clone(), Value::Null));
});

both_backends!(the_pension_form_is_checked_and_needs_a_verified_account, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db, dir, Mode::Approve, chrono::Duration::days(30)).await;
    app.register("fresh@example.org").await;
    let (status, body) = app.post_json("/api/v1/pensions", form()).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "identity_unverified"));
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let mut bad = form();
    bad["region"] = json!("440000");
    bad["id_number"] = json!("110105194912310021");
    let (status, body) = applicant.call(Method::POST, "/api/v1/pensions", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_code(&body, "region"), "unknown_choice", "no department for that region");
    assert_eq!(field_code(&body, "id_number"), "resident_id_checksum");
    let (_, mine) = applicant.call(Method::GET, "/api/v1/pensions", None).await;
    assert_eq!(mine["pensions"].as_array().map(Vec::len), Some(0));
});

both_backends!(a_reminder_is_due_a_month_before_next_years_certification, |db: Db, dir: PathBuf| async move {
    let (app, _) = platform(db.clone(), dir, Mode::Approve, chrono::Duration::days(30)).await;
    let applicant = Applicant::verified(&app, "pensioner@example.org", "E12345678").await;
    let id = submitted(&applicant).await;
    let approved = wait_for(&applicant, &id, "approved").await;
    let decided: chrono::DateTime<Utc> =
        approved["decided_at"].as_str().and_then(|t| t.parse().ok()).expect("decided_at");
    let run_at: chrono::DateTime<Utc> = lingshi_storage::db_run!(&db, |pool| {
        sqlx::query_scalar("SELECT run_at FROM jobs WHERE kind = 'pension_reminder'").fetch_one(pool).await
    })
    .expect("a reminder is queued");
    let lead = (decided + chrono::Duration::days(365)) - run_at;
    assert!((lead - chrono::Duration::days(30)).num_seconds().abs() < 5, "30 days before: {lead}");
    // Bring the reminder forward and let the runner send it.
    lingshi_storage::db_run!(&db, |pool| {
        sqlx::query("UPDATE jobs SET run_at = $1 WHERE kind = 'pension_reminder'")
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })
    .expect("reschedule");
    let mail = app.mail.clone();
    let received = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Some(found) = mail.messages().into_iter().find(|m| m.subject.contains("养老金资格认证即将到期"))
            {
                return Some(found);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    })
    .await
    .expect("join")
    .expect("the reminder arrives by e-mail");
    assert!(received.to.iter().any(|t| t == "pensioner@example.org"));
    let due = (decided + chrono::Duration::days(365)).date_naive().to_string();
    assert!(received.body.contains(&due), "{}", received.body);
});
