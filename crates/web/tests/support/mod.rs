//! `TestApp`: the whole platform on a random loopback port, over a fresh database, with
//! real SMTP to a catcher and the job runner running.

use lingshi_integrations::mail::SmtpMailer;
use lingshi_integrations::sms::{DevSmsOutbox, SmsSender};
use lingshi_integrations::testing::SmtpCatcher;
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::replica::Replica;
use lingshi_storage::{Db, MasterKey, Vault};
use lingshi_web::service::detecting_verifier::DetectingVerifier;
use lingshi_web::{Adapters, AppState, Settings};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    /// A browser-like client: keeps cookies, does not follow redirects.
    pub client: reqwest::Client,
    pub mail: SmtpCatcher,
    pub db: Db,
    /// The platform's state, for tests that wire in what `lingshi serve` would (inbound mail).
    pub state: AppState,
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The settings a test platform starts with: no external party configured; clients are told
/// apart by `X-Forwarded-For`.
pub fn settings() -> Settings {
    Settings { trust_forwarded_for: true, ..Settings::standalone() }
}

impl TestApp {
    pub async fn start(db: Db, dir: PathBuf) -> Self {
        Self::start_with(db, dir, settings()).await
    }

    /// Starts the platform; notifications from payment providers come to its own address.
    pub async fn start_with(db: Db, dir: PathBuf, settings: Settings) -> Self {
        Self::start_node(db, dir, settings, None, SmtpCatcher::start(), None, None).await
    }

    /// Starts the platform with lag-tolerant reads going to `replica` (watched as a node does).
    pub async fn start_reading_from(db: Db, dir: PathBuf, replica: Arc<Replica>) -> Self {
        tokio::spawn(lingshi_web::read_after::watch(replica.clone()));
        Self::start_node(db, dir, settings(), None, SmtpCatcher::start(), None, Some(replica)).await
    }

    /// Starts the platform with text messages going through `sms` (an SMPP gateway).
    pub async fn start_with_sms(db: Db, dir: PathBuf, sms: Arc<dyn SmsSender>) -> Self {
        Self::start_node(db, dir, settings(), None, SmtpCatcher::start(), Some(sms), None).await
    }

    /// Another node of the same platform: the same database, key and mail server, its own
    /// address, job runner and signalling rooms (as behind a load balancer). Either node's
    /// job runner may send a mail, so both send to the one server the test reads.
    pub async fn second_node(&self, dir: PathBuf) -> Self {
        self.node_with_vault(dir, self.state.vault.clone()).await
    }

    /// Another node of the same platform whose master key is `vault`'s (as after a rotation).
    pub async fn node_with_vault(&self, dir: PathBuf, vault: Arc<Vault>) -> Self {
        let settings = Settings::clone(&self.state.settings);
        Self::start_node(self.db.clone(), dir, settings, Some(vault), self.mail.clone(), None, None).await
    }

    async fn start_node(
        db: Db,
        dir: PathBuf,
        mut settings: Settings,
        shared_vault: Option<Arc<Vault>>,
        mail: SmtpCatcher,
        sms: Option<Arc<dyn SmsSender>>,
        replica: Option<Arc<Replica>>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        settings.payments.notify_base = format!("http://{addr}");
        let mailer = SmtpMailer::from_url(&mail.url(), "Lingshi <noreply@lingshi.test>").expect("mailer");
        let adapters = Adapters {
            mailer: Arc::new(mailer),
            sms: sms.unwrap_or_else(|| Arc::new(DevSmsOutbox::new(db.clone()))),
            face: Arc::new(DetectingVerifier),
        };
        let blobs = BlobStore::open(&dir.join("files")).expect("blobs");
        let vault = Vault::new(&MasterKey::generate().expect("key"));
        let mut state = AppState::assemble(db.clone(), vault, blobs, adapters, settings).expect("state");
        if let Some(vault) = shared_vault {
            state.parts_mut().vault = vault;
        }
        state.parts_mut().replica = replica;
        lingshi_storage::seed::seed_missions(&db).await.expect("seed");
        lingshi_web::health::prometheus();
        tokio::spawn(lingshi_web::jobs::run_forever(state.clone()));
        tokio::spawn(lingshi_web::signalling::relay_forever(state.clone()));
        let app = lingshi_web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base: format!("http://{addr}"), client: new_client(), mail, db, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The HTML of page `path`, as the test's browser-like client gets it.
    pub async fn page(&self, path: &str) -> String {
        self.client.get(self.url(path)).send().await.expect("page").text().await.expect("html")
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self.client.post(self.url(path)).json(&body).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn put_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self.client.put(self.url(path)).json(&body).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sends a face capture as the raw body with `content_type`.
    pub async fn put_face(&self, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .client
            .put(self.url("/api/v1/me/identity/face"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.client.get(self.url(path)).send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Waits for a mail to `to` and returns the six-digit code in it.
    pub async fn code_mailed_to(&self, to: &str) -> String {
        let mail = self.mail.clone();
        let to = to.to_owned();
        let received = tokio::task::spawn_blocking(move || mail.wait_for(&to, Duration::from_secs(10)))
            .await
            .expect("join")
            .expect("a mail arrived over SMTP");
        six_digits(&received.body).expect("the mail holds a code")
    }

    /// Registers and confirms an e-mail account with [`PASSWORD`]; the client is signed in.
    pub async fn register(&self, email: &str) -> Value {
        let (status, _) =
            self.post_json("/api/v1/registrations", json!({"address": email, "password": PASSWORD})).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let code = self.code_mailed_to(email).await;
        let (status, body) =
            self.post_json("/api/v1/registrations/confirm", json!({"address": email, "code": code})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// The first run of exactly six digits in `text`.
pub fn six_digits(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).enumerate().find_map(|(i, w)| {
        let digits = w.iter().all(char::is_ascii_digit);
        let before = i == 0 || !chars[i - 1].is_ascii_digit();
        let after = chars.get(i + 6).is_none_or(|c| !c.is_ascii_digit());
        (digits && before && after).then(|| w.iter().collect())
    })
}

/// The code of an API error body.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// The code of the first field error.
pub fn field_code(body: &Value, field: &str) -> String {
    body["error"]["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|e| e["field"] == field))
        .and_then(|e| e["code"].as_str())
        .unwrap_or("")
        .to_owned()
}
