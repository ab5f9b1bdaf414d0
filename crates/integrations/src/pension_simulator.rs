//! A social-security department that speaks the pension protocol (`docs/PENSION_PROTOCOL.md`,
//! [`crate::pension`]) on loopback: it checks each request's signature, takes records, and
//! decides by signed callback or when polled, as its [`Behaviour`] says. The demo runs it
//! (labelled as a simulation on every page that shows its decisions) when no real department
//! is configured; the tests run it in every behaviour a real department can show.

use crate::pension::{CertificationRecord, SIGNATURE_HEADER, SigningKey};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use chrono::Utc;
use serde_json::json;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How the simulated department answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Behaviour {
    /// Receipt, then a callback: approved.
    Approve,
    /// Receipt, then a callback: not approved, with a reason.
    Reject,
    /// Receipt, then the same callback twice and a contradicting third.
    Twice,
    /// Takes three seconds to answer.
    Slow,
    /// Answers 200 with something that is not JSON.
    Garbage,
    /// Receipt, no callback; the decision (approved) is there when asked.
    DecideWhenPolled,
    /// Receipt, and never a decision.
    NeverDecide,
}

/// The reason a [`Behaviour::Reject`] department gives.
pub const REJECTION_REASON: &str = "未按时提交生存证明";

struct Inner {
    behaviour: Behaviour,
    received: Vec<CertificationRecord>,
    /// The platform's base URL, where callbacks go.
    platform: String,
}

/// One simulated department; clones share its state.
#[derive(Clone)]
pub struct Department {
    inner: Arc<Mutex<Inner>>,
    key: SigningKey,
    callback_delay: Duration,
}

impl Department {
    /// A department sharing `key` with the platform, deciding `callback_delay` after a push.
    pub fn new(key: SigningKey, behaviour: Behaviour, callback_delay: Duration) -> Self {
        let inner = Inner { behaviour, received: Vec::new(), platform: String::new() };
        Self { inner: Arc::new(Mutex::new(inner)), key, callback_delay }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        self.with(|inner| inner.behaviour = behaviour);
    }

    /// Where callbacks go: the platform's base URL (`http://127.0.0.1:8080`).
    pub fn set_platform(&self, base_url: &str) {
        self.with(|inner| inner.platform = base_url.trim_end_matches('/').to_owned());
    }

    /// The records pushed so far.
    pub fn received(&self) -> Vec<CertificationRecord> {
        self.with(|inner| inner.received.clone())
    }

    /// Serves the protocol on `listener` in the background; returns the department's base URL.
    pub fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<String> {
        let address = listener.local_addr()?;
        let app = axum::Router::new()
            .route("/certifications", post(receive))
            .route("/certifications/{reference}", get(decision))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(format!("http://{address}"))
    }

    async fn callback(&self, reference: &str, status: &str, reason: Option<&str>) {
        let platform = self.with(|inner| inner.platform.clone());
        let body = json!({"reference": reference, "status": status, "reason": reason}).to_string();
        let sent = reqwest::Client::new()
            .post(format!("{platform}/api/v1/pension/callbacks"))
            .header(SIGNATURE_HEADER, self.key.sign(body.as_bytes(), Utc::now()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        if let Err(error) = sent {
            tracing::warn!(
                error.kind = if error.is_connect() { "connection" } else { "transport" },
                "simulated department could not call back"
            );
        }
    }

    async fn decide(self, behaviour: Behaviour, reference: String) {
        tokio::time::sleep(self.callback_delay).await;
        match behaviour {
            Behaviour::Reject => self.callback(&reference, "not_approved", Some(REJECTION_REASON)).await,
            Behaviour::Twice => {
                self.callback(&reference, "approved", None).await;
                self.callback(&reference, "approved", None).await;
                self.callback(&reference, "not_approved", Some("late")).await;
            }
            _ => self.callback(&reference, "approved", None).await,
        }
    }
}

fn signed(department: &Department, headers: &HeaderMap, body: &[u8]) -> bool {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    department.key.verify(signature, body, Utc::now())
}

async fn receive(
    State(department): State<Department>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    if !signed(&department, &headers, &body) {
        return (StatusCode::UNAUTHORIZED, "{}".into());
    }
    let Ok(record) = serde_json::from_slice::<CertificationRecord>(&body) else {
        return (StatusCode::BAD_REQUEST, "{}".into());
    };
    let reference = record.reference.clone();
    let behaviour = department.with(|inner| {
        inner.received.push(record);
        inner.behaviour
    });
    let receipt = json!({"receipt": format!("R-{reference}")}).to_string();
    match behaviour {
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            (StatusCode::ACCEPTED, receipt)
        }
        Behaviour::Garbage => (StatusCode::OK, "<html>maintenance</html>".into()),
        Behaviour::Approve | Behaviour::Reject | Behaviour::Twice => {
            tokio::spawn(department.clone().decide(behaviour, reference));
            (StatusCode::ACCEPTED, receipt)
        }
        Behaviour::DecideWhenPolled | Behaviour::NeverDecide => (StatusCode::ACCEPTED, receipt),
    }
}

async fn decision(
    State(department): State<Department>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> (StatusCode, String) {
    let path = format!("/certifications/{reference}");
    if !signed(&department, &headers, path.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "{}".into());
    }
    let known = department.with(|inner| inner.received.iter().any(|r| r.reference == reference));
    if !known {
        return (StatusCode::NOT_FOUND, "{}".into());
    }
    let decided = department.with(|inner| inner.behaviour) == Behaviour::DecideWhenPolled;
    (StatusCode::OK, json!({"status": if decided { "approved" } else { "pending" }}).to_string())
}
