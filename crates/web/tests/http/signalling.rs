//! The interview call's signalling over WebSocket, as a native app would speak it: who may
//! join a room (404 for strangers), what each side may send, the relay of offer, answer,
//! candidates and hang-up; on one node on both backends, and across two nodes sharing one
//! PostgreSQL database.

use crate::interviews::{asked_for_interview, book, interview, publish_daily};
use crate::orders::Applicant;
use crate::staff_orders::Officer;
use crate::support::TestApp;
use futures_util::{SinkExt, StreamExt};
use lingshi_domain::order::StaffRole;
use lingshi_storage::{Backend, Db, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `path` on `base` with `headers` (`Authorization` or `Cookie`, an `Origin`): the
/// socket, or the HTTP status that refused it.
async fn open(base: &str, path: &str, headers: &[(&'static str, String)]) -> Result<Socket, StatusCode> {
    let mut request = format!("{}{path}", base.replacen("http://", "ws://", 1)).into_client_request().expect("request");
    for (header, value) in headers {
        request.headers_mut().insert(*header, value.parse().expect("header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(response)) => Err(StatusCode::from_u16(response.status().as_u16()).expect("status")),
        Err(other) => panic!("websocket: {other}"),
    }
}

async fn as_applicant(base: &str, applicant: &Applicant, id: &str) -> Result<Socket, StatusCode> {
    open(base, &format!("/api/v1/orders/{id}/interview/signal"), &[("authorization", applicant.authorization())]).await
}

async fn as_officer(base: &str, officer: &Officer, id: &str) -> Result<Socket, StatusCode> {
    open(base, &format!("/api/v1/staff/orders/{id}/interview/signal"), &[("cookie", officer.cookie())]).await
}

async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.expect("send");
}

/// The next JSON frame, within five seconds.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a frame in time");
        if let Some(Ok(Message::Text(text))) = frame {
            return serde_json::from_str(text.as_str()).expect("json");
        }
        assert!(matches!(frame, Some(Ok(_))), "socket closed: {frame:?}");
    }
}

/// An applicant booked and a reviewer of the mission, on `app`.
async fn booked_call(app: &TestApp, email: &str, passport: &str) -> (Applicant, Officer, String) {
    let reviewer = Officer::new(app, Some("be-embassy"), StaffRole::Reviewer, &format!("r.{passport}")).await;
    publish_daily(&reviewer).await;
    let (applicant, id) = asked_for_interview(app, &reviewer, email, passport).await;
    let slot =
        interview(&applicant, &id, "Europe/Brussels").await["slots"][0]["starts_at"].as_str().expect("slot").to_owned();
    assert_eq!(book(&applicant, &id, &slot).await.0, StatusCode::OK);
    (applicant, reviewer, id)
}

/// The call between two sockets: hello, the officer's offer once the call is started, the
/// answer, a candidate each way, the hang-up.
async fn converse(officer: &Officer, officer_base: &str, id: &str, (mut applicant, mut console): (Socket, Socket)) {
    for socket in [&mut applicant, &mut console] {
        let welcome = next(socket).await;
        assert_eq!((welcome["type"].as_str(), &welcome["ice_servers"]), (Some("welcome"), &json!([])));
    }
    send(&mut applicant, json!({"type": "hello"})).await;
    assert_eq!(next(&mut console).await, json!({"type": "hello", "from": "applicant"}));
    send(&mut console, json!({"type": "here"})).await;
    assert_eq!(next(&mut applicant).await, json!({"type": "here", "from": "officer"}));

    let offer = json!({"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"});
    send(&mut console, offer.clone()).await;
    assert_eq!(next(&mut console).await, json!({"type": "error", "code": "call_not_started"}));
    send(&mut applicant, offer.clone()).await;
    assert_eq!(next(&mut applicant).await, json!({"type": "error", "code": "signal_not_your_turn"}));
    send(&mut applicant, json!({"type": "offer", "sdp": "x", "script": "<b>"})).await;
    assert_eq!(next(&mut applicant).await, json!({"type": "error", "code": "signal_malformed"}));

    let client = reqwest::Client::new();
    let started = client
        .post(format!("{officer_base}/api/v1/staff/orders/{id}/interview/call"))
        .header("cookie", officer.cookie())
        .json(&json!({"override_reason": "测试"}))
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), StatusCode::OK);
    send(&mut console, offer).await;
    let received = next(&mut applicant).await;
    assert_eq!((received["type"].as_str(), received["from"].as_str()), (Some("offer"), Some("officer")));
    send(&mut applicant, json!({"type": "answer", "sdp": "v=0\r\n"})).await;
    assert_eq!(next(&mut console).await, json!({"type": "answer", "sdp": "v=0\r\n", "from": "applicant"}));
    let candidate = json!({"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": null});
    send(&mut applicant, json!({"type": "candidate", "candidate": candidate})).await;
    let relayed = next(&mut console).await;
    assert_eq!(relayed["candidate"], candidate);
    send(&mut console, json!({"type": "hangup"})).await;
    assert_eq!(next(&mut applicant).await, json!({"type": "hangup", "from": "officer"}));
}

