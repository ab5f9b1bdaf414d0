//! What every handler can reach: the database, the vault, the file store, the adapters to
//! the outside world, the templates and the settings.

use crate::i18n::Catalogs;
use crate::render::Templates;
use lingshi_integrations::face::FaceVerifier;
use lingshi_integrations::mail::Mailer;
use lingshi_integrations::payments::{PaymentProvider, Provider};
use lingshi_integrations::sms::SmsSender;
use lingshi_integrations::translate::Translator;
use lingshi_photo::IntakeLimits;
use lingshi_storage::blobs::BlobStore;
use lingshi_storage::{Db, Vault};
use std::sync::Arc;
use tokio::sync::Notify;

/// Settings that change how the web layer behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` (the platform is served over HTTPS).
    pub secure_cookies: bool,
    /// Trust the first `X-Forwarded-For` address as the client (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Limits on passport photos and face captures (the file size is configurable).
    pub photo_limits: IntakeLimits,
    /// The public base URL (`LINGSHI_PUBLIC_URL`), for links that leave the page (QR codes);
    /// without it, the request's own host is used.
    pub public_url: Option<String>,
    /// The social-security departments pension certifications are pushed to.
    pub pension: PensionSettings,
    /// Where applicants mail supplements (`supplement@consular.example`), if inbound mail is
    /// on; each order's address is `supplement+<order number>@consular.example`.
    pub supplement_mail: Option<String>,
    /// The online payment providers and how payments are followed.
    pub payments: PaymentSettings,
    /// Video interviews: the booking cut-off, the reminder, the ICE servers of the calls.
    pub interviews: InterviewSettings,
    /// Online translation (在线翻译), if the mission offers it.
    pub translation: TranslationSettings,
    /// How long a claim on an order lasts without its holder working on it.
    pub claim_idle: chrono::Duration,
    /// The OCR program that reads a passport data page's machine-readable zone; `None`
    /// turns the cross-check off.
    pub zone_reader: Option<lingshi_photo::Tesseract>,
}

impl Settings {
    /// A platform on its own: no external party configured (pension departments, payment
    /// providers, translation, inbound mail), plain-HTTP cookies, the default limits — what
    /// tests and benchmarks start from.
    pub fn standalone() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            photo_limits: IntakeLimits::PHOTO,
            public_url: None,
            pension: PensionSettings::none(),
            supplement_mail: None,
            payments: PaymentSettings::none(),
            interviews: InterviewSettings::default(),
            translation: TranslationSettings::default(),
            claim_idle: chrono::Duration::minutes(30),
            zone_reader: Some(lingshi_photo::Tesseract::default()),
        }
    }
}

/// The translation service behind the home screen's 在线翻译, if any.
#[derive(Clone, Default)]
pub struct TranslationSettings {
    pub translator: Option<Arc<dyn Translator>>,
    /// The translator is the demo's simulator (the page says so).
    pub simulated: bool,
}

impl std::fmt::Debug for TranslationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TranslationSettings")
            .field("offered", &self.translator.is_some())
            .field("simulated", &self.simulated)
            .finish()
    }
}

/// How video interviews are booked and called.
#[derive(Debug, Clone)]
pub struct InterviewSettings {
    /// Until how long before its slot a booking may be made, changed or cancelled.
    pub cutoff: chrono::Duration,
    /// How long before the interview the reminder goes out.
    pub reminder_before: chrono::Duration,
    /// The STUN/TURN servers the browsers use (`LINGSHI_ICE_SERVERS`), as `RTCIceServer[]`;
    /// none for loopback and one LAN.
    pub ice_servers: serde_json::Value,
}

impl Default for InterviewSettings {
    fn default() -> Self {
        Self {
            cutoff: lingshi_domain::interview::DEFAULT_CUTOFF,
            reminder_before: chrono::Duration::hours(1),
            ice_servers: serde_json::Value::Array(Vec::new()),
        }
    }
}

/// The online payment providers (WeChat Pay, Alipay) the missions take money through.
#[derive(Clone)]
pub struct PaymentSettings {
    pub providers: std::collections::BTreeMap<Provider, Arc<dyn PaymentProvider>>,
    /// The base URL providers post notifications to (`LINGSHI_PUBLIC_URL` in production).
    pub notify_base: String,
    /// In demo mode, each simulated provider's base URL, whose payer page the pages link to.
    pub simulators: std::collections::BTreeMap<Provider, String>,
    /// When a payment still unsettled is first queried, and again after each query.
    pub query_every: chrono::Duration,
    /// How long a payment may be paid before it is closed.
    pub expires_after: chrono::Duration,
    /// Where the ECB's daily reference rates are read from (a URL or a file), if anywhere.
    pub rates_source: Option<String>,
}

impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSettings")
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .field("notify_base", &self.notify_base)
            .finish_non_exhaustive()
    }
}

