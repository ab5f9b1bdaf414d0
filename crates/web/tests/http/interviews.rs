//! Video interviews over the JSON API, on both backends: slots published in Brussels and
//! read from Beijing, booking with 立即预约, moving, cancelling and the cut-off, a full slot,
//! notices with their calendar entries, the call's start, snapshots, outcomes and the
//! no-show marked by itself, and what strangers get of it (404).

use crate::orders::Applicant;
use crate::staff_orders::{Officer, submitted_renewal};
use crate::support::{TestApp, error_code, field_code};
use chrono::{DateTime, Duration, Utc};
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Slots every day at 10:00 in Brussels, half an hour, one interview at a time.
pub async fn publish_daily(officer: &Officer) {
    for weekday in 1..=7 {
        let pattern = json!({"weekday": weekday, "start": "10:00", "minutes": 30, "parallel": 1});
        let (status, body) = officer.call(Method::POST, "/api/v1/staff/interview-patterns", Some(pattern)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// A submitted renewal whose applicant was asked for an interview.
pub async fn asked_for_interview(
    app: &TestApp,
    reviewer: &Officer,
    email: &str,
    passport: &str,
) -> (Applicant, String) {
    let (applicant, id, _) = submitted_renewal(app, email, passport).await;
    let (status, order) =
        reviewer.act(&id, json!({"action": "require_interview", "reason": "补发护照须视频面审"})).await;
    assert_eq!((status, order["state"].as_str()), (StatusCode::OK, Some("interview_required")), "{order}");
    (applicant, id)
}

/// The order's interview as the applicant sees it on `tz`'s clock.
pub async fn interview(applicant: &Applicant, id: &str, tz: &str) -> Value {
    let (status, view) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}/interview?tz={tz}"), None).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

pub async fn book(applicant: &Applicant, id: &str, starts_at: &str) -> (StatusCode, Value) {
    let body = json!({"starts_at": starts_at, "tz": "Asia/Shanghai"});
    applicant.call(Method::POST, &format!("/api/v1/orders/{id}/interview/booking"), Some(body)).await
}

/// The newest mail to `to` whose subject holds `subject`, with its attachments.
fn mail(app: &TestApp, to: &str, subject: &str) -> lingshi_integrations::testing::ReceivedMail {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let found =
            app.mail.messages().into_iter().rev().find(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject));
        if let Some(found) = found {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no mail to {to} about {subject:?}");
}

fn calendar_of(mail: &lingshi_integrations::testing::ReceivedMail) -> String {
    let (kind, bytes) = mail.attachments.first().expect("a calendar entry");
    assert_eq!(kind, "text/calendar");
    String::from_utf8(bytes.clone()).expect("utf-8")
}

/// Moves a booking's slot to `starts_at`, past the code (time passing, in a test).
pub async fn set_booking_time(db: &Db, order_id: &str, starts_at: DateTime<Utc>) {
    let ends_at = starts_at + Duration::minutes(30);
    lingshi_storage::db_run!(db, |pool| {
        sqlx::query(
            "UPDATE interview_bookings SET starts_at = $1, ends_at = $2 WHERE order_id = $3 AND state = 'booked'",
        )
        .bind(starts_at)
        .bind(ends_at)
        .bind(order_id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })
    .expect("update");
}

async fn audit_actions(officer: &Officer, id: &str) -> Vec<String> {
    let (status, audit) = officer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/audit"), None).await;
    assert_eq!(status, StatusCode::OK);
    audit["audit"].as_array().expect("audit").iter().filter_map(|e| e["action"].as_str().map(str::to_owned)).collect()
}

both_backends!(
    slots_published_in_brussels_are_booked_from_beijing_moved_and_cancelled,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db.clone(), dir).await;
        let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "interviewer").await;
        let cashier = Officer::new(&app, Some("be-embassy"), StaffRole::Cashier, "cashier").await;
        let pattern = json!({"weekday": 1, "start": "10:00", "minutes": 30, "parallel": 1});
        let (status, body) = cashier.call(Method::POST, "/api/v1/staff/interview-patterns", Some(pattern)).await;
        assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "not_your_role"));
        let bad = json!({"weekday": 8, "start": "25:00", "minutes": 5, "parallel": 1});
        let (status, body) = reviewer.call(Method::POST, "/api/v1/staff/interview-patterns", Some(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            (field_code(&body, "weekday"), field_code(&body, "start"), field_code(&body, "minutes")),
            ("unknown_choice".into(), "time_format".into(), "interview_length".into())
        );
        publish_daily(&reviewer).await;

        // The week of the change to summer time: 10:00 in Brussels is 09:00 UTC before it, 08:00 after.
        let (status, week) = reviewer.call(Method::GET, "/api/v1/staff/interviews?week=2027-03-24", None).await;
        assert_eq!((status, week["week"].as_str()), (StatusCode::OK, Some("2027-03-22")), "{week}");
        let starts: Vec<&str> =
            week["days"].as_array().expect("days").iter().filter_map(|d| d["slots"][0]["starts_at"].as_str()).collect();
        assert_eq!(starts.first(), Some(&"2027-03-22T09:00:00+00:00"));
        assert_eq!(starts.last(), Some(&"2027-03-28T08:00:00+00:00"));

        let (applicant, id) = asked_for_interview(&app, &reviewer, "booker@example.org", "E11110001").await;
        let view = interview(&applicant, &id, "Asia/Shanghai").await;
        assert_eq!(
            (view["time_zone"].as_str(), view["mission_time_zone"].as_str()),
            (Some("Asia/Shanghai"), Some("Europe/Brussels"))
        );
        let slots = view["slots"].as_array().expect("slots").clone();
        assert!(slots.len() >= 27, "four weeks of daily slots: {}", slots.len());
        for slot in &slots {
            assert!(slot["local"].as_str().is_some_and(|t| t.ends_with("17:00 CST")), "Beijing in winter: {slot}");
            assert!(slot["mission_local"].as_str().is_some_and(|t| t.ends_with("10:00 CET")), "{slot}");
        }
        let (status, body) =
            applicant.call(Method::GET, &format!("/api/v1/orders/{id}/interview?tz=Mars/Olympus"), None).await;
        assert_eq!((status, field_code(&body, "tz")), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_choice".into()));
        let (status, body) = book(&applicant, &id, "2026-12-01T09:05:00Z").await;
        assert_eq!(
            (status, field_code(&body, "starts_at")),
            (StatusCode::UNPROCESSABLE_ENTITY, "interview_slot_unknown".into())
        );

        let first = slots[0]["starts_at"].as_str().expect("start").to_owned();
        let second = slots[1]["starts_at"].as_str().expect("start").to_owned();
        let (status, booked) = book(&applicant, &id, &first).await;
        assert_eq!(status, StatusCode::OK, "{booked}");
        assert_eq!(
            (booked["state"].as_str(), booked["booking"]["starts_at"].as_str()),
            (Some("interview_booked"), Some(first.as_str()))
        );
        let notice = mail(&app, "booker@example.org", "视频面审预约成功");
        let ics = calendar_of(&notice);
        let utc = DateTime::parse_from_rfc3339(&first).expect("time").format("%Y%m%dT%H%M%SZ").to_string();
        assert!(ics.contains(&format!("DTSTART:{utc}")), "{ics}");
        assert!(ics.contains("STATUS:CONFIRMED") && ics.contains("TRIGGER:-PT60M"));

        let (other, other_id) = asked_for_interview(&app, &reviewer, "second@example.org", "E11110002").await;
        let (status, body) = book(&other, &other_id, &first).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "interview_slot_full"));
        let theirs = interview(&other, &other_id, "Europe/Brussels").await;
        assert!(
            theirs["slots"].as_array().expect("slots").iter().all(|s| s["starts_at"] != first.as_str()),
            "a full slot is not offered"
        );
        for (method, path) in [
            (Method::GET, format!("/api/v1/orders/{id}/interview")),
            (Method::DELETE, format!("/api/v1/orders/{id}/interview/booking")),
        ] {
            let (status, _) = other.call(method, &path, None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "another applicant's booking is absent: {path}");
        }

        let (status, moved) = book(&applicant, &id, &second).await;
        assert_eq!(
            (status, moved["booking"]["starts_at"].as_str()),
            (StatusCode::OK, Some(second.as_str())),
            "{moved}"
        );
        let moved_ics = calendar_of(&mail(&app, "booker@example.org", "视频面审时间已更改"));
        assert!(moved_ics.contains("UID:") && moved_ics.contains("SEQUENCE:4"), "{moved_ics}");
        let (status, _) = book(&other, &other_id, &first).await;
        assert_eq!(status, StatusCode::OK, "the moved booking's place came back");

        // The booking's time read from Beijing after Europe's change to summer time: 10:00 in
        // Brussels is then 08:00 UTC and 16:00 in Beijing (17:00 in winter, above).
        let summer = DateTime::parse_from_rfc3339("2027-03-29T08:00:00Z").expect("time").with_timezone(&Utc);
        set_booking_time(&db, &id, summer).await;
        let view = interview(&applicant, &id, "Asia/Shanghai").await;
        assert_eq!(
            (view["booking"]["local"].as_str(), view["booking"]["mission_local"].as_str()),
            (Some("2027-03-29 16:00 CST"), Some("2027-03-29 10:00 CEST"))
        );
        set_booking_time(&db, &id, Utc::now() + Duration::minutes(30)).await;
        let (status, body) =
            applicant.call(Method::DELETE, &format!("/api/v1/orders/{id}/interview/booking"), None).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "interview_cutoff_passed"));
        let (status, cancelled) =
            reviewer.call(Method::DELETE, &format!("/api/v1/staff/orders/{id}/interview/booking"), None).await;
        assert_eq!((status, cancelled["state"].as_str()), (StatusCode::OK, Some("interview_required")), "{cancelled}");
        let cancel_ics = calendar_of(&mail(&app, "booker@example.org", "视频面审预约已取消"));
        assert!(cancel_ics.contains("STATUS:CANCELLED"));
        let actions = audit_actions(&reviewer, &id).await;
        for action in ["interview_required", "interview_booked", "interview_moved", "interview_cancelled"] {
            assert!(actions.iter().any(|a| a == action), "{action} audited: {actions:?}");
        }
    }
);