both_backends!(
    the_parties_of_an_interview_trade_signals_and_strangers_cannot_join,
    |db: Db, dir: PathBuf| async move {
        let app = TestApp::start(db, dir).await;
        let (applicant, reviewer, id) = booked_call(&app, "caller@example.org", "E33330001").await;
        let stranger = Applicant::verified(&app, "stranger@example.org", "E33330002").await;
        assert_eq!(as_applicant(&app.base, &stranger, &id).await.err(), Some(StatusCode::NOT_FOUND));
        let dutch = Officer::new(&app, Some("nl-embassy"), StaffRole::Reviewer, "dutch.reviewer").await;
        assert_eq!(as_officer(&app.base, &dutch, &id).await.err(), Some(StatusCode::NOT_FOUND));
        let (_, unbooked) = asked_for_interview(&app, &reviewer, "unbooked@example.org", "E33330003").await;
        assert_eq!(
            as_officer(&app.base, &reviewer, &unbooked).await.err(),
            Some(StatusCode::CONFLICT),
            "no booking, no room"
        );
        let forged = open(
            &app.base,
            &format!("/api/v1/orders/{id}/interview/signal"),
            &[("authorization", applicant.authorization()), ("origin", "http://evil.example".to_owned())],
        )
        .await;
        assert_eq!(forged.err(), Some(StatusCode::FORBIDDEN), "another site's page cannot open the socket");
        let anonymous = reqwest::get(app.url(&format!("/api/v1/orders/{id}/interview/signal"))).await.expect("get");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

        let sockets = (
            as_applicant(&app.base, &applicant, &id).await.expect("the applicant joins"),
            as_officer(&app.base, &reviewer, &id).await.expect("the officer joins"),
        );
        converse(&reviewer, &app.base, &id, sockets).await;
        let (_, view) = reviewer.call(Method::GET, &format!("/api/v1/staff/orders/{id}/interview"), None).await;
        assert_eq!(view["booking"]["call_started"], true);
    }
);

/// The applicant on one node, the officer on another: the signals cross through PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_cross_between_two_nodes_sharing_one_postgresql_database() {
    lingshi_storage::testing::run_on(Backend::Postgres, |db: Db, dir: PathBuf| async move {
        let first = TestApp::start(db, dir.join("first")).await;
        let second = first.second_node(dir.join("second")).await;
        let (applicant, reviewer, id) = booked_call(&first, "two.nodes@example.org", "E44440001").await;
        let stranger = Applicant::verified(&first, "not.theirs@example.org", "E44440002").await;
        assert_eq!(as_applicant(&second.base, &stranger, &id).await.err(), Some(StatusCode::NOT_FOUND));
        let sockets = (
            as_applicant(&first.base, &applicant, &id).await.expect("the applicant joins the first node"),
            as_officer(&second.base, &reviewer, &id).await.expect("the officer joins the second node"),
        );
        converse(&reviewer, &second.base, &id, sockets).await;
    })
    .await;
}