impl PaymentSettings {
    /// No provider: applicants pay at the counter (线下支付) only.
    pub fn none() -> Self {
        Self {
            providers: std::collections::BTreeMap::new(),
            notify_base: String::new(),
            simulators: std::collections::BTreeMap::new(),
            query_every: chrono::Duration::minutes(5),
            expires_after: chrono::Duration::hours(2),
            rates_source: None,
        }
    }

    pub fn provider(&self, provider: Provider) -> Option<&Arc<dyn PaymentProvider>> {
        self.providers.get(&provider)
    }

    pub fn offers(&self, provider: Provider) -> bool {
        self.providers.contains_key(&provider)
    }
}

/// How pension certifications reach the departments.
#[derive(Clone)]
pub struct PensionSettings {
    /// Region code → the department's base URL.
    pub departments: std::collections::BTreeMap<String, String>,
    /// The secret shared with the departments for signatures.
    pub key: lingshi_integrations::pension::SigningKey,
    /// How long one call may take.
    pub timeout: std::time::Duration,
    /// When to ask for a decision after the push.
    pub poll_after: chrono::Duration,
    /// When, after submission, to give up waiting and send the applicant to the paper form.
    pub deadline: chrono::Duration,
    /// Pushes tried before the push is given up.
    pub push_attempts: i32,
    /// The departments are the demo's simulator, not real ones: pages say so.
    pub simulated: bool,
}

impl std::fmt::Debug for PensionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PensionSettings").field("departments", &self.departments).finish_non_exhaustive()
    }
}

impl PensionSettings {
    /// No department connected: certifications cannot be pushed (the paper form remains).
    pub fn none() -> Self {
        Self {
            departments: std::collections::BTreeMap::new(),
            key: lingshi_integrations::pension::SigningKey::new(b"unused"),
            timeout: std::time::Duration::from_secs(10),
            poll_after: chrono::Duration::hours(1),
            deadline: chrono::Duration::days(30),
            push_attempts: 8,
            simulated: false,
        }
    }
}

/// Shared application state: one pointer, so the copy axum makes for every extractor and
/// middleware of a request is one reference count, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

/// What [`AppState`] shares; reached through it (`state.db`).
#[derive(Clone)]
pub struct Parts {
    pub db: Db,
    pub vault: Arc<Vault>,
    pub blobs: BlobStore,
    pub mailer: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
    pub face: Arc<dyn FaceVerifier>,
    pub templates: Arc<Templates>,
    pub catalogs: Arc<Catalogs>,
    pub settings: Settings,
    /// Woken when a job is enqueued, so the runner on this node starts at once.
    pub jobs_waiting: Arc<Notify>,
    /// The video calls' signalling rooms of the parties connected to this node.
    pub signals: Arc<crate::signalling::SignalHub>,
    /// The missions directory, cached.
    pub directory: Arc<crate::directory::Directory>,
    /// Becomes `true` when the node begins to stop: health checks answer 503 `draining`, so
    /// a load balancer sends it no new requests, and the job runner claims no more jobs.
    pub draining: Arc<tokio::sync::watch::Sender<bool>>,
    /// A PostgreSQL replica for reads that may lag (`crate::read_after`), when configured.
    pub replica: Option<Arc<lingshi_storage::replica::Replica>>,
    /// The missions' recent histories, for predicted completion dates, cached.
    pub forecasts: Arc<crate::service::forecast::Forecasts>,
}

impl AppState {
    /// Assembles the state from its parts, compiling templates and loading catalogs.
    pub fn assemble(
        db: Db,
        vault: Vault,
        blobs: BlobStore,
        adapters: Adapters,
        settings: Settings,
    ) -> Result<Self, minijinja::Error> {
        Ok(Self(Arc::new(Parts {
            db,
            vault: Arc::new(vault),
            blobs,
            mailer: adapters.mailer,
            sms: adapters.sms,
            face: adapters.face,
            templates: Arc::new(Templates::load()?),
            catalogs: Arc::new(Catalogs::load()),
            settings,
            jobs_waiting: Arc::new(Notify::new()),
            signals: Arc::new(crate::signalling::SignalHub::default()),
            directory: Arc::new(crate::directory::Directory::default()),
            draining: Arc::new(tokio::sync::watch::Sender::new(false)),
            replica: None,
            forecasts: Arc::default(),
        })))
    }

    /// The parts, to change while the node is being set up (a copy is made if the state is
    /// already shared, so a running node never sees them change).
    pub fn parts_mut(&mut self) -> &mut Parts {
        Arc::make_mut(&mut self.0)
    }

    /// Starts this node's drain (see [`AppState::draining`]).
    pub fn begin_draining(&self) {
        self.draining.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The adapters to the outside world the platform is configured with.
pub struct Adapters {
    pub mailer: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
    pub face: Arc<dyn FaceVerifier>,
}