both_backends!(
    the_officer_calls_snapshots_records_outcomes_and_a_missed_interview_marks_itself,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db.clone(), dir).await;
        let reviewer = Officer::new(&app, Some("be-embassy"), StaffRole::Reviewer, "caller").await;
        let elsewhere = Officer::new(&app, Some("nl-embassy"), StaffRole::MissionAdmin, "dutch.admin").await;
        publish_daily(&reviewer).await;
        let (applicant, id) = asked_for_interview(&app, &reviewer, "called@example.org", "E22220001").await;
        let first_slot = interview(&applicant, &id, "Europe/Brussels").await["slots"][0]["starts_at"]
            .as_str()
            .expect("slot")
            .to_owned();
        assert_eq!(book(&applicant, &id, &first_slot).await.0, StatusCode::OK);
        let base = format!("/api/v1/staff/orders/{id}/interview");

        let endpoints = [
            (Method::GET, base.clone(), None),
            (Method::POST, format!("{base}/call"), Some(json!({"override_reason": "x"}))),
            (Method::POST, format!("{base}/outcome"), Some(json!({"outcome": "done"}))),
            (Method::DELETE, format!("{base}/booking"), None),
        ];
        for (method, path, body) in endpoints {
            let (status, _) = elsewhere.call(method, &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "another mission's officer: {path}");
        }
        let png = crate::png();
        let (status, body) = reviewer.call_raw(Method::POST, &format!("{base}/snapshots"), png.clone()).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "call_not_started"));
        let (status, body) = reviewer.call(Method::POST, &format!("{base}/call"), Some(json!({}))).await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "call_outside_slot"));
        let reason = json!({"override_reason": "申请人请求提前面审"});
        let (status, started) = reviewer.call(Method::POST, &format!("{base}/call"), Some(reason)).await;
        assert_eq!((status, started["booking"]["call_started"].as_bool()), (StatusCode::OK, Some(true)), "{started}");
        assert!(audit_actions(&reviewer, &id).await.iter().any(|a| a == "interview_call_started_outside_slot"));

        let (status, body) =
            reviewer.call_raw(Method::POST, &format!("{base}/snapshots"), b"not an image".to_vec()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, taken) = reviewer.call_raw(Method::POST, &format!("{base}/snapshots"), png).await;
        assert_eq!(status, StatusCode::CREATED, "{taken}");
        let url = taken["snapshots"][0]["url"].as_str().expect("a snapshot").to_owned();
        let response = reviewer.request(Method::GET, &url).send().await.expect("get");
        assert_eq!(
            (response.status(), response.headers()["content-type"].to_str().ok()),
            (StatusCode::OK, Some("image/png"))
        );
        assert_eq!(elsewhere.call(Method::GET, &url, None).await.0, StatusCode::NOT_FOUND, "another mission's officer");
        assert_eq!(
            applicant.call(Method::GET, &url, None).await.0,
            StatusCode::UNAUTHORIZED,
            "not the applicant's console"
        );
        let (_, seen) = applicant.call(Method::GET, &format!("/api/v1/orders/{id}/interview"), None).await;
        assert_eq!(seen["snapshots"], json!([]), "snapshots are the mission's record");

        let (status, body) =
            reviewer.call(Method::POST, &format!("{base}/outcome"), Some(json!({"outcome": "booked"}))).await;
        assert_eq!((status, field_code(&body, "outcome")), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_choice".into()));
        let repeat = json!({"outcome": "to_repeat", "note": "画面不清晰"});
        let (status, view) = reviewer.call(Method::POST, &format!("{base}/outcome"), Some(repeat)).await;
        assert_eq!((status, view["state"].as_str()), (StatusCode::OK, Some("interview_required")), "{view}");
        assert_eq!(
            (view["history"][0]["state"].as_str(), view["history"][0]["note"].as_str()),
            (Some("to_repeat"), Some("画面不清晰"))
        );
        mail(&app, "called@example.org", "需重新进行视频面审");

        // Booked again and missed: the platform marks it by itself when the check comes due.
        let again = interview(&applicant, &id, "Europe/Brussels").await["slots"][1]["starts_at"]
            .as_str()
            .expect("slot")
            .to_owned();
        let (_, rebooked) = book(&applicant, &id, &again).await;
        let booking_id = rebooked["booking"]["id"].as_str().expect("booking").to_owned();
        let due: Vec<(String,)> = lingshi_storage::db_run!(&db, |pool| {
            sqlx::query_as("SELECT kind FROM jobs WHERE kind = 'interview_no_show'").fetch_all(pool).await
        })
        .expect("jobs");
        assert_eq!(due.len(), 2, "each booking scheduled its no-show check");
        set_booking_time(&db, &id, Utc::now() - Duration::hours(2)).await;
        lingshi_web::service::interviews::booking::run_no_show(&app.state, &json!({"booking": booking_id}))
            .await
            .expect("no-show");
        let view = interview(&applicant, &id, "Europe/Brussels").await;
        assert_eq!(
            (view["state"].as_str(), view["history"][1]["state"].as_str()),
            (Some("interview_required"), Some("no_show"))
        );
        mail(&app, "called@example.org", "您未参加视频面审");

        let third = view["slots"][0]["starts_at"].as_str().expect("slot").to_owned();
        assert_eq!(book(&applicant, &id, &third).await.0, StatusCode::OK);
        let reason = json!({"override_reason": "提前"});
        assert_eq!(reviewer.call(Method::POST, &format!("{base}/call"), Some(reason)).await.0, StatusCode::OK);
        let (status, done) =
            reviewer.call(Method::POST, &format!("{base}/outcome"), Some(json!({"outcome": "done"}))).await;
        assert_eq!((status, done["state"].as_str()), (StatusCode::OK, Some("under_review")), "{done}");
    }
);
